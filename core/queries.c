/* queries.c — canned queries: the file's parser, validation against the database, storage in
 * _amber_queries (see queries.h). The parser splits statements at `;` outside strings, quoted
 * names and comments, so that SQLite sees each statement alone and its errors map back to the
 * file. */
#include "core/queries.h"
#include "core/buf.h"
#include "formats/json.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---------------------------------------------------------------- parsing */

struct scan {
	const char *path;
	const char *p, *end;
	long line, col;
};

/* The query being assembled: its name line seen, its statement maybe begun. */
struct pending {
	int named;
	long name_line;
	struct canned_query q;
	const char *stmt; /* NULL until the statement's first character */
};

static char *xstrndup(const char *s, size_t n)
{
	char *d = strndup(s, n);
	if (!d)
		abort();
	return d;
}

static void advance(struct scan *s)
{
	if (*s->p == '\n') {
		s->line++;
		s->col = 1;
	} else {
		s->col++;
	}
	s->p++;
}

static int at(const struct scan *s, const char *text)
{
	size_t n = strlen(text);
	return (size_t)(s->end - s->p) >= n && memcmp(s->p, text, n) == 0;
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static int is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '-';
}

/* The end of the current line (its '\n' or the end of the text). */
static const char *line_end(const struct scan *s)
{
	const char *e = memchr(s->p, '\n', (size_t)(s->end - s->p));
	return e ? e : s->end;
}

static void skip_to(struct scan *s, const char *to)
{
	while (s->p < to)
		advance(s);
}

/* Skips a quoted string or name opened at s->p, where a doubled closing quote stands for itself. */
static int skip_quoted(struct scan *s, struct amber_error *err)
{
	char close = *s->p == '[' ? ']' : *s->p;
	long line = s->line, col = s->col;
	advance(s);
	while (s->p < s->end) {
		if (*s->p == close) {
			advance(s);
			if (close == ']' || s->p == s->end || *s->p != close)
				return 0;
		}
		advance(s);
	}
	return amber_error_at(err, s->path, line, col, "this quote (%c) is never closed",
			      close == ']' ? '[' : close);
}

static int skip_block_comment(struct scan *s, struct amber_error *err)
{
	long line = s->line, col = s->col;
	const char *e = memmem(s->p + 2, (size_t)(s->end - s->p - 2), "*/", 2);
	if (!e)
		return amber_error_at(err, s->path, line, col, "this comment (/*) is never closed");
	skip_to(s, e + 2);
	return 0;
}

/* The text of a `-- KEY:` line after the colon, trimmed; NULL when the comment is not one. */
static const char *directive(const struct scan *s, const char *key, size_t *len, long *col)
{
	const char *p = s->p + 2, *e = line_end(s);
	while (p < e && (*p == ' ' || *p == '\t'))
		p++;
	size_t k = strlen(key);
	if ((size_t)(e - p) < k || memcmp(p, key, k) != 0)
		return NULL;
	p += k;
	while (p < e && is_blank(*p))
		p++;
	while (e > p && is_blank(e[-1]))
		e--;
	*len = (size_t)(e - p);
	*col = s->col + (p - s->p);
	return p;
}

