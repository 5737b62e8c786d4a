#!/bin/sh
# SPDX-License-Identifier: MIT
# sort.sh - sort(1) of a large generated file (600,000 lines, ~25 MB, in
# several modes: plain, numeric, parallel with a small buffer so it merges
# temporary files) under LD_PRELOAD gives the same output as without.
# Debian packages: coreutils, gawk or mawk.
. "$(dirname "$0")/lib.sh"
need_tool sort coreutils
need_tool awk mawk

awk 'BEGIN { x = 12345; for (i = 0; i < 600000; i++) {
	x = (x * 1103515245 + 12345) % 2147483648
	printf "%d %s line-%d %x\n", x % 1000003, substr("abcdefghijklmnopqrstuvwxyz", x % 26 + 1, 5), i, x
} }' > "$TMP/in" || fail "generating the input"
[ "$(wc -l < "$TMP/in")" -eq 600000 ] || fail "input has the wrong size"

check_mapped cat
export LC_ALL=C
for opts in "" "-n" "-k2,2 -k1,1n" "--parallel=2 -S 2M" "-r -u"; do
	# shellcheck disable=SC2086
	sort $opts "$TMP/in" > "$TMP/want" || fail "sort $opts without preload"
	# shellcheck disable=SC2086
	BUDDYMALLOC_STATS=1 preload sort -T "$TMP" $opts "$TMP/in" > "$TMP/got" 2> "$TMP/err" ||
		fail "sort $opts under LD_PRELOAD: $(cat "$TMP/err")"
	cmp -s "$TMP/want" "$TMP/got" || fail "sort $opts: output differs under LD_PRELOAD"
done
[ "$(wc -l < "$TMP/got")" -gt 500000 ] || fail "sort -u output too small"
check_report "$TMP/err"
echo "PASS: sort"
