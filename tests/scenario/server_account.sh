#!/bin/sh
# A participant's own account: password change (the current
# one required, weak new ones refused with the reason, the other sessions
# logged out, the current one kept), own API tokens (made from a session,
# shown once, listed without a secret, last use noted, revoked by id or
# as "current", another user's id 404, the live-token limit), own web
# sessions (listed with their user agent and address, revoked), disabled
# users and teams told so at login and on their tokens (with the team's
# reason), the CSRF header on cookie requests, and the audit rows.
. "$(dirname "$0")/lib/server_env.sh"

make_pool || { echo "not ok 1 - pool"; exit 1; }
setup_db || { echo "not ok 1 - setup"; exit 1; }
echo 'admin-pass-1' | "$DO" user add --email admin@x.org --admin --db "$DB" >/dev/null
TADM=$("$DO" token create --email admin@x.org --db "$DB" 2>/dev/null)
start_server || exit 1
JSON='Content-Type: application/json'
ADM="Authorization: Bearer $TADM"

# login JAR EMAIL PASSWORD [USER-AGENT]: a web login keeping its cookie
# in $T/JAR; the CSRF token into $CSRF
login() {
	req POST /api/v1/session -c "$T/$1" -H "$JSON" -A "${4:-curl-test}" \
	    -d "{\"email\":\"$2\",\"password\":\"$3\"}"
	CSRF=$(jv 'd["csrf_token"]')
}
# audit_last ACTION: the newest audit entry with that action into $T/body
audit_last() { req GET "/api/v1/admin/audit?action=$1&limit=1" -H "$ADM"; }

# --- sessions: listed with what they were opened from ---
login j1 a@x.org alpha-pass-1 'Agent One/1.0'; expect 200 "a@x logs in (session 1)"
C1=$CSRF
login j2 a@x.org alpha-pass-1 'Agent Two/2.0'; expect 200 "a@x logs in again (session 2)"
req GET /api/v1/account/sessions -b "$T/j1"
expect 200 "list own sessions"
check "two sessions, session 1 marked current, user agent and address kept, no secret" jtrue 's=d["sessions"]; cur=[x for x in s if x["current"]]; len(s)==2 and d["total"]==2 and len(cur)==1 and cur[0]["user_agent"]=="Agent One/1.0" and cur[0]["ip"]=="127.0.0.1" and all(x["last_seen_at"] and x["created_at"] and x["expires_at"] and set(x)=={"id","created_at","last_seen_at","expires_at","user_agent","ip","current"} for x in s)'
SID2=$(jv '[x["id"] for x in d["sessions"] if not x["current"]][0]')
req GET /api/v1/account/sessions -H "Authorization: Bearer $TA"
check "with a token, no session is current" jtrue 'len(d["sessions"])==2 and not any(x["current"] for x in d["sessions"])'
long=$(python3 -c 'print("x\001y" + "z" * 300)')
login j9 a2@x.org alpha-pass-2 "$long"
req GET /api/v1/account/sessions -b "$T/j9"
check "a long user agent is kept cut to 200 printable bytes" jtrue 'u=d["sessions"][0]["user_agent"]; len(u)==200 and u.startswith("x?y")'

# --- CSRF: a cookie request that changes state needs the header ---
req POST /api/v1/account/password -b "$T/j1" -H "$JSON" \
    -d '{"current":"alpha-pass-1","new":"a-much-better-pass-1"}'
expect 403 "password change without X-CSRF-Token: 403"
check "... code csrf" jtrue 'd["error"]["code"]=="csrf"'
req POST /api/v1/account/tokens -b "$T/j1" -H "$JSON" -d '{"label":"x"}'
expect 403 "token create without X-CSRF-Token: 403"
req POST /api/v1/account/sessions/$SID2/revoke -b "$T/j1" -H "X-CSRF-Token: wrong" -H "$JSON" -d '{}'
expect 403 "session revoke with a wrong X-CSRF-Token: 403"
req GET /api/v1/me -b "$T/j2"
expect 200 "... session 2 still works"

# --- password change ---
S1="-b $T/j1 -H X-CSRF-Token:$C1"
# shellcheck disable=SC2086
req POST /api/v1/account/password $S1 -H "$JSON" \
    -d '{"current":"not-my-password","new":"a-much-better-pass-1"}'
