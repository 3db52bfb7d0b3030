/* api.c — amberd's API v1 over one read-only SQLite connection (see core/api.h).
 *
 * Every answer that holds rows is a struct api_stream: a prepared statement plus the state of
 * the document being written (format, rows so far, caps, time used). api_handle prepares and
 * binds, steps once (so that errors and "not found" still get a proper status), writes the
 * document head and the first ~64 KiB; api_stream_next continues from there. Nothing here is
 * shared between struct api instances; the only global is SQLite's one-time configuration. */
#include "core/api.h"

#include "core/digest.h"
#include "core/hex.h"
#include "core/http.h"
#include "core/value.h"
#include "formats/json.h"
#include "formats/json_read.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define API_FIRST_CHUNK	   (64 * 1024)
#define API_PROGRESS_STEPS 1000
#define API_MMAP_SIZE	   (256LL * 1024 * 1024)

enum api_affinity { AFF_TEXT, AFF_NUMERIC, AFF_INTEGER, AFF_REAL, AFF_BLOB };
enum api_format { FMT_JSON, FMT_OBJECTS, FMT_CSV, FMT_NDJSON };

struct api_column {
	char *name;
	char *type; /* declared type, "" when none */
	int pk;	    /* 1-based position in the primary key, 0 when not part of it */
	enum api_affinity aff;
};

struct api_table {
	char *name;
	struct api_column *cols;
	int ncols;
	int *key; /* column indexes of the primary key in key order; NULL: rowid */
	int nkey; /* primary key columns, or 1 for rowid */
	int64_t rows;
	int has_rows;
	sqlite3_stmt *row_st; /* the lookup by key (all columns), prepared on first use */
	int row_busy;	      /* row_st belongs to a response now */
};

struct api_query {
	char *name, *sql, *description;
	char **params;
	int nparams;
};

struct api {
	sqlite3 *db;
	const char *const *db_sha256;
	int64_t time_limit_ns;
	long max_rows;
	uint64_t max_response_bytes;
	int sql_enabled;
	char identity[DIGEST_HEX_LEN + 1];
	struct api_table *tables;
	int ntables;
	struct api_query *queries;
	int nqueries;
	struct buf meta_rest; /* the /v1/meta object after "identity" and "sha256": ",...}" */
	int64_t deadline_ns;  /* the progress handler interrupts past this */
};

struct api_stream {
	struct api *api;
	sqlite3_stmt *st;
	int *busy; /* st is a table's cached statement: reset it and clear *busy instead of finalizing */
	enum api_format fmt;
	int single;	    /* one row by key: objects shape gives a bare object */
	int ncols;	    /* output columns */
	int nkey;	    /* hidden cursor columns after them (table listings), 0 otherwise */
	long limit;	    /* rows in this response at most */
	long rows;	    /* rows written */
	uint64_t bytes;	    /* body bytes written */
	int64_t used_ns;    /* time spent stepping */
	int have_row;	    /* the statement stands on a row not written yet */
	int finished;	    /* footer written, statement finalized */
	int truncated;	    /* stopped by a cap or the time limit */
	int timed_out;	    /* stopped by the time limit */
	int failed;	    /* stopped by another SQLite error */
	char errmsg[256];   /* its message */
	struct buf next;    /* cursor of the next page, empty when none */
	struct buf scratch; /* base64 and number formatting */
};

/* ---- small helpers ---- */

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d)
		abort();
	return d;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		abort();
	return p;
}

static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Appends base64 of data; `url`: the URL alphabet without padding, else the standard one. */
static void base64_append(struct buf *out, const unsigned char *d, size_t n, int url)
{
	const char *a = url ? b64_url : b64_std;
	size_t i = 0;
	for (; i + 3 <= n; i += 3) {
		unsigned v = (unsigned)d[i] << 16 | (unsigned)d[i + 1] << 8 | d[i + 2];
		char q[4] = {a[v >> 18], a[(v >> 12) & 63], a[(v >> 6) & 63], a[v & 63]};
		buf_add(out, q, 4);
	}
	if (i < n) {
		unsigned v = (unsigned)d[i] << 16 | (i + 1 < n ? (unsigned)d[i + 1] << 8 : 0);
		buf_addc(out, a[v >> 18]);
		buf_addc(out, a[(v >> 12) & 63]);
		if (i + 1 < n)
			buf_addc(out, a[(v >> 6) & 63]);
		else if (!url)
			buf_addc(out, '=');
		if (!url)
			buf_addc(out, '=');
	}
}

/* Decodes base64 in either alphabet, padding optional. Returns 0 or -1. */
static int base64_decode(const char *s, size_t n, struct buf *out)
{
	while (n > 0 && s[n - 1] == '=')
		n--;
	if (n % 4 == 1)
		return -1;
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		const char *p = strchr(b64_std, s[i]);
		int v;
		if (s[i] && p)
			v = (int)(p - b64_std);
		else if (s[i] == '-')
			v = 62;
		else if (s[i] == '_')
			v = 63;
		else
			return -1;
		acc = (acc << 6 | (unsigned)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf_addc(out, (char)((acc >> bits) & 0xff));
		}
	}
	return 0;
}

/* Percent-decodes in[0..len) into out (reset first). Returns -1 for a bad escape or a NUL. */
static int pct_decode(const char *in, size_t len, int plus_is_space, struct buf *out)
{
	buf_reset(out);
	if (http_url_decode(in, len, plus_is_space, out) < 0)
		return -1;
	return memchr(out->data, '\0', out->len) ? -1 : 0;
}

/* The decoded query string: keys and values as C strings (NULs are refused). */
struct api_params {
	size_t n;
	char **key;
	char **val;
};

static void params_free(struct api_params *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->key[i]);
		free(p->val[i]);
	}
	free(p->key);
	free(p->val);
	memset(p, 0, sizeof *p);
}

static int params_parse(const char *q, size_t len, struct api_params *p)
{
	memset(p, 0, sizeof *p);
	size_t cap = 0;
	struct buf k = BUF_INIT, v = BUF_INIT;
	int rc = 0;
	for (size_t pos = 0; q && pos < len;) {
		const char *amp = memchr(q + pos, '&', len - pos);
		size_t end = amp ? (size_t)(amp - q) : len;
		if (end > pos) {
			const char *eq = memchr(q + pos, '=', end - pos);
			size_t kend = eq ? (size_t)(eq - q) : end;
			if (pct_decode(q + pos, kend - pos, 1, &k) < 0 ||
			    pct_decode(eq ? eq + 1 : q + end, eq ? end - kend - 1 : 0, 1, &v) < 0) {
				rc = -1;
				break;
			}
			if (p->n == cap) {
				cap = cap ? 2 * cap : 8;
				p->key = realloc(p->key, cap * sizeof *p->key);
				p->val = realloc(p->val, cap * sizeof *p->val);
				if (!p->key || !p->val)
					abort();
			}
			p->key[p->n] = xstrdup(buf_str(&k));
			p->val[p->n] = xstrdup(buf_str(&v));
			p->n++;
		}
		pos = end + 1;
	}
	buf_free(&k);
	buf_free(&v);
	return rc;
}

/* The last value given for `key`, or NULL. */
static const char *params_get(const struct api_params *p, const char *key)
{
	const char *v = NULL;
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->key[i], key) == 0)
			v = p->val[i];
	return v;
}

/* Appends "name" with embedded quotes doubled. */
/* SQLite's affinity rules on a declared type name. */
static enum api_affinity affinity_of(const char *type)
{
	char up[128];
	size_t n = 0;
	for (; type[n] && n + 1 < sizeof up; n++)
		up[n] = (char)(type[n] >= 'a' && type[n] <= 'z' ? type[n] - 32 : type[n]);
	up[n] = '\0';
	if (strstr(up, "INT"))
		return AFF_INTEGER;
	if (strstr(up, "CHAR") || strstr(up, "CLOB") || strstr(up, "TEXT"))
		return AFF_TEXT;
	if (n == 0 || strstr(up, "BLOB"))
		return AFF_BLOB;
	if (strstr(up, "REAL") || strstr(up, "FLOA") || strstr(up, "DOUB"))
		return AFF_REAL;
	return AFF_NUMERIC;
}

