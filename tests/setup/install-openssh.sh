#!/bin/sh
# Issue 17: the remoting tests start a real OpenSSH server (sshd) on 127.0.0.1 with the pinned pwsh as its
# PowerShell subsystem. CI starts from a machine with only the .NET SDK: install Debian's openssh-server when
# /usr/sbin/sshd is missing. The tests start their own sshd; the package's system service is not wanted.
set -e
if [ -x /usr/sbin/sshd ] && command -v ssh-keygen >/dev/null 2>&1; then
    exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
CREATED=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
    # exit 101: the package's postinst must not start the system sshd service. Removed again below.
    $SUDO sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d'
    CREATED=1
fi
cleanup() { if [ -n "$CREATED" ]; then $SUDO rm -f /usr/sbin/policy-rc.d; fi; }
trap cleanup EXIT
# Other setup scripts (dovecot, chromium) may be installing at the same time: wait for the dpkg lock.
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends openssh-server openssh-client
