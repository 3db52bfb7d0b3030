/* test_dump_sqlite.c — SQLite dumps in: a real database is made with the sqlite3 library,
 * dumped by the real sqlite3 shell (`sqlite3 SRC .dump`, at test time), loaded with
 * sqldump_load_sqlite, and the result compared with the source value by value (storage class
 * and bytes; REAL by its bits), with sqlite_sequence and every schema object. Broken dumps
 * (cut short, hand-made garbage) must fail with file, line and column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/dump.h"
#include "core/loader.h"
#include "core/progress.h"
#include "formats/sqldump.h"
#include "tests/support.h"

static char dir[64];
static char src_path[128], dump_path[128], out_path[128];
static FILE *messages;
static struct progress prog;
static struct amber_error err;

static int set_up(void **state)
{
	if (support_temp_dir(dir, sizeof dir, "dump_sqlite") < 0)
		return -1;
	snprintf(src_path, sizeof src_path, "%s/src.db", dir);
	snprintf(dump_path, sizeof dump_path, "%s/dump.sql", dir);
	snprintf(out_path, sizeof out_path, "%s/out.db", dir);
	messages = tmpfile();
	progress_init(&prog, messages, 1);
	memset(&err, 0, sizeof err);
	return 0;
}

static int tear_down(void **state)
{
	fclose(messages);
	support_remove_tree(dir);
	return 0;
}

/* --- the source database --- */

static void exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

/* Inserts one row of a value of each storage class into "my table" (t, b, r, n). */
static void insert_values(sqlite3 *db, const char *text, size_t text_len, const void *blob, size_t blob_len,
			  double r, int64_t n)
{
	sqlite3_stmt *st;
	assert_int_equal(
	    sqlite3_prepare_v2(db, "INSERT INTO \"my table\"(t, b, r, n) VALUES (?, ?, ?, ?)", -1, &st, NULL),
	    SQLITE_OK);
	if (text)
		sqlite3_bind_text(st, 1, text, (int)text_len, SQLITE_STATIC);
	if (blob)
		sqlite3_bind_blob(st, 2, blob, (int)blob_len, SQLITE_STATIC);
	sqlite3_bind_double(st, 3, r);
	sqlite3_bind_int64(st, 4, n);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

#define TEXT(s) s, sizeof s - 1

/* Every case .dump writes: AUTOINCREMENT, quoted names, blobs with 0x00 ' \, text with \n
 * and \r, emoji, Infinity, extreme integers, big integers in untyped columns, an index, a unique index, a
 * view, a trigger whose body holds ";", statistics. */
static void make_source(void)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(src_path, &db), SQLITE_OK);
	exec(db,
	     "CREATE TABLE \"my table\" (id INTEGER PRIMARY KEY AUTOINCREMENT, t TEXT, b BLOB, r REAL, n);"
	     "CREATE TABLE [select] (\"a b\" INT, `c`, 'd' TEXT, e NUMERIC) ;"
	     "CREATE TABLE kv(k TEXT, v);"
	     "CREATE TABLE log(id INTEGER PRIMARY KEY AUTOINCREMENT, what TEXT);"
	     "CREATE TABLE empty(x /* a comment; kept */ INTEGER -- and this\n);");
	static const unsigned char bytes[] = {0x00, 0x27, 0x5c, 0xff, 0x0a};
	insert_values(db, TEXT("it's\nmulti\r\nline\r"), bytes, sizeof bytes, INFINITY, INT64_MAX);
	insert_values(db, TEXT("\xf0\x9f\x98\x80 emoji"), "", 0, -INFINITY, INT64_MIN);
	insert_values(db, TEXT(""), NULL, 0, -0.0, 0);
	insert_values(db, TEXT("\r"), bytes, 1, 0.1, -1);
	insert_values(db, TEXT("tab\there \\ back 'q' \"dq\""), NULL, 0, 1.0 / 3, 42);
	insert_values(db, NULL, 0, NULL, 0, 5e-324, 1);
	insert_values(db, TEXT("\n\n"), NULL, 0, 1e300, 2);
	insert_values(db, TEXT("x\x01y"), NULL, 0, -2.5e-10, 3);
	exec(db, "UPDATE \"my table\" SET n = 18446744073709551616.0 WHERE id = 6;"
		 "INSERT INTO [select] VALUES (1, 2, 3, 4), ('x', 1.5, 'text', '12'), (NULL, X'00', 5, 1e20),"
		 " (9223372036854775807, -9223372036854775808, '', 0.5);"
		 "INSERT INTO kv VALUES ('b', 1), ('a', 'one'), ('c', NULL);"
		 "INSERT INTO log(what) VALUES ('a'), ('b'); DELETE FROM log WHERE what = 'b';"
		 "CREATE INDEX \"my index\" ON \"my table\"(t);"
		 "CREATE UNIQUE INDEX u ON [select](\"a b\");"
		 "CREATE VIEW v AS SELECT id, t FROM \"my table\" WHERE n > 0;"
		 "CREATE TRIGGER tr AFTER INSERT ON kv BEGIN INSERT INTO log(what) VALUES ('x;y');"
		 " UPDATE log SET what = CASE WHEN what = 'a' THEN ';' ELSE 'b' END; END;"
		 "ANALYZE;");
	sqlite3_close(db);
}

