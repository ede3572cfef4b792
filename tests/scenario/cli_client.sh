#!/bin/sh
# The participant's CLI: `dataoptim login / submit / status /
# submissions / cancel / leaderboard / logout` against the real dataoptimd
# on loopback and, for submit --wait, a real dataoptim-worker on the proxy
# backend: the credentials file and its modes, the precedence of --token,
# DATAOPTIM_TOKEN and the file, local validation with --pool (nothing
# uploaded on an error), the Idempotency-Key (one submission for two
# runs with the same key), the tables, --json, the exit statuses (1
# refused, 2 usage, 3 auth, 4 unreachable, 5 job failed, 130 interrupted
# while waiting, the job going on), and last the password login (a web
# session, then POST /api/v1/account/tokens).
. "$(dirname "$0")/lib/worker_env.sh"

make_pool 0.001 || { echo "not ok 1 - pool"; exit 1; }
setup_db || { echo "not ok 1 - setup"; exit 1; }
make_fake_train
start_server --set submissions.max_active_jobs=20 --set leaderboard.cache_seconds=0 \
    --set submissions.reuse_scores=false || exit 1
STD=$SHARED/example-standard.txt
export HOME="$T/home"
unset XDG_CONFIG_HOME DATAOPTIM_SERVER DATAOPTIM_TOKEN DATAOPTIM_IDEMPOTENCY_KEY
mkdir -p "$HOME"
CRED=$HOME/.config/dataoptim/credentials
# cli ARGS...: run the CLI; exit status in $RC, stdout in $T/out, stderr
# in $T/err
cli() { "$DO" "$@" >"$T/out" 2>"$T/err"; RC=$?; cat "$T/err" >>"$T/cli-err.log"; }
# rc WANT DESC: the last cli run's exit status
rc() {
	if [ "$RC" = "$1" ]; then ok "$2"; else
		notok "$2 (exit $RC, want $1)"
		sed "s/^/#   out: /" "$T/out" | head -n 40; sed "s/^/#   err: /" "$T/err" | head -n 15
	fi
}
out_has() { grep -q -- "$1" "$T/out"; }
err_has() { grep -q -- "$1" "$T/err"; }
# n_subs TOKEN: the team's submission count, from the API
n_subs() { req GET "/api/v1/submissions?limit=1" -H "Authorization: Bearer $1"; jv 'd["total"]'; }
# pyout EXPR: EXPR true over the last cli run's stdout parsed as JSON (d)
pyout() { python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$T/out" "$1"; }

# ---- login --token, the credentials file ----
cli login --server "$URL" --token "$TA"
rc 0 "login --token: exit 0"
check "login prints the user and the team" out_has "logged in as a@x.org (team alpha)"
check "the credentials file is mode 0600" [ "$(stat -c %a "$CRED")" = 600 ]
check "its directory is mode 0700" [ "$(stat -c %a "$HOME/.config/dataoptim")" = 700 ]
check "the file holds the server and the token" sh -c "grep -qx 'server = $URL' '$CRED' && grep -qx 'token = $TA' '$CRED'"
cli login --server "$URL" --token "not-a-token"
rc 3 "login with a bad token: exit 3 (auth refused)"
check "its error line is the server's message and code" err_has "unknown or revoked token (HTTP 401 unauthorized)"
check "a refused token is not stored" grep -qx "token = $TA" "$CRED"
echo "$TA2" | XDG_CONFIG_HOME="$T/xdg" "$DO" login --server "$URL" --token - >"$T/out" 2>"$T/err"; RC=$?
rc 0 "login --token - reads the token from stdin"
check "XDG_CONFIG_HOME is respected (and a2's token stored there)" \
    sh -c "grep -qx 'token = $TA2' '$T/xdg/dataoptim/credentials' && [ \$(stat -c %a '$T/xdg/dataoptim/credentials') = 600 ]"
cli login --server "$URL" --token "$TA" --json
rc 0 "login --json: exit 0"
check "login --json: JSON with the user" pyout 'd["user"]["email"]=="a@x.org" and d["server"]=="'"$URL"'"'

# ---- precedence, unsafe file ----
cli submissions
rc 0 "submissions with the stored server and token: exit 0"
DATAOPTIM_TOKEN=bad "$DO" submissions >"$T/out" 2>"$T/err"; RC=$?
rc 3 "DATAOPTIM_TOKEN overrides the file (a bad one: exit 3)"
DATAOPTIM_TOKEN=bad "$DO" status --token "$TB" --json >"$T/out" 2>"$T/err"; RC=$?
rc 0 "--token overrides DATAOPTIM_TOKEN"
"$DO" submissions --server "http://localhost:${URL##*:}" >"$T/out" 2>"$T/err"; RC=$?
rc 3 "the file's token is not sent to another server than its own (exit 3)"
check "... which says: not logged in" err_has "not logged in to http://localhost"
chmod 644 "$CRED"
cli submissions
rc 3 "a credentials file readable by others is refused (exit 3)"
check "... with a message saying why and what to do" err_has "group or others may access it (mode 0644)"
chmod 600 "$CRED"
mkdir -p "$T/fifo/dataoptim" && mkfifo "$T/fifo/dataoptim/credentials"
XDG_CONFIG_HOME="$T/fifo" timeout 10 "$DO" submissions >"$T/out" 2>"$T/err"; RC=$?
rc 3 "a FIFO in the credentials file's place: refused at once (exit 3), no hang"
check "... as not a regular file" err_has "not a regular file of yours"

# ---- usage and network ----
cli submit --method m "$STD"
rc 2 "submit without --track: exit 2 (usage)"
cli submit --track std --method m "$T/no-such-file"
rc 2 "submit of a missing file: exit 2"
before=$(n_subs "$TA")
cli submit --track std --method m "$T"
rc 2 "submit of a directory: exit 2 (a local file that cannot be read)"
check "... which says so" err_has "is a directory"
check "... and nothing was uploaded" [ "$(n_subs "$TA")" = "$before" ]
cli leaderboard --track std --server http://127.0.0.1:1
rc 4 "server unreachable: exit 4"
check "... naming the URL" err_has "cannot reach http://127.0.0.1:1/api/v1/leaderboard"
"$DO" submit --track std --method m --server http://127.0.0.1:1 --token x "$STD" >"$T/out" 2>"$T/err"; RC=$?
rc 4 "submit to an unreachable server: exit 4"
check "... after two retries with the same Idempotency-Key" sh -c "[ \$(grep -c 'trying again in .* same Idempotency-Key' '$T/err') = 2 ]"
cat "$STD" | "$DO" submit --track std --method m --server http://127.0.0.1:1 --token x /dev/stdin >"$T/out" 2>"$T/err"; RC=$?
rc 4 "submit of a pipe to an unreachable server: exit 4"
check "... not retried: a pipe cannot be read again (a retry would send only its rest)" \
    sh -c "! grep -q 'trying again' '$T/err' && grep -q 'not retried: /dev/stdin is not a regular file' '$T/err'"

# a proxy that loses the server's answer to the first upload: the retry
# with the same key gets the first try's submission, not a second one
cat >"$T/lossy.py" <<'PY'
import socket, sys, threading
up_port, port_file = int(sys.argv[1]), sys.argv[2]
ls = socket.socket(); ls.bind(("127.0.0.1", 0)); ls.listen(8)
open(port_file, "w").write(str(ls.getsockname()[1]))
posts = [0]
def handle(c):
    data = b""
    while b"\r\n\r\n" not in data:
        b = c.recv(65536)
        if not b: return
        data += b
    head, body = data.split(b"\r\n\r\n", 1)
    lines = [l for l in head.split(b"\r\n") if not l.lower().startswith(b"connection:")]
    n = 0
    for l in lines:
        if l.lower().startswith(b"content-length:"): n = int(l.split(b":")[1])
    while len(body) < n:
        b = c.recv(65536)
        if not b: return
        body += b
    u = socket.create_connection(("127.0.0.1", up_port))
    u.sendall(b"\r\n".join(lines + [b"Connection: close"]) + b"\r\n\r\n" + body)
    ans = b""
    while True:
        b = u.recv(65536)
        if not b: break
        ans += b
    u.close()
    if lines[0].startswith(b"POST"):
        posts[0] += 1
        if posts[0] == 1:
            c.close(); return          # the answer is lost
    c.sendall(ans); c.close()
while True:
    c, _ = ls.accept()
    threading.Thread(target=handle, args=(c,), daemon=True).start()
PY
python3 "$T/lossy.py" "${URL##*:}" "$T/lossy.port" &
echo $! >>"$T/bgpids"
wait_until 10 test -s "$T/lossy.port"
before=$(n_subs "$TA")
"$DO" submit --track std --method lossy --server "http://127.0.0.1:$(cat "$T/lossy.port")" --token "$TA" "$STD" >"$T/out" 2>"$T/err"; RC=$?
rc 0 "the first answer lost on the way: the retry succeeds (exit 0)"
check "... it was a replay of the first try" sh -c "grep -q 'trying again' '$T/err' && grep -q 'already submitted' '$T/out'"
check "... and the server made one submission" [ "$(n_subs "$TA")" = $((before + 1)) ]
cli submissions --server "ftp://$URL"
rc 2 "a server URL that is not http(s): exit 2"

# ---- submit with --pool: local validation first ----
printf 'coco_0\nnope_1\ncoco_0\n' >"$T/bad.txt"
before=$(n_subs "$TA")
cli submit --track std --method local --pool "$POOL" "$T/bad.txt"
rc 1 "submit --pool of an invalid file: exit 1"
check "... its errors printed as validate prints them" sh -c "grep -q 'line 2' '$T/out' && grep -q 'nope_1' '$T/out'"
check "... and nothing uploaded" [ "$(n_subs "$TA")" = "$before" ]
check "... it says so" err_has "nothing was uploaded"
cli submit --track std --method local --pool "$POOL" --json "$T/bad.txt"
rc 1 "submit --pool --json of an invalid file: exit 1"
check "... the validator's JSON report" pyout 'd["n_errors"]>=2 and d["kind"]=="standard"'
cli submit --track nosuch --method m --pool "$POOL" "$STD"
rc 1 "submit --pool to an unknown track: exit 1"
before=$(n_subs "$TA")
cat "$STD" | "$DO" submit --track std --method m --pool "$POOL" /dev/stdin >"$T/out" 2>"$T/err"; RC=$?
rc 2 "submit --pool of a pipe: exit 2 (validation would eat what the upload sends)"
check "... which says so" err_has "must be a regular file"
check "... and nothing was uploaded" [ "$(n_subs "$TA")" = "$before" ]

cli submit --track std --method "cli method" --description "from the CLI" \
    --url "https://example.org/m" --pool "$POOL" "$STD"
rc 0 "submit --pool of the example file: exit 0"
S1=$(sed -n 's/^submitted \(s_[^ ]*\) .*/\1/p' "$T/out")
J1=$(sed -n 's/.*job \(j_[^,]*\),.*/\1/p' "$T/out")
check "it prints the submission id, its status and its job" sh -c "[ -n '$S1' ] && [ -n '$J1' ] && grep -q 'queued' '$T/out'"
req GET "/api/v1/submissions/$S1" -H "Authorization: Bearer $TA"
check "the server has it with method, description and url" \
    jtrue 's=d["submission"]; s["method_name"]=="cli method" and s["description"]=="from the CLI" and s["url"]=="https://example.org/m" and s["n_samples"]>0'

# ---- the Idempotency-Key ----
before=$(n_subs "$TA")
DATAOPTIM_IDEMPOTENCY_KEY="cli-test-key-1" "$DO" submit --track std --method idem --json "$STD" >"$T/out" 2>"$T/err"; RC=$?
rc 0 "submit with a given Idempotency-Key: exit 0"
SI=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["submission"]["id"])' "$T/out" 2>/dev/null)
DATAOPTIM_IDEMPOTENCY_KEY="cli-test-key-1" "$DO" submit --track std --method idem "$STD" >"$T/out" 2>"$T/err"; RC=$?
rc 0 "the same key again: exit 0"
check "... the first submission, replayed" sh -c "grep -q 'already submitted' '$T/out' && grep -q '$SI' '$T/out'"
check "... one submission for the two runs" [ "$(n_subs "$TA")" = $((before + 1)) ]
"$DO" submit --track std --method idem2 "$STD" >"$T/out" 2>"$T/err"
"$DO" submit --track std --method idem3 "$STD" >>"$T/out" 2>>"$T/err"
check "without the variable every run has its own key (two more)" [ "$(n_subs "$TA")" = $((before + 3)) ]
S3=$(sed -n 's/^submitted \(s_[^ ]*\) .*/\1/p' "$T/out" | tail -n 1)