/* Binds text with a column's affinity: as a number when the column is numeric and it parses. */
static void bind_with_affinity(sqlite3_stmt *st, int i, const char *s, enum api_affinity aff)
{
	size_t len = strlen(s);
	int64_t n;
	double d;
	if (aff == AFF_INTEGER || aff == AFF_REAL || aff == AFF_NUMERIC) {
		if (value_parse_int64(s, len, &n) == 0) {
			sqlite3_bind_int64(st, i, n);
			return;
		}
		if (value_parse_real(s, len, &d) == 0) {
			sqlite3_bind_double(st, i, d);
			return;
		}
	}
	sqlite3_bind_text(st, i, s, (int)len, SQLITE_TRANSIENT);
}

/* ---- responses ---- */

static void response_init(struct api_response *res)
{
	memset(res, 0, sizeof *res);
	res->status = 200;
	res->content_type = "application/json";
	res->route = "none";
}

static void set_error(struct api_response *res, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void set_error(struct api_response *res, int status, const char *code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (res->stream) {
		api_stream_free(res->stream);
		res->stream = NULL;
	}
	res->status = status;
	res->content_type = "application/json";
	res->rows = 0;
	buf_reset(&res->body);
	struct json_writer w;
	json_writer_init(&w, &res->body);
	json_object_begin(&w);
	json_key(&w, "error");
	json_object_begin(&w);
	json_kv_string(&w, "code", code);
	json_kv_string(&w, "message", msg);
	json_object_end(&w);
	json_object_end(&w);
}

static void method_not_allowed(struct api_response *res, const char *method, const char *allow)
{
	buf_addf(&res->headers, "Allow: %s\r\n", allow);
	set_error(res, 405, "method_not_allowed", "method %s is not allowed here (allowed: %s)", method,
		  allow);
}

/* ---- SQLite setup ---- */

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void global_init_once(void)
{
	/* Memory statistics take a global mutex on every allocation; off, threads scale. Fails
	 * harmlessly (SQLITE_MISUSE) when SQLite was already initialised, e.g. in tests. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	sqlite3_initialize();
}

void api_global_init(void)
{
	pthread_once(&global_once, global_init_once);
}

static int progress_check(void *arg)
{
	struct api *api = arg;
	return now_ns() >= api->deadline_ns;
}

/* Functions that reach outside the database or into SQLite's internals. */
static const char *const denied_functions[] = {"load_extension",
					       "readfile",
					       "writefile",
					       "edit",
					       "fts3_tokenizer",
					       "fts5",
					       "zipfile",
					       "sqlar_compress",
					       "sqlar_uncompress",
					       "sqlite_rename_column",
					       "sqlite_rename_table",
					       "sqlite_rename_test",
					       "sqlite_drop_column",
					       "sqlite_rename_quotefix",
					       "shell_add_schema",
					       "lsmode",
					       "realpath",
					       NULL};

/* Read-only pragmas that only describe the schema. */
static const char *const allowed_pragmas[] = {"table_info",  "table_xinfo",	 "index_list", "index_info",
					      "index_xinfo", "foreign_key_list", NULL};

static int authorize(void *arg, int action, const char *a1, const char *a2, const char *db,
		     const char *trigger)
{
	(void)arg;
	(void)db;
	(void)trigger;
	switch (action) {
	case SQLITE_SELECT:
	case SQLITE_READ:
	case SQLITE_RECURSIVE:
		return SQLITE_OK;
	case SQLITE_FUNCTION:
		for (int i = 0; denied_functions[i]; i++)
			if (a2 && strcasecmp(a2, denied_functions[i]) == 0)
				return SQLITE_DENY;
		return SQLITE_OK;
	case SQLITE_PRAGMA:
		for (int i = 0; allowed_pragmas[i]; i++)
			if (a1 && strcasecmp(a1, allowed_pragmas[i]) == 0)
				return SQLITE_OK;
		return SQLITE_DENY;
	default:
		return SQLITE_DENY;
	}
}

static void set_limits(sqlite3 *db)
{
	sqlite3_limit(db, SQLITE_LIMIT_SQL_LENGTH, 100000);
	sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 100 * 1000 * 1000);
	sqlite3_limit(db, SQLITE_LIMIT_COLUMN, 2000);
	sqlite3_limit(db, SQLITE_LIMIT_EXPR_DEPTH, 100);
	sqlite3_limit(db, SQLITE_LIMIT_COMPOUND_SELECT, 50);
	sqlite3_limit(db, SQLITE_LIMIT_VDBE_OP, 250000);
	sqlite3_limit(db, SQLITE_LIMIT_FUNCTION_ARG, 32);
	sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
	sqlite3_limit(db, SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 1000);
	sqlite3_limit(db, SQLITE_LIMIT_VARIABLE_NUMBER, 250);
	sqlite3_limit(db, SQLITE_LIMIT_TRIGGER_DEPTH, 1);
}

/* ---- reading what the database says about itself ---- */

struct meta_row {
	char *key;
	char *value;
	int is_int;
	int64_t num;
};

static const struct meta_row *meta_find(const struct meta_row *m, int n, const char *key)
{
	for (int i = 0; i < n; i++)
		if (strcmp(m[i].key, key) == 0)
			return &m[i];
	return NULL;
}

static void meta_value_json(struct json_writer *w, const struct meta_row *r, int as_number)
{
	int64_t n;
	if (!r)
		json_null_value(w);
	else if (r->is_int)
		json_int64(w, r->num);
	else if (as_number && value_parse_int64(r->value, strlen(r->value), &n) == 0)
		json_int64(w, n);
	else
		json_str(w, r->value);
}

static int read_meta(struct api *api, struct meta_row **out, int *nout, struct amber_error *err,
		     const char *path)
{
	sqlite3_stmt *st;
	*out = NULL;
	*nout = 0;
	if (sqlite3_prepare_v2(api->db, "SELECT key, value FROM _amber_meta ORDER BY key", -1, &st, NULL) !=
	    SQLITE_OK) {
		const char *msg = sqlite3_errmsg(api->db);
		if (strstr(msg, "no such table"))
			return amber_error_at(
			    err, path, 0, 0,
			    "not an amber database (no _amber_meta table); build one with amber");
		return amber_error_at(err, path, 0, 0, "cannot read the database: %s", msg);
	}
	struct digest_sha256 d;
	digest_sha256_init(&d);
	int cap = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*nout == cap) {
			cap = cap ? 2 * cap : 32;
			*out = realloc(*out, (size_t)cap * sizeof **out);
			if (!*out)
				abort();
		}
		struct meta_row *r = &(*out)[(*nout)++];
		const char *k = (const char *)sqlite3_column_text(st, 0);
		r->key = xstrdup(k);
		r->is_int = sqlite3_column_type(st, 1) == SQLITE_INTEGER;
		r->num = sqlite3_column_int64(st, 1);
		const char *v = (const char *)sqlite3_column_text(st, 1);
		r->value = xstrdup(v);
		digest_sha256_update(&d, r->key, strlen(r->key) + 1);
		digest_sha256_update(&d, r->value, strlen(r->value) + 1);
	}
	sqlite3_finalize(st);
	digest_sha256_hex(&d, api->identity);
	if (rc != SQLITE_DONE)
		return amber_error_at(err, path, 0, 0, "cannot read _amber_meta: %s",
				      sqlite3_errmsg(api->db));
	if (!meta_find(*out, *nout, "format_version"))
		return amber_error_at(err, path, 0, 0,
				      "not an amber database (_amber_meta has no format_version)");
	return 0;
}

