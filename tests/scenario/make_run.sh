#!/bin/sh
# The README's front door, literally: `make run` in a copy of the checkout
# (so the developer's own state/ is never touched), with only the port
# moved through the documented DO_LISTEN, then the curl upload that the
# banner prints, the job polled to "succeeded", its score on the
# leaderboard, Ctrl-C (SIGINT to the process group) stopping both programs
# and freeing the port, and a second `make run` that keeps the state and
# prints the same credentials.  Also: a second server on the port in use
# is refused (exit 2) before it touches any state.  Plain build only: make
# run builds bin/ of the copy itself.
. "$(dirname "$0")/lib/server_env.sh"

if [ "${DO_BIN##*/build/san/}" != "$DO_BIN" ]; then
	echo "# make_run skipped for the sanitizer build (make run builds bin/)"
	exit 0
fi

COPY=$T/main
MR_PG=""
mr_cleanup() {
	if [ -n "$MR_PG" ]; then
		kill -TERM "-$MR_PG" 2>/dev/null
		sleep 1
		kill -KILL "-$MR_PG" 2>/dev/null
	fi
	cleanup
}
trap mr_cleanup EXIT

# the checkout as committed plus what git would add (no build/, bin/,
# state/, node_modules), with shared/ beside it as the README expects
mkdir -p "$COPY"
(git ls-files -z --cached --others --exclude-standard | xargs -0 -r sh -c \
    'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
    tar --null -T - -cf - | tar -C "$COPY" -xf -) 2>"$T/copy.log"
check "the checkout is copied to a temporary directory" \
    test -f "$COPY/Makefile" -a -f "$COPY/deploy/run.sh" -a ! -e "$COPY/state"
ln -s "$(cd "$SHARED/.." && pwd)" "$T/shared"

PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT

# mr_start LOG: `make run` in the copy as a terminal runs it: in a session
# and process group of its own, SIGINT not ignored (this script's
# background jobs would inherit it ignored), and a newcomer's environment
# (no make or test variables).  Waits for the banner's last line (10
# minutes at most: the first run builds everything).
mr_start() {
	(cd "$COPY" && exec env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u DO_BIN \
	    -u DO_STATE DO_LISTEN="127.0.0.1:$PORT" python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.setsid()
os.execvp(sys.argv[1], sys.argv[1:])' make run) >"$1" 2>&1 </dev/null &
	MR_PG=$!
	_i=0
	while [ $_i -lt 6000 ]; do
		grep -q 'Stop with Ctrl-C' "$1" && return 0
		kill -0 "$MR_PG" 2>/dev/null || break
		sleep 0.1
		_i=$((_i + 1))
	done
	echo "# make run did not print its banner:"; tail -n 30 "$1" | sed 's/^/#   /'
	return 1
}

# mr_stop: Ctrl-C, then wait for the whole group to be gone (30 s)
mr_stop() {
	kill -INT "-$MR_PG" 2>/dev/null
	_i=0
	while [ $_i -lt 300 ]; do
		[ -z "$(ps -o pid= -g "$MR_PG" 2>/dev/null)" ] && break
		sleep 0.1
		_i=$((_i + 1))
	done
	_left=$(ps -o pid=,args= -g "$MR_PG" 2>/dev/null)
	wait "$MR_PG" 2>/dev/null
	MR_PG=""
	[ -z "$_left" ] || { echo "# still running after Ctrl-C: $_left"; return 1; }
}

# banner FIELD: a value from the banner of log $1 ("web login", "API token", ...)
banner() { sed -n "s/^ *$2: *\([^ ]*\( \/ [^ ]*\)\{0,1\}\).*/\1/p" "$1" | head -n 1; }

# port_free: a new server could listen on the port (as dataoptimd does:
# SO_REUSEADDR, so the closed connections' TIME_WAIT does not count)
port_free() {
	python3 -c 'import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen()' "$PORT" 2>/dev/null
}

if mr_start "$T/run1.log"; then
	ok "make run comes up and prints its banner"
else
	notok "make run comes up and prints its banner"
	exit 1
fi
check "the banner is the last thing printed" \
    sh -c "tail -n 2 '$T/run1.log' | grep -q 'Stop with Ctrl-C'"
check "the build printed at most a line per program" \
    sh -c "[ \$(wc -l <'$T/run1.log') -lt 40 ]"
check "make run made its state in the default, relative state/" \
    test -f "$COPY/state/dataoptim.db" -a -f "$COPY/state/pool/pool.idx"

# a second server on the same port: refused at once, nothing created
timeout 10 "$COPY/bin/dataoptimd" --listen "127.0.0.1:$PORT" --db "$T/other/db" \
    --state-dir "$T/other" --pool "" >"$T/second.log" 2>&1
rc=$?
check "a second dataoptimd on the port in use exits 2" test "$rc" = 2
check "... saying the address is already in use" \
    grep -q "127.0.0.1:$PORT is already in use" "$T/second.log"
check "... before creating any state" test ! -e "$T/other"

# the banner's curl command, as printed (run where make run was typed)
sed -n '/^ *try: /,/'"'"'$/p' "$T/run1.log" | sed 's/^ *try: *//' >"$T/try.sh"
check "the banner prints a curl upload" sh -c "grep -q '^curl ' '$T/try.sh' && grep -q 'example-standard.txt' '$T/try.sh'"
(cd "$COPY" && sh "$T/try.sh") >"$T/body" 2>"$T/try.err"
SUB=$(jv 'd["submission"]["id"]')
JOB=$(jv 'd["submission"]["job"]["id"]')
check "the printed curl upload is accepted" test -n "$SUB" -a -n "$JOB"

TOKEN=$(cat "$COPY/state/demo-token")
AUTH="Authorization: Bearer $TOKEN"
state=""
i=0
while [ $i -lt 300 ]; do
	req GET "/api/v1/jobs/$JOB" -H "$AUTH"
	state=$(jv 'd["job"]["state"]')
	case $state in succeeded|failed|cancelled) break ;; esac
	sleep 0.2
	i=$((i + 1))
