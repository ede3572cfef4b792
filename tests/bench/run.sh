#!/bin/sh
# make bench: the foundation's figures at scale 1 (and the Python baseline
# at scale 0.1), the later table's pool at LATER_SCALE (default 1), then
# the server's (tests/bench/server.sh) and the soak (tests/scenario/soak*.sh,
# SOAK_SECONDS of load).
# Work files go to $BENCH_DIR (default /tmp/dataoptim-bench; needs ~12 GB,
# and ~4.5 GB more for the later table at S = 1).
set -eu
cd "$(dirname "$0")/../.."
B=${BENCH_DIR:-/tmp/dataoptim-bench}
BIN=bin
mkdir -p "$B"
make --no-print-directory build/rel/bench_pool build/rel/bench_preflight >/dev/null
BP=build/rel/bench_pool
now() { date +%s.%N; }
secs() { echo "$2 - $1" | bc -l | xargs printf '%.3f'; }
# peak RSS (MB) and wall seconds of a command: sets T and M
timed() { /usr/bin/time -f '%e %M' -o "$B/time.txt" "$@" >/dev/null; T=$(cut -d' ' -f1 "$B/time.txt"); M=$(awk '{printf "%.1f", $2/1024}' "$B/time.txt"); }

rows=""
row() { rows="$rows$(printf '| %-44s | %14s | %-22s |' "$1" "$2" "$3")\n"; }

# 1. synthetic pools (deterministic: the same bytes every run)
timed $BIN/dataoptim pool synth --out "$B/s1" --scale 1 --seed 1
row "pool synth, S = 1 (6,368,230 samples)" "${T} s" "$(du -sh "$B/s1/data" | cut -f1) of JSON"
[ -f "$B/s01/val.json" ] || $BIN/dataoptim pool synth --out "$B/s01" --scale 0.1 --seed 1 >/dev/null

# 2. pool build at S = 1
timed $BIN/dataoptim pool build --data "$B/s1/data" --out "$B/s1/pool.idx"
row "pool build, S = 1" "${T} s" "index $(du -m "$B/s1/pool.idx" | cut -f1) MB, RSS ${M} MB"
$BIN/dataoptim pool build --data "$B/s01/data" --out "$B/s01/pool.idx" >/dev/null

# 3. standard validation of 1,000,000 random IDs (target <= 0.5 s, <= 150 MB)
$BP pick "$B/s1/pool.idx" 1000000 7 "$B/ids1m.txt"
$BIN/dataoptim validate --pool "$B/s1/pool.idx" --kind standard "$B/ids1m.txt" >/dev/null # warm the page cache
timed $BIN/dataoptim validate --pool "$B/s1/pool.idx" --kind standard "$B/ids1m.txt"
VT=$T
VM=$($BP mem "$B/s1/pool.idx" "$B/ids1m.txt" | cut -d' ' -f3)
row "validate 1,000,000 IDs, S = 1 (<= 0.5 s)" "${VT} s" "RSS outside index ${VM} MB (<= 150)"

# 4. materialize 100,000 IDs (target <= 1 s)
$BP pick "$B/s1/pool.idx" 100000 8 "$B/ids100k.txt"
timed $BIN/dataoptim materialize --pool "$B/s1/pool.idx" --ids "$B/ids100k.txt" --out "$B/m100k.json"
row "materialize 100,000 IDs, S = 1 (<= 1 s)" "${T} s" "$(du -m "$B/m100k.json" | cut -f1) MB written"

# 5. BYOD validation of a ~1 GB file (target >= 100 MB/s, RSS <= 64 MB)
if [ ! -f "$B/byod1g.json" ] || [ "$(stat -c %s "$B/byod1g.json")" -lt 1073741824 ]; then
	$BP pick "$B/s1/pool.idx" 3400000 9 "$B/ids-byod.txt"
	$BIN/dataoptim materialize --pool "$B/s1/pool.idx" --ids "$B/ids-byod.txt" --out "$B/byod1g.json" >/dev/null
fi
SZ=$(stat -c %s "$B/byod1g.json")
cat "$B/byod1g.json" >/dev/null
timed $BIN/dataoptim validate --pool "$B/s1/pool.idx" --kind byod "$B/byod1g.json"
RATE=$(echo "$SZ / 1048576 / $T" | bc -l | xargs printf '%.0f')
set -- $($BP memfile byod "$B/s1/pool.idx" "$B/byod1g.json")
row "validate BYOD $(echo "$SZ/1048576" | bc) MB, $1 items (>= 100 MB/s)" "${RATE} MB/s" "peak RSS ${M} MB (<= 64), outside index $3 MB, $2 errors"

