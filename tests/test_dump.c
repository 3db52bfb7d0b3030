/* test_dump.c — unit tests for the schema model and typed rows of SQL dumps (core/dump.h).
 *
 * Each test drives core/dump directly on a real loader in its own temporary directory, as a
 * translator would (tables, columns, keys, rows of literals), finishes the database, and then
 * checks the result with SQLite: declared types, typeof() of every stored value, keys,
 * indexes, views, _amber_meta. Errors are checked by their messages. Warnings and the skip
 * summary are captured from the progress output. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
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
#include "tests/support.h"

#define SHA_A "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

static char dir[64];
static char out_path[128];
static FILE *messages; /* what the progress printed */
static struct progress prog;
static struct db_loader *ld;
static struct dump *d;
static sqlite3 *db; /* the finished database */
static struct buf result;
static struct amber_error err;

static int set_up(void **state)
{
	(void)state;
	if (support_temp_dir(dir, sizeof dir, "dump") < 0)
		return -1;
	snprintf(out_path, sizeof out_path, "%s/out.db", dir);
	messages = tmpfile();
	progress_init(&prog, messages, 1);
	memset(&err, 0, sizeof err);
	return 0;
}

static int tear_down(void **state)
{
	(void)state;
	dump_free(d);
	d = NULL;
	db_loader_abort(ld);
	ld = NULL;
	sqlite3_close(db);
	db = NULL;
	buf_free(&result);
	fclose(messages);
	support_remove_tree(dir);
	return 0;
}

static void start_with(int strict, enum dump_utf8 utf8)
{
	struct amber_error e = {0};
	ld = db_loader_create(out_path, 0, DB_CHECK_QUICK, &prog, &e);
	if (!ld)
		fail_msg("loader: %s", e.message);
	struct dump_options opt = {strict, utf8, NULL};
	d = dump_create(ld, &opt);
	dump_begin_input(d, "dump.sql", DUMP_PASS_ALL, 0);
}

static void start(void)
{
	start_with(0, DUMP_UTF8_ERROR);
}

/* Ends the input, finishes the dump and the database, and opens the result. */
static void finish(void)
{
	struct amber_error e = {0};
	dump_end_input(d, 10, SHA_A, "none");
	if (dump_finish(d, &e) != 0)
		fail_msg("dump_finish: %s", e.message);
	dump_free(d);
	d = NULL;
	int rc = db_loader_finish(ld, &e);
	ld = NULL;
	if (rc != 0)
		fail_msg("db_loader_finish: %s", e.message);
	assert_int_equal(sqlite3_open_v2(out_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
}

/* Rows of the query, values joined by '|', rows by ';' (NULL as "NULL"). */
static const char *q(const char *sql)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	buf_reset(&result);
	buf_adds(&result, "");
	int rows = 0;
	while (sqlite3_step(st) == SQLITE_ROW) {
		buf_adds(&result, rows++ ? ";" : "");
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const char *v = (const char *)sqlite3_column_text(st, i);
			buf_adds(&result, i ? "|" : "");
			buf_adds(&result, sqlite3_column_type(st, i) == SQLITE_NULL ? "NULL" : v);
		}
	}
	sqlite3_finalize(st);
	return result.data;
}

/* What the progress printed so far. */
static const char *printed(void)
{
	static char text[4096];
	fflush(messages);
	rewind(messages);
	size_t n = fread(text, 1, sizeof text - 1, messages);
	text[n] = '\0';
	return text;
}

static struct dump_table *table_ok(const char *name)
{
	struct dump_table *t = dump_table_create(d, name, &err);
	if (!t)
		fail_msg("table %s: %s", name, err.message);
	return t;
}

static void col_ok(struct dump_table *t, const char *name, enum dump_kind kind)
{
	if (dump_column_add(t, name, kind, 0, NULL, &err) != 0)
		fail_msg("column %s: %s", name, err.message);
}

static void pk_ok(struct dump_table *t, const char *const *cols, size_t n)
{
	if (dump_primary_key(d, t, cols, n, &err) != 0)
		fail_msg("primary key: %s", err.message);
}

static struct dump_insert *ins_ok(struct dump_table *t, enum dump_conflict conflict)
{
	struct dump_insert *ins = dump_insert_prepare(d, t, NULL, 0, conflict, &err);
	if (!ins)
		fail_msg("insert: %s", err.message);
	return ins;
}

static int put(struct dump_insert *ins, size_t i, enum dump_lit lit, const char *text)
{
	return dump_insert_value(ins, i, lit, text, text ? strlen(text) : 0, &err);
}

static void put_ok(struct dump_insert *ins, size_t i, enum dump_lit lit, const char *text)
{
	if (put(ins, i, lit, text) != 0)
		fail_msg("value %zu '%s': %s", i, text ? text : "NULL", err.message);
}

static void row_ok(struct dump_insert *ins)
{
	if (dump_insert_row(ins, &err) != 0)
		fail_msg("row: %s", err.message);
}

/* One-column table `t` (column c of `kind`) with an insert ready. */
static struct dump_insert *single(enum dump_kind kind)
{
	struct dump_table *t = table_ok("t");
	col_ok(t, "c", kind);
	return ins_ok(t, DUMP_CONFLICT_ERROR);
}

/* Inserts one value as a row of a one-column table. */
static void one_ok(struct dump_insert *ins, enum dump_lit lit, const char *text)
{
	put_ok(ins, 0, lit, text);
	row_ok(ins);
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
}

/* --- DDL --- */

static void declared_types_follow_the_kinds(void **state)
{
	(void)state;
	start();
	struct dump_table *t = table_ok("k");
	static const enum dump_kind kinds[] = {DUMP_INTEGER, DUMP_BOOL, DUMP_EXACT,
					       DUMP_REAL,    DUMP_TEXT, DUMP_BLOB};
	static const char *const names[] = {"i", "b", "e", "r", "t", "x"};
	for (size_t i = 0; i < 6; i++)
		col_ok(t, names[i], kinds[i]);
	struct dump_insert *ins = ins_ok(t, DUMP_CONFLICT_ERROR);
	put_ok(ins, 0, DUMP_LIT_NUMBER, "42");
	put_ok(ins, 1, DUMP_LIT_STRING, "true");
	put_ok(ins, 2, DUMP_LIT_NUMBER, "3.25");
	put_ok(ins, 3, DUMP_LIT_NUMBER, "7");
	put_ok(ins, 4, DUMP_LIT_STRING, "hi");
	put_ok(ins, 5, DUMP_LIT_STRING, "raw");
	row_ok(ins);
	finish();
	assert_string_equal(q("SELECT group_concat(type, ',') FROM pragma_table_info('k')"),
			    "INTEGER,INTEGER,,REAL,TEXT,BLOB");
	assert_string_equal(
	    q("SELECT typeof(i), typeof(b), typeof(e), typeof(r), typeof(t), typeof(x) FROM k"),
	    "integer|integer|real|real|text|blob");
	assert_string_equal(q("SELECT i, b, e, r, t FROM k"), "42|1|3.25|7.0|hi");
}