done
check "the job reaches succeeded (got '$state')" test "$state" = succeeded
[ "$state" = succeeded ] || { jv 'd["job"]["error"]'; jv 'd["job"]["log_tail"]'; } | sed 's/^/#   /'
check "the participant's log shows no absolute path of the worker's" \
    jtrue 'l = d["job"]["log_tail"]; "/" + "jobs/" not in l and "'"$COPY"'" not in l'
req GET "/api/v1/leaderboard?track=demo-standard"
check "the score is on the leaderboard" \
    jtrue 'e = [x for x in d["entries"] if x["submission_id"] == "'"$SUB"'"]; len(e) == 1 and e[0]["scores"]["overall"] > 0'

# the banner's CLI line, as printed, then the CLI with what it stored
sed -n 's/^ *CLI: *//p' "$T/run1.log" >"$T/cli.sh"
mkdir -p "$T/home"
(cd "$COPY" && HOME="$T/home" sh "$T/cli.sh") >"$T/cli.out" 2>&1
check "the banner's dataoptim login line logs in as the demo user" \
    grep -q 'logged in as demo@example.org' "$T/cli.out"
(cd "$COPY" && HOME="$T/home" bin/dataoptim submissions) >"$T/cli.out" 2>&1
check "... and dataoptim submissions then lists the upload" grep -q "^$SUB " "$T/cli.out"
req GET /api/v1/register
check "registration is open in the demo" jtrue 'd["open"] is True'
# the README's curl lines of a participant on their own, as written
sed -n '/^# a participant on their own/,/^```$/p' README.md | sed '$d' >"$T/self.sh"
(cd "$T" && URL=$URL sh "$T/self.sh") >"$T/self.out" 2>"$T/self.err"
check "the README's sign-up, token and invite curl lines work on the demo" python3 - "$T/self.out" <<'PY'
import json, sys
docs = []
dec = json.JSONDecoder()
text = open(sys.argv[1]).read()
i = 0
while i < len(text):
    if text[i].isspace():
        i += 1
        continue
    d, i = dec.raw_decode(text, i)
    docs.append(d)
assert docs[0]["user"]["team"] == "My Team", docs[0]
assert docs[1]["token"].startswith("do_"), docs[1]
assert len(docs[2]["invite"]["code"]) == 20, docs[2]
assert docs[3]["members"][0]["email"] == "me@example.org", docs[3]
PY

LOGIN1=$(banner "$T/run1.log" "web login")
API1=$(banner "$T/run1.log" "API token")
WTOK1=$(banner "$T/run1.log" "worker token")
check "the banner shows the login, the API token and the worker token" \
    test -n "$LOGIN1" -a "$API1" = "$TOKEN" -a -n "$WTOK1"

if mr_stop; then ok "Ctrl-C stops make run, the server and the worker"; else notok "Ctrl-C stops make run, the server and the worker"; fi
check "the port is free again" port_free
check "make run says it stopped" grep -q '^run: stopped' "$T/run1.log"

# again: the same state, the same credentials
if mr_start "$T/run2.log"; then
	ok "make run comes up a second time"
	check "the same web login, API token and worker token" test \
	    "$(banner "$T/run2.log" "web login")" = "$LOGIN1" -a \
	    "$(banner "$T/run2.log" "API token")" = "$API1" -a \
	    "$(banner "$T/run2.log" "worker token")" = "$WTOK1"
	req GET "/api/v1/submissions/$SUB" -H "$AUTH"
	check "the submission and its score are kept" \
	    jtrue 'd["submission"]["job"]["state"] == "succeeded"'
	if mr_stop; then ok "Ctrl-C stops it again"; else notok "Ctrl-C stops it again"; fi
	check "the port is free again" port_free
else
	notok "make run comes up a second time"
fi
echo "1..$N"
