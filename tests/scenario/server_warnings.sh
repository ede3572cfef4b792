#!/bin/sh
# The validator's warnings through the API, with BYOD files made from the
# real example-byod.json: a file with warnings is accepted (201) with
# `warnings` (the first 100: item, path, offset, message) and `n_warnings`,
# the same as `dataoptim validate --json` finds; they are stored and
# answered by GET /submissions/{id} (the list has the count), by an
# Idempotency-Key replay and, next to the errors, by a 422.  A warning never
# costs quota: a file with warnings counts one submission like a file
# without, a refused one counts nothing, a replay nothing.
. "$(dirname "$0")/lib/server_env.sh"

make_pool || { echo "not ok 1 - pool"; exit 1; }
setup_db || { echo "not ok 1 - setup"; exit 1; }
"$DO" track add --slug bq --kind byod --budget 1000 --per-day 4 --db "$DB" >/dev/null
echo 'admin-pass-1' | "$DO" user add --email admin@x.org --admin --db "$DB" >/dev/null
TADM=$("$DO" token create --email admin@x.org --db "$DB" 2>/dev/null)
start_server --set submissions.max_active_jobs=100 || exit 1
AUTH="Authorization: Bearer $TA"

python3 - "$SHARED/example-byod.json" "$T" <<'PY'
import copy, json, sys
items = json.load(open(sys.argv[1]))
out = sys.argv[2]

# two warnings: <image> twice in item 6's human turn (LLaVA keeps one),
# item 8's first human turn over 2048 tokens (every answer token cut)
warn = copy.deepcopy(items)
v = warn[6]["conversations"][0]["value"]
assert v.count("<image>") == 1
warn[6]["conversations"][0]["value"] = v.replace("<image>", "<image> <image>")
warn[8]["conversations"][0]["value"] += " word" * 3000
json.dump(warn, open(out + "/warn.json", "w"))

# the same warnings and an error: <unk> in item 2's answer
bad = copy.deepcopy(warn)
bad[2]["conversations"][1]["value"] += " <unk>"
json.dump(bad, open(out + "/warn-bad.json", "w"))

# 150 more items with a doubled <image>: 150 warnings, 100 kept
many = copy.deepcopy(items)
for k in range(150):
    it = copy.deepcopy(items[6])
    it["id"] = "dup-%d" % k
    c = it["conversations"][0]
    c["value"] = c["value"].replace("<image>", "<image><image>")
    many.append(it)
json.dump(many, open(out + "/many.json", "w"))
PY

# left: the team's submissions left today on track bq
left() {
	req GET /api/v1/tracks -H "$AUTH"
	jv '[t for t in d["tracks"] if t["slug"] == "bq"][0]["remaining"]["today"]'
}
# post FILE NAME [curl args]: a raw BYOD upload to track bq
post() {
	_f=$1; _n=$2; shift 2
	req POST "/api/v1/submissions?track=bq&method_name=$_n" -H "$AUTH" \
	    -H 'Content-Type: application/json' "$@" --data-binary @"$_f"
}

"$DO" validate --pool "$POOL" --kind byod --json "$T/warn.json" >"$T/v.json"
check "validate: warn.json is valid with 2 warnings" python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d["valid"] and d["n_warnings"] == 2 else 1)' "$T/v.json"

check "4 submissions left today before any upload" [ "$(left)" = 4 ]
post "$T/warn.json" warn -H 'Idempotency-Key: warn-1'
expect 201 "a file with warnings: 201"
cp "$T/body" "$T/created.json"
S1=$(jv 'd["submission"]["id"]')
check "201: n_warnings 2 and both warnings, items 6 and 8 with their paths" \
    jtrue 's=d["submission"]; w=s["warnings"]; s["n_warnings"] == 2 and [(x["item"], x["path"]) for x in w] == [(6, "[6].conversations[0].value"), (8, "[8].conversations[0].value")]'
check "201: each warning has an offset and the validator's message" \
    jtrue 'w=d["submission"]["warnings"]; all(isinstance(x["offset"], int) and x["offset"] > 0 for x in w) and "appears 2 times" in w[0]["message"] and "2048 tokens" in w[1]["message"]'
