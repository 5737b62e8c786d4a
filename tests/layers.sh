#!/bin/sh
# tests/layers.sh - the layer rule of docs/design.md holds for src/: no
# include and no call reaches up a layer, and nothing forms a cycle
# (scripts/check-layers, on the sources and on the built library).  The
# checker is first shown to catch an upward include and a cycle in a
# tree made for the purpose, so a checker that passes everything fails.
set -u
srcdir=${srcdir:-.}
check=$srcdir/scripts/check-layers
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/docs" "$tmp/src"
cat > "$tmp/docs/design.md" <<'TABLE'
<!-- layers: begin -->
| rank | layer | modules |
| --- | --- | --- |
| 1 | top | `top` |
| 0 | bottom | `low`, `low2` |
<!-- layers: end -->
TABLE
printf '#include "low.h"\n' > "$tmp/src/top.c"
printf '#include "top.h"\n' > "$tmp/src/low.c"	# up a layer
: > "$tmp/src/top.h"; : > "$tmp/src/low.h"
if "$check" "$tmp" > "$tmp/out1"; then
	echo "FAIL: check-layers missed an upward include"; cat "$tmp/out1"; exit 1
fi
grep -q 'reaches up' "$tmp/out1" || { echo "FAIL: no 'reaches up' report"; cat "$tmp/out1"; exit 1; }
printf '#include "low2.h"\n' > "$tmp/src/low.c"
printf '#include "low.h"\n' > "$tmp/src/low2.c"; : > "$tmp/src/low2.h"
if "$check" "$tmp" > "$tmp/out2"; then
	echo "FAIL: check-layers missed a cycle"; cat "$tmp/out2"; exit 1
fi
grep -q 'cycle' "$tmp/out2" || { echo "FAIL: no cycle report"; cat "$tmp/out2"; exit 1; }
printf '\n' > "$tmp/src/low2.c"
"$check" "$tmp" || { echo "FAIL: check-layers rejects a good tree"; exit 1; }

# The real tree, with the library's objects when it was built static.
lib=.libs/libbuddymalloc.a
[ -f "$lib" ] || { echo "note: no $lib (a shared-only build): includes only"; lib=; }
exec "$check" "$srcdir" $lib
