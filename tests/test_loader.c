/* test_loader.c — unit tests for building the database (core/loader.h).
 *
 * Each test works in its own temporary directory: it builds a database there through the
 * loader, then opens the result with SQLite directly and checks the types, the metadata, the
 * schema and that no temporary file was left behind. The setup and teardown create and remove
 * the directory and abort a loader a failed test left open. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/loader.h"
#include "tests/support.h"

#define SHA_A "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

static char dir[64];
static char out_path[128];
static struct progress quiet;
static struct db_loader *ld; /* aborted by the teardown if a test left it open */
static struct table_spec places, pairs;
static sqlite3 *db;	  /* the finished database, opened read-only */
static char result[1024]; /* text of the last query_text */

static void make_places(struct table_spec *t)
{
	struct amber_error err = {0};
	memset(t, 0, sizeof *t);
	assert_int_equal(table_parse_schema(t, "id INTEGER, name TEXT, lat REAL, pop INTEGER", &err), 0);
	t->name = strdup("places");
	t->pk = strdup("id");
	table_add_index(t, "name");
}

static void make_pairs(struct table_spec *t)
{
	struct amber_error err = {0};
	memset(t, 0, sizeof *t);
	assert_int_equal(table_parse_schema(t, "a TEXT, b INTEGER, v REAL", &err), 0);
	t->name = strdup("pairs");
	t->pk = strdup("a,b");
}

static int set_up(void **state)
{
	if (support_temp_dir(dir, sizeof dir, "loader") < 0)
		return -1;
	snprintf(out_path, sizeof out_path, "%s/out.db", dir);
	progress_init(&quiet, stderr, 1);
	make_places(&places);
	make_pairs(&pairs);
	return 0;
}

static int tear_down(void **state)
{
	db_loader_abort(ld);
	ld = NULL;
	sqlite3_close(db);
	db = NULL;
	table_free(&places);
	table_free(&pairs);
	support_remove_tree(dir);
	return 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The names in `path`, sorted, joined by spaces ("" for none). */
static void list_dir(const char *path, char *out, size_t cap)
{
	char names[16][256];
	size_t n = 0;
	DIR *d = opendir(path);
	assert_non_null(d);
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 && n < 16)
			snprintf(names[n++], sizeof names[0], "%s", e->d_name);
	closedir(d);
	qsort(names, n, sizeof names[0], compare_names);
	out[0] = '\0';
	for (size_t i = 0; i < n; i++)
		snprintf(out + strlen(out), cap - strlen(out), "%s%s", i ? " " : "", names[i]);
}

static void assert_dir_holds(const char *path, const char *want)
{
	char got[1024];
	list_dir(path, got, sizeof got);
	if (strcmp(got, want) != 0)
		fail_msg("%s holds \"%s\", expected \"%s\"", path, got, want);
}

static void create_checked_ok(const char *path, int64_t build_time, enum db_check check)
{
	struct amber_error err = {0};
	assert_null(ld);
	ld = db_loader_create(path, build_time, check, &quiet, &err);
	if (!ld)
		fail_msg("create: %s", err.message);
}

static void create_ok(const char *path, int64_t build_time)
{
	create_checked_ok(path, build_time, DB_CHECK_FULL);
}

static void begin_ok(const struct table_spec *t)
{
	struct amber_error err = {0};
	if (db_loader_begin_table(ld, t, &err) != 0)
		fail_msg("begin %s: %s", t->name, err.message);
}

/* Binds one row of `n` texts and inserts it. */
static void row_ok(const char *const *values, size_t n)
{
	struct amber_error err = {0};
	for (size_t i = 0; i < n; i++)
		if (db_loader_bind(ld, i, values[i], strlen(values[i]), &err) != 0)
			fail_msg("bind column %zu \"%s\": %s", i, values[i], err.message);
	if (db_loader_insert_row(ld, &err) != 0)
		fail_msg("insert: %s", err.message);
}

