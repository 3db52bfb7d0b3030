/* dump.h — what the dialect translators of SQL dumps load into: a schema model and typed rows.
 *
 * The translators (formats/dump_mysql, dump_postgres, dump_sqlite) read statements and call
 * this layer; it keeps the tables, turns their definitions into SQLite DDL, converts every
 * value to its column's kind and binds it to a prepared INSERT (no SQL text is built per row),
 * counts what was skipped, and builds indexes and views at the end. It runs on top of
 * core/loader, which owns the database file (temporary name, meta, ANALYZE, VACUUM, check,
 * rename).
 *
 * A table is created in SQLite lazily: at its first row, or at dump_finish. So constraints
 * that come after CREATE TABLE but before the rows (ALTER TABLE … ADD PRIMARY KEY) still
 * become part of the table. PostgreSQL adds its keys after the data; its translator reads the
 * DDL of a file in a first pass (DUMP_PASS_SCHEMA) and the rows in a second
 * (DUMP_PASS_DATA), in which DDL calls are no-ops.
 *
 * Places: calls that can fail take no place; they fill err->message and the translator adds
 * the file, line and column (sqlread_error). */
#ifndef AMBER_DUMP_H
#define AMBER_DUMP_H

#include "core/error.h"
#include "core/loader.h"

#include <stddef.h>
#include <stdint.h>

/* How a column stores values, and its declared SQLite type. */
enum dump_kind {
	DUMP_INTEGER, /* INTEGER: int64 (the int family, serial, YEAR, BIT(n) up to 64) */
	DUMP_BOOL,    /* INTEGER: 0/1 from true/false, t/f; a number as itself (tinyint(1), boolean) */
	DUMP_EXACT,   /* no declared type, so SQLite converts nothing: INTEGER when the number is
			 an integer that fits int64, REAL when it has at most 15 significant
			 digits, else TEXT exactly as written (DECIMAL, NUMERIC, BIGINT UNSIGNED) */
	DUMP_REAL,    /* REAL: the double strtod makes of the text (FLOAT, DOUBLE, real); 1e999 is
			 Infinity */
	DUMP_TEXT,    /* TEXT: valid UTF-8 (every character type, dates and times, ENUM, SET,
			 JSON, uuid, arrays as JSON text) */
	DUMP_BLOB,    /* BLOB: bytes (BLOB family, BINARY, VARBINARY, bytea) */
	DUMP_ANY      /* a table SQLite itself defined (SQLite dumps): each value keeps the type of
			 its literal (integer, REAL, TEXT, BLOB) and the column's own affinity
			 applies, as when the dump is executed */
};

/* A value as the dump wrote it. */
enum dump_lit {
	DUMP_LIT_NULL,
	DUMP_LIT_NUMBER, /* numeric text as written, with its sign: "-12", "1.5e3", "1e999" */
	DUMP_LIT_STRING, /* bytes, already unescaped (a string literal, a COPY field) */
	DUMP_LIT_HEX,	 /* hex digits (0x…, X'…', bytea \x…), without the prefix */
	DUMP_LIT_BITS,	 /* binary digits (b'0101') */
	DUMP_LIT_BOOL	 /* "1" or "0" (TRUE, FALSE) */
};

/* What to do with TEXT values that are not valid UTF-8. */
enum dump_utf8 { DUMP_UTF8_ERROR = 0, DUMP_UTF8_BLOB, DUMP_UTF8_REPLACE };

/* What an INSERT does with a row whose key is already there. */
enum dump_conflict { DUMP_CONFLICT_ERROR = 0, DUMP_CONFLICT_IGNORE, DUMP_CONFLICT_REPLACE };

enum dump_pass {
	DUMP_PASS_ALL = 0, /* one pass: DDL and rows as they come */
	DUMP_PASS_SCHEMA,  /* DDL only; rows must not be given (the translator skips them) */
	DUMP_PASS_DATA	   /* a second pass over the same file: DDL calls are no-ops */
};

struct dump_options {
	int strict; /* every skipped statement is an error */
	enum dump_utf8 invalid_utf8;
	struct progress *progress; /* warnings and the skip summary go here; may be NULL */
};

struct dump;
struct dump_table;
struct dump_insert;

/* Starts loading dumps into the database that `ld` builds (borrowed; dump_finish does not
 * finish it). */
struct dump *dump_create(struct db_loader *ld, const struct dump_options *opt);
/* Frees the model; the loader is untouched. */
void dump_free(struct dump *d);
/* Starts the next input file or pass: `name` is what messages call it, `total_bytes` its raw
 * size for progress (0 when unknown). */
void dump_begin_input(struct dump *d, const char *name, enum dump_pass pass, uint64_t total_bytes);
/* Called by translators after each row or statement with the raw bytes read so far; updates
 * the progress display every few thousand rows. */
void dump_progress(struct dump *d, uint64_t raw_bytes);
/* Ends the input: records it as a source in _amber_meta (after the data pass only). */
void dump_end_input(struct dump *d, uint64_t raw_bytes, const char *sha256, const char *compression);

/* --- schema --- */

/* Defines a table. Its name must be new (a clash, e.g. from two databases of one mysqldump,
 * is an error naming both), except in DUMP_PASS_DATA, where the table of the first pass is
 * returned. NULL with err on error. */
