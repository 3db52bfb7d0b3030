/* sqldump.h — SQL dumps in: telling the dialect of a dump, and one translator per dialect that
 * reads a dump's statements (formats/sqlread) and loads them into core/dump.
 *
 * Each translator is a statement-level state machine over tokens. DDL statements are short
 * and read whole; an INSERT is streamed: each row's values are converted and bound as soon as
 * its closing parenthesis is read, so an extended INSERT of any length needs no more memory
 * than its longest value. Statements that are not translated are skipped with dump_skip
 * (counted, or an error under --strict); statements that are not understood at all are errors
 * naming file, line and column and quoting the token. */
#ifndef AMBER_SQLDUMP_H
#define AMBER_SQLDUMP_H

#include "core/dump.h"
#include "core/error.h"
#include "formats/sqltok.h"

#include <stddef.h>

/* Options of one dump input. Strings are borrowed. */
struct sqldump_options {
	const char *database; /* MySQL: load only this database of a --databases dump (NULL: all) */
	const char *schema;   /* PostgreSQL: this schema's tables keep bare names (default "public");
				 tables of other schemas are named schema_table */
};

/* The dialect of a dump from its first bytes: a tool's header comment ("-- MySQL dump",
 * "-- MariaDB dump", "-- PostgreSQL database dump", "-- PostgreSQL database cluster dump"),
 * MySQL's conditional comments, MariaDB's sandbox line, pg_dump's "\restrict" or
 * "COPY … FROM stdin", sqlite3's "PRAGMA foreign_keys=OFF;" + "BEGIN TRANSACTION;". SQL_NONE
 * when it is none of these. */
enum sql_dialect sqldump_detect(const char *head, size_t len);
/* Parses "mysql", "postgres" (or "postgresql", "pg") and "sqlite". Returns 0 or -1. */
int sqldump_parse_dialect(const char *name, enum sql_dialect *out);
/* Whether the translator of `dialect` needs a schema pass before the data pass (PostgreSQL,
 * whose keys follow the data). */
int sqldump_needs_schema_pass(enum sql_dialect dialect);

/* Loads one input file ("-" is stdin) in one pass of `pass` (see dump.h). `name` is what
 * errors and warnings call it. Returns 0, or -1 with err naming file, line and column. */
int sqldump_load_mysql(struct dump *d, const char *path, const char *name, enum dump_pass pass,
		       const struct sqldump_options *opt, struct amber_error *err);
int sqldump_load_postgres(struct dump *d, const char *path, const char *name, enum dump_pass pass,
			  const struct sqldump_options *opt, struct amber_error *err);
int sqldump_load_sqlite(struct dump *d, const char *path, const char *name, enum dump_pass pass,
			const struct sqldump_options *opt, struct amber_error *err);
/* The loader of `dialect`. */
int sqldump_load(enum sql_dialect dialect, struct dump *d, const char *path, const char *name,
		 enum dump_pass pass, const struct sqldump_options *opt, struct amber_error *err);

#endif
