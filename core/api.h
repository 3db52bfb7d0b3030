/* api.h — amberd's API v1 over one read-only database, independent of sockets.
 *
 * The server parses a request (core/http), hands the method, path, query string and body to
 * api_handle, and writes back what it gets: a status, a content type, extra headers and a body
 * that is either complete or continued by a stream the server pulls from as the socket drains
 * (large results are sent chunked, never held whole). One struct api per worker thread: it owns
 * that worker's SQLite connection (file:PATH?immutable=1, read-only, no mutex, mmap,
 * temp_store=MEMORY, DEFENSIVE, no extensions, authorizer allowing reads only, tight limits,
 * a progress handler enforcing the time limit), and never touches another thread's state.
 *
 * Routes (the server answers /healthz, /readyz and /metrics itself):
 *   GET  /v1/meta                      database facts, tables with columns and row counts, queries
 *   GET  /v1/tables/{t}                rows: ?col=v filters, _select, _sort/_sort_desc, _limit, _after
 *   GET  /v1/tables/{t}/{pk}           one row by primary key (composite: comma-separated), 404 if absent
 *   GET|POST /v1/query                 read-only SQL: sql= plus named parameters; POST JSON or text body
 *   GET  /v1/queries/{name}            a canned query from _amber_queries with its parameters
 * Formats: JSON {"columns":[],"rows":[[]],"truncated":b,"next":c|null}; _shape=objects gives
 * [{"col":v}] (and a single {"col":v} for /v1/tables/{t}/{pk}); _format=csv (RFC 4180: CRLF line
 * ends, a header row, fields holding , " CR or LF quoted, NULL as an empty field, text bytes as
 * stored) or ndjson (one object per line, "\n"), or the same chosen by the Accept header
 * (text/csv, application/x-ndjson). Values: integers exact, reals round-trip, text as valid
 * UTF-8 (invalid bytes become U+FFFD), blobs {"$base64":"..."} (plain base64 in CSV). Shapes
 * without an envelope (objects, csv, ndjson) report truncation and the next cursor in the
 * X-Amber-Truncated / X-Amber-Next headers when the body fits in the first part (not streamed).
 * Table listings: _limit defaults to and is capped at max_rows; rows come ordered by (sort
 * column, primary key or rowid) and "next" is base64url of a JSON array of the last row's
 * [sort value,] key values, continued with a row-value comparison (never OFFSET).
 * Errors: {"error":{"code":"...","message":"..."}} with 400 (bad_sql, missing_param,
 * multiple_statements, unknown_column, bad_cursor, ...), 403 (not_a_read, sql_disabled), 404
 * (not_found), 405 (method_not_allowed, with an Allow header), 415 (unsupported_media_type) or
 * 503 (time_limit); 413 for a body over its cap is the server's to give.
 * Safety for user SQL: one statement only; first keyword SELECT, WITH, VALUES or PRAGMA; the
 * authorizer allows SELECT, READ, RECURSIVE, functions other than load_extension, readfile,
 * writefile, edit, fts3_tokenizer and the like, and only the schema PRAGMAs table_info,
 * table_xinfo, index_list, index_info, index_xinfo and foreign_key_list; and
 * sqlite3_stmt_readonly must hold. The time limit counts the time spent stepping the
 * statement, summed over all parts of a streamed response. */
#ifndef AMBER_API_H
#define AMBER_API_H

#include "core/buf.h"
#include "core/error.h"

#include <stddef.h>
#include <stdint.h>

struct api_config {
	const char *db_path;
	int immutable;	   /* 1: file:PATH?immutable=1 (default); 0: a plain read-only open (benchmarks) */
	int time_limit_ms; /* per query; default 1000 */
	long max_rows;	   /* per response; default 1000 */
	uint64_t max_response_bytes; /* per response body; default 16 MiB */
	int sql_enabled;	     /* /v1/query on (default) or off (403) */
	/* Where the server publishes the database file's sha256 (hex) once a background thread has
	 * hashed it; read with __atomic_load_n; NULL (or pointing at NULL) until then, and /v1/meta
	 * says "sha256": null meanwhile. Hashing a large file must not delay the first answer. */
	const char *const *db_sha256;
};

struct api;
struct api_stream;

struct api_request {
	const char *method; /* "GET", "HEAD", "POST", ... (NUL-terminated) */
	const char *path;   /* raw (still percent-encoded) path, e.g. "/v1/tables/geoname/3039154" */
	size_t path_len;
	const char *query; /* raw query string without '?' */
	size_t query_len;
	const char *body;
	size_t body_len;
	const char *content_type; /* NULL when absent */
	size_t content_type_len;
	const char *accept; /* NULL when absent */
	size_t accept_len;
};

struct api_response {
	int status;
	const char *content_type; /* static string */
	const char *route;  /* static label for metrics: "meta", "table", "row", "query", "queries", "none" */
	struct buf headers; /* extra header lines ending "\r\n" (Allow, X-Amber-*); ETag is the server's */
	struct buf body;    /* the body, or its first part when `stream` is set */
	struct api_stream *stream; /* NULL: body is complete */
	uint64_t rows;		   /* rows in the body so far (metrics) */
	int timed_out;		   /* the query hit the time limit (metrics) */
};

/* SQLite's one-time process configuration (memory statistics off, which lets threads scale);
 * call once before any other SQLite use. api_open calls it too (pthread_once), which is too
 * late only if something else initialised SQLite first. */
void api_global_init(void);

/* Opens the database for one worker and reads _amber_meta, the schema and _amber_queries.
 * NULL with err set (missing file, not an amber database, corrupt). */
struct api *api_open(const struct api_config *cfg, struct amber_error *err);
void api_close(struct api *api);
/* The database's identity for ETags, known at open without reading the whole file: the hex
 * sha256 of every _amber_meta row (amber and format versions, build time, each source's sha256
 * and size, row counts), which the same inputs always give. Hashed as key NUL value NUL per row
 * in key order, values as SQLite's text. */
const char *api_identity(const struct api *api);

/* Initialises res (status, content type, body...). Always answers: errors are JSON bodies. */
void api_handle(struct api *api, const struct api_request *req, struct api_response *res);
/* Appends about `want` more body bytes to `out`. Returns 1 when the body is complete (the stream
 * may then be freed), 0 when more is to come. A time limit or byte cap reached mid-stream ends
 * the document cleanly with "truncated":true (CSV/NDJSON simply stop). */
int api_stream_next(struct api_stream *s, struct buf *out, size_t want, struct api_response *res);
void api_stream_free(struct api_stream *s);
/* Frees the response's buffers and stream. */
void api_response_free(struct api_response *res);

#endif