#define ROW(...)                                                                                             \
	row_ok((const char *const[]){__VA_ARGS__},                                                           \
	       sizeof((const char *const[]){__VA_ARGS__}) / sizeof(char *))

static void end_ok(void)
{
	struct amber_error err = {0};
	if (db_loader_end_table(ld, &err) != 0)
		fail_msg("end table: %s", err.message);
}

static void finish_ok(void)
{
	struct amber_error err = {0};
	int rc = db_loader_finish(ld, &err);
	ld = NULL; /* freed either way */
	if (rc != 0)
		fail_msg("finish: %s", err.message);
}

/* The sample build: places (single pk, one index) and pairs (composite pk), one source. */
static void build_sample_checked(const char *path, int64_t build_time, enum db_check check)
{
	create_checked_ok(path, build_time, check);
	begin_ok(&places);
	ROW("1", "Z\xC3\xBCrich", "47.3769", "421878");
	ROW("2", "", "", "");
	ROW("3", "x", "-1.5e2", "-7");
	end_ok();
	begin_ok(&pairs);
	ROW("k", "1", "0.5");
	ROW("k", "2", "");
	end_ok();
	db_loader_add_source(ld, "places.csv", 1234, SHA_A, "gzip", "places");
	finish_ok();
}

static void build_sample(const char *path, int64_t build_time)
{
	build_sample_checked(path, build_time, DB_CHECK_FULL);
}

static void open_result(const char *path)
{
	assert_null(db);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		fail_msg("cannot open %s: %s", path, sqlite3_errmsg(db));
}

/* The first column of the first row of `sql` as text ("<null>" for NULL, "<none>" for no row). */
static const char *query_text(const char *sql)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(st, 0);
		snprintf(result, sizeof result, "%s", t ? (const char *)t : "<null>");
	} else {
		snprintf(result, sizeof result, "<none>");
	}
	sqlite3_finalize(st);
	return result;
}

static void assert_query(const char *sql, const char *want)
{
	const char *got = query_text(sql);
	if (strcmp(got, want) != 0)
		fail_msg("%s\n  gave \"%s\", expected \"%s\"", sql, got, want);
}

/* The whole content of a file. */
static void slurp(const char *path, struct buf *out)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(out, chunk, n);
	fclose(f);
}

/* ---- the finished database ---- */

static void test_values_are_stored_with_their_column_types(void **state)
{
	build_sample(out_path, 0);
	open_result(out_path);
	assert_query("SELECT typeof(id) || ' ' || typeof(name) || ' ' || typeof(lat) || ' ' || typeof(pop)"
		     " FROM places WHERE id = 1",
		     "integer text real integer");
	assert_query("SELECT name || '|' || lat || '|' || pop FROM places WHERE id = 1",
		     "Z\xC3\xBCrich|47.3769|421878");
	assert_query("SELECT lat = -150.0 AND pop = -7 FROM places WHERE id = 3", "1");
	assert_query("SELECT typeof(a) || ' ' || typeof(b) || ' ' || typeof(v) FROM pairs WHERE b = 1",
		     "text integer real");
	assert_query("SELECT count(*) FROM places", "3");
	assert_query("SELECT count(*) FROM pairs", "2");
}

static void test_empty_text_is_null_in_numeric_columns_and_empty_in_text(void **state)
{
	build_sample(out_path, 0);
	open_result(out_path);
	assert_query(
	    "SELECT typeof(name) || ' ' || typeof(lat) || ' ' || typeof(pop) FROM places WHERE id = 2",
	    "text null null");
	assert_query("SELECT length(name) FROM places WHERE id = 2", "0");
	assert_query("SELECT typeof(v) FROM pairs WHERE b = 2", "null");
}

