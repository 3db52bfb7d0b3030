/* dump.c — the schema model and typed rows of SQL dumps (see dump.h).
 *
 * Tables live in a model until their first row (or dump_finish) and only then become SQLite
 * DDL, so keys declared after CREATE TABLE still shape the table. A row's values are
 * converted one by one into slots (numbers in place, bytes in a per-insert arena) and bound
 * all at once when the row is inserted: the caller's bytes need not outlive a call, and
 * nothing is allocated per value once the arena has grown. Row counts come from SQLite at the
 * end, so INSERT OR IGNORE/REPLACE and rows written by SQLite dumps' own SQL count right. */
#include "core/dump.h"

#include "core/buf.h"
#include "core/hex.h"
#include "core/value.h"

#include <float.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Rows between progress updates. */
#define DUMP_PROGRESS_ROWS 4096
/* Bytes of a value quoted in an error message. */
#define QUOTE_MAX 40

struct dump_column {
	char *name;
	enum dump_kind kind;
	unsigned flags;
	char *default_sql;
};

/* A converted value waiting for dump_insert_row. */
struct slot {
	int type; /* 0 (not set yet), SQLITE_NULL, SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT, SQLITE_BLOB */
	union {
		int64_t i;
		double r;
		struct {
			size_t off, len; /* in the insert's arena */
		} bytes;
	} v;
};

struct dump_insert {
	struct dump *d;
	struct dump_table *t;
	struct dump_insert *next; /* the table's cache */
	size_t *cols;		  /* column of each value */
	size_t n;
	enum dump_conflict conflict;
	sqlite3_stmt *stmt;
	struct slot *slots;
	size_t nset;
	struct buf arena; /* the bytes of the current row's TEXT and BLOB values */
};

struct dump_table {
	struct dump *d;
	char *name;
	struct dump_column *cols;
	size_t ncols;
	size_t *pk; /* primary key columns */
	size_t npk;
	struct buf constraints; /* ", FOREIGN KEY (…) REFERENCES …" */
	int created;		/* exists in SQLite */
	int sqlite_defined;	/* created from SQLite DDL (all columns DUMP_ANY) */
	int has_rows;
	int data_pass;	   /* first defined in a data pass (not seen by the schema pass) */
	const char *input; /* the input that defined it (in d->inputs) */
	size_t last_input; /* the last input that gave it rows (1-based; 0: none) */
	struct dump_insert *inserts;
};

struct dump_index {
	struct dump_table *t;
	char *name;	 /* as given, or NULL */
	struct buf cols; /* quoted column list */
	int unique;
};

struct dump_view {
	char *name;
	char *sql;
	const char *input;
	long line, column; /* of its statement */
};

/* A kind of skipped statement, counted per input. */
struct dump_count {
	const char *input;
	char *what;
	unsigned long n;
};

struct dump {
	struct db_loader *ld;
	sqlite3 *db;
	struct dump_options opt;
	struct progress *progress;
	enum dump_pass pass;
	char **inputs; /* every input's name, owned */
	size_t ninputs;
	struct dump_table **tables;
	size_t ntables;
	struct dump_index *indexes;
	size_t nindexes;
	struct dump_view *views;
	size_t nviews;
	struct dump_count *counts;
	size_t ncounts;
	struct buf warnings;	  /* "input\0text\0" pairs, each text once */
	char strict_warning[512]; /* the first warning under --strict: dump_finish fails with it */
	long at_line, at_column;  /* where the statement being translated starts (dump_at) */
	uint64_t rows;		  /* rows of the current input */
	uint64_t rows_reported;
	struct buf scratch; /* a NUL-terminated copy of number text for strtod */
};

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (!p)
		abort();
	return p;
}

static void *grow(void *p, size_t n, size_t size)
{
	p = realloc(p, (n ? n : 1) * size);
	if (!p)
		abort();
	return p;
}

static char *xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		abort();
	return p;
}

static int reserved_name(const char *name)
{
	return strncasecmp(name, "sqlite_", 7) == 0 || strncasecmp(name, "_amber_", 7) == 0;
}

static const char *input_name(const struct dump *d)
{
	return d->ninputs ? d->inputs[d->ninputs - 1] : "input";
}

/* A value as a message quotes it: at most QUOTE_MAX bytes, control bytes as '?'. */
static const char *quote_value(char out[QUOTE_MAX + 8], const char *p, size_t len)
{
	size_t n = len > QUOTE_MAX ? QUOTE_MAX : len;
	while (n < len && n > 0 && ((unsigned char)p[n] & 0xC0) == 0x80)
		n--; /* do not cut a UTF-8 character */
	for (size_t i = 0; i < n; i++)
		out[i] = (unsigned char)p[i] < 0x20 || p[i] == 0x7f ? '?' : p[i];
	strcpy(out + n, n < len ? "…" : "");
	return out;
}

static int sqlite_error(struct dump *d, struct amber_error *err, const char *sql)
{
	return amber_error_set(err, "SQLite: %s (in: %.200s)", sqlite3_errmsg(d->db), sql);
}

