# tests/api/local.mk - tests of the malloc API, linked with libbuddymalloc.la
# (so -lbuddymalloc replaces malloc; the top-level LDADD).  badfree,
# stats, realloc_policy, reclaim, reclaim_psi and debug_modes exit 77
# (SKIP) when libbuddymalloc is not the malloc in use.
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
	tests/api/debug_modes \
	tests/api/numa_api

check_PROGRAMS += $(API_TESTS)
TESTS += $(API_TESTS)
EXTRA_DIST += tests/api/api.h

# C++17; BM_WARN_CFLAGS holds C-only options, so the C++ warnings are
# named here.
tests_api_cxx_SOURCES = tests/api/cxx.cc
tests_api_cxx_CXXFLAGS = -std=c++17 -Wall -Wextra
