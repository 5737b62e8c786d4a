# tests/stress/local.mk - the long stress test; not part of make check.
#
#   make stress                                  120 s, 8 threads
#   make stress STRESS_SECONDS=600 STRESS_THREADS=16
# Built on demand only.  This fragment defines EXTRA_PROGRAMS (automake
# wants "=" before "+="); include it before tests/valgrind/local.mk.
EXTRA_PROGRAMS = tests/stress/stress
tests_stress_stress_SOURCES = tests/stress/stress.c
tests_stress_stress_LDADD = libbuddymalloc.la $(PTHREAD_LIBS)
CLEANFILES += tests/stress/stress
STRESS_SECONDS = 120
STRESS_THREADS = 8

stress: tests/stress/stress$(EXEEXT)
	tests/stress/stress$(EXEEXT) $(STRESS_SECONDS) $(STRESS_THREADS)
.PHONY: stress
