/* SPDX-License-Identifier: MIT */
/* options.c - BUDDYMALLOC_CONF parsing: sizes with suffixes, ranges,
 * unknown keys and bad values reported and ignored.
 *
 * The options are globals that every case changes, so each case starts
 * from the defaults (options_reset) and the cases run forward, then
 * reversed (RUN_TESTS_BOTH_ORDERS): one that leaned on what another left
 * would fail in one of the two orders.  TEST_ONLY=name runs one alone. */
#include "test.h"
#include "bm.h"
#include "fmt.h"
#include "options.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Every option back to its default, from the option table itself. */
static void options_reset(void)
{
#define OPTION_RESET(name, def, lo, hi, help) bm_opt_##name = (def);
	BM_OPTIONS(OPTION_RESET)
#undef OPTION_RESET
#define STRING_OPTION_RESET(name, len, help) bm_opt_##name[0] = '\0';
	BM_STRING_OPTIONS(STRING_OPTION_RESET)
#undef STRING_OPTION_RESET
}

static void test_sizes(void)
{
	uint64_t v = 0;

	expect_true(bm_parse_size("4096", 4, &v), "a plain number");
	expect_u64_eq(v, 4096, "no suffix: bytes");
	expect_true(bm_parse_size("128M", 4, &v), "M suffix");
	expect_u64_eq(v, 128ULL << 20, "128M is 128 MiB");
	expect_true(bm_parse_size("2g", 2, &v), "lower-case g suffix");
	expect_u64_eq(v, 2ULL << 30, "2g is 2 GiB");
	expect_true(bm_parse_size("64KB", 4, &v), "KB suffix");
	expect_u64_eq(v, 64ULL << 10, "64KB is 64 KiB");
	expect_true(bm_parse_size("1T", 2, &v), "T suffix");
	expect_u64_eq(v, 1ULL << 40, "1T is 1 TiB");
	/* Only the first n characters count. */
	expect_true(bm_parse_size("16M,max_order=10", 3, &v), "a size followed by the next item");
	expect_u64_eq(v, 16ULL << 20, "16M read up to the length given");

	v = 12345;
	expect_false(bm_parse_size("", 0, &v), "empty");
	expect_false(bm_parse_size("M", 1, &v), "a suffix without digits");
	expect_false(bm_parse_size("12x", 3, &v), "an unknown suffix");
	expect_false(bm_parse_size("12MBx", 5, &v), "junk after the suffix");
	expect_false(bm_parse_size("99999999999999999999", 20, &v), "overflows 64 bits");
	expect_false(bm_parse_size("17179869184G", 12, &v), "overflows 64 bits once shifted");
	expect_u64_eq(v, 12345, "a rejected size leaves the output alone");
}

static void test_parse(void)
{
	options_reset();
	expect_d_eq(bm_options_parse("max_order=12,section_size=64M"), 0, "two good items");
	expect_u64_eq(bm_opt_max_order, 12, "max_order set");
	expect_u64_eq(bm_opt_section_size, 64ULL << 20, "section_size set with a suffix");
	expect_u64_eq(bm_opt_stats, 0, "an option not named keeps its default");

	expect_d_eq(bm_options_parse(""), 0, "an empty configuration is no error");
	expect_d_eq(bm_options_parse(NULL), 0, "no configuration is no error");
	expect_u64_eq(bm_opt_max_order, 12, "an empty configuration changes nothing");

	expect_d_eq(bm_options_parse(",,stats=1,"), 0, "empty items are skipped");
	expect_u64_eq(bm_opt_stats, 1, "stats set between empty items");

	expect_d_eq(bm_options_parse("reclaim=thread,debug=guard+junk"), 0, "words");
	expect_u64_eq(bm_opt_reclaim, RECLAIM_THREAD, "reclaim=thread");
	expect_u64_eq(bm_opt_debug, 1 | 4, "debug=guard+junk or-ed (guard 1, junk 4)");

	/* A ',' followed by a digit belongs to a text value. */
	expect_d_eq(bm_options_parse("numa_policy=bind:0,2,max_order=11"), 0, "a list value");
	expect_str_eq(bm_opt_numa_policy, "bind:0,2", "the list kept whole");
	expect_u64_eq(bm_opt_max_order, 11, "the item after the list");
}

