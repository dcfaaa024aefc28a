#!/bin/sh
# The SRV tests of Test-MapiHttpAutodiscover ask a real DNS server: Debian's dnsmasq. The package dnsmasq-base
# provides /usr/sbin/dnsmasq without a system service (the package "dnsmasq" would add and start one). CI starts from
# a machine with only the .NET SDK, so it is installed here when missing; the tests start their own dnsmasq on
# 127.0.0.1 high ports with its configuration on the command line and a pid file under a temp folder.
set -eu
if [ -x /usr/sbin/dnsmasq ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-dnsmasq: apt-get not found; install dnsmasq-base by hand (the SRV tests need /usr/sbin/dnsmasq)" >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; else
        echo "install-dnsmasq: not root and no sudo; install dnsmasq-base by hand" >&2
        exit 1
    fi
fi
echo "install-dnsmasq: installing dnsmasq-base"
# Other setup scripts may be installing at the same time: wait for the dpkg lock.
$SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends dnsmasq-base >/dev/null
test -x /usr/sbin/dnsmasq
echo "install-dnsmasq: installed dnsmasq-base"