static void single_integer_key_becomes_the_rowid(void **state)
{
	(void)state;
	start();
	struct dump_table *t = table_ok("p");
	col_ok(t, "id", DUMP_INTEGER);
	col_ok(t, "name", DUMP_TEXT);
	pk_ok(t, (const char *const[]){"ID"}, 1);
	struct dump_insert *ins = ins_ok(t, DUMP_CONFLICT_ERROR);
	put_ok(ins, 0, DUMP_LIT_NUMBER, "17");
	put_ok(ins, 1, DUMP_LIT_STRING, "x");
	row_ok(ins);
	finish();
	assert_contains(q("SELECT sql FROM sqlite_master WHERE name = 'p'"), "\"id\" INTEGER PRIMARY KEY");
	assert_string_equal(q("SELECT rowid, id FROM p"), "17|17");
	assert_string_equal(
	    q("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'"), "0");
}

static void composite_key_is_a_table_constraint_and_rejects_duplicates(void **state)
{
	(void)state;
	start();
	struct dump_table *t = table_ok("pair");
	col_ok(t, "a", DUMP_TEXT);
	col_ok(t, "b", DUMP_INTEGER);
	pk_ok(t, (const char *const[]){"a", "b"}, 2);
	struct dump_insert *ins = ins_ok(t, DUMP_CONFLICT_ERROR);
	put_ok(ins, 0, DUMP_LIT_STRING, "k");
	put_ok(ins, 1, DUMP_LIT_NUMBER, "1");
	row_ok(ins);
	put_ok(ins, 0, DUMP_LIT_STRING, "k");
	put_ok(ins, 1, DUMP_LIT_NUMBER, "1");
	assert_int_equal(dump_insert_row(ins, &err), -1);
	assert_string_equal(err.message, "duplicate primary key in table pair");
	put_ok(ins, 0, DUMP_LIT_STRING, "k");
	put_ok(ins, 1, DUMP_LIT_NUMBER, "2");
	row_ok(ins);
	finish();
	assert_contains(q("SELECT sql FROM sqlite_master WHERE name = 'pair'"), "PRIMARY KEY (\"a\", \"b\")");
	assert_string_equal(q("SELECT value FROM _amber_meta WHERE key = 'table.pair.rows'"), "2");
}

static void duplicate_rowid_key_is_an_error(void **state)
{
	(void)state;
	start();
	struct dump_table *t = table_ok("p");
	col_ok(t, "id", DUMP_INTEGER);
	pk_ok(t, (const char *const[]){"id"}, 1);
	struct dump_insert *ins = ins_ok(t, DUMP_CONFLICT_ERROR);
	one_ok(ins, DUMP_LIT_NUMBER, "1");
	put_ok(ins, 0, DUMP_LIT_NUMBER, "1");
	assert_int_equal(dump_insert_row(ins, &err), -1);
	assert_string_equal(err.message, "duplicate primary key in table p");
}

static void not_null_and_default_are_kept(void **state)
{
	(void)state;
	start();
	struct dump_table *t = table_ok("n");
	assert_int_equal(dump_column_add(t, "a", DUMP_INTEGER, DUMP_COL_NOT_NULL, NULL, &err), 0);
	assert_int_equal(dump_column_add(t, "s", DUMP_TEXT, 0, "'none'", &err), 0);
	struct dump_insert *ins =
	    dump_insert_prepare(d, t, (const char *const[]){"a"}, 1, DUMP_CONFLICT_ERROR, &err);
	assert_non_null(ins);
	assert_int_equal(dump_insert_width(ins), 1);
	one_ok(ins, DUMP_LIT_NUMBER, "5");
	put_ok(ins, 0, DUMP_LIT_NULL, NULL);
	assert_int_equal(dump_insert_row(ins, &err), -1);
	assert_string_equal(err.message, "NULL in NOT NULL column n.a");
	finish();
	assert_string_equal(q("SELECT a, s FROM n"), "5|none");
	assert_contains(q("SELECT sql FROM sqlite_master WHERE name = 'n'"), "\"a\" INTEGER NOT NULL");
}

static void foreign_key_is_kept_in_the_ddl(void **state)
{
	(void)state;
	start();
	struct dump_table *t = table_ok("child");
	col_ok(t, "pid", DUMP_INTEGER);
	assert_int_equal(dump_foreign_key(d, t, (const char *const[]){"pid"}, 1, "parent",
					  (const char *const[]){"id"}, 1, &err),
			 0);
	assert_int_equal(dump_foreign_key(d, t, (const char *const[]){"nope"}, 1, "parent", NULL, 0, &err),
			 -1);
	assert_contains(err.message, "unknown column \"nope\"");
	finish();
	assert_contains(q("SELECT sql FROM sqlite_master WHERE name = 'child'"),
			"FOREIGN KEY (\"pid\") REFERENCES \"parent\" (\"id\")");
}

static void key_declared_after_create_but_before_rows_is_part_of_the_table(void **state)
{
	(void)state;
	start();
	struct dump_table *t = table_ok("late");
	col_ok(t, "id", DUMP_INTEGER);
	col_ok(t, "v", DUMP_TEXT);
	assert_int_equal(dump_index_add(d, t, "v_idx", (const char *const[]){"v"}, 1, 0, &err), 0);
	pk_ok(t, (const char *const[]){"id"}, 1); /* as ALTER TABLE … ADD PRIMARY KEY */
	struct dump_insert *ins = ins_ok(t, DUMP_CONFLICT_ERROR);
	put_ok(ins, 0, DUMP_LIT_NUMBER, "3");
	put_ok(ins, 1, DUMP_LIT_STRING, "c");
	row_ok(ins);
	finish();
	assert_contains(q("SELECT sql FROM sqlite_master WHERE name = 'late'"), "\"id\" INTEGER PRIMARY KEY");
	assert_string_equal(
	    q("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'"), "v_idx");
	assert_string_equal(printed(), "");
}

