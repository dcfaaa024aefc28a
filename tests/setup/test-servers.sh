#!/bin/sh
# Installs the real servers the tests run against (issue 16: Dovecot for IMAP4/POP3) when they are missing.
# CI starts from a fresh Debian machine with only the .NET SDK: "apt-get update" runs once, and only when
# something is missing. Nothing is started or enabled here; the tests start their own Dovecot on 127.0.0.1
# high ports with configuration under a temp folder and stop it afterwards.
set -eu

missing=""
for pkg in dovecot-imapd dovecot-pop3d openssl; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $pkg"
    fi
done

if [ -z "$missing" ]; then
    echo "test-servers: dovecot-imapd, dovecot-pop3d and openssl are installed"
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "test-servers: apt-get not found; install$missing by hand (the IMAP4/POP3 tests report Skipped without them)" >&2
    exit 0
fi

SUDO=""
if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
        echo "test-servers: not root and no sudo; install$missing by hand (the IMAP4/POP3 tests report Skipped without them)" >&2
        exit 0
    fi
fi

echo "test-servers: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# policy-rc.d keeps the package scripts from starting the system's Dovecot service (no system services touched).
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
# The package enables and may start the system instance; the tests never use it. Stop it where systemd runs.
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    $SUDO systemctl stop dovecot.service >/dev/null 2>&1 || true
fi
echo "test-servers: installed$missing"
