/* SPDX-License-Identifier: MIT */
/* options.c - the option table and its parser; no malloc (see options.h). */
#include "bm.h"
#include "fmt.h"
#include "options.h"
#include "debug.h"

#include <stdlib.h>
#include <string.h>

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

/* Words some options take instead of numbers. */
static const struct option_word {
	const char	*key, *word;
	uint64_t	value;
} option_words[] = {
	{ "reclaim", "off", RECLAIM_OFF },
	{ "reclaim", "inline", RECLAIM_INLINE },
	{ "reclaim", "thread", RECLAIM_THREAD },
	{ "reclaim", "auto", RECLAIM_AUTO },
	{ "strict_commit", "off", STRICT_COMMIT_OFF },
	{ "strict_commit", "on", STRICT_COMMIT_ON },
	{ "strict_commit", "auto", STRICT_COMMIT_AUTO },
	{ "debug", "guard", BM_DEBUG_GUARD },
	{ "debug", "poison", BM_DEBUG_POISON },
	{ "debug", "junk", BM_DEBUG_JUNK },
	{ "debug", "all", BM_DEBUG_GUARD | BM_DEBUG_POISON | BM_DEBUG_JUNK },
};

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

/* A word, or words joined by '+' whose values are or-ed (debug=a+b). */
static bool parse_word(const char *key, const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	while (n) {
		const char *plus = memchr(s, '+', n);
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

/* Where the item at p ends: the next ',' that does not start a digit. */
static const char *item_end(const char *p)
{
	const char *c = p;

	while ((c = strchr(c, ',')) != NULL && c[1] >= '0' && c[1] <= '9')
		c++;
	return c;
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
			bm_warn("BUDDYMALLOC_CONF: value of %s too long, ignored", o->key);
			(*bad)++;
		} else {
			memcpy(o->var, val, len);
			o->var[len] = '\0';
		}
		return true;
	}
	return false;
}

int bm_options_parse(const char *conf)
{
	int bad = 0;

	for (const char *p = conf; p && *p;) {
		const char *end = item_end(p);
		size_t len = end ? (size_t)(end - p) : strlen(p);
		const char *eq = memchr(p, '=', len);
		const struct option_desc *d;
		uint64_t v;

		if (len == 0)
			goto next;
		if (!eq) {
			bm_warn("BUDDYMALLOC_CONF: '%s' has no '=value', ignored", p);
			bad++;
			goto next;
		}
		if (string_option_set(p, (size_t)(eq - p), eq + 1,
				      len - (size_t)(eq + 1 - p), &bad))
			goto next;
		d = option_find(p, (size_t)(eq - p));
		if (!d) {
			bm_warn("BUDDYMALLOC_CONF: unknown key in '%s', ignored", p);
			bad++;
		} else if ((!bm_parse_size(eq + 1, len - (size_t)(eq + 1 - p), &v) &&
			    !parse_word(d->key, eq + 1, len - (size_t)(eq + 1 - p), &v)) ||
			   v < d->min || v > d->max) {
			bm_warn("BUDDYMALLOC_CONF: bad value for %s (allowed %lu..%lu), ignored",
				d->key, (unsigned long)d->min, (unsigned long)d->max);
			bad++;
		} else {
			*d->var = v;
		}
next:
		p = end ? end + 1 : NULL;
	}
	return bad;
}

void bm_options_init(void)
{
	/* glibc's getenv walks environ and never allocates. */
	const char *s = getenv("BUDDYMALLOC_STATS");

	if (s && *s && *s != '0')
		bm_opt_stats = 1;
	bm_options_parse(getenv("BUDDYMALLOC_CONF"));
}
