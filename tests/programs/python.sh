#!/bin/sh
# SPDX-License-Identifier: MIT
# python.sh - python3 under LD_PRELOAD: threads building dicts of strings
# and lists, a JSON round trip of a large nested structure, and the result
# (a digest of everything) equal to the one python3 gives without preload
# and to the known value.
# Debian packages: python3.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || { need_tool python3 python3; PY=python3; }

cat > "$TMP/t.py" <<'PYEOF'
import hashlib, json, threading

results = {}

def work(n):
    d = {}
    for i in range(40000):
        d["k%d-%d" % (n, i)] = ["v" * (i % 50), i, {"n": n, "sq": i * i}]
    for i in range(0, 40000, 3):
        del d["k%d-%d" % (n, i)]
    results[n] = d

threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()

merged = {}
for n in sorted(results):
    merged.update(results[n])
text = json.dumps(merged, sort_keys=True)
back = json.loads(text)
assert back == merged, "json round trip changed the data"
assert len(back) == 4 * (40000 - 13334), len(back)
print(len(back), len(text), hashlib.sha256(text.encode()).hexdigest())
PYEOF

"$PY" "$TMP/t.py" > "$TMP/want" || fail "python3 without preload"
check_mapped "$PY" -c 'import sys; print(open(sys.argv[1]).read())'
BUDDYMALLOC_STATS=1 preload "$PY" "$TMP/t.py" > "$TMP/got" 2> "$TMP/err" ||
	fail "python3 under LD_PRELOAD: $(tail -n 5 "$TMP/err")"
cmp -s "$TMP/want" "$TMP/got" || fail "output differs: $(cat "$TMP/got") vs $(cat "$TMP/want")"
grep -q '^106664 ' "$TMP/got" || fail "unexpected output: $(cat "$TMP/got")"
check_report "$TMP/err"
echo "PASS: python3"
