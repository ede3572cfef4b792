#!/bin/sh
# Install the Debian packages the project needs, only those missing
# (plus any named as arguments).
# Runs apt-get directly as root, else through sudo.  Idempotent and quick
# when everything is there.
set -eu

PKGS="build-essential pkg-config ca-certificates curl python3
libmicrohttpd-dev libsqlite3-dev sqlite3 libjansson-dev libssl-dev
libuv1-dev libcurl4-openssl-dev libargon2-dev libinih-dev libxxhash-dev
libcmocka-dev wrk nginx-light procps time bc chromium"

# extra packages for one target (make fuzz: clang) come as arguments
PKGS="$PKGS $*"
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
# node and npm (browser tests): the machine's own if present, else Debian's
command -v npm >/dev/null 2>&1 || missing="$missing nodejs npm"
[ -z "$missing" ] && exit 0

if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
echo "deps: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