static int read_schema(struct api *api, const struct meta_row *meta, int nmeta, struct amber_error *err,
		       const char *path)
{
	sqlite3_stmt *st, *cols;
	if (sqlite3_prepare_v2(
		api->db,
		"SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
		"ESCAPE '\\' AND name NOT LIKE '\\_amber\\_%' ESCAPE '\\' ORDER BY name",
		-1, &st, NULL) != SQLITE_OK)
		return amber_error_at(err, path, 0, 0, "cannot read the schema: %s", sqlite3_errmsg(api->db));
	if (sqlite3_prepare_v2(api->db, "SELECT name, type, pk FROM pragma_table_xinfo(?) WHERE hidden != 1",
			       -1, &cols, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return amber_error_at(err, path, 0, 0, "cannot read the schema: %s", sqlite3_errmsg(api->db));
	}
	int cap = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (api->ntables == cap) {
			cap = cap ? 2 * cap : 16;
			api->tables = realloc(api->tables, (size_t)cap * sizeof *api->tables);
			if (!api->tables)
				abort();
		}
		struct api_table *t = &api->tables[api->ntables++];
		memset(t, 0, sizeof *t);
		t->name = xstrdup((const char *)sqlite3_column_text(st, 0));
		sqlite3_bind_text(cols, 1, t->name, -1, SQLITE_STATIC);
		int ccap = 0;
		while (sqlite3_step(cols) == SQLITE_ROW) {
			if (t->ncols == ccap) {
				ccap = ccap ? 2 * ccap : 16;
				t->cols = realloc(t->cols, (size_t)ccap * sizeof *t->cols);
				if (!t->cols)
					abort();
			}
			struct api_column *c = &t->cols[t->ncols++];
			c->name = xstrdup((const char *)sqlite3_column_text(cols, 0));
			c->type = xstrdup((const char *)sqlite3_column_text(cols, 1));
			c->pk = sqlite3_column_int(cols, 2);
			c->aff = affinity_of(c->type);
			if (c->pk > t->nkey)
				t->nkey = c->pk;
		}
		sqlite3_reset(cols);
		if (t->nkey > 0) {
			t->key = xcalloc((size_t)t->nkey, sizeof *t->key);
			for (int i = 0; i < t->ncols; i++)
				if (t->cols[i].pk > 0)
					t->key[t->cols[i].pk - 1] = i;
		} else {
			t->nkey = 1; /* rowid */
		}
		struct buf key = BUF_INIT;
		buf_addf(&key, "table.%s.rows", t->name);
		const struct meta_row *r = meta_find(meta, nmeta, key.data);
		buf_free(&key);
		int64_t n;
		if (r && (r->is_int || value_parse_int64(r->value, strlen(r->value), &n) == 0)) {
			t->has_rows = 1;
			t->rows = r->is_int ? r->num : n;
		}
	}
	sqlite3_finalize(st);
	sqlite3_finalize(cols);
	if (rc != SQLITE_DONE)
		return amber_error_at(err, path, 0, 0, "cannot read the schema: %s", sqlite3_errmsg(api->db));
	return 0;
}

/* Names of a statement's parameters without their ':', '@' or '$' ("?" ones have none). */
static void statement_params(sqlite3_stmt *st, char ***names, int *n)
{
	int count = sqlite3_bind_parameter_count(st);
	*names = xcalloc((size_t)count, sizeof **names);
	*n = 0;
	for (int i = 1; i <= count; i++) {
		const char *p = sqlite3_bind_parameter_name(st, i);
		if (p)
			(*names)[(*n)++] = xstrdup(p + 1);
	}
}

static int read_queries(struct api *api, struct amber_error *err, const char *path)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(api->db, "SELECT name, sql, description FROM _amber_queries ORDER BY name", -1,
			       &st, NULL) != SQLITE_OK)
		return 0; /* an older database without canned queries */
	int cap = 0, rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (api->nqueries == cap) {
			cap = cap ? 2 * cap : 8;
			api->queries = realloc(api->queries, (size_t)cap * sizeof *api->queries);
			if (!api->queries)
				abort();
		}
		struct api_query *q = &api->queries[api->nqueries++];
		memset(q, 0, sizeof *q);
		q->name = xstrdup((const char *)sqlite3_column_text(st, 0));
		q->sql = xstrdup((const char *)sqlite3_column_text(st, 1));
		q->description = xstrdup((const char *)sqlite3_column_text(st, 2));
		sqlite3_stmt *qs;
		if (sqlite3_prepare_v2(api->db, q->sql, -1, &qs, NULL) == SQLITE_OK && qs) {
			statement_params(qs, &q->params, &q->nparams);
			sqlite3_finalize(qs);
		} else {
			q->params = xcalloc(1, sizeof *q->params); /* reported when called */
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return amber_error_at(err, path, 0, 0, "cannot read _amber_queries: %s",
				      sqlite3_errmsg(api->db));
	return 0;
}

