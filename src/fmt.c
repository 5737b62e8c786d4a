/* SPDX-License-Identifier: MIT */
/* fmt.c - formatted output without malloc (see fmt.h). */
#include "bm.h"
#include "fmt.h"
#include "os.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

void bm_out_init(struct bm_out *o, int fd, char *buf, size_t cap)
{
	o->fd = fd;
	o->buf = buf;
	o->cap = cap;
	o->len = 0;
	o->total = 0;
}

void bm_out_flush(struct bm_out *o)
{
	size_t off = 0;
	int saved = errno;	/* reporting must not disturb the caller's errno */

	while (o->fd >= 0 && off < o->len) {
		ssize_t n = bm_os_write(o->fd, o->buf + off, o->len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	if (o->fd >= 0)
		o->len = 0;
	errno = saved;
}

static void out_char(struct bm_out *o, char c)
{
	if (o->len == o->cap) {
		if (o->fd < 0) {	/* collecting only: drop what does not fit */
			o->total++;
			return;
		}
		bm_out_flush(o);
	}
	o->buf[o->len++] = c;
	o->total++;
}

void bm_out_write(struct bm_out *o, const char *s, size_t n)
{
	while (n--)
		out_char(o, *s++);
}

static void out_pad(struct bm_out *o, char c, int n)
{
	while (n-- > 0)
		out_char(o, c);
}

/* Emit digits (already formatted, reversed into tmp) with width rules. */
static void out_field(struct bm_out *o, const char *s, int n, int width,
		      bool left, char pad)
{
	if (!left)
		out_pad(o, pad, width - n);
	bm_out_write(o, s, (size_t)n);
	if (left)
		out_pad(o, ' ', width - n);
}

static int utoa(char *out, unsigned long long v, unsigned base, bool neg)
{
	char tmp[24];
	int n = 0, len = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		out[len++] = '-';
	while (n)
		out[len++] = tmp[--n];
	return len;
}

void bm_voutf(struct bm_out *o, const char *fmt, va_list ap)
{
	for (const char *p = fmt; *p; p++) {
		char num[32];
		int width = 0, lng = 0, n;
		bool left = false;
		char pad = ' ';

		if (*p != '%') {
			out_char(o, *p);
			continue;
		}
		p++;
		if (*p == '-') {
			left = true;
			p++;
		}
		if (*p == '0') {
			pad = '0';
			p++;
		}
		while (*p >= '0' && *p <= '9')
			width = width * 10 + (*p++ - '0');
		while (*p == 'l' || *p == 'z') {
			lng += (*p == 'z') ? 2 : 1;
			p++;
		}
		switch (*p) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			out_field(o, s, (int)strlen(s), width, left, ' ');
			break;
		}
		case 'c':
			num[0] = (char)va_arg(ap, int);
			out_field(o, num, 1, width, left, ' ');
			break;
		case 'd':
		case 'i': {
			long long v = lng >= 2 ? va_arg(ap, long long) :
				      lng == 1 ? va_arg(ap, long) : va_arg(ap, int);
			unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v
						     : (unsigned long long)v;
			n = utoa(num, u, 10, v < 0);
			out_field(o, num, n, width, left, pad);
			break;
		}
		case 'u':
		case 'x': {
			unsigned long long v = lng >= 2 ? va_arg(ap, unsigned long long) :
				lng == 1 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
			n = utoa(num, v, *p == 'x' ? 16 : 10, false);
			out_field(o, num, n, width, left, pad);
			break;
		}
		case 'p':
			num[0] = '0';
			num[1] = 'x';
			n = 2 + utoa(num + 2, (uintptr_t)va_arg(ap, void *), 16, false);
			out_field(o, num, n, width, left, ' ');
			break;
		case '%':
			out_char(o, '%');
			break;
		default:	/* unknown conversion: print it as it stands */
			out_char(o, '%');
			if (*p)
				out_char(o, *p);
			else
				p--;
			break;
		}
	}
}

void bm_outf(struct bm_out *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	bm_voutf(o, fmt, ap);
	va_end(ap);
}

void bm_dprintf(int fd, const char *fmt, ...)
{
	char buf[512];
	struct bm_out o;
	va_list ap;

	bm_out_init(&o, fd, buf, sizeof(buf));
	va_start(ap, fmt);
	bm_voutf(&o, fmt, ap);
	va_end(ap);
	bm_out_flush(&o);
}

void bm_warn(const char *fmt, ...)
{
	char buf[512];
	struct bm_out o;
	va_list ap;

	bm_out_init(&o, STDERR_FILENO, buf, sizeof(buf));
	bm_outf(&o, "libbuddymalloc: ");
	va_start(ap, fmt);
	bm_voutf(&o, fmt, ap);
	va_end(ap);
	bm_outf(&o, "\n");
	bm_out_flush(&o);
}