static void test_bad_items_ignored(void)
{
	options_reset();
	expect_u64_eq(bm_opt_max_order, 14, "the default, from options.h");
	expect_u64_eq(bm_opt_watermark_scale_factor, 10, "the default, from options.h");
	expect_d_eq(bm_options_parse("max_order=12"), 0, "a good value to keep");

	/* Each bad item is counted and leaves the option as it was. */
	expect_d_eq(bm_options_parse("no_such_key=1"), 1, "unknown key");
	expect_d_eq(bm_options_parse("max_order"), 1, "no '=value'");
	expect_d_eq(bm_options_parse("max_order=99"), 1, "above MAX_ORDER_LIMIT");
	expect_u64_eq(bm_opt_max_order, 12, "rejected values leave it as it was");
	expect_d_eq(bm_options_parse("max_order=3"), 1, "below the minimum of 9");
	expect_u64_eq(bm_opt_max_order, 12, "rejected values leave it as it was");
	expect_d_eq(bm_options_parse("reclaim=sometimes"), 1, "a word the option does not take");
	expect_u64_eq(bm_opt_reclaim, RECLAIM_AUTO, "reclaim keeps its default");

	/* A bad item does not stop the good ones around it. */
	expect_d_eq(bm_options_parse("max_order=ten,watermark_scale_factor=20"), 1,
		    "one bad item of two");
	expect_u64_eq(bm_opt_max_order, 12, "the bad item is ignored");
	expect_u64_eq(bm_opt_watermark_scale_factor, 20, "the good item after it is taken");
	expect_d_eq(bm_options_parse("pcp_batch=0,x=1,pcp_high=100"), 2, "two bad items of three");
	expect_u64_eq(bm_opt_pcp_batch, 31, "pcp_batch=0 is below its minimum of 1");
	expect_u64_eq(bm_opt_pcp_high, 100, "the good item after two bad ones");
}

/* What bm_options_parse(conf) writes on stderr, into buf. */
static const char *parse_messages(const char *conf, char *buf, size_t cap, int *bad)
{
	int fds[2], saved = dup(STDERR_FILENO);
	ssize_t n;

	if (pipe(fds) != 0 || saved < 0) {
		buf[0] = '\0';
		return buf;
	}
	dup2(fds[1], STDERR_FILENO);
	close(fds[1]);
	*bad = bm_options_parse(conf);
	dup2(saved, STDERR_FILENO);
	close(saved);
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	n = read(fds[0], buf, cap - 1);
	close(fds[0]);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

#define expect_message(conf, want) do { \
	char buf_[1024]; \
	int bad_ = -1; \
	expect_str_eq(parse_messages((conf), buf_, sizeof(buf_), &bad_), (want), \
		      "the message for %s", (conf)); \
	expect_d_eq(bad_, 1, "one bad item in %s", (conf)); \
} while (0)

/* A bad item is named alone (not the rest of the configuration), an
 * unknown key comes with the nearest one, and options that take words
 * list them rather than the numbers behind them. */
