/* test_api.c — unit tests for amberd's API v1 (core/api.h), without sockets.
 *
 * The group setup builds one fixture database with the loader (places: INTEGER pk, REAL,
 * TEXT, NULLs, an integer beyond 2^53, a non-unique column), then opens it read-write with
 * plain SQLite to add what the loader does not make: invalid UTF-8 text, a blob table, a
 * composite-key WITHOUT ROWID table, a table without a primary key and a canned query. Each
 * test opens its own struct api on it, sends requests through api_handle, drains any stream,
 * and parses the JSON with jansson to check values exactly. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/api.h"
#include "core/buf.h"
#include "core/digest.h"
#include "core/loader.h"

#define NPLACES 250
#define BIG_POP 9007199254740993LL /* 2^53 + 1: a double would round it */
#define SHA_A	"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

static char dir[64];
static char db_path[128];
static char db_digest[DIGEST_HEX_LEN + 1]; /* the fixture's sha256, to see that nothing wrote it */
static struct api *api;

struct reply {
	int status;
	const char *content_type;
	const char *route;
	struct buf headers;
	struct buf body;
	uint64_t rows;
	int timed_out;
	int streamed;
	json_t *json;
};

static void file_digest(const char *path, char hex[DIGEST_HEX_LEN + 1])
{
	struct digest_sha256 d;
	digest_sha256_init(&d);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		digest_sha256_update(&d, chunk, n);
	fclose(f);
	digest_sha256_hex(&d, hex);
}