static int find_name(const struct query_set *set, const char *name, size_t len)
{
	for (size_t i = 0; i < set->count; i++)
		if (strlen(set->items[i].name) == len && memcmp(set->items[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

static int take_name(struct scan *s, struct pending *pd, const struct query_set *set, const char *name,
		     size_t len, long col, struct amber_error *err)
{
	if (pd->named)
		return amber_error_at(err, s->path, pd->name_line, 1,
				      "query '%s' has no statement before the next '-- name:' line",
				      pd->q.name);
	if (len == 0)
		return amber_error_at(err, s->path, s->line, col, "'-- name:' needs a name");
	for (size_t i = 0; i < len; i++)
		if (!is_name_char(name[i]))
			return amber_error_at(
			    err, s->path, s->line, col + (long)i,
			    "a query name holds only letters, digits, '_' and '-', not '%c'", name[i]);
	int dup = find_name(set, name, len);
	if (dup >= 0)
		return amber_error_at(err, s->path, s->line, col,
				      "query '%.*s' is defined twice (first at line %ld)", (int)len, name,
				      set->items[dup].line);
	pd->named = 1;
	pd->name_line = s->line;
	pd->q.name = xstrndup(name, len);
	return 0;
}

static int take_description(struct scan *s, struct pending *pd, const char *text, size_t len,
			    struct amber_error *err)
{
	if (!pd->named)
		return amber_error_at(err, s->path, s->line, s->col,
				      "a '-- description:' line must follow a '-- name:' line");
	struct buf b = BUF_INIT;
	if (pd->q.description) {
		buf_adds(&b, pd->q.description);
		buf_addc(&b, ' ');
		free(pd->q.description);
	}
	buf_add(&b, text, len);
	pd->q.description = buf_detach(&b);
	return 0;
}

/* A `--` comment outside a statement: a directive or a remark. */
static int take_comment(struct scan *s, struct pending *pd, const struct query_set *set,
			struct amber_error *err)
{
	size_t len;
	long col;
	const char *v;
	int rc = 0;
	if ((v = directive(s, "name:", &len, &col)))
		rc = take_name(s, pd, set, v, len, col, err);
	else if ((v = directive(s, "description:", &len, &col)))
		rc = take_description(s, pd, v, len, err);
	skip_to(s, line_end(s));
	return rc;
}

static void push_query(struct query_set *set, struct pending *pd, const char *stmt_end)
{
	while (stmt_end > pd->stmt && is_blank(stmt_end[-1]))
		stmt_end--;
	struct canned_query *items = realloc(set->items, (set->count + 1) * sizeof *items);
	if (!items)
		abort();
	set->items = items;
	pd->q.sql = xstrndup(pd->stmt, (size_t)(stmt_end - pd->stmt));
	items[set->count++] = pd->q;
	memset(pd, 0, sizeof *pd);
}

/* One step inside a statement: quotes and comments are skipped whole, `;` ends it. */
static int step_statement(struct scan *s, struct pending *pd, struct query_set *set, struct amber_error *err)
{
	size_t len;
	long col;
	char c = *s->p;
	if (c == '\'' || c == '"' || c == '`' || c == '[')
		return skip_quoted(s, err);
	if (at(s, "/*"))
		return skip_block_comment(s, err);
	if (at(s, "--")) {
		if (directive(s, "name:", &len, &col))
			return amber_error_at(
			    err, s->path, pd->q.line, pd->q.column,
			    "query '%s' does not end with ';' before the next '-- name:' line", pd->q.name);
		skip_to(s, line_end(s));
		return 0;
	}
	if (c == ';') {
		push_query(set, pd, s->p);
		advance(s);
		return 0;
	}
	advance(s);
	return 0;
}

/* One step between statements: blanks, comments and directives, or a statement's start. */
static int step_between(struct scan *s, struct pending *pd, const struct query_set *set,
			struct amber_error *err)
{
	char c = *s->p;
	if (is_blank(c)) {
		advance(s);
		return 0;
	}
	if (at(s, "--"))
		return take_comment(s, pd, set, err);
	if (at(s, "/*"))
		return skip_block_comment(s, err);
	if (!pd->named)
		return amber_error_at(err, s->path, s->line, s->col,
				      "text outside a statement: each statement needs a '-- name: NAME' line "
				      "before it");
	if (c == ';')
		return amber_error_at(err, s->path, s->line, s->col, "query '%s' is empty", pd->q.name);
	pd->stmt = s->p;
	pd->q.line = s->line;
	pd->q.column = s->col;
	return 0;
}

static void pending_free(struct pending *pd)
{
	free(pd->q.name);
	free(pd->q.description);
}

int queries_parse(const char *path, const char *text, size_t len, struct query_set *set,
		  struct amber_error *err)
{
	memset(set, 0, sizeof *set);
	set->path = xstrndup(path, strlen(path));
	struct scan s = {.path = path, .p = text, .end = text + len, .line = 1, .col = 1};
	struct pending pd = {0};
	int rc = 0;
	if (memchr(text, '\0', len))
		rc = amber_error_at(err, path, 0, 0, "not a text file (it holds a NUL byte)");
	while (rc == 0 && s.p < s.end)
		rc = pd.stmt ? step_statement(&s, &pd, set, err) : step_between(&s, &pd, set, err);
	if (rc == 0 && pd.stmt)
		rc = amber_error_at(err, path, pd.q.line, pd.q.column, "query '%s' does not end with ';'",
				    pd.q.name);
	else if (rc == 0 && pd.named)
		rc = amber_error_at(err, path, pd.name_line, 1, "query '%s' has no statement", pd.q.name);
	if (rc == 0 && set->count == 0)
		rc =
		    amber_error_at(err, path, 0, 0, "holds no query ('-- name: NAME' before each statement)");
	pending_free(&pd);
	if (rc < 0)
		queries_free(set);
	return rc;
}

int queries_read(const char *path, struct query_set *set, struct amber_error *err)
{
	memset(set, 0, sizeof *set);
	FILE *f = fopen(path, "rb");
	if (!f)
		return amber_error_at(err, path, 0, 0, "cannot open: %s", strerror(errno));
	char *text = malloc(QUERIES_MAX_FILE + 1);
	if (!text)
		abort();
	size_t n = fread(text, 1, QUERIES_MAX_FILE + 1, f);
	int rc;
	if (ferror(f))
		rc = amber_error_at(err, path, 0, 0, "cannot read: %s", strerror(errno));
	else if (n > QUERIES_MAX_FILE)
		rc = amber_error_at(err, path, 0, 0, "larger than %d bytes; canned queries are small",
				    QUERIES_MAX_FILE);
	else
		rc = queries_parse(path, text, n, set, err);
	fclose(f);
	free(text);
	return rc;
}

/* ---------------------------------------------------------------- validation */

/* The place in the file of byte `off` of a query's statement. */
static void place_in_file(const struct canned_query *q, int off, long *line, long *col)
{
	*line = q->line;
	*col = q->column;
	for (int i = 0; i < off && q->sql[i]; i++) {
		if (q->sql[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static int query_error(const struct query_set *set, const struct canned_query *q, int off,
		       struct amber_error *err, const char *what)
{
	long line, col;
	place_in_file(q, off > 0 ? off : 0, &line, &col);
	return amber_error_at(err, set->path, line, col, "query '%s': %s", q->name, what);
}

/* The statement's first keyword, after blanks and comments, is one the server runs. */
static int starts_with_read_keyword(const char *sql)
{
	const char *p = sql;
	for (;;) {
		while (is_blank(*p))
			p++;
		if (p[0] == '-' && p[1] == '-')
			p += strcspn(p, "\n");
		else if (p[0] == '/' && p[1] == '*')
			p = strstr(p + 2, "*/") ? strstr(p + 2, "*/") + 2 : p + strlen(p);
		else
			break;
	}
	static const char *const words[] = {"select", "with", "values", "pragma", NULL};
	for (int i = 0; words[i]; i++) {
		size_t n = strlen(words[i]);
		if (strncasecmp(p, words[i], n) == 0 && !is_name_char(p[n]))
			return 1;
	}
	return 0;
}

/* Collects the parameter names the server will bind from a query string. */
static int collect_params(const struct query_set *set, struct canned_query *q, sqlite3_stmt *st,
			  struct amber_error *err)
{
	int count = sqlite3_bind_parameter_count(st);
	char msg[256];
	q->params = calloc((size_t)count + 1, sizeof *q->params);
	if (!q->params)
		abort();
	for (int i = 1; i <= count; i++) {
		const char *p = sqlite3_bind_parameter_name(st, i);
		const char *where = p ? strstr(q->sql, p) : strchr(q->sql, '?');
		int off = where ? (int)(where - q->sql) : 0;
		if (!p || p[0] != ':') {
			snprintf(msg, sizeof msg, "parameter %s: only :name parameters are allowed",
				 p ? p : "?");
			return query_error(set, q, off, err, msg);
		}
		if (p[1] == '_' || strcmp(p, ":sql") == 0) {
			snprintf(msg, sizeof msg,
				 "parameter %s: names starting with '_' and 'sql' are reserved by the server",
				 p);
			return query_error(set, q, off, err, msg);
		}
		q->params[q->nparams++] = xstrndup(p + 1, strlen(p + 1));
	}
	return 0;
}

static int validate_one(const struct query_set *set, struct canned_query *q, sqlite3 *db,
			struct amber_error *err)
{
	sqlite3_stmt *st = NULL;
	const char *tail = NULL;
	if (sqlite3_prepare_v2(db, q->sql, -1, &st, &tail) != SQLITE_OK)
		return query_error(set, q, sqlite3_error_offset(db), err, sqlite3_errmsg(db));
	int rc = -1;
	if (!st)
		query_error(set, q, 0, err, "holds no statement");
	else if (tail && *tail)
		query_error(set, q, (int)(tail - q->sql), err, "holds more than one statement");
	else if (!sqlite3_stmt_readonly(st) || !starts_with_read_keyword(q->sql))
		query_error(set, q, 0, err, "only reads are allowed (SELECT, WITH, VALUES or PRAGMA)");
	else
		rc = collect_params(set, q, st, err);
	sqlite3_finalize(st);
	return rc;
}

int queries_validate(struct query_set *set, const char *db_path, struct amber_error *err)
{
	sqlite3 *db = NULL;
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		amber_error_at(err, db_path, 0, 0, "cannot open: %s",
			       db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; i < set->count && rc == 0; i++)
		rc = validate_one(set, &set->items[i], db, err);
	sqlite3_close(db);
	return rc;
}

/* ---------------------------------------------------------------- storage */

static void params_json(const struct canned_query *q, struct buf *out)
{
	struct json_writer w;
	buf_reset(out);
	json_writer_init(&w, out);
	json_array_begin(&w);
	for (int i = 0; i < q->nparams; i++)
		json_str(&w, q->params[i]);
	json_array_end(&w);
}

static int insert_all(const struct query_set *set, sqlite3 *db)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(
		db, "INSERT INTO _amber_queries (name, sql, description, params) VALUES (?, ?, ?, ?)", -1,
		&st, NULL) != SQLITE_OK)
		return -1;
	struct buf params = BUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < set->count && rc == 0; i++) {
		const struct canned_query *q = &set->items[i];
		params_json(q, &params);
		sqlite3_bind_text(st, 1, q->name, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, q->sql, -1, SQLITE_STATIC);
		if (q->description)
			sqlite3_bind_text(st, 3, q->description, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, 3);
		sqlite3_bind_text(st, 4, buf_str(&params), -1, SQLITE_TRANSIENT);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	buf_free(&params);
	return rc;
}

int queries_store(const struct query_set *set, const char *db_path, struct amber_error *err)
{
	sqlite3 *db = NULL;
	int rc = -1;
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
		goto out;
	/* The journal stays in memory: no file appears beside the database, and a failed build
	 * throws the database away anyway. */
	if (sqlite3_exec(db, "PRAGMA journal_mode=MEMORY; BEGIN; DELETE FROM _amber_queries;", NULL, NULL,
			 NULL) != SQLITE_OK ||
	    insert_all(set, db) < 0 || sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		goto out;
	rc = 0;
out:
	if (rc < 0) {
		amber_error_at(err, db_path, 0, 0, "cannot store the canned queries: %s",
			       db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	}
	sqlite3_close(db);
	return rc;
}

void queries_free(struct query_set *set)
{
	for (size_t i = 0; i < set->count; i++) {
		struct canned_query *q = &set->items[i];
		free(q->name);
		free(q->description);
		free(q->sql);
		for (int p = 0; p < q->nparams; p++)
			free(q->params[p]);
		free(q->params);
	}
	free(set->items);
	free(set->path);
	memset(set, 0, sizeof *set);
}
