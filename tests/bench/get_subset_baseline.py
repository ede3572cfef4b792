#!/usr/bin/env python3
"""The way the competition's tools/get_subset_from_ids.py answers the same
questions: json.load every pool file into one dict, then dict lookups.

  get_subset_baseline.py validate DATA_DIR IDS      check every ID exists, no duplicates
  get_subset_baseline.py materialize DATA_DIR IDS OUT  write the selected items
Prints the elapsed seconds; used by tests/bench/run.sh for the ratio."""
import json, os, sys, time

def load_pool(data_dir):
    pool = {}
    for name in sorted(os.listdir(data_dir)):
        if name.endswith(".json"):
            with open(os.path.join(data_dir, name)) as f:
                for item in json.load(f):
                    pool[item["id"]] = item
    return pool

def main():
    t0 = time.time()
    mode, data_dir, ids_path = sys.argv[1], sys.argv[2], sys.argv[3]
    pool = load_pool(data_dir)
    with open(ids_path) as f:
        ids = [line.strip() for line in f if line.strip()]
    seen, bad = set(), 0
    for i in ids:
        if i not in pool or i in seen:
            bad += 1
        seen.add(i)
    if mode == "materialize":
        with open(sys.argv[4], "w") as f:
            json.dump([pool[i] for i in ids], f, indent=4)
    print("%.3f %d" % (time.time() - t0, bad))

main()