static void test_integer_extremes_are_stored_exactly(void **state)
{
	create_ok(out_path, 0);
	begin_ok(&places);
	ROW("9223372036854775807", "max", "1e308", "-9223372036854775808");
	end_ok();
	finish_ok();
	open_result(out_path);
	assert_query("SELECT id FROM places", "9223372036854775807");
	assert_query("SELECT pop FROM places", "-9223372036854775808");
	assert_query("SELECT lat = 1e308 FROM places", "1");
}

static void test_meta_records_versions_row_counts_and_source(void **state)
{
	build_sample(out_path, 0);
	open_result(out_path);
	assert_query("SELECT value FROM _amber_meta WHERE key = 'format_version'", "1");
	assert_query("SELECT typeof(value) FROM _amber_meta WHERE key = 'format_version'", "integer");
	assert_query("SELECT value FROM _amber_meta WHERE key = 'amber_version'", AMBER_VERSION);
	assert_query("SELECT value FROM _amber_meta WHERE key = 'sqlite_version'", sqlite3_libversion());
	assert_query("SELECT value FROM _amber_meta WHERE key = 'table.places.rows'", "3");
	assert_query("SELECT value FROM _amber_meta WHERE key = 'table.pairs.rows'", "2");
	assert_query("SELECT typeof(value) FROM _amber_meta WHERE key = 'table.places.rows'", "integer");
	assert_query("SELECT value FROM _amber_meta WHERE key = 'source.1.sha256'", SHA_A);
	assert_query("SELECT value FROM _amber_meta WHERE key = 'source.1.name'", "places.csv");
	assert_query("SELECT value FROM _amber_meta WHERE key = 'source.1.size'", "1234");
	assert_query("SELECT value FROM _amber_meta WHERE key = 'source.1.compression'", "gzip");
	assert_query("SELECT value FROM _amber_meta WHERE key = 'source.1.table'", "places");
	assert_query("SELECT count(*) FROM _amber_meta WHERE key LIKE 'source.2.%'", "0");
}

static void test_build_time_zero_is_the_epoch_in_utc(void **state)
{
	build_sample(out_path, 0);
	open_result(out_path);
	assert_query("SELECT value FROM _amber_meta WHERE key = 'build_time'", "1970-01-01T00:00:00Z");
}

static void test_build_time_is_formatted_in_utc(void **state)
{
	build_sample(out_path, 1700000000);
	open_result(out_path);
	assert_query("SELECT value FROM _amber_meta WHERE key = 'build_time'", "2023-11-14T22:13:20Z");
}

static void test_sources_are_numbered_in_order(void **state)
{
	create_ok(out_path, 0);
	begin_ok(&pairs);
	ROW("a", "1", "1");
	end_ok();
	db_loader_add_source(ld, "one.csv", 1, SHA_A, "none", "pairs");
	db_loader_add_source(ld, "two.csv.zst", 2, SHA_A, "zstd", "pairs");
	finish_ok();
	open_result(out_path);
	assert_query("SELECT value FROM _amber_meta WHERE key = 'source.1.name'", "one.csv");
	assert_query("SELECT value FROM _amber_meta WHERE key = 'source.2.name'", "two.csv.zst");
	assert_query("SELECT value FROM _amber_meta WHERE key = 'source.2.compression'", "zstd");
}

static void test_index_and_primary_keys_exist(void **state)
{
	build_sample(out_path, 0);
	open_result(out_path);
	/* The declared index covers places.name. */
	assert_query("SELECT group_concat(i.name) FROM sqlite_master m, pragma_index_info(m.name) i"
		     " WHERE m.type = 'index' AND m.tbl_name = 'places' AND m.sql IS NOT NULL",
		     "name");
	assert_query("SELECT group_concat(\"unique\") FROM pragma_index_list('places') WHERE origin = 'c'",
		     "0");
	assert_query("SELECT group_concat(name || ':' || pk) FROM pragma_table_info('places') WHERE pk > 0",
		     "id:1");
	assert_query("SELECT group_concat(name || ':' || pk) FROM pragma_table_info('pairs') WHERE pk > 0",
		     "a:1,b:2");
	/* No declared index on pairs: only the primary key's own. */
	assert_query("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'pairs' AND sql "
		     "IS NOT NULL",
		     "0");
	assert_query("PRAGMA integrity_check", "ok");
}