static void key_after_rows_becomes_a_unique_index_and_a_warning(void **state)
{
	(void)state;
	start();
	struct dump_table *t = table_ok("early");
	col_ok(t, "id", DUMP_INTEGER);
	one_ok(ins_ok(t, DUMP_CONFLICT_ERROR), DUMP_LIT_NUMBER, "1");
	pk_ok(t, (const char *const[]){"id"}, 1);
	assert_int_equal(dump_primary_key(d, t, (const char *const[]){"id"}, 1, &err), 0);
	finish();
	assert_string_equal(q("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name NOT LIKE "
			      "'sqlite_%' AND sql LIKE 'CREATE UNIQUE%'"),
			    "2");
	assert_contains(printed(), "dump.sql: 2 warnings");
	assert_contains(printed(), "the primary key of table early comes after its rows");
}

static void second_primary_key_is_an_error(void **state)
{
	(void)state;
	start();
	struct dump_table *t = table_ok("t");
	col_ok(t, "a", DUMP_INTEGER);
	pk_ok(t, (const char *const[]){"a"}, 1);
	assert_int_equal(dump_primary_key(d, t, (const char *const[]){"a"}, 1, &err), -1);
	assert_string_equal(err.message, "table t has a primary key already");
}

static void table_without_rows_is_created_at_finish(void **state)
{
	(void)state;
	start();
	struct dump_table *t = table_ok("empty");
	col_ok(t, "a", DUMP_TEXT);
	finish();
	assert_string_equal(q("SELECT count(*) FROM empty"), "0");
	assert_string_equal(q("SELECT value FROM _amber_meta WHERE key = 'table.empty.rows'"), "0");
}

static void reserved_and_duplicate_names_are_errors(void **state)
{
	(void)state;
	start();
	assert_null(dump_table_create(d, "sqlite_stuff", &err));
	assert_contains(err.message, "reserved");
	assert_null(dump_table_create(d, "_AMBER_x", &err));
	assert_contains(err.message, "reserved");
	table_ok("t");
	assert_null(dump_table_create(d, "T", &err));
	assert_string_equal(err.message,
			    "table \"T\" is defined twice (a table of that name comes from dump.sql)");
	struct dump_table *t = dump_table_find(d, "t");
	assert_non_null(t);
	col_ok(t, "a", DUMP_TEXT);
	assert_int_equal(dump_column_add(t, "A", DUMP_TEXT, 0, NULL, &err), -1);
	assert_int_equal(dump_view(d, "t", "SELECT 1", &err), -1);
}

static void a_table_another_input_made_is_a_clash(void **state)
{
	(void)state;
	start();
	/* As a CSV input of the same run would have made it, through the loader's connection. */
	assert_int_equal(sqlite3_exec(db_loader_db(ld), "CREATE TABLE places (a)", NULL, NULL, NULL),
			 SQLITE_OK);
	assert_null(dump_table_create(d, "Places", &err));
	assert_string_equal(err.message,
			    "table \"Places\" is defined twice (another input made a table of that name)");
}

static void drop_before_rows_allows_a_new_definition_but_not_after(void **state)
{
	(void)state;
	start();
	struct dump_table *t = table_ok("t");
	col_ok(t, "old", DUMP_TEXT);
	assert_int_equal(dump_table_drop(d, "t", &err), 0);
	assert_int_equal(dump_table_drop(d, "never", &err), 0);
	t = table_ok("t");
	col_ok(t, "new", DUMP_INTEGER);
	one_ok(ins_ok(t, DUMP_CONFLICT_ERROR), DUMP_LIT_NUMBER, "1");
	assert_int_equal(dump_table_drop(d, "t", &err), -1);
	assert_contains(err.message, "has rows");
	finish();
	assert_string_equal(q("SELECT group_concat(name) FROM pragma_table_info('t')"), "new");
}

/* --- INTEGER --- */

static void integer_values_convert_from_every_literal(void **state)
{
	(void)state;
	start();
	struct dump_insert *ins = single(DUMP_INTEGER);
	one_ok(ins, DUMP_LIT_NUMBER, "-9223372036854775808");
	one_ok(ins, DUMP_LIT_NUMBER, "9223372036854775807");
	one_ok(ins, DUMP_LIT_STRING, "+007");
	one_ok(ins, DUMP_LIT_HEX, "7fffffffffffffff");
	one_ok(ins, DUMP_LIT_BITS, "101");
	one_ok(ins, DUMP_LIT_BOOL, "1");
	one_ok(ins, DUMP_LIT_NULL, NULL);
	finish();
	assert_string_equal(q("SELECT c, typeof(c) FROM t"),
			    "-9223372036854775808|integer;9223372036854775807|integer;7|integer;"
			    "9223372036854775807|integer;5|integer;1|integer;NULL|null");
}

static void bad_integers_are_errors_naming_the_column(void **state)
{
	(void)state;
	start();
	struct dump_insert *ins = single(DUMP_INTEGER);
	assert_int_equal(put(ins, 0, DUMP_LIT_STRING, "abc"), -1);
	assert_string_equal(err.message, "'abc' is not an integer (column t.c)");
	assert_int_equal(put(ins, 0, DUMP_LIT_NUMBER, "9223372036854775808"), -1);
	assert_int_equal(put(ins, 0, DUMP_LIT_NUMBER, "1.5"), -1);
	assert_int_equal(put(ins, 0, DUMP_LIT_STRING, ""), -1);
	assert_int_equal(put(ins, 0, DUMP_LIT_HEX, "8000000000000000"), -1);
	assert_int_equal(put(ins, 0, DUMP_LIT_NUMBER, "-"), -1);
	assert_int_equal(put(ins, 0, DUMP_LIT_STRING, "12345678901234567890123456789012345678901234567890"),
			 -1);
	assert_string_equal(err.message,
			    "'1234567890123456789012345678901234567890…' is not an integer (column t.c)");
}

/* --- BOOL --- */