/* Writes everything /v1/meta says after "sha256", as ",...}" */
static void build_meta(struct api *api, const struct meta_row *meta, int nmeta)
{
	struct buf b = BUF_INIT;
	struct json_writer w;
	json_writer_init(&w, &b);
	json_object_begin(&w);
	json_key(&w, "amber_version");
	meta_value_json(&w, meta_find(meta, nmeta, "amber_version"), 0);
	json_key(&w, "format_version");
	meta_value_json(&w, meta_find(meta, nmeta, "format_version"), 1);
	json_key(&w, "sqlite_version");
	meta_value_json(&w, meta_find(meta, nmeta, "sqlite_version"), 0);
	json_key(&w, "build_time");
	meta_value_json(&w, meta_find(meta, nmeta, "build_time"), 0);
	json_key(&w, "sources");
	json_array_begin(&w);
	for (int i = 1;; i++) {
		char key[64];
		snprintf(key, sizeof key, "source.%d.name", i);
		if (!meta_find(meta, nmeta, key))
			break;
		static const char *const fields[] = {"name", "size", "sha256", "compression", "table"};
		json_object_begin(&w);
		for (size_t f = 0; f < sizeof fields / sizeof *fields; f++) {
			snprintf(key, sizeof key, "source.%d.%s", i, fields[f]);
			json_key(&w, fields[f]);
			meta_value_json(&w, meta_find(meta, nmeta, key), f == 1);
		}
		json_object_end(&w);
	}
	json_array_end(&w);
	json_key(&w, "tables");
	json_array_begin(&w);
	for (int i = 0; i < api->ntables; i++) {
		const struct api_table *t = &api->tables[i];
		json_object_begin(&w);
		json_kv_string(&w, "name", t->name);
		if (t->has_rows)
			json_kv_int64(&w, "rows", t->rows);
		else
			json_kv_null(&w, "rows");
		json_key(&w, "columns");
		json_array_begin(&w);
		for (int c = 0; c < t->ncols; c++) {
			json_object_begin(&w);
			json_kv_string(&w, "name", t->cols[c].name);
			json_kv_string(&w, "type", t->cols[c].type);
			json_kv_int64(&w, "pk", t->cols[c].pk);
			json_object_end(&w);
		}
		json_array_end(&w);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_key(&w, "queries");
	json_array_begin(&w);
	for (int i = 0; i < api->nqueries; i++) {
		const struct api_query *q = &api->queries[i];
		json_object_begin(&w);
		json_kv_string(&w, "name", q->name);
		json_kv_string(&w, "description", q->description);
		json_key(&w, "params");
		json_array_begin(&w);
		for (int p = 0; p < q->nparams; p++)
			json_str(&w, q->params[p]);
		json_array_end(&w);
		json_object_end(&w);
	}
	json_array_end(&w);
	json_object_end(&w);
	buf_adds(&api->meta_rest, ",");
	buf_add(&api->meta_rest, b.data + 1, b.len - 1);
	buf_free(&b);
}

struct api *api_open(const struct api_config *cfg, struct amber_error *err)
{
	api_global_init();
	struct api *api = xcalloc(1, sizeof *api);
	api->db_sha256 = cfg->db_sha256;
	api->time_limit_ns = (int64_t)(cfg->time_limit_ms > 0 ? cfg->time_limit_ms : 1000) * 1000000;
	api->max_rows = cfg->max_rows > 0 ? cfg->max_rows : 1000;
	api->max_response_bytes = cfg->max_response_bytes ? cfg->max_response_bytes : 16u << 20;
	api->sql_enabled = cfg->sql_enabled;
	api->deadline_ns = INT64_MAX;

	struct buf uri = BUF_INIT;
	buf_adds(&uri, "file:");
	for (const char *c = cfg->db_path; *c; c++) {
		if (*c == '?' || *c == '#' || *c == '%')
			buf_addf(&uri, "%%%02X", (unsigned char)*c);
		else
			buf_addc(&uri, *c);
	}
	buf_adds(&uri, cfg->immutable ? "?immutable=1" : "?mode=ro");
	int rc = sqlite3_open_v2(uri.data, &api->db,
				 SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
	buf_free(&uri);
	if (rc != SQLITE_OK) {
		amber_error_at(err, cfg->db_path, 0, 0, "cannot open: %s",
			       api->db ? sqlite3_errmsg(api->db) : "out of memory");
		api_close(api);
		return NULL;
	}
	sqlite3_db_config(api->db, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
	sqlite3_db_config(api->db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, NULL);
	sqlite3_db_config(api->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, NULL);
	sqlite3_exec(api->db, "PRAGMA temp_store=MEMORY", NULL, NULL, NULL);
	char pragma[64];
	snprintf(pragma, sizeof pragma, "PRAGMA mmap_size=%lld", API_MMAP_SIZE);
	sqlite3_exec(api->db, pragma, NULL, NULL, NULL);

	struct meta_row *meta = NULL;
	int nmeta = 0;
	rc = read_meta(api, &meta, &nmeta, err, cfg->db_path);
	if (rc == 0)
		rc = read_schema(api, meta, nmeta, err, cfg->db_path);
	if (rc == 0)
		rc = read_queries(api, err, cfg->db_path);
	if (rc == 0)
		build_meta(api, meta, nmeta);
	for (int i = 0; i < nmeta; i++) {
		free(meta[i].key);
		free(meta[i].value);
	}
	free(meta);
	if (rc != 0) {
		api_close(api);
		return NULL;
	}
	set_limits(api->db);
	sqlite3_progress_handler(api->db, API_PROGRESS_STEPS, progress_check, api);
	sqlite3_set_authorizer(api->db, authorize, api);
	return api;
}

void api_close(struct api *api)
{
	if (!api)
		return;
	for (int i = 0; i < api->ntables; i++)
		sqlite3_finalize(api->tables[i].row_st);
	sqlite3_close_v2(api->db);
	for (int i = 0; i < api->ntables; i++) {
		struct api_table *t = &api->tables[i];
		for (int c = 0; c < t->ncols; c++) {
			free(t->cols[c].name);
			free(t->cols[c].type);
		}
		free(t->cols);
		free(t->key);
		free(t->name);
	}
	free(api->tables);
	for (int i = 0; i < api->nqueries; i++) {
		struct api_query *q = &api->queries[i];
		for (int p = 0; p < q->nparams; p++)
			free(q->params[p]);
		free(q->params);
		free(q->name);
		free(q->sql);
		free(q->description);
	}
	free(api->queries);
	buf_free(&api->meta_rest);
	free(api);
}

const char *api_identity(const struct api *api)
{
	return api->identity;
}

/* ---- writing rows ---- */

static void value_json(struct api_stream *s, struct json_writer *w, int i)
{
	sqlite3_stmt *st = s->st;
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		json_int64(w, sqlite3_column_int64(st, i));
		break;
	case SQLITE_FLOAT:
		json_double(w, sqlite3_column_double(st, i));
		break;
	case SQLITE_TEXT: {
		const char *t = (const char *)sqlite3_column_text(st, i);
		json_str_n(w, t, (size_t)sqlite3_column_bytes(st, i));
		break;
	}
	case SQLITE_BLOB: {
		const void *b = sqlite3_column_blob(st, i);
		buf_reset(&s->scratch);
		base64_append(&s->scratch, b, (size_t)sqlite3_column_bytes(st, i), 0);
		json_object_begin(w);
		json_key(w, "$base64");
		json_str_n(w, buf_str(&s->scratch), s->scratch.len);
		json_object_end(w);
		break;
	}
	default:
		json_null_value(w);
	}
}

static void csv_field(struct buf *out, const char *t, size_t n)
{
	int quote = 0;
	for (size_t i = 0; i < n && !quote; i++)
		quote = t[i] == ',' || t[i] == '"' || t[i] == '\r' || t[i] == '\n';
	if (!quote) {
		buf_add(out, t, n);
		return;
	}
	buf_add_quoted(out, t, n);
}

static void value_csv(struct api_stream *s, struct buf *out, int i)
{
	sqlite3_stmt *st = s->st;
	switch (sqlite3_column_type(st, i)) {
	case SQLITE_INTEGER:
		buf_addf(out, "%lld", (long long)sqlite3_column_int64(st, i));
		break;
	case SQLITE_FLOAT: {
		struct json_writer w;
		buf_reset(&s->scratch);
		json_writer_init(&w, &s->scratch);
		json_double(&w, sqlite3_column_double(st, i));
		buf_add(out, s->scratch.data, s->scratch.len);
		break;
	}
	case SQLITE_TEXT: {
		const char *t = (const char *)sqlite3_column_text(st, i);
		size_t n = (size_t)sqlite3_column_bytes(st, i);
		size_t bad = utf8_invalid_offset(t, n);
		if (bad < n) {
			/* The body is declared UTF-8: each invalid byte becomes U+FFFD. */
			buf_reset(&s->scratch);
			while (bad < n) {
				buf_add(&s->scratch, t, bad);
				buf_adds(&s->scratch, "\xEF\xBF\xBD");
				t += bad + 1;
				n -= bad + 1;
				bad = utf8_invalid_offset(t, n);
			}
			buf_add(&s->scratch, t, n);
			t = s->scratch.data;
			n = s->scratch.len;
		}
		csv_field(out, t, n);
		break;
	}
	case SQLITE_BLOB:
		base64_append(out, sqlite3_column_blob(st, i), (size_t)sqlite3_column_bytes(st, i), 0);
		break;
	default:
		break;
	}
}

static void write_object(struct api_stream *s, struct buf *out)
{
	struct json_writer w;
	json_writer_init(&w, out);
	json_object_begin(&w);
	for (int i = 0; i < s->ncols; i++) {
		json_key(&w, sqlite3_column_name(s->st, i));
		value_json(s, &w, i);
	}
	json_object_end(&w);
}

static void write_head(struct api_stream *s, struct buf *out)
{
	size_t start = out->len;
	switch (s->fmt) {
	case FMT_JSON: {
		buf_adds(out, "{\"columns\":");
		struct json_writer w;
		json_writer_init(&w, out);
		json_array_begin(&w);
		for (int i = 0; i < s->ncols; i++)
			json_str(&w, sqlite3_column_name(s->st, i));
		json_array_end(&w);
		buf_adds(out, ",\"rows\":[");
		break;
	}
	case FMT_OBJECTS:
		if (!s->single)
			buf_addc(out, '[');
		break;
	case FMT_CSV:
		for (int i = 0; i < s->ncols; i++) {
			const char *n = sqlite3_column_name(s->st, i);
			if (i)
				buf_addc(out, ',');
			csv_field(out, n, strlen(n));
		}
		buf_adds(out, "\r\n");
		break;
	case FMT_NDJSON:
		break;
	}
	s->bytes += out->len - start;
}

static void write_row(struct api_stream *s, struct buf *out)
{
	switch (s->fmt) {
	case FMT_JSON: {
		if (s->rows)
			buf_addc(out, ',');
		struct json_writer w;
		json_writer_init(&w, out);
		json_array_begin(&w);
		for (int i = 0; i < s->ncols; i++)
			value_json(s, &w, i);
		json_array_end(&w);
		break;
	}
	case FMT_OBJECTS:
		if (s->rows)
			buf_addc(out, ',');
		write_object(s, out);
		break;
	case FMT_CSV:
		for (int i = 0; i < s->ncols; i++) {
			if (i)
				buf_addc(out, ',');
			value_csv(s, out, i);
		}
		buf_adds(out, "\r\n");
		break;
	case FMT_NDJSON:
		write_object(s, out);
		buf_addc(out, '\n');
		break;
	}
}

/* The cursor after the current row: base64url of a JSON array of its hidden key columns; text
 * that is not valid UTF-8 goes as {"$text64":...} so that it survives exactly. */
static void make_cursor(struct api_stream *s)
{
	struct buf json = BUF_INIT;
	struct json_writer w;
	json_writer_init(&w, &json);
	json_array_begin(&w);
	for (int i = s->ncols; i < s->ncols + s->nkey; i++) {
		if (sqlite3_column_type(s->st, i) == SQLITE_TEXT) {
			const char *t = (const char *)sqlite3_column_text(s->st, i);
			size_t n = (size_t)sqlite3_column_bytes(s->st, i);
			if (utf8_invalid_offset(t, n) != n || memchr(t, '\0', n)) {
				buf_reset(&s->scratch);
				base64_append(&s->scratch, (const unsigned char *)t, n, 0);
				json_object_begin(&w);
				json_key(&w, "$text64");
				json_str(&w, buf_str(&s->scratch));
				json_object_end(&w);
				continue;
			}
		}
		value_json(s, &w, i);
	}
	json_array_end(&w);
	buf_reset(&s->next);
	base64_append(&s->next, (const unsigned char *)json.data, json.len, 1);
	buf_free(&json);
}

static void release_statement(struct api_stream *s)
{
	if (s->busy) {
		sqlite3_reset(s->st);
		sqlite3_clear_bindings(s->st);
		*s->busy = 0;
		s->busy = NULL;
	} else {
		sqlite3_finalize(s->st);
	}
	s->st = NULL;
}

static void finish(struct api_stream *s, struct buf *out)
{
	size_t start = out->len;
	if (s->fmt == FMT_JSON) {
		buf_addf(out, "],\"truncated\":%s,\"next\":", s->truncated ? "true" : "false");
		if (s->next.len) {
			buf_addc(out, '"');
			buf_add(out, s->next.data, s->next.len);
			buf_addc(out, '"');
		} else {
			buf_adds(out, "null");
		}
		buf_addc(out, '}');
	} else if (s->fmt == FMT_OBJECTS && !s->single) {
		buf_addc(out, ']');
	}
	s->bytes += out->len - start;
	release_statement(s);
	s->finished = 1;
}

/* Steps the statement, honouring the time left. Returns SQLite's code. */
static int step(struct api_stream *s)
{
	int64_t t0 = now_ns();
	int64_t left = s->api->time_limit_ns - s->used_ns;
	s->api->deadline_ns = t0 + (left > 0 ? left : 0);
	int rc = sqlite3_step(s->st);
	s->api->deadline_ns = INT64_MAX;
	s->used_ns += now_ns() - t0;
	if (rc == SQLITE_ROW) {
		s->have_row = 1;
	} else if (rc != SQLITE_DONE) {
		if (rc == SQLITE_INTERRUPT)
			s->timed_out = 1;
		else
			s->failed = 1;
		snprintf(s->errmsg, sizeof s->errmsg, "%s", sqlite3_errmsg(sqlite3_db_handle(s->st)));
	}
	return rc;
}

/* Writes rows until `want` more bytes are in `out` or the document ends. Returns 1 at the end. */
static int fill(struct api_stream *s, struct buf *out, size_t want, struct api_response *res)
{
	size_t start = out->len;
	while (!s->finished) {
		if (!s->have_row && step(s) != SQLITE_ROW) {
			if (s->timed_out || s->failed)
				s->truncated = 1;
			finish(s, out);
			break;
		}
		if (s->rows >= s->limit) {
			if (!s->nkey)
				s->truncated = 1; /* table listings continue through `next` instead */
			finish(s, out);
			break;
		}
		size_t before = out->len;
		write_row(s, out);
		if (s->bytes + (out->len - before) > s->api->max_response_bytes) {
			out->len = before;
			out->data[before] = '\0';
			s->truncated = 1;
			buf_reset(&s->next);
			finish(s, out);
			break;
		}
		s->bytes += out->len - before;
		s->rows++;
		if (res)
			res->rows++;
		if (s->nkey && s->rows == s->limit)
			make_cursor(s);
		s->have_row = 0;
		if (out->len - start >= want)
			break;
	}
	if (res && s->timed_out)
		res->timed_out = 1;
	return s->finished;
}

int api_stream_next(struct api_stream *s, struct buf *out, size_t want, struct api_response *res)
{
	return fill(s, out, want ? want : 1, res);
}

void api_stream_free(struct api_stream *s)
{
	if (!s)
		return;
	release_statement(s);
	buf_free(&s->next);
	buf_free(&s->scratch);
	free(s);
}

void api_response_free(struct api_response *res)
{
	buf_free(&res->headers);
	buf_free(&res->body);
	api_stream_free(res->stream);
	res->stream = NULL;
}

/* ---- preparing statements ---- */

/* Skips spaces and SQL comments; returns where something else begins. */
static const char *skip_space(const char *p)
{
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v')
			p++;
		if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				p++;
		} else if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");
			p = e ? e + 2 : p + strlen(p);
		} else {
			return p;
		}
	}
}

