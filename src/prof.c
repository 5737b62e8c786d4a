/* SPDX-License-Identifier: MIT */
/*
 * prof.c - the heap profiler's records, stacks and output (see prof.h).
 *
 * A stack is recorded once and never freed: it holds the counts of the
 * samples taken there, live and in all.  A sample's record (address,
 * size, stack) sits in a hash table by address until the object is
 * freed.  Both come from a bump arena of mmap'd chunks and two bucket
 * arrays mapped on first use, never from malloc.
 *
 * The profile is the legacy text format of gperftools' heap profiler,
 * which google-pprof and jeprof both read:
 *
 *   heap profile: <live n>: <live bytes> [<all n>: <all bytes>] @ heap_v2/<prof_sample>
 *   <live n>: <live bytes> [<all n>: <all bytes>] @ 0x<pc> 0x<pc> ...
 *   ...
 *
 *   MAPPED_LIBRARIES:
 *   <the text of /proc/self/maps>
 *
 * Counts are of samples; "heap_v2/R" tells the tools to scale each line
 * by 1 / (1 - exp(-avg / R)), avg being its bytes over its count.  The
 * pcs are return addresses, innermost first; the tools subtract one
 * from all but the first, so the first is written less one, and every
 * pc then points into its call instruction.
 */
#include "bm.h"
#include "fmt.h"
#include "lock.h"
#include "options.h"
#include "prof.h"
#include "prof_math.h"
#include "os.h"

#include <dlfcn.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <unwind.h>

#define PROF_DEPTH_MAX	64		/* frames kept per stack */
#define STACK_BUCKETS	(1u << 14)
#define REC_BUCKETS	(1u << 16)
#define ARENA_CHUNK	(1u << 20)	/* 1 MiB of records and stacks at a time */
#define LEAK_STACKS	20		/* stacks the leak report shows */
#define PATH_CAP	256

struct prof_stack {
	struct prof_stack *next;	/* hash chain */
	uint64_t	hash;
	uint64_t	live_n, live_bytes;	/* samples still allocated */
	uint64_t	all_n, all_bytes;	/* every sample taken here */
	uint32_t	depth;
	uintptr_t	pcs[];		/* return addresses, innermost first */
};

struct prof_rec {
	struct prof_rec	*next;		/* hash chain, or the free list */
	uintptr_t	addr;
	size_t		size;
	struct prof_stack *stack;
};

bool bm_prof_on;
__thread struct bm_prof_thread bm_prof_thread __attribute__((tls_model("initial-exec")));

static bm_lock_t	prof_lock = BM_LOCK_INIT_RANK(LOCK_RANK_PROF);
/* Under prof_lock: */
static struct prof_stack **stacks;	/* STACK_BUCKETS chains */
static struct prof_rec	**recs;		/* REC_BUCKETS chains */
static struct prof_rec	*rec_free;
static char		*arena, *arena_end;
static uint64_t		est_bytes;	/* bytes allocated, estimated from the samples */
static uint64_t		next_interval;	/* est_bytes of the next interval profile */

static _Atomic unsigned int dump_seq;	/* the SEQ of profile file names */
static int		leak_fd = -1;	/* stderr, copied at start-up */
/* The allocator's own code: frames in it are left out of a stack. */
static _Atomic uintptr_t self_lo, self_hi;
static _Atomic bool	self_known;

static void unwinder_open(void);

void bm_prof_init(void)
{
	if (bm_opt_prof_leak)
		bm_opt_prof = 1;
	bm_prof_on = bm_opt_prof;
	next_interval = bm_opt_prof_interval;
	if (bm_opt_prof_leak)
		leak_fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
	if (bm_prof_on)
		unwinder_open();
}

/* ------------------------------------------------------------ sampling */

static uint64_t prof_random(struct bm_prof_thread *pt)
{
	pt->rng ^= pt->rng >> 12;
	pt->rng ^= pt->rng << 25;
	pt->rng ^= pt->rng >> 27;
	return pt->rng * 0x2545f4914f6cdd1dULL;
}

/* Bytes to the next sample: exponential with mean prof_sample. */
static uint64_t draw_interval(struct bm_prof_thread *pt)
{
	double u = (double)((prof_random(pt) >> 11) + 1) * 0x1p-53;	/* (0, 1] */
	double d = -bm_ln(u) * (double)bm_opt_prof_sample;

	return d < 1.0 ? 1 : d > 0x1p62 ? 1ULL << 62 : (uint64_t)d + 1;
}

