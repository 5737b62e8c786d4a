#!/bin/sh
# SPDX-License-Identifier: MIT
# cxx_static.sh - a failing operator new throws std::bad_alloc, after the
# new_handler, in C++ programs whose libstdc++ is not a shared library
# the allocator could look the thrower up in (tests/programs/bad_alloc.cc):
#   -static            with libbuddymalloc.a (no dynamic symbols at all);
#   -static-libstdc++  with libbuddymalloc.so (libstdc++ inside the program).
# Both programs must use our operator new, not libstdc++'s.
# Debian packages: g++ (libstdc++ and libc static archives come with it).
. "$(dirname "$0")/lib.sh"
need_tool g++ g++
CXX=${CXX:-g++}
# The build's flags: a library built with -fsanitize=undefined needs it at
# the link too.
flags="-O2 ${BM_CXXFLAGS:-} ${BM_LDFLAGS:-}"
src=$(cd "$(dirname "$0")" && pwd)/bad_alloc.cc
liba=$abs_top_builddir/.libs/libbuddymalloc.a
want='handler 1 caught bad_alloc'
for a in libstdc++.a libc.a; do
	f=$($CXX -print-file-name=$a)
	case $f in
	/*) [ -f "$f" ] && continue ;;
	esac
	echo "SKIP: $test_name: no $a for a static link (Debian packages g++, libc6-dev)" >&2
	exit 77
done
[ -f "$liba" ] || fail "$liba not built (configure --enable-static, the default)"

# -static: every symbol bound at link time.
$CXX $flags -static "$src" -o "$TMP/static" "$liba" -ldl -lpthread 2> "$TMP/cc.err" ||
	fail "static link failed: $(grep -v 'dlopen' "$TMP/cc.err" | tail -n 5)"
nm "$TMP/static" | grep -Eq ' [tT] bm_init$' || fail "-static: libbuddymalloc not linked in"
nm "$TMP/static" | grep -Eq ' [TW] _Znam$' || fail "-static: no operator new[]"
out=$("$TMP/static" 2> "$TMP/err")
[ "$out" = "$want" ] || fail "-static: '$out' (status $?): $(tail -n 3 "$TMP/err")"

# -static-libstdc++: libbuddymalloc.so's operators, libstdc++ inside.
$CXX $flags -static-libstdc++ "$src" -o "$TMP/ssl" -L"$abs_top_builddir/.libs" \
	-Wl,-rpath,"$abs_top_builddir/.libs" -lbuddymalloc 2> "$TMP/cc.err" ||
	fail "-static-libstdc++ link failed: $(tail -n 5 "$TMP/cc.err")"
! nm "$TMP/ssl" | grep -Eq ' T _Zna?m$' || fail "-static-libstdc++: the program has its own operator new"
! nm -D "$TMP/ssl" | grep -q 'GLIBCXX' || fail "-static-libstdc++: the program links libstdc++.so"
out=$(env -u LD_PRELOAD "$TMP/ssl" 2> "$TMP/err")
[ "$out" = "$want" ] || fail "-static-libstdc++: '$out' (status $?): $(tail -n 3 "$TMP/err")"
echo "PASS: $test_name: std::bad_alloc in both linkings"