static void booleans_accept_the_usual_spellings(void **state)
{
	(void)state;
	start();
	struct dump_insert *ins = single(DUMP_BOOL);
	static const char *const spellings[] = {"1", "0", "t", "F", "true", "FALSE", "y", "N"};
	for (size_t i = 0; i < 8; i++)
		one_ok(ins, DUMP_LIT_STRING, spellings[i]);
	one_ok(ins, DUMP_LIT_BOOL, "0");
	one_ok(ins, DUMP_LIT_BITS, "1");
	assert_int_equal(put(ins, 0, DUMP_LIT_STRING, "maybe"), -1);
	assert_string_equal(err.message, "'maybe' is not a boolean (column t.c)");
	/* A MySQL BOOL is TINYINT(1): a number is kept as it is, a fraction is not an integer. */
	one_ok(ins, DUMP_LIT_NUMBER, "5");
	one_ok(ins, DUMP_LIT_NUMBER, "-7");
	assert_int_equal(put(ins, 0, DUMP_LIT_NUMBER, "1.5"), -1);
	assert_string_equal(err.message, "'1.5' is not an integer (column t.c)");
	finish();
	assert_string_equal(q("SELECT group_concat(c, ',') FROM t"), "1,0,1,0,1,0,1,0,0,1,5,-7");
	assert_string_equal(q("SELECT DISTINCT typeof(c) FROM t"), "integer");
}

/* --- EXACT --- */

static void exact_keeps_what_a_double_cannot_hold_as_text(void **state)
{
	(void)state;
	start();
	struct dump_insert *ins = single(DUMP_EXACT);
	one_ok(ins, DUMP_LIT_NUMBER, "18446744073709551615");
	one_ok(ins, DUMP_LIT_NUMBER, "-9223372036854775808");
	one_ok(ins, DUMP_LIT_STRING, "12345678901234567890.12345");
	one_ok(ins, DUMP_LIT_NUMBER, "12.50");
	one_ok(ins, DUMP_LIT_NUMBER, "1234567890.12345");  /* 15 significant digits */
	one_ok(ins, DUMP_LIT_NUMBER, "1234567890.123456"); /* 16 */
	one_ok(ins, DUMP_LIT_NUMBER, "0.000");
	one_ok(ins, DUMP_LIT_NUMBER, "1e999");
	one_ok(ins, DUMP_LIT_HEX, "FFFFFFFFFFFFFFFF");
	one_ok(ins, DUMP_LIT_STRING, "NaN"); /* PostgreSQL numeric */
	finish();
	assert_string_equal(q("SELECT c, typeof(c) FROM t"),
			    "18446744073709551615|text;-9223372036854775808|integer;"
			    "12345678901234567890.12345|text;12.5|real;1234567890.12345|real;"
			    "1234567890.123456|text;0.0|real;1e999|text;18446744073709551615|text;NaN|text");
}

static void exact_rejects_what_is_not_a_number(void **state)
{
	(void)state;
	start();
	struct dump_insert *ins = single(DUMP_EXACT);
	static const char *const bad[] = {"abc", "1.2.3", "1e", "--1", "", "0x10", "1 ", "nan(1)"};
	for (size_t i = 0; i < 8; i++) {
		if (put(ins, 0, DUMP_LIT_STRING, bad[i]) != -1)
			fail_msg("'%s' was accepted", bad[i]);
		assert_contains(err.message, "is not a number (column t.c)");
	}
}

/* --- REAL --- */

static void reals_are_bit_exact(void **state)
{
	(void)state;
	start();
	struct dump_insert *ins = single(DUMP_REAL);
	static const char *const texts[] = {"0.30000000000000004",
					    "2.2250738585072014e-308",
					    "4.9e-324",
					    "1.7976931348623157e308",
					    "-0.1",
					    "123456789.12345678",
					    "3.141592653589793238462643383279"};
	for (size_t i = 0; i < 7; i++)
		one_ok(ins, DUMP_LIT_NUMBER, texts[i]);
	finish();
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT c, typeof(c) FROM t ORDER BY rowid", -1, &st, NULL),
			 SQLITE_OK);
	for (size_t i = 0; i < 7; i++) {
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(st, 1), "real");
		double got = sqlite3_column_double(st, 0), want = strtod(texts[i], NULL);
		if (memcmp(&got, &want, sizeof got) != 0)
			fail_msg("%s stored as %.17g", texts[i], got);
	}
	sqlite3_finalize(st);
}

static void reals_take_infinity_and_nan_spellings(void **state)
{
	(void)state;
	start();
	struct dump_insert *ins = single(DUMP_REAL);
	one_ok(ins, DUMP_LIT_NUMBER, "1e999");
	one_ok(ins, DUMP_LIT_NUMBER, "-1e999");
	one_ok(ins, DUMP_LIT_STRING, "Infinity");
	one_ok(ins, DUMP_LIT_STRING, "-inf");
	one_ok(ins, DUMP_LIT_STRING, "NaN");
	one_ok(ins, DUMP_LIT_NUMBER, "12");
	finish();
	assert_string_equal(q("SELECT c > 1e308, c < -1e308, typeof(c) FROM t"),
			    "1|0|real;0|1|real;1|0|real;0|1|real;NULL|NULL|null;0|0|real");
}

static void bad_reals_are_errors(void **state)
{
	(void)state;
	start();
	struct dump_insert *ins = single(DUMP_REAL);
	static const char *const bad[] = {"abc", "0x1p3", "1e", "", "nan(1)", "1,5"};
	for (size_t i = 0; i < 6; i++) {
		if (put(ins, 0, DUMP_LIT_STRING, bad[i]) != -1)
			fail_msg("'%s' was accepted", bad[i]);
		assert_contains(err.message, "is not a real number (column t.c)");
	}
}

/* --- TEXT --- */

static void text_takes_numbers_as_written_and_hex_as_bytes(void **state)
{
	(void)state;
	start();
	struct dump_insert *ins = single(DUMP_TEXT);
	one_ok(ins, DUMP_LIT_NUMBER, "1.50");
	one_ok(ins, DUMP_LIT_HEX, "616263");
	one_ok(ins, DUMP_LIT_STRING, "Z\xC3\xBCrich \xF0\x9F\x98\x80");
	one_ok(ins, DUMP_LIT_STRING, "");
	finish();
	assert_string_equal(q("SELECT c, typeof(c) FROM t"),
			    "1.50|text;abc|text;Z\xC3\xBCrich \xF0\x9F\x98\x80|text;|text");
}

