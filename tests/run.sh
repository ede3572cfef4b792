#!/bin/sh
# Run every test program (plain build, then sanitizer build) in TAP mode and
# print one closing line: "N passed, N failed".
cd "$(dirname "$0")/.." || exit 2
pass=0; fail=0
log=$(mktemp)
export DATAOPTIM_SHARED="${DATAOPTIM_SHARED:-$(cd .. && pwd)/shared/dataoptim}"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
for variant in rel san; do
	if [ "$variant" = rel ]; then DO_BIN=bin; else DO_BIN=build/san/bin; fi
	export DO_BIN
	for t in build/$variant/tests/test_*; do
		[ -x "$t" ] || continue
		name="$variant/$(basename "$t")"
		CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$log" 2>&1
		rc=$?
		p=$(grep -c '^ok ' "$log")
		f=$(grep -c '^not ok ' "$log")
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
			f=1	# crashed or exited non-zero outside a test
		fi
		if [ "$f" -ne 0 ]; then
			echo "FAIL $name (exit $rc)"; sed 's/^/    /' "$log" | tail -n 40
		else
			echo "ok   $name: $p passed"
		fi
		pass=$((pass + p)); fail=$((fail + f))
	done
done
# Scenario tests: scripts that start the real programs on loopback and print
# TAP-style "ok"/"not ok" lines; each runs against both builds.
for variant in rel san; do
	if [ "$variant" = rel ]; then DO_BIN=bin; else DO_BIN=build/san/bin; fi
	export DO_BIN
	for s in tests/scenario/*.sh; do
		[ -f "$s" ] || continue
		name="$variant/$(basename "$s")"
		timeout 900 sh "$s" >"$log" 2>&1
		rc=$?
		p=$(grep -c '^ok ' "$log"); f=$(grep -c '^not ok ' "$log")
		[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
		if [ "$f" -ne 0 ]; then
			echo "FAIL $name (exit $rc)"; sed 's/^/    /' "$log" | tail -n 60
		else
			echo "ok   $name: $p passed"
			grep '^#: ' "$log" | sed 's/^#: /       /'	# its figures
		fi
		pass=$((pass + p)); fail=$((fail + f))
	done
done
rm -f "$log"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
