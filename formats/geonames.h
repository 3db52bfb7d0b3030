/* geonames.h — the GeoNames export layouts (https://download.geonames.org/export/dump/readme.txt):
 * tab-separated, UTF-8, no quoting. The main `geoname` table (allCountries.txt, cities*.txt,
 * XX.txt) and the documented side files are recognised by file name. */
#ifndef AMBER_GEONAMES_H
#define AMBER_GEONAMES_H

#include "core/error.h"
#include "core/table.h"

struct geonames_layout {
	const char *file;   /* how the export names it, for messages */
	const char *table;  /* default table name */
	const char *schema; /* "name TYPE, ..." in file column order */
	const char *pk;
	const char *indexes[6];
	char comment; /* lines starting with this byte are skipped (countryInfo's '#') */
	int header;   /* the first line names the columns and is skipped */
};

/* The layout a GeoNames file name stands for (directories and compression suffix already
 * removed), or NULL when the name is none of the export's files. */
const struct geonames_layout *geonames_layout_for(const char *base_name);
/* The `geoname` table layout, used for --format geonames on a file of another name. */
const struct geonames_layout *geonames_main_layout(void);
/* Fills an empty table_spec from a layout; `table` overrides the table name when not NULL. */
int geonames_table_spec(const struct geonames_layout *layout, const char *table, struct table_spec *out,
			struct amber_error *err);

#endif
