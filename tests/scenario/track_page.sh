#!/bin/sh
# A track's page: the organizer sets a track's title, overview,
# rules and team lock through the admin API (bounded, valid UTF-8, audited
# like the other settings), the public GET /api/v1/tracks/{slug} answers
# them, the track list adds title, teams_lock_at, freeze_at and frozen,
# the leaderboard's entries carry the method's url and description, and
# `dataoptim track add --title --teams-lock` makes a track with them.
. "$(dirname "$0")/lib/server_env.sh"

make_pool || { echo "not ok 1 - pool"; exit 1; }
setup_db || { echo "not ok 1 - setup"; exit 1; }
echo 'admin-pass-1' | "$DO" user add --email admin@x.org --admin --db "$DB" >/dev/null
TADM=$("$DO" token create --email admin@x.org --db "$DB" 2>/dev/null)
start_server --set submissions.reuse_scores=false || exit 1
ADM="Authorization: Bearer $TADM"
AUTH_A="Authorization: Bearer $TA"
JSON='Content-Type: application/json'

# --- the organizer sets the page's texts and the team lock ---
python3 - "$T/page.json" <<'PY'
import json, sys
body = {
    "title": "Standard track: pick 1000 samples",
    "overview": "First paragraph.\nSecond line <script>alert(1)</script>\n\n"
                "See https://example.org/rules?x=1 and javascript:alert(1).",
    "rules": "One team per person.\tTabs are fine.\n\nNo hand labelling.",
    "teams_lock_at": "2027-01-10T12:00:00Z",
}
json.dump(body, open(sys.argv[1], "w"))
PY
req PATCH /api/v1/admin/tracks/std -H "$ADM" -H "$JSON" --data-binary @"$T/page.json"
expect 200 "PATCH a track's title, overview, rules and teams_lock_at"
check "the admin answer holds them as sent" jtrue 't=d["track"]; t["title"]=="Standard track: pick 1000 samples" and t["overview"].startswith("First paragraph.\nSecond line <script>") and t["rules"].endswith("No hand labelling.") and t["teams_lock_at"]=="2027-01-10T12:00:00Z"'
req GET /api/v1/admin/tracks/std -H "$ADM"
check "GET /api/v1/admin/tracks/{slug} returns them" jtrue 't=d["track"]; t["title"].startswith("Standard track") and "\t" in t["rules"] and t["teams_lock_at"]=="2027-01-10T12:00:00Z"'
req GET "/api/v1/admin/audit?action=track.update&limit=1" -H "$ADM"
check "the change is audited (track.update, before and after)" jtrue 'a=d["audit"][0]; a["target"]=="track:std" and a["actor"]=="admin@x.org" and a["before"]["title"]=="" and a["before"]["teams_lock_at"] is None and a["after"]["teams_lock_at"]=="2027-01-10T12:00:00Z" and a["after"]["overview"].startswith("First paragraph.")'

