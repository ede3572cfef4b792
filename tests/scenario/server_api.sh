#!/bin/sh
# dataoptimd's REST API end to end: accounts from the CLI, tokens and web
# sessions (cookie + CSRF), tracks, submissions (raw and multipart) with
# each error status, listing / detail / file / cancel, team isolation,
# quotas, closed tracks, leaderboard with ETag, health, metrics, static
# files, the access log and a graceful SIGTERM.
. "$(dirname "$0")/lib/server_env.sh"

make_pool || { echo "not ok 1 - pool"; exit 1; }
setup_db || { echo "not ok 1 - setup"; exit 1; }
"$DO" track add --slug tiny --kind standard --budget 3 --db "$DB" >/dev/null
"$DO" track add --slug closed --kind standard --budget 100 --closes 2001-01-01 --db "$DB" >/dev/null
"$DO" track add --slug later --kind standard --budget 100 --opens 2099-01-01 --db "$DB" >/dev/null
"$DO" track add --slug q1 --kind standard --budget 100 --per-day 2 --db "$DB" >/dev/null
"$DO" track add --slug q2 --kind standard --budget 100 --total 1 --db "$DB" >/dev/null
STATIC_DIR=$T/static
mkdir -p "$STATIC_DIR/sub"
for p in index login submit submissions submission; do
	echo "<!doctype html><title>$p</title>" >"$STATIC_DIR/$p.html"
done
echo 'console.log(1);' >"$STATIC_DIR/app.js"
echo 'body{}' >"$STATIC_DIR/sub/site.css"
echo secret >"$STATIC_DIR/.hidden"
echo outside >"$T/outside.txt"
ln -s "$T/outside.txt" "$STATIC_DIR/link.txt"
start_server --set submissions.max_upload_mb=2 \
    --set submissions.max_active_jobs=100 || exit 1
STD=$SHARED/example-standard.txt
BYOD=$SHARED/example-byod.json
AUTH_A="Authorization: Bearer $TA"
AUTH_B="Authorization: Bearer $TB"

# --- health, tracks ---
req GET /healthz
expect 200 "healthz answers 200"
SCHEMA=$(ls migrations/[0-9]*.sql | tail -n 1 | sed 's|.*/0*\([0-9]*\)_.*|\1|')
check "healthz shows the last migration's schema version ($SCHEMA) and the pool" \
    jtrue "d['schema_version'] == $SCHEMA and d['pool']['loaded'] and d['db'] == 'ok'"
req GET /api/v1/tracks
expect 200 "tracks are public"
check "tracks list slug, kind, budget, status" \
    jtrue '[t["slug"] for t in d["tracks"]][:2] == ["std", "byod"] and d["tracks"][3]["status"] == "closed" and d["tracks"][4]["status"] == "upcoming" and "remaining" not in d["tracks"][0]'
req GET /api/v1/tracks -H "$AUTH_A"
check "tracks show the caller's remaining quota" \
    jtrue 'd["tracks"][5]["slug"] == "q1" and d["tracks"][5]["remaining"]["today"] == 2'

# --- authentication and roles ---
req POST "/api/v1/submissions?track=std&method_name=m" -H 'Content-Type: text/plain' --data-binary @"$STD"
expect 401 "upload without a token: 401"
check "401 carries the JSON error shape" \
    jtrue 'set(d["error"]) >= {"code", "message", "details"} and d["error"]["code"] == "unauthorized"'
req POST "/api/v1/submissions?track=std&method_name=m" -H 'Authorization: Bearer do_nope' -H 'Content-Type: text/plain' --data-binary @"$STD"
expect 401 "upload with an unknown token: 401"
req POST "/api/v1/submissions?track=std&method_name=m" -H "Authorization: Bearer $TW" -H 'Content-Type: text/plain' --data-binary @"$STD"
expect 403 "upload with a worker token: 403"
req GET /api/v1/submissions -H "Authorization: Bearer $TW"
expect 403 "listing with a worker token: 403"

