#!/bin/sh
# Install what the project needs, only what is missing.
#
#   deploy/deps.sh [--test] [PACKAGE...]
#
# Without --test: the Debian packages that building and running need
# (make, make run).  With --test: also what the tests need (make deps,
# make test, make fuzz): cmocka, wrk, nginx, Chromium, clang with its
# fuzzer runtime, Slurm's slurmctld, slurmd and client commands with
# munge (a one-node cluster for the worker's Slurm scenarios, started by
# the tests themselves), Node.js with npm (the machine's own if it has one, else
# Debian's), and the browser tests' npm packages, installed from
# tests/browser/package-lock.json into tests/browser/node_modules.  Extra
# arguments are more Debian packages.  Runs apt-get directly as root, else through sudo.
# Idempotent, and quick when everything is there.
set -eu
cd "$(dirname "$0")/.."

PKGS="build-essential pkg-config ca-certificates curl python3
libmicrohttpd-dev libsqlite3-dev sqlite3 libjansson-dev libssl-dev
libuv1-dev libcurl4-openssl-dev libargon2-dev libinih-dev libxxhash-dev
libutf8proc-dev procps"
TEST_PKGS="libcmocka-dev wrk nginx-light time bc chromium clang libclang-rt-14-dev llvm-14
slurmctld slurmd slurm-client munge"

test=0
if [ "${1:-}" = --test ]; then
	test=1
	shift
	PKGS="$PKGS $TEST_PKGS"
fi
PKGS="$PKGS $*"
missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
# node and npm (browser tests): the machine's own if present, else Debian's
if [ "$test" = 1 ] && ! command -v npm >/dev/null 2>&1; then
	missing="$missing nodejs npm"
fi

if [ -n "$missing" ]; then
	if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
	echo "deps: installing:$missing" >&2
	export DEBIAN_FRONTEND=noninteractive
	# munge's postinst makes its key as the user munge (su), which fails
	# where that user cannot reach / (a chroot under a 0700 directory); a
	# key that is there already is kept: make the same random 1 KiB key
	case " $missing " in *" munge "*)
		[ -e /etc/munge/munge.key ] || $SUDO sh -c 'umask 077 &&
		    mkdir -p /etc/munge && head -c 1024 /dev/urandom \
		    >/etc/munge/munge.key' ;;
	esac
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

# The browser tests' driver (playwright-core, which never downloads a
# browser: the tests use Debian's Chromium), pinned by the lockfile.
# npm records the installed tree in node_modules/.package-lock.json.
[ "$test" = 1 ] || exit 0
b=tests/browser
if [ ! -f "$b/node_modules/.package-lock.json" ] ||
    [ "$b/package-lock.json" -nt "$b/node_modules/.package-lock.json" ]; then
	echo "deps: installing the browser tests' npm packages in $b" >&2
	log=$(mktemp)
	if ! (cd "$b" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
	    npm ci --no-audit --no-fund --ignore-scripts) >"$log" 2>&1; then
		cat "$log" >&2
		rm -f "$log"
		echo "deps: npm ci in $b failed" >&2
		exit 1
	fi
	rm -f "$log"
fi
