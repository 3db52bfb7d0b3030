/* test_queries.c — unit tests for canned queries (core/queries.h): the file's parser and the
 * places of its errors, validation against a real SQLite database (a write, an unknown table,
 * parameters), and storage in _amber_queries.
 *
 * Parsing works on strings; validation and storage on a small database made in a temporary
 * file by the setup, removed by the teardown with the query set a failed test left behind. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/queries.h"
#include "tests/support.h"

static struct query_set set;
static const char *db_path;

static int make_db(void **state)
{
	(void)state;
	db_path = support_temp_new();
	sqlite3 *db;
	if (sqlite3_open(db_path, &db) != SQLITE_OK)
		return -1;
	int rc =
	    sqlite3_exec(db,
			 "CREATE TABLE places (id INTEGER PRIMARY KEY, name TEXT, grp TEXT, pop INTEGER);"
			 "INSERT INTO places VALUES (1, 'Aarau', 'a', 20000), (2, 'Bern', 'b', 140000);"
			 "CREATE TABLE _amber_queries (name TEXT PRIMARY KEY, sql TEXT NOT NULL, "
			 "description TEXT, params TEXT);",
			 NULL, NULL, NULL);
	sqlite3_close(db);
	return rc == SQLITE_OK ? 0 : -1;
}

static int clean_up(void **state)
{
	(void)state;
	queries_free(&set);
	support_temp_remove_all();
	return 0;
}

static void parse_ok(const char *text)
{
	struct amber_error err = {0};
	if (queries_parse("q.sql", text, strlen(text), &set, &err) != 0)
		fail_msg("parse: %ld:%ld: %s", err.line, err.column, err.message);
}

/* Parses `text`, expecting an error at `line`:`column` whose message holds `what`. */
static void parse_fails_at(const char *text, long line, long column, const char *what)
{
	struct amber_error err = {0};
	assert_int_equal(queries_parse("q.sql", text, strlen(text), &set, &err), -1);
	assert_string_equal(err.file, "q.sql");
	if (err.line != line || err.column != column || !strstr(err.message, what))
		fail_msg("expected %ld:%ld '%s', got %ld:%ld '%s'", line, column, what, err.line, err.column,
			 err.message);
	assert_int_equal(set.count, 0);
}

/* Parses and validates `text` against the test database, expecting an error. */
static void validate_fails_at(const char *text, long line, long column, const char *what)
{
	struct amber_error err = {0};
	parse_ok(text);
	assert_int_equal(queries_validate(&set, db_path, &err), -1);
	assert_string_equal(err.file, "q.sql");
	if (err.line != line || err.column != column || !strstr(err.message, what))
		fail_msg("expected %ld:%ld '%s', got %ld:%ld '%s'", line, column, what, err.line, err.column,
			 err.message);
}

static void test_parse_names_descriptions_and_statements(void **state)
{
	(void)state;
	parse_ok("-- canned queries for places\n"
		 "\n"
		 "-- name: by_grp\n"
		 "-- description: places in a group,\n"
		 "--   description: largest first\n"
		 "SELECT id, name FROM places\n"
		 "WHERE grp = :g ORDER BY pop DESC;\n"
		 "\n"
		 "-- name: Count-2\n"
		 "  SELECT count(*) AS n FROM places  ;  -- a remark after the end\n");
	assert_int_equal(set.count, 2);
	assert_string_equal(set.items[0].name, "by_grp");
	assert_string_equal(set.items[0].description, "places in a group, largest first");
	assert_string_equal(set.items[0].sql,
			    "SELECT id, name FROM places\nWHERE grp = :g ORDER BY pop DESC");
	assert_int_equal(set.items[0].line, 6);
	assert_int_equal(set.items[0].column, 1);
	assert_string_equal(set.items[1].name, "Count-2");
	assert_null(set.items[1].description);
	assert_string_equal(set.items[1].sql, "SELECT count(*) AS n FROM places");
	assert_int_equal(set.items[1].line, 10);
	assert_int_equal(set.items[1].column, 3);
}

static void test_parse_semicolons_in_strings_names_and_comments_do_not_end_a_statement(void **state)
{
	(void)state;
	parse_ok("-- name: tricky\n"
		 "SELECT 'a;b', 'it''s;', \"odd;name\", [x;y], `z;w` -- c;\n"
		 "/* ; -- name: not_a_directive */ FROM places;\n"
		 "/* between */ -- name: next\nVALUES (1);");
	assert_int_equal(set.count, 2);
	assert_string_equal(set.items[0].sql, "SELECT 'a;b', 'it''s;', \"odd;name\", [x;y], `z;w` -- c;\n"
					      "/* ; -- name: not_a_directive */ FROM places");
	assert_string_equal(set.items[1].name, "next");
	assert_string_equal(set.items[1].sql, "VALUES (1)");
}

