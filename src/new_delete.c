/* SPDX-License-Identifier: MIT */
/*
 * new_delete.c - C++ operator new and delete in every form, exported under
 * their Itanium-ABI names so C++ programs skip libstdc++'s wrappers (one
 * call less per new/delete) without this library depending on libstdc++.
 *
 * A failing throwing new calls the program's new_handler while there is
 * one, then throws std::bad_alloc through libstdc++'s own thrower,
 * std::__throw_bad_alloc.  Where it comes from depends on the linking:
 *   - the archive (libtool compiles it without PIC): a strong reference.
 *     This member is linked only into a program that calls operator new,
 *     which links libstdc++, so the static link (-static) brings the
 *     thrower in; dlsym would find nothing there.
 *   - the shared library: a weak reference (a C program needs no
 *     libstdc++), resolved when the program exports the thrower; else
 *     dlsym; else, for a program with its own static copy of libstdc++
 *     (-static-libstdc++), which exports nothing, the shared libstdc++
 *     opened at that moment: its std::bad_alloc is caught by the program's
 *     copy, which matches types by name.
 * This file is built with -fexceptions so the exception can unwind
 * through it.
 */
#define _GNU_SOURCE
#include "bm.h"

#include "malloc_internal.h"

#include <dlfcn.h>
#include <stdlib.h>

/* The mangled names have no C declarations to precede them. */
#pragma GCC diagnostic ignored "-Wmissing-prototypes"

typedef void (*new_handler_t)(void);

#ifdef PIC
#define CXX_REF	__attribute__((weak))
#else
#define CXX_REF
#endif
/* std::get_new_handler() and std::__throw_bad_alloc() */
extern new_handler_t _ZSt15get_new_handlerv(void) CXX_REF;
extern void _ZSt17__throw_bad_allocv(void) CXX_REF __attribute__((noreturn));

/* name from libstdc++: the program's, else the shared library's. */
static void *cxx_symbol(const char *name)
{
	void *sym = dlsym(RTLD_DEFAULT, name);
#ifdef PIC
	if (!sym) {
		void *h = dlopen("libstdc++.so.6", RTLD_NOW | RTLD_LOCAL);

		sym = h ? dlsym(h, name) : NULL;
	}
#endif
	return sym;
}

static BM_NOINLINE void *new_failed(size_t size, size_t align)
{
	new_handler_t (*get_handler)(void) = _ZSt15get_new_handlerv;
	void (*throw_bad_alloc)(void) = _ZSt17__throw_bad_allocv;

	if (!get_handler)
		get_handler = (new_handler_t (*)(void))dlsym(RTLD_DEFAULT, "_ZSt15get_new_handlerv");
	for (;;) {
		new_handler_t h = get_handler ? get_handler() : NULL;
		void *p;

		if (!h)
			break;
		h();
		p = align ? bm_aligned_internal(align, size) : bm_malloc_internal(size);
		if (p)
			return p;
	}
	if (!throw_bad_alloc)
		throw_bad_alloc = (void (*)(void))cxx_symbol("_ZSt17__throw_bad_allocv");
	if (throw_bad_alloc)
		throw_bad_alloc();
	abort();
}

static inline void *op_new(size_t size)
{
	void *p = bm_malloc_internal(size);

	return likely(p) ? p : new_failed(size, 0);
}

static inline void *op_new_aligned(size_t size, size_t align)
{
	void *p = bm_aligned_internal(align, size);

	return likely(p) ? p : new_failed(size, align);
}

/* Names: _Zn[wa]m = new / new[] (size_t); _Zd[la]Pv = delete / delete[];
 * St11align_val_t, RKSt9nothrow_t and a trailing m (size) as spelled. */
#define NOTHROW_T const void *
BM_EXPORT void *_Znwm(size_t n)					{ return op_new(n); }
BM_EXPORT void *_Znam(size_t n)					{ return op_new(n); }
BM_EXPORT void *_ZnwmRKSt9nothrow_t(size_t n, NOTHROW_T t)	{ (void)t; return bm_malloc_internal(n); }
BM_EXPORT void *_ZnamRKSt9nothrow_t(size_t n, NOTHROW_T t)	{ (void)t; return bm_malloc_internal(n); }
BM_EXPORT void *_ZnwmSt11align_val_t(size_t n, size_t a)	{ return op_new_aligned(n, a); }
BM_EXPORT void *_ZnamSt11align_val_t(size_t n, size_t a)	{ return op_new_aligned(n, a); }
BM_EXPORT void *_ZnwmSt11align_val_tRKSt9nothrow_t(size_t n, size_t a, NOTHROW_T t)
{ (void)t; return bm_aligned_internal(a, n); }
BM_EXPORT void *_ZnamSt11align_val_tRKSt9nothrow_t(size_t n, size_t a, NOTHROW_T t)
{ (void)t; return bm_aligned_internal(a, n); }

BM_EXPORT void _ZdlPv(void *p)					{ bm_free_internal(p); }
BM_EXPORT void _ZdaPv(void *p)					{ bm_free_internal(p); }
BM_EXPORT void _ZdlPvm(void *p, size_t n)			{ (void)n; bm_free_internal(p); }
BM_EXPORT void _ZdaPvm(void *p, size_t n)			{ (void)n; bm_free_internal(p); }
BM_EXPORT void _ZdlPvRKSt9nothrow_t(void *p, NOTHROW_T t)	{ (void)t; bm_free_internal(p); }
BM_EXPORT void _ZdaPvRKSt9nothrow_t(void *p, NOTHROW_T t)	{ (void)t; bm_free_internal(p); }
BM_EXPORT void _ZdlPvSt11align_val_t(void *p, size_t a)		{ (void)a; bm_free_internal(p); }
BM_EXPORT void _ZdaPvSt11align_val_t(void *p, size_t a)		{ (void)a; bm_free_internal(p); }
BM_EXPORT void _ZdlPvmSt11align_val_t(void *p, size_t n, size_t a)
{ (void)n; (void)a; bm_free_internal(p); }
BM_EXPORT void _ZdaPvmSt11align_val_t(void *p, size_t n, size_t a)
{ (void)n; (void)a; bm_free_internal(p); }
BM_EXPORT void _ZdlPvSt11align_val_tRKSt9nothrow_t(void *p, size_t a, NOTHROW_T t)
{ (void)a; (void)t; bm_free_internal(p); }
BM_EXPORT void _ZdaPvSt11align_val_tRKSt9nothrow_t(void *p, size_t a, NOTHROW_T t)
{ (void)a; (void)t; bm_free_internal(p); }
