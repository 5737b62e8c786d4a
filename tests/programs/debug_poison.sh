#!/bin/sh
# SPDX-License-Identifier: MIT
# debug_poison.sh - under LD_PRELOAD with BUDDYMALLOC_CONF=debug=poison
# (and debug=all), a write after free is reported wherever it lands in the
# object (uaf.c: the link, the marker, both, the middle, byte 40 of a
# 100 B object) and the program aborts; python3 doing real work under
# debug=poison runs clean.
. "$(dirname "$0")/lib.sh"
need_tool python3 python3

UAF=$abs_top_builddir/tests/programs/uaf
[ -x "$UAF" ] || fail "$UAF not built"
for conf in debug=poison debug=all; do
	for where in link head marker_mid mid off40; do
		BUDDYMALLOC_CONF=$conf LD_PRELOAD=$LIB "$UAF" "$where" > "$TMP/out" 2> "$TMP/err"
		status=$?
		[ $status -eq 134 ] || fail "$conf, write at $where: exit status $status, want 134 (SIGABRT): $(cat "$TMP/err")"
		grep -q "written after it was freed" "$TMP/err" ||
			fail "$conf, write at $where: no report: $(cat "$TMP/err")"
	done
done
BUDDYMALLOC_CONF=debug=poison LD_PRELOAD=$LIB python3 -c '
import json, collections
d = {str(i): list(range(i % 50)) for i in range(20000)}
s = json.dumps(d); e = json.loads(s)
c = collections.Counter(x for v in e.values() for x in v)
assert len(e) == 20000 and c[0] == 19600
' > "$TMP/out" 2> "$TMP/err" || fail "python3 under debug=poison failed: $(tail -n 5 "$TMP/err")"
grep -q libbuddymalloc "$TMP/err" && fail "python3 under debug=poison was reported: $(cat "$TMP/err")"
echo "PASS: debug_poison"