# 6. the same subset tasks the get_subset_from_ids.py way, at S = 0.1
$BP pick "$B/s01/pool.idx" 100000 10 "$B/ids01-100k.txt"
$BP pick "$B/s01/pool.idx" 10000 11 "$B/ids01-10k.txt"
timed $BIN/dataoptim validate --pool "$B/s01/pool.idx" --kind standard "$B/ids01-100k.txt"; OV=$T
timed python3 tests/bench/get_subset_baseline.py validate "$B/s01/data" "$B/ids01-100k.txt"; PV=$T; PVM=$M
timed $BIN/dataoptim materialize --pool "$B/s01/pool.idx" --ids "$B/ids01-10k.txt" --out "$B/m01.json"; OM=$T
timed python3 tests/bench/get_subset_baseline.py materialize "$B/s01/data" "$B/ids01-10k.txt" "$B/m01py.json"; PM=$T; PMM=$M
ratio() { echo "$1 / ($2 + 0.0005)" | bc -l | xargs printf '%.0fx'; }
row "S = 0.1: validate 100,000 IDs, ours vs Python" "${OV} / ${PV} s" "$(ratio "$PV" "$OV") faster (Py RSS ${PVM} MB)"
row "S = 0.1: materialize 10,000 IDs, ours vs Python" "${OM} / ${PM} s" "$(ratio "$PM" "$OM") faster (Py RSS ${PMM} MB)"

# 7. the later README's table (pool synth --table later: 25 files in
# subfolders, datasets by ID prefix), at LATER_SCALE
L=${LATER_SCALE:-1}
timed $BIN/dataoptim pool synth --out "$B/l$L" --scale "$L" --seed 1 --table later
row "pool synth --table later, S = $L" "${T} s" "$(du -sh "$B/l$L/data" | cut -f1) of JSON"
timed $BIN/dataoptim pool build --data "$B/l$L/data" --out "$B/l$L/pool.idx"
row "later: pool build, S = $L" "${T} s" "index $(du -m "$B/l$L/pool.idx" | cut -f1) MB, RSS ${M} MB"
$BP pick "$B/l$L/pool.idx" 1000000 7 "$B/l-ids1m.txt"
$BIN/dataoptim validate --pool "$B/l$L/pool.idx" --kind standard "$B/l-ids1m.txt" >/dev/null
timed $BIN/dataoptim validate --pool "$B/l$L/pool.idx" --kind standard "$B/l-ids1m.txt"
row "later: validate 1,000,000 IDs, S = $L" "${T} s" "RSS outside index $($BP mem "$B/l$L/pool.idx" "$B/l-ids1m.txt" | cut -d' ' -f3) MB"
$BP pick "$B/l$L/pool.idx" 100000 8 "$B/l-ids100k.txt"
timed $BIN/dataoptim materialize --pool "$B/l$L/pool.idx" --ids "$B/l-ids100k.txt" --out "$B/l-m100k.json"
row "later: materialize 100,000 IDs, S = $L" "${T} s" "$(du -m "$B/l-m100k.json" | cut -f1) MB written"

# 8. the worker's preflight of 100,000 images on local disk (page cache
# warm): the training file read, every image opened and its first bytes
# checked, 4 chunks at a time on libuv's pool; and the same in Python
[ -f "$B/pf100k/data.json" ] || python3 tests/bench/preflight_baseline.py make "$B/pf100k" 100000
build/rel/bench_preflight "$B/pf100k/data.json" "$B/pf100k/images" >/dev/null
timed build/rel/bench_preflight "$B/pf100k/data.json" "$B/pf100k/images"; OP=$T
timed python3 tests/bench/preflight_baseline.py check "$B/pf100k/data.json" "$B/pf100k/images"; PP=$T
row "preflight 100,000 images, ours vs Python" "${OP} / ${PP} s" "$(ratio "$PP" "$OP") faster"

# 9. the scorer on 5,000 vqa answers, and the same in Python (both whole
# runs, process start included; tests/bench/score.sh checks that both
# give the same accuracy)
rows="$rows$(sh tests/bench/score.sh)\n"

printf '| %-44s | %14s | %-22s |\n' "foundation benchmark ($(nproc) cores)" "figure" "notes"
printf '|%s|%s|%s|\n' "----------------------------------------------" "----------------" "------------------------"
printf "$rows"

if [ -f tests/bench/server.sh ]; then
	sh tests/bench/server.sh
fi

# the competition-day soak (tests/scenario/soak.sh), SOAK_SECONDS (300) of
# load, direct and behind deploy/nginx, each after a 10 s idle baseline
S=${SOAK_SECONDS:-300}
for s in soak soak_nginx; do
	echo "$s, $S s of load:"
	SOAK_SECONDS=$S SOAK_BASELINE=1 DO_BIN=bin sh tests/scenario/$s.sh |
	    grep -E '^(not ok|#:)' | sed 's/^#: /  /'
done
