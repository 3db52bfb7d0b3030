/* convert.h — `amber convert` as a library call: input files in, one finished database out.
 *
 * For each input: choose its format and table layout (given, by file name, or a GeoNames
 * preset), infer column types when none were given (a first pass that only parses), load its
 * rows, then finish the database through core/loader. Reused by `amber build`. */
#ifndef AMBER_CONVERT_H
#define AMBER_CONVERT_H

#include "core/error.h"
#include "core/loader.h"
#include "core/progress.h"

#include <stddef.h>
#include <stdint.h>

enum convert_format { CONVERT_AUTO = 0, CONVERT_CSV, CONVERT_TSV, CONVERT_GEONAMES };

/* One INPUT and the table options that apply to it. Strings are borrowed. */
struct convert_input {
	const char *path; /* "-" for stdin */
	enum convert_format format;
	const char *table;  /* default: the file's stem, or the GeoNames table */
	const char *schema; /* "name TYPE, ..."; default: header names and inferred types */
	const char *pk;	    /* "col" or "a,b" */
	const char **indexes;
	size_t nindexes;
	int no_header;
	char delimiter; /* CSV separator; default ',' */
};

struct convert_options {
	struct convert_input *inputs;
	size_t ninputs;
	const char *output;
	int force;	      /* replace an existing output */
	int skip_bad_rows;    /* skip rows with the wrong field count or a value of the wrong type */
	long long build_time; /* stored in _amber_meta: SOURCE_DATE_EPOCH, else 0 */
	enum db_check check;  /* how the finished database is checked */
	struct progress *progress;
};

/* Parses "csv", "tsv" or "geonames". Returns 0 or -1. */
int convert_parse_format(const char *name, enum convert_format *out);
/* Runs the conversion. On failure nothing is left at the output path. Returns 0 or -1. */
int convert_run(const struct convert_options *opt, struct amber_error *err);

#endif
