/* test_table.c — unit tests for table specifications (core/table.h): --schema parsing by
 * SQLite's affinity rules, column lookup, and the checks on names, primary key and indexes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/table.h"

static void assert_column(const struct table_spec *t, size_t i, const char *name, enum value_type type)
{
	assert_true(i < t->ncolumns);
	assert_string_equal(t->columns[i].name, name);
	assert_string_equal(table_type_name(t->columns[i].type), table_type_name(type));
}

/* A spec with the given columns (all TEXT), name "t", and the given pk (may be NULL). */
static void make_spec(struct table_spec *t, const char *const *names, size_t n, const char *pk)
{
	memset(t, 0, sizeof *t);
	t->name = strdup("t");
	assert_non_null(t->name);
	for (size_t i = 0; i < n; i++)
		table_add_column(t, names[i], strlen(names[i]), VALUE_TEXT);
	if (pk) {
		t->pk = strdup(pk);
		assert_non_null(t->pk);
	}
}

/* ---- table_parse_schema ---- */

static void test_schema_maps_declared_types_by_affinity(void **state)
{
	struct table_spec t = {0};
	struct amber_error err = {0};
	assert_int_equal(table_parse_schema(&t, "id INT, name VARCHAR(20), x DOUBLE", &err), 0);
	assert_int_equal(t.ncolumns, 3);
	assert_column(&t, 0, "id", VALUE_INTEGER);
	assert_column(&t, 1, "name", VALUE_TEXT);
	assert_column(&t, 2, "x", VALUE_REAL);
	table_free(&t);
}

static void test_schema_follows_sqlite_affinity_precedence(void **state)
{
	struct table_spec t = {0};
	struct amber_error err = {0};
	assert_int_equal(
	    table_parse_schema(&t,
			       "a INTEGER, b BIGINT, c UNSIGNED BIG INT, d TEXT, e CLOB, f NCHAR(55), "
			       "g REAL, h FLOAT, i DOUBLE PRECISION, j CHARINT, k FLOATING POINT",
			       &err),
	    0);
	assert_int_equal(t.ncolumns, 11);
	assert_column(&t, 0, "a", VALUE_INTEGER);
	assert_column(&t, 1, "b", VALUE_INTEGER);
	assert_column(&t, 2, "c", VALUE_INTEGER);
	assert_column(&t, 3, "d", VALUE_TEXT);
	assert_column(&t, 4, "e", VALUE_TEXT);
	assert_column(&t, 5, "f", VALUE_TEXT);
	assert_column(&t, 6, "g", VALUE_REAL);
	assert_column(&t, 7, "h", VALUE_REAL);
	assert_column(&t, 8, "i", VALUE_REAL);
	/* SQLite checks INT first: "CHARINT" and "FLOATING POINT" (pOINT) are INTEGER. */
	assert_column(&t, 9, "j", VALUE_INTEGER);
	assert_column(&t, 10, "k", VALUE_INTEGER);
	table_free(&t);
}

static void test_schema_type_names_are_case_insensitive(void **state)
{
	struct table_spec t = {0};
	struct amber_error err = {0};
	assert_int_equal(table_parse_schema(&t, "a integer, b Text, c real", &err), 0);
	assert_int_equal(t.ncolumns, 3);
	assert_column(&t, 0, "a", VALUE_INTEGER);
	assert_column(&t, 1, "b", VALUE_TEXT);
	assert_column(&t, 2, "c", VALUE_REAL);
	table_free(&t);
}

static void test_schema_ignores_whitespace_around_names_and_types(void **state)
{
	struct table_spec t = {0};
	struct amber_error err = {0};
	assert_int_equal(table_parse_schema(&t, "  id \t INTEGER  ,\tname   TEXT ,x REAL  ", &err), 0);
	assert_int_equal(t.ncolumns, 3);
	assert_column(&t, 0, "id", VALUE_INTEGER);
	assert_column(&t, 1, "name", VALUE_TEXT);
	assert_column(&t, 2, "x", VALUE_REAL);
	table_free(&t);
}

/* SQLite's type-name grammar allows two numbers in parentheses, as in DECIMAL(10,5) in its own
 * documentation; MySQL dumps are full of DOUBLE(10,2). The comma inside belongs to the type. */
