#!/usr/bin/env python3
"""A hostile stand-in for dataoptimd's worker routes, for worker_harden.sh.
It hands out, claim after claim, the jobs of JOBS below (BYOD, attempt 1),
each with its own way of lying, then answers 204.  Every request the
worker makes is written as one JSON line to the log file: the claims, the
downloads (bytes sent, how they ended, how long they took), the
heartbeats and the results with their bodies.  Listens on a free
127.0.0.1 port (written to PORT_FILE) and exits after LIFETIME seconds
whatever happens.  Usage: hostile_server.py PORT_FILE LOG_FILE LIFETIME.
Standard library only."""
import hashlib
import http.server
import json
import os
import sys
import threading
import time

# The submission every job announces: its size and SHA-256 go in the claim.
PAYLOAD = (b'[{"id": "h1", "image": "x.jpg", "conversations": '
           b'[{"from": "human", "value": "<image>\\nWhat is it?"}, '
           b'{"from": "gpt", "value": "a cat"}]}]\n')
PAYLOAD = PAYLOAD + b' ' * (251 - len(PAYLOAD))
assert len(PAYLOAD) == 251
SHA = hashlib.sha256(PAYLOAD).hexdigest()
WRONG = PAYLOAD[:-2] + b'!\n'           # the right size, other bytes
SHORT = 100                             # bytes of the short body
CHUNK = 64 << 10                        # bytes per chunk of the endless one
ENDLESS_CAP = 64 << 20                  # the endless body stops here
BIGLEN = 8 << 20                        # bytes of the over-long one
PAD = 2 << 20                           # bytes of padding of a big answer
RESULT_PAD = 5 << 20                    # ... of the big result answer

# id: (what the download does, how the claim is answered, how heartbeats
# are answered, whether the claim carries size_bytes and sha256, how the
# result is answered)
JOBS = [
    ('endless', 'endless', 'plain', 'plain', True, 'plain'),
    ('biglen', 'biglen', 'plain', 'plain', True, 'plain'),
    ('wrong', 'wrong', 'plain', 'plain', True, 'plain'),
    ('short', 'short', 'plain', 'plain', True, 'plain'),
    ('bigclaim', 'good', 'big', 'plain', True, 'plain'),
    ('good', 'good', 'plain', 'plain', True, 'big'),
    ('oldsrv', 'good', 'plain', 'big', False, 'plain'),
]
BY_ID = {j[0]: j for j in JOBS}

lock = threading.Lock()
queue = list(JOBS)


def log(ev, **kw):
    kw['ev'] = ev
    kw['t'] = time.time()
    with lock:
        with open(LOG, 'a') as f:
            f.write(json.dumps(kw) + '\n')


