#!/bin/sh
# Webhooks (issue 5): a loopback receiver gets a signed JSON POST when a
# submission is scored and when one fails (the test checks the
# HMAC-SHA256 itself); a receiver that is down or hangs never slows a
# request (latencies measured while deliveries fail); failed deliveries
# are retried with backoff, and pending ones survive a restart.
. "$(dirname "$0")/lib/server_env.sh"

make_pool || { echo "not ok 1 - pool"; exit 1; }
setup_db || { echo "not ok 1 - setup"; exit 1; }
echo 'admin-pass-1' | "$DO" user add --email admin@x.org --admin --db "$DB" >/dev/null
TADM=$("$DO" token create --email admin@x.org --db "$DB" 2>/dev/null)
SRVARGS="--set submissions.reuse_scores=false --set submissions.max_active_jobs=50 \
    --set webhooks.retry_base_seconds=1 --set webhooks.retry_max_seconds=2 \
    --set webhooks.timeout_seconds=3 --set webhooks.allow_private=true"
# shellcheck disable=SC2086
start_server $SRVARGS || exit 1
STD=$SHARED/example-standard.txt
AUTH_A="Authorization: Bearer $TA"
AUTH_W="Authorization: Bearer $TW"
ADM="Authorization: Bearer $TADM"
JSON='Content-Type: application/json'
SECRET=webhook-secret-0123456789

# receiver MODE: a loopback HTTP server on a free port (its port in
# $T/rport); MODE ok answers 204 and appends each delivery to
# $T/deliveries, MODE hang accepts and never answers
receiver() {
	rm -f "$T/rport"
	python3 - "$T" "$1" "${2:-0}" <<'PY' >>"$T/receiver.log" 2>&1 &
import http.server, json, sys, time, os
out, mode, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0))
        body = self.rfile.read(n)
        if mode == "hang":
            time.sleep(60)
            return
        rec = {"headers": dict(self.headers), "body": body.decode()}
        with open(out + "/deliveries", "a") as f:
            f.write(json.dumps(rec) + "\n")
        self.send_response(204)
        self.end_headers()
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", port), H)
with open(out + "/rport.tmp", "w") as f:
    f.write(str(s.server_address[1]))
os.rename(out + "/rport.tmp", out + "/rport")
s.serve_forever()
PY
	RPID=$!
	echo $RPID >>"$T/bgpids"
	_i=0
	while [ ! -f "$T/rport" ] && [ $_i -lt 600 ]; do sleep 0.05; _i=$((_i + 1)); done
	RPORT=$(cat "$T/rport")
}
# finish RESULT-JSON: upload, claim, post the result; sets S, J
finish() {
	req POST "/api/v1/submissions?track=$1&method_name=m" -H "$AUTH_A" \
	    -H 'Content-Type: text/plain' --data-binary @"$STD"
	S=$(jv 'd["submission"]["id"]'); J=$(jv 'd["submission"]["job"]["id"]')
	req POST /api/v1/worker/claim -H "$AUTH_W"
	req POST "/api/v1/worker/jobs/$J/result" -H "$AUTH_W" -H "$JSON" -d "$2"
}
# wait_for N: until $T/deliveries has N lines (30 s at most: a loaded
# machine)
wait_for() {
	_i=0
	while [ "$(wc -l <"$T/deliveries" 2>/dev/null || echo 0)" -lt "$1" ] && [ $_i -lt 600 ]; do
		sleep 0.05; _i=$((_i + 1))
	done
	[ "$(wc -l <"$T/deliveries" 2>/dev/null || echo 0)" -ge "$1" ]
}

: >"$T/deliveries"
receiver ok
req POST /api/v1/admin/tracks -H "$ADM" -H "$JSON" -d "{\"slug\":\"wh\",\"kind\":\"standard\",\"budget\":1000,\"webhook_url\":\"http://127.0.0.1:$RPORT/hook\",\"webhook_secret\":\"$SECRET\"}"
expect 201 "a track with a webhook"
check "the secret is never shown back" sh -c "! grep -q '$SECRET' '$T/body' && grep -q '\"webhook_secret_set\":true' '$T/body'"
req GET "/api/v1/admin/audit?action=track.create" -H "$ADM"
check "nor written to the audit log" sh -c "! grep -q '$SECRET' '$T/body'"

