#!/bin/sh
# SPDX-License-Identifier: MIT
# cxx.sh - a C++ program (tests/programs/mapstr, std::map and std::string
# across threads, not linked with libbuddymalloc) under LD_PRELOAD prints
# the same, known, summary as without.
# Debian packages: g++ (to build it; libstdc++6 to run it).
. "$(dirname "$0")/lib.sh"
prog=$abs_top_builddir/tests/programs/mapstr
[ -x "$prog" ] || fail "$prog not built (make check builds it)"

check_mapped cat
"$prog" > "$TMP/want" || fail "mapstr without preload"
BUDDYMALLOC_STATS=1 preload "$prog" > "$TMP/got" 2> "$TMP/err" ||
	fail "mapstr under LD_PRELOAD: $(tail -n 5 "$TMP/err")"
cmp -s "$TMP/want" "$TMP/got" || fail "output differs: $(cat "$TMP/got") vs $(cat "$TMP/want")"
grep -qx 'entries 200000 bytes [0-9]* ok' "$TMP/got" || fail "unexpected output: $(cat "$TMP/got")"
check_report "$TMP/err"
echo "PASS: cxx"