# --- bounds: each answer names the field ---
python3 -c 'import json; print(json.dumps({"title": "t" * 201}))' >"$T/long-title.json"
req PATCH /api/v1/admin/tracks/std -H "$ADM" -H "$JSON" --data-binary @"$T/long-title.json"
check "a 201-byte title: 400 naming the field" sh -c '[ "$0" = 400 ] && grep -q "title" "$1"' "$CODE" "$T/body"
python3 -c 'import json; print(json.dumps({"title": "two\nlines"}))' >"$T/nl-title.json"
req PATCH /api/v1/admin/tracks/std -H "$ADM" -H "$JSON" --data-binary @"$T/nl-title.json"
check "a title over two lines: 400 naming the field" sh -c '[ "$0" = 400 ] && grep -q "title" "$1"' "$CODE" "$T/body"
python3 -c 'import json; print(json.dumps({"overview": "p\n" * 8193}))' >"$T/long-ov.json"
req PATCH /api/v1/admin/tracks/std -H "$ADM" -H "$JSON" --data-binary @"$T/long-ov.json"
check "a 16386-byte overview: 400 naming the field" sh -c '[ "$0" = 400 ] && grep -q "overview" "$1"' "$CODE" "$T/body"
python3 -c 'import json; print(json.dumps({"rules": "r" * 16384}))' >"$T/max-rules.json"
req PATCH /api/v1/admin/tracks/std -H "$ADM" -H "$JSON" --data-binary @"$T/max-rules.json"
expect 200 "rules of exactly 16384 bytes are taken"
printf '{"rules": "bad \377 byte"}' >"$T/bad-utf8.json"
req PATCH /api/v1/admin/tracks/std -H "$ADM" -H "$JSON" --data-binary @"$T/bad-utf8.json"
# JSON is UTF-8: jansson refuses the body before any field is read
check "rules with invalid UTF-8: 400 naming the bad byte" sh -c '[ "$0" = 400 ] && grep -q "byte 0xff" "$1"' "$CODE" "$T/body"
printf '{"overview": "nul \\u0000 here"}' >"$T/nul.json"
req PATCH /api/v1/admin/tracks/std -H "$ADM" -H "$JSON" --data-binary @"$T/nul.json"
check "an overview with a NUL (\\u0000): 400 naming it" sh -c '[ "$0" = 400 ] && grep -q "u0000" "$1"' "$CODE" "$T/body"
printf '{"overview": "bell \\u0007 here"}' >"$T/bell.json"
req PATCH /api/v1/admin/tracks/std -H "$ADM" -H "$JSON" --data-binary @"$T/bell.json"
check "an overview with another control character: 400 naming the field" sh -c '[ "$0" = 400 ] && grep -q "overview" "$1"' "$CODE" "$T/body"
req PATCH /api/v1/admin/tracks/std -H "$ADM" -H "$JSON" -d '{"teams_lock_at":"2027-01-10 12:00"}'
check "teams_lock_at not in UTC form: 400 naming the field" sh -c '[ "$0" = 400 ] && grep -q "teams_lock_at" "$1"' "$CODE" "$T/body"
req PATCH /api/v1/admin/tracks/std -H "$AUTH_A" -H "$JSON" -d '{"title":"mine"}'
expect 403 "a participant cannot set a track's title"
req PATCH /api/v1/admin/tracks/std -H "$ADM" -H "$JSON" --data-binary @"$T/page.json"
expect 200 "the texts set again"

# --- the public side ---
req GET /api/v1/tracks/std
expect 200 "GET /api/v1/tracks/{slug} without credentials"
check "it answers title, overview, rules, the times and frozen" jtrue 't=d["track"]; t["slug"]=="std" and t["title"].startswith("Standard track") and "<script>" in t["overview"] and t["rules"].startswith("One team") and t["teams_lock_at"]=="2027-01-10T12:00:00Z" and t["freeze_at"] is None and t["frozen"] is False and "opens_at" in t and "closes_at" in t and t["status"]=="open"'
check "it holds no organizer setting (webhook, secret)" jtrue 't=d["track"]; "webhook_url" not in t and "webhook_secret_set" not in t'
req GET /api/v1/tracks/std -H "$AUTH_A"
check "a participant also gets the team's remaining quota" jtrue '"remaining" in d["track"]'
req GET /api/v1/tracks/nosuch -H "$AUTH_A"
check "an unknown track: 404 not_found" jtrue 'd["error"]["code"]=="not_found"'
expect 404 "an unknown track answers 404"
req GET /api/v1/tracks
check "the list adds title, teams_lock_at, freeze_at, frozen (not the long texts)" jtrue 't=[x for x in d["tracks"] if x["slug"]=="std"][0]; t["title"].startswith("Standard track") and t["teams_lock_at"]=="2027-01-10T12:00:00Z" and t["freeze_at"] is None and t["frozen"] is False and "overview" not in t'