/* Prepares user SQL: one statement, a read. Returns NULL after setting an error response. */
static sqlite3_stmt *prepare_user(struct api *api, const char *sql, struct api_response *res)
{
	const char *p = skip_space(sql);
	size_t kw = 0;
	while ((p[kw] >= 'a' && p[kw] <= 'z') || (p[kw] >= 'A' && p[kw] <= 'Z'))
		kw++;
	sqlite3_stmt *st = NULL;
	const char *tail = NULL;
	int rc = sqlite3_prepare_v2(api->db, sql, -1, &st, &tail);
	if (rc != SQLITE_OK) {
		/* A denied function is reported as a plain error, "not authorized to use function". */
		if (rc == SQLITE_AUTH || strstr(sqlite3_errmsg(api->db), "not authorized"))
			set_error(res, 403, "not_a_read", "only reads are allowed: %s",
				  sqlite3_errmsg(api->db));
		else
			set_error(res, 400, "bad_sql", "%s", sqlite3_errmsg(api->db));
		return NULL;
	}
	if (!st) {
		set_error(res, 400, "bad_sql", "the SQL text holds no statement");
		return NULL;
	}
	if (tail && *skip_space(tail)) {
		sqlite3_finalize(st);
		set_error(res, 400, "multiple_statements", "the SQL text must hold exactly one statement");
		return NULL;
	}
	int known =
	    (kw == 6 && strncasecmp(p, "select", 6) == 0) || (kw == 4 && strncasecmp(p, "with", 4) == 0) ||
	    (kw == 6 && strncasecmp(p, "values", 6) == 0) || (kw == 6 && strncasecmp(p, "pragma", 6) == 0);
	if (!sqlite3_stmt_readonly(st) || !known) {
		sqlite3_finalize(st);
		set_error(res, 403, "not_a_read", "only SELECT, WITH, VALUES and schema PRAGMAs are allowed");
		return NULL;
	}
	return st;
}

/* Binds a JSON number, string, boolean (as 1 or 0) or null. 0 when `v` is none of these. */
static int bind_json_scalar(sqlite3_stmt *st, int i, const struct json_value *v)
{
	switch (v->type) {
	case JSONV_INT:
		sqlite3_bind_int64(st, i, v->u.i);
		return 1;
	case JSONV_REAL:
		sqlite3_bind_double(st, i, v->u.d);
		return 1;
	case JSONV_STRING:
		sqlite3_bind_text(st, i, v->u.s, (int)v->len, SQLITE_TRANSIENT);
		return 1;
	case JSONV_TRUE:
	case JSONV_FALSE:
		sqlite3_bind_int(st, i, v->type == JSONV_TRUE);
		return 1;
	case JSONV_NULL:
		sqlite3_bind_null(st, i);
		return 1;
	default:
		return 0;
	}
}