static void test_parse_crlf_lines(void **state)
{
	(void)state;
	parse_ok("-- name: a\r\n-- description: one\r\nSELECT 1;\r\n");
	assert_string_equal(set.items[0].name, "a");
	assert_string_equal(set.items[0].description, "one");
	assert_string_equal(set.items[0].sql, "SELECT 1");
}

static void test_parse_statement_without_name_fails_at_its_start(void **state)
{
	(void)state;
	parse_fails_at("-- just a comment\n\n  SELECT 1;\n", 3, 3, "needs a '-- name: NAME' line");
}

static void test_parse_second_statement_after_one_name_fails(void **state)
{
	(void)state;
	parse_fails_at("-- name: a\nSELECT 1; SELECT 2;\n", 2, 11, "text outside a statement");
}

static void test_parse_duplicate_name_fails_naming_the_first(void **state)
{
	(void)state;
	parse_fails_at("-- name: a\nSELECT 1;\n\n-- name:  a\nSELECT 2;\n", 4, 11,
		       "query 'a' is defined twice (first at line 2)");
}

static void test_parse_bad_name_character_fails_at_it(void **state)
{
	(void)state;
	parse_fails_at("-- name: by country\nSELECT 1;\n", 1, 12, "not ' '");
	parse_fails_at("-- name:\nSELECT 1;\n", 1, 9, "needs a name");
}

static void test_parse_empty_statement_fails(void **state)
{
	(void)state;
	parse_fails_at("-- name: a\n-- description: nothing\n  ;\n", 3, 3, "query 'a' is empty");
}

static void test_parse_name_without_statement_fails(void **state)
{
	(void)state;
	parse_fails_at("-- name: a\n-- name: b\nSELECT 1;\n", 1, 1, "'a' has no statement");
	parse_fails_at("-- name: a\nSELECT 1;\n-- name: last\n", 3, 1, "'last' has no statement");
}

static void test_parse_unterminated_statement_fails_at_its_start(void **state)
{
	(void)state;
	parse_fails_at("-- name: a\nSELECT 1\n", 2, 1, "'a' does not end with ';'");
	parse_fails_at("-- name: a\nSELECT 1\n-- name: b\nSELECT 2;", 2, 1, "before the next '-- name:'");
}

static void test_parse_unclosed_quote_and_comment_fail_where_they_open(void **state)
{
	(void)state;
	parse_fails_at("-- name: a\nSELECT 'x;\n", 2, 8, "never closed");
	parse_fails_at("-- name: a\nSELECT 1 /* ;\n", 2, 10, "never closed");
}

static void test_parse_description_before_name_and_empty_file_fail(void **state)
{
	(void)state;
	parse_fails_at("-- description: orphan\n-- name: a\nSELECT 1;", 1, 1, "must follow a '-- name:'");
	parse_fails_at("-- only comments\n", 0, 0, "holds no query");
}

static void test_validate_collects_named_params_in_order(void **state)
{
	(void)state;
	struct amber_error err = {0};
	parse_ok("-- name: by_grp\nSELECT id FROM places WHERE grp = :g AND pop > :min OR grp = :g;\n"
		 "-- name: all\nSELECT id FROM places;\n");
	if (queries_validate(&set, db_path, &err) != 0)
		fail_msg("validate: %s", err.message);
	assert_int_equal(set.items[0].nparams, 2);
	assert_string_equal(set.items[0].params[0], "g");
	assert_string_equal(set.items[0].params[1], "min");
	assert_int_equal(set.items[1].nparams, 0);
}

static void test_validate_write_statement_fails(void **state)
{
	(void)state;
	validate_fails_at("-- name: ok\nSELECT 1;\n-- name: wipe\n\nDELETE FROM places;\n", 5, 1,
			  "query 'wipe': only reads are allowed");
}

static void test_validate_unknown_table_fails_with_sqlite_message_and_place(void **state)
{
	(void)state;
	/* SQLite gives no offset for an unknown table: the place is the statement's start. */
	validate_fails_at("-- name: missing\nSELECT id\nFROM nowhere WHERE id = :id;\n", 2, 1,
			  "query 'missing': no such table: nowhere");
}

static void test_validate_syntax_error_fails_where_sqlite_points(void **state)
{
	(void)state;
	validate_fails_at("-- name: typo\nSELECT id\n  FROM places WHERE ORDER BY id;\n", 3, 21,
			  "near \"ORDER\": syntax error");
}

