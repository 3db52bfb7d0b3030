/* test_geonames.c — unit tests for the GeoNames export layouts (formats/geonames.h): which file
 * names are recognised, and the table each layout turns into. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "formats/geonames.h"

static void assert_is_main_layout(const char *base_name)
{
	const struct geonames_layout *l = geonames_layout_for(base_name);
	if (l != geonames_main_layout())
		fail_msg("\"%s\" is layout \"%s\", not geoname", base_name, l ? l->table : "(none)");
}

static void assert_not_recognised(const char *base_name)
{
	const struct geonames_layout *l = geonames_layout_for(base_name);
	if (l)
		fail_msg("\"%s\" recognised as \"%s\"", base_name, l->table);
}

/* ---- geonames_layout_for ---- */

static void test_main_layout_is_the_geoname_table(void **state)
{
	const struct geonames_layout *l = geonames_main_layout();
	assert_non_null(l);
	assert_string_equal(l->table, "geoname");
	assert_string_equal(l->pk, "geonameid");
	assert_int_equal(l->comment, 0);
	assert_int_equal(l->header, 0);
}

static void test_layout_for_cities_files_is_geoname(void **state)
{
	assert_is_main_layout("cities500.txt");
	assert_is_main_layout("cities1000.txt");
	assert_is_main_layout("cities5000.txt");
	assert_is_main_layout("cities15000.txt");
}

static void test_layout_for_all_countries_is_geoname(void **state)
{
	assert_is_main_layout("allCountries.txt");
}

static void test_layout_for_country_extract_is_geoname(void **state)
{
	assert_is_main_layout("CL.txt");
	assert_is_main_layout("US.txt");
}

static void test_layout_for_country_info_skips_hash_comments(void **state)
{
	const struct geonames_layout *l = geonames_layout_for("countryInfo.txt");
	assert_non_null(l);
	assert_string_equal(l->table, "country_info");
	assert_int_equal(l->comment, '#');
	assert_int_equal(l->header, 0);
	assert_string_equal(l->pk, "iso");
}

static void test_layout_for_time_zones_has_header_line(void **state)
{
	const struct geonames_layout *l = geonames_layout_for("timeZones.txt");
	assert_non_null(l);
	assert_string_equal(l->table, "time_zones");
	assert_int_equal(l->header, 1);
	assert_int_equal(l->comment, 0);
}

