#!/bin/sh
# make bench: the scorer on 5,000 vqa answers (answers and outputs that
# differ in case, articles, number words, punctuation, contractions,
# commas in numbers and non-ASCII letters), against the same work in
# Python (tests/bench/score_baseline.py) in the same run.  Both must give
# the same accuracy; prints a table row and the ratio.  Needs bin/ built.
set -eu
cd "$(dirname "$0")/../.."
N=${SCORE_ANSWERS:-5000}
RUNS=${SCORE_RUNS:-10}
T=$(mktemp -d /tmp/do-score-bench.XXXXXX)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/res"
python3 - "$T" "$N" <<'PY'
import json, random, sys
out, n = sys.argv[1], int(sys.argv[2])
r = random.Random(5)
answers = ["two", "2", "a dog", "the red car", "yes", "no", "1,000", "3.5",
           "don't know", "Café", "ÉCOLE", "isn't", "left side", "10:30",
           "mountain bike", "the U.S.", "straße", "ΣΟΦΙΑ", "5 people", "none"]
def vary(a):
    k = r.randrange(8)
    if k == 0: return a.upper()
    if k == 1: return "The " + a + "."
    if k == 2: return a.replace("2", "two").replace("don't", "dont")
    if k == 3: return " " + a + " !"
    if k == 4: return r.choice(answers)
    if k == 5: return a + "?"
    return a
val, lines = [], []
for i in range(n):
    a = r.choice(answers)
    q = "What is shown in picture %d?" % i
    val.append({"question": q, "image_id": "vqa/%d" % i, "answer": a})
    lines.append("vqa/%d.jpg\t%s\t%s\t%s\n" % (i, q, a, vary(a)))
json.dump(val, open(out + "/val.json", "w"))
open(out + "/res/vqa.txt", "w").writelines(lines)
PY
now() { date +%s%N; }
# best of RUNS wall times (ms) of a command; its last output in $T/out
best() {
	b=""
	i=0
	while [ $i -lt "$RUNS" ]; do
		t0=$(now); "$@" >"$T/out"; t=$(( ($(now) - t0) / 1000 ))
		[ -z "$b" ] || [ "$t" -lt "$b" ] && b=$t
		i=$((i + 1))
	done
	echo "$b"
}
C_US=$(best bin/dataoptim score --val "$T/val.json" --results "$T/res")
C_ACC=$(python3 -c 'import json, sys; print("%.6f" % json.load(open(sys.argv[1]))["overall"])' "$T/out")
P_US=$(best python3 tests/bench/score_baseline.py "$T/val.json" "$T/res" common/score_evalai.c)
P_ACC=$(cut -d' ' -f1 "$T/out")
if [ "$C_ACC" = "$P_ACC" ]; then same="same accuracy"; else same="ACCURACY DIFFERS: Python"; fi
printf '| %-44s | %14s | %-22s |\n' "score $N vqa answers, ours vs Python (best of $RUNS)" \
    "$(echo "$C_US $P_US" | awk '{ printf "%.1f / %.1f ms", $1 / 1000, $2 / 1000 }')" \
    "$(echo "$C_US $P_US" | awk '{ printf "%.0fx faster", $2 / $1 }'); $same $P_ACC"
[ "$C_ACC" = "$P_ACC" ]