static void test_validate_positional_and_reserved_params_fail(void **state)
{
	(void)state;
	validate_fails_at("-- name: pos\nSELECT id FROM places WHERE id = ?;\n", 2, 34,
			  "only :name parameters");
	queries_free(&set);
	validate_fails_at("-- name: at\nSELECT id FROM places WHERE id = @id;\n", 2, 34,
			  "only :name parameters");
	queries_free(&set);
	validate_fails_at("-- name: res\nSELECT id FROM places WHERE id = :_id;\n", 2, 34, "reserved");
	queries_free(&set);
	validate_fails_at("-- name: res2\nSELECT :sql;\n", 2, 8, "reserved");
}

static void test_store_writes_rows_with_params_as_json(void **state)
{
	(void)state;
	struct amber_error err = {0};
	parse_ok("-- name: by_grp\n-- description: places in a group\n"
		 "SELECT id, name FROM places WHERE grp = :g AND pop >= :min ORDER BY id;\n"
		 "-- name: count\nSELECT count(*) AS n FROM places;\n");
	assert_int_equal(queries_validate(&set, db_path, &err), 0);
	if (queries_store(&set, db_path, &err) != 0)
		fail_msg("store: %s", err.message);
	sqlite3 *db;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(
	    sqlite3_prepare_v2(db,
			       "SELECT name || '|' || sql || '|' || ifnull(description, 'NULL') || '|' "
			       "|| params FROM _amber_queries ORDER BY name",
			       -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal(
	    (const char *)sqlite3_column_text(st, 0),
	    "by_grp|SELECT id, name FROM places WHERE grp = :g AND pop >= :min ORDER BY id|places in "
	    "a group|[\"g\",\"min\"]");
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0),
			    "count|SELECT count(*) AS n FROM places|NULL|[]");
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void test_store_replaces_earlier_rows(void **state)
{
	(void)state;
	struct amber_error err = {0};
	parse_ok("-- name: a\nSELECT 1;\n");
	assert_int_equal(queries_validate(&set, db_path, &err), 0);
	assert_int_equal(queries_store(&set, db_path, &err), 0);
	queries_free(&set);
	parse_ok("-- name: b\nSELECT 2;\n");
	assert_int_equal(queries_validate(&set, db_path, &err), 0);
	assert_int_equal(queries_store(&set, db_path, &err), 0);
	sqlite3 *db;
	sqlite3_stmt *st;
	assert_int_equal(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(
	    sqlite3_prepare_v2(db, "SELECT group_concat(name) FROM _amber_queries", -1, &st, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "b");
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void test_read_missing_file_fails_naming_it(void **state)
{
	(void)state;
	struct amber_error err = {0};
	assert_int_equal(queries_read("/nonexistent/q.sql", &set, &err), -1);
	assert_string_equal(err.file, "/nonexistent/q.sql");
	assert_non_null(strstr(err.message, "cannot open"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_parse_names_descriptions_and_statements, clean_up),
	    cmocka_unit_test_teardown(
		test_parse_semicolons_in_strings_names_and_comments_do_not_end_a_statement, clean_up),
	    cmocka_unit_test_teardown(test_parse_crlf_lines, clean_up),
	    cmocka_unit_test_teardown(test_parse_statement_without_name_fails_at_its_start, clean_up),
	    cmocka_unit_test_teardown(test_parse_second_statement_after_one_name_fails, clean_up),
	    cmocka_unit_test_teardown(test_parse_duplicate_name_fails_naming_the_first, clean_up),
	    cmocka_unit_test_teardown(test_parse_bad_name_character_fails_at_it, clean_up),
	    cmocka_unit_test_teardown(test_parse_empty_statement_fails, clean_up),
	    cmocka_unit_test_teardown(test_parse_name_without_statement_fails, clean_up),
	    cmocka_unit_test_teardown(test_parse_unterminated_statement_fails_at_its_start, clean_up),
	    cmocka_unit_test_teardown(test_parse_unclosed_quote_and_comment_fail_where_they_open, clean_up),
	    cmocka_unit_test_teardown(test_parse_description_before_name_and_empty_file_fail, clean_up),
	    cmocka_unit_test_setup_teardown(test_validate_collects_named_params_in_order, make_db, clean_up),
	    cmocka_unit_test_setup_teardown(test_validate_write_statement_fails, make_db, clean_up),
	    cmocka_unit_test_setup_teardown(test_validate_unknown_table_fails_with_sqlite_message_and_place,
					    make_db, clean_up),
	    cmocka_unit_test_setup_teardown(test_validate_syntax_error_fails_where_sqlite_points, make_db,
					    clean_up),
	    cmocka_unit_test_setup_teardown(test_validate_positional_and_reserved_params_fail, make_db,
					    clean_up),
	    cmocka_unit_test_setup_teardown(test_store_writes_rows_with_params_as_json, make_db, clean_up),
	    cmocka_unit_test_setup_teardown(test_store_replaces_earlier_rows, make_db, clean_up),
	    cmocka_unit_test_teardown(test_read_missing_file_fails_naming_it, clean_up),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