expect 403 "wrong current password: 403"
check "... code wrong_password, names the field" jtrue 'd["error"]["code"]=="wrong_password" and "current" in d["error"]["message"]'
# shellcheck disable=SC2086
req POST /api/v1/account/password $S1 -H "$JSON" -d '{"current":"alpha-pass-1","new":"short"}'
expect 400 "a too short new password: 400"
check "... with the reason" jtrue 'd["error"]["code"]=="weak_password" and "shorter than 10 characters" in d["error"]["message"]'
# shellcheck disable=SC2086
req POST /api/v1/account/password $S1 -H "$JSON" -d '{"current":"alpha-pass-1","new":"zzzzzzzzzzzz"}'
check "one character repeated: 400 with the reason" jtrue 'd["error"]["code"]=="weak_password" and "repeated" in d["error"]["message"]'
# shellcheck disable=SC2086
req POST /api/v1/account/password $S1 -H "$JSON" -d '{"current":"alpha-pass-1","new":"Password123"}'
check "a most common password: 400 with the reason" jtrue 'd["error"]["code"]=="weak_password" and "common" in d["error"]["message"]'
# shellcheck disable=SC2086
req POST /api/v1/account/password $S1 -H "$JSON" -d '{"current":"alpha-pass-1"}'
expect 400 "the new password missing: 400"
# shellcheck disable=SC2086
req POST /api/v1/account/password $S1 -H "$JSON" \
    -d '{"current":"alpha-pass-1","new":"a-much-better-pass-1"}'
expect 200 "change the password"
check "... one other session ended" jtrue 'd["changed"] is True and d["sessions_ended"]==1'
req GET /api/v1/me -b "$T/j1"
expect 200 "the session that changed it stays logged in"
req GET /api/v1/me -b "$T/j2"
expect 401 "the other session is logged out"
req GET /api/v1/me -H "Authorization: Bearer $TA"
expect 200 "the user's tokens keep working"
login j3 a@x.org alpha-pass-1
expect 401 "the old password no longer logs in"
login j3 a@x.org a-much-better-pass-1
expect 200 "the new password logs in"
audit_last account.password
check "audited: account.password by a@x on its user" jtrue 'a=d["audit"][0]; a["actor"]=="a@x.org" and a["target"].startswith("user:") and a["after"]["sessions_ended"]==1'
check "... no hash in it" sh -c "! grep -q argon2 '$T/body'"
req POST /api/v1/account/password -H "Authorization: Bearer $TA2" -H "$JSON" \
    -d '{"current":"alpha-pass-2","new":"a2-much-better-pass"}'
expect 200 "a token may change the password too (the current one given)"
check "... and then every session ends" jtrue 'd["sessions_ended"]==1'
req GET /api/v1/me -b "$T/j9"
expect 401 "a2's session is logged out"

