#!/usr/bin/env python3
"""Competition-day soak (issue 14), driven by tests/scenario/soak*.sh.

    soak.py CONFIG.json

CONFIG (written by the shell script) names the programs, the state, the
pool, the tokens of five teams, an admin and the workers, the upload
bodies and the run's length.  This script starts the real dataoptimd (and,
with "nginx", the project's nginx config in front of it), two real
workers, and for SECONDS runs, in two phases:

  - 40 keep-alive pollers on GET /api/v1/jobs/{id} (wrk, 2 threads);
  - 20 uploaders that start their uploads together every "wave" seconds
    (ID lists of 50K, and BYOD files of 20 MB), each from its team's own
    loopback address (127.0.0.2-6), each with an Idempotency-Key and
    retried with the same key when the connection fails or the server is
    away;
  - the leaderboards and the organizers' dashboard (what /admin fetches)
    every second;
  - worker A SIGKILLed and restarted in the middle of the first phase;
  - between the phases, dataoptimd sent SIGTERM and started again on the
    same port (the pollers and the dashboard stop for that moment; the
    uploads go on and retry).

Then it waits for every job to end and prints TAP lines (numbered from
CONFIG's "n") and the figures as "#: " lines.  The workers run under
nice 10: on a real deployment they are on other hosts.
"""
import hashlib
import http.client
import json
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid

C = json.load(open(sys.argv[1]))
T = C["tmp"]
N = C["n"]
fails = 0
procs = {}          # name -> Popen
lock = threading.Lock()


def tap(ok, desc, detail=None):
    global N, fails
    N += 1
    print(("ok %d - %s" if ok else "not ok %d - %s") % (N, desc))
    if not ok:
        fails += 1
        for line in (detail or "").splitlines()[:20]:
            print("#   " + line)
    sys.stdout.flush()


def figure(text):
    print("#: " + text)
    sys.stdout.flush()


def note_pid(p):
    with open(os.path.join(T, "bgpids"), "a") as f:
        f.write("%d\n" % p.pid)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---- the programs -------------------------------------------------------

SERVER_LOG = os.path.join(T, "server.log")
server_rss_peak = [0]
server_exits = []


def start_server(port):
    log = open(SERVER_LOG, "a")
    start = log.tell()
    args = [C["dod"], "--listen", "127.0.0.1:%d" % port, "--db", C["db"],
            "--state-dir", C["state"], "--pool", C["pool"],
            "--static-dir", C["static"]]
    for s in C["server_set"]:
        args += ["--set", s]
    p = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    note_pid(p)
    procs["server"] = p
    deadline = time.time() + 30
    while time.time() < deadline:
        with open(SERVER_LOG) as f:
            f.seek(start)
            if "listening on port" in f.read():
                return True
        if p.poll() is not None:
            break
        time.sleep(0.05)
    return False


def rss_kb(pid, field):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def stop_server():
    p = procs.pop("server")
    server_rss_peak[0] = max(server_rss_peak[0], rss_kb(p.pid, "VmHWM"))
    p.send_signal(signal.SIGTERM)
    try:
        rc = p.wait(timeout=30)
    except subprocess.TimeoutExpired:
        p.kill()
        rc = p.wait()
    server_exits.append(rc)


def start_worker(name):
    log = open(os.path.join(T, "worker-%s.log" % name), "a")
    args = [C["dow"], "--server", C["url"], "--token", C["worker_token"],
            "--work-dir", os.path.join(T, "w-" + name), "--name", name,
            "--pool", C["pool"], "--val", C["val"],
            "--set", "worker.claim_min_ms=100",
            "--set", "worker.claim_max_ms=400",
            "--set", "worker.retry_min_ms=100",
            "--set", "worker.retry_max_ms=800",
            "--set", "worker.http_timeout=10",
            "--set", "worker.kill_grace=2"]
    p = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                         preexec_fn=lambda: os.nice(10))
    note_pid(p)
    procs["worker-" + name] = p