static void invalid_utf8_is_an_error_by_default(void **state)
{
	(void)state;
	start();
	struct dump_insert *ins = single(DUMP_TEXT);
	assert_int_equal(put(ins, 0, DUMP_LIT_STRING, "ab\xFF"), -1);
	assert_string_equal(err.message, "invalid UTF-8 at byte 3 of a TEXT value (column t.c)");
	assert_int_equal(put(ins, 0, DUMP_LIT_HEX, "C328"), -1);
	assert_contains(err.message, "invalid UTF-8 at byte 1");
	/* The failed value does not count as set. */
	assert_int_equal(dump_insert_row(ins, &err), -1);
	assert_contains(err.message, "has 0 of its 1 values");
}

static void invalid_utf8_can_be_kept_as_a_blob(void **state)
{
	(void)state;
	start_with(0, DUMP_UTF8_BLOB);
	struct dump_insert *ins = single(DUMP_TEXT);
	one_ok(ins, DUMP_LIT_STRING, "ab\xFF");
	one_ok(ins, DUMP_LIT_STRING, "ok");
	finish();
	assert_string_equal(q("SELECT typeof(c), hex(c) FROM t"), "blob|6162FF;text|6F6B");
}

static void empty_text_and_blob_are_not_null(void **state)
{
	(void)state;
	start();
	struct dump_table *t = table_ok("e");
	col_ok(t, "t", DUMP_TEXT);
	col_ok(t, "b", DUMP_BLOB);
	struct dump_insert *ins = ins_ok(t, DUMP_CONFLICT_ERROR);
	put_ok(ins, 0, DUMP_LIT_STRING, "");
	put_ok(ins, 1, DUMP_LIT_STRING, "");
	row_ok(ins);
	finish();
	assert_string_equal(q("SELECT typeof(t), typeof(b), length(t), length(b) FROM e"), "text|blob|0|0");
}

static void invalid_utf8_can_be_replaced(void **state)
{
	(void)state;
	start_with(0, DUMP_UTF8_REPLACE);
	struct dump_insert *ins = single(DUMP_TEXT);
	one_ok(ins, DUMP_LIT_STRING,
	       "a\xFF\xFE"
	       "b\xE2\x82");
	one_ok(ins, DUMP_LIT_STRING, "\xC3\xBC");
	/* Long enough that the rebuilt value needs a bigger arena. */
	char bad[5000];
	memset(bad, 0xFF, sizeof bad);
	assert_int_equal(dump_insert_value(ins, 0, DUMP_LIT_STRING, bad, sizeof bad, &err), 0);
	row_ok(ins);
	finish();
	assert_string_equal(q("SELECT typeof(c), hex(c) FROM t WHERE rowid <= 2"),
			    "text|61EFBFBDEFBFBD62EFBFBDEFBFBD;text|C3BC");
	assert_string_equal(q("SELECT length(c), replace(c, char(65533), '') = '' FROM t WHERE rowid = 3"),
			    "5000|1");
}

/* --- BLOB --- */

static void blobs_keep_bytes_exactly(void **state)
{
	(void)state;
	start();
	struct dump_insert *ins = single(DUMP_BLOB);
	static const char raw[] = {'\0', 0x1a, '\'', '\\', (char)0xff};
	assert_int_equal(dump_insert_value(ins, 0, DUMP_LIT_STRING, raw, sizeof raw, &err), 0);
	row_ok(ins);
	one_ok(ins, DUMP_LIT_HEX, "00ff10");
	one_ok(ins, DUMP_LIT_HEX, "");
	one_ok(ins, DUMP_LIT_NUMBER, "12");
	one_ok(ins, DUMP_LIT_BITS, "100000001");
	assert_int_equal(put(ins, 0, DUMP_LIT_HEX, "abc"), -1);
	assert_string_equal(err.message, "'abc' is not an even number of hex digits (column t.c)");
	finish();
	assert_string_equal(q("SELECT typeof(c), hex(c), length(c) FROM t"),
			    "blob|001A275CFF|5;blob|00FF10|3;blob||0;blob|3132|2;blob|0101|2");
}

/* --- ANY (tables SQLite defined) --- */

static void sqlite_tables_keep_the_literal_types_and_their_affinity(void **state)
{
	(void)state;
	start();
	struct dump_table *t = dump_table_create_sqlite(
	    d, "s",
	    "CREATE TABLE s(id INTEGER PRIMARY KEY AUTOINCREMENT, n INTEGER, v, b BLOB, u TEXT UNIQUE)",
	    &err);
	if (!t)
		fail_msg("%s", err.message);
	assert_int_equal(dump_table_ncolumns(t), 5);
	assert_int_equal(dump_column_kind(t, 2), DUMP_ANY);
	struct dump_insert *ins = ins_ok(t, DUMP_CONFLICT_ERROR);
	put_ok(ins, 0, DUMP_LIT_NUMBER, "1");
	put_ok(ins, 1, DUMP_LIT_STRING, "12"); /* INTEGER affinity turns it into 12 */
	put_ok(ins, 2, DUMP_LIT_NUMBER, "1.5");
	put_ok(ins, 3, DUMP_LIT_HEX, "00FF");
	put_ok(ins, 4, DUMP_LIT_STRING, "u1");
	row_ok(ins);
	put_ok(ins, 0, DUMP_LIT_NUMBER, "2");
	put_ok(ins, 1, DUMP_LIT_NULL, NULL);
	put_ok(ins, 2, DUMP_LIT_STRING, "x");
	put_ok(ins, 3, DUMP_LIT_NUMBER, "18446744073709551615");
	put_ok(ins, 4, DUMP_LIT_STRING, "u1");
	assert_int_equal(dump_insert_row(ins, &err), -1);
	assert_contains(err.message, "duplicate key in table s");
	put_ok(ins, 0, DUMP_LIT_NUMBER, "2");
	put_ok(ins, 1, DUMP_LIT_NULL, NULL);
	put_ok(ins, 2, DUMP_LIT_STRING, "x");
	put_ok(ins, 3, DUMP_LIT_NUMBER, "18446744073709551615");
	put_ok(ins, 4, DUMP_LIT_STRING, "u2");
	row_ok(ins);
	assert_int_equal(
	    dump_sqlite_exec(d,
			     "DELETE FROM sqlite_sequence; INSERT INTO sqlite_sequence VALUES('s', 9);"
			     "CREATE INDEX s_n ON s(n);",
			     &err),
	    0);
	finish();
	assert_string_equal(q("SELECT typeof(id), typeof(n), typeof(v), typeof(b) FROM s"),
			    "integer|integer|real|blob;integer|null|text|real");
	assert_string_equal(q("SELECT seq FROM sqlite_sequence"), "9");
	assert_string_equal(
	    q("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'"), "s_n");
	assert_string_equal(q("SELECT value FROM _amber_meta WHERE key = 'table.s.rows'"), "2");
}

