#!/bin/sh
# Issue 11, item 6: the real pool as it comes.  `pool synth --table later`
# lays out the later README's 20 datasets in subfolders under names that
# are not their ID prefixes, some split over several files; `pool build`
# finds the datasets by prefix; validate and materialize work on it; a
# file with two prefixes is refused naming both IDs unless --dataset names
# its dataset; the server loads the index.
. "$(dirname "$0")/lib/server_env.sh"

D=$T/later/data
"$DO" pool synth --out "$T/later" --scale 0.002 --table later >"$T/synth.log" 2>&1
check "pool synth --table later" grep -q '^synthetic pool (later table, scale 0.002, seed 1)' "$T/synth.log"
check "... lays the files out in subfolders, a dataset split over parts" \
    test -f "$D/vqa/DVQA/part-3.json" -a -f "$D/gpt4/SVIT/part-2.json" \
    -a -f "$D/mixed/llava_v1_5_mix665k.json" -a ! -e "$D/dvqa.json"
check "... with the image folders of the later README's tree" python3 - "$D" <<'PY'
import json, sys, glob
folders = set()
for f in glob.glob(sys.argv[1] + '/**/*.json', recursive=True):
    for it in json.load(open(f)):
        if 'image' in it:
            p = it['image'].split('/')
            folders.add('/'.join(p[:3] if p[0] == 'llava' else
                p[:2] if p[1] == 'images' else p[:1]))
want = {'coco', 'coco_2017', 'docvqa', 'dvqa', 'filckr30k', 'flickr30k',
    'llava/llava_pretrain/images', 'ocrvqa', 'open_images', 'sam/images',
    'scienceqa', 'share_textvqa/images', 'visual_genome',
    'web-celebrity/images', 'web-landmark/images', 'wikiart/images'}
sys.exit(0 if folders == want else print(sorted(folders ^ want)) or 1)
PY

POOL=$T/later/pool.idx
"$DO" pool build --data "$D" --out "$POOL" >"$T/build.log" 2>&1
check "pool build: 21 ID prefixes from 25 files" \
    grep -q 'IDs in 21 datasets (25 files)' "$T/build.log"
"$DO" pool stats "$POOL" >"$T/stats.txt" 2>&1
check "... the split datasets joined (dvqa: 3 files, svit: 2)" \
    sh -c "grep -Eq '^dvqa +[0-9]+ +[0-9]+ +3$' '$T/stats.txt' && grep -Eq '^svit +[0-9]+ +[0-9]+ +2$' '$T/stats.txt'"

# the last 40 IDs of each file (all of a smaller one)
python3 - "$D" "$T/ids.txt" <<'PY'
import json, sys, glob
ids = []
for f in sorted(glob.glob(sys.argv[1] + '/**/*.json', recursive=True)):
    ids += [it['id'] for it in json.load(open(f))[-40:]]
open(sys.argv[2], 'w').write('\n'.join(ids) + '\n')
PY
"$DO" validate --pool "$POOL" --kind standard --json "$T/ids.txt" >"$T/v.json"
NIDS=$(wc -l <"$T/ids.txt")
check "validate: $NIDS IDs from every file are valid, by dataset" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
c = d["composition"]
sys.exit(0 if d["valid"] and d["n_samples"] == int(sys.argv[2]) and
    len(c) == 21 and c["dvqa"] == 120 and c["svit"] == 80 and
    c["llava15"] == 40 else 1)' "$T/v.json" "$NIDS"
"$DO" materialize --pool "$POOL" --ids "$T/ids.txt" --out "$T/train.json" >/dev/null
check "materialize: each item's bytes from its own file, in list order" \
    python3 - "$D" "$T/ids.txt" "$T/train.json" <<'PY'
import json, sys, glob
src = {}
for f in glob.glob(sys.argv[1] + '/**/*.json', recursive=True):
    for it in json.load(open(f)):
        src[it['id']] = it
ids = open(sys.argv[2]).read().split()
out = json.load(open(sys.argv[3]))
sys.exit(0 if [it['id'] for it in out] == ids and
    all(it == src[it['id']] for it in out) else 1)
PY
check "... and the training file is valid BYOD against the pool" \
    sh -c "'$DO' validate --pool '$POOL' --kind byod '$T/train.json' >'$T/vb.txt'"

# a file whose IDs have two prefixes (LLaVA-v1.5's own IDs have none)
mkdir -p "$D/extra"
printf '[{"id": "000000033471", "image": "coco_2017/000000033471.jpg"},\n{"id": "dvqa_x1"}]\n' >"$D/extra/mix.json"
"$DO" pool build --data "$D" --out "$T/p2.idx" >"$T/b2.log" 2>&1
rc=$?
check "a file without one common prefix: refused (exit $rc)" [ "$rc" -eq 1 ]
check "... naming the file" grep -q '^extra/mix.json: item 0: id: (byte 8) ID "000000033471" has no dataset prefix' "$T/b2.log"
printf '[{"id": "gqa_x1"},\n{"id": "dvqa_x1"}]\n' >"$D/extra/mix.json"
"$DO" pool build --data "$D" --out "$T/p2.idx" >"$T/b2.log" 2>&1
check "... or naming both IDs" grep -q '^extra/mix.json: item 1: id: (byte 26) IDs of two datasets in one file: "dvqa_x1" and "gqa_x1" (item 0)' "$T/b2.log"
"$DO" pool build --data "$D" --out "$T/p2.idx" --dataset extra/mix.json=extra >"$T/b2.log" 2>&1
check "... accepted with --dataset FILE=NAME" grep -q 'IDs in 22 datasets (26 files)' "$T/b2.log"
printf 'gqa_x1\ndvqa_x1\n' >"$T/x.txt"
"$DO" validate --pool "$T/p2.idx" --kind standard --json "$T/x.txt" >"$T/vx.json"
check "... its IDs in that dataset" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d["valid"] and d["composition"] == {"extra": 2} else 1)' "$T/vx.json"
"$DO" pool build --data "$D" --out "$T/p2.idx" --dataset nope.json=x >"$T/b3.log" 2>&1
rc=$?
check "a --dataset FILE that is not there: refused (exit $rc)" \
    sh -c "[ $rc -eq 1 ] && grep -q '^nope.json: given a dataset name, but no such .json file' '$T/b3.log'"
rm -r "$D/extra"

setup_db || { echo "not ok - setup"; exit 1; }
start_server || exit 1
req GET /healthz
check "the server loads the later pool's index" \
    jtrue 'd["pool"]["loaded"] and d["pool"]["ids"] > 20000'
req POST "/api/v1/submissions?track=std&method_name=later" \
    -H "Authorization: Bearer $TA" -H 'Content-Type: text/plain' \
    --data-binary @"$T/ids.txt"
expect 201 "a standard submission of those IDs is accepted"
check "no sanitizer report in the server log" no_sanitizer_errors
stop_server

echo "1..$N"