static void seed_thread(struct bm_prof_thread *pt)
{
	static _Atomic uint64_t threads;
	struct timespec ts;
	uint64_t x;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uintptr_t)pt ^
	    atomic_fetch_add_explicit(&threads, 1, memory_order_relaxed) * 0x9e3779b97f4a7c15ULL;
	/* splitmix64's finaliser: neighbouring seeds, unrelated streams */
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	x ^= x >> 31;
	pt->rng = x ? x : 1;
}

bool bm_prof_due(unsigned int stream, size_t size)
{
	struct bm_prof_thread *pt = &bm_prof_thread;
	uint64_t *left = &pt->left[stream];

	if (unlikely(!pt->rng))
		seed_thread(pt);
	if (unlikely(!*left))
		*left = draw_interval(pt);
	if (*left > size) {
		*left -= size;
		return false;
	}
	*left = draw_interval(pt);
	return true;
}

/* --------------------------------------------------------------- stacks */

/* Find the executable segment holding the allocator's code; none when
 * the allocator is part of the main program (a static link), where the
 * tools' own list of allocation functions trims the stacks instead. */
static int find_self(struct dl_phdr_info *info, size_t size, void *arg)
{
	uintptr_t addr = (uintptr_t)arg;

	(void)size;
	for (unsigned int i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uintptr_t lo = info->dlpi_addr + ph->p_vaddr;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X) ||
		    addr - lo >= ph->p_memsz)
			continue;
		if (info->dlpi_name && info->dlpi_name[0]) {
			atomic_store_explicit(&self_lo, lo, memory_order_relaxed);
			atomic_store_explicit(&self_hi, lo + ph->p_memsz, memory_order_relaxed);
		}
		return 1;
	}
	return 0;
}

/* libgcc's unwinder.  The static library refers to it outright: a
 * static link takes it from libgcc_eh.  The shared library does not
 * link libgcc_s, which would map about 100 KiB into every process that
 * preloads us for a profiler most never turn on: prof=1 opens it at
 * start-up, inside bm_init as hwloc is (a sample must not dlopen: it
 * allocates and takes the loader's lock), and finds it loaded already
 * in most programs. */
typedef _Unwind_Reason_Code (*unwind_backtrace_fn)(_Unwind_Trace_Fn, void *);
typedef _Unwind_Ptr (*unwind_get_ip_fn)(struct _Unwind_Context *);
static unwind_backtrace_fn unwind_backtrace;
static unwind_get_ip_fn unwind_get_ip;

static void unwinder_open(void)
{
#ifdef PIC
	void *h = dlopen("libgcc_s.so.1", RTLD_NOW | RTLD_LOCAL);

	if (h) {
		unwind_backtrace = (unwind_backtrace_fn)dlsym(h, "_Unwind_Backtrace");
		unwind_get_ip = (unwind_get_ip_fn)dlsym(h, "_Unwind_GetIP");
	}
#else
	unwind_backtrace = _Unwind_Backtrace;
	unwind_get_ip = _Unwind_GetIP;
#endif
	if (!unwind_backtrace || !unwind_get_ip) {
		unwind_backtrace = NULL;
		bm_warn("prof: libgcc_s.so.1's unwinder not found: samples have no stack");
	}
}

struct unwind_state {
	uintptr_t	*pcs;
	unsigned int	n;
	bool		skipping;	/* still in the allocator's frames */
	uintptr_t	lo, hi;
};

static _Unwind_Reason_Code unwind_frame(struct _Unwind_Context *ctx, void *arg)
{
	struct unwind_state *u = arg;
	uintptr_t ip = unwind_get_ip(ctx);

	if (!ip)
		return _URC_END_OF_STACK;
	if (u->skipping && ip - u->lo < u->hi - u->lo)
		return _URC_NO_REASON;
	u->skipping = false;
	u->pcs[u->n++] = ip;
	return u->n < PROF_DEPTH_MAX ? _URC_NO_REASON : _URC_END_OF_STACK;
}

/* The calling thread's stack into pcs, from the caller of the
 * allocation function out; returns its depth.  No lock held. */
static unsigned int capture_stack(uintptr_t *pcs)
{
	struct unwind_state u = { .pcs = pcs, .skipping = true };

	if (!atomic_load_explicit(&self_known, memory_order_acquire)) {
		dl_iterate_phdr(find_self, (void *)(uintptr_t)unwind_frame);
		atomic_store_explicit(&self_known, true, memory_order_release);
	}
	u.lo = atomic_load_explicit(&self_lo, memory_order_relaxed);
	u.hi = atomic_load_explicit(&self_hi, memory_order_relaxed);
	if (unwind_backtrace)
		unwind_backtrace(unwind_frame, &u);
	return u.n;
}

