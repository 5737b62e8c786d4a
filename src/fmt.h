/* SPDX-License-Identifier: MIT */
/*
 * fmt.h - printf-style output with write(2) and a stack buffer: no malloc,
 * no stdio lock, safe in any state the host program is in.
 * Conversions: %s %c %d %i %u %x %p %%, with l/ll/z, a width, '-' and '0'.
 */
#ifndef BM_FMT_H
#define BM_FMT_H

#include <stdarg.h>
#include <stddef.h>

struct bm_out {
	int	fd;		/* where full buffers go; -1 to only collect */
	char	*buf;		/* caller's storage */
	size_t	cap;		/* its size */
	size_t	len;		/* bytes pending in buf */
	size_t	total;		/* bytes produced in all */
};

void bm_out_init(struct bm_out *o, int fd, char *buf, size_t cap);
void bm_out_flush(struct bm_out *o);
void bm_out_write(struct bm_out *o, const char *s, size_t n);
void bm_outf(struct bm_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void bm_voutf(struct bm_out *o, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* One formatted message straight to fd (a 512-byte buffer, flushed). */
void bm_dprintf(int fd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "libbuddymalloc: <message>\n" on stderr. */
void bm_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* BM_FMT_H */
