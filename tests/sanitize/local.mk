# tests/sanitize/local.mk - the unit tests under ThreadSanitizer; not part
# of make check (CI runs `make check-tsan`).
#
# tests/sanitize/run-tsan compiles the core sources and every unit test of
# UNIT_TESTS with -fsanitize=thread (clang, else gcc; TSAN_CC picks) into
# tsan-work/, runs them, and fails on a test failure or any TSan report.
check-tsan:
	TSAN_SRCDIR="$(abs_top_srcdir)" TSAN_BUILDDIR="$(abs_top_builddir)" \
	TSAN_LIBS="$(HWLOC_LIBS) $(NUMA_LIBS) $(PTHREAD_LIBS)" \
	bash $(top_srcdir)/tests/sanitize/run-tsan $(UNIT_TESTS)

clean-tsan:
	rm -rf tsan-work
.PHONY: check-tsan clean-tsan

EXTRA_DIST += tests/sanitize/run-tsan
