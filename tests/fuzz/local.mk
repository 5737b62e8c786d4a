# tests/fuzz/local.mk - the libFuzzer harness; not part of make check.
#
#   make fuzz                   fuzz for FUZZ_SECONDS (60) seconds
#   make fuzz FUZZ_SECONDS=600  longer
#
# tests/fuzz/run-fuzz builds the harness with clang (libFuzzer, from
# Debian's clang and libclang-rt-dev) from the allocator's sources and this
# tree's config.h, into fuzz-work/, which also keeps the corpus it grows and
# any crash-* reproducer.  Extra libFuzzer flags go in FUZZ_FLAGS.
FUZZ_SECONDS = 60
FUZZ_FLAGS =

fuzz:
	FUZZ_SRCDIR="$(abs_top_srcdir)" FUZZ_BUILDDIR="$(abs_top_builddir)" \
	FUZZ_LIBS="$(HWLOC_LIBS) $(NUMA_LIBS) $(PTHREAD_LIBS)" \
	bash $(top_srcdir)/tests/fuzz/run-fuzz $(FUZZ_SECONDS) $(FUZZ_FLAGS)

clean-fuzz:
	rm -rf fuzz-work
.PHONY: fuzz clean-fuzz

EXTRA_DIST += tests/fuzz/run-fuzz tests/fuzz/fuzz_malloc.c tests/fuzz/corpus
