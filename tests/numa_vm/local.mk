# tests/numa_vm/local.mk - the NUMA guest (#17): make check-numa-vm boots
# QEMU with two uneven nodes and with four nodes of asymmetric distances
# (tests/numa_vm/run-numa-vm) and runs the unit tests, the API tests and
# the placement check inside.  Not part of make check (a guest takes a
# minute or more under TCG); scripts/check runs it.  Its own log is
# tests/numa_vm/test-suite.log; a machine where qemu cannot run counts
# two SKIPs there.
check_PROGRAMS += tests/numa_vm/placement
NUMA_VM_TESTS = tests/numa_vm/nodes2.vm tests/numa_vm/nodes4.vm
# The driver's rules for them come from their extension, since they are
# not in TESTS.
TEST_EXTENSIONS = .test .vm
EXTRA_DIST += tests/numa_vm/run-numa-vm tests/numa_vm/init $(NUMA_VM_TESTS)

check-numa-vm:
	rm -f tests/numa_vm/accel tests/numa_vm/vm[24].first.log $(NUMA_VM_TESTS:.vm=.log) $(NUMA_VM_TESTS:.vm=.trs)
	$(MAKE) $(AM_MAKEFLAGS) check TESTS="$(NUMA_VM_TESTS)" \
		TEST_SUITE_LOG=tests/numa_vm/test-suite.log
.PHONY: check-numa-vm
