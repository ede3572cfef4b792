#!/bin/sh
# Issue 13, what users hit: the HTML 404 page outside /api/ (JSON inside),
# GET /api/v1/session for anonymous callers, the full error report of a
# rejected upload (every error, the uploading team only, strict names),
# BYOD errors with their byte offsets, the upload's own file name on its
# download (a UTF-8 name too), reals in answers written short and exact
# (progress 0.1, scores), and the full log of an attempt.  The log is fed
# through the worker API with a worker token (curl as a worker would: long
# logs on demand, no GPU needed); tests/browser/submit2.test.mjs runs a
# real dataoptim-worker.
. "$(dirname "$0")/lib/server_env.sh"

make_pool || { echo "not ok 1 - pool"; exit 1; }
setup_db || { echo "not ok 1 - setup"; exit 1; }
echo 'admin-pass-1' | "$DO" user add --email admin@x.org --admin --db "$DB" >/dev/null
TADM=$("$DO" token create --email admin@x.org --db "$DB" 2>/dev/null)
start_server --set jobs.lease_seconds=120 --set jobs.log_tail_bytes=4096 || exit 1
AUTH_A="Authorization: Bearer $TA"
AUTH_A2="Authorization: Bearer $TA2"
AUTH_B="Authorization: Bearer $TB"
AUTH_W="Authorization: Bearer $TW"
AUTH_ADM="Authorization: Bearer $TADM"

# ---- 404: a page outside /api/, JSON inside ----
req GET /no/such/page
expect 404 "a page that does not exist: 404"
check "... as HTML (text/html) with the not-found page" sh -c \
    "tr -d '\r' <'$T/hdr' | grep -qi '^content-type: text/html' && grep -q 'Page not found' '$T/body'"
req GET /api/v1/no-such-thing
expect 404 "an API path that does not exist: 404"
check "... as the JSON error" sh -c "tr -d '\r' <'$T/hdr' | grep -qi '^content-type: application/json'"
check "... code not_found" jtrue 'd["error"]["code"] == "not_found"'
req POST /no/such/page
check "a POST to a non-page is not answered with HTML" sh -c \
    "[ $CODE = 404 ] && ! tr -d '\r' <'$T/hdr' | grep -qi '^content-type: text/html'"

# ---- GET /api/v1/session ----
req GET /api/v1/session
expect 200 "GET /session anonymous: 200 (no 401)"
check "... {\"user\": null}" jtrue 'd["user"] is None'
req GET /api/v1/session -H "$AUTH_A"
expect 200 "GET /session with a token: 200"
check "... the caller, as /me" jtrue 'd["user"]["email"] == "a@x.org" and d["user"]["team"] == "alpha"'

# ---- the full error report ----
# 254 lines that are not pool IDs, so 254 errors and 100 in the answer
python3 -c 'import sys
for i in range(254): print("[not-an-id-%d" % i)' >"$T/bad.txt"
req POST /api/v1/submissions -H "$AUTH_A" -F track=std -F method_name=m \
    -F "file=@$T/bad.txt;filename=bad list.txt"
expect 422 "254 bad lines: 422"
check "... n_errors 254, n_shown 100, 100 details" jtrue \
    'e=d["error"]; e["n_errors"] == 254 and e["n_shown"] == 100 and len(e["details"]) == 100'
check "... report_url /api/v1/reports/<32 chars>" jtrue \
    'import re; re.fullmatch(r"/api/v1/reports/[A-Za-z0-9_-]{32}", d["error"]["report_url"]) is not None'
