# tests/api/local.mk - tests of the malloc API, linked with libbuddymalloc.la
# (so -lbuddymalloc replaces malloc; the top-level LDADD).  badfree,
# stats, realloc_policy, reclaim, reclaim_psi, debug_modes and numa_api
# only mean something with libbuddymalloc as the malloc in use; here they
# are linked with it, so when it is not in use they FAIL ("the test would
# test nothing") instead of skipping.  To run them under another allocator
# on purpose (LD_PRELOAD), set BM_TEST_ALLOW_FOREIGN_MALLOC=1: then they
# exit 77 (SKIP).  See bm_not_active() in api.h.
API_TESTS = \
	tests/api/basic \
	tests/api/random \
	tests/api/xthread \
	tests/api/threads \
	tests/api/fork \
	tests/api/cxx \
	tests/api/badfree \
	tests/api/stats \
	tests/api/realloc_policy \
	tests/api/reclaim \
	tests/api/reclaim_psi \
	tests/api/idle_return \
	tests/api/fork_deadlock \
	tests/api/rlimit_align \
	tests/api/double_free \
	tests/api/debug_modes \
	tests/api/numa_api \
	tests/api/version \
	tests/api/stats_report \
	tests/api/prof \
	tests/api/cancel

check_PROGRAMS += $(API_TESTS)
TESTS += $(API_TESTS)
EXTRA_DIST += tests/api/api.h

# C++17; BM_WARN_CFLAGS holds C-only options, so the C++ warnings are
# named here.
tests_api_cxx_SOURCES = tests/api/cxx.cc
tests_api_cxx_CXXFLAGS = -std=c++17 -Wall -Wextra
