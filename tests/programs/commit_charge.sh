#!/bin/sh
# SPDX-License-Identifier: MIT
# commit_charge.sh - under strict overcommit (vm.overcommit_memory=2,
# here strict_commit=on, which the library turns on by itself when it
# reads 2 in /proc/sys/vm/overcommit_memory) the commit charge follows
# use: within 8 MiB of glibc's for a program that holds 1 byte, 20 MiB
# of 1 KiB objects, or one 20 MiB object.  With strict_commit=off one
# malloc costs a 128 MiB section: the check sees that.
. "$(dirname "$0")/lib.sh"

PROG=$abs_top_builddir/tests/programs/commit_charge
[ -x "$PROG" ] || fail "$PROG not built"
slack=8192	# KiB
for shape in "1 1" "20971520 1024" "20971520 20971520"; do
	# shellcheck disable=SC2086
	glibc=$("$PROG" $shape) || fail "commit_charge $shape failed without the library"
	# shellcheck disable=SC2086
	ours=$(BUDDYMALLOC_CONF=strict_commit=on LD_PRELOAD=$LIB "$PROG" $shape) ||
		fail "commit_charge $shape failed under the library"
	[ "$ours" -le $((glibc + slack)) ] ||
		fail "strict_commit=on, $shape: charged $ours KiB, glibc $glibc KiB"
	echo "$shape: glibc $glibc KiB, libbuddymalloc $ours KiB"
done
off=$(BUDDYMALLOC_CONF=strict_commit=off LD_PRELOAD=$LIB "$PROG" 1 1) || fail "strict_commit=off failed"
[ "$off" -ge $((glibc + 65536)) ] ||
	fail "strict_commit=off charged only $off KiB: the check could not tell"
echo "PASS: commit_charge"
