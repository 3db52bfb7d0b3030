/* convert.c — `amber convert INPUT... -o OUT.db`: argument parsing for core/convert. */
#include "cmd/amber/cmds.h"
#include "core/cleanup.h"
#include "core/convert.h"

#include <stdio.h>

static const char usage_text[] =
    "usage: amber convert [options] INPUT... -o OUT.db\n"
    "\n"
    "Loads CSV, TSV or GeoNames files and SQL dumps (plain or .gz .zst .xz .bz2, detected by\n"
    "content; '-' is stdin) into one immutable SQLite database: one table per CSV/TSV INPUT, the\n"
    "tables of each dump, indexes built after the rows, then ANALYZE, VACUUM and an integrity\n"
    "check. OUT appears only when all of it worked.\n"
    "\n"
    "SQL dumps: mysqldump/MariaDB, pg_dump/pg_dumpall (plain format, COPY or INSERTs) and\n"
    "sqlite3 .dump. All dumps of a run load into the same tables in the order given, so a\n"
    "schema-only dump followed by a data-only one works. In MySQL and PostgreSQL dumps,\n"
    "statements that mean nothing to a read-only database (triggers, procedures, GRANTs, ...)\n"
    "are skipped and counted; a sqlite3 .dump is executed as written, triggers included.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE      the database to write (required)\n"
    "      --force            replace FILE if it exists\n"
    "      --skip-bad-rows    skip rows with the wrong number of fields or a value that does not\n"
    "                         fit its column, and report how many (default: stop at the first)\n"
    "      --check full|quick how to check the finished file: PRAGMA integrity_check (default;\n"
    "                         also matches every index entry to its row) or quick_check (every\n"
    "                         page and b-tree, not index contents; several times faster)\n"
    "      --strict           SQL dumps: a statement that is skipped or a view that is not\n"
    "                         portable is an error\n"
    "      --invalid-utf8 P   SQL dumps: a TEXT value that is not UTF-8 is an error (P=error,\n"
    "                         the default), kept as a BLOB (blob), or gets U+FFFD for each bad\n"
    "                         byte (replace)\n"
    "  -q, --quiet            no progress on stderr\n"
    "  -h, --help             this text\n"
    "\n"
    "table options (apply to the INPUT that follows them; after the last INPUT, to that one):\n"
    "  -f, --format FMT       csv, tsv, geonames, mysql, postgres or sqlite (default: from the\n"
    "                         file name: .csv, .tsv/.tab, or a GeoNames export name such as\n"
    "                         cities500.txt, allCountries.txt, CL.txt, countryInfo.txt,\n"
    "                         admin1CodesASCII.txt, timeZones.txt; any other file, e.g. .sql or\n"
    "                         .dump, by its first lines: the dump tool's header comment)\n"
    "  -t, --table NAME       table name (default: the file name without extensions;\n"
    "                         GeoNames: geoname, country_info, admin1_codes, ...)\n"
    "      --schema SPEC      column names and types, 'name TYPE, name TYPE, ...' with TYPE\n"
    "                         INTEGER, REAL or TEXT (default: names from the header row, types\n"
    "                         inferred from every row; empty numeric values become NULL).\n"
    "                         For a PostgreSQL dump: the schema whose tables keep bare names\n"
    "                         (default public; tables of other schemas are named schema_table)\n"
    "      --database NAME    SQL dumps of several databases (mysqldump --databases,\n"
    "                         pg_dumpall): load only this one\n"
    "      --no-header        the first row is data; columns are named c1..cN\n"
    "      --pk COL[,COL]     primary key\n"
    "      --index COL[,COL]  add an index (repeatable)\n"
    "  -d, --delimiter C      CSV field separator (default ',')\n"
    "\n"
    "--table, --pk, --index, --no-header and --delimiter do not apply to SQL dumps.\n"
    "TSV has no quoting at all: a '\"' is an ordinary character, as in GeoNames files.\n"
    "The build time stored in the database is SOURCE_DATE_EPOCH (default 0), so the same\n"
    "inputs give a byte-identical database.\n"
    "\n"
    "examples:\n"
    "  amber convert cities500.txt.zst -o geonames.db\n"
    "  amber convert --pk id --index country products.csv -o catalog.db\n"
    "  zcat dump.tsv.gz | amber convert -f tsv -t items - -o items.db\n"
    "  amber convert shop.sql.gz -o shop.db\n"
    "  amber convert schema.sql data.sql -o shop.db\n"
    "  pg_dump shop | amber convert -f postgres --schema sales - -o shop.db\n";

int cmd_convert(int argc, char **argv)
{
	struct convert_args a = {0};
	int c, status = 2;
	while ((c = getopt_long(argc, argv, "-o:qhf:t:d:", convert_longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(usage_text, stdout);
			status = 0;
			goto out;
		}
		int taken = convert_args_take(&a, c, optarg, "convert");
		if (taken < 0)
			goto out;
		if (taken == 0) {
			cmd_usage_error("convert", "%s", "invalid option");
			goto out;
		}
	}
	if (convert_args_finish(&a, "convert") != 0)
		goto out;
	if (!a.opt.output) {
		cmd_usage_error("convert", "%s", "no output given (-o OUT.db)");
		goto out;
	}
	cleanup_install_signal_handlers();
	struct amber_error err = {0};
	if (convert_run(&a.opt, &err) < 0) {
		amber_error_print(&err, "amber convert", stderr);
		status = 1;
	} else {
		status = 0;
	}
out:
	convert_args_free(&a);
	return status;
}
