/* test_dump_postgres.c — the pg_dump/pg_dumpall translator over core/dump and the loader: each
 * test loads unit inputs (small SQL texts written for these tests in pg_dump's shapes, not
 * real dumps: those are fixtures) in a schema pass and a data pass, then queries the finished
 * database with SQLite, or checks the error's place and message. */
#include "core/dump.h"
#include "core/progress.h"
#include "formats/sqldump.h"
#include "tests/support.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static struct progress quiet;

/* One unit input in a schema pass and then a data pass. */
static int load_one(struct dump *d, const char *path, const struct sqldump_options *opt,
		    struct amber_error *err)
{
	if (sqldump_load_postgres(d, path, "unit.sql", DUMP_PASS_SCHEMA, opt, err) < 0)
		return -1;
	return sqldump_load_postgres(d, path, "unit.sql", DUMP_PASS_DATA, opt, err);
}

/* Unit input in pg_dump's default (COPY) shape, keys after the data. */
static const char copy_dump[] =
    "--\n-- PostgreSQL database dump\n--\n\n"
    "\\restrict k3y\n"
    "SET statement_timeout = 0;\n"
    "SELECT pg_catalog.set_config('search_path', '', false);\n"
    "CREATE TABLE public.cities (\n"
    "    id integer NOT NULL,\n"
    "    name character varying(200) DEFAULT 'x'::character varying NOT NULL,\n"
    "    pop bigint,\n"
    "    lat double precision,\n"
    "    ok boolean DEFAULT true,\n"
    "    price numeric(10,2),\n"
    "    tags text[],\n"
    "    nums integer[],\n"
    "    flags boolean[],\n"
    "    data bytea,\n"
    "    at timestamp without time zone,\n"
    "    ats timestamp with time zone[]\n"
    ");\n"
    "ALTER TABLE public.cities OWNER TO postgres;\n"
    "CREATE SEQUENCE public.cities_id_seq\n    AS integer\n    START WITH 1\n    CACHE 1;\n"
    "ALTER SEQUENCE public.cities_id_seq OWNED BY public.cities.id;\n"
    "ALTER TABLE ONLY public.cities ALTER COLUMN id SET DEFAULT "
    "nextval('public.cities_id_seq'::regclass);\n"
    "COPY public.cities (id, name, pop, lat, ok, price, tags, nums, flags, data, at, ats) FROM stdin;\n"
    "1\tZ\xc3\xbcrich\t421878\t47.36667\tt\t12.50\t{a,\"b c\",\"d\\\\\"e\",NULL}\t{1,2,NULL}\t{t,f}\t"
    "\\\\x00ff1a\t2020-01-01 10:00:00\t{\"2020-01-01 10:00:00+00\",\"2021-06-01 08:30:00.5+05:30\"}\n"
    "2\ttab\\there\\nnl\\\\\\101\\x42\t\\N\t-1e-3\tf\t\\N\t{}\t{{1,2},{3,4}}"
    "\t\\N\t\\\\000\\\\\\\\x\t\\N\t\\N\n"
    "\\.\n\n"
    "SELECT pg_catalog.setval('public.cities_id_seq', 2, true);\n"
    "ALTER TABLE ONLY public.cities\n    ADD CONSTRAINT cities_pkey PRIMARY KEY (id);\n"
    "CREATE INDEX cities_name_idx ON public.cities USING btree (name);\n"
    "CREATE INDEX cities_lower_idx ON public.cities USING btree (lower((name)::text));\n"
    "CREATE INDEX cities_gin ON public.cities USING gin (tags);\n"
    "GRANT ALL ON TABLE public.cities TO reader;\n"
    "COMMENT ON TABLE public.cities IS 'towns';\n"
    "CREATE FUNCTION public.f() RETURNS integer\n    LANGUAGE sql\n    AS $_$ SELECT 1; $_$;\n"
    "\\unrestrict k3y\n";

