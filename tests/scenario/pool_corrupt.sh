#!/bin/sh
# Issue 9, item 7: a corrupted pool index is noticed.  4 KB overwritten in
# the middle of pool.idx, or an index of an old format version: dataoptimd
# and dataoptim-worker refuse to start, naming the file and the section (or
# the version) and how to rebuild; the intact index still serves.
. "$(dirname "$0")/lib/worker_env.sh"

make_pool 0.001 || { echo "not ok 1 - pool"; exit 1; }
mkdir -p "$T/state"
"$DO" migrate --db "$DB" >/dev/null || { echo "not ok 1 - migrate"; exit 1; }

# corrupt FILE: overwrite 4 KB in its middle with 0xa5 bytes
corrupt() {
	_size=$(stat -c %s "$1")
	head -c 4096 /dev/zero | tr '\000' '\245' |
	    dd of="$1" bs=4096 seek=$((_size / 2 - 2048)) oflag=seek_bytes \
	    conv=notrunc 2>/dev/null
}
# dod_refuses INDEX LOG: dataoptimd with this pool index must exit (not
# listen); at most 30 s
dod_refuses() {
	timeout 30 "$DOD" --listen 127.0.0.1:0 --db "$DB" --state-dir "$T/state" \
	    --pool "$1" --static-dir "$ROOT/static" >"$2" 2>&1
	_rc=$?
	[ "$_rc" -ne 0 ] && [ "$_rc" -ne 124 ] && ! grep -q 'listening on port' "$2"
}

start_server || exit 1
req GET /healthz
check "the intact index: the server starts and reports the pool loaded" \
    jtrue 'd["pool"]["loaded"] and d["pool"]["ids"] > 6000'
stop_server

cp "$POOL" "$T/bad.idx"
corrupt "$T/bad.idx"
check "4 KB overwritten: dataoptimd refuses to start" dod_refuses "$T/bad.idx" "$T/bad.log"
check "... naming the file and the section" \
    grep -q "pool $T/bad.idx: $T/bad.idx: section '[a-z-]*' is corrupted (checksum mismatch); rebuild the index with 'dataoptim pool build'" "$T/bad.log"
sed 's/^/#   /' "$T/bad.log" | head -3
# (a worker that starts retries the unreachable server: 30 s at most)
timeout 30 "$DOW" --server http://127.0.0.1:1 --token t --val "$VAL" \
    --pool "$T/bad.idx" >"$T/wbad.log" 2>&1
rc=$?
check "... and so does dataoptim-worker (exit $rc)" \
    sh -c "[ $rc -ne 0 ] && [ $rc -ne 124 ] && grep -q \"$T/bad.idx: section '[a-z-]*' is corrupted (checksum mismatch)\" '$T/wbad.log'"

# an index of format version 1 (the version is the u32 after the magic)
cp "$POOL" "$T/old.idx"
printf '\001\000\000\000' | dd of="$T/old.idx" bs=1 seek=8 conv=notrunc 2>/dev/null
check "an old-version index: dataoptimd refuses to start" dod_refuses "$T/old.idx" "$T/old.log"
check "... saying how to rebuild it" \
    grep -q "pool index format version 1, .*rebuild it with 'dataoptim pool build'" "$T/old.log"
# format version 2 (before files were recorded apart from datasets)
printf '\002\000\000\000' | dd of="$T/old.idx" bs=1 seek=8 conv=notrunc 2>/dev/null
check "a version 2 index: dataoptimd refuses to start" dod_refuses "$T/old.idx" "$T/old2.log"
check "... naming both versions and how to rebuild it" \
    grep -q "pool index format version 2, this program reads version 3 .*rebuild it with 'dataoptim pool build'" "$T/old2.log"

start_server || exit 1
req GET /healthz
expect 200 "the intact index still serves"
check "no sanitizer report in the server log" no_sanitizer_errors
stop_server

echo "1..$N"