static void test_schema_type_with_two_size_arguments_is_one_column(void **state)
{
	struct table_spec t = {0};
	struct amber_error err = {0};
	if (table_parse_schema(&t, "price DOUBLE(10,2), qty INT", &err) != 0) {
		table_free(&t);
		fail_msg("rejected: %s", err.message);
	}
	assert_int_equal(t.ncolumns, 2);
	assert_column(&t, 0, "price", VALUE_REAL);
	assert_column(&t, 1, "qty", VALUE_INTEGER);
	table_free(&t);
}

static void test_schema_unknown_type_is_an_error_naming_type_and_column(void **state)
{
	static const char *const schemas[] = {"id INT, data BLOB", "id INT, data NUMERIC",
					      "id INT, data DATE", "id INT, data DECIMAL"};
	for (size_t i = 0; i < sizeof schemas / sizeof *schemas; i++) {
		struct table_spec t = {0};
		struct amber_error err = {0};
		assert_int_equal(table_parse_schema(&t, schemas[i], &err), -1);
		const char *type = strrchr(schemas[i], ' ') + 1;
		if (!strstr(err.message, type) || !strstr(err.message, "data"))
			fail_msg("message for \"%s\" names neither type nor column: %s", schemas[i],
				 err.message);
		table_free(&t);
	}
}

static void test_schema_empty_is_an_error(void **state)
{
	static const char *const schemas[] = {"", "   ", "\t"};
	for (size_t i = 0; i < sizeof schemas / sizeof *schemas; i++) {
		struct table_spec t = {0};
		struct amber_error err = {0};
		assert_int_equal(table_parse_schema(&t, schemas[i], &err), -1);
		assert_int_equal(t.ncolumns, 0);
		assert_true(err.message[0] != '\0');
		table_free(&t);
	}
}

static void test_schema_column_without_type_is_an_error(void **state)
{
	static const char *const schemas[] = {"id", "id INT, name", "id INT, , x REAL", "id INT,name   "};
	for (size_t i = 0; i < sizeof schemas / sizeof *schemas; i++) {
		struct table_spec t = {0};
		struct amber_error err = {0};
		if (table_parse_schema(&t, schemas[i], &err) != -1)
			fail_msg("\"%s\" accepted with %zu columns", schemas[i], t.ncolumns);
		assert_non_null(strstr(err.message, "name TYPE"));
		table_free(&t);
	}
}

/* ---- table_find_column, table_add_column, table_type_name ---- */

static void test_find_column_is_case_insensitive_and_exact_length(void **state)
{
	static const char *const names[] = {"id", "Name", "name_ascii"};
	struct table_spec t;
	make_spec(&t, names, 3, NULL);
	assert_int_equal(table_find_column(&t, "id", 2), 0);
	assert_int_equal(table_find_column(&t, "ID", 2), 0);
	assert_int_equal(table_find_column(&t, "name", 4), 1);
	assert_int_equal(table_find_column(&t, "NAME_ASCII", 10), 2);
	assert_int_equal(table_find_column(&t, "i", 1), -1);
	assert_int_equal(table_find_column(&t, "idx", 3), -1);
	/* Only len bytes count: "name,x" with len 4 is "name". */
	assert_int_equal(table_find_column(&t, "name,x", 4), 1);
	assert_int_equal(table_find_column(&t, "", 0), -1);
	table_free(&t);
}

static void test_add_column_copies_name(void **state)
{
	struct table_spec t = {0};
	char name[] = "lat_long";
	table_add_column(&t, name, 3, VALUE_REAL);
	name[0] = 'X';
	assert_memory_equal(name, "Xat", 3);
	assert_int_equal(t.ncolumns, 1);
	assert_string_equal(t.columns[0].name, "lat");
	assert_int_equal(t.columns[0].type, VALUE_REAL);
	table_free(&t);
	assert_int_equal(t.ncolumns, 0);
	assert_null(t.columns);
}

static void test_type_names_are_sql_names(void **state)
{
	assert_string_equal(table_type_name(VALUE_INTEGER), "INTEGER");
	assert_string_equal(table_type_name(VALUE_REAL), "REAL");
	assert_string_equal(table_type_name(VALUE_TEXT), "TEXT");
}

/* ---- table_check ---- */