# --- tokens ---
# shellcheck disable=SC2086
req POST /api/v1/account/tokens $S1 -H "$JSON" -d '{"label":"dataoptim CLI on host1"}'
expect 201 "create a token from the session"
TOK=$(jv 'd["token"]'); TOKID=$(jv 'd["id"]')
check "... shown once: id, label, token, created_at, never used" jtrue 'd["token"].startswith("do_") and len(d["token"])==47 and d["label"]=="dataoptim CLI on host1" and d["created_at"] and d["last_used_at"] is None and d["revoked_at"] is None'
req GET /api/v1/account/tokens -b "$T/j1"
expect 200 "list own tokens"
check "the list has it, with these members only" jtrue "t=[x for x in d['tokens'] if x['id']==$TOKID]; len(t)==1 and set(t[0])=={'id','label','role','created_at','last_used_at','revoked_at'} and d['max_live']==20"
check "... and no secret" sh -c "! grep -q '$TOK' '$T/body' && ! grep -q token_hash '$T/body'"
check "the token's SHA-256 is stored, not the token" sh -c "[ \"\$(sqlite3 '$DB' \"SELECT COUNT(*) FROM api_tokens WHERE token_hash = '\$(printf %s '$TOK' | sha256sum | cut -c1-64)'\")\" = 1 ] && ! sqlite3 '$DB' .dump | grep -q '$TOK'"
req GET /api/v1/me -H "Authorization: Bearer $TOK"
expect 200 "the new token authenticates"
check "... /me names the token (token_id)" jtrue "d['user']['email']=='a@x.org' and d['token_id']==$TOKID and d['csrf_token'] is None"
req GET /api/v1/me -b "$T/j1"
check "/me by session: token_id null" jtrue '"token_id" in d and d["token_id"] is None'
req GET /api/v1/account/tokens -b "$T/j1"
check "after its use: last_used_at set" jtrue "[x for x in d['tokens'] if x['id']==$TOKID][0]['last_used_at'] is not None"
req POST /api/v1/account/tokens -H "Authorization: Bearer $TOK" -H "$JSON" -d '{"label":"from a token"}'
expect 403 "a token cannot make tokens"
check "... code session_required" jtrue 'd["error"]["code"]=="session_required"'
# shellcheck disable=SC2086
req POST /api/v1/account/tokens $S1 -H "$JSON" -d '{}'
expect 400 "no label: 400"
lbl=$(python3 -c 'print("l" * 201)')
# shellcheck disable=SC2086
req POST /api/v1/account/tokens $S1 -H "$JSON" -d "{\"label\":\"$lbl\"}"
expect 400 "a label over 200 bytes: 400"
check "... naming the field" jtrue '"label" in d["error"]["message"]'
req GET /api/v1/me -H "Authorization: Bearer $TB"
TBID=$(jv 'd["token_id"]')
# shellcheck disable=SC2086
req POST /api/v1/account/tokens/$TBID/revoke $S1 -H "$JSON" -d '{}'
expect 404 "revoking another user's token: 404"
req GET /api/v1/me -H "Authorization: Bearer $TB"
expect 200 "... which still works"
# shellcheck disable=SC2086
req POST /api/v1/account/tokens/abc/revoke $S1 -H "$JSON" -d '{}'
expect 404 "a token id that is not a number: 404"
# shellcheck disable=SC2086
req POST /api/v1/account/tokens/$TOKID/revoke $S1 -H "$JSON" -d '{}'
expect 200 "revoke own token"
check "... revoked_at set" jtrue "d['token']['id']==$TOKID and d['token']['revoked_at'] is not None"
req GET /api/v1/me -H "Authorization: Bearer $TOK"
expect 401 "the revoked token: 401 at once"
# shellcheck disable=SC2086
req POST /api/v1/account/tokens/$TOKID/revoke $S1 -H "$JSON" -d '{}'
expect 409 "revoking it again: 409"
audit_last account.token.create
check "audited: account.token.create by a@x" jtrue 'a=d["audit"][0]; a["actor"]=="a@x.org" and a["after"]["label"]=="dataoptim CLI on host1"'
check "... without the token" sh -c "! grep -q '$TOK' '$T/body'"
audit_last account.token.revoke
check "audited: account.token.revoke, before and after" jtrue "a=d['audit'][0]; a['target']=='token:$TOKID' and a['before']['revoked_at'] is None and a['after']['revoked_at'] is not None"

# the CLI's logout: revoke the token that makes the request
# shellcheck disable=SC2086
req POST /api/v1/account/tokens $S1 -H "$JSON" -d '{"label":"dataoptim CLI on host2"}'
TOK2=$(jv 'd["token"]'); TOK2ID=$(jv 'd["id"]')
req POST /api/v1/account/tokens/current/revoke -H "Authorization: Bearer $TOK2"
expect 200 "revoke the current token (no body)"
check "... it is the one that made the request" jtrue "d['token']['id']==$TOK2ID and d['token']['revoked_at'] is not None"
req GET /api/v1/me -H "Authorization: Bearer $TOK2"
expect 401 "... and it no longer works"
# shellcheck disable=SC2086
req POST /api/v1/account/tokens/current/revoke $S1 -H "$JSON" -d '{}'
expect 400 "current/revoke from a session: 400 not_a_token"

# the live-token limit
req GET /api/v1/account/tokens -b "$T/j1"
LIVE=$(jv 'd["live"]')
made=0; i=$LIVE
while [ "$i" -lt 20 ]; do
	# shellcheck disable=SC2086
	req POST /api/v1/account/tokens $S1 -H "$JSON" -d "{\"label\":\"bulk $i\"}"
	[ "$CODE" = 201 ] && made=$((made + 1))
	LAST=$(jv 'd["id"]')
	i=$((i + 1))
done
check "tokens up to 20 live ($LIVE before, $made made)" [ $((LIVE + made)) = 20 ]
# shellcheck disable=SC2086
req POST /api/v1/account/tokens $S1 -H "$JSON" -d '{"label":"one too many"}'
expect 409 "the 21st live token: 409"
check "... too_many_tokens, says so" jtrue 'd["error"]["code"]=="too_many_tokens" and "20" in d["error"]["message"]'
# shellcheck disable=SC2086
req POST /api/v1/account/tokens/$LAST/revoke $S1 -H "$JSON" -d '{}'
# shellcheck disable=SC2086
req POST /api/v1/account/tokens $S1 -H "$JSON" -d '{"label":"after a revoke"}'
expect 201 "after a revoke there is room again"

