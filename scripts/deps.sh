#!/bin/sh
# Installs the Debian 12 packages railgate needs to build, test and run,
# saying what it installs.  Does nothing when everything is present.
set -eu

PACKAGES="
build-essential
pkg-config
libevent-dev
libpq-dev
libxml2-dev
libxml2-utils
libssl-dev
zlib1g-dev
libdeflate-dev
libjansson-dev
libargon2-dev
libcunit1-dev
libutf8proc-dev
libicu-dev
postgresql
curl
jq
openssl
bc
time
cppcheck
groff-base
clang
libclang-rt-14-dev
chromium
chromium-driver
fonts-wqy-microhei
faketime
iproute2
libsystemd-dev
debhelper
dpkg-dev
fakeroot
lintian
"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "railgate: installing missing Debian packages:$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "railgate: not root; run as root, or: sudo apt-get install$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
echo "railgate: installed:$missing"