static void test_copy_rows_and_keys_after_the_data(void **state)
{
	(void)state;
	support_dump_load_ok(copy_dump, NULL);
	support_dump_check_query(
	    "SELECT id, name, pop, lat, ok, price, typeof(price), tags, nums, flags, hex(data), at, ats "
	    "FROM cities ORDER BY id",
	    "1|Z\xc3\xbcrich|421878|47.36667|1|12.5|real|[\"a\",\"b c\",\"d\\\"e\",null]|[1,2,null]|"
	    "[true,false]|00FF1A|2020-01-01 10:00:00|"
	    "[\"2020-01-01T10:00:00+00:00\",\"2021-06-01T08:30:00.5+05:30\"]\n"
	    "2|tab\there\nnl\\AB|NULL|-0.001|0|NULL|null|[]|[[1,2],[3,4]]|NULL|005C78|NULL|NULL");
	/* the key that came after the rows is the table's INTEGER PRIMARY KEY (the rowid) */
	support_dump_check_query("SELECT name, type, pk FROM pragma_table_info('cities') WHERE pk > 0",
				 "id|INTEGER|1");
	support_dump_check_query("SELECT rowid FROM cities ORDER BY id", "1\n2");
	/* the plain btree index is kept; the expression and gin ones are skipped */
	support_dump_check_query(
	    "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cities' AND sql "
	    "LIKE '%name%'",
	    "1");
	support_dump_check_query(
	    "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL", "1");
	support_dump_check_query(
	    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE "
	    "'\\' AND name NOT LIKE 'sqlite%'",
	    "1");
}

static void test_typeof_values(void **state)
{
	(void)state;
	support_dump_load_ok(copy_dump, NULL);
	support_dump_check_query(
	    "SELECT typeof(id), typeof(pop), typeof(lat), typeof(ok), typeof(data) FROM cities WHERE id = 1",
	    "integer|integer|real|integer|blob");
}

static const char insert_dump[] =
    "CREATE TABLE public.t (\n    id bigint NOT NULL,\n    s text,\n    b bytea,\n    f real,\n"
    "    ok boolean,\n    arr text[],\n    n numeric\n);\n"
    "INSERT INTO public.t VALUES (1, 'it''s', '\\x0a0b', 'NaN', true, '{x,NULL}', 3);\n"
    "INSERT INTO public.t (id, s, b, f, ok, arr, n) VALUES "
    "(-9223372036854775808, E'a\\nb\\'', NULL, -1.5, false, NULL, -12345678901234567890.5),"
    " (2, 'x'::text, '\\x', 'Infinity'::real, NULL, '{}', +0.5);\n"
    "ALTER TABLE ONLY public.t\n    ADD CONSTRAINT t_pkey PRIMARY KEY (id);\n"
    "INSERT INTO public.t VALUES (1, 'dup', NULL, NULL, NULL, NULL, NULL) ON CONFLICT DO NOTHING;\n";

static void test_inserts_and_column_inserts(void **state)
{
	(void)state;
	support_dump_load_ok(insert_dump, NULL);
	support_dump_check_query("SELECT id, s, quote(b), f, ok, arr, n, typeof(n) FROM t ORDER BY id",
				 "-9223372036854775808|a\nb'|NULL|-1.5|0|NULL|-12345678901234567890.5|text\n"
				 "1|it's|X'0A0B'|NULL|1|[\"x\",null]|3|integer\n"
				 "2|x|X''|Inf|NULL|[]|0.5|real");
	support_dump_check_query("SELECT name FROM pragma_table_info('t') WHERE pk > 0", "id");
}

static void test_schemas_and_quoted_names(void **state)
{
	(void)state;
	const char *text = "CREATE TABLE s2.\"MixedCase\" (\"Id\" integer, Val text);\n"
			   "CREATE TABLE public.T (A integer);\n"
			   "COPY s2.\"MixedCase\" (\"Id\", val) FROM stdin;\n1\tv\n\\.\n"
			   "COPY public.t (a) FROM stdin;\n7\n\\.\n";
	support_dump_load_ok(text, NULL);
	support_dump_check_query(
	    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE "
	    "'\\' AND name NOT LIKE 'sqlite%' "
	    "ORDER BY name",
	    "s2_MixedCase\nt");
	support_dump_check_query("SELECT \"Id\", val FROM s2_MixedCase", "1|v");
	support_temp_remove_all();
	struct sqldump_options opt = {NULL, "s2"};
	support_dump_load_ok(text, &opt);
	support_dump_check_query(
	    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE "
	    "'\\' AND name NOT LIKE 'sqlite%' "
	    "ORDER BY name",
	    "MixedCase\npublic_t");
}

static const char dumpall[] = "--\n-- PostgreSQL database cluster dump\n--\n"
			      "CREATE ROLE alice;\nALTER ROLE alice WITH LOGIN PASSWORD 'x';\n"
			      "\\connect template1\n"
			      "SET client_encoding = 'UTF8';\n"
			      "CREATE DATABASE db1 WITH TEMPLATE = template0 ENCODING = 'UTF8';\n"
			      "\\connect db1\n"
			      "CREATE TABLE public.a (x integer);\n"
			      "COPY public.a (x) FROM stdin;\n1\n\\.\n"
			      "CREATE DATABASE \"my db\" WITH TEMPLATE = template0;\n"
			      "\\connect -reuse-previous=on \"dbname='my db'\"\n"
			      "CREATE TABLE public.a (y integer);\n"
			      "INSERT INTO public.a VALUES (2);\n";

