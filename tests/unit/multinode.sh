#!/bin/sh
# SPDX-License-Identifier: MIT
# multinode.sh - the page allocator's unit tests pass on a machine of two
# and of four nodes, run from a cpu of the last node (#17, point 4: exact,
# exhaustion, fallback, pressure, report and split_merge assumed node 0
# and failed on two nodes; fallback wrote out of bounds).  The machines
# are hwloc's XML topologies of numa.c (N nodes of one PU each, PU i on
# node i), so the test on cpu N-1 runs on node N-1; a cpu this machine
# lacks is the last it has.
set -u
srcdir=${srcdir:-.}
last=$(($(nproc) - 1))
status=0
for xml in numa-2.xml numa-4.xml; do
	for t in exact exhaustion fallback pressure report split_merge; do
		if HWLOC_XMLFILE=$srcdir/tests/unit/$xml taskset -c "$last" \
			"./tests/unit/$t" > "tests/unit/multinode-$t.log" 2>&1; then
			echo "PASS: $t on $xml, cpu $last"
		else
			echo "FAIL: $t on $xml, cpu $last (tests/unit/multinode-$t.log):"
			grep -E 'Failed|FAIL' "tests/unit/multinode-$t.log" | head -5
			status=1
		fi
	done
done
exit $status
