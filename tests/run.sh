#!/bin/sh
# Run every test program of both builds (plain, then ASan+UBSan) in TAP
# mode and print one closing line: "N passed, N failed".
#
# The unit test groups (build/*/tests/test_unit GROUP, one per group of
# tests/unit/test-list.h) and the scenario scripts (tests/scenario/*.sh:
# real programs on loopback ports of their own) run TEST_JOBS at a time
# (default: twice the number of cores: many of them wait on timers and
# children more than they compute; none depends on a short lease holding
# under load), the longest
# first by the last run's times (build/test-times); a script whose header
# has the line "# test: alone" (a load test that measures latency) runs
# after the others, by itself.  Each test's result is printed when it
# ends, with a passing scenario's figures ("#: " lines) and a failing
# one's log tail.  A script that prints TAP's "1..0 # SKIP REASON" (and no
# ok / not ok line) and exits 0 was skipped as a whole: it prints as
# "skip NAME: REASON" and counts neither passed nor failed.
#
#   tests/run.sh                 everything
#   tests/run.sh --one V K T     one test (V: rel|san, K: unit|scenario,
#                                T: a group or a script); used by the
#                                runner itself
cd "$(dirname "$0")/.." || exit 2
export DATAOPTIM_SHARED="${DATAOPTIM_SHARED:-$(cd .. && pwd)/shared/dataoptim}"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

# --one VARIANT KIND PATH: run it, print its block under the lock, and
# leave "PASSED FAILED SECONDS NAME" in $RUN_DIR/NAME.res
one() {
	variant=$1; kind=$2; t=$3
	name="$variant/$(basename "$t")"
	[ "$kind" = unit ] && name="$variant/unit:$t"
	file=$RUN_DIR/$(echo "$name" | tr / _)
	if [ "$variant" = rel ]; then DO_BIN=bin; else DO_BIN=build/san/bin; fi
	export DO_BIN
	t0=$(date +%s%N)
	if [ "$kind" = unit ]; then
		CMOCKA_MESSAGE_OUTPUT=TAP "build/$variant/tests/test_unit" \
		    "$t" >"$file.log" 2>&1
	else
		timeout 900 sh "$t" >"$file.log" 2>&1
	fi
	rc=$?
	secs=$(( ($(date +%s%N) - t0) / 1000000000 ))
	p=$(grep -c '^ok ' "$file.log"); f=$(grep -c '^not ok ' "$file.log")
	# crashed, or exited non-zero outside a test
	[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
	# the whole script skipped: TAP's "1..0 # SKIP REASON", exit 0, no
	# ok / not ok line
	skip=""
	if [ "$rc" -eq 0 ] && [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then
		skip=$(sed -n 's/^1\.\.0 *# *[Ss][Kk][Ii][Pp]:* *//p' "$file.log" | head -n 1)
		grep -q '^1\.\.0 *# *[Ss][Kk][Ii][Pp]' "$file.log" && : >"$file.skip"
	fi
	{
		if [ "$f" -ne 0 ]; then
			echo "FAIL $name (exit $rc, ${secs} s)"
			# the failed checks with what they printed, then the end
			grep -A 8 '^not ok ' "$file.log" | head -n 60 | sed 's/^/    /'
			echo "    ... the end of its output:"
			sed 's/^/    /' "$file.log" | tail -n 30
		elif [ -f "$file.skip" ]; then
			echo "skip $name: ${skip:-no reason given} (${secs} s)"
		else
			echo "ok   $name: $p passed (${secs} s)"
			grep '^#: ' "$file.log" | sed 's/^#: /       /'
		fi
	} >"$file.out"
	flock "$RUN_DIR/lock" cat "$file.out"
	echo "$p $f $secs $name" >"$file.res"
}
if [ "${1:-}" = --one ]; then
	shift
	one "$@"
	exit 0
fi

RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/do-tests.XXXXXX")
export RUN_DIR
trap 'rm -rf "$RUN_DIR"' EXIT
trap 'exit 2' INT TERM
JOBS=${TEST_JOBS:-$(( $(nproc 2>/dev/null || echo 1) * 2 ))}

# every test, one "VARIANT KIND GROUP|PATH" line each
for variant in rel san; do
	u=build/$variant/tests/test_unit
	[ -x "$u" ] || { echo "FAIL $u is not built (make tests)" >&2; exit 1; }
	"$u" --list | sed "s/^/$variant unit /"
done >"$RUN_DIR/all"
for variant in rel san; do
	for s in tests/scenario/*.sh; do
		[ -f "$s" ] && echo "$variant scenario $s"
	done
done >>"$RUN_DIR/all"

# longest first (unknown ones first of all), the "alone" ones apart
order() {
	awk 'FILENAME == ARGV[1] { t[$2] = $1; next }
	    { n = $3; sub(/.*\//, "", n); n = $1 "/" ($2 == "unit" ? "unit:" : "") n
	      print (n in t ? t[n] : 100000), $0 }' \
	    build/test-times /dev/stdin 2>/dev/null |
	    sort -k1,1nr | cut -d' ' -f2-
}
[ -f build/test-times ] || : >build/test-times
: >"$RUN_DIR/together"; : >"$RUN_DIR/alone"
while read -r v k p; do
	if [ "$k" = scenario ] && grep -q '^# test: alone$' "$p"; then
		echo "$v $k $p" >>"$RUN_DIR/alone"
	else
		echo "$v $k $p" >>"$RUN_DIR/together"
	fi
done <"$RUN_DIR/all"

t0=$(date +%s)
order <"$RUN_DIR/together" | xargs -P "$JOBS" -L 1 sh tests/run.sh --one
order <"$RUN_DIR/alone" | xargs -P 1 -L 1 sh tests/run.sh --one

pass=0; fail=0; ran=0
cat "$RUN_DIR"/*.res 2>/dev/null | awk '{ print $3, $4 }' |
    sort -k1,1nr >"$RUN_DIR/times"
for r in "$RUN_DIR"/*.res; do
	[ -f "$r" ] || continue
	read -r p f s n <"$r"
	pass=$((pass + p)); fail=$((fail + f)); ran=$((ran + 1))
done
want=$(wc -l <"$RUN_DIR/all")
if [ "$ran" -ne "$want" ]; then
	echo "FAIL the runner: $ran of $want tests reported"
	fail=$((fail + 1))
fi
cp "$RUN_DIR/times" build/test-times
skipped=$(find "$RUN_DIR" -name '*.skip' | wc -l)
echo "($ran test programs, $skipped skipped, $JOBS at a time, $(( $(date +%s) - t0 )) s)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