# --- a standard submission as a raw body ---
req POST "/api/v1/submissions?track=std&method_name=raw%20one&description=d1" -H "$AUTH_A" -H 'Content-Type: text/plain' --data-binary @"$STD"
expect 201 "raw standard upload: 201"
S1=$(jv 'd["submission"]["id"]')
J1=$(jv 'd["submission"]["job"]["id"]')
SHA=$(sha256sum "$STD" | cut -d' ' -f1)
check "201 returns id, track, kind, status, n_samples, hashes, composition, job" \
    jtrue "s=d['submission']; s['track']=='std' and s['kind']=='standard' and s['status']=='queued' and s['n_samples']==17 and s['sha256']=='$SHA' and len(s['set_hash'])==64 and s['composition']['svit']==4 and s['method_name']=='raw one' and s['created_at'].endswith('Z') and s['job']['state']=='queued' and s['job']['id']"
check "a standard submission has no warnings: [] and 0" \
    jtrue 's=d["submission"]; s["warnings"] == [] and s["n_warnings"] == 0'
check "ids are random and long" [ ${#S1} -ge 20 ]
check "201 has a Location header" [ "$(header Location)" = "/api/v1/submissions/$S1" ]
check "the file is stored under the state dir" test -f "$T/state/submissions/$S1.txt"
check "no temporary file is left" sh -c "[ -z \"\$(ls '$T/state/tmp')\" ]"

# --- a BYOD submission as a multipart form ---
req POST /api/v1/submissions -H "$AUTH_A" -F track=byod -F method_name=form -F description=x -F url=https://example.org -F "file=@$BYOD"
expect 201 "multipart BYOD upload: 201"
S2=$(jv 'd["submission"]["id"]')
check "BYOD result: 17 items, composition by image folder" \
    jtrue 's=d["submission"]; s["kind"]=="byod" and s["n_samples"]==17 and s["composition"]["coco"]==7 and s["url"]=="https://example.org"'

# --- 422: each validator error reaches the client ---
printf 'coco_0\nnosuch_1\ncoco_0\n' >"$T/bad1.txt"
req POST "/api/v1/submissions?track=std&method_name=m" -H "$AUTH_A" -H 'Content-Type: text/plain' --data-binary @"$T/bad1.txt"
expect 422 "unknown and duplicate IDs: 422"
check "422 lists errors with line numbers (unknown on 2, duplicate on 3)" \
    jtrue 'e=d["error"]; e["code"]=="invalid_submission" and e["n_errors"]==2 and e["details"][0]["line"]==2 and e["details"][1]["line"]==3 and "duplicate" in e["details"][1]["message"]'
check "a 422 without warnings has no warnings member" \
    jtrue 'set(d["error"]) == {"code", "message", "details", "n_errors", "n_shown", "report_url"}'
req POST "/api/v1/submissions?track=tiny&method_name=m" -H "$AUTH_A" -H 'Content-Type: text/plain' --data-binary @"$STD"
expect 422 "more IDs than the budget: 422"
check "the budget error is told" jtrue 'any("budget" in x["message"] or "more than" in x["message"] for x in d["error"]["details"])'
: >"$T/empty.txt"
req POST "/api/v1/submissions?track=std&method_name=m" -H "$AUTH_A" -H 'Content-Type: text/plain' --data-binary @"$T/empty.txt"
expect 422 "an empty list: 422"
printf 'coco_0\ncoco\0x\n' >"$T/nul.txt"
req POST "/api/v1/submissions?track=std&method_name=m" -H "$AUTH_A" -H 'Content-Type: text/plain' --data-binary @"$T/nul.txt"
check "a NUL byte: 422 naming line 2" jtrue 'd["error"]["details"][0]["line"]==2'
printf 'coco_0\ncoco_\377\n' >"$T/utf.txt"
req POST "/api/v1/submissions?track=std&method_name=m" -H "$AUTH_A" -H 'Content-Type: text/plain' --data-binary @"$T/utf.txt"
check "invalid UTF-8: 422 naming line 2" jtrue 'd["error"]["details"][0]["line"]==2 and "UTF-8" in d["error"]["details"][0]["message"]'
python3 -c 'print("coco_0"); print("x" * 5000)' >"$T/long.txt"
req POST "/api/v1/submissions?track=std&method_name=m" -H "$AUTH_A" -H 'Content-Type: text/plain' --data-binary @"$T/long.txt"
check "an over-long line: 422 naming line 2" jtrue 'd["error"]["details"][0]["line"]==2'
python3 -c 'print("\n".join("nosuch_%d" % i for i in range(250)))' >"$T/many.txt"
req POST "/api/v1/submissions?track=std&method_name=m" -H "$AUTH_A" -H 'Content-Type: text/plain' --data-binary @"$T/many.txt"
check "250 errors: the first 100 shown, all counted" jtrue 'd["error"]["n_errors"]==250 and len(d["error"]["details"])==100'
python3 - "$BYOD" "$T/bad.json" <<'PY'
import json, sys
items = json.load(open(sys.argv[1]))
items[1]["conversations"][1]["from"] = "assistant"
json.dump(items, open(sys.argv[2], "w"))
PY
req POST "/api/v1/submissions?track=byod&method_name=m" -H "$AUTH_A" -H 'Content-Type: application/json' --data-binary @"$T/bad.json"
expect 422 "BYOD with a bad 'from': 422"
check "the BYOD error names item and path" jtrue 'x=d["error"]["details"][0]; x["item"]==1 and "conversations[1].from" in x["path"]'
printf '[{"id": "a", "conversations": []}] trailing' >"$T/bad2.json"
req POST "/api/v1/submissions?track=byod&method_name=m" -H "$AUTH_A" -H 'Content-Type: application/json' --data-binary @"$T/bad2.json"
expect 422 "BYOD with too few turns and trailing bytes: 422"
check "no temporary file is left after 422s" sh -c "[ -z \"\$(ls '$T/state/tmp')\" ]"

# --- other request errors ---
head -c 3000000 /dev/zero | tr '\0' 'x' >"$T/big.txt"
req POST "/api/v1/submissions?track=std&method_name=m" -H "$AUTH_A" -H 'Content-Type: text/plain' --data-binary @"$T/big.txt"
expect 413 "a declared size over the limit: 413"
req POST /api/v1/submissions -H "$AUTH_A" -F track=std -F method_name=m -F "file=@$T/big.txt"
expect 413 "a multipart upload over the limit: 413"
req POST "/api/v1/submissions?track=std&method_name=m" -H "$AUTH_A" -H 'Content-Type: image/png' --data-binary @"$STD"
expect 415 "an unsupported content type: 415"
req POST "/api/v1/submissions?track=nosuch&method_name=m" -H "$AUTH_A" -H 'Content-Type: text/plain' --data-binary @"$STD"
expect 404 "an unknown track: 404"
req POST "/api/v1/submissions?track=std" -H "$AUTH_A" -H 'Content-Type: text/plain' --data-binary @"$STD"
expect 400 "no method name: 400"
req POST /api/v1/submissions -H "$AUTH_A" -F track=std -F method_name=m
expect 400 "a form without a file: 400"
req POST "/api/v1/submissions?track=closed&method_name=m" -H "$AUTH_A" -H 'Content-Type: text/plain' --data-binary @"$STD"
expect 409 "a closed track: 409"
check "409 tells the closing time" jtrue 'd["error"]["closes_at"]=="2001-01-01T00:00:00Z" and "closed" in d["error"]["message"]'
req POST /api/v1/submissions -H "$AUTH_A" -F track=closed -F method_name=m -F "file=@$STD"
expect 409 "a closed track through the form: 409"
req POST "/api/v1/submissions?track=later&method_name=m" -H "$AUTH_A" -H 'Content-Type: text/plain' --data-binary @"$STD"
expect 409 "a track not open yet: 409"
req DELETE /api/v1/tracks
expect 405 "a wrong method: 405"
req GET /api/v1/nothing
expect 404 "an unknown path: 404 with the error shape"

# --- quotas ---
for i in 1 2; do
	req POST "/api/v1/submissions?track=q1&method_name=m$i" -H "$AUTH_A" -H 'Content-Type: text/plain' --data-binary @"$STD"
done
expect 201 "per-day quota: 2nd submission accepted"
req POST "/api/v1/submissions?track=q1&method_name=m3" -H "$AUTH_A" -H 'Content-Type: text/plain' --data-binary @"$STD"
expect 429 "per-day quota: 3rd submission 429"
RA=$(header Retry-After)
check "429 has Retry-After up to the next UTC day" sh -c "[ -n '$RA' ] && [ '$RA' -gt 0 ] && [ '$RA' -le 86400 ]"
check "429 says when the next slot opens" jtrue '"next slot opens at" in d["error"]["message"] and d["error"]["next_slot_at"].endswith("T00:00:00Z")'
req POST /api/v1/submissions -H "$AUTH_A" -F track=q1 -F method_name=m -F "file=@$STD"
expect 429 "per-day quota through the form: 429"
req POST "/api/v1/submissions?track=q1&method_name=m3" -H "$AUTH_B" -H 'Content-Type: text/plain' --data-binary @"$STD"
expect 201 "quotas are per team: beta may still submit"
req POST "/api/v1/submissions?track=q1&method_name=bad" -H "$AUTH_B" -H 'Content-Type: text/plain' --data-binary @"$T/bad1.txt"
req POST "/api/v1/submissions?track=q1&method_name=m4" -H "$AUTH_B" -H 'Content-Type: text/plain' --data-binary @"$STD"
expect 201 "an invalid upload does not count against the quota"
S_BETA=$(jv 'd["submission"]["id"]')
J_BETA=$(jv 'd["submission"]["job"]["id"]')
req POST "/api/v1/submissions?track=q2&method_name=m" -H "$AUTH_A" -H 'Content-Type: text/plain' --data-binary @"$STD"
req POST "/api/v1/submissions?track=q2&method_name=m" -H "$AUTH_A" -H 'Content-Type: text/plain' --data-binary @"$STD"
expect 429 "total quota: 2nd submission 429"
check "the total-quota 429 has Retry-After" sh -c "[ -n \"\$(tr -d '\r' <'$T/hdr' | grep -i '^Retry-After:')\" ]"

# --- listing, detail, file, cancel; another team's IDs answer 404 ---
req GET /api/v1/submissions -H "$AUTH_A"
expect 200 "list own submissions"
check "newest first, only the team's own" \
    jtrue "s=d['submissions']; len(s)==d['total']==5 and s[-1]['id']=='$S1' and all(x['team']=='alpha' for x in s)"
req GET "/api/v1/submissions?limit=2&offset=1" -H "$AUTH_A"
check "pagination: limit and offset" jtrue 'len(d["submissions"])==2 and d["offset"]==1 and d["total"]==5'
req GET "/api/v1/submissions?limit=0" -H "$AUTH_A"
expect 400 "a bad limit: 400"
req GET "/api/v1/submissions/$S1" -H "Authorization: Bearer $TA2"
expect 200 "a team-mate sees the submission"
check "detail has job and scores" jtrue "d['submission']['id']=='$S1' and d['submission']['job']['id']=='$J1' and d['submission']['scores']=={}"
req GET "/api/v1/submissions/$S1" -H "$AUTH_B"
expect 404 "another team's submission: 404"
req GET "/api/v1/submissions/s_doesnotexist" -H "$AUTH_A"
expect 404 "an unknown submission: 404"
req GET "/api/v1/submissions/$S1/file" -H "$AUTH_A"
expect 200 "download own file"
check "the file comes back byte for byte" cmp -s "$T/body" "$STD"
req GET "/api/v1/submissions/$S1/file" -H "$AUTH_B"
expect 404 "another team's file: 404"
req GET "/api/v1/jobs/$J1" -H "$AUTH_A"
expect 200 "job status"
check "job has state, stage, progress, attempt, timestamps, error, log tail, scores" \
    jtrue 'j=d["job"]; j["state"]=="queued" and j["attempt"]==0 and "stage" in j and "progress" in j and j["created_at"] and "error" in j and j["log_tail"]=="" and j["scores"]=={}'
req GET "/api/v1/jobs/$J_BETA" -H "$AUTH_A"
expect 404 "another team's job: 404"
req POST "/api/v1/submissions/$S_BETA/cancel" -H "$AUTH_A"
expect 404 "cancelling another team's submission: 404"
req POST "/api/v1/submissions/$S2/cancel" -H "$AUTH_A"
expect 200 "cancel own queued submission"
check "its job is cancelled" jtrue 'd["submission"]["job"]["state"]=="cancelled"'
req POST "/api/v1/submissions/$S2/cancel" -H "$AUTH_A"
expect 409 "cancelling a finished job: 409"

# --- web session: cookie + CSRF ---
req POST /api/v1/session -H 'Content-Type: application/json' -d '{"email":"a@x.org","password":"wrong"}'
expect 401 "login with a wrong password: 401"
req POST /api/v1/session -H 'Content-Type: application/json' -d '{"email":"nobody@x.org","password":"x"}'
expect 401 "login with an unknown email: 401"
req POST /api/v1/session -H 'Content-Type: application/json' -d '{"email":"a@x.org","password":"alpha-pass-1"}'
expect 200 "login: 200"
CSRF=$(jv 'd["csrf_token"]')
check "login returns user and CSRF token" jtrue 'd["user"]=={"email":"a@x.org","team":"alpha","role":"participant"} and len(d["csrf_token"]) >= 32'
COOKIE=$(tr -d '\r' <"$T/hdr" | grep -i '^Set-Cookie: do_session=' | sed 's/^[^:]*: //')
check "the cookie is HttpOnly, SameSite=Lax, Path=/" sh -c "echo '$COOKIE' | grep -q 'HttpOnly' && echo '$COOKIE' | grep -q 'SameSite=Lax' && echo '$COOKIE' | grep -q 'Path=/'"
CK="Cookie: $(echo "$COOKIE" | sed 's/;.*//')"
req GET /api/v1/me -H "$CK"
expect 200 "me with the cookie"
check "me returns the same user and token" jtrue "d['user']['email']=='a@x.org' and d['csrf_token']=='$CSRF'"
req GET /api/v1/me
expect 401 "me without a session: 401"
req POST "/api/v1/submissions?track=std&method_name=c" -H "$CK" -H 'Content-Type: text/plain' --data-binary @"$STD"
expect 403 "cookie upload without CSRF token: 403"
req POST "/api/v1/submissions?track=std&method_name=c" -H "$CK" -H 'X-CSRF-Token: wrong' -H 'Content-Type: text/plain' --data-binary @"$STD"
expect 403 "cookie upload with a wrong CSRF token: 403"
req POST "/api/v1/submissions?track=std&method_name=c" -H "$CK" -H "X-CSRF-Token: $CSRF" -H 'Content-Type: text/plain' --data-binary @"$STD"
expect 201 "cookie upload with the X-CSRF-Token header: 201"
req POST /api/v1/submissions -H "$CK" -F track=std -F method_name=f -F csrf_token=wrong -F "file=@$STD"
expect 403 "form upload with a wrong csrf_token field: 403"
req POST /api/v1/submissions -H "$CK" -F track=std -F method_name=f -F "csrf_token=$CSRF" -F "file=@$STD"
expect 201 "form upload with the csrf_token field: 201"
req GET /api/v1/submissions -H "$CK"
expect 200 "cookie GET needs no CSRF token"
req DELETE /api/v1/session -H "$CK"
expect 403 "logout without CSRF token: 403"
req DELETE /api/v1/session -H "$CK" -H "X-CSRF-Token: $CSRF"
expect 200 "logout"
req GET /api/v1/me -H "$CK"
expect 401 "the session is gone after logout"

req POST /api/v1/register -H 'Content-Type: application/json' -d '{"email":"n@x.org","password":"0123456789ab","team":"n"}'
expect 403 "self-registration is off by default: 403"

# --- revoked token ---
# (by the CLI, behind the server's back: once the cached caller expires,
# server.auth_cache_ms, 2 s)
"$DO" token revoke "$TA2" --db "$DB" >/dev/null 2>&1
wait_until 4 sh -c "[ \$(curl -s -o /dev/null -w '%{http_code}' -H 'Authorization: Bearer $TA2' '$URL/api/v1/submissions') = 401 ]"
req GET /api/v1/submissions -H "Authorization: Bearer $TA2"
expect 401 "a revoked token: 401"

# --- leaderboard (nothing scored yet), health, metrics ---
req GET "/api/v1/leaderboard?track=std"
expect 200 "leaderboard is public"
check "leaderboard shape" jtrue 'd["track"]=="std" and d["metric"]=="overall" and d["entries"]==[]'
ETAG=$(header ETag)
req GET "/api/v1/leaderboard?track=std" -H "If-None-Match: $ETAG"
expect 304 "leaderboard with its ETag: 304"
req GET "/api/v1/leaderboard.csv?track=std"
check "leaderboard CSV has a header line" sh -c "head -n 1 '$T/body' | grep -q '^rank,team,method_name,submission_id'"
check "CSV content type" sh -c "tr -d '\r' <'$T/hdr' | grep -qi '^Content-Type: text/csv'"
req GET "/api/v1/leaderboard?track=nosuch"
expect 404 "leaderboard of an unknown track: 404"
req GET "/api/v1/leaderboard"
expect 400 "leaderboard without a track: 400"
req GET /metrics
expect 200 "metrics"
check "metrics: requests by route and status, uploads, outcomes, jobs" sh -c "grep -q 'dataoptim_http_requests_total{route=\"submission_create\",status=\"201\"}' '$T/body' && grep -q 'dataoptim_submissions_total{outcome=\"invalid\"} [1-9]' '$T/body' && grep -q 'dataoptim_jobs{state=\"queued\"}' '$T/body' && grep -q 'dataoptim_queue_depth' '$T/body' && grep -q 'dataoptim_upload_bytes_total [1-9]' '$T/body'"

# --- static files ---
req GET /
expect 200 "/ serves the leaderboard page"
check "pages are text/html, revalidated, with a CSP" sh -c "tr -d '\r' <'$T/hdr' | grep -qi '^Content-Type: text/html' && tr -d '\r' <'$T/hdr' | grep -qi '^Cache-Control: no-cache' && tr -d '\r' <'$T/hdr' | grep -qi '^Content-Security-Policy:'"
for p in login submit submissions submission; do
	req GET "/$p"
	[ "$CODE" = 200 ] && grep -q "<title>$p" "$T/body" || break
done
expect 200 "/login /submit /submissions /submission map to their pages"
req GET /static/app.js
expect 200 "an asset"
check "assets have a content type and cache headers" sh -c "tr -d '\r' <'$T/hdr' | grep -qi '^Content-Type: text/javascript' && tr -d '\r' <'$T/hdr' | grep -qi '^Cache-Control: public' && tr -d '\r' <'$T/hdr' | grep -qi '^ETag:'"
req GET /static/sub/site.css
expect 200 "an asset in a subdirectory"
req GET /static/../outside.txt --path-as-is
expect 404 "'..' is refused"
req GET /static/%2e%2e/outside.txt --path-as-is
expect 404 "'%2e%2e' is refused"
req GET /static/sub%2fsite.css --path-as-is
expect 404 "an encoded slash is refused"
req GET /static/link.txt
expect 404 "a symbolic link is refused"
req GET /static/.hidden
expect 404 "a hidden file is refused"
req GET /static/nope.js
expect 404 "a missing asset: 404"

# --- limits ---
{ printf 'X-Big: '; head -c 200000 /dev/zero | tr '\0' 'a'; echo; } >"$T/bighdr"
CODE=$(curl -s -o /dev/null -w '%{http_code}' -H @"$T/bighdr" "$URL/healthz")
check "a header over the limit is refused" sh -c "[ '$CODE' -ge 400 ] && [ '$CODE' -lt 500 ]"

# --- access log ---
check "one access-log line per request: method path status bytes ms team" \
    grep -Eq '^[0-9T:Z-]+ POST /api/v1/submissions 201 [0-9]+ [0-9.]+ [0-9.]+ alpha$' "$T/server.log"
check "requests by cookie are logged with the team" \
    grep -Eq '^[0-9T:Z-]+ GET /api/v1/me 200 [0-9]+ [0-9.]+ [0-9.]+ alpha$' "$T/server.log"

# --- graceful stop: a slow upload in flight still completes ---
pool_ids 40 100 >"$T/slow.txt"
for i in $(seq 1 4000); do echo "  "; done >>"$T/slow.txt"
( curl -s -o "$T/slow.out" -w '%{http_code}' --limit-rate 8k -X POST \
    "$URL/api/v1/submissions?track=std&method_name=slow" -H "$AUTH_A" \
    -H 'Content-Type: text/plain' --data-binary @"$T/slow.txt" >"$T/slow.code" ) &
CP=$!
echo $CP >>"$T/bgpids"
wait_until 10 sh -c "[ -n \"\$(ls '$T/state/tmp')\" ]"	# the upload is in flight
check "SIGTERM: dataoptimd exits 0" stop_server
wait "$CP"
check "SIGTERM: the upload in flight was answered 201" grep -q 201 "$T/slow.code"
check "no sanitizer report" no_sanitizer_errors
R=$(sqlite3 "$DB" 'PRAGMA integrity_check')
check "database integrity ok after stop" [ "$R" = ok ]