/* The real sqlite3 shell writes the dump. */
static void dump_source(void)
{
	char cmd[512];
	snprintf(cmd, sizeof cmd, "sqlite3 %s .dump > %s", src_path, dump_path);
	assert_int_equal(system(cmd), 0);
}

static void write_file(const char *path, const char *text, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	struct buf b = BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	*len = b.len;
	buf_str(&b);
	return buf_detach(&b);
}

/* --- loading --- */

/* Loads `path` into out.db. Returns 0, or -1 with err set (the database is thrown away). */
static int load(const char *path, int strict)
{
	struct db_loader *ld = db_loader_create(out_path, 0, DB_CHECK_QUICK, &prog, &err);
	assert_non_null(ld);
	struct dump_options opt = {strict, DUMP_UTF8_ERROR, NULL};
	struct dump *d = dump_create(ld, &opt);
	int rc = sqldump_load_sqlite(d, path, "dump.sql", DUMP_PASS_ALL, NULL, &err);
	if (rc == 0)
		rc = dump_finish(d, &err);
	dump_free(d);
	if (rc == 0)
		return db_loader_finish(ld, &err);
	db_loader_abort(ld);
	return -1;
}

/* --- comparing --- */

static sqlite3_stmt *prepare(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	return st;
}

static void assert_same_value(sqlite3_stmt *a, sqlite3_stmt *b, int i, const char *table, int row)
{
	int type = sqlite3_column_type(a, i);
	if (sqlite3_column_type(b, i) != type)
		fail_msg("%s row %d column %d: type %d, source %d", table, row, i, sqlite3_column_type(b, i),
			 type);
	if (type == SQLITE_INTEGER) {
		assert_true(sqlite3_column_int64(a, i) == sqlite3_column_int64(b, i));
	} else if (type == SQLITE_FLOAT) {
		double x = sqlite3_column_double(a, i), y = sqlite3_column_double(b, i);
		if (memcmp(&x, &y, sizeof x) != 0)
			fail_msg("%s row %d column %d: %.17g, source %.17g", table, row, i, y, x);
	} else if (type != SQLITE_NULL) {
		const void *pa = type == SQLITE_BLOB ? sqlite3_column_blob(a, i) : sqlite3_column_text(a, i);
		const void *pb = type == SQLITE_BLOB ? sqlite3_column_blob(b, i) : sqlite3_column_text(b, i);
		int n = sqlite3_column_bytes(a, i);
		if (sqlite3_column_bytes(b, i) != n || (n && memcmp(pa, pb, (size_t)n) != 0))
			fail_msg("%s row %d column %d: bytes differ", table, row, i);
	}
}

