/* convert_opts.c — the options of `amber convert`, shared by every verb that converts
 * (`convert` and `build`): global ones, and table options that apply to the INPUT after them. */
#include "cmd/amber/cmds.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct option convert_longopts[] = {
    {"output", required_argument, NULL, 'o'},
    {"force", no_argument, NULL, CONVERT_OPT_FORCE},
    {"skip-bad-rows", no_argument, NULL, CONVERT_OPT_SKIP},
    {"check", required_argument, NULL, CONVERT_OPT_CHECK},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, 'h'},
    {"format", required_argument, NULL, 'f'},
    {"table", required_argument, NULL, CONVERT_OPT_TABLE},
    {"schema", required_argument, NULL, CONVERT_OPT_SCHEMA},
    {"no-header", no_argument, NULL, CONVERT_OPT_NO_HEADER},
    {"pk", required_argument, NULL, CONVERT_OPT_PK},
    {"index", required_argument, NULL, CONVERT_OPT_INDEX},
    {"delimiter", required_argument, NULL, 'd'},
    {"strict", no_argument, NULL, CONVERT_OPT_STRICT},
    {"invalid-utf8", required_argument, NULL, CONVERT_OPT_INVALID_UTF8},
    {"database", required_argument, NULL, CONVERT_OPT_DATABASE},
    {NULL, 0, NULL, 0},
};

/* Moves the pending table options into `dst` (those that were given). */
static void apply_pending(struct convert_input *dst, struct convert_input *s)
{
	if (s->format)
		dst->format = s->format;
	if (s->table)
		dst->table = s->table;
	if (s->schema)
		dst->schema = s->schema;
	if (s->database)
		dst->database = s->database;
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
	memset(s, 0, sizeof *s);
}

int cmd_usage_error(const char *verb, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "amber %s: ", verb);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'amber %s --help'.\n", verb);
	return 2;
}

int convert_args_take(struct convert_args *a, int c, const char *arg, const char *verb)
{
	struct convert_input *p = &a->pending;
	switch (c) {
	case 1: { /* an INPUT, in command-line order */
		struct convert_input *in = realloc(a->opt.inputs, (a->opt.ninputs + 1) * sizeof *in);
		if (!in)
			abort();
		a->opt.inputs = in;
		memset(&in[a->opt.ninputs], 0, sizeof *in);
		in[a->opt.ninputs].path = arg;
		apply_pending(&in[a->opt.ninputs], p);
		a->opt.ninputs++;
		a->pending_set = 0;
		return 1;
	}
	case 'o':
		a->opt.output = arg;
		return 1;
	case CONVERT_OPT_FORCE:
		a->opt.force = 1;
		return 1;
	case CONVERT_OPT_CHECK:
		if (strcmp(arg, "full") && strcmp(arg, "quick"))
			return -cmd_usage_error(verb, "--check takes full or quick, not '%s'", arg);
		a->opt.check = strcmp(arg, "quick") == 0 ? DB_CHECK_QUICK : DB_CHECK_FULL;
		return 1;
	case CONVERT_OPT_SKIP:
		a->opt.skip_bad_rows = 1;
		return 1;
	case CONVERT_OPT_STRICT:
		a->opt.strict = 1;
		return 1;
	case CONVERT_OPT_INVALID_UTF8:
		if (strcmp(arg, "error") == 0)
			a->opt.invalid_utf8 = DUMP_UTF8_ERROR;
		else if (strcmp(arg, "blob") == 0)
			a->opt.invalid_utf8 = DUMP_UTF8_BLOB;
		else if (strcmp(arg, "replace") == 0)
			a->opt.invalid_utf8 = DUMP_UTF8_REPLACE;
		else
			return -cmd_usage_error(verb, "--invalid-utf8 takes error, blob or replace, not '%s'",
						arg);
		return 1;
	case 'q':
		a->quiet = 1;
		return 1;
	case 'f':
		if (convert_parse_format(arg, &p->format) < 0)
			return -cmd_usage_error(
			    verb, "unknown format '%s'; use csv, tsv, geonames, mysql, postgres or sqlite",
			    arg);
		break;
	case 't':
	case CONVERT_OPT_TABLE:
		p->table = arg;
		break;
	case CONVERT_OPT_SCHEMA:
		p->schema = arg;
		break;
	case CONVERT_OPT_DATABASE:
		p->database = arg;
		break;
	case CONVERT_OPT_NO_HEADER:
		p->no_header = 1;
		break;
	case CONVERT_OPT_PK:
		p->pk = arg;
		break;
	case CONVERT_OPT_INDEX: {
		const char **ix = realloc(p->indexes, (p->nindexes + 1) * sizeof *ix);
		if (!ix)
			abort();
		ix[p->nindexes++] = arg;
		p->indexes = ix;
		break;
	}
	case 'd':
		if (strlen(arg) != 1 || arg[0] == '"' || arg[0] == '\n' || arg[0] == '\r')
			return -cmd_usage_error(
			    verb,
			    "--delimiter takes one character other than a quote or line break, "
			    "not '%s'",
			    arg);
		p->delimiter = arg[0];
		break;
	default:
		return 0;
	}
	a->pending_set = 1;
	return 1;
}

int convert_args_finish(struct convert_args *a, const char *verb)
{
	if (!a->opt.ninputs)
		return cmd_usage_error(verb, "%s", "no INPUT given");
	if (a->pending_set)
		apply_pending(&a->opt.inputs[a->opt.ninputs - 1], &a->pending);
	const char *epoch = getenv("SOURCE_DATE_EPOCH");
	if (epoch && *epoch) {
		char *end;
		a->opt.build_time = strtoll(epoch, &end, 10);
		if (*end || a->opt.build_time < 0)
			return cmd_usage_error(verb, "SOURCE_DATE_EPOCH must be seconds since 1970, not '%s'",
					       epoch);
	}
	progress_init(&a->progress, stderr, a->quiet);
	a->opt.progress = &a->progress;
	return 0;
}

void convert_args_free(struct convert_args *a)
{
	for (size_t i = 0; i < a->opt.ninputs; i++)
		free(a->opt.inputs[i].indexes);
	free(a->opt.inputs);
	free(a->pending.indexes);
}
