# tests/local.mk - make check.
include tests/unit/local.mk