static void test_queries_table_exists_and_is_empty(void **state)
{
	build_sample(out_path, 0);
	open_result(out_path);
	assert_query("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_amber_queries'",
		     "1");
	assert_query("SELECT count(*) FROM _amber_queries", "0");
}

static void test_names_with_quotes_and_spaces_are_quoted(void **state)
{
	struct table_spec t = {0};
	table_add_column(&t, "a \"b\"", 5, VALUE_INTEGER);
	table_add_column(&t, "select", 6, VALUE_TEXT);
	t.name = strdup("we\"ird table");
	t.pk = strdup("a \"b\"");
	table_add_index(&t, "select");
	create_ok(out_path, 0);
	struct amber_error err = {0};
	int rc = db_loader_begin_table(ld, &t, &err);
	if (rc == 0) {
		rc = db_loader_bind(ld, 0, "5", 1, &err) || db_loader_bind(ld, 1, "v", 1, &err) ||
		     db_loader_insert_row(ld, &err) || db_loader_end_table(ld, &err);
	}
	if (rc == 0) {
		rc = db_loader_finish(ld, &err);
		ld = NULL;
	}
	table_free(&t);
	if (rc != 0)
		fail_msg("%s", err.message);
	open_result(out_path);
	assert_query("SELECT \"a \"\"b\"\"\" || \"select\" FROM \"we\"\"ird table\"", "5v");
	assert_query("SELECT value FROM _amber_meta WHERE key = 'table.we\"ird table.rows'", "1");
}

/* ---- files ---- */

static void test_directory_holds_only_the_final_file(void **state)
{
	build_sample(out_path, 0);
	assert_dir_holds(dir, "out.db");
}

static void test_finish_replaces_an_existing_output(void **state)
{
	FILE *f = fopen(out_path, "w");
	assert_non_null(f);
	fputs("old contents", f);
	fclose(f);
	build_sample(out_path, 0);
	assert_dir_holds(dir, "out.db");
	open_result(out_path);
	assert_query("SELECT count(*) FROM places", "3");
}

static void test_two_identical_builds_give_identical_bytes(void **state)
{
	struct buf first = BUF_INIT, second = BUF_INIT;
	build_sample(out_path, 0);
	slurp(out_path, &first);
	assert_int_equal(unlink(out_path), 0);
	build_sample(out_path, 0);
	slurp(out_path, &second);
	int same =
	    first.len > 0 && first.len == second.len && memcmp(first.data, second.data, first.len) == 0;
	size_t len1 = first.len, len2 = second.len;
	buf_free(&first);
	buf_free(&second);
	if (!same)
		fail_msg("builds differ: %zu and %zu bytes", len1, len2);
	assert_true(len1 > 0);
}

/* The check reads the finished copy; it must not change what is renamed into place. */
static void test_quick_and_full_check_give_identical_bytes(void **state)
{
	struct buf full = BUF_INIT, quick = BUF_INIT;
	build_sample_checked(out_path, 0, DB_CHECK_FULL);
	slurp(out_path, &full);
	assert_int_equal(unlink(out_path), 0);
	build_sample_checked(out_path, 0, DB_CHECK_QUICK);
	slurp(out_path, &quick);
	int same = full.len > 0 && full.len == quick.len && memcmp(full.data, quick.data, full.len) == 0;
	buf_free(&full);
	buf_free(&quick);
	assert_true(same);
	assert_dir_holds(dir, "out.db");
}

