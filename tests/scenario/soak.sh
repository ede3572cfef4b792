#!/bin/sh
# test: alone
# Competition-day soak (issue 14): five teams, two real workers on the
# proxy backend, 40 keep-alive pollers, 20 uploads at once (50K-ID lists
# and 20 MB BYOD files), the leaderboards and the dashboard every second,
# a worker SIGKILLed and a server SIGTERMed mid-run; SOAK_SECONDS of load
# (30 here, 20 under the sanitizers, 300 from make bench).  The run itself is
# tests/scenario/lib/soak.py; this script makes its state.  SOAK_NGINX=1
# (soak_nginx.sh) puts the project's nginx config in front.
. "$(dirname "$0")/lib/server_env.sh"

# 30 s of load by default, 20 s in the sanitizer build: there the point is
# the same events (a worker killed, the server restarted, uploads on their
# way) under ASan and UBSan, not the figures
case $DO_BIN in */san/*) SECONDS_=${SOAK_SECONDS:-20} ;; *) SECONDS_=${SOAK_SECONDS:-30} ;; esac
make_pool 0.015 || { echo "not ok 1 - pool"; exit 1; }
mkdir -p "$T/state"
"$DO" migrate --db "$DB" >/dev/null || { echo "not ok 1 - migrate"; exit 1; }
"$DO" team add ops --db "$DB" >/dev/null
echo 'worker-pass' | "$DO" user add --team ops --email w@x.org --db "$DB" >/dev/null
TW=$("$DO" token create --email w@x.org --role worker --db "$DB" 2>/dev/null)
echo 'admin-pass-1' | "$DO" user add --email admin@x.org --admin --db "$DB" >/dev/null
TADM=$("$DO" token create --email admin@x.org --db "$DB" 2>/dev/null)
for t in 1 2 3 4 5; do
	"$DO" team add "soak$t" --db "$DB" >/dev/null
	echo "soak-pass-$t" | "$DO" user add --team "soak$t" --email "s$t@x.org" --db "$DB" >/dev/null
	echo "soak$t $("$DO" token create --email "s$t@x.org" --db "$DB" 2>/dev/null)"
done >"$T/teams.txt"
for t in std:standard byod:byod; do
	"$DO" track add --slug "${t%%:*}" --kind "${t#*:}" \
	    --budget 100000 --per-day 100000 --total 100000 --db "$DB" >/dev/null
done
pool_ids 95000 0 >"$T/ids.txt"
head -n 60000 "$T/ids.txt" >"$T/b1.txt"
tail -n 60000 "$T/ids.txt" >"$T/b2.txt"
head -n 100 "$T/ids.txt" >"$T/small.txt"
for b in b1 b2; do
	"$DO" materialize --pool "$POOL" --ids "$T/$b.txt" --out "$T/$b.json" >/dev/null 2>&1
done
check "two BYOD files of 20 MB" sh -c "[ \$(wc -c <'$T/b1.json') -gt 19000000 ] && [ \$(wc -c <'$T/b2.json') -gt 19000000 ]"
check "95,000 pool IDs for the 50K lists" [ "$(wc -l <"$T/ids.txt")" -eq 95000 ]

case $DO_BIN in */san/*) rss=1536 ;; *) rss=256 ;; esac
export ROOT DOD DB POOL; DOW=$DO_BIN/dataoptim-worker; export DOW
python3 - "$T" "$N" "$SECONDS_" "$rss" "${SOAK_NGINX:-0}" "$TADM" "$TW" <<'PY' >"$T/soak.json"
import json, sys, os
t, n, secs, rss, nginx, tadm, tw = sys.argv[1:]
e = os.environ
teams = [dict(zip(("name", "token"), l.split())) for l in open(t + "/teams.txt")]
print(json.dumps({
    "tmp": t, "n": int(n), "seconds": int(secs), "drain": 240,
    "rss_limit_kb": int(rss) * 1024, "nginx": nginx == "1",
    "baseline": e.get("SOAK_BASELINE") == "1",
    "root": e["ROOT"], "dod": e["DOD"], "dow": e["DOW"], "db": e["DB"],
    "state": t + "/state", "pool": e["POOL"], "val": t + "/pool/val.json",
    "static": e["ROOT"] + "/static", "teams": teams, "admin_token": tadm,
    "worker_token": tw, "small": t + "/small.txt",
    "ids": open(t + "/ids.txt").read().split(),
    "byod": [t + "/b1.json", t + "/b2.json"],
    "server_set": ["server.per_ip_connections=64",
                   "submissions.max_active_jobs=1000",
                   "submissions.reuse_scores=false",
                   "jobs.lease_seconds=10", "storage.min_free_mb=0"]
                  + (["server.trusted_proxies=127.0.0.1"] if nginx == "1" else []),
}))
PY
python3 "$ROOT/tests/scenario/lib/soak.py" "$T/soak.json"