check "201: the warnings are those of dataoptim validate --json" python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))["submission"]["warnings"]
b = json.load(open(sys.argv[2]))["warnings"]
sys.exit(0 if a == b else 1)' "$T/created.json" "$T/v.json"
check "a file with warnings costs one submission (3 left)" [ "$(left)" = 3 ]

post "$SHARED/example-byod.json" clean
expect 201 "a file without warnings: 201"
check "201: warnings [] and n_warnings 0" \
    jtrue 's=d["submission"]; s["warnings"] == [] and s["n_warnings"] == 0'
S2=$(jv 'd["submission"]["id"]')
check "a file without warnings costs one submission too (2 left)" [ "$(left)" = 2 ]

req GET "/api/v1/submissions/$S1" -H "$AUTH"
expect 200 "GET the submission with warnings: 200"
check "GET: the same warnings and count as the 201" python3 -c '
import json, sys
a = json.load(open(sys.argv[1]))["submission"]
b = json.load(open(sys.argv[2]))["submission"]
sys.exit(0 if (a["warnings"], a["n_warnings"]) ==
    (b["warnings"], b["n_warnings"]) else 1)' "$T/body" "$T/created.json"
req GET "/api/v1/submissions?track=bq" -H "$AUTH"
check "the list has each one's n_warnings and no warnings array" \
    jtrue "s={x['id']: x for x in d['submissions']}; s['$S1']['n_warnings'] == 2 and s['$S2']['n_warnings'] == 0 and all('warnings' not in x for x in d['submissions'])"
check "stored: the row keeps 2 warnings and the count" \
    [ "$(sqlite3 "$DB" "SELECT json_array_length(warnings), n_warnings FROM submissions WHERE id = '$S1'")" = "2|2" ]

post "$T/warn-bad.json" bad
expect 422 "a file with an error and warnings: 422"
check "422: the error in details, n_errors 1" \
    jtrue 'e=d["error"]; e["code"] == "invalid_submission" and e["n_errors"] == 1 and e["details"][0]["path"] == "[2].conversations[1].value"'
check "422: the warnings too, with n_warnings 2" \
    jtrue 'e=d["error"]; e["n_warnings"] == 2 and [x["item"] for x in e["warnings"]] == [6, 8]'
check "a refused file costs nothing (2 left)" [ "$(left)" = 2 ]

post "$T/many.json" many
expect 201 "167 items, 150 with warnings: 201"
check "201: n_warnings 150, the first 100 listed" \
    jtrue 's=d["submission"]; s["n_warnings"] == 150 and len(s["warnings"]) == 100 and s["warnings"][0]["item"] == 17 and s["warnings"][99]["item"] == 116'
S3=$(jv 'd["submission"]["id"]')
req GET "/api/v1/submissions/$S3" -H "$AUTH"
check "GET: the first 100 of 150" \
    jtrue 's=d["submission"]; s["n_warnings"] == 150 and len(s["warnings"]) == 100'
check "150 warnings cost one submission like any (1 left)" [ "$(left)" = 1 ]

post "$T/warn.json" warn2
expect 201 "the day's last slot takes a file with warnings: 201"
check "none left" [ "$(left)" = 0 ]
post "$T/warn.json" warn3
expect 429 "then the quota refuses it: 429"

post "$T/warn.json" warn -H 'Idempotency-Key: warn-1'
expect 200 "a replay of the first upload's key: 200"
check "the replay has the first upload's submission and warnings" \
    jtrue "s=d['submission']; s['id'] == '$S1' and s['n_warnings'] == 2 and len(s['warnings']) == 2"
check "the replay costs nothing (4 submissions stored)" \
    [ "$(sqlite3 "$DB" "SELECT COUNT(*) FROM submissions")" = 4 ]

req GET "/api/v1/admin/submissions/$S1" -H "Authorization: Bearer $TADM"
check "an organizer sees the warnings too" jtrue 's=d["submission"]; s["n_warnings"] == 2 and [x["item"] for x in s["warnings"]] == [6, 8]'
req GET "/api/v1/admin/submissions?track=bq" -H "Authorization: Bearer $TADM"
check "and their count in the list (not the warnings)" \
    jtrue "e={s['id']: s for s in d['submissions']}; e['$S1']['n_warnings'] == 2 and 'warnings' not in e['$S1']"
check "no sanitizer report in the server log" no_sanitizer_errors
stop_server
check "the server stops cleanly" [ $? = 0 ]
echo "1..$N"