static void test_abort_leaves_the_directory_empty(void **state)
{
	create_ok(out_path, 0);
	db_loader_abort(ld);
	ld = NULL;
	assert_dir_holds(dir, "");

	create_ok(out_path, 0);
	begin_ok(&places);
	ROW("1", "a", "1", "1");
	ROW("2", "b", "2", "2");
	assert_int_equal(access(out_path, F_OK), -1); /* nothing under the final name while building */
	db_loader_abort(ld);
	ld = NULL;
	assert_dir_holds(dir, "");
}

static void test_abort_after_end_table_leaves_the_directory_empty(void **state)
{
	create_ok(out_path, 0);
	begin_ok(&places);
	ROW("1", "a", "1", "1");
	end_ok();
	db_loader_abort(ld);
	ld = NULL;
	assert_dir_holds(dir, "");
}

static void test_create_in_nonexistent_directory_fails_and_leaves_nothing(void **state)
{
	char path[256];
	snprintf(path, sizeof path, "%s/missing/out.db", dir);
	struct amber_error err = {0};
	struct db_loader *l = db_loader_create(path, 0, DB_CHECK_FULL, &quiet, &err);
	assert_null(l);
	assert_string_equal(err.file, path);
	assert_true(err.message[0] != '\0');
	assert_dir_holds(dir, "");
}

/* The rename is the last step; when it fails (the output is a directory), both temporaries go. */
static void test_failed_rename_at_finish_leaves_no_temporaries(void **state)
{
	assert_int_equal(mkdir(out_path, 0755), 0);
	create_ok(out_path, 0);
	begin_ok(&places);
	ROW("1", "a", "1", "1");
	end_ok();
	struct amber_error err = {0};
	int rc = db_loader_finish(ld, &err);
	ld = NULL;
	assert_int_equal(rc, -1);
	assert_string_equal(err.file, out_path);
	assert_non_null(strstr(err.message, "cannot write"));
	assert_dir_holds(dir, "out.db");
	assert_dir_holds(out_path, "");
}

/* ---- binding errors ---- */

static void test_text_in_integer_column_fails_naming_the_column(void **state)
{
	static const char *const bad[] = {"abc", "1.5", " 1", "1e3", "9223372036854775808"};
	create_ok(out_path, 0);
	begin_ok(&places);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct amber_error err = {0};
		if (db_loader_bind(ld, 3, bad[i], strlen(bad[i]), &err) != -1)
			fail_msg("\"%s\" bound to INTEGER column pop", bad[i]);
		if (!strstr(err.message, "pop") || !strstr(err.message, bad[i]) ||
		    !strstr(err.message, "INTEGER"))
			fail_msg("message for \"%s\": %s", bad[i], err.message);
		assert_int_equal(err.line, 0);
	}
	db_loader_abort(ld);
	ld = NULL;
	assert_dir_holds(dir, "");
}

static void test_text_in_real_column_fails_naming_the_column(void **state)
{
	static const char *const bad[] = {"abc", "nan", "inf", "1e", "1,5"};
	create_ok(out_path, 0);
	begin_ok(&places);
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct amber_error err = {0};
		if (db_loader_bind(ld, 2, bad[i], strlen(bad[i]), &err) != -1)
			fail_msg("\"%s\" bound to REAL column lat", bad[i]);
		if (!strstr(err.message, "lat") || !strstr(err.message, bad[i]))
			fail_msg("message for \"%s\": %s", bad[i], err.message);
	}
}

static void test_any_text_binds_to_text_column(void **state)
{
	create_ok(out_path, 0);
	begin_ok(&places);
	ROW("1", "123", "1", "1");
	ROW("2", "1.5", "1", "1");
	end_ok();
	finish_ok();
	open_result(out_path);
	assert_query("SELECT group_concat(typeof(name)) FROM places", "text,text");
}

