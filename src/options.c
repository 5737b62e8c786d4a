/* SPDX-License-Identifier: MIT */
/* options.c - the option table and its parser; no malloc (see options.h). */
#include "bm.h"
#include "fmt.h"
#include "options.h"
#include "debug.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BM_OPTION_DEFINE(name, def, lo, hi, help) uint64_t bm_opt_##name = (def);
BM_OPTIONS(BM_OPTION_DEFINE)
#undef BM_OPTION_DEFINE

#define BM_STRING_OPTION_DEFINE(name, len, help) char bm_opt_##name[len];
BM_STRING_OPTIONS(BM_STRING_OPTION_DEFINE)
#undef BM_STRING_OPTION_DEFINE

static const struct string_option {
	const char	*key;
	char		*var;
	size_t		size;
} string_options[] = {
#define BM_STRING_OPTION_ROW(name, len, help) { #name, bm_opt_##name, (len) },
	BM_STRING_OPTIONS(BM_STRING_OPTION_ROW)
#undef BM_STRING_OPTION_ROW
};

struct option_desc {
	const char	*key;
	uint64_t	*var;
	uint64_t	min, max;
};

static const struct option_desc options[] = {
#define BM_OPTION_ROW(name, def, lo, hi, help) { #name, &bm_opt_##name, (lo), (hi) },
	BM_OPTIONS(BM_OPTION_ROW)
#undef BM_OPTION_ROW
};

bool bm_parse_size(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	unsigned int shift = 0;

	if (n == 0)
		return false;
	for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (i == 0)
		return false;
	if (i < n) {
		switch (s[i]) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		case 't': case 'T': shift = 40; break;
		default: return false;
		}
		if (++i < n && (s[i] == 'b' || s[i] == 'B'))
			i++;
		if (i != n || (shift && v > (UINT64_MAX >> shift)))
			return false;
	}
	*out = v << shift;
	return true;
}

/* Words some options take instead of numbers (options.h). */
static const struct option_word {
	const char	*key, *word;
	uint64_t	value;
} option_words[] = {
#define BM_OPTION_WORD_ROW(key, word, value) { #key, #word, (value) },
	BM_OPTION_WORDS(BM_OPTION_WORD_ROW)
#undef BM_OPTION_WORD_ROW
};

static const char *const flag_options[] = {
#define BM_FLAG_OPTION_ROW(key) #key,
	BM_FLAG_OPTIONS(BM_FLAG_OPTION_ROW)
#undef BM_FLAG_OPTION_ROW
};

static bool is_flag_option(const char *key)
{
	for (size_t i = 0; i < BM_ARRAY_SIZE(flag_options); i++)
		if (!strcmp(flag_options[i], key))
			return true;
	return false;
}

static bool parse_one_word(const char *key, const char *s, size_t n, uint64_t *out)
{
	for (size_t i = 0; i < BM_ARRAY_SIZE(option_words); i++)
		if (!strcmp(option_words[i].key, key) &&
		    strlen(option_words[i].word) == n && !memcmp(option_words[i].word, s, n)) {
			*out = option_words[i].value;
			return true;
		}
	return false;
}

/* A word, or for a flag option words joined by '+' whose values are
 * or-ed (debug=a+b). */
static bool parse_word(const char *key, const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;
	bool flags = is_flag_option(key);

	while (n) {
		const char *plus = flags ? memchr(s, '+', n) : NULL;
		size_t len = plus ? (size_t)(plus - s) : n;
		uint64_t w;

		if (!parse_one_word(key, s, len, &w))
			return false;
		v |= w;
		s += len + (plus != NULL);
		n -= len + (plus != NULL);
	}
	*out = v;
	return true;
}

static const struct option_desc *option_find(const char *key, size_t n)
{
	for (size_t i = 0; i < BM_ARRAY_SIZE(options); i++)
		if (strlen(options[i].key) == n && !memcmp(options[i].key, key, n))
			return &options[i];
	return NULL;
}

/* A number as it would be written in BUDDYMALLOC_CONF: with a k, M, G
 * or T suffix when it is a large exact multiple. */