# ---- status, submissions, cancel ----
cli status
rc 0 "status without an id: exit 0"
check "... shows the latest submission" out_has "^submission *$S3"
cli status "$S1"
check "status ID shows the method and the state" sh -c "grep -q 'cli method' '$T/out' && grep -q '^status  *queued' '$T/out'"
cli status "$J1" --json
check "status JOB --json: the job's JSON" pyout 'd["job"]["id"]=="'"$J1"'" and d["job"]["state"]=="queued"'
cli status s_nonexistent
rc 1 "status of an unknown id: exit 1"
check "... the server's message and code" err_has "no such submission (HTTP 404 not_found)"
cli status s_nonexistent --json
rc 1 "status --json of an unknown id: exit 1"
check "... the server's error JSON on stdout" pyout 'd["error"]["code"]=="not_found"'
cli leaderboard --track std --server http://127.0.0.1:1 --json
check "--json when unreachable: an error object on stdout (exit 4)" sh -c "[ $RC = 4 ] && python3 -c 'import json,sys; sys.exit(0 if json.load(open(sys.argv[1]))[\"error\"][\"code\"]==\"unreachable\" else 1)' '$T/out'"
cli submissions --token "bad token"
rc 2 "a token with a blank (it goes into a header): exit 2"
DATAOPTIM_IDEMPOTENCY_KEY="$(printf 'a\rb')" "$DO" submit --track std --method m "$STD" >"$T/out" 2>"$T/err"; RC=$?
rc 2 "an Idempotency-Key with a control character: exit 2, nothing sent"
cli submissions
check "submissions: a table with its header" sh -c "head -n 1 '$T/out' | grep -q '^id  *track  *method  *status  *score  *submitted (UTC)$'"
check "... a row per submission, the total" sh -c "grep -c '^s_' '$T/out' | grep -qx 5 && grep -qx '5 of 5' '$T/out'"
cli submissions --json --limit 2
check "submissions --json: the server's list" pyout 'len(d["submissions"])==2 and d["total"]==5 and d["limit"]==2'
cli submissions --limit 0
rc 2 "submissions --limit 0: exit 2"
cli cancel "$S3"
rc 0 "cancel: exit 0"
check "... prints the cancelled submission" out_has "cancelled $S3"
cli cancel "$S3"
rc 1 "cancel again: exit 1 (the server refuses)"
check "... with the server's reason" err_has "HTTP 409"
cli cancel "$S1" --token "$TB"
rc 1 "another team's submission: exit 1 (404, not found for them)"
check "the cancel left the other team's job alone" job_is "$TA" "$J1" 'j["state"]=="queued"'

