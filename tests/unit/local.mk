# tests/unit/local.mk - unit tests of the page allocator (internal API).
# The harness is test.h (expect_* with messages).  options and report run
# their cases forward, then reversed, in one process, so a case that
# leaned on state another left fails; TEST_REVERSE=1 runs a RUN_TESTS list
# reversed only, TEST_ONLY=name one case alone, TEST_LIST=1 names them:
#   TEST_ONLY=test_vmstat tests/unit/report
UNIT_TESTS = \
	tests/unit/options \
	tests/unit/size_class \
	tests/unit/prof_math \
	tests/unit/split_merge \
	tests/unit/dirty_first \
	tests/unit/free_purge \
	tests/unit/thp \
	tests/unit/frag_drain \
	tests/unit/random_ops \
	tests/unit/exact \
	tests/unit/fallback \
	tests/unit/watermark \
	tests/unit/exhaustion \
	tests/unit/fault_inject \
	tests/unit/report \
	tests/unit/bad_free \
	tests/unit/threads \
	tests/unit/slab_threads \
	tests/unit/numa \
	tests/unit/pressure \
	tests/unit/owned_slabs \
	tests/unit/partial_order \
	tests/unit/carve \
	tests/unit/class_map \
	tests/unit/adopt \
	tests/unit/remote_batch \
	tests/unit/owner_key \
	tests/unit/placement \
	tests/unit/commit

check_PROGRAMS += $(UNIT_TESTS)
TESTS += $(UNIT_TESTS)
# Some of them again on faked machines of two and four nodes.
TESTS += tests/unit/multinode.sh
EXTRA_DIST += tests/unit/multinode.sh
EXTRA_DIST += tests/unit/test.h tests/unit/pagetest.h tests/unit/slabtest.h tests/unit/psitest.h \
	tests/unit/numa-topologies.sh tests/unit/numa-2.xml \
	tests/unit/numa-4.xml tests/unit/numa-8.xml

# Every unit test is one .c file linked with the internal core instead
# of the installed library.
UNIT_LDADD = src/libbuddycore.la $(PTHREAD_LIBS)
tests_unit_options_LDADD = $(UNIT_LDADD)
tests_unit_size_class_LDADD = $(UNIT_LDADD)
# libm here only, to compare with: the library does not link it.
tests_unit_prof_math_LDADD = -lm
tests_unit_split_merge_LDADD = $(UNIT_LDADD)
tests_unit_dirty_first_LDADD = $(UNIT_LDADD)
tests_unit_free_purge_LDADD = $(UNIT_LDADD)
tests_unit_thp_LDADD = $(UNIT_LDADD)
tests_unit_frag_drain_LDADD = $(UNIT_LDADD)
tests_unit_random_ops_LDADD = $(UNIT_LDADD)
tests_unit_exact_LDADD = $(UNIT_LDADD)
tests_unit_fallback_LDADD = $(UNIT_LDADD)
tests_unit_watermark_LDADD = $(UNIT_LDADD)
tests_unit_exhaustion_LDADD = $(UNIT_LDADD)
tests_unit_fault_inject_LDADD = $(UNIT_LDADD)
tests_unit_report_LDADD = $(UNIT_LDADD)
tests_unit_bad_free_LDADD = $(UNIT_LDADD)
tests_unit_threads_LDADD = $(UNIT_LDADD)
tests_unit_slab_threads_LDADD = $(UNIT_LDADD)
tests_unit_numa_LDADD = $(UNIT_LDADD)
tests_unit_pressure_LDADD = $(UNIT_LDADD)
tests_unit_placement_LDADD = $(UNIT_LDADD)
tests_unit_commit_LDADD = $(UNIT_LDADD)
tests_unit_owned_slabs_LDADD = $(UNIT_LDADD)
tests_unit_partial_order_LDADD = $(UNIT_LDADD)
tests_unit_carve_LDADD = $(UNIT_LDADD)
tests_unit_class_map_LDADD = $(UNIT_LDADD)
tests_unit_adopt_LDADD = $(UNIT_LDADD)
tests_unit_remote_batch_LDADD = $(UNIT_LDADD)
tests_unit_owner_key_LDADD = $(UNIT_LDADD)

# The debug build's checks themselves (lock witness, "__" assertions,
# buddy invariants): only built where they exist, --enable-debug (make
# check-debug).
if BM_DEBUG_BUILD
check_PROGRAMS += tests/unit/witness
TESTS += tests/unit/witness
tests_unit_witness_LDADD = $(UNIT_LDADD)
endif
EXTRA_DIST += tests/unit/witness.c