# --- sessions: revoke ---
login j4 a@x.org a-much-better-pass-1 'Agent Four'
req GET /api/v1/account/sessions -b "$T/j1"
SID4=$(jv '[x["id"] for x in d["sessions"] if x["user_agent"]=="Agent Four"][0]')
# shellcheck disable=SC2086
req POST /api/v1/account/sessions/$SID4/revoke $S1 -H "$JSON" -d '{}'
expect 200 "revoke another own session"
req GET /api/v1/me -b "$T/j4"
expect 401 "... it is logged out"
req GET /api/v1/me -b "$T/j1"
expect 200 "... this one is not"
login jb b@x.org beta-pass-1
req GET /api/v1/account/sessions -b "$T/jb"
SIDB=$(jv 'd["sessions"][0]["id"]')
# shellcheck disable=SC2086
req POST /api/v1/account/sessions/$SIDB/revoke $S1 -H "$JSON" -d '{}'
expect 404 "revoking another user's session: 404"
req GET /api/v1/me -b "$T/jb"
expect 200 "... which stays logged in"
audit_last account.session.revoke
check "audited: account.session.revoke, the session before" jtrue "a=d['audit'][0]; a['actor']=='a@x.org' and a['target']=='session:$SID4' and a['before']['user_agent']=='Agent Four'"

# --- who may call these ---
req GET /api/v1/account/tokens
expect 401 "anonymous: 401"
req GET /api/v1/account/tokens -H "Authorization: Bearer $TW"
expect 403 "a worker token: 403"

# --- disabled users and teams are told so ---
req GET "/api/v1/admin/users?q=a2@x.org" -H "$ADM"
UA2=$(jv 'd["users"][0]["id"]')
req POST /api/v1/admin/users/$UA2/disable -H "$ADM" -H "$JSON" -d '{}'
expect 200 "an organizer disables a2@x"
login jx a2@x.org a2-much-better-pass
expect 403 "a disabled user with the right password: 403"
check "... account_disabled, told so" jtrue 'd["error"]["code"]=="account_disabled" and d["error"]["message"]=="your account has been disabled by the organizers"'
check "... and no session" sh -c "! tr -d '\r' <'$T/hdr' | grep -qi '^Set-Cookie:'"
login jx a2@x.org wrong-password-x
expect 401 "a disabled user with a wrong password: 401"
check "... wrong email or password (nothing about the account)" jtrue 'd["error"]["code"]=="bad_credentials" and d["error"]["message"]=="wrong email or password"'
login jx nobody@x.org wrong-password-x
check "an unknown email: the same 401" jtrue 'd["error"]["message"]=="wrong email or password"'
req POST /api/v1/admin/users/$UA2/enable -H "$ADM" -H "$JSON" -d '{}'

req GET "/api/v1/admin/teams?q=beta" -H "$ADM"
TBETA=$(jv 'd["teams"][0]["id"]')
req POST /api/v1/admin/teams/$TBETA/disable -H "$ADM" -H "$JSON" -d '{"reason":"two accounts per person"}'
expect 200 "an organizer disables team beta with a reason"
check "the reason is stored with the team" [ "$(sqlite3 "$DB" "SELECT disabled_reason FROM teams WHERE id = $TBETA")" = "two accounts per person" ]
req GET /api/v1/me -b "$T/jb"
expect 401 "the team's sessions ended"
login jb b@x.org beta-pass-1
expect 403 "a disabled team's member logs in: 403"
check "... team_disabled with the reason" jtrue 'd["error"]["code"]=="team_disabled" and d["error"]["message"]=="your team has been disabled by the organizers: two accounts per person"'
login jb b@x.org beta-wrong-1
expect 401 "... with a wrong password: 401 as ever"
req GET /api/v1/me -H "Authorization: Bearer $TB"
expect 403 "the disabled team's token: 403"
check "... team_disabled with the reason" jtrue 'd["error"]["code"]=="team_disabled" and "two accounts per person" in d["error"]["message"]'
req POST /api/v1/admin/teams/$TBETA/enable -H "$ADM" -H "$JSON" -d '{}'
check "enabling clears the reason" [ -z "$(sqlite3 "$DB" "SELECT disabled_reason FROM teams WHERE id = $TBETA")" ]
login jb b@x.org beta-pass-1
expect 200 "re-enabled: the member logs in"
req POST /api/v1/admin/teams/$TBETA/disable -H "$ADM" -H "$JSON" -d '{}'
login jb b@x.org beta-pass-1
check "disabled without a reason: the message has none" jtrue 'd["error"]["code"]=="team_disabled" and d["error"]["message"]=="your team has been disabled by the organizers"'
req POST /api/v1/admin/teams/$TBETA/enable -H "$ADM" -H "$JSON" -d '{}'

check "dataoptimd stops cleanly on SIGTERM" stop_server
check "no sanitizer report in the server log" no_sanitizer_errors
echo "1..$N"
