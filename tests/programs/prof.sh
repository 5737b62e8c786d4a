#!/bin/sh
# SPDX-License-Identifier: MIT
# prof.sh - the heap profiles of prof=1 rendered by the real tools:
# google-pprof (Debian's google-perftools) and jeprof (libjemalloc-dev)
# read the profile profalloc writes and find, by function, the bytes it
# allocated: 32 MiB live in small_objects, 16 MiB live in large_objects,
# 16 MiB allocated and freed in freed_objects, within 30% (at 1 sample
# per 128 KiB: 256 and 55 samples, five standard deviations), and none
# of the allocator's own functions.
# Debian packages: google-perftools libjemalloc-dev binutils.
. "$(dirname "$0")/lib.sh"
need_tool google-pprof google-perftools
need_tool jeprof libjemalloc-dev
[ -z "${BUDDYMALLOC_LIB:-}" ] || { echo "SKIP: $test_name: the profiles are libbuddymalloc's" >&2; exit 77; }

prog=$abs_top_builddir/tests/programs/profalloc
BUDDYMALLOC_CONF=prof=1,prof_sample=128k,prof_prefix=$TMP/exit preload "$prog" "$TMP/p.heap" \
	2> "$TMP/err" || fail "profalloc under LD_PRELOAD: $(tail -n 5 "$TMP/err")"
head -n 1 "$TMP/p.heap" | grep -Eq '^heap profile: +[0-9]+: +[0-9]+ \[ *[0-9]+: +[0-9]+\] @ heap_v2/131072$' ||
	fail "not a heap_v2 profile header: $(head -n 1 "$TMP/p.heap")"
grep -qx 'MAPPED_LIBRARIES:' "$TMP/p.heap" || fail "no MAPPED_LIBRARIES section"
ls "$TMP"/exit.*.0.f.heap > /dev/null 2>&1 || fail "no exit profile $TMP/exit.PID.0.f.heap"

# mb TOOL OPTION FUNCTION: the MB a tool's --text table gives FUNCTION
# (its flat column), 0 when it is not listed.
mb() {
	"$1" --text "$2" "$prog" "$TMP/p.heap" > "$TMP/$1$2.txt" 2> "$TMP/$1$2.err" ||
		fail "$1 --text $2 failed: $(tail -n 5 "$TMP/$1$2.err")"
	awk -v f="$3" '$6 == f { print $1; found = 1 } END { if (!found) print 0 }' "$TMP/$1$2.txt"
}

# near GOT WANT WHAT: GOT within 30% of WANT (MB).
near() {
	awk -v g="$1" -v w="$2" 'BEGIN { exit !(g >= w * 0.7 && g <= w * 1.3) }' ||
		fail "$3: $1 MB, expected about $2 MB
$(cat "$TMP"/*.txt)"
}

for tool in google-pprof jeprof; do
	near "$(mb $tool --inuse_space small_objects)" 32 "$tool: live bytes of small_objects"
	near "$(mb $tool --inuse_space large_objects)" 16 "$tool: live bytes of large_objects"
	near "$(mb $tool --alloc_space freed_objects)" 16 "$tool: bytes allocated in freed_objects"
	got=$(mb $tool --inuse_space freed_objects)
	[ "$got" = 0 ] || fail "$tool: freed_objects still holds $got MB"
	grep -E ' (bm_|prof_|malloc|sample_alloc)' "$TMP/$tool--inuse_space.txt" &&
		fail "$tool: the allocator's own frames are in the profile"
done
echo "ok: google-pprof and jeprof read the profile: $(grep -E 'small_objects|large_objects' "$TMP/google-pprof--inuse_space.txt" | tr -s ' ' | tr '\n' ';')"