# --- the freeze in the list and on the board ---
req PATCH /api/v1/admin/tracks/byod -H "$ADM" -H "$JSON" -d '{"freeze_at":"2099-01-01T00:00:00Z"}'
req GET /api/v1/tracks
check "a freeze to come: freeze_at set, frozen false" jtrue 't=[x for x in d["tracks"] if x["slug"]=="byod"][0]; t["freeze_at"]=="2099-01-01T00:00:00Z" and t["frozen"] is False'
req PATCH /api/v1/admin/tracks/byod -H "$ADM" -H "$JSON" -d '{"freeze_at":"2020-01-01T00:00:00Z"}'
req GET /api/v1/tracks
check "a freeze passed: frozen true" jtrue 't=[x for x in d["tracks"] if x["slug"]=="byod"][0]; t["freeze_at"]=="2020-01-01T00:00:00Z" and t["frozen"] is True'
req GET /api/v1/tracks/byod
check "the one track agrees (frozen true)" jtrue 'd["track"]["frozen"] is True'
req GET "/api/v1/leaderboard?track=byod"
check "the board says frozen with the same freeze_at" jtrue 'd["frozen"] is True and d["freeze_at"]=="2020-01-01T00:00:00Z"'

# --- the board shows each entry's url and description ---
req POST "/api/v1/submissions?track=std&method_name=linked&url=https%3A%2F%2Fexample.org%2Fm&description=picks%20the%20hard%20ones" \
    -H "$AUTH_A" -H 'Content-Type: text/plain' --data-binary @"$SHARED/example-standard.txt"
expect 201 "a submission with a url and a description"
J=$(jv 'd["submission"]["job"]["id"]')
req POST /api/v1/worker/claim -H "Authorization: Bearer $TW" -H "$JSON" -d '{}'
ATT=$(jv 'd["job"]["attempt"]')
req POST "/api/v1/worker/jobs/$J/result" -H "Authorization: Bearer $TW" -H "$JSON" \
    -d "{\"attempt\":$ATT,\"status\":\"succeeded\",\"scores\":{\"overall\":0.5}}"
expect 200 "the worker scores it"
req GET "/api/v1/leaderboard?track=std"
check "the board's entry has the method's url and description" jtrue 'e=d["entries"][0]; e["method_name"]=="linked" and e["url"]=="https://example.org/m" and e["description"]=="picks the hard ones"'

# --- the page is served ---
req GET "/track?slug=std"
check "GET /track serves the track page" sh -c '[ "$0" = 200 ] && grep -q "track.js" "$1"' "$CODE" "$T/body"

# --- the CLI ---
"$DO" track add --slug cli-t --kind standard --budget 10 --title "From the CLI" \
    --teams-lock 2027-02-01T00:00:00Z --db "$DB" >"$T/cli.out" 2>&1
check "dataoptim track add --title --teams-lock" grep -q "track cli-t added" "$T/cli.out"
req GET /api/v1/tracks/cli-t
check "the new track has the title and the team lock" jtrue 't=d["track"]; t["title"]=="From the CLI" and t["teams_lock_at"]=="2027-02-01T00:00:00Z" and t["budget"]==10 and t["metric"]=="overall"'
req GET "/api/v1/admin/audit?action=track.create&target=track:cli-t" -H "$ADM"
check "the CLI's track is audited (track.create by cli, with the title)" jtrue 'a=d["audit"][0]; a["actor"]=="cli" and a["after"]["title"]=="From the CLI"'
if "$DO" track add --slug cli-t --kind standard --budget 10 --db "$DB" >"$T/cli2.out" 2>&1; then
	notok "the same slug again is refused"
else
	check "the same slug again is refused (exists)" grep -q "exists" "$T/cli2.out"
fi
if "$DO" track add --slug cli-u --kind standard --budget 10 --teams-lock soon --db "$DB" >"$T/cli3.out" 2>&1; then
	notok "a bad --teams-lock is refused"
else
	check "a bad --teams-lock is refused with the usage" grep -q "teams-lock" "$T/cli3.out"
fi
if "$DO" track add --slug cli-v --kind standard --budget 10 --title "$(printf 'a\tb')" --db "$DB" >"$T/cli4.out" 2>&1; then
	notok "a title with a control character is refused"
else
	check "a title with a control character is refused, naming it" grep -q "title" "$T/cli4.out"
fi
req GET /api/v1/tracks/cli-v
expect 404 "no track was made of the refused command"

check "no sanitizer report in the server log" no_sanitizer_errors
echo "1..$N"