def start_nginx(nport, dport):
    """nginx on 127.0.0.1:nport with the project's proxy locations in
    front of dataoptimd on dport: the http-level lines of
    deploy/nginx/dataoptim.conf (the login zone, the upstream) with the
    daemon's port, and deploy/nginx/dataoptim-proxy.conf included as it
    is.  Only the TLS server around them is left out."""
    site = open(os.path.join(C["root"], "deploy/nginx/dataoptim.conf")).read()
    zone = re.findall(r"^limit_req_zone .*$", site, re.M)
    upstream = re.search(r"^upstream dataoptimd \{.*?^\}", site, re.M | re.S)
    d = os.path.join(T, "nginx")
    os.makedirs(os.path.join(d, "logs"), exist_ok=True)
    conf = """
worker_processes 2;
pid %(d)s/nginx.pid;
error_log %(d)s/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path %(d)s/body;
    proxy_temp_path %(d)s/proxy;
    fastcgi_temp_path %(d)s/fastcgi;
    uwsgi_temp_path %(d)s/uwsgi;
    scgi_temp_path %(d)s/scgi;
    %(zone)s
    %(upstream)s
    server {
        listen 127.0.0.1:%(nport)d;
        include %(proxy)s;
    }
}
""" % {"d": d, "zone": "\n".join(zone),
       "upstream": upstream.group(0).replace("127.0.0.1:8080",
                                             "127.0.0.1:%d" % dport),
       "nport": nport,
       "proxy": os.path.join(C["root"], "deploy/nginx/dataoptim-proxy.conf")}
    if os.geteuid() == 0:
        conf = "user root;\n" + conf
    path = os.path.join(d, "nginx.conf")
    open(path, "w").write(conf)
    log = open(os.path.join(d, "logs", "stderr.log"), "a")
    p = subprocess.Popen(["nginx", "-p", d, "-c", path, "-g", "daemon off;"],
                         stdout=log, stderr=subprocess.STDOUT)
    note_pid(p)
    procs["nginx"] = p
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", nport), 0.2).close()
            return True
        except OSError:
            if p.poll() is not None:
                return False
            time.sleep(0.05)
    return False


def nul_header(token):
    """The status of a request whose Authorization has a NUL after a
    valid token (libmicrohttpd 0.9.75 hands the daemon the value cut at
    the NUL, so the front must refuse it)."""
    s = socket.create_connection(("127.0.0.1", C["port"]), 5)
    s.sendall(b"GET /api/v1/me HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
              + token.encode() + b"\0junk\r\nConnection: close\r\n\r\n")
    data = b""
    while True:
        c = s.recv(4096)
        if not c:
            break
        data += c
    s.close()
    parts = data.split(b" ", 2)
    return parts[1] if len(parts) > 1 else b"none"


# ---- HTTP clients -------------------------------------------------------

class Client:
    """One keep-alive connection from a given loopback address."""

    IDLE = 5    # seconds idle after which the connection is not reused

    def __init__(self, src="127.0.0.1", timeout=60):
        self.src, self.timeout, self.conn = src, timeout, None
        self.used = 0.0

    def request(self, method, path, body=None, headers=None):
        """(status, response headers, body bytes, seconds from the last
        byte sent to the answer).  Raises OSError / HTTPException when
        the connection fails (the connection is then dropped)."""
        if self.conn is not None and time.monotonic() - self.used > self.IDLE:
            # the server closes idle keep-alive connections (after
            # server.header_timeout): as a browser would, start afresh
            self.close()
        if self.conn is None:
            self.conn = http.client.HTTPConnection(
                C["host"], C["port"], timeout=self.timeout,
                source_address=(self.src, 0))
        try:
            self.conn.putrequest(method, path, skip_accept_encoding=True)
            h = dict(headers or {})
            if body is not None:
                h["Content-Length"] = str(len(body))
            for k, v in h.items():
                self.conn.putheader(k, v)
            self.conn.endheaders()
            if body is not None:
                self.conn.send(body)
            sent = time.monotonic()
            r = self.conn.getresponse()
            data = r.read()
            self.used = time.monotonic()
            took = self.used - sent
            if r.getheader("Connection", "").lower() == "close":
                self.close()
            return r.status, r, data, took
        except Exception:
            self.close()
            raise

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


# ---- the load -----------------------------------------------------------

stop_uploads = threading.Event()
board_on = threading.Event()
board_paused = threading.Event()
stop_boards = threading.Event()
uploads = []        # one dict per upload
inflight = [0]      # uploads on their way now
board_lat = []
board_errors = []


