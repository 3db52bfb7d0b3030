/* loader.h — building the immutable SQLite database: tables in, finished file out.
 *
 * The database is built under a temporary name beside the output with journal_mode=OFF,
 * synchronous=OFF and one transaction; rows go through one prepared INSERT per table with
 * bound values; indexes are created after the rows. db_loader_finish then writes
 * _amber_meta, runs ANALYZE, VACUUMs INTO a second temporary file (compact, and written once
 * instead of twice as a plain VACUUM would), checks it (PRAGMA integrity_check by default), fsyncs it and
 * renames it over the output. Any failure, or db_loader_abort, removes both temporary files. */
#ifndef AMBER_LOADER_H
#define AMBER_LOADER_H

#include "core/error.h"
#include "core/progress.h"
#include "core/table.h"

#include <stddef.h>
#include <stdint.h>

#define AMBER_VERSION	     "0.1.0"
#define AMBER_FORMAT_VERSION 1

struct db_loader;

/* How the finished file is checked: PRAGMA integrity_check (every page, every b-tree, and every
 * index entry against its row: costs about as much as loading at 1x, more at 10x), or
 * PRAGMA quick_check (every page and b-tree, record formats, NOT NULL; not index contents). */
enum db_check { DB_CHECK_FULL = 0, DB_CHECK_QUICK };

/* Starts a database that will become `final_path`. `build_time` is stored in _amber_meta
 * (seconds since the epoch; callers pass SOURCE_DATE_EPOCH or 0 so builds are reproducible). */
struct db_loader *db_loader_create(const char *final_path, int64_t build_time, enum db_check check,
				   struct progress *progress, struct amber_error *err);
/* Creates a table and prepares its INSERT. The spec must stay valid until db_loader_end_table. */
int db_loader_begin_table(struct db_loader *ld, const struct table_spec *t, struct amber_error *err);
/* Binds field `col` of the next row from its text. Empty text is NULL in INTEGER and REAL
 * columns and '' in TEXT ones. The text must stay valid until db_loader_insert_row. Returns 0,
 * or -1 when the text does not fit the column's type (err->message says why; no place). */
int db_loader_bind(struct db_loader *ld, size_t col, const char *text, size_t len, struct amber_error *err);
/* Inserts the bound row. Returns 0, or -1 (e.g. a duplicate primary key; no place in err). */
int db_loader_insert_row(struct db_loader *ld, struct amber_error *err);
/* Creates the table's indexes and records its row count. */
int db_loader_end_table(struct db_loader *ld, struct amber_error *err);
/* Records a source file in _amber_meta. */
void db_loader_add_source(struct db_loader *ld, const char *name, uint64_t size, const char *sha256,
			  const char *compression, const char *table);
/* The build connection, inside the loader's open transaction: for loaders of other shapes
 * (core/dump) that create their own tables and statements. Their statements must be
 * finalized before db_loader_finish. */
struct sqlite3 *db_loader_db(struct db_loader *ld);
/* Records a table loaded through db_loader_db, for _amber_meta's table.<name>.rows. */
void db_loader_record_table(struct db_loader *ld, const char *name, uint64_t rows);
/* The progress given to db_loader_create (may be NULL). */
struct progress *db_loader_progress(struct db_loader *ld);
/* Finishes the database and renames it into place; frees the loader either way. */
int db_loader_finish(struct db_loader *ld, struct amber_error *err);
/* Throws the unfinished database away and frees the loader. */
void db_loader_abort(struct db_loader *ld);

#endif
