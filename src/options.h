/* SPDX-License-Identifier: MIT */
/*
 * options.h - every tunable, declared once.  Users set them as
 * BUDDYMALLOC_CONF="key=value,key=value"; sizes take k, M, G, T suffixes.
 * Each option is a variable bm_opt_<key> that mirrors the key users write.
 */
#ifndef BM_OPTIONS_H
#define BM_OPTIONS_H

#include "bm.h"
#include "debug.h"

#include <signal.h>

enum { RECLAIM_OFF, RECLAIM_INLINE, RECLAIM_THREAD, RECLAIM_AUTO };
enum { STRICT_COMMIT_OFF, STRICT_COMMIT_ON, STRICT_COMMIT_AUTO };

/* Defaults init.c compares with: strict_commit leaves a value the user
 * set alone. */
#define BM_OPT_DEFAULT_MAX_ORDER	14
#define BM_OPT_DEFAULT_SECTION_SIZE	(128ULL << 20)

/*        key                     default        min   max              meaning */
#define BM_OPTIONS(X) \
	X(max_order,              BM_OPT_DEFAULT_MAX_ORDER,            9,    MAX_ORDER_LIMIT, "largest buddy block order (14: 64 MiB)") \
	X(pageblock_order,        9,             1,    MAX_ORDER_LIMIT, "pages grouped by migratetype (9: 2 MiB)") \
	X(section_size,           BM_OPT_DEFAULT_SECTION_SIZE,  1ULL << 21, 1ULL << 40,  "bytes committed at a time (power of two)") \
	X(node_reserve,           64ULL << 30,   1ULL << 21, 1ULL << 44,  "virtual bytes reserved per node") \
	X(min_free_kbytes,        0,             0,    1ULL << 32,      "min watermark in KiB per zone; 0: derived from zone size") \
	X(watermark_scale_factor, 10,            1,    3000,            "low/high distance, in 1/10000 of managed pages") \
	X(fail_nth,               0,             0,    UINT64_MAX,      "fault injection: fail the Nth page allocation (once)") \
	X(fail_every,             0,             0,    UINT64_MAX,      "fault injection: fail every Nth page allocation") \
	X(pcp_batch,              31,            1,    4096,            "pages a pcp list refills and drains at once") \
	X(pcp_high,               186,           2,    65536,           "pages a pcp list holds before it drains") \
	X(reclaim,                RECLAIM_AUTO,  0,    3,               "auto (inline, and a thread once much is free), inline, thread or off") \
	X(reclaim_thread_min,     32ULL << 20,   0,    1ULL << 44,      "auto: backed free bytes in a zone that start the reclaim thread") \
	X(decay_ms,               1000,          0,    3600000,         "free pageblocks unused this long go back to the OS") \
	X(madvise_free,           0,             0,    1,               "give back with MADV_FREE instead of MADV_DONTNEED") \
	X(purge_on_free,          8ULL << 20,    0,    1ULL << 40,      "a free that merges this many dirty bytes gives them back at once (0: never)") \
	X(strict_commit,          STRICT_COMMIT_AUTO, 0, 2,             "auto (on under vm.overcommit_memory=2), on or off: 4 MiB sections and blocks, so the commit charge follows use") \
	X(thp_min,                0,             0,    1ULL << 44,      "a zone with more than this handed out asks for transparent huge pages (0: never)") \
	X(debug,                  0,             0,    7,               "guard, poison, junk, joined with '+' (see debug.h)") \
	X(stats,                  0,             0,    1,               "print the full report at exit") \
	X(stats_signal,           0,             0,    64,              "print the report when this signal arrives (off: no handler is installed)") \
	X(stats_interval_ms,      0,             0,    86400000,        "print the report this often, from a helper thread (0: never)") \
	X(abort_on_error,         1,             0,    1,               "abort after reporting a bad free (0: report and go on)") \
	X(prof,                   0,             0,    1,               "sample allocations, write heap profiles (docs/profiling.md)") \
	X(prof_sample,            512ULL << 10,  1,    1ULL << 40,      "average bytes allocated between two samples") \
	X(prof_interval,          0,             0,    1ULL << 50,      "prof: write a profile every this many bytes allocated (0: never)") \
	X(prof_leak,              0,             0,    1,               "at exit, report the sampled objects still live, by stack (sets prof=1)")

