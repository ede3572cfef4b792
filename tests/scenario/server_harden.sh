#!/bin/sh
# Hardening (issue 9): what an attacker or a careless operator sends, and
# the answer each gets instead of a crash, a dropped connection or lost
# data.  Each block names its item of the issue.
. "$(dirname "$0")/lib/server_env.sh"

make_pool || { echo "not ok 1 - pool"; exit 1; }
setup_db || { echo "not ok 1 - setup"; exit 1; }
echo 'admin-pass-1' | "$DO" user add --email admin@x.org --admin --db "$DB" >/dev/null
TADM=$("$DO" token create --email admin@x.org --db "$DB" 2>/dev/null)
start_server --set leaderboard.cache_seconds=0 || exit 1
STD=$SHARED/example-standard.txt
AUTH_A="Authorization: Bearer $TA"
AUTH_B="Authorization: Bearer $TB"
AUTH_W="Authorization: Bearer $TW"
AUTH_ADM="Authorization: Bearer $TADM"
alive() { curl -fsS -o /dev/null --max-time 5 "$URL/healthz"; }

# up TOKEN QUERY FILE: a raw upload with the query string given
up() {
	req POST "/api/v1/submissions?$2" -H "Authorization: Bearer $1" \
	    -H 'Content-Type: text/plain' --data-binary @"$3"
}
# form BODY: a hand-made multipart body (printf format) with boundary XYZ123
form() {
	printf -- "$1" >"$T/form"
	req POST /api/v1/submissions -H "$AUTH_A" \
	    -H 'Content-Type: multipart/form-data; boundary=XYZ123' \
	    --data-binary @"$T/form"
}
# score JOB: play the worker: claim it, post a result
score() {
	req POST /api/v1/worker/claim -H "$AUTH_W" -H 'Content-Type: application/json' -d '{}'
	_att=$(jv 'd["job"]["attempt"]')
	req POST "/api/v1/worker/jobs/$1/result" -H "$AUTH_W" \
	    -H 'Content-Type: application/json' \
	    -d "{\"attempt\":$_att,\"status\":\"succeeded\",\"scores\":{\"overall\":0.5,\"vqa\":0.5}}"
}

# --- item 1: text fields are checked at the edge ---
up "$TB" 'track=std&method_name=%ff%fe' "$STD"
expect 400 "method_name with invalid UTF-8: 400"
check "... naming the field" jtrue '"method_name" in d["error"]["message"] and "UTF-8" in d["error"]["message"]'
up "$TB" 'track=std&method_name=a%00b' "$STD"
expect 400 "method_name with a NUL: 400 (not truncated)"
up "$TB" 'track=std&method_name=a%0Ab' "$STD"
expect 400 "method_name with a newline: 400 (one line)"
up "$TB" 'track=std&method_name=m&description=x%01y' "$STD"
expect 400 "description with a control character: 400"
up "$TB" 'track=std&method_name=m&url=%c0%af' "$STD"
expect 400 "url with an overlong UTF-8 form: 400"
up "$TB" 'track=std&method_name=caf%c3%a9&description=line%0Aline%09tab' "$STD"
expect 201 "valid UTF-8, and a description over two lines: 201"
SB=$(jv 'd["submission"]["id"]'); JB=$(jv 'd["submission"]["job"]["id"]')
check "... kept as sent" jtrue 'd["submission"]["method_name"] == "caf\u00e9" and d["submission"]["description"] == "line\nline\ttab"'
form '--XYZ123\r\nContent-Disposition: form-data; name="track"\r\n\r\nstd\r\n--XYZ123\r\nContent-Disposition: form-data; name="method_name"\r\n\r\n\377x\r\n--XYZ123\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\nContent-Type: text/plain\r\n\r\ncoco_1\r\n--XYZ123--\r\n'
expect 400 "a form's method_name with invalid UTF-8: 400"
check "... naming the field" jtrue '"method_name" in d["error"]["message"]'
req POST /api/v1/admin/teams -H "$AUTH_ADM" -H 'Content-Type: application/json' -d '{"name":"x\u0007y"}'
expect 400 "a JSON team name with a control character: 400"
check "... naming the field" jtrue '"name" in d["error"]["message"]'
req POST /api/v1/admin/teams -H "$AUTH_ADM" -H 'Content-Type: application/json' -d '{"name":"x\u0000y"}'
expect 400 "a JSON string with \\u0000: 400"
check "the server is alive" alive
"$DO" team add "$(printf 'bad\377name')" --db "$DB" >"$T/cli.out" 2>&1
check "the CLI refuses a team name that is not UTF-8 (exit $?)" grep -q 'team name is not valid UTF-8 at byte 3' "$T/cli.out"
"$DO" user add --team alpha --email "$(printf 'x\001@x.org')" --db "$DB" </dev/null >"$T/cli.out" 2>&1
check "... and an email with a control character" grep -q 'email holds a control character' "$T/cli.out"