# ---- submit --wait with a real worker ----
start_worker A --set "$FAKE_CMD" --set "$FAKE_REQ"; WA=$WPID
cli leaderboard --track std
rc 0 "leaderboard before any score: exit 0"
check "... says there is none yet" out_has "no scored submissions yet"
pool_ids 60 500 >"$T/w1.txt"
timeout 120 "$DO" submit --track std --method "waited" --wait "$T/w1.txt" >"$T/out" 2>"$T/err"; RC=$?
rc 0 "submit --wait until scored: exit 0"
check "... shows the job's state lines, the last one succeeded" \
    sh -c "grep -q '^\[[0-9:]*Z\] queued' '$T/out' && grep -q '^\[[0-9:]*Z\] succeeded score 100%' '$T/out'"
check "... shows the job's log lines" out_has "proxy eval:"
check "... ends with the scores table" sh -c "grep -q '^scores of s_' '$T/out' && grep -q '^overall  *[0-9]\.[0-9][0-9][0-9][0-9]$' '$T/out'"
SW=$(sed -n 's/^submitted \(s_[^ ]*\) .*/\1/p' "$T/out")
req GET "/api/v1/submissions/$SW" -H "Authorization: Bearer $TA"
OVER=$(jv '"%.4f" % d["submission"]["scores"]["overall"]')
check "... the scores printed are the server's" out_has "^overall  *$OVER$"
bail_if_dead "$WA"