static void sqlite_sql_cannot_touch_amber_or_the_transaction(void **state)
{
	(void)state;
	start();
	assert_int_equal(dump_sqlite_exec(d, "CREATE TABLE _amber_meta(x)", &err), -1);
	assert_int_equal(dump_sqlite_exec(d, "COMMIT", &err), -1);
	assert_int_equal(dump_sqlite_exec(d, "PRAGMA writable_schema=ON", &err), -1);
	assert_null(dump_table_create_sqlite(d, "_amber_x", "CREATE TABLE _amber_x(a)", &err));
	assert_null(dump_table_create_sqlite(d, "bad", "CREATE TABLE bad(", &err));
	assert_contains(err.message, "SQLite:");
	/* Still usable afterwards. */
	struct dump_table *t = dump_table_create_sqlite(d, "ok", "CREATE TABLE ok(a)", &err);
	assert_non_null(t);
	finish();
	assert_string_equal(q("SELECT count(*) FROM ok"), "0");
}

/* --- NULL, conflicts, column lists --- */

static void null_is_null_in_every_kind(void **state)
{
	(void)state;
	start();
	struct dump_table *t = table_ok("n");
	static const enum dump_kind kinds[] = {DUMP_INTEGER, DUMP_BOOL, DUMP_EXACT,
					       DUMP_REAL,    DUMP_TEXT, DUMP_BLOB};
	static const char *const names[] = {"i", "b", "e", "r", "t", "x"};
	for (size_t i = 0; i < 6; i++)
		col_ok(t, names[i], kinds[i]);
	struct dump_insert *ins = ins_ok(t, DUMP_CONFLICT_ERROR);
	for (size_t i = 0; i < 6; i++)
		put_ok(ins, i, DUMP_LIT_NULL, NULL);
	row_ok(ins);
	finish();
	assert_string_equal(
	    q("SELECT typeof(i) || typeof(b) || typeof(e) || typeof(r) || typeof(t) || typeof(x) FROM n"),
	    "nullnullnullnullnullnull");
}

static void conflict_modes_ignore_and_replace(void **state)
{
	(void)state;
	start();
	struct dump_table *t = table_ok("c");
	col_ok(t, "id", DUMP_INTEGER);
	col_ok(t, "v", DUMP_TEXT);
	pk_ok(t, (const char *const[]){"id"}, 1);
	struct dump_insert *plain = ins_ok(t, DUMP_CONFLICT_ERROR);
	struct dump_insert *ignore = ins_ok(t, DUMP_CONFLICT_IGNORE);
	struct dump_insert *replace = ins_ok(t, DUMP_CONFLICT_REPLACE);
	assert_ptr_not_equal(plain, ignore);
	assert_ptr_equal(ins_ok(t, DUMP_CONFLICT_ERROR), plain);
	assert_ptr_equal(ins_ok(t, DUMP_CONFLICT_IGNORE), ignore);
	put_ok(plain, 0, DUMP_LIT_NUMBER, "1");
	put_ok(plain, 1, DUMP_LIT_STRING, "first");
	row_ok(plain);
	put_ok(ignore, 0, DUMP_LIT_NUMBER, "1");
	put_ok(ignore, 1, DUMP_LIT_STRING, "ignored");
	row_ok(ignore);
	put_ok(replace, 0, DUMP_LIT_NUMBER, "2");
	put_ok(replace, 1, DUMP_LIT_STRING, "x");
	row_ok(replace);
	put_ok(replace, 0, DUMP_LIT_NUMBER, "2");
	put_ok(replace, 1, DUMP_LIT_STRING, "replaced");
	row_ok(replace);
	finish();
	assert_string_equal(q("SELECT id, v FROM c ORDER BY id"), "1|first;2|replaced");
	assert_string_equal(q("SELECT value FROM _amber_meta WHERE key = 'table.c.rows'"), "2");
}

static void column_lists_are_cached_and_checked(void **state)
{
	(void)state;
	start();
	struct dump_table *t = table_ok("l");
	col_ok(t, "a", DUMP_INTEGER);
	col_ok(t, "b", DUMP_TEXT);
	const char *const ba[] = {"b", "a"};
	struct dump_insert *ins = dump_insert_prepare(d, t, ba, 2, DUMP_CONFLICT_ERROR, &err);
	assert_non_null(ins);
	const char *const ba_upper[] = {"B", "A"};
	assert_ptr_equal(dump_insert_prepare(d, t, ba_upper, 2, DUMP_CONFLICT_ERROR, &err), ins);
	assert_ptr_not_equal(ins_ok(t, DUMP_CONFLICT_ERROR), ins);
	assert_int_equal(dump_insert_kind(ins, 0), DUMP_TEXT);
	assert_int_equal(dump_insert_kind(ins, 1), DUMP_INTEGER);
	put_ok(ins, 0, DUMP_LIT_STRING, "x");
	put_ok(ins, 1, DUMP_LIT_NUMBER, "4");
	row_ok(ins);
	assert_null(dump_insert_prepare(d, t, (const char *const[]){"zz"}, 1, DUMP_CONFLICT_ERROR, &err));
	assert_contains(err.message, "unknown column \"zz\"");
	assert_null(dump_insert_prepare(d, t, (const char *const[]){"a", "A"}, 2, DUMP_CONFLICT_ERROR, &err));
	assert_int_equal(put(ins, 2, DUMP_LIT_NUMBER, "1"), -1);
	finish();
	assert_string_equal(q("SELECT a, b FROM l"), "4|x");
}

