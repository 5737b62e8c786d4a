# bench/local.mk - the benchmark suite; included by the top Makefile.am.
#
#   make bench         full run: every workload, every allocator, 5 reps
#   make bench-quick   the short smoke run CI uses (not a timing)
#
# bench/run builds the workloads itself with cc (they must never link
# the allocator: it is swapped in with LD_PRELOAD), so nothing here is
# compiled by automake.  Pass options with BENCH_FLAGS, e.g.
#   make bench BENCH_FLAGS='-w larson,redis -t 1,2 -n 3'
# and test another build of the library with BUDDYMALLOC_LIB=/path.so.
EXTRA_DIST += \
	bench/README.md bench/run bench/bench_util.h bench/rusage.c \
	bench/larson.c bench/xmalloc.c bench/cache_scratch.c \
	bench/cache_thrash.c bench/sh6bench.c bench/sh8bench.c \
	bench/mstress.c bench/glibc_simple.c bench/glibc_thread.c \
	bench/alloc_test.c bench/realloc_test.c bench/large.c \
	bench/calloc_test.c bench/mem_return.c bench/light_use.c \
	bench/mixed_heap.c bench/fastpath.c bench/working_set.c \
	bench/rptest.c \
	bench/py_workload.py bench/sqlite_workload.sql \
	bench/one_malloc.c bench/preload_exec.c bench/shell_workload.sh

BENCH_RUN = $(PYTHON3) $(top_srcdir)/bench/run \
	--lib "$${BUDDYMALLOC_LIB:-$(abs_top_builddir)/.libs/libbuddymalloc.so}" \
	--out $(abs_top_builddir)/bench/results
PYTHON3 = python3

bench: libbuddymalloc.la
	$(BENCH_RUN) $(BENCH_FLAGS)

bench-quick: libbuddymalloc.la
	$(BENCH_RUN) --quick $(BENCH_FLAGS)

clean-bench:
	-rm -rf bench/results

.PHONY: bench bench-quick clean-bench
