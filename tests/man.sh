#!/bin/sh
# tests/man.sh - buddymalloc(3) covers every option key of src/options.h,
# every counter of the report's summary (src/vmstat.h's BM_STATS) and
# every function of include/buddymalloc.h, and renders without a
# warning (groff -man -ww).  The keys are read from the sources here, not
# from the generator, so a generator that skipped one fails.
set -u
page=man/buddymalloc.3
srcdir=${srcdir:-.}
if [ ! -s "$page" ]; then
	echo "FAIL: $page not built"
	exit 1
fi
fail=0
# X(key, ... rows of the tables, up to the next blank line
rows() {
	sed -n "/^#define $1(X)/,/^\$/p" "$2" | sed -n 's/^[[:space:]]*X(\([a-z0-9_]*\),.*/\1/p'
}
keys=$(rows BM_OPTIONS "$srcdir/src/options.h"; rows BM_STRING_OPTIONS "$srcdir/src/options.h")
stats=$(rows BM_STATS "$srcdir/src/vmstat.h")
funcs=$(sed -n 's/^[a-z].*[ *]\(buddymalloc_[a-z_]*\)(.*/\1/p' "$srcdir/include/buddymalloc.h")
n=0
for k in $keys; do
	n=$((n + 1))
	grep -q "^\.BI $k= " "$page" || { echo "FAIL: option $k not in $page"; fail=1; }
done
[ "$n" -ge 20 ] || { echo "FAIL: only $n option keys read from src/options.h"; fail=1; }
for s in $stats; do
	grep -q "^\.B $s\$" "$page" || { echo "FAIL: counter $s not in $page"; fail=1; }
done
[ -n "$stats" ] || { echo "FAIL: no counters read from src/vmstat.h"; fail=1; }
for f in $funcs; do
	grep -q "$f(" "$page" || { echo "FAIL: function $f not in $page"; fail=1; }
done
for v in BUDDYMALLOC_CONF BUDDYMALLOC_STATS; do
	grep -q "^\.B $v\$" "$page" || { echo "FAIL: $v not in ENVIRONMENT"; fail=1; }
done
# enumerated options show their words
grep -A3 '^\.BI reclaim= ' "$page" | grep -q 'off, inline, thread, auto' ||
	{ echo "FAIL: reclaim's words not listed"; fail=1; }
if command -v groff >/dev/null 2>&1; then
	warn=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
	if [ -n "$warn" ]; then
		echo "FAIL: groff warns:"
		echo "$warn"
		fail=1
	fi
	# man -l as a reader would see it
	if command -v man >/dev/null 2>&1; then
		MANWIDTH=80 man -l "$page" 2>&1 | grep -q 'decay_ms=value' ||
			{ echo "FAIL: man -l does not render the options"; fail=1; }
	fi
else
	echo "groff is not installed: rendering not checked"
fi
[ "$fail" = 0 ] && echo "ok: $(echo $keys | wc -w) keys, $(echo $stats | wc -w) counters, $(echo $funcs | wc -w) functions"
exit $fail
