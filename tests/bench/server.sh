#!/bin/sh
# Server benchmarks (make bench): wrk on loopback with keep-alive against
# GET /api/v1/jobs/{id} and the leaderboard, and nginx serving a static
# file of the job answer's size in the same run; then 1 GB uploads with
# the server's peak RSS.  Prints a table.  Needs bin/ built, wrk, nginx.
set -u
cd "$(dirname "$0")/../.." || exit 2
ROOT=$(pwd)
DO=$ROOT/bin/dataoptim
DOD=$ROOT/bin/dataoptimd
DUR=${BENCH_DURATION:-10}
CONNS=${BENCH_CONNECTIONS:-50}
T=$(mktemp -d /tmp/do-bench.XXXXXX)
PID=""; NPID=""
cleanup() {
	[ -n "$PID" ] && kill "$PID" 2>/dev/null
	[ -n "$NPID" ] && kill "$NPID" 2>/dev/null
	sleep 0.2
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 2' INT TERM
for p in wrk nginx curl python3; do
	command -v "$p" >/dev/null 2>&1 || [ -x "/usr/sbin/$p" ] || {
		echo "bench/server: $p is missing (make deps)"; exit 2; }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_kb() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }
# wrk_run URL [header]: prints "req/s p99ms"
wrk_run() {
	if [ $# -gt 1 ]; then
		wrk -t1 -c"$CONNS" -d"${DUR}s" --latency -H "$2" "$1" >"$T/wrk.out" 2>&1
	else
		wrk -t1 -c"$CONNS" -d"${DUR}s" --latency "$1" >"$T/wrk.out" 2>&1
	fi
	rps=$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' "$T/wrk.out")
	p99=$(awk '$1 == "99%" { v=$2; if (v ~ /us$/) { sub(/us/,"",v); v=v/1000 } else if (v ~ /ms$/) sub(/ms/,"",v); else if (v ~ /s$/) { sub(/s/,"",v); v=v*1000 }; printf "%.2f", v }' "$T/wrk.out")
	non2xx=$(awk '/Non-2xx/ { print $NF }' "$T/wrk.out")
	echo "${rps:-0} ${p99:-?} ${non2xx:-0}"
}

# --- a small pool, accounts, 10 scored submissions ---
"$DO" pool synth --out "$T/pool" --scale 0.001 >/dev/null 2>&1 &&
"$DO" pool build --data "$T/pool/data" --out "$T/pool/pool.idx" >/dev/null 2>&1 || {
	echo "bench/server: cannot make a pool"; exit 2; }
DB=$T/state/dataoptim.db
mkdir -p "$T/state"
"$DO" migrate --db "$DB" >/dev/null
"$DO" track add --slug std --kind standard --budget 100000 --db "$DB" >/dev/null
"$DO" track add --slug junk --kind byod --budget 100000 --db "$DB" >/dev/null
"$DO" team add ops --db "$DB" >/dev/null
"$DO" user add --team ops --email w@x.org --db "$DB" </dev/null >/dev/null
TW=$("$DO" token create --email w@x.org --role worker --db "$DB" 2>/dev/null)
python3 - "$T/pool/data" "$T" <<'PY'
import json, sys, glob
ids = []
for f in sorted(glob.glob(sys.argv[1] + '/*.json')):
    ids += [it['id'] for it in json.load(open(f))]
for i in range(10):
    open('%s/s%d.txt' % (sys.argv[2], i), 'w').write("\n".join(ids[i*50:(i+1)*50]) + "\n")
PY
PORT=$(free_port)
"$DOD" --listen "127.0.0.1:$PORT" --db "$DB" --state-dir "$T/state" \
    --pool "$T/pool/pool.idx" --static-dir "$ROOT/static" 2>"$T/server.log" &
PID=$!
sleep 0.5
URL=http://127.0.0.1:$PORT
for i in 0 1 2 3 4 5 6 7 8 9; do
	"$DO" team add "team$i" --db "$DB" >/dev/null
	"$DO" user add --team "team$i" --email "u$i@x.org" --db "$DB" </dev/null >/dev/null
	tok=$("$DO" token create --email "u$i@x.org" --db "$DB" 2>/dev/null)
	[ $i -eq 0 ] && TA=$tok
	curl -s -o "$T/up.json" -X POST "$URL/api/v1/submissions?track=std&method_name=method-$i" \
	    -H "Authorization: Bearer $tok" -H 'Content-Type: text/plain' --data-binary @"$T/s$i.txt"
	[ $i -eq 0 ] && JOB=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["submission"]["job"]["id"])' "$T/up.json")
	curl -s -o "$T/claim.json" -X POST "$URL/api/v1/worker/claim" -H "Authorization: Bearer $TW"
	J=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["job"]["id"])' "$T/claim.json")
	curl -s -o /dev/null -X POST "$URL/api/v1/worker/jobs/$J/result" -H "Authorization: Bearer $TW" \
	    -H 'Content-Type: application/json' \
	    -d "{\"attempt\":1,\"status\":\"succeeded\",\"scores\":{\"vqa\":0.$i,\"choice\":0.5,\"exact\":0.3}}"