# a stored name that is not UTF-8 (written before the check, or by hand)
# is repaired in answers, never crashes one
score "$JB"
expect 200 "the submission is scored"
sqlite3 "$DB" "UPDATE submissions SET method_name = CAST(X'FFFE41' AS TEXT), description = CAST(X'C0' AS TEXT) WHERE id = '$SB'; UPDATE teams SET name = CAST(X'62FF' AS TEXT) WHERE name = 'beta';"
req GET "/api/v1/leaderboard?track=std"
expect 200 "the leaderboard with a stored invalid name: 200"
check "... the entry is there, repaired (U+FFFD)" jtrue 'e = [x for x in d["entries"] if x["submission_id"] == "'"$SB"'"]; len(e) == 1 and e[0]["method_name"] == "\ufffd\ufffdA"'
req GET "/api/v1/leaderboard.csv?track=std"
expect 200 "the leaderboard CSV: 200"
req GET "/api/v1/submissions/$SB" -H "$AUTH_B"
expect 200 "the submission: 200"
req GET "/api/v1/admin/submissions?track=std" -H "$AUTH_ADM"
expect 200 "the admin submission list: 200"
req GET "/api/v1/admin/teams" -H "$AUTH_ADM"
expect 200 "the admin team list: 200"
req GET "/api/v1/admin/exports/submissions?format=csv" -H "$AUTH_ADM"
expect 200 "the admin CSV export: 200"
check "the server is alive" alive

# --- item 2: multipart parts without a name ---
form '--XYZ123\r\nContent-Type: text/plain\r\n\r\ncoco_0\r\n--XYZ123--\r\n'
expect 400 "a part without Content-Disposition: 400"
check "... saying so" jtrue '"no name" in d["error"]["message"]'
form '--XYZ123\r\nContent-Disposition: form-data; name="tr\000ack"\r\n\r\nstd\r\n--XYZ123--\r\n'
expect 400 "a part with a NUL in its name: 400"
check "the server is alive" alive

# --- item 9: form errors are answers, not dropped connections ---
M300=$(head -c 300 /dev/zero | tr '\0' m)
req POST /api/v1/submissions -H "$AUTH_A" -F track=std -F "method_name=$M300" -F "file=@$STD"
expect 400 "a method_name of 300 bytes: 400 with the JSON error"
check "... naming the limit" jtrue '"method_name" in d["error"]["message"] and "200" in d["error"]["message"]'
D4001=$(head -c 4001 /dev/zero | tr '\0' d)
req POST /api/v1/submissions -H "$AUTH_A" -F track=std -F method_name=m -F "description=$D4001" -F "file=@$STD"
expect 400 "a description of 4001 bytes: 400"
form '--XYZ123\rContent-Disposition: form-data; name="track"\r\rstd\r--XYZ123--\r'
check "CR-only line ends: a 4xx answer (got $CODE)" sh -c "[ '$CODE' -ge 400 ] && [ '$CODE' -lt 500 ]"
form '--XYZ123\nContent-Disposition: form-data; name="track"\n\nstd\n--XYZ123--\n'
check "LF-only line ends: a 4xx answer (got $CODE)" sh -c "[ '$CODE' -ge 400 ] && [ '$CODE' -lt 500 ]"
form '--XYZ123\r\nContent-Disposition: form-data; name="track"\r\n\r\nstd\r\n--XYZ123\r\nContent-Disposition: form-data; name="file"\r\nContent-Type: multipart/mixed; boundary=C\r\n\r\n--C\r\nContent-Disposition: file; filename="a.txt"\r\n\r\ncoco_0\r\n--C--\r\n--XYZ123--\r\n'
check "a nested multipart/mixed: a 4xx answer (got $CODE)" sh -c "[ '$CODE' -ge 400 ] && [ '$CODE' -lt 500 ]"
check "the server is alive" alive
check "no sanitizer report in the server log" no_sanitizer_errors
# --- item 4: one CSV writer, formulas guarded (a leading -digit too) ---
EVIL_TEAM="-1+cmd|' /C calc'!A0"
req POST /api/v1/admin/teams -H "$AUTH_ADM" -H 'Content-Type: application/json' \
    -d "{\"name\":\"$EVIL_TEAM\"}"