REP=$(jv 'd["error"]["report_url"]')
REPNAME=${REP#/api/v1/reports/}
req GET "$REP" -H "$AUTH_A"
expect 200 "the report, to the uploader: 200"
check "... text/plain, an attachment" sh -c "tr -d '\r' <'$T/hdr' | grep -qi '^content-type: text/plain' && tr -d '\r' <'$T/hdr' | grep -qi '^content-disposition: attachment'"
check "... every one of the 254 errors, with its line" sh -c \
    "[ \$(grep -c '^line [0-9]*: .*not-an-id' '$T/body') = 254 ] && grep -q '^line 254: ' '$T/body'"
check "... the total said once, and the file's name" sh -c \
    "[ \$(grep -c '254 errors in all' '$T/body') = 1 ] && grep -q 'bad list.txt' '$T/body' && ! grep -q 'are listed' '$T/body'"
# a report is cut at 8 MiB, whole lines, and says how many it lists
python3 -c 'import sys
for i in range(120000): print("nosuchdataset_%d" % i)' >"$T/huge.txt"
req POST "/api/v1/submissions?track=std&method_name=huge" -H "$AUTH_B" \
    -H 'Content-Type: text/plain' --data-binary @"$T/huge.txt"
check "120000 bad lines: 422 with a report" jtrue 'd["error"]["n_errors"] >= 120000 and "report_url" in d["error"]'
HUGE=$(jv 'd["error"]["report_url"]')
req GET "$HUGE" -H "$AUTH_B"
check "... the report is at most 8 MiB and says how many of them it lists" sh -c \
    "[ $CODE = 200 ] && [ \$(wc -c <'$T/body') -le 8388608 ] && n=\$(grep -c '^line [0-9]*: ' '$T/body') && tail -n 1 '$T/body' | grep -q \"errors in all; the first \$n are listed (a report holds 8 MiB)\""
req GET "$REP" -H "$AUTH_A2"
expect 200 "the report, to a team mate: 200"
req GET "$REP" -H "$AUTH_ADM"
expect 200 "the report, to an organizer: 200"
req GET "$REP" -H "$AUTH_B"
expect 404 "the report, to another team: 404"
req GET "$REP"
expect 401 "the report, anonymous: 401"
for bad in "..%2F..%2Fdataoptim.db" "..%2Freports" "$(printf %s "$REPNAME" | cut -c1-31)" \
    "${REPNAME}x" "1-$REPNAME" "..%2F1-$REPNAME.txt" "%2E%2E"; do
	req GET "/api/v1/reports/$bad" -H "$AUTH_ADM"
	expect 404 "report name '$bad': 404"
done
req GET "/api/v1/reports/../dataoptim.db" -H "$AUTH_ADM" --path-as-is
check "a path with .. in it: no file" sh -c "[ $CODE = 404 ] || [ $CODE = 400 ]"

# ---- BYOD errors carry their byte offset ----
printf '[{"id":"a","conversations":[{"from":"human","value":"hi"},{"from":"bot","value":"x"}]},\n {"id":"a","conversations":[]}]' >"$T/bad.json"
req POST "/api/v1/submissions?track=byod&method_name=m" -H "$AUTH_A" \
    -H 'Content-Type: application/json' --data-binary @"$T/bad.json"
expect 422 "a bad BYOD file: 422"
# (a duplicate id is found after the whole file, by item index: no offset)
check "... each error has a byte offset into the file (a duplicate id: its item)" jtrue \
    'ds=[x for x in d["error"]["details"] if not x["message"].startswith("duplicate id")]; len(ds) == 2 and all(isinstance(x.get("offset"), int) and 0 <= x["offset"] < 200 for x in ds)'
check "... the offset points at the bad value" jtrue \
    'x=d["error"]["details"][0]; open("'"$T"'/bad.json").read()[x["offset"]:].startswith("\"bot\"")'
check "... and a report" jtrue 'd["error"]["report_url"].startswith("/api/v1/reports/")'

# ---- the upload's own name ----
pool_ids 20 >"$T/ok.txt"
cp "$T/ok.txt" "$T/upload.txt"
req POST /api/v1/submissions -H "$AUTH_A" -F track=std -F method_name=utf8 \
    -F "file=@$T/upload.txt;filename=Ünïcode “list” 1.txt"
expect 201 "a valid list with a UTF-8 file name: 201"
S1=$(jv 'd["submission"]["id"]'); J1=$(jv 'd["submission"]["job"]["id"]')
check "... original_name in the answer" jtrue 'd["submission"]["original_name"] == "Ünïcode “list” 1.txt"'
req GET "/api/v1/submissions/$S1" -H "$AUTH_A"
check "... and in GET /submissions/{id}" jtrue 'd["submission"]["original_name"] == "Ünïcode “list” 1.txt"'
req GET "/api/v1/submissions/$S1/file" -H "$AUTH_A"
expect 200 "its file: 200"
check "... Content-Disposition: an ASCII fallback and the UTF-8 name" sh -c \
    "tr -d '\r' <'$T/hdr' | grep -i '^content-disposition:' | grep -qF \"attachment; filename=\\\"__n__code ___list___ 1.txt\\\"; filename*=UTF-8''%C3%9Cn%C3%AFcode%20%E2%80%9Clist%E2%80%9D%201.txt\""
check "... the same bytes" cmp -s "$T/body" "$T/upload.txt"
req GET "/api/v1/admin/submissions/$S1" -H "$AUTH_ADM"
check "... and in the organizer's view" jtrue 'd["submission"]["original_name"] == "Ünïcode “list” 1.txt"'
req GET "/api/v1/admin/submissions/$S1/file" -H "$AUTH_ADM"
check "the organizer's download: the same name" sh -c \
    "[ $CODE = 200 ] && tr -d '\r' <'$T/hdr' | grep -i '^content-disposition:' | grep -qF \"filename*=UTF-8''%C3%9Cn%C3%AFcode\""
pool_ids 5 30 >"$T/raw.txt"
req POST "/api/v1/submissions?track=std&method_name=raw&filename=some%2Fdir%5Craw%20ids.txt" -H "$AUTH_B" \
    -H 'Content-Type: text/plain' --data-binary @"$T/raw.txt"
expect 201 "a raw upload with ?filename= holding a path: 201"
check "... only its base name is kept" jtrue 'd["submission"]["original_name"] == "raw ids.txt"'
req POST "/api/v1/submissions?track=std&method_name=raw2" -H "$AUTH_B" \
    -H 'Content-Type: text/plain' --data-binary @"$T/raw.txt"
S3=$(jv 'd["submission"]["id"]')
check "a raw upload without a name: original_name null" jtrue 'd["submission"]["original_name"] is None'
req GET "/api/v1/submissions/$S3/file" -H "$AUTH_B"
check "... its download keeps the stored name" sh -c \
    "tr -d '\r' <'$T/hdr' | grep -i '^content-disposition:' | grep -q \"filename=\\\"$S3.txt\\\"\""

# ---- reals: short and exact; the full log of an attempt ----
hb() {	# hb JOB BODY
	req POST "/api/v1/worker/jobs/$1/heartbeat" -H "$AUTH_W" -H 'Content-Type: application/json' -d "$2"
}
req POST /api/v1/worker/claim -H "$AUTH_W" -H 'Content-Type: application/json' -d '{"worker":"w1"}'
expect 200 "claim: 200"
JC=$(jv 'd["job"]["id"]'); AT=$(jv 'd["job"]["attempt"]')
hb "$JC" "{\"attempt\":$AT,\"stage\":\"train\",\"progress\":0.1,\"log\":\"first line\\n\"}"
expect 200 "a heartbeat with progress 0.1: 200"
req GET "/api/v1/jobs/$JC" -H "$AUTH_A"
OWNER=$AUTH_A
[ "$CODE" = 404 ] && { req GET "/api/v1/jobs/$JC" -H "$AUTH_B"; OWNER=$AUTH_B; }
check "the job's raw JSON says \"progress\":0.1" grep -q '"progress":0.1[,}]' "$T/body"
# three heartbeats of 200 kB each: far over the 4 kB tail
python3 - "$T" "$AT" <<'PY'
import json, sys
t, at = sys.argv[1], int(sys.argv[2])
full = "first line\n"
for k in range(3):
    chunk = "".join("hb %d line %05d: %s\n" % (k, i, "x" * 40) for i in range(3500))
    full += chunk
    json.dump({"attempt": at, "progress": 0.25 + k / 10, "log": chunk}, open("%s/hb%d.json" % (t, k), "w"))
open(t + "/full.log", "w").write(full)
PY
for k in 0 1 2; do
	req POST "/api/v1/worker/jobs/$JC/heartbeat" -H "$AUTH_W" -H 'Content-Type: application/json' --data-binary @"$T/hb$k.json"
done
expect 200 "three heartbeats with 200 kB of log each: 200"
req GET "/api/v1/jobs/$JC" -H "$OWNER"
check "the job's tail is only the tail" jtrue 'len(d["job"]["log_tail"]) <= 4096'
check "progress 0.45 written short" grep -q '"progress":0.45[,}]' "$T/body"
req GET "/api/v1/jobs/$JC/log" -H "$OWNER"
expect 200 "the full log: 200"
check "... every byte the heartbeats brought" cmp -s "$T/body" "$T/full.log"
check "... text/plain, attachment job-<id>-attempt-<n>.log" sh -c \
    "tr -d '\r' <'$T/hdr' | grep -qi '^content-type: text/plain' && tr -d '\r' <'$T/hdr' | grep -i '^content-disposition:' | grep -q \"attachment; filename=\\\"job-$JC-attempt-$AT.log\\\"\""
req GET "/api/v1/jobs/$JC/log?attempt=$AT" -H "$AUTH_ADM"
check "... the organizer gets it too (?attempt=N)" cmp -s "$T/body" "$T/full.log"
req GET "/api/v1/jobs/$JC/log?attempt=$((AT + 1))" -H "$OWNER"
expect 400 "an attempt that has not run: 400"
req GET "/api/v1/jobs/$JC/log?attempt=0" -H "$OWNER"
expect 400 "attempt 0: 400"
if [ "$OWNER" = "$AUTH_A" ]; then OTHER=$AUTH_B; else OTHER=$AUTH_A; fi
req GET "/api/v1/jobs/$JC/log" -H "$OTHER"
expect 404 "another team's log: 404"
req GET "/api/v1/jobs/j_nosuchjob/log" -H "$OWNER"
expect 404 "an unknown job's log: 404"
req POST "/api/v1/worker/jobs/$JC/result" -H "$AUTH_W" -H 'Content-Type: application/json' \
    -d "{\"attempt\":$AT,\"status\":\"succeeded\",\"scores\":{\"vqa\":0.1,\"choice\":0.123456789012345678}}"
expect 200 "a result: 200"
req GET "/api/v1/jobs/$JC" -H "$OWNER"
check "scores read back exactly (Python's shortest repr in the raw text)" sh -c \
    "grep -q '\"vqa\":0.1[,}]' '$T/body' && grep -q '\"choice\":$(python3 -c 'print(repr(0.123456789012345678))')[,}]' '$T/body' && grep -q '\"overall\":$(python3 -c 'print(repr((0.1+0.123456789012345678)/2))')[,}]' '$T/body'"

req GET "/api/v1/leaderboard?track=std"
check "the leaderboard's raw JSON says \"vqa\":0.1 too" grep -q '"vqa":0.1[,}]' "$T/body"

check "valid uploads leave no report file behind (3 rejected, 3 reports)" sh -c \
    "[ \$(ls -A '$T/state/reports' | grep -c .) = 3 ]"

# ---- job logs are not kept forever (joblog.h: JOBLOG_MAX_AGE, _TOTAL) ----
# an old log, two big (sparse) recent ones over the 4 GiB in all, and a
# file that is not a log; a new attempt's log makes room
L=$T/state/logs
: >"$L/job-j_old-1.log"; touch -d '40 days ago' "$L/job-j_old-1.log"
truncate -s 3G "$L/job-j_bigold-1.log"; touch -d '2 days ago' "$L/job-j_bigold-1.log"
truncate -s 3G "$L/job-j_bignew-1.log"; touch -d '1 day ago' "$L/job-j_bignew-1.log"
: >"$L/notes.txt"; touch -d '40 days ago' "$L/notes.txt"
req POST /api/v1/worker/claim -H "$AUTH_W" -H 'Content-Type: application/json' -d '{"worker":"w1"}'
JN=$(jv 'd["job"]["id"]'); ATN=$(jv 'd["job"]["attempt"]')
hb "$JN" "{\"attempt\":$ATN,\"log\":\"a new attempt\\n\"}"
expect 200 "a new attempt's first log line: 200"
check "... its log is there" [ -s "$L/job-$JN-$ATN.log" ]
check "... a log not written for 40 days is gone" [ ! -e "$L/job-j_old-1.log" ]
check "... the oldest of the logs over 4 GiB in all is gone" [ ! -e "$L/job-j_bigold-1.log" ]
check "... the newer big one, the running attempt's and a file that is no log stay" \
    sh -c "[ -e '$L/job-j_bignew-1.log' ] && [ -s '$L/job-$JC-$AT.log' ] && [ -e '$L/notes.txt' ]"
hb "$JN" "{\"attempt\":$ATN,\"log\":\"more\\n\"}"
check "a later piece of the same attempt appends (no clean-up then)" \
    sh -c "[ \"\$(cat '$L/job-$JN-$ATN.log')\" = \"\$(printf 'a new attempt\\nmore')\" ]"
rm -f "$L/job-j_bignew-1.log"

# ---- reports stay under REPORT_MAX_TOTAL (1 GiB) in all ----
R=$T/state/reports
truncate -s 600M "$R/1-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.txt"; touch -d '2 days ago' "$R/1-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.txt"
truncate -s 600M "$R/1-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB.txt"; touch -d '1 day ago' "$R/1-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB.txt"
req POST /api/v1/submissions -H "$AUTH_A" -F track=std -F method_name=m -F "file=@$T/bad.txt"
check "a rejected upload over 1 GiB of reports: 422 with a report" jtrue '"report_url" in d["error"]'
check "... the oldest big report went to make room" [ ! -e "$R/1-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.txt" ]
check "... the newer one stays" [ -e "$R/1-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB.txt" ]
rm -f "$R/1-BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB.txt"
# a running job for the low-storage part below
req POST /api/v1/worker/claim -H "$AUTH_W" -H 'Content-Type: application/json' -d '{"worker":"w1"}'
JL=$(jv 'd["job"]["id"]'); ATL=$(jv 'd["job"]["attempt"]')
hb "$JL" "{\"attempt\":$ATL,\"progress\":0.2,\"log\":\"before\\n\"}"
expect 200 "another job claimed and running"
check "no sanitizer reports in the server log (before the restart)" no_sanitizer_errors
check "dataoptimd stops cleanly" stop_server

# ---- no report under storage.min_free_mb (the answer's errors only) ----
start_server --set storage.min_free_mb=1048576 || exit 1
NREP=$(ls -A "$R" | grep -c .)
req POST /api/v1/submissions -H "$AUTH_A" -F track=std -F method_name=m -F "file=@$T/bad.txt"
expect 422 "a rejected upload with the disk under its floor: 422"
check "... its first 100 errors, no report_url" jtrue 'len(d["error"]["details"]) == 100 and "report_url" not in d["error"]'
check "... no report file was written" [ "$(ls -A "$R" | grep -c .)" = "$NREP" ]
check "... the server log says why" grep -q 'report: none written: .*storage.min_free_mb' "$T/server.log"
hb "$JL" "{\"attempt\":$ATL,\"progress\":0.5,\"log\":\"while the disk is low\\n\"}"
expect 200 "a heartbeat with the disk under its floor: 200 (the job goes on)"
req GET "/api/v1/jobs/$JL" -H "$AUTH_ADM"
check "... its log piece is in the job's tail" jtrue '"while the disk is low" in d["job"]["log_tail"]'
req GET "/api/v1/jobs/$JL/log" -H "$AUTH_ADM"
check "... but not written to the full log" sh -c "[ \"\$(cat '$T/body')\" = before ]"
check "... the server log says why" grep -q "full logs are not written" "$T/server.log"
check "dataoptimd stops cleanly (low storage)" stop_server
check "no sanitizer reports in the server log" no_sanitizer_errors
echo "1..$N"