static void test_pg_dumpall_picks_a_database(void **state)
{
	(void)state;
	struct sqldump_options opt = {"my db", NULL};
	support_dump_load_ok(dumpall, &opt);
	support_dump_check_query("SELECT * FROM a", "2");
	support_dump_check_query("SELECT name FROM pragma_table_info('a')", "y");
	support_temp_remove_all();
	opt.database = "db1";
	support_dump_load_ok(dumpall, &opt);
	support_dump_check_query("SELECT x FROM a", "1");
}

static void test_pg_dumpall_clash_without_a_choice(void **state)
{
	(void)state;
	support_dump_load_fails(dumpall, 0, 16, 14, "table \"a\" is defined twice");
}

static void test_schema_only_then_data_only(void **state)
{
	(void)state;
	const char *files[] = {
	    "CREATE TABLE public.k (id integer NOT NULL, v text);\n"
	    "ALTER TABLE ONLY public.k ADD CONSTRAINT k_pkey PRIMARY KEY (id);\n"
	    "CREATE UNIQUE INDEX k_v ON public.k USING btree (v);\n",
	    "SET row_security = off;\nCOPY public.k (id, v) FROM stdin;\n5\tfive\n6\tsix\n\\.\n"};
	struct amber_error err = {0};
	if (support_dump_load(files, 2, NULL, 0, &err) < 0)
		fail_msg("%s:%ld:%ld: %s", err.file, err.line, err.column, err.message);
	support_dump_check_query("SELECT id, v FROM k ORDER BY id", "5|five\n6|six");
	support_dump_check_query("SELECT name FROM pragma_table_info('k') WHERE pk > 0", "id");
	support_dump_check_query(
	    "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND sql LIKE '%UNIQUE%'", "1");
}

static void test_truncated_copy_block(void **state)
{
	(void)state;
	support_dump_load_fails("CREATE TABLE public.t (a integer);\nCOPY public.t (a) FROM stdin;\n1\n2\n",
				0, 5, 1, "truncated dump: the input ends inside COPY t (started at line 2)");
}

static void test_copy_row_with_wrong_field_count(void **state)
{
	(void)state;
	support_dump_load_fails(
	    "CREATE TABLE public.t (a integer, b text);\nCOPY public.t (a, b) FROM stdin;\n1\tx\n2\n\\.\n", 0,
	    4, 2, "COPY row has 1 fields, expected 2");
	support_temp_remove_all();
	support_dump_load_fails("CREATE TABLE public.t (a integer);\nCOPY public.t FROM stdin;\n1\t2\n\\.\n",
				0, 3, 2, "more than 1 fields");
}

static void test_copy_value_that_contradicts_its_type(void **state)
{
	(void)state;
	support_dump_load_fails(
	    "CREATE TABLE public.t (a text, b integer);\nCOPY public.t (a, b) FROM stdin;\nx\tabc\n\\.\n", 0,
	    3, 3, "'abc' is not an integer");
}

static void test_bad_statements_name_their_place(void **state)
{
	(void)state;
	support_dump_load_fails("SET x = 1;\n  FROBNICATE t;\n", 0, 2, 3,
				"unsupported statement at \"FROBNICATE\"");
	support_temp_remove_all();
	support_dump_load_fails("CREATE TABLE public.t (a integer);\nINSERT INTO public.t VALUES ('abc);\n",
				0, 2, 30, "unterminated string");
	support_temp_remove_all();
	support_dump_load_fails("CREATE TABLE public.t (\n    a integer", 0, 1, 1, "truncated dump");
	support_temp_remove_all();
	support_dump_load_fails("CREATE TABLE public.t (a integer);\nINSERT INTO public.t VALUES (1, 2);\n",
				0, 2, 33, "more than 1 values");
	support_temp_remove_all();
	support_dump_load_fails(
	    "CREATE TABLE public.t (a integer, b integer);\nINSERT INTO public.t VALUES (1, 2", 0, 2, 34,
	    "truncated dump: the input ends inside an INSERT");
	support_temp_remove_all();
	support_dump_load_fails("\\copy t from x\n", 0, 1, 1, "unsupported psql command");
	support_temp_remove_all();
	support_dump_load_fails("COPY public.nope (a) FROM stdin;\n1\n\\.\n", 0, 1, 6, "no CREATE TABLE");
}