static void exec_ok(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

/* grp of place i: 0..6, NULL for every 10th. */
static int grp_of(int i, char *out)
{
	if (i % 10 == 0) {
		out[0] = '\0';
		return 0;
	}
	snprintf(out, 16, "%d", i % 7);
	return 1;
}

static int build_fixture(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/amber_test_api_XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(db_path, sizeof db_path, "%s/amber.db", dir);
	struct amber_error err = {0};
	struct progress quiet;
	progress_init(&quiet, stderr, 1);
	struct table_spec t;
	memset(&t, 0, sizeof t);
	if (table_parse_schema(&t, "id INTEGER, name TEXT, lat REAL, pop INTEGER, grp INTEGER", &err) != 0)
		return -1;
	t.name = strdup("places");
	t.pk = strdup("id");
	struct db_loader *ld = db_loader_create(db_path, 0, DB_CHECK_QUICK, &quiet, &err);
	int rc = ld && db_loader_begin_table(ld, &t, &err) == 0 ? 0 : -1;
	for (int i = 1; rc == 0 && i <= NPLACES; i++) {
		char id[16], name[32], lat[32] = "", pop[32], grp[16];
		snprintf(id, sizeof id, "%d", i);
		snprintf(name, sizeof name, "place %d", i);
		if (i == 1)
			snprintf(lat, sizeof lat, "47.5");
		else if (i % 5 != 0) /* every 5th NULL */
			snprintf(lat, sizeof lat, "%d.25", i);
		snprintf(pop, sizeof pop, "%lld", i == 1 ? BIG_POP : (long long)i * 100);
		grp_of(i, grp);
		const char *v[] = {id, name, lat, pop, grp};
		for (size_t c = 0; rc == 0 && c < 5; c++)
			rc = db_loader_bind(ld, c, v[c], strlen(v[c]), &err);
		if (rc == 0)
			rc = db_loader_insert_row(ld, &err);
	}
	if (rc == 0)
		rc = db_loader_end_table(ld, &err);
	if (rc == 0) {
		db_loader_add_source(ld, "places.csv", 1234, SHA_A, "gzip", "places");
		rc = db_loader_finish(ld, &err);
	} else if (ld) {
		db_loader_abort(ld);
	}
	table_free(&t);
	if (rc != 0) {
		fprintf(stderr, "fixture: %s\n", err.message);
		return -1;
	}

	sqlite3 *db;
	if (sqlite3_open(db_path, &db) != SQLITE_OK)
		return -1;
	exec_ok(db,
		"UPDATE places SET name = CAST(x'41ff42' AS TEXT) WHERE id = 2;"
		"UPDATE places SET name = 'comma, \"quote\"' || char(10) || 'line' WHERE id = 3;"
		"CREATE TABLE blobs (id INTEGER PRIMARY KEY, data BLOB);"
		"INSERT INTO blobs VALUES (1, x'00ff10'), (2, x''), (3, NULL);"
		"CREATE TABLE pairs (a TEXT, b INTEGER, v REAL, PRIMARY KEY (a, b)) WITHOUT ROWID;"
		"INSERT INTO pairs VALUES ('k', 1, 0.5), ('k', 2, NULL), ('x,y', 1, 1e300);"
		"CREATE TABLE big (id INTEGER PRIMARY KEY, t TEXT);"
		"INSERT INTO big VALUES (1, printf('%.200000c', 'x')), (2, 'small');"
		"CREATE TABLE notes (body TEXT);"
		"INSERT INTO notes VALUES ('first'), ('second');"
		"INSERT INTO _amber_queries VALUES ('by_grp', 'SELECT id, name FROM places WHERE grp = :g "
		"ORDER BY id', 'places in a group', NULL);"
		"INSERT INTO _amber_queries VALUES ('count', 'SELECT count(*) AS n FROM places', NULL, '');");
	sqlite3_close(db);
	file_digest(db_path, db_digest);
	return 0;
}

static int remove_fixture(void **state)
{
	(void)state;
	char path[256];
	snprintf(path, sizeof path, "%s/amber.db", dir);
	unlink(path);
	rmdir(dir);
	return 0;
}

static struct api *open_with(int time_limit_ms, long max_rows, uint64_t max_bytes, int sql_enabled,
			     const char *const *sha)
{
	struct api_config cfg = {.db_path = db_path,
				 .immutable = 1,
				 .time_limit_ms = time_limit_ms,
				 .max_rows = max_rows,
				 .max_response_bytes = max_bytes,
				 .sql_enabled = sql_enabled,
				 .db_sha256 = sha};
	struct amber_error err = {0};
	struct api *a = api_open(&cfg, &err);
	if (!a)
		fail_msg("api_open: %s", err.message);
	return a;
}

static int set_up(void **state)
{
	(void)state;
	api = open_with(1000, 100, 0, 1, NULL);
	return 0;
}

static int tear_down(void **state)
{
	(void)state;
	api_close(api);
	api = NULL;
	return 0;
}

static void reply_free(struct reply *r)
{
	buf_free(&r->headers);
	buf_free(&r->body);
	json_decref(r->json);
	memset(r, 0, sizeof *r);
}

/* Sends one request to `a` and drains the stream `want` bytes at a time. */
static void send_to(struct api *a, const char *method, const char *target, const char *ctype,
		    const char *body, const char *accept, size_t want, struct reply *r)
{
	memset(r, 0, sizeof *r);
	const char *q = strchr(target, '?');
	struct api_request req = {.method = method,
				  .path = target,
				  .path_len = q ? (size_t)(q - target) : strlen(target),
				  .query = q ? q + 1 : "",
				  .query_len = q ? strlen(q + 1) : 0,
				  .body = body,
				  .body_len = body ? strlen(body) : 0,
				  .content_type = ctype,
				  .content_type_len = ctype ? strlen(ctype) : 0,
				  .accept = accept,
				  .accept_len = accept ? strlen(accept) : 0};
	struct api_response res;
	api_handle(a, &req, &res);
	if (res.stream) {
		r->streamed = 1;
		while (!api_stream_next(res.stream, &res.body, want, &res))
			;
	}
	r->status = res.status;
	r->content_type = res.content_type;
	r->route = res.route;
	r->rows = res.rows;
	r->timed_out = res.timed_out;
	buf_add(&r->headers, res.headers.data ? res.headers.data : "", res.headers.len);
	buf_add(&r->body, res.body.data ? res.body.data : "", res.body.len);
	api_response_free(&res);
	if (strcmp(r->content_type, "application/json") == 0) {
		json_error_t jerr;
		r->json = json_loadb(r->body.data, r->body.len, 0, &jerr);
		if (!r->json)
			fail_msg("%s %s: invalid JSON (%s): %.300s", method, target, jerr.text,
				 buf_str(&r->body));
	}
}

static void get(const char *target, struct reply *r)
{
	send_to(api, "GET", target, NULL, NULL, NULL, 4096, r);
}

static void assert_status(const struct reply *r, int status)
{
	if (r->status != status)
		fail_msg("status %d, expected %d: %.400s", r->status, status, buf_str(&r->body));
}

static void assert_error(const struct reply *r, int status, const char *code)
{
	assert_status(r, status);
	assert_string_equal(r->content_type, "application/json");
	json_t *c = json_object_get(json_object_get(r->json, "error"), "code");
	assert_true(json_is_string(c));
	assert_string_equal(json_string_value(c), code);
	assert_true(json_is_string(json_object_get(json_object_get(r->json, "error"), "message")));
}

static json_t *rows_of(const struct reply *r)
{
	json_t *rows = json_object_get(r->json, "rows");
	assert_true(json_is_array(rows));
	return rows;
}

static json_t *cell(const struct reply *r, size_t row, size_t col)
{
	json_t *v = json_array_get(json_array_get(rows_of(r), row), col);
	assert_non_null(v);
	return v;
}

static void assert_int_cell(const struct reply *r, size_t row, size_t col, long long want)
{
	json_t *v = cell(r, row, col);
	assert_true(json_is_integer(v));
	assert_true(json_integer_value(v) == want);
}

static void assert_str_cell(const struct reply *r, size_t row, size_t col, const char *want)
{
	json_t *v = cell(r, row, col);
	assert_true(json_is_string(v));
	assert_string_equal(json_string_value(v), want);
}

/* ---- one row by key ---- */

static void test_row_by_integer_key_has_exact_values(void **state)
{
	struct reply r;
	get("/v1/tables/places/1", &r);
	assert_status(&r, 200);
	assert_string_equal(r.route, "row");
	json_t *cols = json_object_get(r.json, "columns");
	assert_int_equal(json_array_size(cols), 5);
	assert_string_equal(json_string_value(json_array_get(cols, 0)), "id");
	assert_string_equal(json_string_value(json_array_get(cols, 4)), "grp");
	assert_int_equal(json_array_size(rows_of(&r)), 1);
	assert_int_cell(&r, 0, 0, 1);
	assert_str_cell(&r, 0, 1, "place 1");
	assert_true(json_is_real(cell(&r, 0, 2)));
	assert_true(json_real_value(cell(&r, 0, 2)) == 47.5);
	assert_int_cell(&r, 0, 3, BIG_POP);
	assert_int_cell(&r, 0, 4, 1);
	assert_true(json_is_false(json_object_get(r.json, "truncated")));
	assert_true(json_is_null(json_object_get(r.json, "next")));
	assert_int_equal(r.rows, 1);
	reply_free(&r);

	get("/v1/tables/places/10", &r); /* lat and grp NULL */
	assert_status(&r, 200);
	assert_true(json_is_null(cell(&r, 0, 2)));
	assert_true(json_is_null(cell(&r, 0, 4)));
	reply_free(&r);
}

static void test_row_objects_shape_is_one_object(void **state)
{
	struct reply r;
	get("/v1/tables/places/4?_shape=objects&_select=id,name", &r);
	assert_status(&r, 200);
	assert_true(json_is_object(r.json));
	assert_int_equal(json_object_size(r.json), 2);
	assert_true(json_integer_value(json_object_get(r.json, "id")) == 4);
	assert_string_equal(json_string_value(json_object_get(r.json, "name")), "place 4");
	reply_free(&r);
}

static void test_row_absent_or_bad_key(void **state)
{
	struct reply r;
	get("/v1/tables/places/99999", &r);
	assert_error(&r, 404, "not_found");
	reply_free(&r);
	get("/v1/tables/places/abc", &r);
	assert_error(&r, 404, "not_found");
	reply_free(&r);
	get("/v1/tables/places/1,2", &r);
	assert_error(&r, 400, "bad_key");
	reply_free(&r);
	get("/v1/tables/nosuch/1", &r);
	assert_error(&r, 404, "not_found");
	reply_free(&r);
	get("/v1/tables/places/%zz", &r);
	assert_error(&r, 400, "bad_key");
	reply_free(&r);
	get("/v1/tables/places/7", &r); /* the cached lookup is clean after the errors */
	assert_status(&r, 200);
	assert_int_cell(&r, 0, 0, 7);
	reply_free(&r);
}

static void test_row_composite_and_rowid_keys(void **state)
{
	struct reply r;
	get("/v1/tables/pairs/k,2", &r);
	assert_status(&r, 200);
	assert_str_cell(&r, 0, 0, "k");
	assert_int_cell(&r, 0, 1, 2);
	assert_true(json_is_null(cell(&r, 0, 2)));
	reply_free(&r);
	get("/v1/tables/pairs/x%2Cy,1", &r); /* an encoded comma belongs to the part */
	assert_status(&r, 200);
	assert_str_cell(&r, 0, 0, "x,y");
	assert_true(json_real_value(cell(&r, 0, 2)) == 1e300);
	reply_free(&r);
	get("/v1/tables/pairs/k", &r);
	assert_error(&r, 400, "bad_key");
	reply_free(&r);
	get("/v1/tables/pairs/k,3", &r);
	assert_error(&r, 404, "not_found");
	reply_free(&r);
	get("/v1/tables/notes/2", &r);
	assert_status(&r, 200);
	assert_str_cell(&r, 0, 0, "second");
	reply_free(&r);
}

static void test_invalid_utf8_becomes_replacement_character(void **state)
{
	struct reply r;
	get("/v1/tables/places/2?_select=name", &r);
	assert_status(&r, 200);
	assert_str_cell(&r, 0, 0,
			"A\xEF\xBF\xBD"
			"B");
	reply_free(&r);
}

static void test_blobs_are_base64_objects(void **state)
{
	struct reply r;
	get("/v1/tables/blobs?_shape=arrays", &r);
	assert_status(&r, 200);
	assert_int_equal(json_array_size(rows_of(&r)), 3);
	assert_string_equal(json_string_value(json_object_get(cell(&r, 0, 1), "$base64")), "AP8Q");
	assert_string_equal(json_string_value(json_object_get(cell(&r, 1, 1), "$base64")), "");
	assert_true(json_is_null(cell(&r, 2, 1)));
	reply_free(&r);
}

/* ---- /v1/query ---- */

static void test_query_get_binds_named_params(void **state)
{
	struct reply r;
	get("/v1/"
	    "query?sql=SELECT+id,+name+FROM+places+WHERE+id+%3D+:id+OR+id+%3D+$two+ORDER+BY+id&id=5&two=6&"
	    "unused=1",
	    &r);
	assert_status(&r, 200);
	assert_string_equal(r.route, "query");
	assert_int_equal(json_array_size(rows_of(&r)), 2);
	assert_int_cell(&r, 0, 0, 5);
	assert_int_cell(&r, 1, 0, 6);
	reply_free(&r);

	get("/v1/query?sql=SELECT+:cc+AS+x", &r);
	assert_error(&r, 400, "missing_param");
	assert_non_null(
	    strstr(json_string_value(json_object_get(json_object_get(r.json, "error"), "message")), ":cc"));
	reply_free(&r);

	get("/v1/query?sql=SELECT+nosuchcol+FROM+places", &r);
	assert_error(&r, 400, "bad_sql");
	assert_non_null(
	    strstr(json_string_value(json_object_get(json_object_get(r.json, "error"), "message")),
		   "no such column"));
	reply_free(&r);

	get("/v1/query", &r);
	assert_error(&r, 400, "missing_sql");
	reply_free(&r);
}

static void test_query_post_json_and_text(void **state)
{
	struct reply r;
	send_to(api, "POST", "/v1/query", "application/json",
		"{\"sql\":\"SELECT :n + 1 AS a, :s AS b, :z AS c, typeof(:r) AS d\","
		"\"params\":{\"n\":41,\"s\":\"hi\",\"z\":null,\"r\":1.5}}",
		NULL, 4096, &r);
	assert_status(&r, 200);
	assert_int_cell(&r, 0, 0, 42);
	assert_str_cell(&r, 0, 1, "hi");
	assert_true(json_is_null(cell(&r, 0, 2)));
	assert_str_cell(&r, 0, 3, "real");
	reply_free(&r);

	send_to(api, "POST", "/v1/query?x=7", "text/plain; charset=utf-8", "SELECT :x * 2 AS y", NULL, 4096,
		&r);
	assert_status(&r, 200);
	assert_int_cell(&r, 0, 0, 14);
	reply_free(&r);

	send_to(api, "POST", "/v1/query", "application/sql", "SELECT 1", NULL, 4096, &r);
	assert_status(&r, 200);
	reply_free(&r);

	send_to(api, "POST", "/v1/query", "application/json", "{\"sql\":", NULL, 4096, &r);
	assert_error(&r, 400, "bad_body");
	reply_free(&r);

	send_to(api, "POST", "/v1/query", "application/json", "{\"sql\":\"SELECT :q\",\"params\":{}}", NULL,
		4096, &r);
	assert_error(&r, 400, "missing_param");
	reply_free(&r);

	send_to(api, "POST", "/v1/query", "image/png", "x", NULL, 4096, &r);
	assert_error(&r, 415, "unsupported_media_type");
	reply_free(&r);
}

static void test_query_methods_and_sql_switch(void **state)
{
	struct reply r;
	send_to(api, "PUT", "/v1/query?sql=SELECT+1", NULL, NULL, NULL, 4096, &r);
	assert_error(&r, 405, "method_not_allowed");
	assert_non_null(strstr(buf_str(&r.headers), "Allow: GET, HEAD, POST\r\n"));
	reply_free(&r);
	send_to(api, "DELETE", "/v1/tables/places/1", NULL, NULL, NULL, 4096, &r);
	assert_error(&r, 405, "method_not_allowed");
	reply_free(&r);
	send_to(api, "HEAD", "/v1/tables/places/1", NULL, NULL, NULL, 4096, &r);
	assert_status(&r, 200);
	reply_free(&r);

	struct api *off = open_with(1000, 100, 0, 0, NULL);
	send_to(off, "GET", "/v1/query?sql=SELECT+1", NULL, NULL, NULL, 4096, &r);
	assert_error(&r, 403, "sql_disabled");
	reply_free(&r);
	send_to(off, "GET", "/v1/queries/count", NULL, NULL, NULL, 4096, &r);
	assert_status(&r, 200); /* canned queries stay available */
	reply_free(&r);
	api_close(off);
}

static void test_unsafe_statements_are_refused_and_nothing_changes(void **state)
{
	static const struct {
		const char *sql;
		int status; /* 403 not a read, 400 not one statement or no such function */
	} unsafe[] = {
	    {"INSERT INTO notes VALUES ('x')", 403},
	    {"UPDATE places SET name = 'x'", 403},
	    {"DELETE FROM places", 403},
	    {"CREATE TABLE t (a)", 403},
	    {"CREATE TEMP TABLE t (a)", 403},
	    {"DROP TABLE notes", 403},
	    {"ALTER TABLE notes ADD COLUMN c", 403},
	    {"ATTACH DATABASE '/tmp/amber_api_attach.db' AS x", 403},
	    {"DETACH DATABASE main", 403},
	    {"BEGIN", 403},
	    {"SAVEPOINT s", 403},
	    {"ANALYZE", 403},
	    {"REINDEX", 403},
	    {"VACUUM", 403},
	    {"VACUUM INTO '/tmp/amber_api_vacuum.db'", 403},
	    {"PRAGMA writable_schema=1", 403},
	    {"PRAGMA journal_mode=DELETE", 403},
	    {"PRAGMA user_version=5", 403},
	    {"PRAGMA integrity_check", 403},
	    {"SELECT load_extension('/tmp/nothing')", 403},
	    {"SELECT readfile('/etc/passwd')", 400},
	    {"SELECT 1; DELETE FROM places", 400},
	    {"SELECT 1; SELECT 2", 400},
	    {"WITH x AS (SELECT 1) INSERT INTO notes SELECT * FROM x", 403},
	};
	unlink("/tmp/amber_api_vacuum.db");
	unlink("/tmp/amber_api_attach.db");
	for (size_t i = 0; i < sizeof unsafe / sizeof *unsafe; i++) {
		struct reply r;
		char body[256];
		snprintf(body, sizeof body, "{\"sql\":\"%s\"}", unsafe[i].sql);
		send_to(api, "POST", "/v1/query", "application/json", body, NULL, 4096, &r);
		if (r.status != unsafe[i].status)
			fail_msg("%s answered %d: %s", unsafe[i].sql, r.status, buf_str(&r.body));
		assert_error(&r, unsafe[i].status,
			     unsafe[i].status == 403			     ? "not_a_read"
			     : r.status == 400 && strchr(unsafe[i].sql, ';') ? "multiple_statements"
									     : "bad_sql");
		reply_free(&r);
	}
	struct reply r;
	send_to(api, "POST", "/v1/query", "text/plain", "DELETE FROM places", NULL, 4096, &r);
	assert_error(&r, 403, "not_a_read");
	reply_free(&r);
	send_to(api, "POST", "/v1/query", "text/plain", "SELECT 1; SELECT 2", NULL, 4096, &r);
	assert_error(&r, 400, "multiple_statements");
	reply_free(&r);
	send_to(api, "POST", "/v1/query", "text/plain", "SELECT 1; -- fine\n/* also */  ", NULL, 4096, &r);
	assert_status(&r, 200);
	reply_free(&r);
	send_to(api, "POST", "/v1/query", "text/plain", "PRAGMA table_info(places)", NULL, 4096, &r);
	assert_status(&r, 200);
	assert_int_equal(json_array_size(rows_of(&r)), 5);
	reply_free(&r);

	struct stat sb;
	assert_int_not_equal(stat("/tmp/amber_api_vacuum.db", &sb), 0);
	assert_int_not_equal(stat("/tmp/amber_api_attach.db", &sb), 0);
	char now[DIGEST_HEX_LEN + 1];
	file_digest(db_path, now);
	assert_string_equal(now, db_digest);
	get("/v1/query?sql=SELECT+count(*)+FROM+places", &r);
	assert_int_cell(&r, 0, 0, NPLACES);
	reply_free(&r);
}

static void test_endless_query_hits_time_limit(void **state)
{
	struct api *a = open_with(200, 100, 0, 1, NULL);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct reply r;
	send_to(a, "GET",
		"/v1/"
		"query?sql=WITH+RECURSIVE+c(x)+AS+(SELECT+1+UNION+ALL+SELECT+x%2B1+FROM+c)+SELECT+count(*)+"
		"FROM+c",
		NULL, NULL, NULL, 4096, &r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	assert_error(&r, 503, "time_limit");
	assert_int_equal(r.timed_out, 1);
	assert_true(ms >= 200);
	if (ms > 300)
		fail_msg("took %ld ms for a 200 ms limit", ms);
	reply_free(&r);
	/* The connection still answers afterwards. */
	send_to(a, "GET", "/v1/query?sql=SELECT+1", NULL, NULL, NULL, 4096, &r);
	assert_status(&r, 200);
	reply_free(&r);
	api_close(a);
}

static void test_query_truncates_at_max_rows(void **state)
{
	struct api *a = open_with(1000, 10, 0, 1, NULL);
	struct reply r;
	send_to(a, "GET", "/v1/query?sql=SELECT+id+FROM+places+ORDER+BY+id", NULL, NULL, NULL, 4096, &r);
	assert_status(&r, 200);
	assert_int_equal(json_array_size(rows_of(&r)), 10);
	assert_int_cell(&r, 9, 0, 10);
	assert_true(json_is_true(json_object_get(r.json, "truncated")));
	assert_non_null(strstr(buf_str(&r.headers), "X-Amber-Truncated: true\r\n"));
	reply_free(&r);
	send_to(a, "GET", "/v1/query?sql=SELECT+id+FROM+places+WHERE+id+<%3D+10", NULL, NULL, NULL, 4096, &r);
	assert_true(json_is_false(json_object_get(r.json, "truncated")));
	reply_free(&r);
	api_close(a);
}

/* ---- /v1/tables/{t} ---- */

static void test_table_filters_select_and_limit(void **state)
{
	struct reply r;
	get("/v1/tables/places?grp=3&_select=id,grp&_limit=1000", &r);
	assert_status(&r, 200);
	assert_string_equal(r.route, "table");
	size_t want = 0;
	for (int i = 1; i <= NPLACES; i++)
		want += i % 10 != 0 && i % 7 == 3;
	assert_true(want > 0 && want < 100);
	assert_int_equal(json_array_size(rows_of(&r)), want);
	assert_int_equal(json_array_size(json_object_get(r.json, "columns")), 2);
	for (size_t i = 0; i < want; i++)
		assert_int_cell(&r, i, 1, 3);
	assert_true(json_is_null(json_object_get(r.json, "next")));
	reply_free(&r);

	get("/v1/tables/places?name=place+7", &r);
	assert_int_equal(json_array_size(rows_of(&r)), 1);
	assert_int_cell(&r, 0, 0, 7);
	reply_free(&r);

	get("/v1/tables/places?lat=8.25", &r); /* REAL column: bound as a number */
	assert_int_equal(json_array_size(rows_of(&r)), 1);
	assert_int_cell(&r, 0, 0, 8);
	reply_free(&r);

	get("/v1/tables/places?_limit=5000", &r); /* capped at max_rows (100) */
	assert_int_equal(json_array_size(rows_of(&r)), 100);
	assert_true(json_is_string(json_object_get(r.json, "next")));
	assert_true(json_is_false(json_object_get(r.json, "truncated")));
	reply_free(&r);

	get("/v1/tables/places?nosuch=1", &r);
	assert_error(&r, 400, "unknown_column");
	reply_free(&r);
	get("/v1/tables/places?_select=id,nosuch", &r);
	assert_error(&r, 400, "unknown_column");
	reply_free(&r);
	get("/v1/tables/places?_sort=nosuch", &r);
	assert_error(&r, 400, "unknown_column");
	reply_free(&r);
	get("/v1/tables/places?_limit=0", &r);
	assert_error(&r, 400, "bad_limit");
	reply_free(&r);
	get("/v1/tables/places?_after=notacursor", &r);
	assert_error(&r, 400, "bad_cursor");
	reply_free(&r);
	get("/v1/tables/places?_after=WzFd", &r); /* [1], but sorting by grp needs two values */
	assert_status(&r, 200);
	reply_free(&r);
	get("/v1/tables/places?_sort=grp&_after=WzFd", &r);
	assert_error(&r, 400, "bad_cursor");
	reply_free(&r);
	get("/v1/tables/nosuch", &r);
	assert_error(&r, 404, "not_found");
	reply_free(&r);
}

/* Walks a listing through `next` and checks it visits every place once, in order. */
static void walk(const char *first, int sortcol_grp, int desc)
{
	int seen[NPLACES + 1] = {0};
	int count = 0, pages = 0;
	long long prev_grp = 0, prev_id = 0;
	int prev_null = 0;
	char target[512];
	snprintf(target, sizeof target, "%s", first);
	for (;;) {
		struct reply r;
		get(target, &r);
		assert_status(&r, 200);
		pages++;
		json_t *rows = rows_of(&r);
		for (size_t i = 0; i < json_array_size(rows); i++) {
			long long id = json_integer_value(json_array_get(json_array_get(rows, i), 0));
			json_t *g = json_array_get(json_array_get(rows, i), 1);
			assert_true(id >= 1 && id <= NPLACES);
			if (seen[id])
				fail_msg("id %lld served twice", id);
			seen[id] = 1;
			if (count > 0) {
				int null = json_is_null(g);
				long long gv = null ? 0 : json_integer_value(g);
				if (!sortcol_grp) {
					assert_true(desc ? id < prev_id : id > prev_id);
				} else {
					/* NULLs first ascending, last descending; ties by id. */
					int cmp = null == prev_null ? (gv > prev_grp) - (gv < prev_grp)
								    : (null ? -1 : 1);
					if (cmp == 0)
						cmp = (id > prev_id) - (id < prev_id);
					assert_true(desc ? cmp < 0 : cmp > 0);
				}
			}
			prev_null = json_is_null(g);
			prev_grp = prev_null ? 0 : json_integer_value(g);
			prev_id = id;
			count++;
		}
		json_t *next = json_object_get(r.json, "next");
		if (json_is_null(next)) {
			reply_free(&r);
			break;
		}
		assert_true(json_array_size(rows) == 17);
		snprintf(target, sizeof target, "%s&_after=%s", first, json_string_value(next));
		reply_free(&r);
		assert_true(pages < 100);
	}
	assert_int_equal(count, NPLACES);
	assert_int_equal(pages, (NPLACES + 16) / 17);
}

static void test_pagination_walks_whole_table(void **state)
{
	walk("/v1/tables/places?_select=id,grp&_limit=17", 0, 0);
	walk("/v1/tables/places?_select=id,grp&_limit=17&_sort=id", 0, 0);
	walk("/v1/tables/places?_select=id,grp&_limit=17&_sort_desc=id", 0, 1);
	walk("/v1/tables/places?_select=id,grp&_limit=17&_sort=grp", 1, 0);
	walk("/v1/tables/places?_select=id,grp&_limit=17&_sort_desc=grp", 1, 1);
}

static void test_pagination_composite_key(void **state)
{
	struct reply r;
	get("/v1/tables/pairs?_limit=2", &r);
	assert_int_equal(json_array_size(rows_of(&r)), 2);
	assert_str_cell(&r, 1, 0, "k");
	assert_int_cell(&r, 1, 1, 2);
	char target[256];
	snprintf(target, sizeof target, "/v1/tables/pairs?_limit=2&_after=%s",
		 json_string_value(json_object_get(r.json, "next")));
	reply_free(&r);
	get(target, &r);
	assert_int_equal(json_array_size(rows_of(&r)), 1);
	assert_str_cell(&r, 0, 0, "x,y");
	assert_true(json_is_null(json_object_get(r.json, "next")));
	reply_free(&r);
}

/* ---- formats ---- */

static void test_csv_and_ndjson_formats(void **state)
{
	struct reply r;
	get("/v1/tables/places?id=3&_select=id,name,lat,grp&_format=csv", &r);
	assert_status(&r, 200);
	assert_string_equal(r.content_type, "text/csv; charset=utf-8");
	assert_string_equal(buf_str(&r.body),
			    "id,name,lat,grp\r\n3,\"comma, \"\"quote\"\"\nline\",3.25,3\r\n");
	reply_free(&r);

	send_to(api, "GET", "/v1/tables/places/10?_select=id,lat", NULL, NULL, "text/csv", 4096, &r);
	assert_string_equal(r.content_type, "text/csv; charset=utf-8");
	assert_string_equal(buf_str(&r.body), "id,lat\r\n10,\r\n");
	reply_free(&r);

	get("/v1/tables/places/2?_select=name&_format=csv", &r); /* declared UTF-8, so it is */
	assert_string_equal(buf_str(&r.body), "name\r\nA\xEF\xBF\xBD"
					      "B\r\n");
	reply_free(&r);

	get("/v1/tables/blobs?_format=csv", &r);
	assert_string_equal(buf_str(&r.body), "id,data\r\n1,AP8Q\r\n2,\r\n3,\r\n");
	reply_free(&r);

	send_to(api, "GET", "/v1/tables/places?_select=id,lat&_limit=2", NULL, NULL, "application/x-ndjson",
		4096, &r);
	assert_string_equal(r.content_type, "application/x-ndjson");
	assert_string_equal(buf_str(&r.body), "{\"id\":1,\"lat\":47.5}\n{\"id\":2,\"lat\":2.25}\n");
	assert_non_null(strstr(buf_str(&r.headers), "X-Amber-Next: "));
	reply_free(&r);

	get("/v1/query?sql=SELECT+1+AS+a,+'x'+AS+b+UNION+ALL+SELECT+2,+NULL&_shape=objects", &r);
	assert_true(json_is_array(r.json));
	assert_int_equal(json_array_size(r.json), 2);
	assert_true(json_integer_value(json_object_get(json_array_get(r.json, 1), "a")) == 2);
	assert_true(json_is_null(json_object_get(json_array_get(r.json, 1), "b")));
	reply_free(&r);

	get("/v1/query?sql=SELECT+1&_format=xml", &r);
	assert_error(&r, 400, "bad_format");
	reply_free(&r);
}

/* ---- canned queries, meta, routes ---- */

static void test_canned_queries(void **state)
{
	struct reply r;
	get("/v1/queries/by_grp?g=4", &r);
	assert_status(&r, 200);
	assert_string_equal(r.route, "queries");
	size_t want = 0;
	for (int i = 1; i <= NPLACES; i++)
		want += i % 10 != 0 && i % 7 == 4;
	assert_int_equal(json_array_size(rows_of(&r)), want);
	assert_int_cell(&r, 0, 0, 4);
	reply_free(&r);
	get("/v1/queries/by_grp", &r);
	assert_error(&r, 400, "missing_param");
	reply_free(&r);
	get("/v1/queries/nosuch", &r);
	assert_error(&r, 404, "not_found");
	reply_free(&r);
}

static void test_meta_describes_the_database(void **state)
{
	const char *published = NULL;
	struct api *a = open_with(1000, 100, 0, 1, &published);
	struct reply r;
	send_to(a, "GET", "/v1/meta", NULL, NULL, NULL, 4096, &r);
	assert_status(&r, 200);
	assert_string_equal(r.route, "meta");
	const char *id = json_string_value(json_object_get(r.json, "identity"));
	assert_non_null(id);
	assert_int_equal(strlen(id), 64);
	assert_string_equal(id, api_identity(a));
	assert_string_equal(id, api_identity(api)); /* the same database, the same identity */
	assert_true(json_is_null(json_object_get(r.json, "sha256")));
	assert_string_equal(json_string_value(json_object_get(r.json, "amber_version")), AMBER_VERSION);
	assert_true(json_integer_value(json_object_get(r.json, "format_version")) == AMBER_FORMAT_VERSION);
	assert_string_equal(json_string_value(json_object_get(r.json, "build_time")), "1970-01-01T00:00:00Z");
	json_t *src = json_array_get(json_object_get(r.json, "sources"), 0);
	assert_string_equal(json_string_value(json_object_get(src, "name")), "places.csv");
	assert_true(json_integer_value(json_object_get(src, "size")) == 1234);
	assert_string_equal(json_string_value(json_object_get(src, "sha256")), SHA_A);
	assert_string_equal(json_string_value(json_object_get(src, "table")), "places");
	json_t *tables = json_object_get(r.json, "tables");
	assert_int_equal(json_array_size(tables), 5);
	json_t *places = NULL, *pairs = NULL;
	for (size_t i = 0; i < json_array_size(tables); i++) {
		const char *n = json_string_value(json_object_get(json_array_get(tables, i), "name"));
		if (strcmp(n, "places") == 0)
			places = json_array_get(tables, i);
		if (strcmp(n, "pairs") == 0)
			pairs = json_array_get(tables, i);
	}
	assert_non_null(places);
	assert_true(json_integer_value(json_object_get(places, "rows")) == NPLACES);
	json_t *c0 = json_array_get(json_object_get(places, "columns"), 0);
	assert_string_equal(json_string_value(json_object_get(c0, "name")), "id");
	assert_string_equal(json_string_value(json_object_get(c0, "type")), "INTEGER");
	assert_true(json_integer_value(json_object_get(c0, "pk")) == 1);
	assert_true(json_is_null(json_object_get(pairs, "rows")));
	json_t *c1 = json_array_get(json_object_get(pairs, "columns"), 1);
	assert_true(json_integer_value(json_object_get(c1, "pk")) == 2);
	json_t *queries = json_object_get(r.json, "queries");
	assert_int_equal(json_array_size(queries), 2);
	json_t *q = json_array_get(queries, 0);
	assert_string_equal(json_string_value(json_object_get(q, "name")), "by_grp");
	assert_string_equal(json_string_value(json_object_get(q, "description")), "places in a group");
	assert_string_equal(json_string_value(json_array_get(json_object_get(q, "params"), 0)), "g");
	reply_free(&r);

	published = "abcd";
	send_to(a, "GET", "/v1/meta", NULL, NULL, NULL, 4096, &r);
	assert_string_equal(json_string_value(json_object_get(r.json, "sha256")), "abcd");
	reply_free(&r);
	api_close(a);
}

static void test_unknown_routes(void **state)
{
	static const char *const paths[] = {"/",
					    "/v1",
					    "/v1/",
					    "/v1/nothing",
					    "/v1/meta/x",
					    "/v1/tables",
					    "/v1/tables/places/1/2",
					    "/v2/meta",
					    "/v1/queries"};
	for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
		struct reply r;
		get(paths[i], &r);
		assert_error(&r, 404, "not_found");
		assert_string_equal(r.route, "none");
		reply_free(&r);
	}
	struct reply r;
	send_to(api, "POST", "/v1/meta", NULL, "", NULL, 4096, &r);
	assert_error(&r, 405, "method_not_allowed");
	reply_free(&r);
}

static void test_not_an_amber_database(void **state)
{
	char path[160];
	snprintf(path, sizeof path, "%s/plain.db", dir);
	sqlite3 *db;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	exec_ok(db, "CREATE TABLE t (a)");
	sqlite3_close(db);
	struct api_config cfg = {.db_path = path, .immutable = 1};
	struct amber_error err = {0};
	assert_null(api_open(&cfg, &err));
	assert_non_null(strstr(err.message, "not an amber database"));
	unlink(path);
	cfg.db_path = "/nonexistent/amber.db";
	assert_null(api_open(&cfg, &err));
	cfg.db_path = db_path;
	cfg.immutable = 0; /* the plain read-only open works too */
	struct api *a = api_open(&cfg, &err);
	assert_non_null(a);
	api_close(a);
}

/* ---- streaming ---- */

#define BIG_SQL                                                                                              \
	"/v1/"                                                                                               \
	"query?sql=WITH+RECURSIVE+c(x)+AS+(SELECT+1+UNION+ALL+SELECT+x%2B1+FROM+c+WHERE+x<20000)+SELECT+x,+" \
	"printf('row+%25d+of+text',+x)+AS+t,+x*0.5+AS+h+FROM+c"

static void test_streaming_matches_a_whole_read(void **state)
{
	struct api *a = open_with(5000, 100000, 0, 1, NULL);
	static const char *const formats[] = {"", "&_shape=objects", "&_format=csv", "&_format=ndjson"};
	for (size_t f = 0; f < 4; f++) {
		char target[512];
		snprintf(target, sizeof target, "%s%s", BIG_SQL, formats[f]);
		struct reply small, whole;
		send_to(a, "GET", target, NULL, NULL, NULL, 100, &small);
		send_to(a, "GET", target, NULL, NULL, NULL, (size_t)1 << 30, &whole);
		assert_true(small.streamed);
		assert_int_equal(small.rows, 20000);
		assert_int_equal(whole.rows, 20000);
		assert_int_equal(small.body.len, whole.body.len);
		assert_memory_equal(small.body.data, whole.body.data, small.body.len);
		if (f == 0) {
			assert_int_equal(json_array_size(rows_of(&small)), 20000);
			assert_int_cell(&small, 19999, 0, 20000);
			assert_str_cell(&small, 19999, 1, "row 20000 of text");
			assert_true(json_is_false(json_object_get(small.json, "truncated")));
		}
		if (f == 1)
			assert_int_equal(json_array_size(small.json), 20000);
		reply_free(&small);
		reply_free(&whole);
	}
	api_close(a);

	/* Caps apply across the whole streamed response. */
	a = open_with(5000, 15000, 0, 1, NULL);
	struct reply r;
	send_to(a, "GET", BIG_SQL, NULL, NULL, NULL, 1000, &r);
	assert_true(r.streamed);
	assert_int_equal(json_array_size(rows_of(&r)), 15000);
	assert_true(json_is_true(json_object_get(r.json, "truncated")));
	reply_free(&r);
	api_close(a);

	a = open_with(5000, 100000, 200000, 1, NULL);
	send_to(a, "GET", BIG_SQL, NULL, NULL, NULL, 1000, &r);
	assert_true(r.body.len <= 200000 + 64);
	assert_true(json_array_size(rows_of(&r)) < 20000);
	assert_true(json_is_true(json_object_get(r.json, "truncated")));
	reply_free(&r);
	api_close(a);
}

static void test_big_row_streams_while_other_lookups_run(void **state)
{
	struct api_request req = {
	    .method = "GET", .path = "/v1/tables/big/1", .path_len = 16, .query = "", .query_len = 0};
	struct api_response res;
	api_handle(api, &req, &res);
	assert_int_equal(res.status, 200);
	assert_non_null(res.stream); /* 200 kB do not fit the first part */
	struct reply r;
	get("/v1/tables/big/2", &r); /* the same table's lookup meanwhile */
	assert_status(&r, 200);
	assert_str_cell(&r, 0, 1, "small");
	reply_free(&r);
	while (!api_stream_next(res.stream, &res.body, 1000, &res))
		;
	json_t *j = json_loadb(res.body.data, res.body.len, 0, NULL);
	assert_non_null(j);
	json_t *t = json_array_get(json_array_get(json_object_get(j, "rows"), 0), 1);
	assert_int_equal(json_string_length(t), 200000);
	json_decref(j);
	api_response_free(&res);
	get("/v1/tables/big/2", &r); /* and after it */
	assert_str_cell(&r, 0, 1, "small");
	reply_free(&r);
}

static void test_time_limit_mid_stream_truncates(void **state)
{
	struct api *a = open_with(200, 100000000, (uint64_t)1 << 40, 1, NULL);
	struct reply r;
	send_to(
	    a, "GET",
	    "/v1/query?sql=WITH+RECURSIVE+c(x)+AS+(SELECT+1+UNION+ALL+SELECT+x%2B1+FROM+c)+SELECT+x+FROM+c",
	    NULL, NULL, NULL, 65536, &r);
	assert_status(&r, 200);
	assert_true(r.streamed);
	assert_int_equal(r.timed_out, 1);
	assert_true(json_is_true(json_object_get(r.json, "truncated")));
	assert_true(json_array_size(rows_of(&r)) > 1000);
	reply_free(&r);
	api_close(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_row_by_integer_key_has_exact_values, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_row_objects_shape_is_one_object, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_row_absent_or_bad_key, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_row_composite_and_rowid_keys, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_invalid_utf8_becomes_replacement_character, set_up,
					    tear_down),
	    cmocka_unit_test_setup_teardown(test_blobs_are_base64_objects, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_query_get_binds_named_params, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_query_post_json_and_text, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_query_methods_and_sql_switch, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_unsafe_statements_are_refused_and_nothing_changes, set_up,
					    tear_down),
	    cmocka_unit_test_setup_teardown(test_endless_query_hits_time_limit, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_query_truncates_at_max_rows, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_table_filters_select_and_limit, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_pagination_walks_whole_table, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_pagination_composite_key, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_csv_and_ndjson_formats, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_canned_queries, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_meta_describes_the_database, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_unknown_routes, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_not_an_amber_database, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_streaming_matches_a_whole_read, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_big_row_streams_while_other_lookups_run, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_time_limit_mid_stream_truncates, set_up, tear_down),
	};
	return cmocka_run_group_tests(tests, build_fixture, remove_fixture);
}