struct dump_table *dump_table_create(struct dump *d, const char *name, struct amber_error *err);
/* The table called `name` (case-insensitive, as SQL), or NULL. */
struct dump_table *dump_table_find(struct dump *d, const char *name);
/* Drops a table defined earlier (DROP TABLE IF EXISTS before CREATE TABLE); no-op when it
 * does not exist or in DUMP_PASS_DATA. Dropping a table that has rows is an error. */
int dump_table_drop(struct dump *d, const char *name, struct amber_error *err);
/* Column flags. */
#define DUMP_COL_NOT_NULL      0x1u
#define DUMP_COL_AUTOINCREMENT 0x2u /* with an integer primary key: INTEGER PRIMARY KEY */
/* Appends a column. `default_sql` is an SQLite expression or NULL (kept in the DDL only).
 * Returns 0, or -1 for a duplicate name. */
int dump_column_add(struct dump_table *t, const char *name, enum dump_kind kind, unsigned flags,
		    const char *default_sql, struct amber_error *err);
size_t dump_table_ncolumns(const struct dump_table *t);
const char *dump_table_name(const struct dump_table *t);
/* Index of column `name` (case-insensitive), or -1. */
long dump_column_find(const struct dump_table *t, const char *name);
enum dump_kind dump_column_kind(const struct dump_table *t, size_t col);
/* Sets the primary key. A single DUMP_INTEGER or DUMP_EXACT integer column becomes INTEGER
 * PRIMARY KEY (the rowid). After the table has rows (it exists in SQLite), the key becomes a
 * UNIQUE index and a warning. A second primary key is an error. */
int dump_primary_key(struct dump *d, struct dump_table *t, const char *const *cols, size_t n,
		     struct amber_error *err);
/* Adds an index (UNIQUE when `unique`), built at dump_finish. `name` may be NULL. */
int dump_index_add(struct dump *d, struct dump_table *t, const char *name, const char *const *cols, size_t n,
		   int unique, struct amber_error *err);
/* Adds a foreign key (kept in the DDL, not enforced: the database is read-only). */
int dump_foreign_key(struct dump *d, struct dump_table *t, const char *const *cols, size_t n,
		     const char *ref_table, const char *const *ref_cols, size_t nref,
		     struct amber_error *err);
/* A view: `select_sql` is tried as CREATE VIEW name AS select_sql at dump_finish; when SQLite
 * cannot prepare it (not portable), the view is skipped with a counted warning. */
int dump_view(struct dump *d, const char *name, const char *select_sql, struct amber_error *err);

/* A table defined by SQLite DDL as written (SQLite dumps): created at once; its columns are
 * read back from SQLite, all DUMP_ANY. NULL with err on error. */
struct dump_table *dump_table_create_sqlite(struct dump *d, const char *name, const char *create_sql,
					    struct amber_error *err);
/* Executes SQLite SQL as written, at once (SQLite dumps: CREATE INDEX, CREATE VIEW, CREATE
 * TRIGGER, DELETE FROM / INSERT INTO sqlite_sequence). No-op in DUMP_PASS_SCHEMA. */
int dump_sqlite_exec(struct dump *d, const char *sql, struct amber_error *err);

/* --- skipped statements --- */

/* Counts a statement that is not translated: `what` is singular ("trigger", "procedure",
 * "GRANT", "sequence"). Returns 0, or with --strict -1 and err->message "… is not
 * supported (--strict)". Counted only outside DUMP_PASS_SCHEMA. */
int dump_skip(struct dump *d, const char *what, struct amber_error *err);
/* A warning printed at the end (view not portable, key after rows); counted like a skip. */
void dump_warn(struct dump *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Where the statement being translated starts: a warning that --strict makes an error names it. */
void dump_at(struct dump *d, long line, long column);

/* --- rows --- */

/* An INSERT into `t` listing `cols` (n names; NULL and 0 for all columns in order). The handle
 * is cached per table, column list and conflict mode, so preparing it for every statement of
 * an extended-INSERT dump costs nothing. Unknown columns are an error. */
struct dump_insert *dump_insert_prepare(struct dump *d, struct dump_table *t, const char *const *cols,
					size_t n, enum dump_conflict conflict, struct amber_error *err);
/* How many values a row of this insert has. */
size_t dump_insert_width(const struct dump_insert *ins);
/* The table's column kind of value `i`. */
enum dump_kind dump_insert_kind(const struct dump_insert *ins, size_t i);
/* Sets value `i` of the next row, converting it to its column's kind. The bytes need stay
 * valid only during the call. Returns 0, or -1 when the value contradicts the column's type
 * ("'abc' is not an integer (column t.id INTEGER)"), or is invalid UTF-8 under
 * DUMP_UTF8_ERROR ("invalid UTF-8 at byte 3 of a TEXT value (column t.name)"). */
int dump_insert_value(struct dump_insert *ins, size_t i, enum dump_lit lit, const char *p, size_t len,
		      struct amber_error *err);
/* Inserts the row. Every value must have been set. Returns 0, or -1 (duplicate key under
 * DUMP_CONFLICT_ERROR, NOT NULL violated). */
int dump_insert_row(struct dump_insert *ins, struct amber_error *err);

/* --- end --- */

/* Creates the tables that got no rows, the indexes and the views, records row counts in the
 * loader, and prints the skip summary ("skipped 3 triggers, 2 procedures, 1 GRANT") through
 * the loader's progress. Returns 0 or -1. The loader is finished by the caller. */
int dump_finish(struct dump *d, struct amber_error *err);

#endif
