# tests/local.mk - make check.
include tests/unit/local.mk
include tests/api/local.mk
include tests/programs/local.mk

# The layer rule of docs/design.md, checked on the sources and the
# built library (scripts/check-layers).
TESTS += tests/layers.sh
EXTRA_DIST += tests/layers.sh scripts/check-layers

# Symbol hygiene of the static library.
TESTS += tests/symbols.sh
EXTRA_DIST += tests/symbols.sh