/* Every row of `table` in main equals the source's (attached as src), in the same order. */
static int assert_same_rows(sqlite3 *db, const char *table)
{
	char *sql_a = sqlite3_mprintf("SELECT * FROM src.\"%w\"", table);
	char *sql_b = sqlite3_mprintf("SELECT * FROM main.\"%w\"", table);
	sqlite3_stmt *a = prepare(db, sql_a), *b = prepare(db, sql_b);
	int rows = 0;
	for (;;) {
		int ra = sqlite3_step(a), rb = sqlite3_step(b);
		assert_int_equal(rb, ra);
		if (ra != SQLITE_ROW)
			break;
		rows++;
		assert_int_equal(sqlite3_column_count(b), sqlite3_column_count(a));
		for (int i = 0; i < sqlite3_column_count(a); i++)
			assert_same_value(a, b, i, table, rows);
	}
	sqlite3_finalize(a);
	sqlite3_finalize(b);
	sqlite3_free(sql_a);
	sqlite3_free(sql_b);
	return rows;
}

static sqlite3 *open_result(void)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open_v2(out_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	char *attach = sqlite3_mprintf("ATTACH %Q AS src", src_path);
	exec(db, attach);
	sqlite3_free(attach);
	return db;
}

static int count(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = prepare(db, sql);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	int n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void test_dump_of_every_case_loads_as_the_source(void **state)
{
	make_source();
	dump_source();
	if (load(dump_path, 0) != 0)
		fail_msg("%s:%ld:%ld: %s", err.file, err.line, err.column, err.message);
	sqlite3 *db = open_result();
	sqlite3_stmt *tables = prepare(
	    db, "SELECT name FROM src.sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'");
	int ntables = 0, nrows = 0;
	while (sqlite3_step(tables) == SQLITE_ROW) {
		nrows += assert_same_rows(db, (const char *)sqlite3_column_text(tables, 0));
		ntables++;
	}
	sqlite3_finalize(tables);
	assert_int_equal(ntables, 5);
	assert_int_equal(nrows, 8 + 4 + 3 + 1);
	/* AUTOINCREMENT counters: log's is 2 although its last row is 1. */
	assert_int_equal(count(db, "SELECT count(*) FROM (SELECT name, seq FROM src.sqlite_sequence EXCEPT"
				   " SELECT name, seq FROM main.sqlite_sequence)"),
			 0);
	assert_int_equal(count(db, "SELECT seq FROM main.sqlite_sequence WHERE name = 'log'"), 2);
	/* Every table, index, view and trigger, with its SQL as written. */
	assert_int_equal(count(db, "SELECT count(*) FROM src.sqlite_schema WHERE name NOT LIKE 'sqlite_%'"),
			 9);
	assert_int_equal(count(db,
			       "SELECT count(*) FROM (SELECT type, name, tbl_name, sql FROM src.sqlite_schema"
			       " WHERE name NOT LIKE 'sqlite_%' EXCEPT"
			       " SELECT type, name, tbl_name, sql FROM main.sqlite_schema)"),
			 0);
	sqlite3_close(db);
}

/* Literals .dump does not write but SQLite reads: the same text executed by the sqlite3 shell
 * and loaded by amber gives the same values. */
static void test_other_literals_load_as_sqlite_reads_them(void **state)
{
	static const char text[] =
	    "BEGIN TRANSACTION;\n"
	    "CREATE TABLE t(a, b REAL, c TEXT);\n"
	    "INSERT INTO t VALUES(0x10, -0x10, 0xffffffffffffffff), (+5, - -5, -+-.5), (1., 1e999, -1e999);\n"
	    "INSERT INTO t VALUES(99999999999999999999, -9223372036854775809, 0x0000000000000000001);\n"
	    "INSERT INTO t(c, a) VALUES(replace(replace('a-b_c', '-', char(10, 13)), '_', char(128512)), "
	    "7);\n"
	    "INSERT INTO t(b, a, c) VALUES(replace('abc', '', char(10)), replace('abc', 'b', char(1114112)), "
	    "'x');\n"
	    "INSERT INTO t VALUES(NULL, X'', 'it''s'), (-0, -0.0, 12);\n"
	    "COMMIT;\n";
	write_file(dump_path, text, sizeof text - 1);
	char cmd[512];
	snprintf(cmd, sizeof cmd, "sqlite3 %s < %s", src_path, dump_path);
	assert_int_equal(system(cmd), 0);
	if (load(dump_path, 0) != 0)
		fail_msg("%s:%ld:%ld: %s", err.file, err.line, err.column, err.message);
	sqlite3 *db = open_result();
	assert_int_equal(assert_same_rows(db, "t"), 8);
	sqlite3_close(db);
}

/* Tables whose keys SQLite backs with its own indexes (sqlite_autoindex_…). */
static void test_tables_with_constraint_indexes_load(void **state)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(src_path, &db), SQLITE_OK);
	exec(db,
	     "CREATE TABLE kv(k TEXT PRIMARY KEY, v) WITHOUT ROWID; INSERT INTO kv VALUES ('b', 1), ('a', 2);"
	     "CREATE TABLE u(a TEXT UNIQUE, b, UNIQUE (b, a)); INSERT INTO u VALUES ('x', 1), ('y', 1);");
	sqlite3_close(db);
	dump_source();
	if (load(dump_path, 0) != 0)
		fail_msg("%s:%ld:%ld: %s", err.file, err.line, err.column, err.message);
	db = open_result();
	assert_int_equal(assert_same_rows(db, "kv"), 2);
	assert_int_equal(assert_same_rows(db, "u"), 2);
	assert_int_equal(count(db, "SELECT count(*) FROM main.sqlite_schema WHERE tbl_name IN ('kv', 'u') "
				   "AND name LIKE 'sqlite_autoindex_%'"),
			 2); /* u's two UNIQUE; a WITHOUT ROWID key is the table itself */
	sqlite3_close(db);
}

