-- SPDX-License-Identifier: MIT
-- sqlite_workload.sql - a scripted sqlite3 workload for bench/run.
--
-- Models an embedded database: bulk insert of @ROWS@ rows with text of
-- varying length, index builds, aggregate and join queries, updates
-- that grow and shrink rows, and deletes, all in an in-memory database
-- so the page cache and every row buffer come from the allocator.
-- bench/run substitutes @ROWS@ and feeds this to sqlite3 :memory:.
PRAGMA cache_size = -65536;
CREATE TABLE t(id INTEGER PRIMARY KEY, grp INTEGER, name TEXT, body TEXT);
BEGIN;
WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < @ROWS@)
INSERT INTO t SELECT i, i % 97, 'name-' || (i * 7919 % 100003),
	substr(hex(randomblob(200)), 1, 16 + (i * 31) % 300) FROM c;
COMMIT;
CREATE INDEX t_grp ON t(grp);
CREATE INDEX t_name ON t(name);
SELECT grp, count(*), sum(length(body)), max(name) FROM t GROUP BY grp
	ORDER BY 3 DESC LIMIT 3;
CREATE TABLE g AS SELECT grp, group_concat(substr(name, 6), ',') AS names
	FROM t GROUP BY grp;
SELECT count(*) FROM t JOIN g USING (grp) WHERE instr(g.names, substr(t.name, 6)) > 0
	AND t.id % 50 = 0;
BEGIN;
UPDATE t SET body = body || body WHERE id % 3 = 0;
UPDATE t SET body = substr(body, 1, 20) WHERE id % 5 = 0;
DELETE FROM t WHERE id % 4 = 0;
COMMIT;
SELECT count(*), sum(length(body)) FROM t;
SELECT name FROM t ORDER BY body DESC LIMIT 1 OFFSET 100;
DROP INDEX t_name;
VACUUM;
