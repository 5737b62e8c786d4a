# tests/local.mk - make check.
include tests/unit/local.mk
include tests/api/local.mk
include tests/programs/local.mk