expect 201 "a team named like a formula is made"
echo 'evil-pass-1' | "$DO" user add --team "$EVIL_TEAM" --email e@x.org --db "$DB" >/dev/null 2>&1
TE=$("$DO" token create --email e@x.org --db "$DB" 2>/dev/null)
pool_ids 3 40 >"$T/evil.txt"
up "$TE" "track=std&method_name=-2%2B3%2Bcmd%7C'%20%2FC%20calc'!A0" "$T/evil.txt"
expect 201 "a method named like a formula is accepted"
score "$(jv 'd["submission"]["job"]["id"]')"
req GET "/api/v1/leaderboard.csv?track=std"
check "leaderboard.csv: the team cell is guarded" grep -qF "\"'-1+cmd|' /C calc'!A0\"" "$T/body"
check "... and the method cell" grep -qF "\"'-2+3+cmd|' /C calc'!A0\"" "$T/body"
check "... a score stays a number" grep -q ',0.5,\|,0.5.$' "$T/body"
req GET "/api/v1/admin/exports/submissions?format=csv" -H "$AUTH_ADM"
check "the admin export guards them the same way" sh -c "grep -qF \"\\\"'-1+cmd\" '$T/body' && grep -qF \"\\\"'-2+3+cmd\" '$T/body'"

# --- item 12: BYOD strings with \u0000 are refused with their place ---
printf '[{"id":"a\\u0000b","conversations":[{"from":"human","value":"hi"},{"from":"gpt","value":"yo"}]}]' >"$T/nul-id.json"
req POST "/api/v1/submissions?track=byod&method_name=m" -H "$AUTH_A" \
    -H 'Content-Type: application/json' --data-binary @"$T/nul-id.json"
expect 422 "a BYOD id with \\u0000: 422"
check "... at [0].id" jtrue 'any(e["path"] == "[0].id" and "NUL" in e["message"] for e in d["error"]["details"])'
printf '[{"id":"ab","conversations":[{"from":"human","value":"h\\u0000i"},{"from":"gpt","value":"yo"}]}]' >"$T/nul-value.json"
req POST "/api/v1/submissions?track=byod&method_name=m" -H "$AUTH_A" \
    -H 'Content-Type: application/json' --data-binary @"$T/nul-value.json"
expect 422 "a BYOD value with \\u0000: 422"
check "... at [0].conversations[0].value" jtrue 'any(e["path"] == "[0].conversations[0].value" for e in d["error"]["details"])'

# --- item 13: odd Transfer-Encodings and NULs in headers are answered ---
# raw BYTES: send them on a new connection, print the status code that
# comes back within 5 s ("none" if the connection closes without one,
# "hang" if nothing comes)
raw() {
	python3 - "${URL##*:}" "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
s.settimeout(5)
data = b""
try:
    while True:
        c = s.recv(4096)
        if not c:
            break
        data += c
        if b"\r\n\r\n" in data:
            break
except socket.timeout:
    print("hang" if not data else data.split()[1].decode())
    sys.exit(0)
print(data.split()[1].decode() if data.startswith(b"HTTP/") else "none")
PY
}
for te in xchunked 'gzip, chunked'; do
	got=$(raw "POST /api/v1/submissions?track=std&method_name=m HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer $TA\r\nContent-Type: text/plain\r\nTransfer-Encoding: $te\r\n\r\n5\r\ncoco_\r\n0\r\n\r\n")
	check "Transfer-Encoding: $te is answered 501 (got $got)" test "$got" = 501