# a team with a long, wide name: the table measures and cuts it
"$DO" team add "Équipe 東京 データ最適化 with a very long name" --db "$DB" >/dev/null
echo 'tokyo-pass-12' | "$DO" user add --team "Équipe 東京 データ最適化 with a very long name" --email t@x.org --db "$DB" >/dev/null
TT=$("$DO" token create --email t@x.org --db "$DB" 2>/dev/null)
pool_ids 80 900 >"$T/w2.txt"
timeout 120 "$DO" submit --token "$TT" --track std --method "tokyo method" --wait --json "$T/w2.txt" >"$T/out" 2>"$T/err"; RC=$?
rc 0 "submit --wait --json: exit 0"
check "... stdout is one JSON document: the scored submission" pyout 'd["submission"]["status"]=="succeeded" and "overall" in d["submission"]["scores"]'
check "... the progress went to stderr" grep -q '^\[[0-9:]*Z\] succeeded' "$T/err"
cli leaderboard --track std
rc 0 "leaderboard: exit 0"
check "leaderboard: a ranked table" sh -c "grep -q '^rank  *team  *method  *overall' '$T/out' && grep -q '^ *1  ' '$T/out' && grep -q '^ *2  ' '$T/out'"
check "... with both teams and their methods" sh -c "grep -q '  alpha  ' '$T/out' && grep -q 'tokyo method' '$T/out'"
check "... the long team name cut to 24 columns with …" python3 - "$T/out" <<'PY'
import sys, unicodedata
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
row = [l for l in lines if "tokyo method" in l][0]
def width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)
import re
team = re.split(r" {2,}", row.strip())[1]
assert team.endswith("…") and team.startswith("Équipe 東京"), team
assert width(team) <= 24, (team, width(team))
hdr = lines[[i for i, l in enumerate(lines) if l.startswith("rank")][0]]
# the method column starts at the same terminal column in the header and the row
def col_of(line, word):
    i = line.index(word)
    return width(line[:i])
