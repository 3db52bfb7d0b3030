/* geonames.c — GeoNames export layouts (see geonames.h). Column names follow the export's
 * readme, in lower_snake_case. */
#include "formats/geonames.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const struct geonames_layout layouts[] = {
    {"allCountries.txt, cities*.txt, XX.txt",
     "geoname",
     "geonameid INTEGER, name TEXT, asciiname TEXT, alternatenames TEXT, latitude REAL, longitude REAL, "
     "feature_class TEXT, feature_code TEXT, country_code TEXT, cc2 TEXT, admin1_code TEXT, admin2_code "
     "TEXT, "
     "admin3_code TEXT, admin4_code TEXT, population INTEGER, elevation INTEGER, dem INTEGER, timezone TEXT, "
     "modification_date TEXT",
     "geonameid",
     {"name", "asciiname", "country_code", "country_code,admin1_code", "feature_code", NULL},
     0,
     0},
    {"countryInfo.txt",
     "country_info",
     "iso TEXT, iso3 TEXT, iso_numeric INTEGER, fips TEXT, country TEXT, capital TEXT, area REAL, "
     "population INTEGER, continent TEXT, tld TEXT, currency_code TEXT, currency_name TEXT, phone TEXT, "
     "postal_code_format TEXT, postal_code_regex TEXT, languages TEXT, geonameid INTEGER, neighbours TEXT, "
     "equivalent_fips_code TEXT",
     "iso",
     {"geonameid", NULL},
     '#',
     0},
    {"admin1CodesASCII.txt",
     "admin1_codes",
     "code TEXT, name TEXT, asciiname TEXT, geonameid INTEGER",
     "code",
     {"geonameid", NULL},
     0,
     0},
    {"admin2Codes.txt",
     "admin2_codes",
     "code TEXT, name TEXT, asciiname TEXT, geonameid INTEGER",
     "code",
     {"geonameid", NULL},
     0,
     0},
    {"featureCodes_en.txt", "feature_codes", "code TEXT, name TEXT, description TEXT", "code", {NULL}, 0, 0},
    {"timeZones.txt",
     "time_zones",
     "country_code TEXT, timezone_id TEXT, gmt_offset REAL, dst_offset REAL, raw_offset REAL",
     "timezone_id",
     {"country_code", NULL},
     0,
     1},
};

const struct geonames_layout *geonames_main_layout(void)
{
	return &layouts[0];
}

/* cities500.txt, cities1000.txt, cities15000.txt ... */
static int is_cities(const char *s)
{
	if (strncmp(s, "cities", 6) != 0 || !isdigit((unsigned char)s[6]))
		return 0;
	s += 6;
	while (isdigit((unsigned char)*s))
		s++;
	return strcmp(s, ".txt") == 0;
}

/* Country extracts: two capital letters, "CL.txt". */
static int is_country(const char *s)
{
	return isupper((unsigned char)s[0]) && isupper((unsigned char)s[1]) && strcmp(s + 2, ".txt") == 0;
}

const struct geonames_layout *geonames_layout_for(const char *base_name)
{
	if (strcmp(base_name, "allCountries.txt") == 0 || is_cities(base_name) || is_country(base_name))
		return &layouts[0];
	for (size_t i = 1; i < sizeof layouts / sizeof *layouts; i++)
		if (strcmp(base_name, layouts[i].file) == 0)
			return &layouts[i];
	return NULL;
}

int geonames_table_spec(const struct geonames_layout *layout, const char *table, struct table_spec *out,
			struct amber_error *err)
{
	if (table_parse_schema(out, layout->schema, err) < 0)
		return -1;
	out->name = strdup(table ? table : layout->table);
	if (!out->name)
		abort();
	table_set_pk(out, layout->pk);
	for (size_t i = 0; layout->indexes[i]; i++)
		table_add_index(out, layout->indexes[i]);
	return 0;
}