static void test_compressed_dump_loads(void **state)
{
	make_source();
	dump_source();
	char cmd[512];
	snprintf(cmd, sizeof cmd, "gzip -k %s", dump_path);
	assert_int_equal(system(cmd), 0);
	char gz[160];
	snprintf(gz, sizeof gz, "%s.gz", dump_path);
	if (load(gz, 0) != 0)
		fail_msg("%s:%ld:%ld: %s", err.file, err.line, err.column, err.message);
	sqlite3 *db = open_result();
	assert_int_equal(assert_same_rows(db, "my table"), 8);
	assert_int_equal(count(db, "SELECT count(*) FROM _amber_meta WHERE value = 'gzip'"), 1);
	sqlite3_close(db);
	unlink(gz);
}

static void test_virtual_table_is_skipped_and_counted(void **state)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open(src_path, &db), SQLITE_OK);
	exec(db, "CREATE VIRTUAL TABLE ft USING fts5(x); INSERT INTO ft VALUES ('hello');"
		 "CREATE TABLE t(a); INSERT INTO t VALUES (1);");
	sqlite3_close(db);
	dump_source();
	assert_int_equal(load(dump_path, 1), -1);
	assert_string_equal(err.file, "dump.sql");
	assert_int_equal(err.line, 4);
	assert_non_null(strstr(err.message, "virtual table is not supported (--strict)"));
	if (load(dump_path, 0) != 0)
		fail_msg("%s:%ld:%ld: %s", err.file, err.line, err.column, err.message);
	db = open_result();
	assert_int_equal(assert_same_rows(db, "t"), 1);
	assert_int_equal(count(db, "SELECT count(*) FROM main.sqlite_schema WHERE name = 'ft'"), 0);
	sqlite3_close(db);
}

/* --- broken dumps --- */