def claim_body(job):
    jid, _, _, _, announce, _ = job
    sub = {'id': 's_' + jid, 'kind': 'byod', 'n_samples': 1,
           'set_hash': 'x', 'method_name': 'm',
           'download': '/api/v1/worker/jobs/%s/submission' % jid}
    if announce:
        sub['size_bytes'] = len(PAYLOAD)
        sub['sha256'] = SHA
    return {'job': {'id': jid, 'attempt': 1, 'lease_seconds': 60,
                    'lease_expires_at': '2030-01-01T00:00:00Z',
                    'submission': sub,
                    'track': {'slug': 'byod', 'kind': 'byod',
                              'budget': 1000, 'metric': 'overall'}}}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'

    def log_message(self, fmt, *args):
        pass

    def send(self, code, obj=None, chunked=False):
        data = b'' if obj is None else json.dumps(obj).encode()
        self.send_response(code)
        self.send_header('Content-Type', 'application/json')
        if chunked:
            self.send_header('Transfer-Encoding', 'chunked')
            self.end_headers()
            try:
                for i in range(0, len(data), CHUNK):
                    part = data[i:i + CHUNK]
                    self.wfile.write(b'%x\r\n%s\r\n' % (len(part), part))
                self.wfile.write(b'0\r\n\r\n')
            except OSError:
                self.close_connection = True
            return
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except OSError:
            self.close_connection = True

    def body(self):
        n = int(self.headers.get('Content-Length') or 0)
        raw = self.rfile.read(n) if n else b''
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return raw.decode('utf-8', 'replace')

    def do_POST(self):
        parts = self.path.split('?')[0].strip('/').split('/')
        body = self.body()
        if parts == ['api', 'v1', 'worker', 'claim']:
            with lock:
                job = queue.pop(0) if queue else None
            if job is None:
                log('claim', job=None)
                self.send(204)
                return
            log('claim', job=job[0])
            o = claim_body(job)
            if job[2] == 'big':
                # valid JSON, a real job, too big to read: chunked, so
                # that only the bytes arriving can tell
                o['job']['pad'] = 'x' * PAD
                self.send(200, o, chunked=True)
            else:
                self.send(200, o)
            return
        if len(parts) == 6 and parts[:4] == ['api', 'v1', 'worker', 'jobs']:
            jid, what = parts[4], parts[5]
            log(what, job=jid, body=body)
            job = BY_ID.get(jid)
            if what == 'heartbeat' and job and job[3] == 'big':
                # a cancel the worker must not read: over its limit
                self.send(200, {'cancelled': True, 'lease_seconds': 60,
                                'pad': 'x' * PAD})
            elif what == 'heartbeat':
                self.send(200, {'cancelled': False, 'lease_seconds': 60})
            elif what == 'result' and job and job[5] == 'big':
                # taken, with a job whose log tail is huge: the worker
                # needs the status only
                self.send(200, {'job': {'id': jid, 'log_tail': 'x' *
                                        RESULT_PAD}, 'duplicate': False},
                          chunked=True)
            elif what == 'result':
                self.send(200, {'job': {'id': jid}, 'duplicate': False})
            else:
                self.send(200, {})
            return
        self.send(404, {'error': 'not_found'})

    def do_GET(self):
        parts = self.path.split('?')[0].strip('/').split('/')
        if not (len(parts) == 6 and parts[5] == 'submission' and
                parts[4] in BY_ID):
            self.send(404, {'error': 'not_found'})
            return
        jid = parts[4]
        how = BY_ID[jid][1]
        t0 = time.time()
        sent, ended = 0, 'done'
        self.send_response(200)
        self.send_header('Content-Type', 'application/octet-stream')
        try:
            if how == 'endless':
                self.send_header('Transfer-Encoding', 'chunked')
                self.end_headers()
                chunk = b'x' * CHUNK
                while sent < ENDLESS_CAP:
                    self.wfile.write(b'%x\r\n%s\r\n' % (CHUNK, chunk))
                    sent += CHUNK
                self.wfile.write(b'0\r\n\r\n')
                ended = 'cap'
            elif how == 'biglen':
                # says so in its Content-Length
                self.send_header('Content-Length', str(BIGLEN))
                self.end_headers()
                chunk = b'y' * CHUNK
                while sent < BIGLEN:
                    self.wfile.write(chunk)
                    sent += CHUNK
            else:
                data = {'wrong': WRONG, 'short': PAYLOAD[:SHORT]}.get(
                    how, PAYLOAD)
                self.send_header('Content-Length', str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                sent = len(data)
        except OSError:
            ended = 'client'        # the worker hung up
            self.close_connection = True
        log('download', job=jid, sent=sent, ended=ended,
            secs=round(time.time() - t0, 3))


def main():
    global LOG
    port_file, LOG, lifetime = sys.argv[1], sys.argv[2], float(sys.argv[3])
    open(LOG, 'w').close()
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    with open(port_file + '.tmp', 'w') as f:
        f.write('%d\n' % srv.server_address[1])
    os.rename(port_file + '.tmp', port_file)
    time.sleep(lifetime)
    os._exit(0)


if __name__ == '__main__':
    main()