static int exec(struct dump *d, const char *sql, struct amber_error *err)
{
	char *msg = NULL;
	if (sqlite3_exec(d->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		amber_error_set(err, "SQLite: %s (in: %.200s)", msg ? msg : sqlite3_errmsg(d->db), sql);
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* --- the model --- */

struct dump *dump_create(struct db_loader *ld, const struct dump_options *opt)
{
	struct dump *d = xcalloc(1, sizeof *d);
	d->ld = ld;
	d->db = db_loader_db(ld);
	d->opt = *opt;
	d->progress = opt->progress ? opt->progress : db_loader_progress(ld);
	return d;
}

static void insert_free(struct dump_insert *ins)
{
	sqlite3_finalize(ins->stmt);
	free(ins->cols);
	free(ins->slots);
	buf_free(&ins->arena);
	free(ins);
}

static void table_free_inserts(struct dump_table *t)
{
	while (t->inserts) {
		struct dump_insert *next = t->inserts->next;
		insert_free(t->inserts);
		t->inserts = next;
	}
}

static void table_release(struct dump_table *t)
{
	table_free_inserts(t);
	for (size_t i = 0; i < t->ncols; i++) {
		free(t->cols[i].name);
		free(t->cols[i].default_sql);
	}
	free(t->cols);
	free(t->pk);
	buf_free(&t->constraints);
	free(t->name);
	free(t);
}

static void index_free(struct dump_index *ix)
{
	free(ix->name);
	buf_free(&ix->cols);
}

void dump_free(struct dump *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->ntables; i++)
		table_release(d->tables[i]);
	free(d->tables);
	for (size_t i = 0; i < d->nindexes; i++)
		index_free(&d->indexes[i]);
	free(d->indexes);
	for (size_t i = 0; i < d->nviews; i++) {
		free(d->views[i].name);
		free(d->views[i].sql);
	}
	free(d->views);
	for (size_t i = 0; i < d->ncounts; i++)
		free(d->counts[i].what);
	free(d->counts);
	for (size_t i = 0; i < d->ninputs; i++)
		free(d->inputs[i]);
	free(d->inputs);
	buf_free(&d->warnings);
	buf_free(&d->scratch);
	free(d);
}

void dump_begin_input(struct dump *d, const char *name, enum dump_pass pass, uint64_t total_bytes)
{
	d->pass = pass;
	d->inputs = grow(d->inputs, d->ninputs + 1, sizeof *d->inputs);
	d->inputs[d->ninputs++] = xstrdup(name);
	d->rows = d->rows_reported = 0;
	if (d->progress) {
		char label[300];
		snprintf(label, sizeof label, "%s%s", name,
			 pass == DUMP_PASS_SCHEMA ? " (reading the schema)" : "");
		progress_begin(d->progress, label, total_bytes);
	}
}

void dump_progress(struct dump *d, uint64_t raw_bytes)
{
	if (d->progress && d->rows - d->rows_reported >= DUMP_PROGRESS_ROWS) {
		d->rows_reported = d->rows;
		progress_update(d->progress, raw_bytes, d->rows);
	}
}

/* "a, b" for the tables that got rows from the current input. */
static void tables_of_input(const struct dump *d, struct buf *out)
{
	for (size_t i = 0; i < d->ntables; i++)
		if (d->tables[i]->last_input == d->ninputs) {
			buf_adds(out, out->len ? "," : "");
			buf_adds(out, d->tables[i]->name);
		}
}

void dump_end_input(struct dump *d, uint64_t raw_bytes, const char *sha256, const char *compression)
{
	if (d->progress) {
		progress_update(d->progress, raw_bytes, d->rows);
		progress_end(d->progress);
	}
	if (d->pass == DUMP_PASS_SCHEMA)
		return;
	const char *name = input_name(d);
	const char *slash = strrchr(name, '/');
	struct buf tables = BUF_INIT;
	tables_of_input(d, &tables);
	db_loader_add_source(d->ld, slash ? slash + 1 : name, raw_bytes, sha256, compression,
			     buf_str(&tables));
	buf_free(&tables);
}

/* --- schema --- */

struct dump_table *dump_table_find(struct dump *d, const char *name)
{
	for (size_t i = 0; i < d->ntables; i++)
		if (strcasecmp(d->tables[i]->name, name) == 0)
			return d->tables[i];
	return NULL;
}

static const struct dump_view *view_find(const struct dump *d, const char *name)
{
	for (size_t i = 0; i < d->nviews; i++)
		if (strcasecmp(d->views[i].name, name) == 0)
			return &d->views[i];
	return NULL;
}

/* Whether SQLite has a table, view or index of that name that the model does not know: one
 * that another input (a CSV file) made. */
static int in_database(struct dump *d, const char *name)
{
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(d->db, "SELECT 1 FROM sqlite_master WHERE name = ? COLLATE NOCASE", -1, &st,
			       NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	int found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/* A new name for a table or view: not reserved, not taken. */
static int check_new_name(struct dump *d, const char *what, const char *name, struct amber_error *err)
{
	if (!name[0] || reserved_name(name))
		return amber_error_set(err, "\"%s\" cannot be a %s name (reserved)", name, what);
	const struct dump_table *t = dump_table_find(d, name);
	if (t)
		return amber_error_set(err, "%s \"%s\" is defined twice (a table of that name comes from %s)",
				       what, name, t->input);
	const struct dump_view *v = view_find(d, name);
	if (v)
		return amber_error_set(err, "%s \"%s\" is defined twice (a view of that name comes from %s)",
				       what, name, v->input);
	if (in_database(d, name))
		return amber_error_set(
		    err, "%s \"%s\" is defined twice (another input made a table of that name)", what, name);
	return 0;
}

static struct dump_table *table_define(struct dump *d, const char *name)
{
	struct dump_table *t = xcalloc(1, sizeof *t);
	t->d = d;
	t->name = xstrdup(name);
	t->input = input_name(d);
	d->tables = grow(d->tables, d->ntables + 1, sizeof *d->tables);
	d->tables[d->ntables++] = t;
	return t;
}

struct dump_table *dump_table_create(struct dump *d, const char *name, struct amber_error *err)
{
	if (d->pass == DUMP_PASS_DATA) {
		struct dump_table *t = dump_table_find(d, name);
		if (t)
			return t;
	}
	if (check_new_name(d, "table", name, err) < 0)
		return NULL;
	struct dump_table *t = table_define(d, name);
	t->data_pass = d->pass == DUMP_PASS_DATA;
	return t;
}

/* Whether DDL about `t` was read already: in a data pass, by the schema pass. */
static int ddl_done(const struct dump_table *t)
{
	return t->d->pass == DUMP_PASS_DATA && !t->data_pass;
}

/* Forgets a view (views exist only in the model until dump_finish). Returns whether there was one. */
static int view_drop(struct dump *d, const char *name)
{
	for (size_t i = 0; i < d->nviews; i++)
		if (strcasecmp(d->views[i].name, name) == 0) {
			free(d->views[i].name);
			free(d->views[i].sql);
			memmove(&d->views[i], &d->views[i + 1], (d->nviews - i - 1) * sizeof *d->views);
			d->nviews--;
			return 1;
		}
	return 0;
}

int dump_table_drop(struct dump *d, const char *name, struct amber_error *err)
{
	if (d->pass == DUMP_PASS_DATA || view_drop(d, name))
		return 0; /* a view too: DROP VIEW IF EXISTS before mysqldump's final view */
	size_t i;
	for (i = 0; i < d->ntables && strcasecmp(d->tables[i]->name, name) != 0; i++)
		;
	if (i == d->ntables)
		return 0;
	struct dump_table *t = d->tables[i];
	if (t->has_rows)
		return amber_error_set(err, "table \"%s\" (from %s) has rows and cannot be dropped by %s",
				       t->name, t->input, input_name(d));
	if (t->created) {
		table_free_inserts(t);
		struct buf sql = BUF_INIT;
		buf_adds(&sql, "DROP TABLE ");
		buf_add_ident(&sql, t->name);
		int rc = exec(d, sql.data, err);
		buf_free(&sql);
		if (rc < 0)
			return -1;
	}
	size_t k = 0;
	for (size_t j = 0; j < d->nindexes; j++) {
		if (d->indexes[j].t == t)
			index_free(&d->indexes[j]);
		else
			d->indexes[k++] = d->indexes[j];
	}
	d->nindexes = k;
	memmove(&d->tables[i], &d->tables[i + 1], (d->ntables - i - 1) * sizeof *d->tables);
	d->ntables--;
	table_release(t);
	return 0;
}

int dump_column_add(struct dump_table *t, const char *name, enum dump_kind kind, unsigned flags,
		    const char *default_sql, struct amber_error *err)
{
	if (ddl_done(t))
		return 0;
	if (dump_column_find(t, name) >= 0)
		return amber_error_set(err, "column \"%s\" of table %s is defined twice", name, t->name);
	if (t->created)
		return amber_error_set(err, "column \"%s\" added to table %s after its rows", name, t->name);
	t->cols = grow(t->cols, t->ncols + 1, sizeof *t->cols);
	struct dump_column *c = &t->cols[t->ncols++];
	c->name = xstrdup(name);
	c->kind = kind;
	c->flags = flags;
	c->default_sql = default_sql ? xstrdup(default_sql) : NULL;
	return 0;
}

size_t dump_table_ncolumns(const struct dump_table *t)
{
	return t->ncols;
}

const char *dump_table_name(const struct dump_table *t)
{
	return t->name;
}

long dump_column_find(const struct dump_table *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (strcasecmp(t->cols[i].name, name) == 0)
			return (long)i;
	return -1;
}

enum dump_kind dump_column_kind(const struct dump_table *t, size_t col)
{
	return t->cols[col].kind;
}

/* Resolves column names of `t` to indexes; `what` names the statement in errors. */
static int resolve_columns(const struct dump_table *t, const char *const *cols, size_t n, size_t *out,
			   const char *what, struct amber_error *err)
{
	if (n == 0)
		return amber_error_set(err, "%s of table %s names no columns", what, t->name);
	for (size_t i = 0; i < n; i++) {
		long c = dump_column_find(t, cols[i]);
		if (c < 0)
			return amber_error_set(err, "%s of table %s names an unknown column \"%s\"", what,
					       t->name, cols[i]);
		out[i] = (size_t)c;
	}
	return 0;
}

static void quote_columns(struct buf *b, const struct dump_table *t, const size_t *cols, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		buf_adds(b, i ? ", " : "");
		buf_add_ident(b, t->cols[cols[i]].name);
	}
}

static void index_push(struct dump *d, struct dump_table *t, const char *name, const size_t *cols, size_t n,
		       int unique)
{
	d->indexes = grow(d->indexes, d->nindexes + 1, sizeof *d->indexes);
	struct dump_index *ix = &d->indexes[d->nindexes++];
	memset(ix, 0, sizeof *ix);
	ix->t = t;
	ix->name = name ? xstrdup(name) : NULL;
	ix->unique = unique;
	quote_columns(&ix->cols, t, cols, n);
}

int dump_primary_key(struct dump *d, struct dump_table *t, const char *const *cols, size_t n,
		     struct amber_error *err)
{
	if (ddl_done(t))
		return 0;
	if (t->sqlite_defined)
		return amber_error_set(err, "table %s was created by its own SQL: its key cannot change",
				       t->name);
	if (t->npk)
		return amber_error_set(err, "table %s has a primary key already", t->name);
	size_t *idx = xcalloc(n, sizeof *idx);
	if (resolve_columns(t, cols, n, idx, "PRIMARY KEY", err) < 0) {
		free(idx);
		return -1;
	}
	if (t->created) {
		index_push(d, t, NULL, idx, n, 1);
		free(idx);
		dump_warn(d, "the primary key of table %s comes after its rows: kept as a UNIQUE index",
			  t->name);
		return 0;
	}
	t->pk = idx;
	t->npk = n;
	return 0;
}

int dump_index_add(struct dump *d, struct dump_table *t, const char *name, const char *const *cols, size_t n,
		   int unique, struct amber_error *err)
{
	if (ddl_done(t))
		return 0;
	size_t *idx = xcalloc(n, sizeof *idx);
	int rc = resolve_columns(t, cols, n, idx, "an index", err);
	if (rc == 0)
		index_push(d, t, name, idx, n, unique);
	free(idx);
	return rc;
}

int dump_foreign_key(struct dump *d, struct dump_table *t, const char *const *cols, size_t n,
		     const char *ref_table, const char *const *ref_cols, size_t nref, struct amber_error *err)
{
	if (ddl_done(t))
		return 0;
	size_t *idx = xcalloc(n, sizeof *idx);
	int rc = resolve_columns(t, cols, n, idx, "FOREIGN KEY", err);
	if (rc == 0 && nref && nref != n)
		rc = amber_error_set(err, "FOREIGN KEY of table %s has %zu columns but references %zu",
				     t->name, n, nref);
	if (rc == 0 && t->created) {
		dump_warn(d, "a foreign key of table %s comes after its rows: not kept", t->name);
	} else if (rc == 0) {
		buf_adds(&t->constraints, ", FOREIGN KEY (");
		quote_columns(&t->constraints, t, idx, n);
		buf_adds(&t->constraints, ") REFERENCES ");
		buf_add_ident(&t->constraints, ref_table);
		for (size_t i = 0; i < nref; i++) {
			buf_adds(&t->constraints, i ? ", " : " (");
			buf_add_ident(&t->constraints, ref_cols[i]);
		}
		buf_adds(&t->constraints, nref ? ")" : "");
	}
	free(idx);
	return rc;
}

int dump_view(struct dump *d, const char *name, const char *select_sql, struct amber_error *err)
{
	if (d->pass == DUMP_PASS_DATA)
		return 0;
	if (check_new_name(d, "view", name, err) < 0)
		return -1;
	d->views = grow(d->views, d->nviews + 1, sizeof *d->views);
	struct dump_view *v = &d->views[d->nviews++];
	v->name = xstrdup(name);
	v->sql = xstrdup(select_sql);
	v->input = input_name(d);
	v->line = d->at_line;
	v->column = d->at_column;
	return 0;
}

static const char *declared_type(enum dump_kind kind)
{
	switch (kind) {
	case DUMP_INTEGER:
	case DUMP_BOOL:
		return " INTEGER";
	case DUMP_REAL:
		return " REAL";
	case DUMP_TEXT:
		return " TEXT";
	case DUMP_BLOB:
		return " BLOB";
	case DUMP_EXACT:
	case DUMP_ANY:
		break;
	}
	return ""; /* BLOB affinity: values are stored as bound */
}

/* Whether the key is one DUMP_INTEGER column, which becomes the rowid. */
static int rowid_key(const struct dump_table *t)
{
	return t->npk == 1 && t->cols[t->pk[0]].kind == DUMP_INTEGER;
}

static void table_ddl(const struct dump_table *t, struct buf *sql)
{
	buf_adds(sql, "CREATE TABLE ");
	buf_add_ident(sql, t->name);
	buf_adds(sql, " (");
	for (size_t i = 0; i < t->ncols; i++) {
		const struct dump_column *c = &t->cols[i];
		buf_adds(sql, i ? ", " : "");
		buf_add_ident(sql, c->name);
		buf_adds(sql, declared_type(c->kind));
		if (rowid_key(t) && t->pk[0] == i)
			buf_adds(sql, " PRIMARY KEY");
		if (c->flags & DUMP_COL_NOT_NULL)
			buf_adds(sql, " NOT NULL");
		if (c->default_sql)
			buf_addf(sql, " DEFAULT (%s)", c->default_sql);
	}
	if (t->npk && !rowid_key(t)) {
		buf_adds(sql, ", PRIMARY KEY (");
		quote_columns(sql, t, t->pk, t->npk);
		buf_adds(sql, ")");
	}
	buf_adds(sql, buf_str(&t->constraints));
	buf_adds(sql, ")");
}

/* Creates the table in SQLite if it is not there yet. */
static int table_materialize(struct dump *d, struct dump_table *t, struct amber_error *err)
{
	if (t->created)
		return 0;
	if (t->ncols == 0)
		return amber_error_set(err, "table %s has no columns", t->name);
	struct buf sql = BUF_INIT;
	table_ddl(t, &sql);
	int rc = exec(d, sql.data, err);
	buf_free(&sql);
	if (rc == 0)
		t->created = 1;
	return rc;
}

static int materialize_all(struct dump *d, struct amber_error *err)
{
	for (size_t i = 0; i < d->ntables; i++)
		if (table_materialize(d, d->tables[i], err) < 0)
			return -1;
	return 0;
}

/* SQLite's own tables that executing a dump writes: the schema (SQLite itself refuses direct
 * writes to it) and the AUTOINCREMENT counters. */
static int sqlite_may_write(const char *name)
{
	static const char *const names[] = {"sqlite_sequence", "sqlite_master", "sqlite_schema",
					    "sqlite_temp_master", "sqlite_temp_schema"};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (strcasecmp(name, names[i]) == 0)
			return 1;
	return 0;
}

/* Refuses SQL of SQLite dumps that would touch amber's own tables or SQLite's internal ones
 * (other than sqlite_sequence, which AUTOINCREMENT tables carry) or leave the build's
 * transaction. */
static int authorize(void *arg, int action, const char *a1, const char *a2, const char *dbname,
		     const char *trigger)
{
	(void)arg, (void)dbname, (void)trigger;
	const char *name = NULL;
	switch (action) {
	case SQLITE_TRANSACTION:
	case SQLITE_ATTACH:
	case SQLITE_DETACH:
	case SQLITE_PRAGMA:
	case SQLITE_SAVEPOINT:
		return SQLITE_DENY;
	case SQLITE_INSERT:
	case SQLITE_UPDATE:
	case SQLITE_DELETE:
		name = a1;
		break;
	case SQLITE_CREATE_TABLE:
	case SQLITE_CREATE_VIEW:
	case SQLITE_DROP_TABLE:
	case SQLITE_DROP_VIEW:
		name = a1;
		break;
	case SQLITE_CREATE_INDEX:
	case SQLITE_CREATE_TRIGGER:
	case SQLITE_DROP_INDEX:
	case SQLITE_DROP_TRIGGER:
		/* sqlite_* index names are SQLite's own (UNIQUE constraints); it refuses them from SQL. */
		if (a1 && strncasecmp(a1, "_amber_", 7) == 0)
			return SQLITE_DENY;
		name = a2;
		break;
	default:
		return SQLITE_OK;
	}
	return name && reserved_name(name) && !sqlite_may_write(name) ? SQLITE_DENY : SQLITE_OK;
}

static int exec_guarded(struct dump *d, const char *sql, struct amber_error *err)
{
	sqlite3_set_authorizer(d->db, authorize, NULL);
	int rc = exec(d, sql, err);
	sqlite3_set_authorizer(d->db, NULL, NULL);
	return rc;
}

/* Reads the columns of a table SQLite has defined into the model, all DUMP_ANY. */
static int read_sqlite_columns(struct dump *d, struct dump_table *t, struct amber_error *err)
{
	struct buf sql = BUF_INIT;
	buf_adds(&sql, "SELECT name FROM pragma_table_info(?)");
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(d->db, sql.data, -1, &st, NULL) != SQLITE_OK) {
		int rc = sqlite_error(d, err, sql.data);
		buf_free(&sql);
		return rc;
	}
	buf_free(&sql);
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	int rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		t->cols = grow(t->cols, t->ncols + 1, sizeof *t->cols);
		struct dump_column *c = &t->cols[t->ncols++];
		memset(c, 0, sizeof *c);
		c->name = xstrdup((const char *)sqlite3_column_text(st, 0));
		c->kind = DUMP_ANY;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return amber_error_set(err, "SQLite: %s", sqlite3_errmsg(d->db));
	if (t->ncols == 0)
		return amber_error_set(err, "the SQL for table %s did not create it", t->name);
	return 0;
}

struct dump_table *dump_table_create_sqlite(struct dump *d, const char *name, const char *create_sql,
					    struct amber_error *err)
{
	if (d->pass == DUMP_PASS_DATA) {
		struct dump_table *t = dump_table_find(d, name);
		if (t)
			return t;
	}
	if (check_new_name(d, "table", name, err) < 0 || exec_guarded(d, create_sql, err) < 0)
		return NULL;
	struct dump_table *t = table_define(d, name);
	t->created = t->sqlite_defined = 1;
	if (read_sqlite_columns(d, t, err) < 0)
		return NULL; /* the table stays in the model; the build fails anyway */
	return t;
}

int dump_sqlite_exec(struct dump *d, const char *sql, struct amber_error *err)
{
	if (d->pass == DUMP_PASS_SCHEMA)
		return 0;
	if (materialize_all(d, err) < 0)
		return -1;
	for (size_t i = 0; i < d->ntables; i++)
		d->tables[i]->has_rows = 1; /* the SQL may have written to any of them */
	return exec_guarded(d, sql, err);
}

/* --- skipped statements and warnings --- */

static void count(struct dump *d, const char *input, const char *what)
{
	for (size_t i = 0; i < d->ncounts; i++)
		if (d->counts[i].input == input && strcmp(d->counts[i].what, what) == 0) {
			d->counts[i].n++;
			return;
		}
	d->counts = grow(d->counts, d->ncounts + 1, sizeof *d->counts);
	d->counts[d->ncounts++] = (struct dump_count){input, xstrdup(what), 1};
}

int dump_skip(struct dump *d, const char *what, struct amber_error *err)
{
	if (d->pass == DUMP_PASS_SCHEMA)
		return 0;
	if (d->opt.strict)
		return amber_error_set(err, "%s is not supported (--strict)", what);
	count(d, input_name(d), what);
	return 0;
}

static int warning_known(const struct dump *d, const char *input, const char *text)
{
	for (const char *p = d->warnings.data; p && p < d->warnings.data + d->warnings.len;) {
		const char *t = p + strlen(p) + 1;
		if (strcmp(p, input) == 0 && strcmp(t, text) == 0)
			return 1;
		p = t + strlen(t) + 1;
	}
	return 0;
}

/* A warning about `input` (one of d->inputs). */
static void warn_about(struct dump *d, const char *input, const char *fmt, va_list ap)
{
	struct buf text = BUF_INIT;
	buf_vaddf(&text, fmt, ap);
	if (d->opt.strict && !d->strict_warning[0]) {
		char place[48] = "";
		if (d->at_line > 0)
			snprintf(place, sizeof place, ":%ld:%ld", d->at_line, d->at_column);
		snprintf(d->strict_warning, sizeof d->strict_warning, "%s%s: %s (--strict)", input, place,
			 text.data);
	}
	count(d, input, "warning");
	if (!warning_known(d, input, text.data)) {
		buf_add(&d->warnings, input, strlen(input) + 1);
		buf_add(&d->warnings, text.data, text.len + 1);
	}
	buf_free(&text);
}

void dump_at(struct dump *d, long line, long column)
{
	d->at_line = line;
	d->at_column = column;
}

void dump_warn(struct dump *d, const char *fmt, ...)
{
	if (d->pass == DUMP_PASS_SCHEMA)
		return;
	va_list ap;
	va_start(ap, fmt);
	warn_about(d, input_name(d), fmt, ap);
	va_end(ap);
}

static void view_warn(struct dump *d, const char *input, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void view_warn(struct dump *d, const char *input, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	warn_about(d, input, fmt, ap);
	va_end(ap);
}

/* "triggers", "indexes", "policies", "GRANTs". */
static void plural(struct buf *b, const char *word, unsigned long n)
{
	buf_adds(b, word);
	if (n == 1)
		return;
	size_t len = strlen(word);
	char last = len ? word[len - 1] : 0;
	char before = len > 1 ? word[len - 2] : 0;
	if (last >= 'A' && last <= 'Z')
		buf_adds(b, "s");
	else if (last == 's' || last == 'x' || (last == 'h' && (before == 'c' || before == 's')))
		buf_adds(b, "es");
	else if (last == 'y' && !strchr("aeiou", before)) {
		b->len--;
		buf_adds(b, "ies");
	} else
		buf_adds(b, "s");
}

/* One line per input: "dump.sql: skipped 3 triggers, 2 procedures, 1 GRANT; 1 warning", then
 * each warning once. */
static void print_summary(struct dump *d)
{
	if (!d->progress)
		return;
	for (size_t k = 0; k < d->ninputs; k++) {
		const char *input = d->inputs[k];
		struct buf line = BUF_INIT;
		unsigned long warnings = 0;
		for (size_t i = 0; i < d->ncounts; i++) {
			const struct dump_count *c = &d->counts[i];
			if (c->input != input)
				continue;
			if (strcmp(c->what, "warning") == 0) {
				warnings = c->n;
				continue;
			}
			buf_adds(&line, line.len ? ", " : "skipped ");
			buf_addf(&line, "%lu ", c->n);
			plural(&line, c->what, c->n);
		}
		if (warnings) {
			buf_addf(&line, "%s%lu ", line.len ? "; " : "", warnings);
			plural(&line, "warning", warnings);
		}
		if (line.len)
			progress_message(d->progress, 1, "%s: %s", input, line.data);
		buf_free(&line);
	}
	for (const char *p = d->warnings.data; p && p < d->warnings.data + d->warnings.len;) {
		const char *text = p + strlen(p) + 1;
		progress_message(d->progress, 1, "%s: warning: %s", p, text);
		p = text + strlen(text) + 1;
	}
}

/* --- rows --- */

static int same_columns(const struct dump_insert *ins, const char *const *cols, size_t n)
{
	if (n == 0)
		return ins->cols == NULL;
	if (ins->cols == NULL || ins->n != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(ins->t->cols[ins->cols[i]].name, cols[i]) != 0)
			return 0;
	return 1;
}

static struct dump_insert *insert_find(struct dump_table *t, const char *const *cols, size_t n,
				       enum dump_conflict conflict)
{
	struct dump_insert **link = &t->inserts;
	for (struct dump_insert *ins = t->inserts; ins; link = &ins->next, ins = ins->next)
		if (ins->conflict == conflict && same_columns(ins, cols, n)) {
			*link = ins->next; /* the most recently used first */
			ins->next = t->inserts;
			t->inserts = ins;
			return ins;
		}
	return NULL;
}

static int insert_statement(struct dump_insert *ins, struct amber_error *err)
{
	static const char *const verbs[] = {"INSERT INTO ", "INSERT OR IGNORE INTO ",
					    "INSERT OR REPLACE INTO "};
	const struct dump_table *t = ins->t;
	struct buf sql = BUF_INIT;
	buf_adds(&sql, verbs[ins->conflict]);
	buf_add_ident(&sql, t->name);
	if (ins->cols) {
		buf_adds(&sql, " (");
		quote_columns(&sql, t, ins->cols, ins->n);
		buf_adds(&sql, ")");
	}
	buf_adds(&sql, " VALUES (");
	for (size_t i = 0; i < ins->n; i++)
		buf_adds(&sql, i ? ", ?" : "?");
	buf_adds(&sql, ")");
	int rc = 0;
	if (sqlite3_prepare_v3(ins->d->db, sql.data, -1, SQLITE_PREPARE_PERSISTENT, &ins->stmt, NULL) !=
	    SQLITE_OK)
		rc = sqlite_error(ins->d, err, sql.data);
	buf_free(&sql);
	return rc;
}

static struct dump_insert *insert_new(struct dump *d, struct dump_table *t, const char *const *cols, size_t n,
				      enum dump_conflict conflict, struct amber_error *err)
{
	struct dump_insert *ins = xcalloc(1, sizeof *ins);
	ins->d = d;
	ins->t = t;
	ins->conflict = conflict;
	ins->n = n ? n : t->ncols;
	if (n) {
		ins->cols = xcalloc(n, sizeof *ins->cols);
		if (resolve_columns(t, cols, n, ins->cols, "an INSERT", err) < 0)
			goto fail;
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < i; j++)
				if (ins->cols[i] == ins->cols[j]) {
					amber_error_set(err, "an INSERT into table %s names column %s twice",
							t->name, cols[i]);
					goto fail;
				}
	}
	ins->slots = xcalloc(ins->n, sizeof *ins->slots);
	if (insert_statement(ins, err) < 0)
		goto fail;
	ins->next = t->inserts;
	t->inserts = ins;
	return ins;
fail:
	insert_free(ins);
	return NULL;
}

struct dump_insert *dump_insert_prepare(struct dump *d, struct dump_table *t, const char *const *cols,
					size_t n, enum dump_conflict conflict, struct amber_error *err)
{
	if (d->pass == DUMP_PASS_SCHEMA) {
		amber_error_set(err, "rows of table %s given in a schema pass", t->name);
		return NULL;
	}
	struct dump_insert *ins =
	    t->inserts && t->inserts->conflict == conflict && same_columns(t->inserts, cols, n)
		? t->inserts
		: insert_find(t, cols, n, conflict);
	if (ins)
		return ins;
	if (table_materialize(d, t, err) < 0)
		return NULL;
	return insert_new(d, t, cols, n, conflict, err);
}

size_t dump_insert_width(const struct dump_insert *ins)
{
	return ins->n;
}

enum dump_kind dump_insert_kind(const struct dump_insert *ins, size_t i)
{
	return ins->t->cols[ins->cols ? ins->cols[i] : i].kind;
}

/* --- converting values --- */

/* The conversion of one value: what it goes into, for messages. */
struct target {
	struct dump_insert *ins;
	struct slot *slot;
	const struct dump_column *col;
};

static int value_error(const struct target *x, struct amber_error *err, const char *p, size_t len,
		       const char *what)
{
	char q[QUOTE_MAX + 8];
	return amber_error_set(err, "'%s' is not %s (column %s.%s)", quote_value(q, p, len), what,
			       x->ins->t->name, x->col->name);
}

/* A whole decimal integer that fits int64: optional sign, digits (leading zeros allowed). */
static int parse_int64(const char *p, size_t len, int64_t *out)
{
	size_t i = 0;
	int neg = 0;
	if (len && (p[0] == '-' || p[0] == '+')) {
		neg = p[0] == '-';
		i = 1;
	}
	if (i == len)
		return -1;
	uint64_t v = 0;
	for (; i < len; i++) {
		unsigned digit = (unsigned char)p[i] - '0';
		if (digit > 9 || v > (UINT64_MAX - digit) / 10)
			return -1;
		v = v * 10 + digit;
	}
	if (neg ? v > (uint64_t)INT64_MAX + 1 : v > (uint64_t)INT64_MAX)
		return -1;
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return 0;
}

/* Whether the text is a decimal number (sign, digits with at most one point, at least one
 * digit, an optional exponent); *significant gets its significant digits. */
static int is_decimal(const char *p, size_t len, size_t *significant)
{
	size_t i = 0, digits = 0, first = 0, last = 0;
	int point = 0;
	if (i < len && (p[i] == '-' || p[i] == '+'))
		i++;
	for (; i < len; i++) {
		if (p[i] == '.' && !point) {
			point = 1;
		} else if (p[i] >= '0' && p[i] <= '9') {
			digits++;
			if (p[i] != '0') {
				if (!first)
					first = digits;
				last = digits;
			}
		} else {
			break;
		}
	}
	if (!digits)
		return 0;
	if (i < len && (p[i] == 'e' || p[i] == 'E')) {
		i++;
		if (i < len && (p[i] == '-' || p[i] == '+'))
			i++;
		size_t start = i;
		while (i < len && p[i] >= '0' && p[i] <= '9')
			i++;
		if (i == start)
			return 0;
	}
	*significant = first ? last - first + 1 : 0;
	return i == len;
}

/* strtod over a copy with a NUL. */
static double to_double(struct dump *d, const char *p, size_t len)
{
	char small[64];
	char *s = small;
	if (len >= sizeof small) {
		buf_reset(&d->scratch);
		buf_add(&d->scratch, p, len);
		s = d->scratch.data;
	} else {
		memcpy(small, p, len);
		small[len] = '\0';
	}
	return strtod(s, NULL);
}

static int equals_nocase(const char *p, size_t len, const char *word)
{
	return strlen(word) == len && strncasecmp(p, word, len) == 0;
}

/* Infinity, -Infinity, inf, NaN and the like. Returns 1 and sets *out when it is one. */
static int special_real(const char *p, size_t len, double *out)
{
	double sign = 1;
	if (len && (p[0] == '-' || p[0] == '+')) {
		sign = p[0] == '-' ? -1 : 1;
		p++, len--;
	}
	if (equals_nocase(p, len, "inf") || equals_nocase(p, len, "infinity")) {
		*out = sign * INFINITY;
		return 1;
	}
	if (equals_nocase(p, len, "nan")) {
		*out = NAN;
		return 1;
	}
	return 0;
}

/* The unsigned value of hex (bits 4) or binary (bits 1) digits; -1 when wider than 64 bits. */
static int digits_value(const char *p, size_t len, int bits, uint64_t *out)
{
	uint64_t v = 0;
	size_t i = 0;
	while (i < len && p[i] == '0')
		i++;
	if ((len - i) * (size_t)bits > 64)
		return -1;
	for (; i < len; i++) {
		int digit = bits == 4 ? hex_digit(p[i]) : p[i] - '0';
		if (digit < 0 || digit >= (1 << bits))
			return -1;
		v = (v << bits) | (uint64_t)digit;
	}
	*out = v;
	return 0;
}

static void set_int(struct slot *s, int64_t v)
{
	s->type = SQLITE_INTEGER;
	s->v.i = v;
}

static void set_real(struct slot *s, double v)
{
	if (isnan(v)) {
		s->type = SQLITE_NULL; /* as SQLite stores a NaN */
		return;
	}
	s->type = SQLITE_FLOAT;
	s->v.r = v;
}

/* Starts a TEXT or BLOB value in the arena; the caller appends its bytes. */
static void begin_bytes(struct target *x, int type)
{
	x->slot->type = type;
	x->slot->v.bytes.off = x->ins->arena.len;
	x->slot->v.bytes.len = 0;
}

static void end_bytes(struct target *x)
{
	x->slot->v.bytes.len = x->ins->arena.len - x->slot->v.bytes.off;
}

static void set_bytes(struct target *x, int type, const char *p, size_t len)
{
	begin_bytes(x, type);
	buf_add(&x->ins->arena, p, len);
	end_bytes(x);
}

/* Appends the bytes that hex or binary digits spell, big-endian, left-padded to whole bytes. */
static int decode_digits(struct target *x, enum dump_lit lit, const char *p, size_t len,
			 struct amber_error *err)
{
	struct buf *a = &x->ins->arena;
	if (lit == DUMP_LIT_HEX) {
		if (len % 2)
			return value_error(x, err, p, len, "an even number of hex digits");
		buf_grow(a, len / 2);
		for (size_t i = 0; i < len; i += 2) {
			int hi = hex_digit(p[i]), lo = hex_digit(p[i + 1]);
			if (hi < 0 || lo < 0)
				return value_error(x, err, p, len, "hex digits");
			a->data[a->len++] = (char)(hi << 4 | lo);
		}
	} else {
		size_t pad = (8 - len % 8) % 8;
		buf_grow(a, (len + pad) / 8);
		unsigned byte = 0;
		for (size_t i = 0; i < len; i++) {
			if (p[i] != '0' && p[i] != '1')
				return value_error(x, err, p, len, "binary digits");
			byte = byte << 1 | (unsigned)(p[i] - '0');
			if ((i + pad) % 8 == 7) {
				a->data[a->len++] = (char)byte;
				byte = 0;
			}
		}
	}
	a->data[a->len] = '\0';
	return 0;
}

/* Stores `len` bytes at arena offset `off` (already there) as TEXT under the UTF-8 policy. */
static int finish_text(struct target *x, size_t off, struct amber_error *err)
{
	struct buf *a = &x->ins->arena;
	size_t len = a->len - off;
	size_t bad = utf8_invalid_offset(a->data + off, len);
	x->slot->type = SQLITE_TEXT;
	x->slot->v.bytes.off = off;
	x->slot->v.bytes.len = len;
	if (bad == len)
		return 0;
	switch (x->ins->d->opt.invalid_utf8) {
	case DUMP_UTF8_ERROR:
		break;
	case DUMP_UTF8_BLOB:
		x->slot->type = SQLITE_BLOB;
		return 0;
	case DUMP_UTF8_REPLACE: {
		/* Rebuilt after the original, which the next row's reset discards with it. Room for
		 * the worst case first (every byte becomes 3), so the source does not move. */
		buf_grow(a, 3 * len);
		size_t start = a->len;
		for (size_t pos = 0; pos < len;) {
			buf_add(a, a->data + off + pos, bad);
			buf_add(a, "\xEF\xBF\xBD", 3); /* U+FFFD for the one invalid byte */
			pos += bad + 1;
			bad = pos < len ? utf8_invalid_offset(a->data + off + pos, len - pos) : 0;
			if (pos + bad == len) {
				buf_add(a, a->data + off + pos, bad);
				break;
			}
		}
		x->slot->v.bytes.off = start;
		x->slot->v.bytes.len = a->len - start;
		return 0;
	}
	}
	x->slot->type = 0;
	return amber_error_set(err, "invalid UTF-8 at byte %zu of a TEXT value (column %s.%s)", bad + 1,
			       x->ins->t->name, x->col->name);
}

static int text_value(struct target *x, enum dump_lit lit, const char *p, size_t len, struct amber_error *err)
{
	size_t off = x->ins->arena.len;
	if (lit == DUMP_LIT_HEX || lit == DUMP_LIT_BITS) {
		if (decode_digits(x, lit, p, len, err) < 0)
			return -1;
	} else {
		buf_add(&x->ins->arena, p, len);
	}
	return finish_text(x, off, err);
}

static int blob_value(struct target *x, enum dump_lit lit, const char *p, size_t len, struct amber_error *err)
{
	if (lit == DUMP_LIT_HEX || lit == DUMP_LIT_BITS) {
		begin_bytes(x, SQLITE_BLOB);
		if (decode_digits(x, lit, p, len, err) < 0)
			return -1;
		end_bytes(x);
		return 0;
	}
	set_bytes(x, SQLITE_BLOB, p, len);
	return 0;
}

static int integer_value(struct target *x, enum dump_lit lit, const char *p, size_t len,
			 struct amber_error *err)
{
	int64_t v;
	uint64_t u;
	switch (lit) {
	case DUMP_LIT_HEX:
	case DUMP_LIT_BITS:
		if (digits_value(p, len, lit == DUMP_LIT_HEX ? 4 : 1, &u) < 0 || u > INT64_MAX)
			return value_error(x, err, p, len, "an integer");
		set_int(x->slot, (int64_t)u);
		return 0;
	default:
		if (parse_int64(p, len, &v) < 0)
			return value_error(x, err, p, len, "an integer");
		set_int(x->slot, v);
		return 0;
	}
}

static int bool_value(struct target *x, enum dump_lit lit, const char *p, size_t len, struct amber_error *err)
{
	static const char *const truths[] = {"1", "t", "true", "y", "yes", "on"};
	static const char *const falsehoods[] = {"0", "f", "false", "n", "no", "off"};
	uint64_t u;
	if (lit == DUMP_LIT_HEX || lit == DUMP_LIT_BITS) {
		if (digits_value(p, len, lit == DUMP_LIT_HEX ? 4 : 1, &u) < 0 || u > 1)
			return value_error(x, err, p, len, "a boolean");
		set_int(x->slot, (int64_t)u);
		return 0;
	}
	/* MySQL's BOOL is TINYINT(1), which holds any tinyint: a number stays the number. */
	if (lit == DUMP_LIT_NUMBER)
		return integer_value(x, lit, p, len, err);
	for (size_t i = 0; i < sizeof truths / sizeof *truths; i++) {
		if (equals_nocase(p, len, truths[i])) {
			set_int(x->slot, 1);
			return 0;
		}
		if (equals_nocase(p, len, falsehoods[i])) {
			set_int(x->slot, 0);
			return 0;
		}
	}
	return value_error(x, err, p, len, "a boolean");
}

static int exact_value(struct target *x, enum dump_lit lit, const char *p, size_t len,
		       struct amber_error *err)
{
	int64_t v;
	uint64_t u;
	size_t significant;
	if (lit == DUMP_LIT_HEX || lit == DUMP_LIT_BITS) {
		if (digits_value(p, len, lit == DUMP_LIT_HEX ? 4 : 1, &u) < 0)
			return value_error(x, err, p, len, "a number of at most 64 bits");
		if (u <= INT64_MAX) {
			set_int(x->slot, (int64_t)u);
		} else {
			begin_bytes(x, SQLITE_TEXT);
			buf_addf(&x->ins->arena, "%llu", (unsigned long long)u);
			end_bytes(x);
		}
		return 0;
	}
	if (lit == DUMP_LIT_BOOL || parse_int64(p, len, &v) == 0) {
		if (lit == DUMP_LIT_BOOL)
			v = len == 1 && p[0] == '1';
		set_int(x->slot, v);
		return 0;
	}
	double special;
	if (special_real(p, len, &special)) {
		set_bytes(x, SQLITE_TEXT, p, len); /* PostgreSQL's numeric NaN and Infinity, as written */
		return 0;
	}
	if (!is_decimal(p, len, &significant))
		return value_error(x, err, p, len, "a number");
	if (significant <= DBL_DIG) {
		double r = to_double(x->ins->d, p, len);
		/* Outside the normal range a double no longer holds 15 digits. */
		if (isfinite(r) && (r == 0 ? significant == 0 : fabs(r) >= DBL_MIN)) {
			set_real(x->slot, r);
			return 0;
		}
	}
	set_bytes(x, SQLITE_TEXT, p, len);
	return 0;
}

static int real_value(struct target *x, enum dump_lit lit, const char *p, size_t len, struct amber_error *err)
{
	double r;
	uint64_t u;
	size_t significant;
	if (lit == DUMP_LIT_HEX || lit == DUMP_LIT_BITS) {
		if (digits_value(p, len, lit == DUMP_LIT_HEX ? 4 : 1, &u) < 0)
			return value_error(x, err, p, len, "a number of at most 64 bits");
		set_real(x->slot, (double)u);
		return 0;
	}
	if (special_real(p, len, &r)) {
		set_real(x->slot, r);
		return 0;
	}
	if (!is_decimal(p, len, &significant))
		return value_error(x, err, p, len, "a real number");
	set_real(x->slot, to_double(x->ins->d, p, len));
	return 0;
}

/* A value of a table SQLite defined: typed by its literal, as executing the dump would. */
static int any_value(struct target *x, enum dump_lit lit, const char *p, size_t len, struct amber_error *err)
{
	int64_t v;
	switch (lit) {
	case DUMP_LIT_NUMBER:
		if (parse_int64(p, len, &v) == 0) {
			set_int(x->slot, v);
			return 0;
		}
		return real_value(x, lit, p, len, err);
	case DUMP_LIT_HEX:
	case DUMP_LIT_BITS:
		return blob_value(x, lit, p, len, err);
	case DUMP_LIT_BOOL:
		set_int(x->slot, len == 1 && p[0] == '1');
		return 0;
	default:
		return text_value(x, lit, p, len, err);
	}
}

int dump_insert_value(struct dump_insert *ins, size_t i, enum dump_lit lit, const char *p, size_t len,
		      struct amber_error *err)
{
	if (i >= ins->n)
		return amber_error_set(err, "value %zu of a row of table %s, which has %zu", i + 1,
				       ins->t->name, ins->n);
	struct target x = {ins, &ins->slots[i], &ins->t->cols[ins->cols ? ins->cols[i] : i]};
	if (x.slot->type == 0)
		ins->nset++;
	if (lit == DUMP_LIT_NULL) {
		x.slot->type = SQLITE_NULL;
		return 0;
	}
	int rc;
	switch (x.col->kind) {
	case DUMP_INTEGER:
		rc = integer_value(&x, lit, p, len, err);
		break;
	case DUMP_BOOL:
		rc = bool_value(&x, lit, p, len, err);
		break;
	case DUMP_EXACT:
		rc = exact_value(&x, lit, p, len, err);
		break;
	case DUMP_REAL:
		rc = real_value(&x, lit, p, len, err);
		break;
	case DUMP_TEXT:
		rc = text_value(&x, lit, p, len, err);
		break;
	case DUMP_BLOB:
		rc = blob_value(&x, lit, p, len, err);
		break;
	default:
		rc = any_value(&x, lit, p, len, err);
		break;
	}
	if (rc < 0 && x.slot->type == 0)
		ins->nset--;
	return rc;
}

static void row_reset(struct dump_insert *ins)
{
	for (size_t i = 0; i < ins->n; i++)
		ins->slots[i].type = 0;
	ins->nset = 0;
	buf_reset(&ins->arena);
}

static void bind_row(struct dump_insert *ins)
{
	sqlite3_stmt *st = ins->stmt;
	for (size_t i = 0; i < ins->n; i++) {
		const struct slot *s = &ins->slots[i];
		int idx = (int)i + 1;
		switch (s->type) {
		case SQLITE_INTEGER:
			sqlite3_bind_int64(st, idx, s->v.i);
			break;
		case SQLITE_FLOAT:
			sqlite3_bind_double(st, idx, s->v.r);
			break;
		case SQLITE_TEXT:
			/* An empty string is still a string, not NULL: never pass a NULL pointer. */
			sqlite3_bind_text64(st, idx, s->v.bytes.len ? ins->arena.data + s->v.bytes.off : "",
					    s->v.bytes.len, SQLITE_STATIC, SQLITE_UTF8);
			break;
		case SQLITE_BLOB:
			/* The same for a zero-length blob. */
			sqlite3_bind_blob64(st, idx, s->v.bytes.len ? ins->arena.data + s->v.bytes.off : "",
					    s->v.bytes.len, SQLITE_STATIC);
			break;
		default:
			sqlite3_bind_null(st, idx);
			break;
		}
	}
}

/* The message for a failed INSERT: which key or column. */
static int insert_error(struct dump_insert *ins, struct amber_error *err)
{
	const char *msg = sqlite3_errmsg(ins->d->db);
	const char *table = ins->t->name;
	switch (sqlite3_extended_errcode(ins->d->db)) {
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		return amber_error_set(err, "duplicate primary key in table %s", table);
	case SQLITE_CONSTRAINT_UNIQUE:
		return amber_error_set(err, "duplicate key in table %s (SQLite: %s)", table, msg);
	case SQLITE_CONSTRAINT_NOTNULL: {
		const char *col = strrchr(msg, '.');
		return amber_error_set(err, "NULL in NOT NULL column %s.%s", table, col ? col + 1 : "?");
	}
	default:
		break;
	}
	return amber_error_set(err, "SQLite: %s (inserting into table %s)", msg, table);
}

int dump_insert_row(struct dump_insert *ins, struct amber_error *err)
{
	if (ins->nset != ins->n) {
		amber_error_set(err, "a row of table %s has %zu of its %zu values", ins->t->name, ins->nset,
				ins->n);
		row_reset(ins);
		return -1;
	}
	bind_row(ins);
	int rc = sqlite3_step(ins->stmt);
	sqlite3_reset(ins->stmt);
	row_reset(ins);
	if (rc != SQLITE_DONE)
		return insert_error(ins, err);
	struct dump *d = ins->d;
	ins->t->has_rows = 1;
	ins->t->last_input = d->ninputs;
	d->rows++;
	return 0;
}

/* --- the end --- */

static int name_taken(const struct dump *d, const struct buf *used, const char *name)
{
	if (dump_table_find((struct dump *)d, name) || view_find(d, name))
		return 1;
	for (const char *p = used->data; p && p < used->data + used->len; p += strlen(p) + 1)
		if (strcasecmp(p, name) == 0)
			return 1;
	return 0;
}

/* A unique index name: the dump's own (indexes are per table in MySQL, global in SQLite), else
 * idx_<table>_<n>; a clash gets the table as prefix, then a number. */
static void index_name(const struct dump *d, const struct dump_index *ix, size_t n, struct buf *used,
		       struct buf *out)
{
	buf_reset(out);
	if (ix->name && !reserved_name(ix->name))
		buf_adds(out, ix->name);
	else
		buf_addf(out, "idx_%s_%zu", ix->t->name, n);
	if (name_taken(d, used, out->data)) {
		char *base = buf_detach(out);
		buf_addf(out, "%s_%s", ix->t->name, base);
		for (int k = 2; name_taken(d, used, out->data); k++) {
			buf_reset(out);
			buf_addf(out, "%s_%s_%d", ix->t->name, base, k);
		}
		free(base);
	}
	buf_add(used, out->data, out->len + 1);
}

static int create_indexes(struct dump *d, struct amber_error *err)
{
	if (!d->nindexes)
		return 0;
	if (d->progress)
		progress_phase(d->progress, "indexing (%zu %s)", d->nindexes,
			       d->nindexes == 1 ? "index" : "indexes");
	struct buf used = BUF_INIT, name = BUF_INIT, sql = BUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < d->nindexes && rc == 0; i++) {
		const struct dump_index *ix = &d->indexes[i];
		index_name(d, ix, i + 1, &used, &name);
		buf_reset(&sql);
		buf_adds(&sql, ix->unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
		buf_add_ident(&sql, name.data);
		buf_adds(&sql, " ON ");
		buf_add_ident(&sql, ix->t->name);
		buf_addf(&sql, " (%s)", ix->cols.data);
		rc = exec(d, sql.data, err);
		if (rc < 0 && ix->unique)
			rc = amber_error_set(err, "cannot create the unique index %s of table %s: %s",
					     name.data, ix->t->name, err->message);
	}
	if (d->progress)
		progress_phase_done(d->progress);
	buf_free(&used);
	buf_free(&name);
	buf_free(&sql);
	return rc;
}

/* Creates a view and checks that SQLite can run it (CREATE VIEW itself does not look up the
 * tables and functions it uses). On failure the view is dropped and `why` holds SQLite's
 * message. */
static int try_view(struct dump *d, const struct dump_view *v, struct buf *sql, struct buf *why)
{
	buf_reset(sql);
	buf_adds(sql, "CREATE VIEW ");
	buf_add_ident(sql, v->name);
	buf_addf(sql, " AS %s", v->sql);
	if (sqlite3_exec(d->db, sql->data, NULL, NULL, NULL) == SQLITE_OK) {
		buf_reset(sql);
		buf_adds(sql, "SELECT * FROM ");
		buf_add_ident(sql, v->name);
		sqlite3_stmt *st = NULL;
		int rc = sqlite3_prepare_v2(d->db, sql->data, -1, &st, NULL);
		sqlite3_finalize(st);
		if (rc == SQLITE_OK)
			return 0;
		buf_reset(why);
		buf_adds(why, sqlite3_errmsg(d->db));
		buf_reset(sql);
		buf_adds(sql, "DROP VIEW ");
		buf_add_ident(sql, v->name);
		sqlite3_exec(d->db, sql->data, NULL, NULL, NULL);
		return -1;
	}
	buf_reset(why);
	buf_adds(why, sqlite3_errmsg(d->db));
	return -1;
}

/* Creates the views, retrying those that fail while others succeed (a view may use a view
 * defined after it); what still fails is skipped with a warning. */
static void create_views(struct dump *d)
{
	char *done = xcalloc(d->nviews, 1);
	struct buf sql = BUF_INIT, why = BUF_INIT;
	for (int again = 1; again;) {
		again = 0;
		for (size_t i = 0; i < d->nviews; i++)
			if (!done[i] && try_view(d, &d->views[i], &sql, &why) == 0)
				done[i] = again = 1;
	}
	for (size_t i = 0; i < d->nviews; i++) {
		if (done[i])
			continue;
		try_view(d, &d->views[i], &sql, &why); /* for its message */
		dump_at(d, d->views[i].line, d->views[i].column);
		view_warn(d, d->views[i].input, "view %s skipped: not portable (SQLite: %s)",
			  d->views[i].name, why.data);
	}
	buf_free(&sql);
	buf_free(&why);
	free(done);
}

/* Records each table's row count, as SQLite counts it. */
static int record_rows(struct dump *d, struct amber_error *err)
{
	struct buf sql = BUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < d->ntables && rc == 0; i++) {
		struct dump_table *t = d->tables[i];
		int64_t rows = 0;
		if (t->has_rows) {
			buf_reset(&sql);
			buf_adds(&sql, "SELECT count(*) FROM ");
			buf_add_ident(&sql, t->name);
			sqlite3_stmt *st;
			if (sqlite3_prepare_v2(d->db, sql.data, -1, &st, NULL) != SQLITE_OK) {
				rc = sqlite_error(d, err, sql.data);
				break;
			}
			if (sqlite3_step(st) == SQLITE_ROW)
				rows = sqlite3_column_int64(st, 0);
			else
				rc = sqlite_error(d, err, sql.data);
			sqlite3_finalize(st);
		}
		db_loader_record_table(d->ld, t->name, (uint64_t)rows);
	}
	buf_free(&sql);
	return rc;
}

int dump_finish(struct dump *d, struct amber_error *err)
{
	d->pass = DUMP_PASS_ALL;
	for (size_t i = 0; i < d->ntables; i++)
		table_free_inserts(d->tables[i]);
	if (materialize_all(d, err) < 0 || create_indexes(d, err) < 0)
		return -1;
	create_views(d);
	if (d->strict_warning[0])
		return amber_error_set(err, "%s", d->strict_warning);
	if (record_rows(d, err) < 0)
		return -1;
	print_summary(d);
	return 0;
}
