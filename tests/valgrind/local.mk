# tests/valgrind/local.mk - memcheck sees libbuddymalloc's blocks (with
# configure --enable-valgrind); not part of make check.
#
# leak_uaf is linked with -static (libtool: our library's archive), so
# memcheck keeps our malloc; run-memcheck skips (77) without BM_VALGRIND.
EXTRA_PROGRAMS += tests/valgrind/leak_uaf
tests_valgrind_leak_uaf_SOURCES = tests/valgrind/leak_uaf.c
tests_valgrind_leak_uaf_CFLAGS = $(AM_CFLAGS) -O0 -g
tests_valgrind_leak_uaf_LDADD = libbuddymalloc.la $(HWLOC_LIBS) $(NUMA_LIBS) $(PTHREAD_LIBS)
tests_valgrind_leak_uaf_LDFLAGS = -static
CLEANFILES += tests/valgrind/leak_uaf
EXTRA_PROGRAMS += tests/valgrind/leak_first
tests_valgrind_leak_first_SOURCES = tests/valgrind/leak_first.c
tests_valgrind_leak_first_CFLAGS = $(AM_CFLAGS) -O0 -g
tests_valgrind_leak_first_LDADD = $(tests_valgrind_leak_uaf_LDADD)
tests_valgrind_leak_first_LDFLAGS = -static
CLEANFILES += tests/valgrind/leak_first

# A skip (77: no valgrind, or no BM_VALGRIND) is not a failure.
check-valgrind: tests/valgrind/leak_uaf$(EXEEXT) tests/valgrind/leak_first$(EXEEXT)
	VG_BUILDDIR="$(abs_top_builddir)" bash $(top_srcdir)/tests/valgrind/run-memcheck \
		$(abs_top_builddir)/tests/valgrind/leak_uaf$(EXEEXT) \
		$(abs_top_builddir)/tests/valgrind/leak_first$(EXEEXT) || test $$? -eq 77
.PHONY: check-valgrind

EXTRA_DIST += tests/valgrind/run-memcheck