/* Words an option takes instead of a number; an option with words is
 * reported and documented with them.  The options of BM_FLAG_OPTIONS join
 * several words with '+', their values or-ed (debug=guard+junk). */
/*        key           word      value */
#define BM_OPTION_WORDS(X) \
	X(reclaim,      off,      RECLAIM_OFF) \
	X(reclaim,      inline,   RECLAIM_INLINE) \
	X(reclaim,      thread,   RECLAIM_THREAD) \
	X(reclaim,      auto,     RECLAIM_AUTO) \
	X(strict_commit, off,     STRICT_COMMIT_OFF) \
	X(strict_commit, on,      STRICT_COMMIT_ON) \
	X(strict_commit, auto,    STRICT_COMMIT_AUTO) \
	X(debug,        off,      0) \
	X(debug,        guard,    BM_DEBUG_GUARD) \
	X(debug,        poison,   BM_DEBUG_POISON) \
	X(debug,        junk,     BM_DEBUG_JUNK) \
	X(debug,        all,      BM_DEBUG_GUARD | BM_DEBUG_POISON | BM_DEBUG_JUNK) \
	X(stats_signal, off,      0) \
	X(stats_signal, SIGHUP,   SIGHUP) \
	X(stats_signal, SIGQUIT,  SIGQUIT) \
	X(stats_signal, SIGUSR1,  SIGUSR1) \
	X(stats_signal, SIGUSR2,  SIGUSR2) \
	X(stats_signal, SIGWINCH, SIGWINCH) \
	X(stats_signal, SIGPWR,   SIGPWR)
#define BM_FLAG_OPTIONS(X) X(debug)

#define BM_OPTION_DECLARE(name, def, lo, hi, help) extern uint64_t bm_opt_##name;

BM_OPTIONS(BM_OPTION_DECLARE)
#undef BM_OPTION_DECLARE

/* Options whose value is text, kept as written ("" when not set) and
 * interpreted by the part that owns them.  A ',' followed by a digit
 * belongs to the value (numa_policy=bind:0,2), as in numactl's lists. */
/*        key          bytes  meaning */
#define BM_STRING_OPTIONS(X) \
	X(numa_policy, 64,   "local, interleave[:NODES], bind:NODES or preferred:N; default: the process's policy") \
	X(stats_file,  256,  "write the reports to this file instead of stderr; %p in it becomes the process id") \
	X(prof_prefix, 200,  "prof: profiles go to PREFIX.PID.SEQ.KIND.heap; default: buddymalloc")

#define BM_STRING_OPTION_DECLARE(name, len, help) extern char bm_opt_##name[len];
BM_STRING_OPTIONS(BM_STRING_OPTION_DECLARE)
#undef BM_STRING_OPTION_DECLARE

/* Parse "key=value,..." into the bm_opt_ variables; bad items are reported once
 * on stderr and skipped.  Returns the number of items rejected. */
int bm_options_parse(const char *conf);

/* Read BUDDYMALLOC_CONF (and BUDDYMALLOC_STATS) from the environment,
 * with secure_getenv: a set-user-ID program ignores them. */
void bm_options_init(void);

/* Every option as "key=value", words where the option has them, each
 * line started with prefix: the settings in effect, for the report. */
struct bm_out;
void bm_options_print(struct bm_out *o, const char *prefix);

/* The value v of option key as BUDDYMALLOC_CONF would write it: a word,
 * words joined by '+', or a number with a size suffix. */
void bm_option_print_value(struct bm_out *o, const char *key, uint64_t v);
/* What key accepts: its words, or its range ("off, inline, thread,
 * auto", "9..20", "2M..1T"); for the messages and the manual. */
void bm_option_print_allowed(struct bm_out *o, const char *key);

/* The key nearest to s[0..n) by edit distance, or NULL when none is
 * close enough to be a likely typo. */
const char *bm_option_nearest(const char *s, size_t n);

/* Parse a number with an optional k/M/G/T suffix; false on a bad value. */
bool bm_parse_size(const char *s, size_t n, uint64_t *out);

#endif /* BM_OPTIONS_H */
