#!/bin/sh
# numa-topologies.sh - regenerate the faked NUMA machines the numa test
# loads with HWLOC_XMLFILE: N nodes of one PU each (PU i on node i), with
# asymmetric latency matrices.  Needs hwloc's tools; the XML files are
# committed, so the tests do not.
set -e
cd "$(dirname "$0")"

# machine N FILE ROW...: a topology of N nodes and its distance rows.
machine() {
	n=$1 out=$2
	shift 2
	lstopo-no-graphics --if synthetic --input "pack:$n [numa] pu:1" --of xml - > "$out.tmp"
	{
		echo 5		# HWLOC_DISTANCES_KIND_FROM_OS | MEANS_LATENCY
		echo "$n"
		i=0; while [ $i -lt "$n" ]; do echo "numa:$i"; i=$((i + 1)); done
		for row in "$@"; do for v in $row; do echo "$v"; done; done
	} > "$out.dist"
	hwloc-annotate "$out.tmp" "$out" -- none -- distances "$out.dist"
	rm -f "$out.tmp" "$out.dist"
}

# Two nodes, each direction its own latency.
machine 2 numa-2.xml "10 21" "24 10"

# Four nodes in a line 0-1-2-3 (3's row to 0 differs from 0's to 3).
machine 4 numa-4.xml \
	"10 16 22 28" \
	"16 10 16 22" \
	"22 16 10 16" \
	"30 22 16 10"

# Eight nodes in two groups of four: 16 inside a group, 32 across, and
# each node has a partner in the other group at 28 (30 coming back).
machine 8 numa-8.xml \
	"10 16 16 16 28 32 32 32" \
	"16 10 16 16 32 28 32 32" \
	"16 16 10 16 32 32 28 32" \
	"16 16 16 10 32 32 32 28" \
	"30 32 32 32 10 16 16 16" \
	"32 30 32 32 16 10 16 16" \
	"32 32 30 32 16 16 10 16" \
	"32 32 32 30 16 16 16 10"
