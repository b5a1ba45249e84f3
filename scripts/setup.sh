#!/bin/sh
# Installs what lexframe needs on Debian 12 (only the missing packages; as root or through
# sudo), then configures and builds it in build/. Safe to run again: it only rebuilds.
set -eu
cd "$(dirname "$0")/.."

pkgs="gcc make pkg-config meson ninja-build libpcre2-dev libxml2-dev libutf8proc-dev
libcmocka-dev libyaml-dev nettle-dev libjson-c-dev libxml2-utils python3 chromium
fonts-dejavu-core parallel valgrind"
missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "setup: installing$missing" >&2
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -q >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends \
        $missing >&2
fi

[ -f build/build.ninja ] || meson setup build -Dwerror=true >&2
ninja -C build >&2
