/* table.h — what a table looks like before it exists: name, typed columns, primary key,
 * indexes. Built from a header row, a --schema string or a preset (formats/geonames), and
 * turned into SQL by core/loader. */
#ifndef AMBER_TABLE_H
#define AMBER_TABLE_H

#include "core/error.h"
#include "core/value.h"

#include <stddef.h>

struct column_spec {
	char *name;
	enum value_type type;
};

struct table_spec {
	char *name;
	struct column_spec *columns;
	size_t ncolumns;
	char *pk;	/* "col" or "a,b"; NULL for none */
	char **indexes; /* each "col" or "a,b" */
	size_t nindexes;
};

/* Appends a column (the name is copied). */
void table_add_column(struct table_spec *t, const char *name, size_t len, enum value_type type);
/* Appends an index over "a,b" (copied; spaces around names are dropped). */
void table_add_index(struct table_spec *t, const char *columns);
/* Sets the primary key to "a,b" (copied; spaces around names are dropped). */
void table_set_pk(struct table_spec *t, const char *columns);
/* Whether column `col` is part of the primary key. */
int table_in_pk(const struct table_spec *t, size_t col);
/* Parses "name TYPE, name TYPE, ..." into columns. Types follow SQLite's affinity rules on
 * the declared name (INT → INTEGER; CHAR, CLOB, TEXT → TEXT; REAL, FLOA, DOUB → REAL); a
 * type that maps to none of the three is an error. Returns 0 or -1. */
int table_parse_schema(struct table_spec *t, const char *schema, struct amber_error *err);
/* Index of the column called `name` (case-insensitive, as SQL), or -1. */
long table_find_column(const struct table_spec *t, const char *name, size_t len);
/* Checks that pk and index columns exist and column names are unique. Returns 0 or -1. */
int table_check(const struct table_spec *t, struct amber_error *err);
/* SQL type name of a value type. */
const char *table_type_name(enum value_type type);
void table_free(struct table_spec *t);

#endif
