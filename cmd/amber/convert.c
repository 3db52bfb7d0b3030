/* convert.c — `amber convert INPUT... -o OUT.db`: argument parsing for core/convert. */
#include "cmd/amber/cmds.h"
#include "core/cleanup.h"
#include "core/convert.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
    "usage: amber convert [options] INPUT... -o OUT.db\n"
    "\n"
    "Loads CSV, TSV or GeoNames files (plain or .gz .zst .xz .bz2, detected by content; '-' is\n"
    "stdin) into one immutable SQLite database: one table per INPUT, indexes built after the\n"
    "rows, then ANALYZE, VACUUM and an integrity check. OUT appears only when all of it worked.\n"
    "\n"
    "options:\n"
    "  -o, --output FILE      the database to write (required)\n"
    "      --force            replace FILE if it exists\n"
    "      --skip-bad-rows    skip rows with the wrong number of fields or a value that does not\n"
    "                         fit its column, and report how many (default: stop at the first)\n"
    "      --check full|quick how to check the finished file: PRAGMA integrity_check (default;\n"
    "                         also matches every index entry to its row) or quick_check (every\n"
    "                         page and b-tree, not index contents; several times faster)\n"
    "  -q, --quiet            no progress on stderr\n"
    "  -h, --help             this text\n"
    "\n"
    "table options (apply to the INPUT that follows them; after the last INPUT, to that one):\n"
    "  -f, --format FMT       csv, tsv or geonames (default: from the file name: .csv, .tsv/.tab,\n"
    "                         or a GeoNames export name such as cities500.txt, allCountries.txt,\n"
    "                         CL.txt, countryInfo.txt, admin1CodesASCII.txt, timeZones.txt)\n"
    "  -t, --table NAME       table name (default: the file name without extensions;\n"
    "                         GeoNames: geoname, country_info, admin1_codes, ...)\n"
    "      --schema SPEC      column names and types, 'name TYPE, name TYPE, ...' with TYPE\n"
    "                         INTEGER, REAL or TEXT (default: names from the header row, types\n"
    "                         inferred from every row; empty numeric values become NULL)\n"
    "      --no-header        the first row is data; columns are named c1..cN\n"
    "      --pk COL[,COL]     primary key\n"
    "      --index COL[,COL]  add an index (repeatable)\n"
    "  -d, --delimiter C      CSV field separator (default ',')\n"
    "\n"
    "TSV has no quoting at all: a '\"' is an ordinary character, as in GeoNames files.\n"
    "The build time stored in the database is SOURCE_DATE_EPOCH (default 0), so the same\n"
    "inputs give a byte-identical database.\n"
    "\n"
    "examples:\n"
    "  amber convert cities500.txt.zst -o geonames.db\n"
    "  amber convert --pk id --index country products.csv -o catalog.db\n"
    "  zcat dump.tsv.gz | amber convert -f tsv -t items - -o items.db\n";

enum { OPT_FORCE = 256, OPT_CHECK, OPT_SKIP, OPT_SCHEMA, OPT_NO_HEADER, OPT_PK, OPT_INDEX };

struct pending {
	struct convert_input in;
	int set; /* any table option given since the last INPUT */
};

/* Moves the pending table options into `dst` (those that were given). */
static void apply_pending(struct convert_input *dst, struct pending *p)
{
	const struct convert_input *s = &p->in;
	if (s->format)
		dst->format = s->format;
	if (s->table)
		dst->table = s->table;
	if (s->schema)
		dst->schema = s->schema;
	if (s->pk)
		dst->pk = s->pk;
	if (s->no_header)
		dst->no_header = 1;
	if (s->delimiter)
		dst->delimiter = s->delimiter;
	if (s->nindexes) {
		const char **ix = realloc(dst->indexes, (dst->nindexes + s->nindexes) * sizeof *ix);
		if (!ix)
			abort();
		memcpy(ix + dst->nindexes, s->indexes, s->nindexes * sizeof *ix);
		dst->indexes = ix;
		dst->nindexes += s->nindexes;
		free(s->indexes);
	}
	memset(p, 0, sizeof *p);
}

static int usage_error(const char *fmt, const char *arg)
{
	fputs("amber convert: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'amber convert --help'.\n", stderr);
	return 2;
}

