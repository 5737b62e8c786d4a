#!/bin/sh
# SPDX-License-Identifier: MIT
# ulimit.sh - under an address-space limit (ulimit -v, RLIMIT_AS) of
# 256 MiB and of 1 GiB, real programs run under LD_PRELOAD (python3 with
# threads, perl, sort, sqlite3), and a program allocating 1 MiB blocks
# until malloc fails gets at least 80% of the limit, and no less than
# jemalloc (less 8 MiB) where libjemalloc2 is installed.  The library used
# to start at neither (every malloc NULL at 256 MiB) and got half at
# 1 GiB; its range now grows a section at a time under the limit.
. "$(dirname "$0")/lib.sh"
need_tool python3 python3
need_tool perl perl-base
need_tool sqlite3 sqlite3

FILL=$abs_top_builddir/tests/programs/fill
[ -x "$FILL" ] || fail "$FILL not built"
JEMALLOC=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2
for kib in 262144 1048576; do
	mib=$((kib / 1024))
	got=$( (ulimit -v $kib && LD_PRELOAD=$LIB "$FILL") 2> "$TMP/err") ||
		fail "fill under ulimit -v ${mib} MiB failed: $(tail -n 3 "$TMP/err")"
	[ "$got" -ge $((mib * 80 / 100)) ] ||
		fail "ulimit -v ${mib} MiB: 1 MiB blocks up to $got MiB, want at least 80% of the limit"
	if [ -f "$JEMALLOC" ] && [ -z "${BUDDYMALLOC_LIB:-}" ]; then
		je=$( (ulimit -v $kib && LD_PRELOAD=$JEMALLOC "$FILL") 2> /dev/null) || je=0
		[ "$got" -ge $((je - 8)) ] ||
			fail "ulimit -v ${mib} MiB: 1 MiB blocks up to $got MiB, jemalloc $je MiB"
		echo "ulimit -v ${mib} MiB: jemalloc got $je MiB"
	fi
	[ "$(grep -c 'cannot reserve' "$TMP/err")" -le 1 ] ||
		fail "ulimit -v ${mib} MiB: the address-space failure reported more than once"
	(ulimit -v $kib && LD_PRELOAD=$LIB python3 -c '
import json, threading
def work():
    d = {str(i): list(range(i % 30)) for i in range(30000)}
    assert json.loads(json.dumps(d)) == d
t = [threading.Thread(target=work) for _ in range(4)]
[x.start() for x in t]; [x.join() for x in t]
') > "$TMP/out" 2> "$TMP/err" || fail "python3 under ulimit -v ${mib} MiB: $(tail -n 3 "$TMP/err")"
	(ulimit -v $kib && LD_PRELOAD=$LIB perl -e 'my %h = map { $_ => [1..($_ % 20)] } 1..50000; print scalar(keys %h), "\n"') > "$TMP/out" 2> "$TMP/err" ||
		fail "perl under ulimit -v ${mib} MiB: $(tail -n 3 "$TMP/err")"
	[ "$(cat "$TMP/out")" = 50000 ] || fail "perl under ulimit -v ${mib} MiB printed $(cat "$TMP/out")"
	seq 200000 | sort -R > "$TMP/in"
	(ulimit -v $kib && LD_PRELOAD=$LIB sort -n "$TMP/in") > "$TMP/out" 2> "$TMP/err" ||
		fail "sort under ulimit -v ${mib} MiB: $(tail -n 3 "$TMP/err")"
	seq 200000 | cmp -s - "$TMP/out" || fail "sort under ulimit -v ${mib} MiB: wrong output"
	(ulimit -v $kib && LD_PRELOAD=$LIB sqlite3 ':memory:' \
		'create table t(a,b); with recursive c(x) as (select 1 union all select x+1 from c where x<100000) insert into t select x, hex(randomblob(20)) from c; select count(*) from t;') \
		> "$TMP/out" 2> "$TMP/err" || fail "sqlite3 under ulimit -v ${mib} MiB: $(tail -n 3 "$TMP/err")"
	[ "$(cat "$TMP/out")" = 100000 ] || fail "sqlite3 under ulimit -v ${mib} MiB printed $(cat "$TMP/out")"
	echo "ulimit -v ${mib} MiB: 1 MiB blocks up to $got MiB; python3, perl, sort, sqlite3 ran"
done
echo "PASS: ulimit"