assert col_of(hdr, "method") == col_of(row, "tokyo method"), (hdr, row)
PY
cli leaderboard --track std --json
check "leaderboard --json: the server's board" pyout 'len(d["entries"])==2 and d["entries"][0]["rank"]==1'
cli leaderboard --track nosuch
rc 1 "leaderboard of an unknown track: exit 1"

# a job that fails: exit 5
echo nofiles >"$T/mode"
pool_ids 70 1500 >"$T/w3.txt"
timeout 120 "$DO" submit --track std --method "fails" --wait "$T/w3.txt" >"$T/out" 2>"$T/err"; RC=$?
rc 5 "submit --wait of a job that fails: exit 5"
check "... with the job's error" err_has "failed: train"

# SIGINT while waiting: exit 130, the job goes on
echo slowok >"$T/mode"
kill -TERM "$WA"; wait "$WA" 2>/dev/null
SLOW_SECONDS=4; export SLOW_SECONDS
start_worker B --set "$FAKE_CMD" --set "$FAKE_REQ"; WB=$WPID
pool_ids 90 2000 >"$T/w4.txt"
"$DO" submit --track std --method "interrupted" --wait "$T/w4.txt" >"$T/out" 2>"$T/err" &
CP=$!
echo "$CP" >>"$T/bgpids"
check "SIGINT: the wait shows the job running" wait_until 30 grep -q 'running' "$T/out"
kill -INT "$CP"
wait "$CP"; RC=$?
rc 130 "SIGINT while waiting: exit 130"
check "... says the job goes on and how to follow it" err_has "stopped waiting; the job goes on: dataoptim status s_"
SINT=$(sed -n 's/^submitted \(s_[^ ]*\) .*/\1/p' "$T/out")
check "... and the job still completes" wait_until 60 sh -c "'$DO' status '$SINT' --json 2>/dev/null | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)[\"submission\"][\"status\"]==\"succeeded\" else 1)'"