static void a_row_with_a_missing_value_is_an_error(void **state)
{
	(void)state;
	start();
	struct dump_table *t = table_ok("m");
	col_ok(t, "a", DUMP_INTEGER);
	col_ok(t, "b", DUMP_INTEGER);
	struct dump_insert *ins = ins_ok(t, DUMP_CONFLICT_ERROR);
	put_ok(ins, 0, DUMP_LIT_NUMBER, "1");
	put_ok(ins, 0, DUMP_LIT_NUMBER, "2"); /* the same value twice does not count twice */
	assert_int_equal(dump_insert_row(ins, &err), -1);
	assert_string_equal(err.message, "a row of table m has 1 of its 2 values");
}

/* --- skipped statements, warnings, --strict --- */

static void skips_are_counted_and_summarised(void **state)
{
	(void)state;
	start();
	for (int i = 0; i < 3; i++)
		assert_int_equal(dump_skip(d, "trigger", &err), 0);
	assert_int_equal(dump_skip(d, "procedure", &err), 0);
	assert_int_equal(dump_skip(d, "procedure", &err), 0);
	assert_int_equal(dump_skip(d, "GRANT", &err), 0);
	assert_int_equal(dump_skip(d, "index", &err), 0);
	assert_int_equal(dump_skip(d, "index", &err), 0);
	assert_int_equal(dump_skip(d, "policy", &err), 0);
	assert_int_equal(dump_skip(d, "policy", &err), 0);
	dump_warn(d, "something odd in %s", "x");
	dump_warn(d, "something odd in %s", "x");
	finish();
	assert_contains(printed(), "amber: dump.sql: skipped 3 triggers, 2 procedures, 1 GRANT, 2 indexes, "
				   "2 policies; 2 warnings\n");
	const char *text = printed();
	const char *first = strstr(text, "warning: something odd in x");
	assert_non_null(first);
	assert_null(strstr(first + 1, "warning: something odd in x")); /* each text once */
}

static void strict_turns_skips_and_warnings_into_errors(void **state)
{
	(void)state;
	start_with(1, DUMP_UTF8_ERROR);
	assert_int_equal(dump_skip(d, "trigger", &err), -1);
	assert_string_equal(err.message, "trigger is not supported (--strict)");
	dump_at(d, 12, 3);
	assert_int_equal(dump_view(d, "v", "SELECT nosuch FROM nowhere", &err), 0);
	dump_at(d, 40, 1); /* a later statement: the warning keeps the view's own place */
	assert_int_equal(dump_finish(d, &err), -1);
	assert_contains(err.message, ":12:3: view v skipped: not portable");
	assert_contains(err.message, "(--strict)");
}

/* --- views --- */

static void portable_views_are_created_and_others_skipped(void **state)
{
	(void)state;
	start();
	struct dump_table *t = table_ok("base");
	col_ok(t, "a", DUMP_INTEGER);
	one_ok(ins_ok(t, DUMP_CONFLICT_ERROR), DUMP_LIT_NUMBER, "7");
	/* v2 uses v1, defined after it. */
	assert_int_equal(dump_view(d, "v2", "SELECT a + 1 AS b FROM v1", &err), 0);
	assert_int_equal(dump_view(d, "v1", "SELECT a FROM base", &err), 0);
	assert_int_equal(dump_view(d, "bad", "SELECT IF(a, 1, 2) FROM base LOCK IN SHARE MODE", &err), 0);
	/* mysqldump's placeholder view, dropped and defined again. */
	assert_int_equal(dump_view(d, "again", "SELECT 1 AS a", &err), 0);
	assert_int_equal(dump_view(d, "again", "SELECT 2 AS a", &err), -1);
	assert_int_equal(dump_table_drop(d, "again", &err), 0);
	assert_int_equal(dump_view(d, "again", "SELECT a FROM base", &err), 0);
	finish();
	assert_string_equal(q("SELECT b FROM v2"), "8");
	assert_string_equal(q("SELECT a FROM again"), "7");
	assert_string_equal(q("SELECT count(*) FROM sqlite_master WHERE name = 'bad'"), "0");
	assert_contains(printed(), "dump.sql: 1 warning\n");
	assert_contains(printed(), "warning: view bad skipped: not portable (SQLite: ");
}

/* --- passes and several inputs --- */

static void schema_pass_then_data_pass_over_one_file(void **state)
{
	(void)state;
	start();
	dump_begin_input(d, "pg.sql", DUMP_PASS_SCHEMA, 0);
	struct dump_table *t = table_ok("p");
	col_ok(t, "id", DUMP_INTEGER);
	col_ok(t, "v", DUMP_TEXT);
	assert_null(dump_insert_prepare(d, t, NULL, 0, DUMP_CONFLICT_ERROR, &err));
	assert_contains(err.message, "schema pass");
	assert_int_equal(dump_skip(d, "sequence", &err), 0);
	pk_ok(t, (const char *const[]){"id"}, 1); /* after the data, as pg_dump writes it */
	assert_int_equal(dump_index_add(d, t, NULL, (const char *const[]){"v"}, 1, 0, &err), 0);
	dump_end_input(d, 5, SHA_A, "none");

	dump_begin_input(d, "pg.sql", DUMP_PASS_DATA, 0);
	assert_ptr_equal(table_ok("p"), t);
	col_ok(t, "id", DUMP_INTEGER); /* a no-op */
	assert_int_equal(dump_table_ncolumns(t), 2);
	assert_int_equal(dump_skip(d, "sequence", &err), 0);
	struct dump_insert *ins = ins_ok(t, DUMP_CONFLICT_ERROR);
	put_ok(ins, 0, DUMP_LIT_STRING, "1");
	put_ok(ins, 1, DUMP_LIT_STRING, "one");
	row_ok(ins);
	pk_ok(t, (const char *const[]){"id"}, 1); /* a no-op too */
	finish();
	assert_contains(q("SELECT sql FROM sqlite_master WHERE name = 'p'"), "\"id\" INTEGER PRIMARY KEY");
	assert_string_equal(
	    q("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'"), "1");
	assert_contains(printed(), "pg.sql: skipped 1 sequence\n");
	assert_string_equal(q("SELECT value FROM _amber_meta WHERE key LIKE 'source.%.name'"), "pg.sql");
}

static void a_table_first_seen_in_a_data_pass_is_defined_normally(void **state)
{
	(void)state;
	start();
	dump_begin_input(d, "pg.sql", DUMP_PASS_SCHEMA, 0);
	dump_end_input(d, 5, SHA_A, "none");
	dump_begin_input(d, "pg.sql", DUMP_PASS_DATA, 0);
	struct dump_table *t = table_ok("late");
	col_ok(t, "a", DUMP_INTEGER);
	assert_int_equal(dump_table_ncolumns(t), 1);
	one_ok(ins_ok(t, DUMP_CONFLICT_ERROR), DUMP_LIT_NUMBER, "9");
	finish();
	assert_string_equal(q("SELECT a FROM late"), "9");
}