static void test_messages(void)
{
	options_reset();
	expect_message("deacy_ms=5,stats=0",
		"libbuddymalloc: BUDDYMALLOC_CONF: unknown key 'deacy_ms', ignored "
		"(did you mean 'decay_ms'?)\n");
	expect_u64_eq(bm_opt_stats, 0, "the good item after a typo is taken");
	expect_message("numa_polcy=local",
		"libbuddymalloc: BUDDYMALLOC_CONF: unknown key 'numa_polcy', ignored "
		"(did you mean 'numa_policy'?)\n");
	expect_message("zzzzzz=1,stats=1",
		"libbuddymalloc: BUDDYMALLOC_CONF: unknown key 'zzzzzz', ignored\n");
	expect_message("reclaim=sometimes,stats=0",
		"libbuddymalloc: BUDDYMALLOC_CONF: bad value 'sometimes' for reclaim "
		"(allowed: off, inline, thread, auto), ignored\n");
	expect_message("debug=guard+foo",
		"libbuddymalloc: BUDDYMALLOC_CONF: bad value 'guard+foo' for debug "
		"(allowed: off, guard, poison, junk, all, joined with '+'), ignored\n");
	expect_message("max_order=ten,stats=0",
		"libbuddymalloc: BUDDYMALLOC_CONF: bad value 'ten' for max_order "
		"(allowed: 9..20), ignored\n");
	expect_message("section_size=1k",
		"libbuddymalloc: BUDDYMALLOC_CONF: bad value '1k' for section_size "
		"(allowed: 2M..1T), ignored\n");
	expect_message("stats_signal=SIGFOO",
		"libbuddymalloc: BUDDYMALLOC_CONF: bad value 'SIGFOO' for stats_signal "
		"(allowed: off, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGPWR, "
		"or a number 0..64), ignored\n");
	expect_message("stats,max_order=12",
		"libbuddymalloc: BUDDYMALLOC_CONF: 'stats' has no '=value', ignored\n");
	expect_u64_eq(bm_opt_max_order, 12, "the good item after it is taken");
	expect_ptr_null(bm_option_nearest("completely_different", 20), "no key near");
	expect_str_eq(bm_option_nearest("stat", 4), "stats", "one letter missing");
}

/* The settings in effect: every option, words where it has them. */
static void test_print(void)
{
	char buf[8192];
	struct bm_out o;

	options_reset();
	expect_d_eq(bm_options_parse("debug=guard+junk,reclaim=thread,stats_signal=SIGUSR2,"
				     "stats_file=/tmp/x.%p"), 0, "good items");
	bm_out_init(&o, -1, buf, sizeof(buf));
	bm_options_print(&o, "# ");
	buf[o.len < sizeof(buf) ? o.len : sizeof(buf) - 1] = '\0';
	expect_true(strstr(buf, "# debug=guard+junk\n") != NULL, "flags as words: %s", buf);
	expect_true(strstr(buf, "# reclaim=thread\n") != NULL, "a word: %s", buf);
	expect_true(strstr(buf, "# stats_signal=SIGUSR2\n") != NULL, "a signal: %s", buf);
	expect_true(strstr(buf, "# section_size=128M\n") != NULL, "a size: %s", buf);
	expect_true(strstr(buf, "# decay_ms=1000\n") != NULL, "a number: %s", buf);
	expect_true(strstr(buf, "# stats_file=/tmp/x.%p\n") != NULL, "a text: %s", buf);
#define OPTION_PRINTED(name, def, lo, hi, help) \
	expect_true(strstr(buf, "# " #name "=") != NULL, "%s printed", #name);
	BM_OPTIONS(OPTION_PRINTED)
#undef OPTION_PRINTED
}

/* BUDDYMALLOC_CONF and BUDDYMALLOC_STATS from the environment. */
static void test_init(void)
{
	options_reset();
	setenv("BUDDYMALLOC_CONF", "decay_ms=7,stats_interval_ms=250", 1);
	setenv("BUDDYMALLOC_STATS", "1", 1);
	bm_options_init();
	unsetenv("BUDDYMALLOC_CONF");
	unsetenv("BUDDYMALLOC_STATS");
	expect_u64_eq(bm_opt_decay_ms, 7, "read from BUDDYMALLOC_CONF");
	expect_u64_eq(bm_opt_stats_interval_ms, 250, "read from BUDDYMALLOC_CONF");
	expect_u64_eq(bm_opt_stats, 1, "BUDDYMALLOC_STATS=1");
}

static const struct test_case cases[] = {
	TEST_CASE(test_messages),
	TEST_CASE(test_print),
	TEST_CASE(test_init),
	TEST_CASE(test_sizes),
	TEST_CASE(test_parse),
	TEST_CASE(test_bad_items_ignored),
};

int main(void)
{
	RUN_TESTS_BOTH_ORDERS(cases);
	return test_exit();
}