/* Binds named parameters from the query string (text) or a JSON object. Returns 0, or -1 after
 * setting an error response. Reserved names (sql, _*) never come from the query string. */
static int bind_params(sqlite3_stmt *st, const struct api_params *qp, const struct json_value *jp,
		       struct api_response *res)
{
	int n = sqlite3_bind_parameter_count(st);
	for (int i = 1; i <= n; i++) {
		const char *name = sqlite3_bind_parameter_name(st, i);
		if (!name) {
			set_error(res, 400, "bad_params",
				  "positional parameters (?) are not supported; use :name");
			return -1;
		}
		const char *key = name + 1;
		if (jp) {
			const struct json_value *v = json_get(jp, key);
			if (!v)
				goto missing;
			if (!bind_json_scalar(st, i, v)) {
				set_error(res, 400, "bad_params",
					  "parameter %s must be a number, string, boolean or null", key);
				return -1;
			}
			continue;
		}
		const char *v = key[0] == '_' || strcmp(key, "sql") == 0 ? NULL : params_get(qp, key);
		if (!v)
			goto missing;
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
		continue;
	missing:
		set_error(res, 400, "missing_param", "parameter %s is used by the query but not given", name);
		return -1;
	}
	return 0;
}

/* Chooses the format from _format/_shape, else the Accept header. Returns -1 after an error. */
static int choose_format(const struct api_params *qp, const struct api_request *req, enum api_format *fmt,
			 struct api_response *res)
{
	const char *f = params_get(qp, "_format");
	const char *shape = params_get(qp, "_shape");
	*fmt = FMT_JSON;
	if (f) {
		if (strcmp(f, "csv") == 0)
			*fmt = FMT_CSV;
		else if (strcmp(f, "ndjson") == 0)
			*fmt = FMT_NDJSON;
		else if (strcmp(f, "json") != 0) {
			set_error(res, 400, "bad_format", "_format must be json, csv or ndjson");
			return -1;
		}
	} else if (req->accept) {
		char acc[512];
		size_t n = req->accept_len < sizeof acc - 1 ? req->accept_len : sizeof acc - 1;
		memcpy(acc, req->accept, n);
		acc[n] = '\0';
		if (strcasestr(acc, "text/csv"))
			*fmt = FMT_CSV;
		else if (strcasestr(acc, "application/x-ndjson"))
			*fmt = FMT_NDJSON;
	}
	if (shape) {
		if (strcmp(shape, "objects") == 0) {
			if (*fmt == FMT_JSON)
				*fmt = FMT_OBJECTS;
		} else if (strcmp(shape, "arrays") != 0) {
			set_error(res, 400, "bad_shape", "_shape must be arrays or objects");
			return -1;
		}
	}
	switch (*fmt) {
	case FMT_CSV:
		res->content_type = "text/csv; charset=utf-8";
		break;
	case FMT_NDJSON:
		res->content_type = "application/x-ndjson";
		break;
	default:
		res->content_type = "application/json";
	}
	return 0;
}

/* Nothing has been sent yet: frees the stream and answers its time-out or SQL error instead. */
static void fail_stream(struct api *api, struct api_stream *s, struct api_response *res)
{
	int timed = s->timed_out;
	char msg[256];
	snprintf(msg, sizeof msg, "%s", s->errmsg);
	api_stream_free(s);
	if (timed) {
		res->timed_out = 1;
		set_error(res, 503, "time_limit", "the query ran past the time limit of %lld ms",
			  (long long)(api->time_limit_ns / 1000000));
	} else {
		set_error(res, 400, "sql_error", "%s", msg);
	}
}

/* Runs a bound statement into the response (takes the statement). `nkey` hidden columns;
 * `single`: one row by key, 404 when there is none. */
static void run(struct api *api, sqlite3_stmt *st, int *busy, enum api_format fmt, int nkey, long limit,
		int single, struct api_response *res)
{
	struct api_stream *s = xcalloc(1, sizeof *s);
	s->api = api;
	s->st = st;
	s->busy = busy;
	s->fmt = fmt;
	s->single = single;
	s->nkey = nkey;
	s->ncols = sqlite3_column_count(st) - nkey;
	s->limit = limit;
	int rc = step(s);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		fail_stream(api, s, res);
		return;
	}
	if (rc == SQLITE_DONE && single) {
		api_stream_free(s);
		set_error(res, 404, "not_found", "no row has this key");
		return;
	}
	write_head(s, &res->body);
	fill(s, &res->body, API_FIRST_CHUNK, res);
	if (s->finished && (s->timed_out || s->failed)) {
		/* Nothing has been sent yet: answer with the error instead. */
		fail_stream(api, s, res);
		return;
	}
	if (!s->finished) {
		res->stream = s;
		return;
	}
	if (s->truncated)
		buf_adds(&res->headers, "X-Amber-Truncated: true\r\n");
	if (s->next.len)
		buf_addf(&res->headers, "X-Amber-Next: %s\r\n", s->next.data);
	api_stream_free(s);
}

/* ---- routes ---- */

static struct api_table *find_table(struct api *api, const char *name)
{
	for (int i = 0; i < api->ntables; i++)
		if (strcmp(api->tables[i].name, name) == 0)
			return &api->tables[i];
	return NULL;
}

static int find_column(const struct api_table *t, const char *name)
{
	for (int i = 0; i < t->ncols; i++)
		if (strcasecmp(t->cols[i].name, name) == 0)
			return i;
	return -1;
}

static void add_key_name(struct buf *sql, const struct api_table *t, int k)
{
	if (t->key)
		buf_add_ident(sql, t->cols[t->key[k]].name);
	else
		buf_adds(sql, "rowid");
}

static enum api_affinity key_affinity(const struct api_table *t, int k)
{
	return t->key ? t->cols[t->key[k]].aff : AFF_INTEGER;
}

/* Appends the output column list (from _select, else every column). -1 after an error. */
static int add_select(struct buf *sql, const struct api_table *t, const struct api_params *qp,
		      struct api_response *res)
{
	const char *sel = params_get(qp, "_select");
	if (!sel || !*sel) {
		for (int i = 0; i < t->ncols; i++) {
			if (i)
				buf_adds(sql, ", ");
			buf_add_ident(sql, t->cols[i].name);
		}
		return 0;
	}
	for (const char *p = sel;;) {
		const char *comma = strchr(p, ',');
		size_t n = comma ? (size_t)(comma - p) : strlen(p);
		char name[256];
		snprintf(name, sizeof name, "%.*s", (int)(n < 255 ? n : 255), p);
		int c = find_column(t, name);
		if (c < 0) {
			set_error(res, 400, "unknown_column", "table %s has no column \"%s\"", t->name, name);
			return -1;
		}
		if (p != sel)
			buf_adds(sql, ", ");
		buf_add_ident(sql, t->cols[c].name);
		if (!comma)
			break;
		p = comma + 1;
	}
	return 0;
}