static void schema_only_input_then_data_only_input(void **state)
{
	(void)state;
	start();
	dump_begin_input(d, "dir/schema.sql", DUMP_PASS_ALL, 0);
	struct dump_table *t = table_ok("s");
	col_ok(t, "id", DUMP_INTEGER);
	pk_ok(t, (const char *const[]){"id"}, 1);
	dump_end_input(d, 100, SHA_A, "gzip");
	dump_begin_input(d, "dir/data.sql", DUMP_PASS_ALL, 0);
	struct dump_table *found = dump_table_find(d, "S");
	assert_ptr_equal(found, t);
	one_ok(ins_ok(found, DUMP_CONFLICT_ERROR), DUMP_LIT_NUMBER, "5");
	finish();
	assert_string_equal(q("SELECT id FROM s"), "5");
	assert_string_equal(
	    q("SELECT key, value FROM _amber_meta WHERE key LIKE 'source.%' AND "
	      "(key LIKE '%.name' OR key LIKE '%.table' OR key LIKE '%.compression') ORDER BY key"),
	    "source.1.compression|gzip;source.1.name|schema.sql;source.1.table|;"
	    "source.2.compression|none;source.2.name|data.sql;source.2.table|s");
}

/* --- indexes --- */

static void index_names_are_made_unique_and_quoted(void **state)
{
	(void)state;
	start();
	struct dump_table *a = table_ok("a");
	col_ok(a, "name", DUMP_TEXT);
	struct dump_table *b = table_ok("b");
	col_ok(b, "name", DUMP_TEXT);
	col_ok(b, "we\"ird col", DUMP_TEXT);
	assert_int_equal(dump_index_add(d, a, "name", (const char *const[]){"name"}, 1, 0, &err), 0);
	assert_int_equal(dump_index_add(d, b, "name", (const char *const[]){"name"}, 1, 1, &err), 0);
	assert_int_equal(dump_index_add(d, b, "a", (const char *const[]){"we\"ird col"}, 1, 0, &err), 0);
	assert_int_equal(dump_index_add(d, b, NULL, (const char *const[]){"name", "we\"ird col"}, 2, 0, &err),
			 0);
	assert_int_equal(dump_index_add(d, b, "x", (const char *const[]){"nope"}, 1, 0, &err), -1);
	finish();
	assert_string_equal(q("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND name NOT "
			      "LIKE 'sqlite_%' ORDER BY name"),
			    "b_a|b;b_name|b;idx_b_4|b;name|a");
	assert_contains(q("SELECT sql FROM sqlite_master WHERE name = 'b_name'"), "CREATE UNIQUE INDEX");
}

static void duplicate_values_fail_a_unique_index_at_finish(void **state)
{
	(void)state;
	start();
	struct dump_table *t = table_ok("u");
	col_ok(t, "v", DUMP_TEXT);
	assert_int_equal(dump_index_add(d, t, "u_v", (const char *const[]){"v"}, 1, 1, &err), 0);
	struct dump_insert *ins = ins_ok(t, DUMP_CONFLICT_ERROR);
	one_ok(ins, DUMP_LIT_STRING, "same");
	one_ok(ins, DUMP_LIT_STRING, "same");
	assert_int_equal(dump_finish(d, &err), -1);
	assert_contains(err.message, "cannot create the unique index u_v of table u");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(declared_types_follow_the_kinds, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(single_integer_key_becomes_the_rowid, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(composite_key_is_a_table_constraint_and_rejects_duplicates,
					    set_up, tear_down),
	    cmocka_unit_test_setup_teardown(duplicate_rowid_key_is_an_error, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(not_null_and_default_are_kept, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(foreign_key_is_kept_in_the_ddl, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(key_declared_after_create_but_before_rows_is_part_of_the_table,
					    set_up, tear_down),
	    cmocka_unit_test_setup_teardown(key_after_rows_becomes_a_unique_index_and_a_warning, set_up,
					    tear_down),
	    cmocka_unit_test_setup_teardown(second_primary_key_is_an_error, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(table_without_rows_is_created_at_finish, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(reserved_and_duplicate_names_are_errors, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(a_table_another_input_made_is_a_clash, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(drop_before_rows_allows_a_new_definition_but_not_after, set_up,
					    tear_down),
	    cmocka_unit_test_setup_teardown(integer_values_convert_from_every_literal, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(bad_integers_are_errors_naming_the_column, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(booleans_accept_the_usual_spellings, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(exact_keeps_what_a_double_cannot_hold_as_text, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(exact_rejects_what_is_not_a_number, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(reals_are_bit_exact, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(reals_take_infinity_and_nan_spellings, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(bad_reals_are_errors, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(text_takes_numbers_as_written_and_hex_as_bytes, set_up,
					    tear_down),
	    cmocka_unit_test_setup_teardown(invalid_utf8_is_an_error_by_default, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(invalid_utf8_can_be_kept_as_a_blob, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(invalid_utf8_can_be_replaced, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(empty_text_and_blob_are_not_null, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(blobs_keep_bytes_exactly, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(sqlite_tables_keep_the_literal_types_and_their_affinity, set_up,
					    tear_down),
	    cmocka_unit_test_setup_teardown(sqlite_sql_cannot_touch_amber_or_the_transaction, set_up,
					    tear_down),
	    cmocka_unit_test_setup_teardown(null_is_null_in_every_kind, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(conflict_modes_ignore_and_replace, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(column_lists_are_cached_and_checked, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(a_row_with_a_missing_value_is_an_error, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(skips_are_counted_and_summarised, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(strict_turns_skips_and_warnings_into_errors, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(portable_views_are_created_and_others_skipped, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(schema_pass_then_data_pass_over_one_file, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(a_table_first_seen_in_a_data_pass_is_defined_normally, set_up,
					    tear_down),
	    cmocka_unit_test_setup_teardown(schema_only_input_then_data_only_input, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(index_names_are_made_unique_and_quoted, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(duplicate_values_fail_a_unique_index_at_finish, set_up,
					    tear_down),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