/* Loads `text` as a dump and expects an error at line:column whose message holds `what`. */
static void expect_error(const char *text, size_t len, long line, long column, const char *what)
{
	write_file(dump_path, text, len);
	assert_int_equal(load(dump_path, 0), -1);
	if (strcmp(err.file, "dump.sql") != 0 || err.line != line || err.column != column ||
	    !strstr(err.message, what))
		fail_msg("got %s:%ld:%ld: %s; want %ld:%ld: …%s…", err.file, err.line, err.column,
			 err.message, line, column, what);
	assert_int_equal(access(out_path, F_OK), -1); /* nothing written */
}

#define HEAD "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE t(a, b);\n"

static void expect_garbage(const char *text, long line, long column, const char *what)
{
	expect_error(text, strlen(text), line, column, what);
}

static void test_garbage_is_an_error_with_its_place(void **state)
{
	expect_garbage(HEAD "INSERT INTO t VALUES(1+2, 3);\nCOMMIT;\n", 4, 23, "found \"+\"");
	expect_garbage(HEAD "INSERT INTO t VALUES(upper('a'), 3);\nCOMMIT;\n", 4, 22, "expected a value");
	expect_garbage(HEAD "INSERT INTO t VALUES(replace('a','b',upper('c')),1);\nCOMMIT;\n", 4, 38,
		       "expected char(");
	expect_garbage(HEAD "INSERT INTO t VALUES(1);\nCOMMIT;\n", 4, 21, "1 values for the 2 columns");
	expect_garbage(HEAD "INSERT INTO t VALUES(1,2,3);\nCOMMIT;\n", 4, 26, "more than 2 values");
	expect_garbage(HEAD "INSERT INTO u VALUES(1,2);\nCOMMIT;\n", 4, 13,
		       "u, which the dump has not created");
	expect_garbage(HEAD "DROP TABLE t;\nCOMMIT;\n", 4, 1, "expected a statement");
	expect_garbage(HEAD "PRAGMA journal_mode=WAL;\nCOMMIT;\n", 4, 1, "unexpected statement");
	expect_garbage(HEAD "ROLLBACK; -- due to errors\n", 4, 1, "ROLLBACK");
	expect_garbage(HEAD "INSERT INTO t VALUES(1, 'a' 'b');\nCOMMIT;\n", 4, 29, "found \"'b'\"");
	expect_garbage(HEAD "INSERT INTO t VALUES(1, X'0');\nCOMMIT;\n", 4, 25, "malformed blob");
	expect_garbage(HEAD "CREATE TABLE t(c);\nCOMMIT;\n", 4, 1, "t");
	expect_garbage(HEAD "CREATE INDEX i ON nope(a);\nCOMMIT;\n", 4, 1, "nope");
}

static void test_cut_short_is_a_truncated_dump(void **state)
{
	make_source();
	dump_source();
	size_t len;
	char *text = read_file(dump_path, &len);
	/* Inside a blob, a string, a row, a trigger body, and at a statement's end before COMMIT. */
	static const char *const marks[] = {"X'00275c", "'it''s", "VALUES(2,", "BEGIN INSERT", "COMMIT;"};
	char *cut;
	for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
		cut = strstr(text, marks[i]);
		assert_non_null(cut);
		write_file(dump_path, text, (size_t)(cut - text) + strlen(marks[i]) - (i == 4 ? 7 : 0));
		assert_int_equal(load(dump_path, 0), -1);
		assert_string_equal(err.file, "dump.sql");
		assert_true(err.line > 2 && err.column > 0);
		if (!strstr(err.message, "truncated dump"))
			fail_msg("%s: %s", marks[i], err.message);
	}
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_dump_of_every_case_loads_as_the_source, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_other_literals_load_as_sqlite_reads_them, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_tables_with_constraint_indexes_load, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_compressed_dump_loads, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_virtual_table_is_skipped_and_counted, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_garbage_is_an_error_with_its_place, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_cut_short_is_a_truncated_dump, set_up, tear_down),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
