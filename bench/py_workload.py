# SPDX-License-Identifier: MIT
"""py_workload.py - a scripted python3 workload for bench/run.

Models an interpreter-heavy service: each round builds a few thousand
small objects (dicts, tuples, strings, instances), round-trips them
through json, sorts and groups them, and drops most of them, keeping a
rolling window alive.  bench/run runs it with PYTHONMALLOC=malloc so that
every object comes from the preloaded allocator instead of pymalloc.

usage: python3 py_workload.py [--quick] [rounds]
Prints the bench result line (ops = objects created).
"""
import json
import sys
import time


class Record:
    __slots__ = ("key", "name", "tags", "score")

    def __init__(self, key, name, tags, score):
        self.key = key
        self.name = name
        self.tags = tags
        self.score = score


def one_round(r, keep):
    rows = []
    for i in range(2000):
        k = (r * 7919 + i * 104729) % 100003
        rows.append({"id": k, "name": "user-%d-%s" % (k, "x" * (k % 50)),
                     "tags": [str(k % 13), str(k % 17)], "v": k * 0.5})
    back = json.loads(json.dumps(rows))
    recs = [Record(d["id"], d["name"], tuple(d["tags"]), d["v"]) for d in back]
    recs.sort(key=lambda x: (x.tags, x.name))
    groups = {}
    for x in recs:
        groups.setdefault(x.tags[0], []).append(x.name.upper())
    text = "|".join(",".join(v) for v in groups.values())
    keep.append(text.split("|"))
    if len(keep) > 20:
        keep.pop(0)
    return len(rows) * 6


def main():
    quick = "--quick" in sys.argv
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    rounds = int(args[0]) if args else (25 if quick else 200)
    keep = []
    t0 = time.monotonic()
    ops = sum(one_round(r, keep) for r in range(rounds))
    el = time.monotonic() - t0
    print("workload=python threads=1 ops=%d elapsed=%.6f ops_per_s=%.0f"
          % (ops, el, ops / el if el > 0 else 0))


if __name__ == "__main__":
    main()