static void print_number(struct bm_out *o, uint64_t v)
{
	static const char suffix[] = "kMGT";
	int i = -1;

	while (v && !(v & 1023) && i < 3 && (i >= 0 || v >= (64u << 10))) {
		v >>= 10;
		i++;
	}
	bm_outf(o, "%llu", (unsigned long long)v);
	if (i >= 0)
		bm_outf(o, "%c", suffix[i]);
}

void bm_option_print_value(struct bm_out *o, const char *key, uint64_t v)
{
	bool flags = is_flag_option(key), any = false;
	uint64_t left = v;

	for (size_t i = 0; i < BM_ARRAY_SIZE(option_words); i++) {
		const struct option_word *w = &option_words[i];

		if (strcmp(w->key, key))
			continue;
		if (w->value == v) {
			bm_outf(o, "%s", w->word);
			return;
		}
		/* single bits only: "all" is printed only when it is exact */
		if (flags && w->value && bm_is_pow2(w->value) && (left & w->value)) {
			bm_outf(o, "%s%s", any ? "+" : "", w->word);
			left &= ~w->value;
			any = true;
		}
	}
	if (any && left)
		bm_outf(o, "+");
	if (!any || left)
		print_number(o, left);
}

void bm_option_print_allowed(struct bm_out *o, const char *key)
{
	const struct option_desc *d = option_find(key, strlen(key));
	bool words = false, covered = true;

	for (size_t i = 0; i < BM_ARRAY_SIZE(option_words); i++)
		if (!strcmp(option_words[i].key, d->key)) {
			bm_outf(o, "%s%s", words ? ", " : "", option_words[i].word);
			words = true;
		}
	if (is_flag_option(d->key)) {
		bm_outf(o, ", joined with '+'");
		return;
	}
	/* Are the numbers all named?  Then the words say it all. */
	for (uint64_t v = d->min; words && covered && v <= d->max; v++) {
		bool named = false;

		for (size_t i = 0; i < BM_ARRAY_SIZE(option_words); i++)
			named |= !strcmp(option_words[i].key, d->key) &&
				 option_words[i].value == v;
		covered = named;
	}
	if (words && covered)
		return;
	bm_outf(o, "%s", words ? ", or a number " : "");
	print_number(o, d->min);
	bm_outf(o, "..");
	print_number(o, d->max);
}


/* Where the item at p ends: the next ',' that does not start a digit. */
static const char *item_end(const char *p)
{
	const char *c = p;

	while ((c = strchr(c, ',')) != NULL && c[1] >= '0' && c[1] <= '9')
		c++;
	return c;
}

/* s[0..n) as a C string for a message, cut with "..." when long. */
static const char *quote(char *buf, size_t cap, const char *s, size_t n)
{
	if (n < cap) {
		memcpy(buf, s, n);
		buf[n] = '\0';
	} else {
		memcpy(buf, s, cap - 4);
		memcpy(buf + cap - 4, "...", 4);
	}
	return buf;
}

/* Levenshtein distance between a and b[0..n), for n and strlen(a) under
 * 64 (longer: too far).  Two rows on the stack. */
static unsigned int edit_distance(const char *a, const char *b, size_t n)
{
	unsigned int row[2][64];
	size_t m = strlen(a);

	if (m >= 64 || n >= 64)
		return UINT32_MAX;
	for (size_t j = 0; j <= n; j++)
		row[0][j] = (unsigned int)j;
	for (size_t i = 1; i <= m; i++) {
		unsigned int *prev = row[(i - 1) & 1], *cur = row[i & 1];

		cur[0] = (unsigned int)i;
		for (size_t j = 1; j <= n; j++) {
			unsigned int best = prev[j - 1] + (a[i - 1] != b[j - 1]);

			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			cur[j] = best;
		}
	}
	return row[m & 1][n];
}

const char *bm_option_nearest(const char *s, size_t n)
{
	const char *best = NULL;
	unsigned int best_d = UINT32_MAX;

	for (size_t i = 0; i < BM_ARRAY_SIZE(options) + BM_ARRAY_SIZE(string_options); i++) {
		const char *key = i < BM_ARRAY_SIZE(options) ? options[i].key :
				  string_options[i - BM_ARRAY_SIZE(options)].key;
		unsigned int d = edit_distance(key, s, n);

		if (d < best_d) {
			best_d = d;
			best = key;
		}
	}
	/* a typo: a few edits, and fewer than a third of the word */
	return best_d <= 2 || (size_t)best_d * 3 <= n ? best : NULL;
}

