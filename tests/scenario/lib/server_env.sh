# Shared by the tests/scenario/server_*.sh scripts (sourced, POSIX sh).
# Makes a temporary state directory and a small synthetic pool, starts the
# real dataoptimd on a free loopback port, talks to it with curl and
# prints one "ok N - ..." / "not ok N - ..." line per check.  The daemon
# is always killed at exit.

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
DO_BIN=${DO_BIN:-bin}
case $DO_BIN in /*) ;; *) DO_BIN=$ROOT/$DO_BIN ;; esac
SHARED=${DATAOPTIM_SHARED:-$ROOT/../shared/dataoptim}
DO=$DO_BIN/dataoptim
DOD=$DO_BIN/dataoptimd
T=$(mktemp -d "${TMPDIR:-/tmp}/do-scenario.XXXXXX")
PID=""
URL=""
N=0
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

cleanup() {
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill -KILL "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
	fi
	for p in $(cat "$T"/bgpids 2>/dev/null); do
		kill "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 2' INT TERM

ok() { N=$((N + 1)); echo "ok $N - $1"; }
notok() {
	N=$((N + 1)); echo "not ok $N - $1"
	if [ -f "$T/body" ]; then
		echo "#   last status $CODE, body:"; head -c 600 "$T/body" | sed 's/^/#   /'; echo
	fi
}
# check DESC COMMAND...: ok if the command succeeds
check() { d=$1; shift; if "$@"; then ok "$d"; else notok "$d"; fi; }
# expect CODE DESC: the last request's status
expect() { if [ "$CODE" = "$1" ]; then ok "$2"; else notok "$2 (got $CODE, want $1)"; fi; }

# req METHOD PATH [curl args]: status in $CODE, body in $T/body, headers
# in $T/hdr
req() {
	_m=$1; _p=$2; shift 2
	CODE=$(curl -s -o "$T/body" -D "$T/hdr" -w '%{http_code}' -X "$_m" \
	    --max-time 120 "$@" "$URL$_p")
}
# jv EXPR: evaluate a Python expression over the last body (as d)
jv() {
	python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
v=eval(sys.argv[2])
print(json.dumps(v) if not isinstance(v,str) else v)' "$T/body" "$1" 2>/dev/null
}
# jtrue "STMT; ...; EXPR": succeeds if the final expression is true over
# the last body (as d), after the statements before it
jtrue() {
	python3 -c 'import json,sys
g={"d": json.load(open(sys.argv[1]))}
code=sys.argv[2]
pre, last = code.rsplit(";", 1) if ";" in code else ("", code)
exec(pre, g)
sys.exit(0 if eval(last, g) else 1)' "$T/body" "$1" 2>/dev/null
}
# header NAME: the value of a header of the last response
header() { tr -d '\r' <"$T/hdr" | grep -i "^$1:" | head -n 1 | sed 's/^[^:]*: *//'; }

# make_pool: a synthetic pool at $T/pool (index $T/pool/pool.idx)
make_pool() {
	POOL=$T/pool/pool.idx
	"$DO" pool synth --out "$T/pool" --scale "${1:-0.001}" \
	    >"$T/synth.log" 2>&1 || return 1
	"$DO" pool build --data "$T/pool/data" --out "$POOL" >"$T/build.log" 2>&1
}

# pool_ids N SKIP: N pool IDs after the first SKIP, one per line
pool_ids() {
	python3 - "$T/pool/data" "$1" "${2:-0}" <<'PY'
import json, sys, glob
ids = []
for f in sorted(glob.glob(sys.argv[1] + '/*.json')):
    ids += [it['id'] for it in json.load(open(f))]
n, skip = int(sys.argv[2]), int(sys.argv[3])
print("\n".join(ids[skip:skip + n]))
PY
}

DB=$T/state/dataoptim.db
# setup_db: migrate; team alpha (users a@x, a2@x), team beta (b@x); tokens
# $TA, $TA2, $TB, worker token $TW; tracks std (standard) and byod.
setup_db() {
	mkdir -p "$T/state"
	"$DO" migrate --db "$DB" >/dev/null || return 1
	"$DO" team add alpha --db "$DB" >/dev/null
	"$DO" team add beta --db "$DB" >/dev/null
	"$DO" team add ops --db "$DB" >/dev/null
	echo 'alpha-pass-1' | "$DO" user add --team alpha --email a@x.org --db "$DB" >/dev/null
	echo 'alpha-pass-2' | "$DO" user add --team alpha --email a2@x.org --db "$DB" >/dev/null
	echo 'beta-pass-1' | "$DO" user add --team beta --email b@x.org --db "$DB" >/dev/null
	echo 'worker-pass' | "$DO" user add --team ops --email w@x.org --db "$DB" >/dev/null
	TA=$("$DO" token create --email a@x.org --db "$DB" 2>/dev/null)
	TA2=$("$DO" token create --email a2@x.org --db "$DB" 2>/dev/null)
	TB=$("$DO" token create --email b@x.org --db "$DB" 2>/dev/null)
	TW=$("$DO" token create --email w@x.org --role worker --db "$DB" 2>/dev/null)
	"$DO" track add --slug std --kind standard --budget 1000 --db "$DB" >/dev/null
	"$DO" track add --slug byod --kind byod --budget 1000 --db "$DB" >/dev/null
}

# start_server [dataoptimd flags]: start on a free port; sets PID, URL
start_server() {
	: >"$T/server.log"
	"$DOD" --listen 127.0.0.1:0 --db "$DB" --state-dir "$T/state" \
	    --pool "$POOL" --static-dir "${STATIC_DIR:-$ROOT/static}" \
	    --set server.per_ip_connections=0 "$@" \
	    >>"$T/server.log" 2>&1 &
	PID=$!
	_i=0
	while [ $_i -lt 200 ]; do
		_port=$(sed -n 's/.*listening on port \([0-9]*\).*/\1/p' "$T/server.log")
		if [ -n "$_port" ]; then
			URL=http://127.0.0.1:$_port
			return 0
		fi
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.05
		_i=$((_i + 1))
	done
	echo "# dataoptimd did not start:"; sed 's/^/#   /' "$T/server.log"
	return 1
}

# stop_server: SIGTERM and wait (10 s at most); 0 if it exited 0
stop_server() {
	[ -n "$PID" ] || return 0
	kill -TERM "$PID" 2>/dev/null
	_i=0
	while kill -0 "$PID" 2>/dev/null && [ $_i -lt 200 ]; do
		sleep 0.05; _i=$((_i + 1))
	done
	if kill -0 "$PID" 2>/dev/null; then
		kill -KILL "$PID"; wait "$PID" 2>/dev/null; PID=""; return 1
	fi
	wait "$PID"; _rc=$?; PID=""
	return $_rc
}

# wait_until SECONDS COMMAND...: poll the command every 0.2 s
wait_until() {
	_end=$(( $(date +%s) + $1 )); shift
	while :; do
		"$@" && return 0
		[ "$(date +%s)" -ge "$_end" ] && return 1
		sleep 0.2
	done
}

# job_is TOKEN JOB PYEXPR: the job (as j) satisfies the expression
job_is() {
	req GET "/api/v1/jobs/$2" -H "Authorization: Bearer $1"
	[ "$CODE" = 200 ] && jtrue "j=d['job']; $3"
}

# rss_kb PID FIELD: VmRSS or VmHWM of a process, in kB
rss_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

# no_sanitizer_errors: the server log has no ASan/UBSan report
no_sanitizer_errors() {
	! grep -q -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$T/server.log"
}