static void test_layout_for_side_files_has_their_tables(void **state)
{
	static const struct {
		const char *file, *table;
	} cases[] = {
	    {"admin1CodesASCII.txt", "admin1_codes"},
	    {"admin2Codes.txt", "admin2_codes"},
	    {"featureCodes_en.txt", "feature_codes"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const struct geonames_layout *l = geonames_layout_for(cases[i].file);
		if (!l || strcmp(l->table, cases[i].table) != 0 || l->header || l->comment)
			fail_msg(
			    "\"%s\" is layout \"%s\" (header %d, comment %d), expected \"%s\" without either",
			    cases[i].file, l ? l->table : "(none)", l ? l->header : 0, l ? l->comment : 0,
			    cases[i].table);
	}
}

static void test_layout_for_other_names_is_null(void **state)
{
	assert_not_recognised("cities.txt");
	assert_not_recognised("citiesX.txt");
	assert_not_recognised("cities500.csv");
	assert_not_recognised("cities500.txt.gz");
	assert_not_recognised("cl.txt");
	assert_not_recognised("Cl.txt");
	assert_not_recognised("cL.txt");
	assert_not_recognised("CHL.txt");
	assert_not_recognised("C.txt");
	assert_not_recognised("CL.txt.bak");
	assert_not_recognised("foo.txt");
	assert_not_recognised("allcountries.txt");
	assert_not_recognised("countryinfo.txt");
	assert_not_recognised("");
	assert_not_recognised("C");
	assert_not_recognised("cities");
}

/* ---- geonames_table_spec ---- */

static void test_geoname_spec_has_19_columns_in_export_order_with_types(void **state)
{
	static const struct {
		const char *name;
		enum value_type type;
	} want[] = {
	    {"geonameid", VALUE_INTEGER},
	    {"name", VALUE_TEXT},
	    {"asciiname", VALUE_TEXT},
	    {"alternatenames", VALUE_TEXT},
	    {"latitude", VALUE_REAL},
	    {"longitude", VALUE_REAL},
	    {"feature_class", VALUE_TEXT},
	    {"feature_code", VALUE_TEXT},
	    {"country_code", VALUE_TEXT},
	    {"cc2", VALUE_TEXT},
	    {"admin1_code", VALUE_TEXT},
	    {"admin2_code", VALUE_TEXT},
	    {"admin3_code", VALUE_TEXT},
	    {"admin4_code", VALUE_TEXT},
	    {"population", VALUE_INTEGER},
	    {"elevation", VALUE_INTEGER},
	    {"dem", VALUE_INTEGER},
	    {"timezone", VALUE_TEXT},
	    {"modification_date", VALUE_TEXT},
	};
	struct table_spec t = {0};
	struct amber_error err = {0};
	assert_int_equal(geonames_table_spec(geonames_main_layout(), NULL, &t, &err), 0);
	assert_int_equal(t.ncolumns, 19);
	for (size_t i = 0; i < 19; i++) {
		if (strcmp(t.columns[i].name, want[i].name) != 0)
			fail_msg("column %zu is \"%s\", expected \"%s\"", i, t.columns[i].name, want[i].name);
		if (t.columns[i].type != want[i].type)
			fail_msg("column %s is %s, expected %s", want[i].name,
				 table_type_name(t.columns[i].type), table_type_name(want[i].type));
	}
	assert_string_equal(t.name, "geoname");
	table_free(&t);
}

static void test_geoname_spec_has_pk_and_five_indexes(void **state)
{
	static const char *const want[] = {"name", "asciiname", "country_code", "country_code,admin1_code",
					   "feature_code"};
	struct table_spec t = {0};
	struct amber_error err = {0};
	assert_int_equal(geonames_table_spec(geonames_main_layout(), NULL, &t, &err), 0);
	assert_string_equal(t.pk, "geonameid");
	assert_int_equal(t.nindexes, 5);
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(t.indexes[i], want[i]);
	assert_int_equal(table_check(&t, &err), 0);
	table_free(&t);
}

static void test_table_spec_table_argument_overrides_name(void **state)
{
	struct table_spec t = {0};
	struct amber_error err = {0};
	assert_int_equal(geonames_table_spec(geonames_main_layout(), "places", &t, &err), 0);
	assert_string_equal(t.name, "places");
	assert_int_equal(t.ncolumns, 19);
	assert_string_equal(t.pk, "geonameid");
	table_free(&t);
}

static void test_country_info_spec_has_typed_columns(void **state)
{
	struct table_spec t = {0};
	struct amber_error err = {0};
	assert_int_equal(geonames_table_spec(geonames_layout_for("countryInfo.txt"), NULL, &t, &err), 0);
	assert_string_equal(t.name, "country_info");
	assert_int_equal(t.ncolumns, 19);
	assert_string_equal(t.columns[0].name, "iso");
	long area = table_find_column(&t, "area", 4);
	long population = table_find_column(&t, "population", 10);
	long geonameid = table_find_column(&t, "geonameid", 9);
	assert_true(area >= 0 && population >= 0 && geonameid >= 0);
	assert_int_equal(t.columns[area].type, VALUE_REAL);
	assert_int_equal(t.columns[population].type, VALUE_INTEGER);
	assert_int_equal(t.columns[geonameid].type, VALUE_INTEGER);
	assert_string_equal(t.pk, "iso");
	table_free(&t);
}

/* Every layout's primary key and indexes must name columns it has, or the build fails late. */
static void test_every_layout_gives_a_spec_that_passes_table_check(void **state)
{
	static const struct {
		const char *file, *table;
	} cases[] = {
	    {"allCountries.txt", "geoname"},	      {"countryInfo.txt", "country_info"},
	    {"admin1CodesASCII.txt", "admin1_codes"}, {"admin2Codes.txt", "admin2_codes"},
	    {"featureCodes_en.txt", "feature_codes"}, {"timeZones.txt", "time_zones"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const struct geonames_layout *l = geonames_layout_for(cases[i].file);
		struct table_spec t = {0};
		struct amber_error err = {0};
		if (!l || geonames_table_spec(l, NULL, &t, &err) != 0 || table_check(&t, &err) != 0)
			fail_msg("%s: %s", cases[i].file, l ? err.message : "not recognised");
		assert_string_equal(t.name, cases[i].table);
		assert_non_null(t.pk);
		assert_true(t.ncolumns >= 3);
		table_free(&t);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_main_layout_is_the_geoname_table),
	    cmocka_unit_test(test_layout_for_cities_files_is_geoname),
	    cmocka_unit_test(test_layout_for_all_countries_is_geoname),
	    cmocka_unit_test(test_layout_for_country_extract_is_geoname),
	    cmocka_unit_test(test_layout_for_country_info_skips_hash_comments),
	    cmocka_unit_test(test_layout_for_time_zones_has_header_line),
	    cmocka_unit_test(test_layout_for_side_files_has_their_tables),
	    cmocka_unit_test(test_layout_for_other_names_is_null),
	    cmocka_unit_test(test_geoname_spec_has_19_columns_in_export_order_with_types),
	    cmocka_unit_test(test_geoname_spec_has_pk_and_five_indexes),
	    cmocka_unit_test(test_table_spec_table_argument_overrides_name),
	    cmocka_unit_test(test_country_info_spec_has_typed_columns),
	    cmocka_unit_test(test_every_layout_gives_a_spec_that_passes_table_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