done
check "the server is alive" alive

# --- item 8: a job's running attempt belongs to the token that claimed it ---
TW2=$("$DO" token create --email w@x.org --role worker --label second --db "$DB" 2>/dev/null)
AUTH_W2="Authorization: Bearer $TW2"
pool_ids 2 60 >"$T/own.txt"
up "$TA" 'track=std&method_name=own' "$T/own.txt"
JO=$(jv 'd["submission"]["job"]["id"]')
req POST /api/v1/worker/claim -H "$AUTH_W" -H 'Content-Type: application/json' -d '{}'
expect 200 "worker 1 claims the job"
ATT=$(jv 'd["job"]["attempt"]')
req POST "/api/v1/worker/jobs/$JO/result" -H "$AUTH_W2" -H 'Content-Type: application/json' \
    -d "{\"attempt\":$ATT,\"status\":\"succeeded\",\"scores\":{\"overall\":0.99}}"
expect 403 "another worker token posting its result: 403"
check "... not_your_attempt" jtrue 'd["error"]["code"] == "not_your_attempt"'
req GET "/api/v1/worker/jobs/$JO/submission?attempt=$ATT" -H "$AUTH_W2"
expect 403 "... downloading its file: 403"
req POST "/api/v1/worker/jobs/$JO/heartbeat" -H "$AUTH_W2" -H 'Content-Type: application/json' -d "{\"attempt\":$ATT}"
expect 403 "... heartbeating it: 403"
req POST "/api/v1/worker/jobs/$JO/release" -H "$AUTH_W2" -H 'Content-Type: application/json' -d "{\"attempt\":$ATT}"
expect 403 "... handing it back: 403"
req POST "/api/v1/worker/jobs/$JO/result" -H "$AUTH_W" -H 'Content-Type: application/json' \
    -d "{\"attempt\":$ATT,\"status\":\"succeeded\",\"scores\":{\"overall\":0.25}}"
expect 200 "the claiming worker's result: 200"
check "... is the one kept (not a duplicate)" jtrue 'd["duplicate"] == False and abs(d["job"]["scores"]["overall"] - 0.25) < 1e-9'

# --- item 14: webhooks never reach loopback, private or link-local hosts ---
for u in http://169.254.169.254/latest/meta-data http://127.0.0.1:9/x \
    http://localhost:8080/ 'http://[::1]/x' http://10.1.2.3/ http://192.168.0.1/ \
    'http://[::ffff:127.0.0.1]/' http://2130706433/ http://0x7f.1/ http://api.localhost/; do
	req PATCH /api/v1/admin/tracks/std -H "$AUTH_ADM" -H 'Content-Type: application/json' \
	    -d "{\"webhook_url\":\"$u\",\"webhook_secret\":\"0123456789abcdef\"}"
	expect 400 "a webhook to $u: 400"
done
check "... saying why" jtrue '"webhooks.allow_private" in d["error"]["message"]'
req PATCH /api/v1/admin/tracks/std -H "$AUTH_ADM" -H 'Content-Type: application/json' \
    -d '{"webhook_url":"https://hooks.example.org/dataoptim","webhook_secret":"0123456789abcdef"}'
expect 200 "a webhook to a public name: 200"
req PATCH /api/v1/admin/tracks/std -H "$AUTH_ADM" -H 'Content-Type: application/json' \
    -d '{"webhook_url":null}'
expect 200 "... cleared again"

# --- item 15: Idempotency-Key on uploads ---
pool_ids 2 80 >"$T/idem.txt"
KEY="retry-$$-1"
req POST "/api/v1/submissions?track=std&method_name=idem" -H "$AUTH_A" \
    -H 'Content-Type: text/plain' -H "Idempotency-Key: $KEY" --data-binary @"$T/idem.txt"
expect 201 "an upload with an Idempotency-Key: 201"
SI=$(jv 'd["submission"]["id"]')
req POST "/api/v1/submissions?track=std&method_name=idem" -H "$AUTH_A" \
    -H 'Content-Type: text/plain' -H "Idempotency-Key: $KEY" --data-binary @"$T/idem.txt"
