#!/bin/sh
# SPDX-License-Identifier: MIT
# redis_flush.sh - a server that empties gives its memory back: redis-server
# under LD_PRELOAD, with the default configuration, loads a million keys
# (DEBUG POPULATE), then FLUSHALL; within 1 s of FLUSHALL's reply at least
# 95% of what the keys added to used_memory_rss must be gone.  Nothing
# else is sent meanwhile: the server sits in epoll, on no malloc slow
# path, so this is the reclaim thread's doing (docs/reclaim.md).
# Debian packages: redis-server, redis-tools.
. "$(dirname "$0")/lib.sh"
need_tool redis-server redis-server
need_tool redis-cli redis-tools
need_tool timeout coreutils

KEYS=${REDIS_FLUSH_KEYS:-1000000}

# Redis 7 refuses DEBUG unless it is enabled; 6 has no such option.
debug_opt=
case $(redis-server --version) in
*v=[7-9].*|*v=[1-9][0-9].*) debug_opt="--enable-debug-command yes" ;;
esac
# shellcheck disable=SC2086
redis_start $debug_opt
grep -qF "$LIB_REAL" "/proc/$server/maps" || fail "the library is not mapped in redis-server"

rss() { cli info memory | tr -d '\r' | sed -n 's/^used_memory_rss://p'; }
ms() { date +%s%3N; }

start=$(rss)
[ "$(cli debug populate "$KEYS")" = OK ] || fail "DEBUG POPULATE $KEYS: $(cli debug populate 1 2>&1)"
[ "$(cli dbsize)" -eq "$KEYS" ] || fail "DBSIZE $(cli dbsize), want $KEYS"
full=$(rss)
grown=$((full - start))
[ "$grown" -gt $((32 << 20)) ] || fail "$KEYS keys grew RSS by only $((grown >> 20)) MiB"
[ "$(cli flushall)" = OK ] || fail "FLUSHALL"
t0=$(ms)
share=0
while :; do
	now=$(rss)
	elapsed=$(($(ms) - t0))
	share=$(( (full - now) * 100 / grown ))
	[ "$share" -ge 95 ] && break
	[ "$elapsed" -ge 1000 ] && break
	sleep 0.05
done
echo "redis: RSS $((start >> 20)) MiB at start, $((full >> 20)) MiB with $KEYS keys," \
	"$((now >> 20)) MiB $elapsed ms after FLUSHALL: $share% of the growth returned"
[ "$share" -ge 95 ] ||
	fail "$share% of the $((grown >> 20)) MiB the keys took returned within 1 s of FLUSHALL, want 95%"

redis_stop
echo "PASS: redis_flush"
