# SPDX-License-Identifier: MIT
# lib.sh - sourced by the tests in tests/programs: which library to
# preload, a scratch directory, and the checks that the library is really
# loaded into the programs run.
#
# LIB is $BUDDYMALLOC_LIB when set (to validate these scripts on another
# allocator, e.g. BUDDYMALLOC_LIB=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2),
# else the libbuddymalloc.so of the build tree.

: "${abs_top_builddir:=$(pwd)}"
LIB=${BUDDYMALLOC_LIB:-$abs_top_builddir/.libs/libbuddymalloc.so}
test_name=$(basename "$0" .sh)

fail() {
	echo "FAIL: $test_name: $*" >&2
	exit 1
}

# need_tool PROGRAM DEBIAN_PACKAGE: skip (77) when a tool is not installed.
need_tool() {
	command -v "$1" >/dev/null 2>&1 && return 0
	echo "SKIP: $test_name: $1 not installed (Debian package $2)" >&2
	exit 77
}

[ -f "$LIB" ] || fail "$LIB not found (build the library first)"
case $LIB in
/*) ;;
*) LIB=$(pwd)/$LIB ;;
esac
LIB_REAL=$(readlink -f "$LIB")

TMP=$(mktemp -d "${TMPDIR:-/tmp}/bm-$test_name.XXXXXX") || fail "mktemp"
cleanup_hooks=
cleanup() {
	eval "$cleanup_hooks"
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# preload COMMAND...: run COMMAND with the library preloaded.
preload() {
	LD_PRELOAD=$LIB "$@"
}

# check_mapped COMMAND...: COMMAND, preloaded, has the library mapped.  ld.so
# only warns and goes on when a preload cannot be loaded, so this matters.
# COMMAND gets the maps file to read as its last argument.
check_mapped() {
	LD_PRELOAD=$LIB "$@" /proc/self/maps > "$TMP/maps" 2> "$TMP/maps.err" ||
		fail "'$*' failed under LD_PRELOAD: $(tail -n 5 "$TMP/maps.err")"
	grep -qF "$LIB_REAL" "$TMP/maps" ||
		fail "$LIB_REAL is not mapped in '$*' under LD_PRELOAD: $(tail -n 5 "$TMP/maps.err")"
}

# check_report FILE: FILE (a program's stderr, run with BUDDYMALLOC_STATS=1)
# holds libbuddymalloc's full report and its vmstat section counts some
# activity.  Skipped, not failed, when BUDDYMALLOC_LIB names another
# allocator to validate these scripts on.
check_report() {
	if [ -n "${BUDDYMALLOC_LIB:-}" ]; then
		echo "note: BUDDYMALLOC_LIB is set: report check of $1 skipped" >&2
		return 0
	fi
	for section in buddyinfo zoneinfo slabinfo vmstat; do
		grep -qx -- "--- libbuddymalloc $section ---" "$1" ||
			fail "no '--- libbuddymalloc $section ---' in the report ($1):
$(tail -n 20 "$1")"
	done
	# vmstat: "name value" lines after its header; one must be nonzero.
	awk '/^--- libbuddymalloc vmstat ---$/ { on = 1; next }
	     /^---/ { on = 0 }
	     on && NF == 2 && $2 + 0 > 0 { found = 1 }
	     END { exit !found }' "$1" ||
		fail "the vmstat report counts no activity ($1)"
}

# redis_start [ARG...]: redis-server, preloaded and with BUDDYMALLOC_STATS=1,
# on 127.0.0.1 and a random free high port, trying another when taken;
# extra ARGs go to redis-server.  Sets port and server (its pid); cli runs
# redis-cli against it.  Fails when it does not start.
cli() { timeout 20 redis-cli -h 127.0.0.1 -p "$port" "$@"; }
redis_start() {
	started=
	for try in 1 2 3 4 5 6 7 8; do
		port=$(awk -v s="$$$try" 'BEGIN { srand(s); print 20000 + int(rand() * 40000) }')
		BUDDYMALLOC_STATS=1 LD_PRELOAD=$LIB redis-server --bind 127.0.0.1 --port "$port" \
			--save '' --appendonly no --daemonize no --dir "$TMP" \
			--logfile "$TMP/log" "$@" > "$TMP/out" 2> "$TMP/err" &
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
}

# redis_stop: SHUTDOWN NOSAVE; the server must exit 0, and its report
# (BUDDYMALLOC_STATS=1, on its stderr) must be whole.
redis_stop() {
	cli shutdown nosave > /dev/null 2>&1
	wait $server
	status=$?
	cleanup_hooks=
	[ $status -eq 0 ] || fail "redis-server exited with status $status: $(tail -n 5 "$TMP/log")"
	check_report "$TMP/err"
}
