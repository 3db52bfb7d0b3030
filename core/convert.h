/* convert.h — `amber convert` as a library call: input files in, one finished database out.
 *
 * For each input: choose its format (given, by file name, a GeoNames preset, or an SQL dump
 * told by its content), then for a CSV/TSV/GeoNames file its table layout, infer column types
 * when none were given (a first pass that only parses) and load its rows; SQL dumps all load,
 * in order, into one core/dump model (a PostgreSQL dump in a schema pass, then a data pass).
 * Then the database is finished through core/loader. Reused by `amber build`. */
#ifndef AMBER_CONVERT_H
#define AMBER_CONVERT_H

#include "core/dump.h"
#include "core/error.h"
#include "core/loader.h"
#include "core/progress.h"

#include <stddef.h>
#include <stdint.h>

enum convert_format {
	CONVERT_AUTO = 0,
	CONVERT_CSV,
	CONVERT_TSV,
	CONVERT_GEONAMES,
	CONVERT_MYSQL, /* SQL dumps: mysqldump/MariaDB, pg_dump/pg_dumpall plain, sqlite3 .dump */
	CONVERT_POSTGRES,
	CONVERT_SQLITE
};

/* One INPUT and the table options that apply to it. Strings are borrowed. */
struct convert_input {
	const char *path; /* "-" for stdin */
	enum convert_format format;
	const char *table;    /* default: the file's stem, or the GeoNames table */
	const char *schema;   /* "name TYPE, ..."; default: header names and inferred types. For a
				 PostgreSQL dump: the schema whose tables keep bare names */
	const char *database; /* SQL dumps of several databases: load only this one */
	const char *pk;	      /* "col" or "a,b" */
	const char **indexes;
	size_t nindexes;
	int no_header;
	char delimiter; /* CSV separator; default ',' */
};

struct convert_options {
	struct convert_input *inputs;
	size_t ninputs;
	const char *output;
	int force;		     /* replace an existing output */
	int skip_bad_rows;	     /* skip rows with the wrong field count or a value of the wrong type */
	long long build_time;	     /* stored in _amber_meta: SOURCE_DATE_EPOCH, else 0 */
	enum db_check check;	     /* how the finished database is checked */
	int strict;		     /* SQL dumps: a statement that is not translated is an error */
	enum dump_utf8 invalid_utf8; /* SQL dumps: TEXT values that are not UTF-8 */
	struct progress *progress;
};

/* Parses "csv", "tsv", "geonames", "mysql", "postgres" or "sqlite" (and the dialect aliases of
 * sqldump_parse_dialect). Returns 0 or -1. */
int convert_parse_format(const char *name, enum convert_format *out);
/* Runs the conversion. On failure nothing is left at the output path. Returns 0 or -1. */
int convert_run(const struct convert_options *opt, struct amber_error *err);

#endif