int cmd_convert(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"output", required_argument, NULL, 'o'},
	    {"force", no_argument, NULL, OPT_FORCE},
	    {"skip-bad-rows", no_argument, NULL, OPT_SKIP},
	    {"check", required_argument, NULL, OPT_CHECK},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {"format", required_argument, NULL, 'f'},
	    {"table", required_argument, NULL, 't'},
	    {"schema", required_argument, NULL, OPT_SCHEMA},
	    {"no-header", no_argument, NULL, OPT_NO_HEADER},
	    {"pk", required_argument, NULL, OPT_PK},
	    {"index", required_argument, NULL, OPT_INDEX},
	    {"delimiter", required_argument, NULL, 'd'},
	    {NULL, 0, NULL, 0},
	};
	struct convert_options opt = {0};
	struct pending pend = {0};
	int quiet = 0, c, status = 2;
	while ((c = getopt_long(argc, argv, "-o:qhf:t:d:", longopts, NULL)) != -1) {
		switch (c) {
		case 1: { /* an INPUT, in command-line order */
			struct convert_input *in = realloc(opt.inputs, (opt.ninputs + 1) * sizeof *in);
			if (!in)
				abort();
			opt.inputs = in;
			memset(&in[opt.ninputs], 0, sizeof *in);
			in[opt.ninputs].path = optarg;
			apply_pending(&in[opt.ninputs], &pend);
			opt.ninputs++;
			continue;
		}
		case 'o':
			opt.output = optarg;
			continue;
		case OPT_FORCE:
			opt.force = 1;
			continue;
		case OPT_CHECK:
			if (strcmp(optarg, "full") && strcmp(optarg, "quick")) {
				status = usage_error("--check takes full or quick, not '%s'", optarg);
				goto out;
			}
			opt.check = strcmp(optarg, "quick") == 0 ? DB_CHECK_QUICK : DB_CHECK_FULL;
			continue;
		case OPT_SKIP:
			opt.skip_bad_rows = 1;
			continue;
		case 'q':
			quiet = 1;
			continue;
		case 'h':
			fputs(usage_text, stdout);
			status = 0;
			goto out;
		case 'f':
			if (convert_parse_format(optarg, &pend.in.format) < 0) {
				status = usage_error("unknown format '%s'; use csv, tsv or geonames", optarg);
				goto out;
			}
			break;
		case 't':
			pend.in.table = optarg;
			break;
		case OPT_SCHEMA:
			pend.in.schema = optarg;
			break;
		case OPT_NO_HEADER:
			pend.in.no_header = 1;
			break;
		case OPT_PK:
			pend.in.pk = optarg;
			break;
		case OPT_INDEX: {
			const char **ix = realloc(pend.in.indexes, (pend.in.nindexes + 1) * sizeof *ix);
			if (!ix)
				abort();
			ix[pend.in.nindexes++] = optarg;
			pend.in.indexes = ix;
			break;
		}
		case 'd':
			if (strlen(optarg) != 1 || optarg[0] == '"' || optarg[0] == '\n' ||
			    optarg[0] == '\r') {
				status = usage_error("--delimiter takes one character other than a quote or "
						     "line break, not '%s'",
						     optarg);
				goto out;
			}
			pend.in.delimiter = optarg[0];
			break;
		default:
			status = usage_error("%s", "invalid option");
			goto out;
		}
		pend.set = 1;
	}
	if (!opt.ninputs) {
		status = usage_error("%s", "no INPUT given");
		goto out;
	}
	if (!opt.output) {
		status = usage_error("%s", "no output given (-o OUT.db)");
		goto out;
	}
	if (pend.set)
		apply_pending(&opt.inputs[opt.ninputs - 1], &pend);

	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	if (epoch && *epoch) {
		char *end;
		opt.build_time = strtoll(epoch, &end, 10);
		if (*end || opt.build_time < 0) {
			status = usage_error("SOURCE_DATE_EPOCH must be seconds since 1970, not '%s'", epoch);
			goto out;
		}
	}
	struct progress progress;
	progress_init(&progress, stderr, quiet);
	opt.progress = &progress;
	cleanup_install_signal_handlers();
	struct amber_error err = {0};
	if (convert_run(&opt, &err) < 0) {
		amber_error_print(&err, "amber convert", stderr);
		status = 1;
	} else {
		status = 0;
	}
out:
	for (size_t i = 0; i < opt.ninputs; i++)
		free(opt.inputs[i].indexes);
	free(opt.inputs);
	free(pend.in.indexes);
	return status;
}