/* Set a text option; false when key is not one. */
static bool string_option_set(const char *key, size_t n, const char *val, size_t len,
			      int *bad)
{
	for (size_t i = 0; i < BM_ARRAY_SIZE(string_options); i++) {
		const struct string_option *o = &string_options[i];

		if (strlen(o->key) != n || memcmp(o->key, key, n))
			continue;
		if (len >= o->size) {
			bm_warn("BUDDYMALLOC_CONF: value of %s too long (at most %zu bytes), ignored",
				o->key, o->size - 1);
			(*bad)++;
		} else {
			memcpy(o->var, val, len);
			o->var[len] = '\0';
		}
		return true;
	}
	return false;
}

/* One bad item: the message names the item alone. */
static void report_unknown_key(const char *key, size_t n)
{
	char item[80];
	const char *near = bm_option_nearest(key, n);

	quote(item, sizeof(item), key, n);
	if (near)
		bm_warn("BUDDYMALLOC_CONF: unknown key '%s', ignored (did you mean '%s'?)",
			item, near);
	else
		bm_warn("BUDDYMALLOC_CONF: unknown key '%s', ignored", item);
}

static void report_bad_value(const struct option_desc *d, const char *val, size_t n)
{
	char item[80], buf[512];
	struct bm_out o;

	bm_out_init(&o, STDERR_FILENO, buf, sizeof(buf));
	bm_outf(&o, "libbuddymalloc: BUDDYMALLOC_CONF: bad value '%s' for %s (allowed: ",
		quote(item, sizeof(item), val, n), d->key);
	bm_option_print_allowed(&o, d->key);
	bm_outf(&o, "), ignored\n");
	bm_out_flush(&o);
}

int bm_options_parse(const char *conf)
{
	int bad = 0;

	for (const char *p = conf; p && *p;) {
		const char *end = item_end(p);
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		const struct option_desc *d;
		size_t klen, vlen;
		uint64_t v;

		if (len == 0)
			goto next;
		if (!eq) {
			char item[80];

			bm_warn("BUDDYMALLOC_CONF: '%s' has no '=value', ignored",
				quote(item, sizeof(item), p, len));
			bad++;
			goto next;
		}
		klen = (size_t)(eq - p);
		vlen = len - klen - 1;
		if (string_option_set(p, klen, eq + 1, vlen, &bad))
			goto next;
		d = option_find(p, klen);
		if (!d) {
			report_unknown_key(p, klen);
			bad++;
		} else if ((!bm_parse_size(eq + 1, vlen, &v) &&
			    !parse_word(d->key, eq + 1, vlen, &v)) ||
			   v < d->min || v > d->max) {
			report_bad_value(d, eq + 1, vlen);
			bad++;
		} else {
			*d->var = v;
		}
next:
		p = end ? end + 1 : NULL;
	}
	return bad;
}

void bm_options_print(struct bm_out *o, const char *prefix)
{
	for (size_t i = 0; i < BM_ARRAY_SIZE(options); i++) {
		bm_outf(o, "%s%s=", prefix, options[i].key);
		bm_option_print_value(o, options[i].key, *options[i].var);
		bm_outf(o, "\n");
	}
	for (size_t i = 0; i < BM_ARRAY_SIZE(string_options); i++)
		bm_outf(o, "%s%s=%s\n", prefix, string_options[i].key, string_options[i].var);
}

void bm_options_init(void)
{
	/* glibc's secure_getenv walks environ and never allocates; in a
	 * set-user-ID or set-group-ID program it returns NULL, so the
	 * invoking user cannot steer the allocator of a privileged one. */
	const char *s = secure_getenv("BUDDYMALLOC_STATS");

	if (s && *s && *s != '0')
		bm_opt_stats = 1;
	bm_options_parse(secure_getenv("BUDDYMALLOC_CONF"));
}
