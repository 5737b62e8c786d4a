# tests/programs/local.mk - real programs run with libbuddymalloc.so in
# LD_PRELOAD (see tests/programs/lib.sh).  CI installs their tools (Debian
# packages): coreutils mawk python3 perl-base git sqlite3 redis-server
# redis-tools g++ google-perftools libjemalloc-dev.
PROGRAM_TESTS = \
	tests/programs/sort.sh \
	tests/programs/python.sh \
	tests/programs/perl.sh \
	tests/programs/git.sh \
	tests/programs/sqlite.sh \
	tests/programs/redis.sh \
	tests/programs/redis_flush.sh \
	tests/programs/cxx.sh \
	tests/programs/cxx_static.sh \
	tests/programs/gxx.sh \
	tests/programs/faultinject.sh \
	tests/programs/debug_poison.sh \
	tests/programs/ulimit.sh \
	tests/programs/commit_charge.sh \
	tests/programs/wrapper.sh \
	tests/programs/prof.sh

TESTS += $(PROGRAM_TESTS)
EXTRA_DIST += $(PROGRAM_TESTS) tests/programs/lib.sh tests/programs/bad_alloc.cc

# The C++ program cxx.sh runs; deliberately not linked with the library.
check_PROGRAMS += tests/programs/mapstr
tests_programs_mapstr_SOURCES = tests/programs/mapstr.cc
tests_programs_mapstr_CXXFLAGS = -std=c++17 -Wall -Wextra
tests_programs_mapstr_LDADD =

# The writes after free debug_poison.sh reports; linked with nothing of ours.
check_PROGRAMS += tests/programs/uaf
tests_programs_uaf_SOURCES = tests/programs/uaf.c
tests_programs_uaf_LDADD =
check_PROGRAMS += tests/programs/fill
tests_programs_fill_SOURCES = tests/programs/fill.c
tests_programs_fill_LDADD =
check_PROGRAMS += tests/programs/commit_charge
tests_programs_commit_charge_SOURCES = tests/programs/commit_charge.c
tests_programs_commit_charge_LDADD =

# cxx_static.sh links with the build's compiler and flags (a UBSan
# build's library needs -fsanitize=undefined at the link too).
AM_TESTS_ENVIRONMENT += CXX='$(CXX)' BM_CXXFLAGS='$(CXXFLAGS)' BM_LDFLAGS='$(LDFLAGS)'; \
	export CXX BM_CXXFLAGS BM_LDFLAGS;
# lib.sh finds the library and mapstr through abs_top_builddir.
AM_TESTS_ENVIRONMENT += abs_top_builddir='$(abs_top_builddir)'; export abs_top_builddir;

# The allocations prof.sh profiles; linked with nothing of ours.  No
# inlining and no tail calls, so each function is a frame of its own.
check_PROGRAMS += tests/programs/profalloc
tests_programs_profalloc_SOURCES = tests/programs/profalloc.c
tests_programs_profalloc_CFLAGS = $(AM_CFLAGS) -fno-inline -fno-optimize-sibling-calls
tests_programs_profalloc_LDADD = $(DL_LIBS)
