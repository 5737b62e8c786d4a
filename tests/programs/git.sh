#!/bin/sh
# SPDX-License-Identifier: MIT
# git.sh - git under LD_PRELOAD: init a repository, commit 1,000 files,
# change 100 and commit again, log, gc and fsck; the log, the tree and a
# checked-out file must be what was committed.
# Debian packages: git.
. "$(dirname "$0")/lib.sh"
need_tool git git

export HOME="$TMP" GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com \
	GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com \
	GIT_AUTHOR_DATE='2024-01-01T00:00:00Z' GIT_COMMITTER_DATE='2024-01-01T00:00:00Z'
check_mapped cat
repo="$TMP/repo"
g() { preload git -C "$repo" "$@"; }

preload git init -q "$repo" || fail "git init"
mkdir -p "$repo/d1" "$repo/d2" || fail "mkdir"
i=0
while [ $i -lt 1000 ]; do
	echo "file $i $(printf '%0*d' $((i % 200)) 0)" > "$repo/d$((i % 2 + 1))/f$i.txt"
	i=$((i + 1))
done
g add -A || fail "git add"
g commit -q -m "a thousand files" || fail "git commit"
i=0
while [ $i -lt 1000 ]; do
	echo "changed" >> "$repo/d$((i % 2 + 1))/f$i.txt"
	i=$((i + 10))
done
g commit -q -a -m "change 100 files" || fail "git commit -a"

[ "$(g log --oneline | wc -l)" -eq 2 ] || fail "git log does not show 2 commits"
[ "$(g log -1 --format=%s)" = "change 100 files" ] || fail "wrong last commit message"
[ "$(g ls-tree -r HEAD | wc -l)" -eq 1000 ] || fail "the tree does not hold 1000 files"
[ "$(g diff --stat HEAD~1 HEAD | tail -n 1 | awk '{print $1}')" -eq 100 ] ||
	fail "the second commit does not change 100 files"
BUDDYMALLOC_STATS=1 preload git -C "$repo" gc -q 2> "$TMP/err" || fail "git gc: $(cat "$TMP/err")"
g fsck --strict 2> "$TMP/fsck" || fail "git fsck: $(cat "$TMP/fsck")"
[ "$(g count-objects -v | awk '/^count:/ {print $2}')" -eq 0 ] || fail "loose objects left after gc"
rm "$repo/d1/f10.txt"
g checkout -q -- d1/f10.txt || fail "git checkout"
[ "$(tail -n 1 "$repo/d1/f10.txt")" = "changed" ] || fail "checked-out file has wrong contents"
[ "$(g show HEAD~1:d2/f3.txt)" = "file 3 000" ] || fail "git show of the first commit is wrong"
# The report of a git process that ran under the preload.
BUDDYMALLOC_STATS=1 preload git -C "$repo" log -p > /dev/null 2> "$TMP/err" || fail "git log -p"
check_report "$TMP/err"
echo "PASS: git"
