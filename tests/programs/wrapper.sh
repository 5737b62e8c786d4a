#!/bin/sh
# wrapper.sh - the buddymalloc command: runs a program with the library
# preloaded (found in the build tree through libtool's .la, and in an
# installed layout next to the script's prefix), --stats prints the
# report at exit, --conf adds to BUDDYMALLOC_CONF, and the program's
# arguments and exit status pass through.
. "${srcdir:-.}/tests/programs/lib.sh"
need_tool sort coreutils
wrapper=$abs_top_builddir/buddymalloc
[ -x "$wrapper" ] || fail "$wrapper not built"

# The build tree's library, found through libbuddymalloc.la.
lib=$("$wrapper" --print-lib) || fail "--print-lib failed"
[ "$(readlink -f "$lib")" = "$(readlink -f "$abs_top_builddir/.libs/libbuddymalloc.so")" ] ||
	fail "build tree: found $lib"

printf '3\n1\n2\n' > "$TMP/in"
"$wrapper" --stats --conf decay_ms=5 --conf=pcp_batch=15 sort "$TMP/in" \
	> "$TMP/out" 2> "$TMP/err" || fail "sort under the wrapper failed: $(tail -n 5 "$TMP/err")"
[ "$(tr '\n' ' ' < "$TMP/out")" = "1 2 3 " ] || fail "sort's output: $(cat "$TMP/out")"
grep -q '^--- libbuddymalloc process ---$' "$TMP/err" || fail "--stats: no report"
grep -q '^program sort ' "$TMP/err" || fail "the report does not name sort"
grep -q '^decay_ms=5$' "$TMP/err" || fail "--conf decay_ms=5 not in effect"
grep -q '^pcp_batch=15$' "$TMP/err" || fail "--conf=pcp_batch=15 not in effect"

# Without --stats: no report; the exit status passes through.
"$wrapper" sh -c 'exit 3' 2> "$TMP/err2"
[ $? = 3 ] || fail "exit status not passed through"
! grep -q libbuddymalloc "$TMP/err2" || fail "a report without --stats"

# An installed layout, moved anywhere: PREFIX/bin/buddymalloc finds
# PREFIX/lib*/libbuddymalloc.so.N.
rel=$(sed -n 's|^\tfor dir in "$here/\.\./\([^"]*\)".*|\1|p' "$wrapper")
[ -n "$rel" ] || fail "no relative library directory in $wrapper"
mkdir -p "$TMP/prefix/bin" "$TMP/prefix/$rel"
cp "$wrapper" "$TMP/prefix/bin/"
cp -P "$abs_top_builddir"/.libs/libbuddymalloc.so* "$TMP/prefix/$rel/"
lib=$("$TMP/prefix/bin/buddymalloc" --print-lib) || fail "installed: --print-lib failed"
case $lib in
"$TMP/prefix/$rel/"libbuddymalloc.so*) ;;
*) fail "installed layout: found $lib" ;;
esac
"$TMP/prefix/bin/buddymalloc" --stats sort "$TMP/in" > /dev/null 2> "$TMP/err3" ||
	fail "installed layout: sort failed"
grep -q '^--- libbuddymalloc summary ---$' "$TMP/err3" || fail "installed layout: no report"
echo "ok: the wrapper preloads $lib"
