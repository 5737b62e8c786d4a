#!/bin/sh
# SPDX-License-Identifier: MIT
# faultinject.sh - page allocations failing on purpose
# (BUDDYMALLOC_CONF=fail_every=N): python3 under LD_PRELOAD reports
# MemoryError where an allocation failed and keeps running, and every
# other allocation in the same run works.
# Debian packages: python3.
. "$(dirname "$0")/lib.sh"
need_tool python3 python3

cat > "$TMP/t.py" <<'PYEOF'
import sys
errors = ok = 0
for i in range(400):
    try:
        b = bytearray(1 << 20)          # one page allocation each
        s = [str(j) for j in range(2000)]
        assert len(b) == 1 << 20 and s[1999] == "1999"
        ok += 1
    except MemoryError:
        errors += 1
print("ok", ok, "MemoryError", errors)
sys.exit(0 if errors and ok else 1)
PYEOF

# Every 50th page allocation fails: python3 starts (it needs fewer than 50
# before its first line runs), then meets failures in the loop.  pymalloc
# is off so that every object comes from our allocator.
BUDDYMALLOC_CONF=fail_every=50 PYTHONMALLOC=malloc preload python3 "$TMP/t.py" \
	> "$TMP/got" 2> "$TMP/err" ||
	fail "python3 with fail_every=50: $(cat "$TMP/got") $(tail -n 5 "$TMP/err")"
grep -q '^ok [0-9]* MemoryError [1-9][0-9]*$' "$TMP/got" ||
	fail "unexpected output: $(cat "$TMP/got")"
# Without fault injection the same script sees no MemoryError at all.
PYTHONMALLOC=malloc preload python3 "$TMP/t.py" > "$TMP/got2" 2>&1 &&
	fail "no MemoryError expected without fault injection: $(cat "$TMP/got2")"
grep -q '^ok 400 MemoryError 0$' "$TMP/got2" || fail "unexpected output: $(cat "$TMP/got2")"
echo "PASS: faultinject ($(cat "$TMP/got"))"