# the upload progress bar, on a terminal (script(1) gives stderr a TTY)
if command -v script >/dev/null 2>&1; then
	head -c 300000 /dev/zero | tr '\0' 'x' | fold -w 60 >"$T/big.txt"
	script -qec "'$DO' submit --track std --method bar '$T/big.txt'" "$T/tty.log" >/dev/null 2>&1
	check "on a terminal the upload shows a progress bar" grep -q 'upload 100% \[#*\]' "$T/tty.log"
fi
"$DO" submit --track std --method nobar "$T/w1.txt" >"$T/out" 2>"$T/err"
check "not on a terminal: no progress bar" sh -c "! grep -q 'upload' '$T/err'"

# ---- logout ----
cli logout
rc 0 "logout: exit 0 (an older server without the revoke route answers 404: not an error)"
check "... the token is gone from the file, the server stays" sh -c "! grep -q '^token' '$CRED' && grep -qx 'server = $URL' '$CRED' && [ \$(stat -c %a '$CRED') = 600 ]"
cli submissions
rc 3 "after logout: not logged in (exit 3)"


# ---- a hostile or broken server: a Python stand-in
# ---- whose answers are escape sequences, the wrong shape, not JSON ----
cat >"$T/hostile.py" <<'PY'
import http.server, json, sys, time
mode_file, port_file = sys.argv[1], sys.argv[2]
E = "\u001b[2J\u001b]0;pwned\u0007\u009b31m"   # clear, title, C1 CSI
def esc(s): return s + E
SUB = {"id": esc("s_x"), "status": esc("queued"), "track": esc("t"),
       "kind": "standard", "method_name": esc("m"), "n_samples": 1,
       "job": {"id": esc("j_x")}}
