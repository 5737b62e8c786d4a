#!/bin/sh
# tests/symbols.sh - the static library defines no global symbol outside
# our namespace: everything internal is bm_*, the rest is the malloc API,
# include/buddymalloc.h (buddymalloc_*) and the C++ operators.  A program
# that links libbuddymalloc.a statically can collide with nothing else.
set -u
lib=.libs/libbuddymalloc.a
if [ ! -f "$lib" ]; then
	echo "no $lib: this build makes no static library"
	exit 77
fi
api='malloc|free|calloc|realloc|reallocarray|posix_memalign|aligned_alloc|memalign|valloc|pvalloc|malloc_usable_size|free_sized|free_aligned_sized|malloc_trim|malloc_stats|mallinfo|mallinfo2|mallopt'
bad=$(nm -g --defined-only "$lib" | awk 'NF == 3 { print $3 }' | sort -u |
	grep -Ev "^(bm_[A-Za-z0-9_]+|buddymalloc_[a-z0-9_]+|($api)|_Z(nw|na|dl|da)[A-Za-z0-9_]*)$")
if [ -n "$bad" ]; then
	echo "FAIL: $lib defines symbols outside bm_, the malloc API and buddymalloc_:"
	echo "$bad"
	exit 1
fi
n=$(nm -g --defined-only "$lib" | awk 'NF == 3' | wc -l)
echo "ok: $n global definitions, all bm_*, buddymalloc_*, the malloc API or C++ operators"
