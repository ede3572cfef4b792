#!/bin/sh
# BYOD files shaped like the cases where LLaVA's loader and the validator
# once disagreed, made from the real example-byod.json: what LLaVA trains
# on is accepted by `dataoptim validate` and by dataoptimd (201), a file
# with only warnings is valid (exit 0, 201), and what LLaVA masks is
# refused (exit 1, 422) with the item and path of the finding.
. "$(dirname "$0")/lib/server_env.sh"

make_pool || { echo "not ok 1 - pool"; exit 1; }
setup_db || { echo "not ok 1 - setup"; exit 1; }
start_server || exit 1
AUTH="Authorization: Bearer $TA"

python3 - "$SHARED/example-byod.json" "$T" <<'PY'
import copy, json, sys
items = json.load(open(sys.argv[1]))
out = sys.argv[2]

# LLaVA trains on every one of these as it is
ok = copy.deepcopy(items)
ok[0]["image"] = "./" + ok[0]["image"]
ok[1]["image"] = ok[1]["image"].replace("/", "//", 1)
ok[2]["image"] = ok[2]["image"].replace("/", "/./", 1)
ok[3]["id"] = 3000001
ok[4]["conversations"][0]["value"] += " x[/INST]y"
ok[5]["conversations"][1]["value"] += " ASSISTANT: done"
conv = ok[13]["conversations"]
assert "<image>" in conv[0]["value"] and len(conv) >= 4
conv[0]["value"] = conv[0]["value"].replace("<image>", "").strip()
conv[2]["value"] = "<image>\n" + conv[2]["value"]
ok.append({"id": 3000002, "conversations": [
    {"from": "human", "value": "Pick a number."},
    {"from": "gpt", "value": "Seven."},
    {"from": "human", "value": 7},
    {"from": "gpt", "value": "Yes, seven."}]})
json.dump(ok, open(out + "/ok.json", "w"))

# trained, but part of each is wasted: two warnings
warn = copy.deepcopy(items)
warn[6]["conversations"][0]["value"] = "<image>" + warn[6]["conversations"][0]["value"]
warn[7]["conversations"].insert(0, {"from": "gpt", "value": "Hello."})
json.dump(warn, open(out + "/warn.json", "w"))

# masked by LLaVA: <unk> is the pad id
bad = copy.deepcopy(items)
bad[2]["conversations"][1]["value"] += " <unk>"
json.dump(bad, open(out + "/bad.json", "w"))
PY

# jf FILE EXPR: the expression over the JSON in FILE (as d) is true
jf() {
	python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2" 2>/dev/null
}

"$DO" validate --pool "$POOL" --kind byod --json "$T/ok.json" >"$T/v.json"
check "validate: what LLaVA trains on is valid, with no warning (exit 0)" [ $? = 0 ]
check "validate: 18 items, composition by the normalised image folders" \
    jf "$T/v.json" 'd["valid"] and d["n_samples"] == 18 and d["n_warnings"] == 0 and d["composition"]["coco"] == 7 and d["composition"]["(no image)"] == 1'
req POST "/api/v1/submissions?track=byod&method_name=llava-ok" -H "$AUTH" \
    -H 'Content-Type: application/json' --data-binary @"$T/ok.json"
expect 201 "the server accepts it: 201"
check "the submission has 18 samples" jtrue 'd["submission"]["n_samples"] == 18'

"$DO" validate --pool "$POOL" --kind byod "$T/warn.json" >"$T/v.txt"
check "validate: a file with only warnings is valid (exit 0)" [ $? = 0 ]
check "validate prints the warnings and their count" \
    grep -q '^2 warnings (a warning does not reject the file)$' "$T/v.txt"
check "the warnings name item and path" sh -c "grep -q 'item 6: \[6\].conversations\[0\].value: .*appears 2 times' '$T/v.txt' && grep -q 'item 7: \[7\].conversations\[0\].from: .*starts with a \"gpt\" turn' '$T/v.txt'"
"$DO" validate --pool "$POOL" --kind byod --json "$T/warn.json" >"$T/w.json"
check "validate --json: valid, n_warnings 2, the warnings listed" \
    jf "$T/w.json" 'd["valid"] and d["n_errors"] == 0 and d["n_warnings"] == 2 and [w["item"] for w in d["warnings"]] == [6, 7]'
req POST "/api/v1/submissions?track=byod&method_name=llava-warn" -H "$AUTH" \
    -H 'Content-Type: application/json' --data-binary @"$T/warn.json"
expect 201 "the server accepts a file with only warnings: 201"

"$DO" validate --pool "$POOL" --kind byod --json "$T/bad.json" >"$T/b.json"
check "validate: <unk> in a value is an error (exit 1)" [ $? = 1 ]
check "the error names item 2 and its answer" \
    jf "$T/b.json" 'not d["valid"] and d["n_errors"] == 1 and d["errors"][0]["path"] == "[2].conversations[1].value" and "<unk>" in d["errors"][0]["message"]'
req POST "/api/v1/submissions?track=byod&method_name=llava-bad" -H "$AUTH" \
    -H 'Content-Type: application/json' --data-binary @"$T/bad.json"
expect 422 "the server refuses it: 422"
check "the 422 names item 2, its path and <unk>" \
    jtrue 'x=d["error"]["details"][0]; x["item"] == 2 and x["path"] == "[2].conversations[1].value" and "<unk>" in x["message"]'
check "no sanitizer report in the server log" no_sanitizer_errors
stop_server
check "the server stops cleanly" [ $? = 0 ]
echo "1..$N"