static void test_strict_makes_skips_errors(void **state)
{
	(void)state;
	support_dump_load_fails("CREATE TABLE public.t (a integer);\nGRANT ALL ON TABLE public.t TO bob;\n",
				1, 2, 1, "GRANT is not supported (--strict)");
}

static void test_casts_bit_strings_and_generated_columns(void **state)
{
	(void)state;
	support_dump_load_ok(
	    "CREATE TABLE public.b (id integer, bits bit(4), vb bit varying, x numeric(10,2),\n"
	    "    g integer GENERATED ALWAYS AS ((id * 2)) STORED, a integer[]);\n"
	    "INSERT INTO public.b VALUES (1, B'1010', X'1F', '1.50'::numeric(10,2), DEFAULT, "
	    "'{1,2}'::integer[]);\n"
	    "INSERT INTO public.b (id, bits, vb, x, g, a) VALUES (2, NULL, B'', -0.5::numeric::numeric, "
	    "DEFAULT, "
	    "'[0:1]={3, \"4\"}');\n",
	    NULL);
	support_dump_check_query("SELECT id, bits, vb, x, g, a FROM b ORDER BY id",
				 "1|1010|00011111|1.5|NULL|[1,2]\n"
				 "2|NULL||-0.5|NULL|[3,4]");
}

static void test_pg_dump_clean_and_large_objects(void **state)
{
	(void)state;
	support_dump_load_ok(
	    "ALTER TABLE IF EXISTS ONLY public.t DROP CONSTRAINT IF EXISTS t_pkey;\n"
	    "DROP INDEX IF EXISTS public.t_idx;\nDROP TABLE IF EXISTS public.t;\n"
	    "DROP SEQUENCE IF EXISTS public.s;\n"
	    "CREATE TABLE public.t (id integer);\n"
	    "SELECT pg_catalog.lo_create('16400');\nALTER LARGE OBJECT 16400 OWNER TO postgres;\n"
	    "BEGIN;\nSELECT pg_catalog.lo_open('16400', 131072);\n"
	    "SELECT pg_catalog.lowrite(0, '\\x41');\nSELECT pg_catalog.lo_close(0);\nCOMMIT;\n"
	    "COPY public.t (id) FROM stdin;\n1\n\\.\n",
	    NULL);
	support_dump_check_query("SELECT id FROM t", "1");
}

static void test_database_not_in_the_dump(void **state)
{
	(void)state;
	struct sqldump_options opt = {"nope", NULL};
	struct amber_error err = {0};
	const char *text = dumpall;
	assert_int_equal(support_dump_load(&text, 1, &opt, 0, &err), -1);
	assert_non_null(strstr(err.message, "database nope is not in the dump"));
}

static void test_inherits_is_an_error(void **state)
{
	(void)state;
	support_dump_load_fails("CREATE TABLE public.c (\n    x integer\n)\nINHERITS (public.p);\n", 0, 4, 1,
				"INHERITS is not supported");
}

int main(void)
{
	progress_init(&quiet, stderr, 1);
	support_dump_use(load_one, &quiet);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_copy_rows_and_keys_after_the_data, support_temp_teardown),
	    cmocka_unit_test_teardown(test_typeof_values, support_temp_teardown),
	    cmocka_unit_test_teardown(test_inserts_and_column_inserts, support_temp_teardown),
	    cmocka_unit_test_teardown(test_schemas_and_quoted_names, support_temp_teardown),
	    cmocka_unit_test_teardown(test_pg_dumpall_picks_a_database, support_temp_teardown),
	    cmocka_unit_test_teardown(test_pg_dumpall_clash_without_a_choice, support_temp_teardown),
	    cmocka_unit_test_teardown(test_schema_only_then_data_only, support_temp_teardown),
	    cmocka_unit_test_teardown(test_truncated_copy_block, support_temp_teardown),
	    cmocka_unit_test_teardown(test_copy_row_with_wrong_field_count, support_temp_teardown),
	    cmocka_unit_test_teardown(test_copy_value_that_contradicts_its_type, support_temp_teardown),
	    cmocka_unit_test_teardown(test_bad_statements_name_their_place, support_temp_teardown),
	    cmocka_unit_test_teardown(test_strict_makes_skips_errors, support_temp_teardown),
	    cmocka_unit_test_teardown(test_casts_bit_strings_and_generated_columns, support_temp_teardown),
	    cmocka_unit_test_teardown(test_pg_dump_clean_and_large_objects, support_temp_teardown),
	    cmocka_unit_test_teardown(test_database_not_in_the_dump, support_temp_teardown),
	    cmocka_unit_test_teardown(test_inherits_is_an_error, support_temp_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