expect 200 "the same key again: 200"
check "... with the first submission, marked replayed" sh -c "[ '$(jv 'd["submission"]["id"]')' = '$SI' ] && grep -qi '^Idempotent-Replayed: true' '$T/hdr'"
req POST /api/v1/submissions -H "$AUTH_A" -H "Idempotency-Key: $KEY" \
    -F track=std -F method_name=idem -F "file=@$T/idem.txt"
check "... also as a form upload (got $CODE)" sh -c "[ '$CODE' = 200 ] && [ '$(jv 'd["submission"]["id"]')' = '$SI' ]"
req GET "/api/v1/submissions?track=std" -H "$AUTH_A"
check "one submission was made, not three" jtrue 'len([s for s in d["submissions"] if s["method_name"] == "idem"]) == 1'
req POST "/api/v1/submissions?track=std&method_name=idem" -H "$AUTH_B" \
    -H 'Content-Type: text/plain' -H "Idempotency-Key: $KEY" --data-binary @"$T/idem.txt"
expect 201 "another team's same key is its own: 201"
req POST "/api/v1/submissions?track=std&method_name=idem" -H "$AUTH_A" \
    -H 'Content-Type: text/plain' -H "Idempotency-Key: two words" --data-binary @"$T/idem.txt"
expect 400 "a key with a space: 400"

# --- item 11: /metrics is valid text exposition, no series twice ---
for page in / /login /submit /submissions /admin; do req GET "$page"; done
req GET /metrics
expect 200 "/metrics"
python3 "$ROOT/tests/scenario/lib/promcheck.py" "$T/body" >"$T/prom.out"
check "/metrics passes a strict exposition-format check" test ! -s "$T/prom.out"
sed 's/^/#   /' "$T/prom.out" | head -5
check "... one series for the pages, their counts added up" \
    sh -c "[ \$(grep -c '^dataoptim_http_requests_total{route=\"page\",status=\"200\"} [5-9]' '$T/body') = 1 ]"

# --- item 3: a mistyped --db never costs a stored submission ---
stop_server
NFILES=$(ls "$T/state/submissions" | wc -l)
check "there are stored submissions ($NFILES)" test "$NFILES" -gt 0
check "the state directory has its identity" grep -q '^dataoptim-state ' "$T/state/IDENTITY"
: >"$T/empty.db"
for wrong in "$T/empty.db" "$T/misspelled.db"; do
	"$DOD" --listen 127.0.0.1:0 --db "$wrong" --state-dir "$T/state" \
	    --pool "$POOL" >"$T/wrong.log" 2>&1
	rc=$?
	check "--db $(basename "$wrong") with the existing state dir: refused (exit $rc)" test "$rc" -ne 0
	check "... naming both paths" sh -c "grep -qF '$wrong' '$T/wrong.log' && grep -qF '$T/state' '$T/wrong.log'"
done
check "... and no misspelled database was made" test ! -e "$T/misspelled.db"
# another installation's database (migrated, with its own identity)
mkdir -p "$T/other"
"$DOD" --listen 127.0.0.1:0 --db "$T/other/o.db" --state-dir "$T/other" \
    --pool "$POOL" >"$T/other.log" 2>&1 &
OPID=$!
sleep 1; kill -TERM $OPID; wait $OPID
"$DOD" --listen 127.0.0.1:0 --db "$T/other/o.db" --state-dir "$T/state" \
    --pool "$POOL" >"$T/wrong.log" 2>&1
check "another installation's database: refused (exit $?)" grep -q 'do not belong together' "$T/wrong.log"
check "every stored submission is still there" test "$(ls "$T/state/submissions" | wc -l)" = "$NFILES"
# a file no submission names is quarantined, not deleted
echo coco_1 >"$T/state/submissions/stray.txt"
start_server || exit 1
check "a stray stored file is moved to quarantine/" test -f "$T/state/quarantine/stray.txt" -a ! -e "$T/state/submissions/stray.txt"
check "... with a log line" grep -q 'stray.txt: no submission names it; moved to' "$T/server.log"
check "... and the others stay" test "$(ls "$T/state/submissions" | wc -l)" = "$NFILES"
check "the server is alive" alive
check "no sanitizer report in the server log" no_sanitizer_errors

echo "1..$N"
