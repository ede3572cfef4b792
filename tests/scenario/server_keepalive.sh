#!/bin/sh
# Keep-alive (issue 14, item 1): answers keep the connection open (no
# "Connection: close" on requests without a body: libmicrohttpd 0.9.75
# closes after a reply queued before the request is complete, so the
# server queues it once it is), and 40 keep-alive pollers from one
# address under server.per_ip_connections (64) see no socket error, no
# refused connection and no 503.
. "$(dirname "$0")/lib/server_env.sh"

make_pool || { echo "not ok 1 - pool"; exit 1; }
setup_db || { echo "not ok 1 - setup"; exit 1; }
start_server --set server.per_ip_connections=64 || exit 1

req POST "/api/v1/submissions?track=std&method_name=m" -H "Authorization: Bearer $TA" \
    -H 'Content-Type: text/plain' --data-binary @"$SHARED/example-standard.txt"
J=$(jv 'd["submission"]["job"]["id"]')
for p in /healthz "/api/v1/jobs/$J" "/api/v1/leaderboard?track=std" /login /api/v1/nosuch; do
	curl -sv -o /dev/null -o /dev/null -H "Authorization: Bearer $TA" "$URL$p" "$URL$p" \
	    >"$T/ka.log" 2>&1
	check "GET $p twice: one connection, kept open" sh -c \
	    "grep -q 'Re-using existing connection' '$T/ka.log' && ! grep -qi '^< Connection: close' '$T/ka.log'"
done
curl -sv -o /dev/null -o /dev/null -H "Authorization: Bearer $TA" -H 'Content-Type: application/json' \
    -d '{"email":"a@x.org","password":"alpha-pass-1"}' "$URL/api/v1/session" "$URL/api/v1/session" >"$T/ka.log" 2>&1
check "POST with a JSON body twice: one connection" grep -q 'Re-using existing connection' "$T/ka.log"

wrk -t1 -c40 -d3s -H "Authorization: Bearer $TA" "$URL/api/v1/jobs/$J" >"$T/wrk.log" 2>&1
sed 's/^/#   /' "$T/wrk.log" | grep -E 'requests in|Socket|Non-2xx'
check "40 keep-alive pollers: no socket error" sh -c "! grep -q 'Socket errors' '$T/wrk.log' && grep -q 'requests in' '$T/wrk.log'"
check "... no answer but 200" sh -c "! grep -q 'Non-2xx' '$T/wrk.log'"
check "... no connection refused for the limit" sh -c "! grep -q 'connection limit' '$T/server.log'"
check "no sanitizer report in the server log" no_sanitizer_errors
echo "1..$N"
