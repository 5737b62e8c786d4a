#!/bin/bash
# SPDX-License-Identifier: MIT
#
# shell_workload.sh - a shell-heavy job: thousands of short processes,
# each of which pays the preloaded allocator's start-up cost.
#
#	bash shell_workload.sh [-n COMMANDS]
#
# Runs about COMMANDS (default 3000; 300 with --quick) short external
# commands, six per round: /bin/true, expr (in a command substitution,
# so a forked subshell too), cat of a small file, sed, sort of tiny
# input and tr at the end of a pipe from the printf builtin (another
# fork).  Plus two awk runs at the end for the arithmetic.  bench/run
# starts it through its rusage helper with LD_PRELOAD set to the
# allocator under test, so bash itself runs under it; the script exports
# LD_PRELOAD again so that every child inherits it, whatever the shell
# does with its environment.  Prints one result line
#
#	workload=shell threads=1 ops=COMMANDS elapsed=SECONDS ops_per_s=RATE
#
# where ops counts the external commands run.  Needs bash 5 for
# $EPOCHREALTIME.
set -eu
n=3000
while [ $# -gt 0 ]; do
	case $1 in
	-n) n=$2; shift 2 ;;
	--quick) n=300; shift ;;
	-t) shift 2 ;;		# accepted for symmetry with the C workloads
	-h|--help) sed -n '3,20p' "$0"; exit 0 ;;
	*) echo "usage: $0 [-n COMMANDS] [--quick]" >&2; exit 2 ;;
	esac
done
export LD_PRELOAD="${LD_PRELOAD-}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/bench-shell.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
printf '%s\n' pear apple fig banana cherry date grape kiwi lemon mango \
	> "$tmp/words"

per_round=6
rounds=$(( (n + per_round - 1) / per_round ))
ops=0
start=$EPOCHREALTIME
for ((i = 0; i < rounds; i++)); do
	/bin/true
	x=$(expr "$i" \* 3 + 1)
	cat "$tmp/words" > /dev/null
	sed -e "s/a/$x/g" "$tmp/words" > "$tmp/out"
	sort -r "$tmp/out" > /dev/null
	printf 'round %d\n' "$i" | tr a-z A-Z > /dev/null
	ops=$((ops + per_round))
done
end=$EPOCHREALTIME
elapsed=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.6f", b - a }')
rate=$(awk -v o="$ops" -v e="$elapsed" 'BEGIN { printf "%.0f", (e > 0 ? o / e : 0) }')
echo "workload=shell threads=1 ops=$ops elapsed=$elapsed ops_per_s=$rate"
