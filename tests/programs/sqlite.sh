#!/bin/sh
# SPDX-License-Identifier: MIT
# sqlite.sh - sqlite3 under LD_PRELOAD: 100,000 rows inserted in a file
# database, an index built, queries with known answers (counts, sums, an
# indexed lookup, a group by, a join) and an integrity check.
# Debian packages: sqlite3.
. "$(dirname "$0")/lib.sh"
need_tool sqlite3 sqlite3

check_mapped cat
BUDDYMALLOC_STATS=1 preload sqlite3 -batch "$TMP/db" > "$TMP/got" 2> "$TMP/err" <<'SQL' || fail "sqlite3: $(cat "$TMP/err")"
PRAGMA cache_size = -2000;
CREATE TABLE t (id INTEGER PRIMARY KEY, x INTEGER, name TEXT, pad TEXT);
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 100000)
INSERT INTO t SELECT i, (i * 7919) % 100003, 'name' || i, replace(hex(zeroblob(i % 100)), '00', 'x') FROM c;
CREATE INDEX t_name ON t(name);
CREATE INDEX t_x ON t(x);
SELECT count(*) FROM t;
SELECT sum(id) FROM t;
SELECT count(*) FROM t WHERE id % 7 = 0;
SELECT id FROM t WHERE name = 'name12345';
SELECT count(*) FROM (SELECT id % 10 AS k, count(*) FROM t GROUP BY k);
SELECT sum(length(pad)) FROM t;
SELECT count(*) FROM t a JOIN t b ON a.id = b.id + 1 WHERE a.x > 50000;
DELETE FROM t WHERE id % 2 = 0;
SELECT count(*) FROM t;
PRAGMA integrity_check;
SQL
count_join=$(awk 'BEGIN { n = 0; for (i = 2; i <= 100000; i++) if ((i * 7919) % 100003 > 50000) n++; print n }')
cat > "$TMP/want" <<EOF2
100000
5000050000
14285
12345
10
4950000
$count_join
50000
ok
EOF2
cmp -s "$TMP/want" "$TMP/got" || fail "wrong answers:
$(diff "$TMP/want" "$TMP/got")"
check_report "$TMP/err"
echo "PASS: sqlite3"
