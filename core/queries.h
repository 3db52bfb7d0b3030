/* queries.h — canned queries: a plain SQL file read, checked against the new database and stored
 * in its _amber_queries table, where amberd serves them as GET /v1/queries/{name}.
 *
 * The file holds statements, each after a `-- name: NAME` line and optional
 * `-- description: TEXT` lines, each ending with `;`; parameters are written `:name`. Other
 * comments and blank lines may come anywhere:
 *
 *     -- name: by_country
 *     -- description: the largest places of a country
 *     SELECT name, population FROM geoname WHERE country_code = :country
 *     ORDER BY population DESC LIMIT 100;
 *
 * Reading checks the shape (names unique and [A-Za-z0-9_-]+, no statement without a name, none
 * empty, none unterminated); validation prepares every statement on a read-only connection to
 * the database it will be served from, so that a query that cannot run fails the build, not a
 * request. Every error names the file, line and column. */
#ifndef AMBER_QUERIES_H
#define AMBER_QUERIES_H

#include "core/error.h"

#include <stddef.h>

#define QUERIES_MAX_FILE (1 << 20) /* a canned queries file is small; more is a mistake */

struct canned_query {
	char *name;
	char *description; /* NULL when none; several lines are joined by a space */
	char *sql;	   /* the statement without its ';' and trailing blanks */
	long line, column; /* where the statement starts in the file */
	char **params;	   /* parameter names without ':', set by queries_validate */
	int nparams;
};

struct query_set {
	char *path; /* the file, for error places */
	struct canned_query *items;
	size_t count;
};

/* Parses `len` bytes of `text` read from `path` into `set` (which it initialises). Returns 0, or
 * -1 with err at the place of the first problem; `set` is then empty. */
int queries_parse(const char *path, const char *text, size_t len, struct query_set *set,
		  struct amber_error *err);
/* Reads and parses the file at `path`. */
int queries_read(const char *path, struct query_set *set, struct amber_error *err);
/* Prepares every query on a read-only connection to the database at `db_path`: it must be one
 * statement that reads (SELECT, WITH, VALUES or PRAGMA, as the server requires) and whose
 * parameters are all :name ones the server can bind from a query string (not `sql`, not
 * starting with `_`). Fills each query's params. Returns 0, or -1 with err at the query's place
 * in the file and SQLite's message. */
int queries_validate(struct query_set *set, const char *db_path, struct amber_error *err);
/* Replaces the rows of _amber_queries in the database at `db_path` (opened read-write) with the
 * validated set, in one transaction: name, sql, description, params (a JSON array of names). */
int queries_store(const struct query_set *set, const char *db_path, struct amber_error *err);
void queries_free(struct query_set *set);

#endif