static void bind_json_value(sqlite3_stmt *st, int i, const struct json_value *v)
{
	struct buf tmp = BUF_INIT;
	const struct json_value *t64 = json_get(v, "$text64");
	const struct json_value *b64 = json_get(v, "$base64");
	if (bind_json_scalar(st, i, v))
		;
	else if (json_value_type(t64) == JSONV_STRING && base64_decode(t64->u.s, t64->len, &tmp) == 0)
		sqlite3_bind_text(st, i, tmp.data ? tmp.data : "", (int)tmp.len, SQLITE_TRANSIENT);
	else if (json_value_type(b64) == JSONV_STRING && base64_decode(b64->u.s, b64->len, &tmp) == 0)
		sqlite3_bind_blob(st, i, tmp.data ? tmp.data : "", (int)tmp.len, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
	buf_free(&tmp);
}

static int is_table_param(const char *k)
{
	static const char *const known[] = {"_format", "_shape", "_select", "_sort", "_sort_desc",
					    "_limit",  "_after", "_",	    NULL};
	for (int i = 0; known[i]; i++)
		if (strcmp(k, known[i]) == 0)
			return 1;
	return 0;
}

static void route_table(struct api *api, const struct api_table *t, const struct api_params *qp,
			const struct api_request *req, struct api_response *res)
{
	enum api_format fmt;
	if (choose_format(qp, req, &fmt, res) < 0)
		return;
	long limit = api->max_rows;
	const char *lim = params_get(qp, "_limit");
	if (lim) {
		int64_t n;
		if (value_parse_int64(lim, strlen(lim), &n) < 0 || n < 1) {
			set_error(res, 400, "bad_limit", "_limit must be a positive integer");
			return;
		}
		if (n < limit)
			limit = (long)n;
	}
	const char *sort = params_get(qp, "_sort"), *sort_desc = params_get(qp, "_sort_desc");
	int desc = 0, sortcol = -1;
	if (sort && sort_desc) {
		set_error(res, 400, "bad_sort", "give _sort or _sort_desc, not both");
		return;
	}
	if (sort_desc) {
		sort = sort_desc;
		desc = 1;
	}
	if (sort && (sortcol = find_column(t, sort)) < 0) {
		set_error(res, 400, "unknown_column", "table %s has no column \"%s\"", t->name, sort);
		return;
	}
	for (size_t i = 0; i < qp->n; i++) {
		if (qp->key[i][0] == '_') {
			if (!is_table_param(qp->key[i])) {
				set_error(res, 400, "unknown_param", "unknown parameter %s", qp->key[i]);
				return;
			}
		} else if (find_column(t, qp->key[i]) < 0) {
			set_error(res, 400, "unknown_column", "table %s has no column \"%s\"", t->name,
				  qp->key[i]);
			return;
		}
	}
	int nkey = t->nkey + (sortcol >= 0);
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "SELECT ");
	if (add_select(&sql, t, qp, res) < 0) {
		buf_free(&sql);
		return;
	}
	if (sortcol >= 0) {
		buf_adds(&sql, ", ");
		buf_add_ident(&sql, t->cols[sortcol].name);
	}
	for (int k = 0; k < t->nkey; k++) {
		buf_adds(&sql, ", ");
		add_key_name(&sql, t, k);
	}
	buf_adds(&sql, " FROM ");
	buf_add_ident(&sql, t->name);
	buf_adds(&sql, " WHERE 1");
	for (size_t i = 0; i < qp->n; i++) {
		if (qp->key[i][0] == '_')
			continue;
		buf_adds(&sql, " AND ");
		buf_add_ident(&sql, t->cols[find_column(t, qp->key[i])].name);
		buf_adds(&sql, " = ?");
	}

	/* The cursor: [sortvalue,] key... of the last row served. */
	struct json_doc *cdoc = NULL;
	const struct json_value *cursor = NULL;
	const char *after = params_get(qp, "_after");
	if (after) {
		struct buf raw = BUF_INIT;
		if (base64_decode(after, strlen(after), &raw) == 0 && raw.len)
			cdoc = json_parse(raw.data, raw.len, NULL, 0);
		buf_free(&raw);
		cursor = cdoc ? json_doc_root(cdoc) : NULL;
		if (json_value_type(cursor) != JSONV_ARRAY || json_array_len(cursor) != (size_t)nkey) {
			json_doc_free(cdoc);
			buf_free(&sql);
			set_error(res, 400, "bad_cursor", "_after is not a cursor this listing gave");
			return;
		}
		const char *op = desc ? "<" : ">";
		struct buf keys = BUF_INIT, marks = BUF_INIT;
		for (int k = 0; k < t->nkey; k++) {
			if (k) {
				buf_adds(&keys, ", ");
				buf_adds(&marks, ", ");
			}
			add_key_name(&keys, t, k);
			buf_adds(&marks, "?");
		}
		if (sortcol < 0) {
			buf_addf(&sql, " AND (%s) %s (%s)", keys.data, op, marks.data);
		} else {
			struct buf s = BUF_INIT;
			buf_add_ident(&s, t->cols[sortcol].name);
			if (json_array_at(cursor, 0)->type != JSONV_NULL) {
				/* Row values skip NULL sort values, which come first ascending, last
				 * descending. */
				buf_addf(&sql, " AND ((%s, %s) %s (?, %s)%s%s%s)", s.data, keys.data, op,
					 marks.data, desc ? " OR " : "", desc ? s.data : "",
					 desc ? " IS NULL" : "");
			} else {
				buf_addf(&sql, " AND ((%s IS NULL AND (%s) %s (%s))%s%s%s)", s.data,
					 keys.data, op, marks.data, desc ? "" : " OR ", desc ? "" : s.data,
					 desc ? "" : " IS NOT NULL");
			}
			buf_free(&s);
		}
		buf_free(&keys);
		buf_free(&marks);
	}
	buf_adds(&sql, " ORDER BY ");
	if (sortcol >= 0) {
		buf_add_ident(&sql, t->cols[sortcol].name);
		buf_adds(&sql, desc ? " DESC, " : ", ");
	}
	for (int k = 0; k < t->nkey; k++) {
		if (k)
			buf_adds(&sql, ", ");
		add_key_name(&sql, t, k);
		if (desc)
			buf_adds(&sql, " DESC");
	}
	buf_addf(&sql, " LIMIT %ld", limit + 1);

	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(api->db, sql.data, -1, &st, NULL) != SQLITE_OK) {
		set_error(res, 500, "internal", "%s", sqlite3_errmsg(api->db));
		buf_free(&sql);
		json_doc_free(cdoc);
		return;
	}
	buf_free(&sql);
	int b = 1;
	for (size_t i = 0; i < qp->n; i++)
		if (qp->key[i][0] != '_')
			bind_with_affinity(st, b++, qp->val[i], t->cols[find_column(t, qp->key[i])].aff);
	if (cursor) {
		size_t start = 0;
		if (sortcol >= 0 && json_array_at(cursor, 0)->type == JSONV_NULL)
			start = 1; /* the NULL sort value is written as IS NULL */
		for (size_t i = start; i < json_array_len(cursor); i++)
			bind_json_value(st, b++, json_array_at(cursor, i));
		json_doc_free(cdoc);
	}
	run(api, st, NULL, fmt, nkey, limit, 0, res);
}

static void route_row(struct api *api, struct api_table *t, const char *rawkey, size_t rawlen,
		      const struct api_params *qp, const struct api_request *req, struct api_response *res)
{
	enum api_format fmt;
	if (choose_format(qp, req, &fmt, res) < 0)
		return;
	/* The lookup of every column is the hot path: its statement is prepared once and kept. */
	const char *sel = params_get(qp, "_select");
	int cache = (!sel || !*sel) && !t->row_busy;
	sqlite3_stmt *st = cache ? t->row_st : NULL;
	if (!st) {
		struct buf sql = BUF_INIT;
		buf_adds(&sql, "SELECT ");
		if (add_select(&sql, t, qp, res) < 0) {
			buf_free(&sql);
			return;
		}
		buf_adds(&sql, " FROM ");
		buf_add_ident(&sql, t->name);
		buf_adds(&sql, " WHERE ");
		for (int k = 0; k < t->nkey; k++) {
			if (k)
				buf_adds(&sql, " AND ");
			add_key_name(&sql, t, k);
			buf_adds(&sql, " = ?");
		}
		int rc = sqlite3_prepare_v3(api->db, sql.data, -1, cache ? SQLITE_PREPARE_PERSISTENT : 0, &st,
					    NULL);
		buf_free(&sql);
		if (rc != SQLITE_OK) {
			set_error(res, 500, "internal", "%s", sqlite3_errmsg(api->db));
			return;
		}
		if (cache)
			t->row_st = st;
	}
	if (cache)
		t->row_busy = 1;
	struct buf part = BUF_INIT;
	const char *p = rawkey, *end = rawkey + rawlen;
	int k = 0;
	for (;;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *e = comma ? comma : end;
		if (k == t->nkey || pct_decode(p, (size_t)(e - p), 0, &part) < 0) {
			k = -1;
			break;
		}
		bind_with_affinity(st, k + 1, buf_str(&part), key_affinity(t, k));
		k++;
		if (!comma)
			break;
		p = comma + 1;
	}
	buf_free(&part);
	if (k != t->nkey) {
		if (cache) {
			sqlite3_clear_bindings(st);
			t->row_busy = 0;
		} else {
			sqlite3_finalize(st);
		}
		set_error(res, 400, "bad_key", "table %s takes a key of %d comma-separated part(s)", t->name,
			  t->nkey);
		return;
	}
	run(api, st, cache ? &t->row_busy : NULL, fmt, 0, 1, 1, res);
}