static uint64_t stack_hash(const uintptr_t *pcs, unsigned int depth)
{
	uint64_t h = depth;

	for (unsigned int i = 0; i < depth; i++) {
		h = (h ^ pcs[i]) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	return h;
}

/* n bytes from the arena (16-byte aligned); NULL when mmap fails. */
static void *__arena_alloc(size_t n)
{
	void *p;

	n = BM_ALIGN_UP(n, 16);
	if ((size_t)(arena_end - arena) < n) {
		void *m = mmap(NULL, ARENA_CHUNK, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (m == MAP_FAILED)
			return NULL;
		arena = m;
		arena_end = arena + ARENA_CHUNK;
	}
	p = arena;
	arena += n;
	return p;
}

static bool __tables_ready(void)
{
	void *m;

	if (recs)
		return true;
	m = mmap(NULL, (STACK_BUCKETS + REC_BUCKETS) * sizeof(void *), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return false;
	stacks = m;
	recs = (struct prof_rec **)(stacks + STACK_BUCKETS);
	return true;
}

static struct prof_stack *__stack_get(const uintptr_t *pcs, unsigned int depth)
{
	uint64_t h = stack_hash(pcs, depth);
	struct prof_stack **b = &stacks[h & (STACK_BUCKETS - 1)], *st;

	for (st = *b; st; st = st->next)
		if (st->hash == h && st->depth == depth &&
		    !memcmp(st->pcs, pcs, depth * sizeof(*pcs)))
			return st;
	st = __arena_alloc(sizeof(*st) + depth * sizeof(*pcs));
	if (!st)
		return NULL;
	st->hash = h;
	st->depth = depth;
	memcpy(st->pcs, pcs, depth * sizeof(*pcs));
	st->next = *b;
	*b = st;
	return st;
}

static struct prof_rec **__rec_slot(uintptr_t addr)
{
	return &recs[((addr >> PAGE_SHIFT) * 0x9e3779b97f4a7c15ULL) >> 48 & (REC_BUCKETS - 1)];
}

/* The link pointing at addr's record, or NULL. */
static struct prof_rec **__rec_find(uintptr_t addr)
{
	struct prof_rec **l;

	if (!recs)
		return NULL;
	for (l = __rec_slot(addr); *l; l = &(*l)->next)
		if ((*l)->addr == addr)
			return l;
	return NULL;
}

/* What one sample of size bytes stands for: its size over the chance
 * that it was sampled. */
static double sample_scale(double size)
{
	return 1.0 / -bm_expm1_neg(-size / (double)bm_opt_prof_sample);
}

static int dump_next(char kind, char *path);

void bm_prof_record(void *p, size_t size)
{
	uintptr_t pcs[PROF_DEPTH_MAX];
	unsigned int depth = capture_stack(pcs);
	struct prof_stack *st;
	struct prof_rec *r;
	bool interval = false;
	char path[PATH_CAP];

	bm_lock(&prof_lock);
	if (!__tables_ready() || !(st = __stack_get(pcs, depth)))
		goto out;
	r = rec_free;
	if (r)
		rec_free = r->next;
	else if (!(r = __arena_alloc(sizeof(*r))))
		goto out;
	r->addr = (uintptr_t)p;
	r->size = size;
	r->stack = st;
	r->next = *__rec_slot(r->addr);
	*__rec_slot(r->addr) = r;
	st->live_n++;
	st->live_bytes += size;
	st->all_n++;
	st->all_bytes += size;
	if (bm_opt_prof_interval) {
		est_bytes += (uint64_t)((double)size * sample_scale((double)size));
		if (est_bytes >= next_interval) {
			interval = true;
			next_interval = est_bytes + bm_opt_prof_interval;
		}
	}
out:
	bm_unlock(&prof_lock);
	if (interval)
		dump_next('i', path);
}

static void __rec_unlink(struct prof_rec **l)
{
	struct prof_rec *r = *l;

	*l = r->next;
	r->stack->live_n--;
	r->stack->live_bytes -= r->size;
}

void bm_prof_forget(const void *p)
{
	struct prof_rec **l;

	bm_lock(&prof_lock);
	l = __rec_find((uintptr_t)p);
	if (l) {
		struct prof_rec *r = *l;

		__rec_unlink(l);
		r->next = rec_free;
		rec_free = r;
	}
	bm_unlock(&prof_lock);
}

void bm_prof_moved(const void *old, void *p, size_t size)
{
	struct prof_rec **l;

	bm_lock(&prof_lock);
	l = __rec_find((uintptr_t)old);
	if (l) {
		struct prof_rec *r = *l;

		__rec_unlink(l);
		r->addr = (uintptr_t)p;
		r->size = size;
		r->next = *__rec_slot(r->addr);
		*__rec_slot(r->addr) = r;
		r->stack->live_n++;
		r->stack->live_bytes += size;
	}
	bm_unlock(&prof_lock);
}

/* -------------------------------------------------------------- output */

/* Copy /proc/self/maps to o. */
static void write_maps(struct bm_out *o)
{
	char buf[1024];
	int fd = bm_os_open("/proc/self/maps", O_RDONLY | O_CLOEXEC, 0);
	ssize_t n;

	if (fd < 0)
		return;
	while ((n = bm_os_read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			bm_out_write(o, buf, (size_t)n);
	bm_os_close(fd);
}

static int write_profile(const char *path)
{
	char buf[4096];
	struct bm_out o;
	uint64_t ln = 0, lb = 0, an = 0, ab = 0;
	struct stat sb;
	int fd = bm_os_open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return -1;
	bm_out_init(&o, fd, buf, sizeof(buf));
	bm_lock(&prof_lock);
	for (unsigned int i = 0; stacks && i < STACK_BUCKETS; i++)
		for (struct prof_stack *st = stacks[i]; st; st = st->next) {
			ln += st->live_n;
			lb += st->live_bytes;
			an += st->all_n;
			ab += st->all_bytes;
		}
	bm_outf(&o, "heap profile: %lu: %lu [%lu: %lu] @ heap_v2/%lu\n",
		(unsigned long)ln, (unsigned long)lb, (unsigned long)an, (unsigned long)ab,
		(unsigned long)bm_opt_prof_sample);
	for (unsigned int i = 0; stacks && i < STACK_BUCKETS; i++)
		for (struct prof_stack *st = stacks[i]; st; st = st->next) {
			if (!st->depth)
				continue;
			bm_outf(&o, "%lu: %lu [%lu: %lu] @", (unsigned long)st->live_n,
				(unsigned long)st->live_bytes, (unsigned long)st->all_n,
				(unsigned long)st->all_bytes);
			for (unsigned int d = 0; d < st->depth; d++)
				bm_outf(&o, " 0x%lx", (unsigned long)(st->pcs[d] - !d));
			bm_out_write(&o, "\n", 1);
		}
	bm_unlock(&prof_lock);
	bm_outf(&o, "\nMAPPED_LIBRARIES:\n");
	write_maps(&o);
	bm_out_flush(&o);
	/* bm_out drops write errors: a short regular file tells of them. */
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && (size_t)sb.st_size != o.total) {
		bm_os_close(fd);
		errno = ENOSPC;
		return -1;
	}
	return bm_os_close(fd);
}

/* The next file under prof_prefix: PREFIX.PID.SEQ.KIND.heap, into path. */
static int dump_next(char kind, char *path)
{
	struct bm_out o;
	unsigned int seq = atomic_fetch_add_explicit(&dump_seq, 1, memory_order_relaxed);

	bm_out_init(&o, -1, path, PATH_CAP - 1);
	bm_outf(&o, "%s.%d.%u.%c.heap", bm_opt_prof_prefix[0] ? bm_opt_prof_prefix : "buddymalloc",
		(int)getpid(), seq, kind);
	path[o.len] = '\0';
	if (o.total != o.len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return write_profile(path);
}

int bm_prof_dump(const char *path)
{
	char buf[PATH_CAP];
	struct bm_prof_thread *pt = &bm_prof_thread;
	bool busy = pt->busy;
	int r;

	if (!bm_prof_on) {
		errno = ENOENT;
		return -1;
	}
	pt->busy = true;
	r = path ? write_profile(path) : dump_next('m', buf);
	pt->busy = busy;
	return r;
}

/* --------------------------------------------------------- leak report */

/* The symbol table (.symtab) of one object file, mapped read-only: the
 * names dladdr cannot give, a program's own functions and every static
 * one.  One file at a time, the last one asked for; the leak report
 * unmaps it. */
static struct {
	char		path[PATH_CAP];
	void		*map;
	size_t		len;
	bool		exec;		/* ET_EXEC: symbol values are addresses */
	const ElfW(Sym)	*syms;
	size_t		nsyms;
	const char	*strs;
	size_t		strs_len;
} symtab;

static void symtab_close(void)
{
	if (symtab.map)
		munmap(symtab.map, symtab.len);
	memset(&symtab, 0, sizeof(symtab));
}

/* Map file and find its .symtab; false when it has none. */
static bool symtab_open(const char *file)
{
	const ElfW(Ehdr) *eh;
	const ElfW(Shdr) *sh;
	struct stat sb;
	int fd;

	if (!strcmp(symtab.path, file))
		return symtab.syms != NULL;
	symtab_close();
	if (strlen(file) >= sizeof(symtab.path))
		return false;
	strcpy(symtab.path, file);
	fd = bm_os_open(file, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		return false;
	if (fstat(fd, &sb) == 0 && (size_t)sb.st_size >= sizeof(*eh)) {
		symtab.len = (size_t)sb.st_size;
		symtab.map = mmap(NULL, symtab.len, PROT_READ, MAP_PRIVATE, fd, 0);
		if (symtab.map == MAP_FAILED)
			symtab.map = NULL;
	}
	bm_os_close(fd);
	eh = symtab.map;
	if (!eh || memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_shentsize != sizeof(*sh) ||
	    eh->e_shoff > symtab.len || eh->e_shnum > (symtab.len - eh->e_shoff) / sizeof(*sh))
		return false;
	symtab.exec = eh->e_type == ET_EXEC;
	sh = (const ElfW(Shdr) *)((const char *)eh + eh->e_shoff);
	for (unsigned int i = 0; i < eh->e_shnum; i++) {
		const ElfW(Shdr) *st = &sh[sh[i].sh_link < eh->e_shnum ? sh[i].sh_link : 0];

		if (sh[i].sh_type != SHT_SYMTAB || st->sh_type != SHT_STRTAB ||
		    sh[i].sh_offset > symtab.len || sh[i].sh_size > symtab.len - sh[i].sh_offset ||
		    st->sh_offset > symtab.len || st->sh_size > symtab.len - st->sh_offset)
			continue;
		symtab.syms = (const ElfW(Sym) *)((const char *)eh + sh[i].sh_offset);
		symtab.nsyms = sh[i].sh_size / sizeof(ElfW(Sym));
		symtab.strs = (const char *)eh + st->sh_offset;
		symtab.strs_len = st->sh_size;
		return true;
	}
	return false;
}

/* The function of the symbol table holding addr (as the file counts
 * addresses), and addr's offset in it; NULL when none does. */
static const char *symtab_find(uintptr_t addr, uintptr_t *delta)
{
	for (size_t i = 0; i < symtab.nsyms; i++) {
		const ElfW(Sym) *sym = &symtab.syms[i];

		if (ELF64_ST_TYPE(sym->st_info) == STT_FUNC && sym->st_name < symtab.strs_len &&
		    addr - sym->st_value < sym->st_size &&
		    memchr(symtab.strs + sym->st_name, '\0', symtab.strs_len - sym->st_name)) {
			*delta = addr - sym->st_value;
			return symtab.strs + sym->st_name;
		}
	}
	return NULL;
}

/* One frame: address, function+offset when the dynamic symbols or the
 * file's symbol table name it, and object+offset. */
static void print_frame(struct bm_out *o, unsigned int i, uintptr_t pc)
{
	Dl_info info;
	const char *name = NULL;
	uintptr_t delta = 0;

	bm_outf(o, "    #%u 0x%lx", i, (unsigned long)pc);
	if (!dladdr((void *)pc, &info) || !info.dli_fname) {
		bm_out_write(o, "\n", 1);
		return;
	}
	if (info.dli_sname && info.dli_saddr) {
		name = info.dli_sname;
		delta = pc - (uintptr_t)info.dli_saddr;
	} else if (symtab_open(info.dli_fname[0] == '/' ? info.dli_fname : "/proc/self/exe")) {
		/* a name not absolute is the program's, as it was started */
		name = symtab_find(symtab.exec ? pc : pc - (uintptr_t)info.dli_fbase, &delta);
	}
	if (name)
		bm_outf(o, " %s+0x%lx", name, (unsigned long)delta);
	bm_outf(o, " (%s+0x%lx)\n", info.dli_fname,
		(unsigned long)(pc - (uintptr_t)info.dli_fbase));
}

static double stack_leak_bytes(const struct prof_stack *st)
{
	return (double)st->live_bytes * sample_scale((double)st->live_bytes / (double)st->live_n);
}

/* The stacks with live samples, largest estimate first (a selection, a
 * pass per stack shown: no memory needed).  Stacks are never freed and
 * their pcs never change, so they are printed with the lock dropped:
 * dladdr takes the loader's lock, which a thread in dlopen holds while
 * it allocates. */
static void leak_report(const char *profile, bool written)
{
	char buf[2048], exe[PATH_CAP];
	struct bm_out o;
	uint64_t n = 0, nstacks = 0;
	double bytes = 0, objs = 0, last = __builtin_inf();
	const struct prof_stack *last_st = NULL;
	ssize_t len;

	bm_out_init(&o, leak_fd >= 0 ? leak_fd : STDERR_FILENO, buf, sizeof(buf));
	bm_lock(&prof_lock);
	for (unsigned int i = 0; stacks && i < STACK_BUCKETS; i++)
		for (struct prof_stack *st = stacks[i]; st; st = st->next)
			if (st->live_n) {
				double b = stack_leak_bytes(st);

				nstacks++;
				n += st->live_n;
				bytes += b;
				objs += b * (double)st->live_n / (double)st->live_bytes;
			}
	bm_unlock(&prof_lock);
	if (!n) {
		bm_outf(&o, "libbuddymalloc: leak report: no sampled object is still allocated at exit "
			"(1 sample per %lu bytes)\n", (unsigned long)bm_opt_prof_sample);
		bm_out_flush(&o);
		return;
	}
	bm_outf(&o, "libbuddymalloc: leak report: ~%lu bytes in ~%lu objects still allocated at "
		"exit, from %lu stacks (%lu samples, 1 per %lu bytes)\n", (unsigned long)bytes,
		(unsigned long)objs, (unsigned long)nstacks, (unsigned long)n,
		(unsigned long)bm_opt_prof_sample);
	for (unsigned int k = 0; k < LEAK_STACKS && k < nstacks; k++) {
		const struct prof_stack *best = NULL;
		double best_b = -1;
		uint64_t live_n = 0, live_bytes = 0;

		bm_lock(&prof_lock);
		for (unsigned int i = 0; i < STACK_BUCKETS; i++)
			for (struct prof_stack *st = stacks[i]; st; st = st->next) {
				double b;

				if (!st->live_n)
					continue;
				b = stack_leak_bytes(st);
				/* below the last one shown, (bytes, address) ordered */
				if ((b < last || (b == last && st < last_st)) &&
				    (b > best_b || (b == best_b && st > best))) {
					best = st;
					best_b = b;
				}
			}
		if (best) {
			live_n = best->live_n;
			live_bytes = best->live_bytes;
		}
		bm_unlock(&prof_lock);
		if (!best)
			break;
		bm_outf(&o, "libbuddymalloc: leak of ~%lu bytes in ~%lu objects (%lu sampled, "
			"%lu bytes) allocated from:\n", (unsigned long)best_b,
			(unsigned long)(best_b * (double)live_n / (double)live_bytes),
			(unsigned long)live_n, (unsigned long)live_bytes);
		for (unsigned int d = 0; d < best->depth; d++)
			print_frame(&o, d, best->pcs[d] - 1);
		last = best_b;
		last_st = best;
	}
	symtab_close();
	if (nstacks > LEAK_STACKS)
		bm_outf(&o, "libbuddymalloc: ... and %lu more stacks\n",
			(unsigned long)(nstacks - LEAK_STACKS));
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[len > 0 ? len : 0] = '\0';
	if (written)
		bm_outf(&o, "libbuddymalloc: the whole profile: google-pprof --text %s %s\n",
			len > 0 ? exe : "PROGRAM", profile);
	bm_out_flush(&o);
}

void bm_prof_exit(void)
{
	char path[PATH_CAP];
	int r;

	bm_prof_thread.busy = true;
	r = dump_next('f', path);
	if (r != 0)
		bm_warn("prof: cannot write the profile %s (errno %d)", path, errno);
	if (bm_opt_prof_leak)
		leak_report(path, r == 0);
}

void bm_prof_fork_child(void)
{
	/* The child's files count from 0 under its own pid, and its
	 * samples fall where the parent's do not. */
	atomic_store_explicit(&dump_seq, 0, memory_order_relaxed);
	bm_prof_thread.rng = 0;
}

void bm_prof_lock(void)		{ bm_lock(&prof_lock); }
void bm_prof_unlock(void)	{ bm_unlock(&prof_lock); }
void bm_prof_reinit_lock(void)	{ bm_lock_reinit(&prof_lock); }
