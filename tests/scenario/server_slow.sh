#!/bin/sh
# Slow and greedy clients (issue 9, item 5): a request head trickled a
# byte at a time is cut at server.header_timeout, a body slower than
# server.min_body_rate over server.body_rate_window is cut, the server
# keeps answering meanwhile; more connections from one address than
# server.per_ip_connections get 503 with Retry-After and the JSON body
# (not a silent close); behind a trusted proxy the X-Forwarded-For
# address is the client, for the connection limits and the login limits.
. "$(dirname "$0")/lib/server_env.sh"

make_pool || { echo "not ok 1 - pool"; exit 1; }
setup_db || { echo "not ok 1 - setup"; exit 1; }
start_server --set server.header_timeout=3 --set server.min_body_rate=1024 \
    --set server.body_rate_window=2 --set server.per_ip_connections=4 \
    --set server.trusted_proxies=127.0.0.1 --set server.login_ip_failures=3 \
    --set server.login_failures=100 || exit 1
PORT=${URL##*:}

# slow SCRIPT: a python client on the server's port; prints what it saw
slow() { python3 - "$PORT" "$@"; }

# a head trickled one byte a second: cut within the deadline (+ a sweep)
got=$(slow <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(1)
t0 = time.time()
head = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 30
for i in range(len(head)):
    try:
        s.sendall(head[i:i + 1])
        if s.recv(1) == b"":
            break
    except socket.timeout:
        continue
    except OSError:
        break
    time.sleep(0.5)
print(round(time.time() - t0))
PY
)
check "a head trickled a byte at a time is cut (after ${got} s, deadline 3 s)" \
    sh -c "[ '$got' -ge 2 ] && [ '$got' -le 7 ]"

# a body far slower than 1 KiB/s: cut
got=$(slow "$TA" <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(1)
s.sendall(("POST /api/v1/submissions?track=std&method_name=slow HTTP/1.1\r\n"
           "Host: x\r\nAuthorization: Bearer %s\r\nContent-Type: text/plain\r\n"
           "Content-Length: 100000\r\n\r\n" % sys.argv[2]).encode())
t0 = time.time()
while time.time() - t0 < 20:
    try:
        s.sendall(b"coco_1\n" * 10)
        if s.recv(1) == b"":
            break
    except socket.timeout:
        continue
    except OSError:
        break
print(round(time.time() - t0))
PY
)
check "a body sent at ~70 B/s is cut (after ${got} s, window 2 s)" \
    sh -c "[ '$got' -ge 1 ] && [ '$got' -le 8 ]"
check "... and the server says why" grep -q 'closed a connection from 127.0.0.1: the body arrives too slowly' "$T/server.log"

# many slow heads at once: the server still answers quickly
slow <<'PY' &
import socket, sys, time
socks = []
for i in range(3):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.sendall(b"GET / HTTP/1.1\r\n")
    socks.append(s)
time.sleep(6)
PY
SPID=$!
sleep 0.5
t=$(curl -s -o /dev/null -w '%{time_total}' --max-time 5 "$URL/healthz")
check "with slow clients holding connections, /healthz answers in ${t} s" \
    python3 -c "import sys; sys.exit(0 if 0 < float('$t') < 1 else 1)"
wait $SPID

# one address over per_ip_connections: 503 with Retry-After, an answer.
# FIVE SRC [xff]: five connections from SRC, the first four kept open;
# the fifth's status.  xff: each says it is another client (X-Forwarded-For)
five() {
	slow "$@" <<'PY'
import socket, sys
port, src = int(sys.argv[1]), sys.argv[2]
xff = len(sys.argv) > 3
def conn(i, path):
    k = socket.create_connection(("127.0.0.1", port), source_address=(src, 0))
    k.settimeout(5)
    fwd = b"X-Forwarded-For: 198.51.100.%d\r\n" % (10 + i) if xff else b""
    k.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n" + fwd + b"\r\n")
    return k
socks = []
for i in range(4):
    # each makes one request and keeps its connection (keep-alive): the
    # server has surely counted it once the answer is in
    k = conn(i, b"/healthz")
    got = b""
    while b"}" not in got:
        c = k.recv(4096)
        if not c:
            break
        got += c
    socks.append(k)
s = conn(4, b"/api/v1/tracks")
data = b""
try:
    while b"\r\n\r\n" not in data or not data.rstrip().endswith(b"}"):
        c = s.recv(4096)
        if not c:
            break
        data += c
except socket.timeout:
    pass
head, _, body = data.partition(b"\r\n\r\n")
print(head.split(b" ")[1].decode() if head else "none",
      "retry" if b"Retry-After: 1" in head else "-",
      "json" if b'"too_many_connections"' in body else "-")
PY
}
got=$(five 127.0.0.2)
check "a 5th connection from one address: 503 with Retry-After and the JSON error (got $got)" \
    test "$got" = "503 retry json"
sleep 1
got=$(five 127.0.0.1 xff)
check "five connections from the trusted proxy for five clients: all served (got $got)" \
    test "$got" = "200 - -"
sleep 1

# behind a trusted proxy (127.0.0.1 here): the forwarded address counts
login() {
	req POST /api/v1/session -H 'Content-Type: application/json' \
	    -H "X-Forwarded-For: $1" -d '{"email":"a@x.org","password":"wrong"}'
}
login 203.0.113.5; login 203.0.113.5; login 203.0.113.5
login 203.0.113.5
expect 429 "the 4th failed login from forwarded 203.0.113.5: 429"
login 203.0.113.6
expect 401 "... while forwarded 203.0.113.6 is its own client: 401"
login "203.0.113.6, 127.0.0.1"
expect 401 "... also through a second trusted hop"
req GET /api/v1/tracks -H 'X-Forwarded-For: 198.51.100.7'
expect 200 "a forwarded client's request: 200"
check "the server is alive" curl -fsS -o /dev/null --max-time 5 "$URL/healthz"
check "no sanitizer report in the server log" no_sanitizer_errors
echo "1..$N"