static void test_duplicate_single_primary_key_fails(void **state)
{
	create_ok(out_path, 0);
	begin_ok(&places);
	ROW("1", "a", "1", "1");
	struct amber_error err = {0};
	const char *row[] = {"1", "b", "2", "2"};
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(db_loader_bind(ld, i, row[i], strlen(row[i]), &err), 0);
	assert_int_equal(db_loader_insert_row(ld, &err), -1);
	assert_non_null(strstr(err.message, "duplicate primary key"));
	assert_non_null(strstr(err.message, "places"));
}

static void test_duplicate_composite_primary_key_fails(void **state)
{
	create_ok(out_path, 0);
	begin_ok(&pairs);
	ROW("k", "1", "0");
	ROW("k", "2", "0"); /* same a, other b */
	ROW("j", "1", "0"); /* other a, same b */
	struct amber_error err = {0};
	const char *row[] = {"k", "2", "9"};
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(db_loader_bind(ld, i, row[i], strlen(row[i]), &err), 0);
	assert_int_equal(db_loader_insert_row(ld, &err), -1);
	assert_non_null(strstr(err.message, "duplicate primary key"));
	assert_non_null(strstr(err.message, "pairs"));
}

/* SQLite lets a PRIMARY KEY column hold NULL (a documented legacy quirk) and turns NULL in an
 * INTEGER PRIMARY KEY into a new rowid, so an empty key would invent an id or repeat a key. */
/* Binds a row; returns -1 if the bind or the insert refused it. */
static int bind_and_insert(const char *const *row, size_t n, struct amber_error *err)
{
	for (size_t i = 0; i < n; i++)
		if (db_loader_bind(ld, i, row[i], strlen(row[i]), err) < 0)
			return -1;
	return db_loader_insert_row(ld, err);
}

static void test_empty_primary_key_value_is_rejected(void **state)
{
	struct amber_error err = {0};
	create_ok(out_path, 0);
	begin_ok(&places);
	const char *row[] = {"", "no id", "1", "1"};
	if (bind_and_insert(row, 4, &err) != -1)
		fail_msg("a row with an empty INTEGER primary key was inserted");
	assert_non_null(strstr(err.message, "primary key"));
	end_ok();
	begin_ok(&pairs);
	ROW("k", "1", "0");
	const char *pair[] = {"k", "", "0"};
	for (int n = 0; n < 2; n++)
		if (bind_and_insert(pair, 3, &err) != -1)
			fail_msg("row %d with key (\"k\", empty) was inserted", n + 1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, set_up, tear_down)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_values_are_stored_with_their_column_types),
	    T(test_empty_text_is_null_in_numeric_columns_and_empty_in_text),
	    T(test_integer_extremes_are_stored_exactly),
	    T(test_meta_records_versions_row_counts_and_source),
	    T(test_build_time_zero_is_the_epoch_in_utc),
	    T(test_build_time_is_formatted_in_utc),
	    T(test_sources_are_numbered_in_order),
	    T(test_index_and_primary_keys_exist),
	    T(test_queries_table_exists_and_is_empty),
	    T(test_names_with_quotes_and_spaces_are_quoted),
	    T(test_directory_holds_only_the_final_file),
	    T(test_finish_replaces_an_existing_output),
	    T(test_two_identical_builds_give_identical_bytes),
	    T(test_quick_and_full_check_give_identical_bytes),
	    T(test_abort_leaves_the_directory_empty),
	    T(test_abort_after_end_table_leaves_the_directory_empty),
	    T(test_create_in_nonexistent_directory_fails_and_leaves_nothing),
	    T(test_failed_rename_at_finish_leaves_no_temporaries),
	    T(test_text_in_integer_column_fails_naming_the_column),
	    T(test_text_in_real_column_fails_naming_the_column),
	    T(test_any_text_binds_to_text_column),
	    T(test_duplicate_single_primary_key_fails),
	    T(test_duplicate_composite_primary_key_fails),
	    T(test_empty_primary_key_value_is_rejected),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