def uploader(i, start):
    team = C["teams"][i % len(C["teams"])]
    src = "127.0.0.%d" % (2 + i % len(C["teams"]))
    rnd = random.Random(i)
    byod = i % 4 == 3
    cl = Client(src)
    wave = WAVE
    k = 0
    while True:
        at = start + k * wave + 0.05 * (i % 5)
        now = time.time()
        if at > now:
            if stop_uploads.wait(at - now):
                break
        if stop_uploads.is_set():
            break
        k += 1
        if byod:
            body = open(C["byod"][rnd.randrange(len(C["byod"]))], "rb").read()
            path, ctype = "/api/v1/submissions?track=byod", "application/json"
        else:
            body = ("\n".join(rnd.sample(C["ids"], 50000)) + "\n").encode()
            path, ctype = "/api/v1/submissions?track=std", "text/plain"
        path += "&method_name=soak-%d-%d" % (i, k)
        key = uuid.uuid4().hex
        u = {"uploader": i, "team": team["name"], "key": key,
             "kind": "byod" if byod else "standard", "bytes": len(body),
             "sha256": hashlib.sha256(body).hexdigest(), "tries": 0,
             "started": time.time()}
        deadline = time.time() + 120
        with lock:
            inflight[0] += 1
        while time.time() < deadline:
            u["tries"] += 1
            try:
                st, r, data, took = cl.request(
                    "POST", path, body,
                    {"Authorization": "Bearer " + team["token"],
                     "Content-Type": ctype, "Idempotency-Key": key})
            except (OSError, http.client.HTTPException) as e:
                u.setdefault("conn_errors", []).append(str(e))
                time.sleep(0.3)
                continue
            if st in (200, 201):
                s = json.loads(data)["submission"]
                u.update(status=st, sub=s["id"], job=s["job"]["id"],
                         server_s=took, total_s=time.time() - u["started"],
                         replayed=r.getheader("Idempotent-Replayed") == "true")
                break
            if st == 502 and C["nginx"]:
                # nginx while the daemon restarts
                u.setdefault("conn_errors", []).append("nginx 502")
                time.sleep(0.3)
                continue
            u.update(status=st, error=data[:300].decode("utf-8", "replace"))
            break
        with lock:
            inflight[0] -= 1
            uploads.append(u)


BOARD = ["/api/v1/leaderboard?track=std", "/api/v1/leaderboard?track=byod"]
DASH = ["/api/v1/admin/workers", "/api/v1/admin/jobs?state=queued&limit=10",
        "/api/v1/admin/jobs?state=running&limit=50",
        "/api/v1/admin/jobs?state=failed&limit=10", "/api/v1/admin/tracks",
        "/api/v1/admin/stats?track=std", "/api/v1/admin/stats?track=byod"]


def boards():
    cl = Client("127.0.0.7", timeout=10)
    auth = {"Authorization": "Bearer " + C["admin_token"]}
    while not stop_boards.is_set():
        if not board_on.is_set():
            # the server is about to go away: no stale keep-alive
            # connection afterwards (a browser would retry on one)
            cl.close()
            board_paused.set()
            board_on.wait(0.2)
            continue
        board_paused.clear()
        t0 = time.time()
        for p in BOARD + DASH:
            try:
                st, _, data, took = cl.request(
                    "GET", p, headers=auth if p in DASH else None)
                board_lat.append(took)
                if st != 200:
                    board_errors.append("%s: %d %s" % (p, st, data[:200]))
            except (OSError, http.client.HTTPException) as e:
                board_errors.append("%s: %s" % (p, e))
        time.sleep(max(0.0, 1.0 - (time.time() - t0)))
    cl.close()


