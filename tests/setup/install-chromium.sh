#!/bin/sh
# Installs Debian's chromium for the report's browser tests (issue 15) when it is missing. Called by build.ps1's
# Test task; CI starts from a fresh machine with only the .NET SDK. Named apart from other setup scripts so each
# stays independent. Exits 0 when chromium is there (already or now), non-zero when it could not be installed.
set -e
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=sudo; else
        echo "install-chromium.sh: chromium is missing and this user cannot install packages (not root, no sudo)." >&2
        exit 1
    fi
else
    SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
command -v chromium >/dev/null 2>&1
