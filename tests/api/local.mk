# tests/api/local.mk - tests of the malloc API, linked with libbuddymalloc.la
# (so -lbuddymalloc replaces malloc).  badfree and stats exit 77 (SKIP)
# when libbuddymalloc is not the malloc in use.
API_TESTS = \
	tests/api/basic \
	tests/api/random \
	tests/api/xthread \
	tests/api/threads \
	tests/api/fork \
	tests/api/cxx \
	tests/api/badfree \
	tests/api/stats \
	tests/api/reclaim \
	tests/api/debug_modes

check_PROGRAMS += $(API_TESTS)
TESTS += $(API_TESTS)
API_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/unit
API_LDADD = libbuddymalloc.la $(PTHREAD_LIBS)
EXTRA_DIST += tests/api/api.h

tests_api_basic_SOURCES = tests/api/basic.c tests/api/api.h
tests_api_basic_CPPFLAGS = $(API_CPPFLAGS)
tests_api_basic_LDADD = $(API_LDADD)

tests_api_random_SOURCES = tests/api/random.c tests/api/api.h
tests_api_random_CPPFLAGS = $(API_CPPFLAGS)
tests_api_random_LDADD = $(API_LDADD)

tests_api_xthread_SOURCES = tests/api/xthread.c tests/api/api.h
tests_api_xthread_CPPFLAGS = $(API_CPPFLAGS)
tests_api_xthread_LDADD = $(API_LDADD)

tests_api_threads_SOURCES = tests/api/threads.c tests/api/api.h
tests_api_threads_CPPFLAGS = $(API_CPPFLAGS)
tests_api_threads_LDADD = $(API_LDADD)

tests_api_fork_SOURCES = tests/api/fork.c tests/api/api.h
tests_api_fork_CPPFLAGS = $(API_CPPFLAGS)
tests_api_fork_LDADD = $(API_LDADD)

tests_api_badfree_SOURCES = tests/api/badfree.c tests/api/api.h
tests_api_badfree_CPPFLAGS = $(API_CPPFLAGS)
tests_api_badfree_LDADD = $(API_LDADD)

tests_api_stats_SOURCES = tests/api/stats.c tests/api/api.h
tests_api_stats_CPPFLAGS = $(API_CPPFLAGS)
tests_api_stats_LDADD = $(API_LDADD)

# C++17; BM_WARN_CFLAGS holds C-only options, so the C++ warnings are
# named here.
tests_api_cxx_SOURCES = tests/api/cxx.cc
tests_api_cxx_CPPFLAGS = $(API_CPPFLAGS)
tests_api_cxx_CXXFLAGS = -std=c++17 -Wall -Wextra
tests_api_cxx_LDADD = $(API_LDADD)

tests_api_reclaim_SOURCES = tests/api/reclaim.c tests/api/api.h
tests_api_reclaim_CPPFLAGS = $(API_CPPFLAGS)
tests_api_reclaim_LDADD = $(API_LDADD)

tests_api_debug_modes_SOURCES = tests/api/debug_modes.c tests/api/api.h
tests_api_debug_modes_CPPFLAGS = $(API_CPPFLAGS)
tests_api_debug_modes_LDADD = $(API_LDADD)