WRK_LUA = r"""
local jobs = {}
local i = 0
init = function(args)
    for line in io.lines(args[1]) do
        local tok, job = line:match("(%S+) (%S+)")
        jobs[#jobs + 1] = { tok, job }
    end
end
request = function()
    i = i % #jobs + 1
    return wrk.format("GET", "/api/v1/jobs/" .. jobs[i][2],
        { ["Authorization"] = "Bearer " .. jobs[i][1] })
end
done = function(s, lat, req)
    io.write(string.format("SOAK {\"requests\": %d, \"connect\": %d, " ..
        "\"read\": %d, \"write\": %d, \"timeout\": %d, \"status\": %d, " ..
        "\"p50\": %d, \"p99\": %d, \"max\": %d}\n", s.requests,
        s.errors.connect, s.errors.read, s.errors.write, s.errors.timeout,
        s.errors.status, lat:percentile(50), lat:percentile(99), lat.max))
end
"""


def wrk(seconds, jobs_file):
    lua = os.path.join(T, "poll.lua")
    open(lua, "w").write(WRK_LUA)
    out = subprocess.run(
        ["wrk", "-t2", "-c40", "-d%ds" % seconds, "--timeout", "5s",
         "-s", lua, C["url"], "--", jobs_file],
        capture_output=True, text=True)
    m = re.search(r"^SOAK (\{.*\})$", out.stdout, re.M)
    if not m:
        return {"error": out.stdout + out.stderr}
    return json.loads(m.group(1))


def db_query(sql, args=()):
    db = sqlite3.connect("file:%s?mode=ro" % C["db"], uri=True, timeout=30)
    try:
        return db.execute(sql, args).fetchall()
    finally:
        db.close()


# ---- the run ------------------------------------------------------------