ESC_ANSWERS = {
    "/api/v1/submissions": {"submission": SUB},
    "/api/v1/submissions/s_x/cancel": {"submission": SUB},
    "/api/v1/leaderboard": {"track": esc("t"), "split": esc("public"),
        "metric": esc("m"), "entries": [{"rank": 1, "team": esc("team"),
        "method_name": esc("m"), "scores": {"overall": 1, esc("task"): 1}}]},
    "/api/v1/jobs/j_x": {"job": {"id": esc("j_x"), "state": "failed",
        "error": esc("err"), "fault": esc("fault")}},
}
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def answer(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n: self.rfile.read(n)
        mode = open(mode_file).read().strip()
        path = self.path.split("?")[0]
        code, body = 200, None
        if mode == "esc-error":
            code, body = 422, {"error": {"code": esc("invalid"),
                "message": esc("bad file"), "details": [{"line": 1,
                "message": esc("detail")}, esc("plain"), {"x": E}]}}
        elif mode == "esc":
            body = ESC_ANSWERS.get(path)
            if body is None and path.startswith("/api/v1/jobs/"):
                body = ESC_ANSWERS["/api/v1/jobs/j_x"]
            if body is None and path.startswith("/api/v1/submissions/"):
                body = {"submission": SUB}
            if body is None: code, body = 404, {"error": {"code": "not_found", "message": "no"}}
        elif mode == "string":
            body = {k: "a string" for k in ("submission", "submissions",
                "job", "entries", "user", "tracks")}
        elif mode == "empty":
            body = {}
        elif mode == "noid":
            body = {"submissions": [{}], "submission": {}, "total": 1}
        elif mode == "nojob":
            body = {"submission": SUB} if self.command == "POST" else {"job": "gone"}
        elif mode == "deep":
            data = b"[" * 200000
        elif mode == "html":
            data = b"<html>hello</html>"
        elif mode == "huge":
            data = b'{"x": "' + b"a" * (17 << 20) + b'"}'
        elif mode == "redirect":
            open(mode_file + ".log", "a").write(self.path + "\n")
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:%d/steal" % self.server.server_address[1])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        elif mode == "drip":           # a byte every 0.3 s, of 100
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            for _ in range(100):
                self.wfile.write(b" "); self.wfile.flush(); time.sleep(0.3)
            return
        if body is not None:
            data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    do_GET = do_POST = do_DELETE = answer
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
s.handle_error = lambda *a: None     # a client that hangs up is no news
open(port_file, "w").write(str(s.server_address[1]))
s.serve_forever()
PY
echo esc >"$T/hmode"
python3 "$T/hostile.py" "$T/hmode" "$T/hostile.port" 2>"$T/hostile.log" &
echo $! >>"$T/bgpids"
wait_until 10 test -s "$T/hostile.port"
HURL="http://127.0.0.1:$(cat "$T/hostile.port")"
ESC=$(printf '\033')
C1=$(printf '\302\233')
# hcli MODE ARGS...: the CLI against the hostile server in MODE
hcli() { echo "$1" >"$T/hmode"; shift; cli "$@" --server "$HURL" --token hostile-token; }
# no_escapes: neither ESC nor a C1 CSI nor BEL reached the last run's stdout or stderr
no_escapes() { ! cat "$T/out" "$T/err" | grep -q -e "$ESC" -e "$C1" -e "$(printf '\007')"; }
hcli esc-error status s_x
rc 1 "hostile: a 422 with escape sequences in its message: exit 1"
check "... its message and details are printed, without the escape sequences" \
    sh -c "grep -q 'bad file' '$T/err' && grep -q 'detail' '$T/err' && grep -q 'plain' '$T/err'"
check "... nothing that moves the cursor or sets the title reaches the terminal" no_escapes
hcli deep status s_x
rc 4 "hostile: JSON nested 200000 deep: exit 4, no crash"
hcli html status s_x
rc 4 "hostile: an HTML answer: exit 4"
check "... which says it is not JSON" err_has "not JSON"
hcli huge status s_x
rc 4 "hostile: a 17 MiB answer: exit 4"
check "... which says it is too big" err_has "answer is over"


hcli esc submit --track t --method m "$STD"
rc 0 "hostile: submit with escape sequences in the answer: exit 0"
check "... the submission id is printed without them" sh -c "grep -q '^submitted s_x' '$T/out'"
check "... no escape sequence reaches the terminal (submit)" no_escapes
hcli esc cancel s_x
check "... no escape sequence reaches the terminal (cancel)" no_escapes
hcli esc leaderboard --track t
check "... no escape sequence reaches the terminal (leaderboard)" no_escapes
hcli esc submit --track t --method m --wait "$STD"
rc 5 "hostile: submit --wait of a failed job: exit 5"
check "... no escape sequence reaches the terminal (the job's fault and id)" no_escapes

for cmd in "status s_x" "status j_x" "status" "submissions" "cancel s_x" "leaderboard --track t"; do
	hcli string $cmd
	rc 4 "hostile: $cmd answered strings where objects belong: exit 4 (not the API's JSON)"
done
check "... which says what was expected" err_has 'no "entries"'
hcli string status s_x --json
check "... with --json a bad_answer error object on stdout" pyout 'd["error"]["code"]=="bad_answer"'
hcli noid status
rc 4 "hostile: the latest submission without an id: exit 4, no crash"
hcli empty login
rc 4 "hostile: login to a server whose /api/v1/me has no user: exit 4"
check "... and no token stored for it" sh -c "! grep -qs hostile-token '$CRED'"

timeout 30 sh -c 'echo nojob >"$1/hmode"; "$2" submit --track t --method m --wait --server "$3" --token hostile-token "$4" >"$1/out" 2>"$1/err"' sh "$T" "$DO" "$HURL" "$STD"; RC=$?
cat "$T/err" >>"$T/cli-err.log"
rc 4 "hostile: --wait on a job answer that is not an object: exit 4 at once, no endless polling"
check "... which says the job answer has no job" err_has 'jobs/j_x.*HTTP 200 with no "job" object'
hcli redirect status s_x
rc 1 "hostile: a redirect: exit 1"
check "... which says where to and that it was not followed" err_has "HTTP 302, redirected to http://127.0.0.1:[0-9]*/steal: not followed"
check "... and the token did not follow it" sh -c "! grep -q steal '$T/hmode.log'"
echo drip >"$T/hmode"
DATAOPTIM_ANSWER_TIMEOUT=3 timeout 20 "$DO" status s_x --server "$HURL" --token hostile-token >"$T/out" 2>"$T/err"; RC=$?
cat "$T/err" >>"$T/cli-err.log"
rc 4 "hostile: an answer that drips a byte every 0.3 s: given up after DATAOPTIM_ANSWER_TIMEOUT (exit 4)"
check "... which says so" err_has "no whole answer in 3 s"
DATAOPTIM_ANSWER_TIMEOUT=0 "$DO" status s_x --server "$HURL" --token hostile-token >"$T/out" 2>"$T/err"; RC=$?
rc 2 "DATAOPTIM_ANSWER_TIMEOUT=0: exit 2 (usage)"
# ... but a slow upload's own time does not count: a file from a pipe
# that takes 4 s to come, with 2 s for the answer
before=$(n_subs "$TB")
(head -n 20 "$STD"; sleep 4; tail -n +21 "$STD") | DATAOPTIM_ANSWER_TIMEOUT=2 \
    "$DO" submit --track std --method piped --server "$URL" --token "$TB" /dev/stdin >"$T/out" 2>"$T/err"; RC=$?
cat "$T/err" >>"$T/cli-err.log"
rc 0 "DATAOPTIM_ANSWER_TIMEOUT=2 and an upload from a pipe that takes 4 s: exit 0"
check "... one submission made" [ "$(n_subs "$TB")" = $((before + 1)) ]

# the password prompt gives the terminal its echo back whatever signal ends it
cat >"$T/ptylogin.py" <<'PY'
import os, pty, signal, subprocess, sys, termios, time
do, url, signame = sys.argv[1], sys.argv[2], sys.argv[3]
what = sys.argv[4] if len(sys.argv) > 4 else "password"
sig = getattr(signal, signame)
m, s = pty.openpty()
args = ["--email", "a@x.org"] if what == "password" else ["--token", "-"]
p = subprocess.Popen([do, "login", "--server", url] + args,
                     stdin=s, stdout=s, stderr=s)
seen, t0 = b"", time.time()
while what.encode() + b": " not in seen and time.time() - t0 < 20:
    seen += os.read(m, 4096)
time.sleep(0.3)
off = not (termios.tcgetattr(s)[3] & termios.ECHO)
p.send_signal(sig)
p.wait(timeout=20)
back = bool(termios.tcgetattr(s)[3] & termios.ECHO)
print(signame, "echo off while asked:", off, "back after:", back, "rc:", p.returncode, file=sys.stderr)
sys.exit(0 if off and back and p.returncode == -sig else 1)
PY
for s in SIGINT SIGTERM SIGQUIT SIGHUP; do
	check "the password prompt: echo is off, and back after $s (which ends it)" \
	    python3 "$T/ptylogin.py" "$DO" "$HURL" $s
done
check "login --token - on a terminal: the token is read without echo (and echo back after SIGINT)" \
    python3 "$T/ptylogin.py" "$DO" "$HURL" SIGINT token

check "no sanitizer report from the server" no_sanitizer_errors
check "no sanitizer report from the workers" worker_sanitizer_clean
check "no sanitizer report from the CLI" sh -c "! grep -q -E 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' '$T/cli-err.log'"

# ---- last: password login (a session, then POST /api/v1/account/tokens) ----
printf 'a@x.org\nalpha-pass-1\n' | "$DO" login --server "$URL" >"$T/out" 2>"$T/err"; RC=$?
rc 0 "password login through stdin (email, password lines): exit 0"
check "... logged in, and a token of its own stored [needs /api/v1/account/tokens]" \
    sh -c "grep -q 'logged in as a@x.org (team alpha)' '$T/out' && grep -q '^token = ' '$CRED'"
printf 'a@x.org\nwrong-password\n' | "$DO" login --server "$URL" >"$T/out" 2>"$T/err"; RC=$?
rc 3 "password login with a wrong password: exit 3"
check "... says so" err_has "wrong email or password (HTTP 401 bad_credentials)"