static void test_check_accepts_valid_spec(void **state)
{
	static const char *const names[] = {"id", "name", "country", "admin1"};
	struct table_spec t;
	struct amber_error err = {0};
	make_spec(&t, names, 4, "id");
	table_add_index(&t, "name");
	table_add_index(&t, "country,admin1");
	assert_int_equal(table_check(&t, &err), 0);
	assert_int_equal(t.nindexes, 2);
	assert_string_equal(t.indexes[1], "country,admin1");
	table_free(&t);
}

static void test_check_duplicate_column_differing_in_case_fails(void **state)
{
	static const char *const names[] = {"id", "Name", "x", "NAME"};
	struct table_spec t;
	struct amber_error err = {0};
	make_spec(&t, names, 4, NULL);
	assert_int_equal(table_check(&t, &err), -1);
	assert_non_null(strstr(err.message, "twice"));
	assert_non_null(strstr(err.message, "NAME"));
	table_free(&t);
}

static void test_check_missing_primary_key_column_fails(void **state)
{
	static const char *const names[] = {"id", "name"};
	struct table_spec t;
	struct amber_error err = {0};
	make_spec(&t, names, 2, "geonameid");
	assert_int_equal(table_check(&t, &err), -1);
	assert_non_null(strstr(err.message, "primary key"));
	assert_non_null(strstr(err.message, "\"geonameid\""));
	table_free(&t);
}

static void test_check_composite_primary_key_columns_all_checked(void **state)
{
	static const char *const names[] = {"a", "b", "c"};
	struct table_spec t;
	struct amber_error err = {0};
	make_spec(&t, names, 3, "A,c");
	assert_int_equal(table_check(&t, &err), 0);
	free(t.pk);
	t.pk = strdup("a,zz");
	assert_int_equal(table_check(&t, &err), -1);
	assert_non_null(strstr(err.message, "\"zz\""));
	free(t.pk);
	t.pk = strdup("zz,a");
	assert_int_equal(table_check(&t, &err), -1);
	assert_non_null(strstr(err.message, "\"zz\""));
	free(t.pk);
	t.pk = strdup("a,");
	assert_int_equal(table_check(&t, &err), -1);
	table_free(&t);
}

static void test_check_missing_index_column_fails(void **state)
{
	static const char *const names[] = {"id", "country", "admin1"};
	struct table_spec t;
	struct amber_error err = {0};
	make_spec(&t, names, 3, "id");
	table_add_index(&t, "country");
	table_add_index(&t, "country,admin2");
	assert_int_equal(table_check(&t, &err), -1);
	assert_non_null(strstr(err.message, "index"));
	assert_non_null(strstr(err.message, "\"admin2\""));
	table_free(&t);
}

static void test_check_with_no_pk_and_no_index_only_checks_names(void **state)
{
	static const char *const names[] = {"a", "b"};
	struct table_spec t;
	struct amber_error err = {0};
	make_spec(&t, names, 2, NULL);
	assert_int_equal(table_check(&t, &err), 0);
	table_add_column(&t, "B", 1, VALUE_INTEGER);
	assert_int_equal(table_check(&t, &err), -1);
	table_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_schema_maps_declared_types_by_affinity),
	    cmocka_unit_test(test_schema_follows_sqlite_affinity_precedence),
	    cmocka_unit_test(test_schema_type_names_are_case_insensitive),
	    cmocka_unit_test(test_schema_ignores_whitespace_around_names_and_types),
	    cmocka_unit_test(test_schema_type_with_two_size_arguments_is_one_column),
	    cmocka_unit_test(test_schema_unknown_type_is_an_error_naming_type_and_column),
	    cmocka_unit_test(test_schema_empty_is_an_error),
	    cmocka_unit_test(test_schema_column_without_type_is_an_error),
	    cmocka_unit_test(test_find_column_is_case_insensitive_and_exact_length),
	    cmocka_unit_test(test_add_column_copies_name),
	    cmocka_unit_test(test_type_names_are_sql_names),
	    cmocka_unit_test(test_check_accepts_valid_spec),
	    cmocka_unit_test(test_check_duplicate_column_differing_in_case_fails),
	    cmocka_unit_test(test_check_missing_primary_key_column_fails),
	    cmocka_unit_test(test_check_composite_primary_key_columns_all_checked),
	    cmocka_unit_test(test_check_missing_index_column_fails),
	    cmocka_unit_test(test_check_with_no_pk_and_no_index_only_checks_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
