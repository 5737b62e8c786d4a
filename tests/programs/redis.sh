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
cli() { timeout 20 redis-cli -h 127.0.0.1 -p "$port" "$@"; }

# Start the server on a random high port, trying another when taken.
started=
for try in 1 2 3 4 5 6 7 8; do
	port=$(awk -v s="$$$try" 'BEGIN { srand(s); print 20000 + int(rand() * 40000) }')
	BUDDYMALLOC_STATS=1 LD_PRELOAD=$LIB redis-server --bind 127.0.0.1 --port "$port" \
		--save '' --appendonly no --daemonize no --dir "$TMP" \
		--logfile "$TMP/log" > "$TMP/out" 2> "$TMP/err" &
	server=$!
	cleanup_hooks="kill $server 2>/dev/null"
	n=0
	while [ $n -lt 50 ]; do
		if [ "$(cli ping 2>/dev/null)" = PONG ]; then
			started=1
			break 2
		fi
		kill -0 $server 2>/dev/null || break
		sleep 0.1
		n=$((n + 1))
	done
	kill $server 2>/dev/null
	wait $server 2>/dev/null
done
[ -n "$started" ] || fail "redis-server did not start: $(tail -n 5 "$TMP/log" "$TMP/err" 2>/dev/null)"
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
cli shutdown nosave > /dev/null 2>&1
wait $server
status=$?
cleanup_hooks=
[ $status -eq 0 ] || fail "redis-server exited with status $status: $(tail -n 5 "$TMP/log")"
check_report "$TMP/err"
echo "PASS: redis"
