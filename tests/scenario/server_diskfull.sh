#!/bin/sh
# A full disk (issue 9, item 10), on a small tmpfs holding the state
# directory and the database: an upload that fills the disk is answered
# 507 storage_full (not a dropped connection), a small one when nothing is
# left too; /healthz says "degraded" and why while the free space is under
# storage.min_free_mb, and everything works again once space is freed.
# Needs root to mount the tmpfs; skipped (and says so) where that fails.
. "$(dirname "$0")/lib/server_env.sh"

SMALL=$T/small
mkdir -p "$SMALL"
if ! mount -t tmpfs -o size=24m tmpfs "$SMALL" 2>"$T/mount.log"; then
	echo "ok 1 # skip: cannot mount a tmpfs here ($(head -n 1 "$T/mount.log"))"
	echo "1..1"
	exit 0
fi
ds_cleanup() {
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill -KILL "$PID" 2>/dev/null
		wait "$PID" 2>/dev/null
	fi
	PID=""
	umount "$SMALL" 2>/dev/null || umount -l "$SMALL" 2>/dev/null
	cleanup
}
trap ds_cleanup EXIT

make_pool || { echo "not ok 1 - pool"; exit 1; }
# the state directory and the database on the tmpfs
mkdir -p "$SMALL/state"
ln -s "$SMALL/state" "$T/state"
setup_db || { echo "not ok 1 - setup"; exit 1; }
start_server --set storage.min_free_mb=8 || exit 1
AUTH_A="Authorization: Bearer $TA"
STD=$SHARED/example-standard.txt
hz() { req GET /healthz; }

hz
expect 200 "/healthz with room: 200"
check "... storage ok, its free space shown" jtrue 'd["status"] == "ok" and d["storage"]["ok"] and d["storage"]["free_mb"] > 8'

# an upload bigger than the disk
python3 -c 'import sys; sys.stdout.write("coco_1\n" * (40 * 1024 * 1024 // 7))' >"$T/big.txt"
req POST "/api/v1/submissions?track=std&method_name=big" -H "$AUTH_A" \
    -H 'Content-Type: text/plain' --data-binary @"$T/big.txt"
expect 507 "an upload that fills the disk: 507"
check "... storage_full, saying so" jtrue 'd["error"]["code"] == "storage_full" and "disk is full" in d["error"]["message"]'
check "... its temporary file is gone" sh -c "[ -z \"\$(ls '$SMALL/state/tmp')\" ]"

# nothing left at all: a small upload too
dd if=/dev/zero of="$SMALL/filler" bs=1M count=64 2>/dev/null
hz
expect 503 "/healthz on a full disk: 503"
check "... degraded, naming the storage" jtrue 'd["status"] == "degraded" and not d["storage"]["ok"] and any("storage" in p for p in d["problems"])'
req POST "/api/v1/submissions?track=std&method_name=small" -H "$AUTH_A" \
    -H 'Content-Type: text/plain' --data-binary @"$STD"
expect 507 "a small upload on a full disk: 507"
req GET /api/v1/tracks
expect 200 "reading still works: 200"

# space again
rm -f "$SMALL/filler"
hz
expect 200 "/healthz after space is freed: 200"
req POST "/api/v1/submissions?track=std&method_name=small" -H "$AUTH_A" \
    -H 'Content-Type: text/plain' --data-binary @"$STD"
expect 201 "an upload after space is freed: 201"
check "the database is intact" sh -c "[ \"\$(sqlite3 '$DB' 'PRAGMA integrity_check')\" = ok ]"
check "the server is alive" curl -fsS -o /dev/null --max-time 5 "$URL/healthz"
check "no sanitizer report in the server log" no_sanitizer_errors
echo "1..$N"
