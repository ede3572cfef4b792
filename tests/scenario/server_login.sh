#!/bin/sh
# Failed-login throttling of POST /api/v1/session: after
# server.login_failures wrong passwords for one email (or
# server.login_ip_failures from one address) within server.login_window
# seconds, the email (or address) answers 429 too_many_attempts with
# Retry-After, without checking the password; a success clears the
# email's count.
. "$(dirname "$0")/lib/server_env.sh"

make_pool || { echo "not ok 1 - pool"; exit 1; }
setup_db || { echo "not ok 1 - setup"; exit 1; }
start_server --set server.login_failures=3 --set server.login_window=60 \
    --set server.login_ip_failures=9 || exit 1

# login EMAIL PASSWORD
login() {
	req POST /api/v1/session -H 'Content-Type: application/json' \
	    -d "{\"email\":\"$1\",\"password\":\"$2\"}"
}

# --- a success before the limit clears the count ---
login a@x.org wrong1; expect 401 "a@x: 1st wrong password: 401"
login a@x.org wrong2; expect 401 "a@x: 2nd wrong password: 401"
login a@x.org alpha-pass-1; expect 200 "a@x: right password after 2 failures: 200"
login a@x.org wrong3; expect 401 "a@x: wrong again after the success: 401"
login a@x.org wrong4; expect 401 "a@x: 2nd wrong after the success: 401 (count was cleared)"
login a@x.org alpha-pass-1; expect 200 "a@x: right password still works: 200"

# --- the per-email limit: 3 failures, then even the right password is refused ---
login a2@x.org wrong1; expect 401 "a2@x: 1st wrong password: 401"
login a2@x.org wrong2; expect 401 "a2@x: 2nd wrong password: 401"
login a2@x.org wrong3; expect 401 "a2@x: 3rd wrong password: 401"
login a2@x.org alpha-pass-2; expect 429 "a2@x: right password after 3 failures: 429"
check "429 carries code too_many_attempts and a message" \
    jtrue 'e=d["error"]; e["code"] == "too_many_attempts" and "try again" in e["message"] and 0 < e["retry_after"] <= 60'
RA=$(header Retry-After)
check "429 has Retry-After within the window ($RA)" \
    sh -c "[ -n '$RA' ] && [ '$RA' -gt 0 ] && [ '$RA' -le 60 ]"
login a2@x.org wrong4; expect 429 "a2@x: a wrong password is refused the same: 429"
login nobody2@x.org x; expect 401 "an unknown email below both limits: 401 (8 failures from this address)"

# --- another email still works below the address limit ---
login b@x.org beta-pass-1; expect 200 "b@x: another email logs in: 200"

# --- the per-address limit (9): one more failure blocks every email ---
login nobody@x.org x; expect 401 "9th failure from this address: 401"
login b@x.org beta-pass-1; expect 429 "b@x: the address is over its limit: 429"
check "the address 429 says so" \
    jtrue 'd["error"]["code"] == "too_many_attempts" and "address" in d["error"]["message"]'
check "address 429 has Retry-After" [ -n "$(header Retry-After)" ]

# --- a refused attempt does not check the password (nor log in) ---
check "no session cookie on a 429" \
    sh -c "! tr -d '\r' <'$T/hdr' | grep -qi '^Set-Cookie:'"

check "dataoptimd stops cleanly on SIGTERM" stop_server
check "no sanitizer report in the server log" no_sanitizer_errors