done
curl -s -o "$T/job.json" "$URL/api/v1/jobs/$JOB" -H "Authorization: Bearer $TA"
JOBSIZE=$(wc -c <"$T/job.json")
curl -s -o "$T/lb.json" "$URL/api/v1/leaderboard?track=std"
LBSIZE=$(wc -c <"$T/lb.json")

# --- nginx with a static file of the job answer's size ---
NPORT=$(free_port)
mkdir -p "$T/nginx/www"
head -c "$JOBSIZE" /dev/zero | tr '\0' 'x' >"$T/nginx/www/job.json"
cat >"$T/nginx/nginx.conf" <<NG
worker_processes 2;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log;
events { worker_connections 1024; }
http {
	access_log $T/nginx/access.log;
	client_body_temp_path $T/nginx/body;
	proxy_temp_path $T/nginx/proxy;
	fastcgi_temp_path $T/nginx/fcgi;
	uwsgi_temp_path $T/nginx/uwsgi;
	scgi_temp_path $T/nginx/scgi;
	keepalive_requests 1000000;
	server {
		listen 127.0.0.1:$NPORT;
		root $T/nginx/www;
	}
}
NG
"$NGINX" -c "$T/nginx/nginx.conf" -g 'daemon off;' 2>"$T/nginx/stderr" &
NPID=$!
sleep 0.5

set -- $(wrk_run "$URL/api/v1/jobs/$JOB" "Authorization: Bearer $TA"); JR=$1; JP=$2; JE=$3
set -- $(wrk_run "$URL/api/v1/leaderboard?track=std"); LR=$1; LP=$2; LE=$3
set -- $(wrk_run "http://127.0.0.1:$NPORT/job.json"); NR=$1; NP=$2
kill "$NPID" 2>/dev/null; NPID=""

# --- 1 GB uploads (BENCH_UPLOADS=0 skips them) ---
upload() {	# upload TRACK TYPE FILE -> "MB/s seconds rssgrowthMB status"
	h0=$(rss_kb "$PID" VmHWM)
	out=$(curl -s -o "$T/up.out" -w '%{http_code} %{time_total}' -X POST \
	    "$URL/api/v1/submissions?track=$1&method_name=big" \
	    -H "Authorization: Bearer $TA" -H "Content-Type: $2" -T "$3")
	h1=$(rss_kb "$PID" VmHWM)
	size=$(stat -c %s "$3")
	echo "$out" | awk -v s="$size" -v g="$(( (h1 - h0) / 1024 ))" \
	    '{ printf "%.0f %.2f %d %s\n", s / 1048576 / $2, $2, g, $1 }'
}
U1=-; U1T=-; U1G=-; U1C=skipped; U2=-; U2T=-; U2G=-; U2C=skipped
if [ "${BENCH_UPLOADS:-1}" != 0 ]; then
head -c 1073741824 /dev/zero | tr '\0' 'x' >"$T/big.json"
set -- $(upload junk application/json "$T/big.json"); U1=$1; U1T=$2; U1G=$3; U1C=$4
rm -f "$T/big.json"
python3 - "$T/pool/data" "$T/big.txt" <<'PY'
import json, sys, glob
ids = []
for f in sorted(glob.glob(sys.argv[1] + '/*.json')):
    ids += [it['id'] for it in json.load(open(f))]
block = ("\n".join(ids) + "\n").encode()
with open(sys.argv[2], 'wb') as out:
    n = 0
    while n < 1 << 30:
        out.write(block); n += len(block)
PY
set -- $(upload std text/plain "$T/big.txt"); U2=$1; U2T=$2; U2G=$3; U2C=$4
rm -f "$T/big.txt"
fi
BASE=$(( $(rss_kb "$PID" VmRSS) / 1024 ))

RATIO=$(awk -v a="$JR" -v b="$NR" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }')
echo
echo "server benchmarks: wrk -t1 -c$CONNS -d${DUR}s keep-alive on loopback, $(nproc) cores"
printf '%-44s %10s %9s  %s\n' "what" "req/s" "p99 ms" "target"
printf '%-44s %10s %9s  %s\n' "GET /api/v1/jobs/{id} ($JOBSIZE B, token auth)" "$JR" "$JP" ">= 15000 req/s, p99 <= 10 ms"
printf '%-44s %10s %9s  %s\n' "GET /api/v1/leaderboard ($LBSIZE B, 10 teams)" "$LR" "$LP" ""
printf '%-44s %10s %9s  %s\n' "nginx, static file of $JOBSIZE B" "$NR" "$NP" ""
printf '%-44s %10s\n' "job status / nginx" "$RATIO"
[ "$JE" != 0 ] || [ "$LE" != 0 ] && echo "  (non-2xx answers: jobs $JE, leaderboard $LE)"
echo
printf '%-44s %8s %8s %10s  %s\n' "1 GB upload" "MB/s" "s" "RSS +MB" "target"
printf '%-44s %8s %8s %10s  %s\n' "BYOD body refused at byte 0 (stream+sha+disk)" "$U1" "$U1T" "$U1G" ">= 200 MB/s, <= 32 MB ($U1C)"
printf '%-44s %8s %8s %10s  %s\n' "ID list, stored then fully validated" "$U2" "$U2T" "$U2G" "($U2C)"
echo "server RSS after: $BASE MB"