finish wh '{"attempt":1,"status":"succeeded","scores":{"vqa":0.8}}'
SOK=$S; JOK=$J
check "the receiver gets a delivery for the scored submission" wait_for 1
verify() {	# verify LINE EVENT SUB: signature, headers and body
	python3 - "$T/deliveries" "$1" "$SECRET" "$2" "$3" <<'PY'
import json, sys, hmac, hashlib
rec = json.loads(open(sys.argv[1]).read().splitlines()[int(sys.argv[2])])
h = {k.lower(): v for k, v in rec["headers"].items()}
want = "sha256=" + hmac.new(sys.argv[3].encode(), rec["body"].encode(), hashlib.sha256).hexdigest()
b = json.loads(rec["body"])
ok = (hmac.compare_digest(h.get("x-dataoptim-signature", ""), want)
      and h.get("content-type") == "application/json"
      and h.get("x-dataoptim-event") == sys.argv[4] == b["event"]
      and h.get("x-dataoptim-delivery") == str(b["delivery_id"])
      and b["submission"]["id"] == sys.argv[5] and b["track"] == "wh")
if sys.argv[4] == "submission.scored":
    ok = ok and abs(b["scores"]["vqa"] - 0.8) < 1e-9 and b["job"]["state"] == "succeeded"
else:
    ok = ok and b["job"]["state"] == "failed" and b["job"]["error"] == "diverged"
sys.exit(0 if ok else 1)
PY
}
check "it is signed with HMAC-SHA256 over the body, with event and delivery headers" verify 0 submission.scored "$SOK"
finish wh '{"attempt":1,"status":"failed","error":"diverged","fault":"team"}'
SFAIL=$S
check "a failed submission is delivered too" wait_for 2
check "the failure delivery is signed and carries the error" verify 1 submission.failed "$SFAIL"
sleep 1
check "each finished attempt is delivered once" [ "$(wc -l <"$T/deliveries")" -eq 2 ]
req GET "/api/v1/admin/webhooks?track=wh&status=delivered" -H "$ADM"
check "the outbox shows both delivered" jtrue 'd["total"]==2 and all(x["attempts"]==1 and x["last_status"]==204 for x in d["deliveries"])'

# a receiver that is down: requests stay fast while deliveries fail
kill "$RPID" 2>/dev/null; wait "$RPID" 2>/dev/null
finish wh '{"attempt":1,"status":"succeeded","scores":{"vqa":0.8}}'
lat() {	# lat: the slowest of 20 mixed requests, in ms
	_max=0
	for _k in 1 2 3 4 5 6 7 8 9 10; do
		for _p in /api/v1/tracks "/api/v1/leaderboard?track=wh"; do
			_t=$(curl -s -o /dev/null -w '%{time_total}' -H "$AUTH_A" "$URL$_p")
			_ms=$(python3 -c "print(int(float('$_t') * 1000))")
			[ "$_ms" -gt "$_max" ] && _max=$_ms
		done
		_t=$(curl -s -o /dev/null -w '%{time_total}' -X POST -H "$AUTH_W" "$URL/api/v1/worker/claim")
		_ms=$(python3 -c "print(int(float('$_t') * 1000))")
		[ "$_ms" -gt "$_max" ] && _max=$_ms
		sleep 0.2
	done
	echo "$_max"
}
MAXMS=$(lat)
echo "# slowest request while the receiver is down: $MAXMS ms"
check "a receiver that is down does not slow requests (slowest < 300 ms)" [ "$MAXMS" -lt 300 ]
req GET "/api/v1/admin/webhooks?track=wh&status=pending" -H "$ADM"
check "the delivery is pending, retried with the error kept" jtrue 'x=d["deliveries"][0]; d["total"]==1 and x["attempts"]>=2 and x["last_error"] and x["last_status"] is None'

# a receiver that hangs (accepts, never answers)
receiver hang
req PATCH /api/v1/admin/tracks/wh -H "$ADM" -H "$JSON" -d "{\"webhook_url\":\"http://127.0.0.1:$RPORT/hook\"}"
finish wh '{"attempt":1,"status":"succeeded","scores":{"vqa":0.8}}'
MAXMS=$(lat)
echo "# slowest request while the receiver hangs: $MAXMS ms"
check "a receiver that hangs does not slow requests (slowest < 300 ms)" [ "$MAXMS" -lt 300 ]
kill "$RPID" 2>/dev/null; wait "$RPID" 2>/dev/null

# pending deliveries survive a restart
stop_server
check "the server stops while deliveries are pending" [ $? = 0 ]
: >"$T/deliveries"
: >"$T/deliveries"
receiver ok
sqlite3 "$DB" "UPDATE tracks SET webhook_url = 'http://127.0.0.1:$RPORT/hook' WHERE slug = 'wh'" 2>/dev/null ||
    python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE tracks SET webhook_url = ? WHERE slug = 'wh'\", (sys.argv[2],)); c.commit()" "$DB" "http://127.0.0.1:$RPORT/hook"
# shellcheck disable=SC2086
start_server $SRVARGS || exit 1
check "after a restart the pending deliveries arrive" wait_for 2
req GET "/api/v1/admin/webhooks?track=wh&status=pending" -H "$ADM"
check "nothing is left pending" jtrue 'd["total"]==0'
req POST /api/v1/admin/webhooks/1/retry -H "$ADM" -H "$JSON" -d '{}'
expect 200 "an organizer can send a delivery again"
check "a retried delivery arrives again" wait_for 3
check "no sanitizer report in the server log" no_sanitizer_errors
stop_server
check "the server stops cleanly" [ $? = 0 ]
