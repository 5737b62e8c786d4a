#!/bin/sh
# SPDX-License-Identifier: MIT
# redis.sh - redis-server under LD_PRELOAD on 127.0.0.1 and a random free
# high port; redis-benchmark (also preloaded, 20,000 requests) must finish
# and report its SET and GET rates, a SET/GET round trip must return the
# value, the key count must be right, and the server must shut down
# cleanly.
# Debian packages: redis-server, redis-tools.
. "$(dirname "$0")/lib.sh"
need_tool redis-server redis-server
need_tool redis-cli redis-tools
need_tool redis-benchmark redis-tools
need_tool timeout coreutils

check_mapped cat

redis_start
grep -qF "$LIB_REAL" "/proc/$server/maps" || fail "the library is not mapped in redis-server"

[ "$(cli set bm:key 'hello buddy')" = OK ] || fail "SET"
[ "$(cli get bm:key)" = "hello buddy" ] || fail "GET did not return the value"
LD_PRELOAD=$LIB timeout 60 redis-benchmark -h 127.0.0.1 -p "$port" -n 20000 -c 20 -q \
	-t set,get,lpush,lpop,incr -d 100 > "$TMP/bench.raw" 2>&1 ||
	fail "redis-benchmark: $(tail -c 500 "$TMP/bench.raw")"
tr '\r' '\n' < "$TMP/bench.raw" > "$TMP/bench"
for t in SET GET LPUSH LPOP INCR; do
	grep -q "^$t: [0-9.]* requests per second" "$TMP/bench" ||
		fail "redis-benchmark did not report $t:
$(tail -n 10 "$TMP/bench")"
done
[ "$(cli get bm:key)" = "hello buddy" ] || fail "the key was lost"
# bm:key, key:__rand_int__, counter:__rand_int__ (mylist is emptied by LPOP).
[ "$(cli dbsize)" -eq 3 ] || fail "DBSIZE is $(cli dbsize) after the benchmark, want 3"
cli mset a 1 b 2 c 3 > /dev/null || fail "MSET"
[ "$(cli dbsize)" -eq 6 ] || fail "DBSIZE is $(cli dbsize) after MSET, want 6"
[ "$(cli mget a c)" = "$(printf '1\n3')" ] || fail "MGET"
redis_stop
echo "PASS: redis"