static void route_sql(struct api *api, const char *sql, const struct api_params *qp,
		      const struct json_value *jp, const struct api_request *req, struct api_response *res)
{
	enum api_format fmt;
	if (choose_format(qp, req, &fmt, res) < 0)
		return;
	sqlite3_stmt *st = prepare_user(api, sql, res);
	if (!st)
		return;
	if (bind_params(st, qp, jp, res) < 0) {
		sqlite3_finalize(st);
		return;
	}
	run(api, st, NULL, fmt, 0, api->max_rows, 0, res);
}

static int has_type(const struct api_request *req, const char *type)
{
	size_t n = strlen(type);
	if (!req->content_type || req->content_type_len < n || strncasecmp(req->content_type, type, n) != 0)
		return 0;
	return req->content_type_len == n || req->content_type[n] == ';' || req->content_type[n] == ' ';
}

static void route_query(struct api *api, const struct api_params *qp, const struct api_request *req,
			struct api_response *res)
{
	if (!api->sql_enabled) {
		set_error(res, 403, "sql_disabled",
			  "arbitrary SQL is turned off on this server; see /v1/queries");
		return;
	}
	if (strcmp(req->method, "POST") != 0) {
		const char *sql = params_get(qp, "sql");
		if (!sql) {
			set_error(res, 400, "missing_sql", "give the SQL as sql=...");
			return;
		}
		route_sql(api, sql, qp, NULL, req, res);
		return;
	}
	if (has_type(req, "application/json")) {
		char jerr[160];
		struct json_doc *doc = json_parse(req->body, req->body_len, jerr, sizeof jerr);
		const struct json_value *root = doc ? json_doc_root(doc) : NULL;
		const struct json_value *sql = json_get(root, "sql"), *params = json_get(root, "params");
		size_t sql_len = 0;
		const char *sql_text = json_as_string(sql, &sql_len);
		if (!doc || !sql_text ||
		    (params && params->type != JSONV_OBJECT && params->type != JSONV_NULL)) {
			set_error(res, 400, "bad_body", "expected {\"sql\":\"...\",\"params\":{...}}%s%s",
				  doc ? "" : ": ", doc ? "" : jerr);
			json_doc_free(doc);
			return;
		}
		if (memchr(sql_text, '\0', sql_len)) {
			set_error(res, 400, "bad_body", "the SQL text holds a NUL byte");
			json_doc_free(doc);
			return;
		}
		static const struct json_value empty = {.type = JSONV_OBJECT};
		route_sql(api, sql_text, qp, params && params->type == JSONV_OBJECT ? params : &empty, req,
			  res);
		json_doc_free(doc);
		return;
	}
	if (!req->content_type || has_type(req, "text/plain") || has_type(req, "application/sql")) {
		if (memchr(req->body, '\0', req->body_len)) {
			set_error(res, 400, "bad_body", "the SQL text holds a NUL byte");
			return;
		}
		char *sql = malloc(req->body_len + 1);
		if (!sql)
			abort();
		memcpy(sql, req->body ? req->body : "", req->body_len);
		sql[req->body_len] = '\0';
		route_sql(api, sql, qp, NULL, req, res);
		free(sql);
		return;
	}
	set_error(res, 415, "unsupported_media_type",
		  "POST the SQL as application/json, text/plain or application/sql");
}

static void route_meta(struct api *api, struct api_response *res)
{
	struct json_writer w;
	json_writer_init(&w, &res->body);
	json_object_begin(&w);
	json_kv_string(&w, "identity", api->identity);
	const char *sha = api->db_sha256 ? __atomic_load_n(api->db_sha256, __ATOMIC_ACQUIRE) : NULL;
	if (sha)
		json_kv_string(&w, "sha256", sha);
	else
		json_kv_null(&w, "sha256");
	/* The rest was written at open; the writer is left behind for raw bytes. */
	buf_add(&res->body, api->meta_rest.data, api->meta_rest.len);
}

/* Splits the path after the prefix into segments: returns how many (up to 3). */
static int path_segments(const char *p, size_t len, const char *seg[3], size_t seglen[3])
{
	int n = 0;
	size_t i = 0;
	while (i <= len && n < 3) {
		size_t j = i;
		while (j < len && p[j] != '/')
			j++;
		seg[n] = p + i;
		seglen[n] = j - i;
		n++;
		if (j >= len)
			return n;
		i = j + 1;
	}
	return 4; /* more than three */
}

void api_handle(struct api *api, const struct api_request *req, struct api_response *res)
{
	response_init(res);
	const char *m = req->method;
	int get = strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
	const char *seg[3];
	size_t seglen[3];
	struct api_params qp;
	struct buf name = BUF_INIT;
	if (req->path_len < 4 || memcmp(req->path, "/v1/", 4) != 0) {
		set_error(res, 404, "not_found", "no route %.*s",
			  (int)(req->path_len < 200 ? req->path_len : 200), req->path);
		return;
	}
	int n = path_segments(req->path + 4, req->path_len - 4, seg, seglen);
	if (params_parse(req->query, req->query_len, &qp) < 0) {
		set_error(res, 400, "bad_query_string", "the query string holds a bad %%-escape or a NUL");
		return;
	}
#define IS(i, s) (seglen[i] == strlen(s) && memcmp(seg[i], s, seglen[i]) == 0)
	if (n == 1 && IS(0, "meta")) {
		res->route = "meta";
		if (!get)
			method_not_allowed(res, m, "GET, HEAD");
		else
			route_meta(api, res);
	} else if (n == 1 && IS(0, "query")) {
		res->route = "query";
		if (!get && strcmp(m, "POST") != 0)
			method_not_allowed(res, m, "GET, HEAD, POST");
		else
			route_query(api, &qp, req, res);
	} else if ((n == 2 || n == 3) && IS(0, "tables") && seglen[1] > 0 && (n == 2 || seglen[2] > 0)) {
		res->route = n == 2 ? "table" : "row";
		struct api_table *t = NULL;
		if (pct_decode(seg[1], seglen[1], 0, &name) == 0)
			t = find_table(api, buf_str(&name));
		if (!get)
			method_not_allowed(res, m, "GET, HEAD");
		else if (!t)
			set_error(res, 404, "not_found", "no table %s", buf_str(&name));
		else if (n == 2)
			route_table(api, t, &qp, req, res);
		else
			route_row(api, t, seg[2], seglen[2], &qp, req, res);
	} else if (n == 2 && IS(0, "queries") && seglen[1] > 0) {
		res->route = "queries";
		const struct api_query *q = NULL;
		if (pct_decode(seg[1], seglen[1], 0, &name) == 0)
			for (int i = 0; i < api->nqueries; i++)
				if (strcmp(api->queries[i].name, buf_str(&name)) == 0)
					q = &api->queries[i];
		if (!get)
			method_not_allowed(res, m, "GET, HEAD");
		else if (!q)
			set_error(res, 404, "not_found", "no query %s", buf_str(&name));
		else
			route_sql(api, q->sql, &qp, NULL, req, res);
	} else {
		set_error(res, 404, "not_found", "no route %.*s",
			  (int)(req->path_len < 200 ? req->path_len : 200), req->path);
	}
#undef IS
	buf_free(&name);
	params_free(&qp);
}