PHASE = max(5, (C["seconds"] - 4) // 2)
# waves about every 12 s, one of them when the server restarts
WAVE = PHASE / max(2, round(PHASE / 12))


def main():
    C["host"] = "127.0.0.1"
    C["port"] = free_port()
    dport = free_port() if C["nginx"] else C["port"]
    C["url"] = "http://127.0.0.1:%d" % C["port"]
    phase = PHASE
    if not start_server(dport):
        tap(False, "dataoptimd starts", open(SERVER_LOG).read()[-2000:])
        return
    if C["nginx"]:
        tap(start_nginx(C["port"], dport),
            "nginx with deploy/nginx's proxy config starts in front")
        tap(nul_header(C["teams"][0]["token"]) == b"400",
            "nginx refuses a NUL inside a header value (Bearer TOKEN\\0junk): 400")
    # one small submission per team to poll from the start
    polled = []
    for t in C["teams"]:
        st, _, data, _ = Client().request(
            "POST", "/api/v1/submissions?track=std&method_name=poll",
            open(C["small"], "rb").read(),
            {"Authorization": "Bearer " + t["token"],
             "Content-Type": "text/plain"})
        if st == 201:
            polled.append((t["token"], json.loads(data)["submission"]["job"]["id"]))
    tap(len(polled) == len(C["teams"]), "each team's first submission is in")
    jobs_file = os.path.join(T, "poll-jobs.txt")
    open(jobs_file, "w").write("".join("%s %s\n" % p for p in polled))

    idle = wrk(10, jobs_file) if C["baseline"] else None
    start_worker("A")
    start_worker("B")
    rss = [0]

    def sample():
        while not stop_boards.is_set():
            p = procs.get("server")
            if p is not None:
                rss[0] = max(rss[0], rss_kb(p.pid, "VmRSS"))
            time.sleep(0.2)

    t0 = time.time()
    ths = [threading.Thread(target=uploader, args=(i, t0 + 0.5))
           for i in range(20)]
    ths.append(threading.Thread(target=boards))
    ths.append(threading.Thread(target=sample))
    board_on.set()
    for th in ths:
        th.start()

    # phase 1, with worker A killed and restarted in its middle
    res = []
    killer = threading.Timer(phase / 2, lambda: (
        procs["worker-A"].kill(), procs["worker-A"].wait(),
        start_worker("A")))
    killer.start()
    res.append(wrk(phase, jobs_file))
    killer.join()

    # the restart
    board_on.clear()
    board_paused.wait(10)
    # SIGTERM while a wave of uploads is on its way
    until = time.time() + WAVE + 2
    while inflight[0] < 5 and time.time() < until:
        time.sleep(0.01)
    at_sigterm = inflight[0]
    down = time.time()
    stop_server()
    restarted = start_server(dport)
    downtime = time.time() - down
    board_on.set()

    # phase 2
    if restarted:
        res.append(wrk(phase, jobs_file))
    stop_uploads.set()
    for th in ths[:20]:
        th.join()
    load_s = time.time() - t0

    # every job ends
    deadline = time.time() + C["drain"]
    while time.time() < deadline:
        left = db_query("SELECT count(*) FROM jobs WHERE state IN "
                        "('queued', 'running')")[0][0]
        if left == 0:
            break
        time.sleep(0.5)
    drained = time.time()
    stop_boards.set()
    for th in ths[20:]:
        th.join()
    for w in ("worker-A", "worker-B"):
        procs[w].send_signal(signal.SIGTERM)
        procs[w].wait()
    rss[0] = max(rss[0], rss_kb(procs["server"].pid, "VmRSS"))
    stop_server()
    if C["nginx"]:
        procs["nginx"].send_signal(signal.SIGQUIT)
        procs["nginx"].wait()

    report(res, restarted, downtime, at_sigterm, load_s, left, drained - t0,
           max(rss[0], server_rss_peak[0]))
    if idle and "requests" in idle and res and "requests" in res[0]:
        under = sum(r.get("requests", 0) for r in res) / (len(res) * PHASE)
        figure("baseline, the same 40 pollers on the idle server for 10 s: "
               "%.0f req/s, p99 %.2f ms; polls under load / idle = %.2f" % (
                   idle["requests"] / 10, idle["p99"] / 1e3,
                   under / (idle["requests"] / 10)))


def report(res, restarted, downtime, at_sigterm, load_s, left, total_s,
           rss_peak):
    log = open(SERVER_LOG).read()
    tap(restarted and at_sigterm >= 5, "SIGTERM with %d uploads on their "
        "way: dataoptimd stops and starts again on its port (%.1f s away)"
        % (at_sigterm, downtime))
    tap(server_exits == [0, 0], "dataoptimd exits 0 on both SIGTERMs",
        repr(server_exits))
    errs = [r for r in res if "error" in r]
    tap(not errs and len(res) == 2, "40 keep-alive pollers ran in both phases",
        "\n".join(r.get("error", "") for r in errs))
    sock = sum(r.get(k, 0) for r in res
               for k in ("connect", "read", "write", "timeout"))
    tap(sock == 0, "pollers: 0 socket errors", json.dumps(res))
    tap(sum(r.get("status", 0) for r in res) == 0,
        "pollers: every answer 2xx", json.dumps(res))
    tap("connection limit" not in log and "too_many_connections" not in log,
        "no connection-limit message, no 503 for the per-address limit")

    bad = [u for u in uploads if u.get("status") not in (200, 201)]
    tap(len(uploads) >= 40 and not bad,
        "%d uploads from 20 clients, every one answered 201" % len(uploads),
        "\n".join(json.dumps(u) for u in bad[:5]))
    subs = [u["sub"] for u in uploads if "sub" in u]
    tap(len(set(subs)) == len(subs),
        "a retried upload (same Idempotency-Key) never made a second "
        "submission (%d retried)" % sum(1 for u in uploads if u["tries"] > 1))
    n_db = db_query("SELECT count(*) FROM submissions WHERE method_name "
                    "LIKE 'soak-%'")[0][0]
    tap(n_db == len(subs), "the database holds each accepted upload once "
        "(%d rows, %d accepted)" % (n_db, len(subs)))

    rows = {r[0]: r[1:] for r in db_query(
        "SELECT s.id, s.sha256, s.file_name, j.state, j.id, "
        "(SELECT count(*) FROM scores c WHERE c.submission_id = s.id) "
        "FROM submissions s JOIN jobs j ON j.submission_id = s.id")}
    missing = []
    for u in uploads:
        if "sub" not in u:
            continue
        r = rows.get(u["sub"])
        path = os.path.join(C["state"], "submissions", r[1]) if r else None
        if r is None or r[0] != u["sha256"] or not os.path.isfile(path):
            missing.append(u["sub"])
        else:
            with open(path, "rb") as f:
                if hashlib.sha256(f.read()).hexdigest() != u["sha256"]:
                    missing.append(u["sub"])
    tap(not missing, "every accepted upload's file is on disk, byte for "
        "byte what the client sent", " ".join(missing[:10]))
    tap(left == 0, "every job ended within %d s of the load" % C["drain"],
        "%d still queued or running" % left)
    unscored = [s for s, r in rows.items() if r[2] != "succeeded" or r[4] < 1]
    tap(not unscored, "every submission's job succeeded and has scores",
        "\n".join("%s %s" % (s, rows[s][2]) for s in unscored[:10]))
    wlog = ""
    for n in ("A", "B"):
        wlog += open(os.path.join(T, "worker-%s.log" % n)).read()
    twice = [r[3] for r in rows.values()
             if len(re.findall(r"job %s attempt \d+: result delivered" %
                               re.escape(r[3]), wlog)) != 1]
    tap(not twice, "every job's result was delivered exactly once",
        " ".join(twice[:10]))
    ic = db_query("PRAGMA integrity_check")
    tap(ic == [("ok",)], "PRAGMA integrity_check: ok", repr(ic[:5]))

    # the server's own time for each request once it was in (the access
    # log's 7th field), but for the files it sends (the worker's
    # download of a submission: its time is the transfer)
    slow = []
    for m in re.finditer(r"^\S+ (\S+) (\S+) \d+ \d+ [0-9.]+ ([0-9.]+) ",
                         log, re.M):
        if float(m.group(3)) >= 1000 and not m.group(2).endswith(
                ("/submission", "/file")):
            slow.append(m.group(0))
    pmax = max([r.get("max", 0) for r in res] or [0]) / 1e6
    bmax = max(board_lat or [0])
    tap(pmax < 1 and bmax < 1 and not slow,
        "no request slower than 1 s (polls at most %.3f s, boards %.3f s, "
        "in the server's log %d)" % (pmax, bmax, len(slow)),
        "\n".join(slow[:10]))
    tap(not board_errors, "the leaderboards and the dashboard answered "
        "200 every second (%d fetches)" % len(board_lat),
        "\n".join(board_errors[:10]))
    tap(rss_peak < C["rss_limit_kb"], "server RSS stays under %d MB (peak "
        "%.0f MB)" % (C["rss_limit_kb"] // 1024, rss_peak / 1024))
    san = re.compile(r"ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:")
    tap(not san.search(log) and not san.search(wlog),
        "no sanitizer report from the server or the workers")

    polls = sum(r.get("requests", 0) for r in res)
    nbytes = sum(u["bytes"] for u in uploads if "sub" in u)
    ok_jobs = len(rows) - len(unscored)
    figure("soak %s: %d s of load, %d requests (%d polls, %d board/dashboard "
           "fetches, %d uploads)" % ("behind nginx" if C["nginx"] else
                                      "direct", round(load_s), polls +
                                      len(board_lat) + len(uploads), polls,
                                      len(board_lat), len(uploads)))
    for k, r in enumerate(res):
        if "p50" in r:
            figure("phase %d polls: %.0f req/s, p50 %.2f ms, p99 %.2f ms, "
                   "max %.1f ms" % (k + 1, r["requests"] / PHASE,
                                    r["p50"] / 1e3, r["p99"] / 1e3,
                                    r["max"] / 1e3))
    ups = sorted(float(w) for w in re.findall(
        r"^\S+ POST /api/v1/submissions 201 \d+ [0-9.]+ ([0-9.]+) ", log, re.M))
    tot = sorted(u["total_s"] for u in uploads if "sub" in u)
    if ups and tot:
        figure("uploads: %.2f/s, %.0f MB in all, each %.2f s p50, %.2f s max "
               "(20 at once); the server's answer once the body was in: p50 "
               "%.0f ms, max %.0f ms; %d tried again (the server away)" % (
                   len(tot) / load_s, nbytes / 1e6, tot[len(tot) // 2],
                   tot[-1], ups[len(ups) // 2], ups[-1],
                   sum(1 for u in uploads if u["tries"] > 1)))
    figure("scored: %d jobs, %.2f/s from the first upload to the last "
           "result; server peak RSS %.0f MB" % (ok_jobs, ok_jobs / total_s,
                                                rss_peak / 1024))


try:
    main()
finally:
    for p in procs.values():
        if p.poll() is None:
            p.kill()
            p.wait()
print("1..%d" % N)
sys.exit(1 if fails else 0)
