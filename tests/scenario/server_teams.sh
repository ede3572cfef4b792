#!/bin/sh
# Sign-up and teams: self-registration off (refused) and on
# (a new team or an invite code; the password's strength floor), team
# names unique by their folded key (sign-up, the organizer API, the CLI),
# a member's team page API (members, pending invites, never a code),
# invite codes (single and N uses, expired, revoked, used up, another
# team's), joining and leaving (submissions stay with the team; a user in
# no team cannot submit), the team lock of open tracks (refused with the
# date), 401 / 403 for wrong callers, bounds, and the audit rows.
. "$(dirname "$0")/lib/server_env.sh"

make_pool || { echo "not ok 1 - pool"; exit 1; }
setup_db || { echo "not ok 1 - setup"; exit 1; }
echo 'admin-pass-1' | "$DO" user add --email admin@x.org --admin --db "$DB" >/dev/null
TADM=$("$DO" token create --email admin@x.org --db "$DB" 2>/dev/null)
STD=$SHARED/example-standard.txt
J='Content-Type: application/json'

# reg JSON: POST /api/v1/register
reg() { req POST /api/v1/register -H "$J" -d "$1"; }
# login EMAIL PASSWORD: sets CK (cookie header) and CSRF
login() {
	req POST /api/v1/session -H "$J" -d "{\"email\":\"$1\",\"password\":\"$2\"}"
	CSRF=$(jv 'd["csrf_token"]')
	CK="Cookie: $(tr -d '\r' <"$T/hdr" | grep -i '^Set-Cookie: do_session=' | sed 's/^[^:]*: //; s/;.*//')"
}
# web METHOD PATH [JSON]: a cookie request with the CSRF header
web() {
	if [ $# -ge 3 ]; then
		req "$1" "$2" -H "$CK" -H "X-CSRF-Token: $CSRF" -H "$J" -d "$3"
	else
		req "$1" "$2" -H "$CK" -H "X-CSRF-Token: $CSRF"
	fi
}
# tok TOKEN METHOD PATH [JSON]: a bearer request
tok() {
	_t=$1; shift
	if [ $# -ge 3 ]; then
		req "$1" "$2" -H "Authorization: Bearer $_t" -H "$J" -d "$3"
	else
		req "$1" "$2" -H "Authorization: Bearer $_t"
	fi
}
sq() { sqlite3 "$DB" "$1"; }
errcode() { jtrue "d['error']['code'] == '$1'"; }

# --- registration off (the default) ---
start_server || exit 1
req GET /api/v1/register
check "GET /register while off: open false, the password bounds" \
    jtrue 'd == {"open": False, "password_min": 10, "password_max": 200}'
reg '{"email":"n@x.org","password":"a-good-pass-77","team":"n"}'
expect 403 "POST /register while off: 403"
check "... registration_closed" errcode registration_closed
check "the server stops" stop_server

# --- registration on ---
start_server --set server.allow_register=true || exit 1
req GET /api/v1/register
check "GET /register while on: open true" jtrue 'd["open"] is True and d["password_min"] == 10'

reg '{"email":"g@x.org","password":"gamma-pass-77","team":"Gamma  Rays"}'
expect 201 "sign-up with a new team: 201"
check "... answers the user and the team" \
    jtrue 'd["user"] == {"email": "g@x.org", "team": "Gamma  Rays", "role": "participant"} and d["team"]["name"] == "Gamma  Rays" and d["team"]["id"] > 0'
GID=$(jv 'd["team"]["id"]')
check "the team's folded key is stored" [ "$(sq "SELECT name_key FROM teams WHERE id = $GID")" = "gamma rays" ]

for n in ALPHA 'alpha ' ' Alpha' 'gamma rays' ' GAMMA   RAYS '; do
	reg "{\"email\":\"look@x.org\",\"password\":\"look-pass-77\",\"team\":\"$n\"}"
	if [ "$CODE" = 409 ] && errcode team_exists; then
		ok "look-alike team name '$n': 409 team_exists"
	else
		notok "look-alike team name '$n': 409 team_exists (got $CODE)"
	fi
done
reg '{"email":"look@x.org","password":"look-pass-77","team":"alpha "}'
check "... the answer names the existing team" \
    jtrue 'd["error"]["team"] == "alpha" and "\x27alpha\x27" in d["error"]["message"]'
check "no user was made by the refused sign-ups" [ "$(sq "SELECT COUNT(*) FROM users WHERE email = 'look@x.org'")" = 0 ]
tok "$TADM" POST /api/v1/admin/teams '{"name":"BETA"}'
expect 409 "the organizer's team create of a look-alike (BETA): 409"
check "... team_exists naming beta" jtrue 'd["error"]["code"] == "team_exists" and d["error"]["team"] == "beta"'
tok "$TADM" POST /api/v1/admin/teams '{"name":"  Omega "}'
expect 201 "the organizer creates team '  Omega ': 201"
check "... stored without its outer blanks" jtrue 'd["team"]["name"] == "Omega"'
if "$DO" team add "Beta " --db "$DB" >/dev/null 2>"$T/cli.err"; then
	notok "dataoptim team add 'Beta ' is refused"
else
	ok "dataoptim team add 'Beta ' is refused"
fi
check "... naming team beta" grep -q "team 'beta' exists" "$T/cli.err"
echo 'epsilon-pass-1' | "$DO" user add --team "OMEGA" --email o@x.org --db "$DB" >/dev/null 2>&1
check "dataoptim user add --team OMEGA finds team Omega" [ "$(sq "SELECT t.name FROM users u JOIN teams t ON t.id = u.team_id WHERE u.email = 'o@x.org'")" = Omega ]

# --- the password floor, the body's rules and bounds ---
reg '{"email":"w@y.org","password":"short","team":"weak1"}'
expect 400 "a short password: 400"
check "... weak_password with the reason" \
    jtrue 'd["error"]["code"] == "weak_password" and "shorter than 10" in d["error"]["message"]'
reg '{"email":"w@y.org","password":"zzzzzzzzzzzz","team":"weak1"}'
check "one character repeated: 400 saying so" jtrue 'd["error"]["code"] == "weak_password" and "repeated" in d["error"]["message"]'
reg '{"email":"longname12@y.org","password":"LongName12","team":"weak1"}'
check "the email's name part: 400" jtrue 'd["error"]["code"] == "weak_password" and "email" in d["error"]["message"]'
reg '{"email":"w@y.org","password":"password123","team":"weak1"}'
check "a common password: 400" jtrue '"common" in d["error"]["message"]'
reg '{"email":"w@y.org","password":"a-good-pass-77"}'
expect 400 "neither team nor invite: 400"
reg '{"email":"w@y.org","password":"a-good-pass-77","team":"x","invite":"ABCDEFGHIJKLMNOPQRST"}'
expect 400 "both team and invite: 400"
check "... saying which to give" jtrue '"not both" in d["error"]["message"]'
reg '{"email":"w@y.org","password":"a-good-pass-77","team":"   "}'
expect 400 "a blank team name: 400"
LONG=$(python3 -c 'print("t" * 101)')
reg "{\"email\":\"w@y.org\",\"password\":\"a-good-pass-77\",\"team\":\"$LONG\"}"
expect 400 "a 101-byte team name: 400"
check "... naming the field and its bounds" jtrue '"team" in d["error"]["message"] and "100" in d["error"]["message"]'
reg "{\"email\":\"w@y.org\",\"password\":\"$(python3 -c 'print("Ab1-" * 51)')\",\"team\":\"x\"}"
expect 400 "a 204-byte password: 400"
reg '{"email":"nope","password":"a-good-pass-77","team":"x"}'
expect 400 "an email without '@': 400"
reg '{"email":"G@x.org","password":"gamma-pass-77","team":"other"}'
expect 409 "a taken email (other case): 409"
check "... email_taken, and no team was left behind" \
    sh -c "python3 -c 'import json,sys; sys.exit(json.load(open(\"$T/body\"))[\"error\"][\"code\"] != \"email_taken\")' && [ \"\$(sqlite3 '$DB' \"SELECT COUNT(*) FROM teams WHERE name = 'other'\")\" = 0 ]"

# --- the team page API ---
req GET /api/v1/team
expect 401 "GET /team without credentials: 401"
tok "$TW" GET /api/v1/team
expect 403 "GET /team with a worker token: 403"
login g@x.org gamma-pass-77
web GET /api/v1/team
expect 200 "GET /team as the new member"
check "... the team, one member with when joined, no invites, no lock" \
    jtrue 'd["team"]["name"] == "Gamma  Rays" and [m["email"] for m in d["members"]] == ["g@x.org"] and d["members"][0]["joined"].endswith("Z") and d["invites"] == [] and d["lock"] is None'
req POST /api/v1/team/invites -H "$CK" -H "$J" -d '{}'
expect 403 "creating an invite without the CSRF token: 403"
web POST /api/v1/team/invites '{"max_uses":2,"expires_in_hours":24}'
expect 201 "an invite for 2 uses: 201"
CODE2=$(jv 'd["invite"]["code"]')
INV2=$(jv 'd["invite"]["id"]')
check "... the code is 20 characters of A-Z2-7, shown with uses 0 of 2 and the expiry" \
    jtrue 'import re; i=d["invite"]; re.fullmatch("[A-Z2-7]{20}", i["code"]) and i["uses"] == 0 and i["max_uses"] == 2 and i["expires_at"].endswith("Z") and i["created_by"] == "g@x.org"'
check "only the code's SHA-256 is stored" \
    [ "$(sq "SELECT code_hash FROM team_invites WHERE id = $INV2")" = "$(printf %s "$CODE2" | sha256sum | cut -d' ' -f1)" ]
check "the code is nowhere in the database" sh -c "! grep -q '$CODE2' '$DB' '$DB-wal' 2>/dev/null"
web GET /api/v1/team
check "GET /team lists the pending invite without its code" \
    jtrue 'i=d["invites"]; len(i) == 1 and i[0]["id"] == '"$INV2"' and i[0]["uses"] == 0 and "code" not in i[0] and "code_hash" not in i[0] and i[0]["created_by"] == "g@x.org"'

# --- signing up with an invite (typed in lower case with dashes) ---
TYPED=$(printf %s "$CODE2" | tr 'A-Z' 'a-z' | sed 's/\(.....\)/\1-/g; s/-$//')
reg "{\"email\":\"g2@x.org\",\"password\":\"gamma-pass-78\",\"invite\":\"$TYPED\"}"
expect 201 "sign-up with the invite ($TYPED): 201"
check "... in team Gamma  Rays" jtrue 'd["user"]["team"] == "Gamma  Rays" and d["team"]["id"] == '"$GID"
reg "{\"email\":\"g3@x.org\",\"password\":\"gamma-pass-79\",\"invite\":\"$CODE2\"}"
expect 201 "its second use: 201"
reg "{\"email\":\"g4@x.org\",\"password\":\"gamma-pass-80\",\"invite\":\"$CODE2\"}"
expect 409 "a third use of a 2-use invite: 409"
check "... invite_used_up, 2 of 2" jtrue 'd["error"]["code"] == "invite_used_up" and "2 of 2" in d["error"]["message"]'
check "the invite counts 2 uses" [ "$(sq "SELECT uses FROM team_invites WHERE id = $INV2")" = 2 ]
web GET /api/v1/team
check "the used-up invite is no longer pending; 3 members" \
    jtrue 'd["invites"] == [] and sorted(m["email"] for m in d["members"]) == ["g2@x.org", "g3@x.org", "g@x.org"]'

web POST /api/v1/team/invites '{}'
expect 201 "an invite with the defaults: 201"
CODE1=$(jv 'd["invite"]["code"]')
check "... single use, 7 days" \
    jtrue 'import datetime as t; i=d["invite"]; e=t.datetime.strptime(i["expires_at"], "%Y-%m-%dT%H:%M:%SZ"); i["max_uses"] == 1 and abs((e - t.datetime.utcnow()).total_seconds() - 7*86400) < 120'
sq "UPDATE team_invites SET expires_at = strftime('%s','now') - 5 WHERE code_hash = '$(printf %s "$CODE1" | sha256sum | cut -d' ' -f1)'"
reg "{\"email\":\"g5@x.org\",\"password\":\"gamma-pass-81\",\"invite\":\"$CODE1\"}"
expect 409 "an expired invite: 409"
check "... invite_expired with the date" jtrue 'd["error"]["code"] == "invite_expired" and "UTC" in d["error"]["message"] and d["error"]["expires_at"].endswith("Z")'

web POST /api/v1/team/invites "{\"max_uses\":0,\"expires_at\":\"$(date -u -d '+30 days' +%Y-%m-%d)\"}"
expect 201 "an unlimited invite expiring in 30 days: 201"
CODER=$(jv 'd["invite"]["code"]')
INVR=$(jv 'd["invite"]["id"]')
check "... max_uses 0" jtrue 'd["invite"]["max_uses"] == 0'
tok "$TB" POST "/api/v1/team/invites/$INVR/revoke"
expect 404 "another team's member revokes the invite: 404"
req POST "/api/v1/team/invites/$INVR/revoke"
expect 401 "revoking without credentials: 401"
web POST "/api/v1/team/invites/$INVR/revoke"
expect 200 "the team revokes its invite: 200"
check "... the answer has revoked_at" jtrue 'd["invite"]["revoked_at"].endswith("Z")'
web POST "/api/v1/team/invites/$INVR/revoke"
expect 409 "revoking it twice: 409"
web POST "/api/v1/team/invites/x1/revoke"
expect 404 "revoking a malformed id: 404"
reg "{\"email\":\"g5@x.org\",\"password\":\"gamma-pass-81\",\"invite\":\"$CODER\"}"
expect 409 "a revoked invite: 409"
check "... invite_revoked" errcode invite_revoked
reg '{"email":"g5@x.org","password":"gamma-pass-81","invite":"AAAAAAAAAAAAAAAAAAAA"}'
expect 404 "an unknown code: 404 invite_not_found"
reg '{"email":"g5@x.org","password":"gamma-pass-81","invite":"not a code!"}'
expect 400 "a malformed code: 400"

# --- bounds of an invite ---
for b in '{"max_uses":1001}' '{"max_uses":-1}' '{"max_uses":99999999999999}' \
    '{"expires_in_hours":0}' '{"expires_in_hours":8761}' \
    '{"expires_at":"2001-01-01"}' '{"expires_at":"2099-01-01"}' \
    '{"expires_at":"soon"}' '{"expires_in_hours":2,"expires_at":"2030-01-01"}' \
    '{"max_uses":"3"}'; do
	web POST /api/v1/team/invites "$b"
	if [ "$CODE" = 400 ] && jtrue 'd["error"]["code"] == "bad_request" and len(d["error"]["message"]) > 10'; then
		ok "invite $b: 400 saying why"
	else
		notok "invite $b: 400 saying why (got $CODE)"
	fi
done
# at most DB_INVITES_MAX (50) pending invites per team
i=0; while [ $i -lt 60 ]; do
	web POST /api/v1/team/invites '{}'; [ "$CODE" = 201 ] || break; i=$((i + 1))
done
check "invites stop at 50 pending: 409 too_many_invites (after $i more)" \
    sh -c "[ '$CODE' = 409 ] && grep -q too_many_invites '$T/body'"

# --- leaving and joining ---
tok "$TA2" POST /api/v1/team/join "{\"code\":\"$CODE2\"}"
expect 409 "joining while in a team: 409"
check "... in_team naming the team" jtrue 'd["error"]["code"] == "in_team" and d["error"]["team"] == "alpha"'
pool_ids 5 0 >"$T/ids.txt"
req POST "/api/v1/submissions?track=std&method_name=before-leaving" -H "Authorization: Bearer $TA2" -H 'Content-Type: text/plain' --data-binary @"$T/ids.txt"
expect 201 "a2 submits for alpha"
SA=$(jv 'd["submission"]["id"]')
tok "$TA2" POST /api/v1/team/leave
expect 200 "a2 leaves alpha: 200"
check "... the answer names the team left" jtrue 'd["left"]["name"] == "alpha"'
tok "$TA2" GET /api/v1/me
check "a2's token at once has no team (cached callers flushed)" jtrue 'd["user"]["team"] is None'
tok "$TA2" GET /api/v1/team
check "GET /team in no team: team null, no members" jtrue 'd["team"] is None and d["members"] == [] and d["invites"] == []'
req POST "/api/v1/submissions?track=std&method_name=no-team" -H "Authorization: Bearer $TA2" -H 'Content-Type: text/plain' --data-binary @"$T/ids.txt"
expect 403 "a user in no team submits: 403"
check "... no_team saying what to do" jtrue 'd["error"]["code"] == "no_team" and "/team" in d["error"]["message"]'
tok "$TA2" GET /api/v1/submissions
check "a2 no longer sees alpha's submissions" jtrue 'd["submissions"] == [] and d["total"] == 0'
tok "$TA" GET "/api/v1/submissions/$SA"
expect 200 "the submission stays with alpha (a@x still sees it)"
tok "$TA2" POST /api/v1/team/leave
expect 409 "leaving again: 409 no_team"
tok "$TA" POST /api/v1/team/leave
expect 200 "a@x, alpha's last member, leaves: 200"
tok "$TADM" GET '/api/v1/admin/teams?q=alpha'
check "alpha stays, empty, with its submission" \
    jtrue 't=[x for x in d["teams"] if x["name"] == "alpha"][0]; t["members"] == 0 and t["submissions"] == 1'
tok "$TA" POST /api/v1/team '{"name":"ALPHA "}'
expect 409 "making a team named like the empty alpha: 409 team_exists"
tok "$TA" POST /api/v1/team '{"name":"Delta"}'
expect 201 "a@x makes team Delta: 201"
tok "$TA" POST /api/v1/team '{"name":"Delta2"}'
expect 409 "making a second team while in one: 409 in_team"
sq "DELETE FROM team_invites WHERE team_id = $GID AND max_uses = 1"
web POST /api/v1/team/invites '{"max_uses":5}'
expect 201 "Gamma makes a 5-use invite"
CODE5=$(jv 'd["invite"]["code"]')
tok "$TA2" POST /api/v1/team/join "{\"code\":\"$CODE5\"}"
expect 200 "a2 joins Gamma  Rays with it: 200"
check "... the answer names the team" jtrue 'd["team"]["name"] == "Gamma  Rays"'
tok "$TA2" GET /api/v1/me
check "a2 is in Gamma  Rays now" jtrue 'd["user"]["team"] == "Gamma  Rays"'
tok "$TA2" POST /api/v1/team/join '{"code":"???"}'
expect 400 "join with a malformed code: 400"
tok "$TW" POST /api/v1/team/leave
expect 403 "a worker token leaves: 403"

# --- the team lock ---
sq "UPDATE tracks SET teams_lock_at = 1765324800 WHERE slug = 'std'"	# 2025-12-10
tok "$TA2" POST /api/v1/team/leave
expect 409 "leaving after the lock of an open track: 409"
check "... team_locked with the date and the track" \
    jtrue 'e=d["error"]; e["code"] == "team_locked" and e["message"] == "team changes are locked since 2025-12-10 00:00 UTC (track std)" and e["locked_at"] == "2025-12-10T00:00:00Z" and e["track"] == "std"'
tok "$TB" POST /api/v1/team/leave
expect 409 "any member's leave is refused: 409"
reg "{\"email\":\"g6@x.org\",\"password\":\"gamma-pass-82\",\"invite\":\"$CODE5\"}"
expect 409 "signing up with an invite after the lock: 409 team_locked"
check "... and the invite's use was not counted" [ "$(sq "SELECT uses FROM team_invites WHERE code_hash = '$(printf %s "$CODE5" | sha256sum | cut -d' ' -f1)'")" = 1 ]
tok "$TA" POST /api/v1/team/leave
expect 409 "a@x leaves Delta after the lock: 409"
reg '{"email":"late@x.org","password":"late-pass-77","team":"Latecomers"}'
expect 201 "signing up with a new team after the lock: 201"
web GET /api/v1/team
check "GET /team shows the lock" jtrue 'd["lock"] == {"at": "2025-12-10T00:00:00Z", "track": "std", "locked": True}'
sq "UPDATE tracks SET closes_at = 1766000000 WHERE slug = 'std'"
sq "UPDATE tracks SET teams_lock_at = strftime('%s','now') + 86400 WHERE slug = 'byod'"
web GET /api/v1/team
check "a closed track's lock no longer counts; a future lock shows unlocked" \
    jtrue 'd["lock"]["track"] == "byod" and d["lock"]["locked"] is False'
tok "$TB" POST /api/v1/team/leave
expect 200 "leaving before the lock date: 200"

# --- the audit ---
for a in register team.create team.join team.leave invite.create invite.revoke; do
	n=$(sq "SELECT COUNT(*) FROM audit_log WHERE action = '$a'")
	check "audit rows of $a ($n)" [ "${n:-0}" -ge 1 ]
done
check "the sign-up audit names the user and how" \
    [ "$(sq "SELECT json_extract(after_json, '\$.via') FROM audit_log WHERE action = 'register' AND actor = 'g2@x.org'")" = invite ]
check "the join is audited with the invite's id" \
    [ "$(sq "SELECT json_extract(after_json, '\$.invite') FROM audit_log WHERE action = 'team.join' AND actor = 'g2@x.org'")" = "$INV2" ]
tok "$TADM" GET '/api/v1/admin/audit?action=team.'
check "the organizers' audit API shows them" jtrue 'set(e["action"] for e in d["audit"]) >= {"team.create", "team.join", "team.leave"}'
check "no invite code is in the audit log" sh -c "! sqlite3 '$DB' 'SELECT * FROM audit_log' | grep -q -e '$CODE2' -e '$CODE5' -e '$CODER'"

check "dataoptimd stops cleanly on SIGTERM" stop_server
check "no sanitizer report in the server log" no_sanitizer_errors

# --- Unicode look-alikes; older rows' keys folded again at start ---
# rows as migration 0008's SQL folded them (ASCII only), before the
# server's start folds them with util_fold_name()
sq "INSERT INTO teams (name, name_key, baseline, created_at) VALUES ('ＢＥＴＡ-Ｘ', 'ＢＥＴＡ-Ｘ', 0, 0), ('ÉQUIPE', 'Équipe', 0, 0), ('équipe', 'équipe', 0, 0)"
start_server --set server.allow_register=true || exit 1
check "a full-width name's key is folded at start" [ "$(sq "SELECT name_key FROM teams WHERE name = 'ＢＥＴＡ-Ｘ'")" = beta-x ]
check "... two older names that now fold alike keep both rows (#id on the later key)" \
    [ "$(sq "SELECT name_key = 'équipe#' || id FROM teams WHERE name = 'ÉQUIPE'")" = 1 ]
reg '{"email":"u1@x.org","password":"unicode-pass-71","team":"beta-x"}'
expect 409 "'beta-x' is the full-width team's name: 409"
check "... naming it" jtrue 'd["error"]["team"] == "ＢＥＴＡ-Ｘ"'
reg '{"email":"u1@x.org","password":"unicode-pass-71","team":"ÉQUIPE"}'
expect 409 "'ÉQUIPE' and 'équipe' are one name: 409"
reg '{"email":"u1@x.org","password":"unicode-pass-71","team":"Gamma\u00a0Rays"}'
expect 409 "a no-break space is a space ('Gamma Rays' exists): 409"
reg '{"email":"u1@x.org","password":"unicode-pass-71","team":"gamma\u2003 rays"}'
expect 409 "... so is an em space: 409"
reg '{"email":"u1@x.org","password":"unicode-pass-71","team":"Gamma Rays\u200b"}'
expect 400 "a zero-width space in a team name: 400"
check "... saying why" jtrue '"invisible formatting character" in d["error"]["message"]'
reg '{"email":"u1@x.org","password":"unicode-pass-71","team":"\u202eahpla"}'
expect 400 "a right-to-left override in a team name: 400"
tok "$TADM" POST /api/v1/admin/teams '{"name":"ops\u200d"}'
expect 400 "the organizer's team create refuses it too: 400"
check "... saying why" jtrue '"invisible formatting character" in d["error"]["message"]'
"$DO" team add "$(printf 'Al\342\200\256pha')" --db "$DB" >"$T/out" 2>&1; RC=$?
check "dataoptim team add refuses it (exit $RC)" [ "$RC" -ne 0 ]
check "... saying why" grep -q 'invisible formatting character' "$T/out"
check "dataoptimd stops cleanly on SIGTERM (look-alikes)" stop_server

# --- a day's teams per user, invite codes per team ---
start_server --set server.allow_register=true --set server.auth_cache_ms=0 || exit 1
ok_all=1
for i in 1 2 3 4 5; do
	tok "$TB" POST /api/v1/team "{\"name\":\"Squat $i\"}"
	[ "$CODE" = 201 ] || { ok_all=0; echo "# make $i: $CODE $(head -c 200 "$T/body")"; }
	tok "$TB" POST /api/v1/team/leave
	[ "$CODE" = 200 ] || { ok_all=0; echo "# leave $i: $CODE $(head -c 200 "$T/body")"; }
done
check "a user makes and leaves 5 teams in a day" [ $ok_all = 1 ]
tok "$TB" POST /api/v1/team '{"name":"Squat 6"}'
expect 429 "... the 6th the same day: 429"
check "... saying the limit, with Retry-After" sh -c "grep -q 'at most 5 teams a day' '$T/body' && [ \"\$(tr -d '\r' <'$T/hdr' | sed -n 's/^[Rr]etry-[Aa]fter: *//p')\" -gt 0 ]"
check "... and no team Squat 6 was made" [ "$(sq "SELECT COUNT(*) FROM teams WHERE name = 'Squat 6'")" = 0 ]
# a team (a@x's Delta) makes 200 invite codes in a day (revoking as it
# goes: 50 pending at most)
INV_OK=1; n=0
while [ $n -lt 200 ]; do
	tok "$TA" POST /api/v1/team/invites '{"max_uses":1}'
	[ "$CODE" = 201 ] || { INV_OK=0; echo "# invite $n: $CODE $(head -c 200 "$T/body")"; break; }
	id=$(jv 'd["invite"]["id"]')
	tok "$TA" POST "/api/v1/team/invites/$id/revoke"
	n=$((n + 1))
done
check "a team makes 200 invite codes in a day" [ $INV_OK = 1 ]
tok "$TA" POST /api/v1/team/invites '{"max_uses":1}'
expect 429 "... the 201st: 429"
check "... saying the limit" grep -q 'at most 200 invite codes a day' "$T/body"
check "dataoptimd stops cleanly on SIGTERM (daily limits)" stop_server

# --- sign-ups per address (server.register_ip_limit) ---
start_server --set server.allow_register=true --set server.register_ip_limit=2 || exit 1
reg '{"email":"rl1@x.org","password":"rate-pass-771","team":"Rate One"}'
expect 201 "sign-up 1 of 2 from this address: 201"
reg '{"email":"rl1@x.org","password":"rate-pass-771","team":"Rate Two"}'
expect 409 "sign-up 2 (email taken) is refused and still counts: 409"
reg '{"email":"rl3@x.org","password":"rate-pass-773","team":"Rate Three"}'
expect 429 "sign-up 3 from the same address: 429"
check "... code too_many_attempts" errcode too_many_attempts
check "... Retry-After in seconds" [ "$(header Retry-After)" -ge 1 ]
check "... no account was made" [ "$(sq "SELECT COUNT(*) FROM users WHERE email = 'rl3@x.org'")" = 0 ]
check "dataoptimd stops cleanly on SIGTERM (rate limit)" stop_server

# --- two sign-ups racing for the last uses of an invite (parallel curl) ---
start_server --set server.allow_register=true || exit 1
tok "$TA" POST /api/v1/team/invites '{"max_uses":3}'
expect 201 "an invite of 3 uses for the race: 201"
RCODE=$(jv 'd["invite"]["code"]'); RTEAM=$(jv 'd["invite"]["team_id"]')
i=0; RPIDS=""
while [ $i -lt 12 ]; do
	curl -s -o /dev/null -w '%{http_code}\n' --max-time 120 -X POST -H "$J" \
	    -d "{\"email\":\"race$i@x.org\",\"password\":\"race-pass-77$i\",\"invite\":\"$RCODE\"}" \
	    "$URL/api/v1/register" >"$T/race$i" &
	RPIDS="$RPIDS $!"
	i=$((i + 1))
done
for p in $RPIDS; do wait "$p"; done
check "12 parallel sign-ups on a 3-use invite: exactly 3 get 201" \
    [ "$(cat "$T"/race* | grep -c '^201$')" = 3 ]
check "... and the other 9 get 409 (used up)" \
    [ "$(cat "$T"/race* | grep -c '^409$')" = 9 ]
check "... the invite counts 3 uses" \
    [ "$(sq "SELECT uses FROM team_invites WHERE code_hash = '$(printf %s "$RCODE" | sha256sum | cut -d' ' -f1)'")" = 3 ]
check "... 3 accounts were made, in the invite's team" \
    [ "$(sq "SELECT COUNT(*) FROM users WHERE email LIKE 'race%' AND team_id = $RTEAM")" = 3 ]
check "dataoptimd stops cleanly on SIGTERM (race)" stop_server
check "no sanitizer report in the server log (race)" no_sanitizer_errors

# --- a principal older than a membership change makes no invite ---
# (a token's principal is cached: here for a minute; the team change is
# made beside the server, as a race would leave it)
start_server --set server.auth_cache_ms=60000 || exit 1
echo 'stale-pass-77' | "$DO" user add --team beta --email stale@x.org --db "$DB" >/dev/null
TST=$("$DO" token create --email stale@x.org --db "$DB" 2>/dev/null)
tok "$TST" POST /api/v1/team/invites '{}'
expect 201 "a beta member makes an invite: 201"
SINV=$(jv 'd["invite"]["id"]')
NINV=$(sq "SELECT COUNT(*) FROM team_invites")
sq "UPDATE users SET team_id = NULL WHERE email = 'stale@x.org'"
tok "$TST" POST /api/v1/team/invites '{}'
expect 403 "... no longer a member (the cached principal says beta): an invite is refused, 403"
check "... code no_team" errcode no_team
check "... and no invite was made" [ "$(sq "SELECT COUNT(*) FROM team_invites")" = "$NINV" ]
tok "$TST" POST "/api/v1/team/invites/$SINV/revoke"
expect 404 "... nor can it revoke the team's invite: 404"
check "... which stays pending" [ "$(sq "SELECT revoked_at IS NULL FROM team_invites WHERE id = $SINV")" = 1 ]
check "dataoptimd stops cleanly on SIGTERM (stale principal)" stop_server
check "no sanitizer report in the server log (stale principal)" no_sanitizer_errors
