/* convert.c — input files to one database (see convert.h). */
#include "core/convert.h"

#include "core/buf.h"
#include "core/cleanup.h"
#include "core/dump.h"
#include "core/loader.h"
#include "core/table.h"
#include "formats/geonames.h"
#include "formats/input.h"
#include "formats/records.h"
#include "formats/sqldump.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Rows between progress updates: often enough for a live bar, rare enough to cost nothing. */
#define PROGRESS_ROWS 4096
/* How much of an input's head tells an SQL dump's dialect. */
#define SNIFF_BYTES (64u * 1024u)

/* Everything decided about one input before its rows are read. */
struct plan {
	const struct convert_input *in;
	const char *path; /* what is read: the input, or the spool file of stdin */
	char name[256];	  /* what messages call it */
	enum record_syntax syntax;
	char sep;
	char comment;
	int header; /* the first record names the columns */
	int infer;  /* types come from a first pass over the rows */
	struct table_spec spec;
	char *spool;		  /* temporary copy of stdin, when it must be read twice */
	enum sql_dialect dialect; /* an SQL dump: SQL_NONE for CSV, TSV and GeoNames */
};

int convert_parse_format(const char *name, enum convert_format *out)
{
	static const char *const names[] = {"csv", "tsv", "geonames"};
	for (int i = 0; i < 3; i++)
		if (strcmp(name, names[i]) == 0) {
			*out = (enum convert_format)(i + 1);
			return 0;
		}
	enum sql_dialect dialect;
	if (sqldump_parse_dialect(name, &dialect) < 0)
		return -1;
	*out = dialect == SQL_MYSQL	 ? CONVERT_MYSQL
	       : dialect == SQL_POSTGRES ? CONVERT_POSTGRES
					 : CONVERT_SQLITE;
	return 0;
}

static enum sql_dialect format_dialect(enum convert_format format)
{
	switch (format) {
	case CONVERT_MYSQL:
		return SQL_MYSQL;
	case CONVERT_POSTGRES:
		return SQL_POSTGRES;
	case CONVERT_SQLITE:
		return SQL_SQLITE;
	default:
		return SQL_NONE;
	}
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* The table name a file gives by default: its base name up to the last dot. */
static char *stem(const char *base)
{
	char *s = strdup(base);
	char *dot = strrchr(s, '.');
	if (dot && dot != s)
		*dot = '\0';
	return s;
}

static int spool_stdin(struct plan *p, const char *output, struct amber_error *err);

/* The dialect of an SQL dump from its first (decompressed) bytes, or SQL_NONE. */
static int sniff_dialect(const struct plan *p, enum sql_dialect *out, struct amber_error *err)
{
	struct input *in = input_open(p->path, p->name, err);
	if (!in) {
		char why[sizeof err->message];
		snprintf(why, sizeof why, "%s", err->message);
		return amber_error_at(err, p->name, 0, 0, "cannot tell the format from the file name, and %s",
				      why);
	}
	char *head = malloc(SNIFF_BYTES);
	if (!head)
		abort();
	size_t len = 0;
	ssize_t n = 1;
	while (len < SNIFF_BYTES && (n = input_read(in, head + len, SNIFF_BYTES - len, err)) > 0)
		len += (size_t)n;
	input_close(in);
	*out = n < 0 ? SQL_NONE : sqldump_detect(head, len);
	free(head);
	return n < 0 ? -1 : 0;
}

/* The SQL dump checks of an input: which options apply. */
static int plan_dump(struct plan *p, const struct convert_input *in, struct amber_error *err)
{
	if (in->table || in->pk || in->nindexes || in->no_header || in->delimiter)
		return amber_error_at(
		    err, p->name, 0, 0,
		    "--table, --pk, --index, --no-header and --delimiter do not apply to an "
		    "SQL dump, whose tables are defined by the dump itself");
	if (in->schema && p->dialect != SQL_POSTGRES)
		return amber_error_at(
		    err, p->name, 0, 0,
		    "--schema applies to CSV/TSV files (the columns) and to PostgreSQL dumps "
		    "(the schema whose tables keep bare names), not to this %s dump",
		    p->dialect == SQL_MYSQL ? "MySQL" : "SQLite");
	if (in->database && p->dialect == SQL_SQLITE)
		return amber_error_at(
		    err, p->name, 0, 0,
		    "--database applies to MySQL and PostgreSQL dumps, not to a SQLite dump");
	return 0;
}

static int plan_input(struct plan *p, const struct convert_input *in, const char *output,
		      struct amber_error *err)
{
	char base[256];
	memset(p, 0, sizeof *p);
	p->in = in;
	p->path = in->path;
	input_base_name(in->path, base, sizeof base);
	snprintf(p->name, sizeof p->name, "%s", strcmp(in->path, "-") == 0 ? "stdin" : in->path);

	enum convert_format format = in->format;
	const struct geonames_layout *layout = geonames_layout_for(base);
	if (format == CONVERT_AUTO) {
		if (ends_with(base, ".csv"))
			format = CONVERT_CSV;
		else if (ends_with(base, ".tsv") || ends_with(base, ".tab"))
			format = CONVERT_TSV;
		else if (layout)
			format = CONVERT_GEONAMES;
	}
	p->dialect = format_dialect(format);
	if (format == CONVERT_AUTO) {
		/* .sql, .dump or any other name: an SQL dump tells its dialect in its first lines. */
		if (strcmp(p->path, "-") == 0 && spool_stdin(p, output, err) < 0)
			return -1;
		if (sniff_dialect(p, &p->dialect, err) < 0)
			return -1;
		if (p->dialect == SQL_NONE)
			return amber_error_at(err, p->name, 0, 0,
					      "cannot tell the format from the file name or the content; use "
					      "--format csv, tsv, geonames, mysql, postgres or sqlite");
	}
	if (p->dialect != SQL_NONE)
		return plan_dump(p, in, err);
	if (in->database)
		return amber_error_at(err, p->name, 0, 0, "--database applies to SQL dumps only");
	p->sep = in->delimiter ? in->delimiter : ',';
	if (format == CONVERT_GEONAMES) {
		if (in->schema || in->pk || in->no_header)
			return amber_error_at(err, p->name, 0, 0,
					      "--schema, --pk and --no-header do not apply to the GeoNames "
					      "format, whose layout is fixed");
		if (!layout)
			layout = geonames_main_layout();
		p->syntax = RECORD_TSV;
		p->comment = layout->comment;
		if (geonames_table_spec(layout, in->table, &p->spec, err) < 0)
			return -1;
		p->header = layout->header;
	} else {
		p->syntax = format == CONVERT_TSV ? RECORD_TSV : RECORD_CSV;
		p->header = !in->no_header;
		p->spec.name = in->table ? strdup(in->table) : stem(base);
		if (in->pk)
			table_set_pk(&p->spec, in->pk);
		if (in->schema && table_parse_schema(&p->spec, in->schema, err) < 0)
			return -1;
		p->infer = !in->schema;
	}
	for (size_t i = 0; i < in->nindexes; i++)
		table_add_index(&p->spec, in->indexes[i]);
	if (p->spec.name[0] == '\0' || strncasecmp(p->spec.name, "sqlite_", 7) == 0 ||
	    strncasecmp(p->spec.name, "_amber_", 7) == 0)
		return amber_error_at(err, p->name, 0, 0,
				      "\"%s\" cannot be a table name (reserved); use --table NAME",
				      p->spec.name);
	return 0;
}

/* Copies stdin to a temporary file beside the output, so that it can be read twice. */
static int spool_stdin(struct plan *p, const char *output, struct amber_error *err)
{
	if (p->spool)
		return 0; /* spooled already, to tell its format */
	struct buf path = BUF_INIT;
	buf_addf(&path, "%s.stdin-XXXXXX", output);
	int fd = mkstemp(path.data);
	if (fd < 0) {
		buf_free(&path);
		return amber_error_at(err, output, 0, 0, "cannot create a temporary file beside it: %s",
				      strerror(errno));
	}
	cleanup_add(path.data);
	p->spool = buf_detach(&path);
	p->path = p->spool;
	char block[1 << 16];
	for (;;) {
		ssize_t n = read(STDIN_FILENO, block, sizeof block);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (n > 0 && write(fd, block, (size_t)n) != n)) {
			close(fd);
			return amber_error_at(err, "stdin", 0, 0, "cannot copy to %s: %s", p->spool,
					      strerror(errno));
		}
		if (n == 0)
			break;
	}
	close(fd);
	return 0;
}

static void plan_free(struct plan *p)
{
	if (p->spool) {
		unlink(p->spool);
		cleanup_forget(p->spool);
		free(p->spool);
	}
	table_free(&p->spec);
}

/* Adds the place of field `field` of the current record to an error that has only a message. */
static int place(struct amber_error *err, const struct record_reader *r, long field)
{
	err->line = r->line;
	err->column = field >= 0 ? record_reader_column(r, (size_t)field) : 0;
	snprintf(err->file, sizeof err->file, "%s", input_name(r->in));
	return -1;
}

/* A record with nothing in it: an empty line. */
static int blank(const struct record_reader *r)
{
	return r->rec.nfields == 1 && r->rec.fields[0].len == 0;
}

/* Columns named by the header record, or c1..cN. */
static void columns_from_record(struct plan *p, const struct record_reader *r, int named)
{
	for (size_t i = 0; i < r->rec.nfields; i++) {
		const struct csv_field *f = &r->rec.fields[i];
		if (named && f->len) {
			table_add_column(&p->spec, f->ptr, f->len, VALUE_TEXT);
		} else {
			char name[32];
			int n = snprintf(name, sizeof name, "c%zu", i + 1);
			table_add_column(&p->spec, name, (size_t)n, VALUE_TEXT);
		}
	}
}

struct counters {
	uint64_t rows;
	uint64_t skipped;
	long first_skipped_line;
	char first_skipped[sizeof((struct amber_error *)0)->message];
};

/* A bad row: an error, or when skipping is on, a count and the first one's message. */
static int bad_row(const struct convert_options *opt, struct counters *c, const struct record_reader *r,
		   struct amber_error *err)
{
	if (!opt->skip_bad_rows)
		return -1;
	if (!c->skipped++) {
		c->first_skipped_line = r->line;
		snprintf(c->first_skipped, sizeof c->first_skipped, "%s", err->message);
	}
	amber_error_clear(err);
	return 0;
}

static int check_width(const struct plan *p, const struct record_reader *r, struct amber_error *err)
{
	if (r->rec.nfields == p->spec.ncolumns)
		return 0;
	/* Point at the first missing field's place (end of the last one) or the first extra one. */
	size_t field = r->rec.nfields < p->spec.ncolumns ? r->rec.nfields - 1 : p->spec.ncolumns;
	amber_error_set(err, "expected %zu fields, found %zu", p->spec.ncolumns, r->rec.nfields);
	return place(err, r, (long)field);
}

/* Opens the input's records for one pass and starts its progress, labelled name + `what`. */
static int open_records(const struct plan *p, const struct convert_options *opt, const char *what,
			struct record_reader *r, struct amber_error *err)
{
	if (record_reader_open(r, p->path, p->name, p->syntax, p->sep, p->comment, err) < 0)
		return -1;
	char label[300];
	snprintf(label, sizeof label, "%s%s", p->name, what);
	progress_begin(opt->progress, label, input_total_bytes(r->in));
	return 0;
}

/* Reads the header (or first) record that fixes the columns. Returns 1, 0 when empty, -1. */
static int read_first(struct record_reader *r, struct amber_error *err)
{
	int rc;
	while ((rc = record_reader_next(r, err)) == 1 && blank(r))
		;
	return rc;
}

/* Pass 1 for inputs without a schema: column names and, over every row, the narrowest type
 * that holds each column's values unchanged. */
static int infer_types(struct plan *p, const struct convert_options *opt, struct amber_error *err)
{
	struct record_reader r;
	if (open_records(p, opt, " (scanning types)", &r, err) < 0)
		return -1;
	int rc = read_first(&r, err);
	if (rc == 0)
		rc = amber_error_at(err, p->name, 0, 0, "empty file: no header and no rows");
	if (rc < 0)
		goto out;
	columns_from_record(p, &r, p->header);
	int *seen = calloc(p->spec.ncolumns, sizeof *seen); /* 0 nothing yet, else value_type + 1 */
	uint64_t rows = 0;
	int first = !p->header;
	for (;;) {
		if (!first && (rc = record_reader_next(&r, err)) != 1)
			break;
		first = 0;
		if (blank(&r) && p->spec.ncolumns > 1)
			continue;
		if (r.rec.nfields != p->spec.ncolumns)
			continue; /* reported with its place by the loading pass */
		for (size_t i = 0; i < p->spec.ncolumns; i++) {
			const struct csv_field *f = &r.rec.fields[i];
			if (!f->len || seen[i] == VALUE_TEXT + 1)
				continue;
			int t = (int)value_classify(f->ptr, f->len) + 1;
			if (t == VALUE_TEXT + 1 || !seen[i])
				seen[i] = t;
			else if (seen[i] != t)
				seen[i] = VALUE_REAL + 1; /* integers and reals mix as REAL */
		}
		if (++rows % PROGRESS_ROWS == 0)
			progress_update(opt->progress, input_raw_bytes(r.in), rows);
	}
	for (size_t i = 0; i < p->spec.ncolumns; i++)
		p->spec.columns[i].type = seen[i] ? (enum value_type)(seen[i] - 1) : VALUE_TEXT;
	free(seen);
out:
	record_reader_close(&r);
	return rc < 0 ? -1 : 0;
}

static int load_rows(struct plan *p, const struct convert_options *opt, struct db_loader *ld,
		     struct amber_error *err)
{
	struct record_reader r;
	if (open_records(p, opt, "", &r, err) < 0)
		return -1;
	struct counters c = {0};
	int rc = 0;
	int pending = 0; /* a record already read that is data */
	if (p->header || !p->spec.ncolumns) {
		rc = read_first(&r, err);
		if (rc == 0 && !p->header && !p->spec.ncolumns)
			rc = amber_error_at(err, p->name, 0, 0, "empty file: no rows");
		if (rc == 0 && p->header)
			rc = amber_error_at(err, p->name, 0, 0, "empty file: no header");
		if (rc < 0)
			goto out;
		if (!p->spec.ncolumns)
			columns_from_record(p, &r, p->header);
		pending = !p->header;
	}
	if ((rc = table_check(&p->spec, err)) < 0 || (rc = db_loader_begin_table(ld, &p->spec, err)) < 0)
		goto out;
	for (;;) {
		if (!pending && (rc = record_reader_next(&r, err)) != 1)
			break;
		pending = 0;
		if (blank(&r) && p->spec.ncolumns > 1)
			continue;
		if (check_width(p, &r, err) < 0) {
			if ((rc = bad_row(opt, &c, &r, err)) < 0)
				goto out;
			continue;
		}
		size_t i;
		for (i = 0; i < p->spec.ncolumns; i++)
			if (db_loader_bind(ld, i, r.rec.fields[i].ptr, r.rec.fields[i].len, err) < 0)
				break;
		if (i < p->spec.ncolumns) {
			place(err, &r, (long)i);
			if ((rc = bad_row(opt, &c, &r, err)) < 0)
				goto out;
			continue;
		}
		if (db_loader_insert_row(ld, err) < 0) {
			rc = place(err, &r, -1);
			goto out;
		}
		if (++c.rows % PROGRESS_ROWS == 0)
			progress_update(opt->progress, input_raw_bytes(r.in), c.rows);
	}
	if (rc < 0)
		goto out;
	if (c.rows == 0 && !p->header)
		rc = amber_error_at(err, p->name, 0, 0, "empty file: no rows");
	char sha[DIGEST_HEX_LEN + 1];
	if (rc == 0 && (rc = input_finish_sha256(r.in, sha, err)) == 0) {
		progress_update(opt->progress, input_raw_bytes(r.in), c.rows);
		progress_end(opt->progress);
		const char *slash = strrchr(p->in->path, '/');
		const char *source = strcmp(p->in->path, "-") == 0 ? "stdin"
				     : slash			   ? slash + 1
								   : p->in->path;
		db_loader_add_source(ld, source, input_raw_bytes(r.in), sha, input_compression(r.in),
				     p->spec.name);
		if (c.skipped)
			progress_message(opt->progress, 1, "%s: skipped %llu bad %s (first at line %ld: %s)",
					 p->name, (unsigned long long)c.skipped,
					 c.skipped == 1 ? "row" : "rows", c.first_skipped_line,
					 c.first_skipped);
		rc = db_loader_end_table(ld, err);
	}
out:
	record_reader_close(&r);
	return rc < 0 ? -1 : 0;
}

/* One SQL dump input into the run's dump model: a schema pass first where the dialect needs
 * it (its keys follow the data), over a spooled copy when it is stdin. */
static int load_dump(struct plan *p, const struct convert_options *opt, struct dump *d,
		     struct amber_error *err)
{
	struct sqldump_options so = {p->in->database, p->in->schema};
	if (sqldump_needs_schema_pass(p->dialect)) {
		if (strcmp(p->path, "-") == 0 && spool_stdin(p, opt->output, err) < 0)
			return -1;
		if (sqldump_load(p->dialect, d, p->path, p->name, DUMP_PASS_SCHEMA, &so, err) < 0)
			return -1;
		return sqldump_load(p->dialect, d, p->path, p->name, DUMP_PASS_DATA, &so, err);
	}
	return sqldump_load(p->dialect, d, p->path, p->name, DUMP_PASS_ALL, &so, err);
}

/* Plans every input; checks what can be checked before anything is written. */
static int plan_inputs(struct plan *plans, const struct convert_options *opt, struct amber_error *err)
{
	size_t nstdin = 0;
	for (size_t i = 0; i < opt->ninputs; i++) {
		nstdin += strcmp(opt->inputs[i].path, "-") == 0;
		if (nstdin > 1)
			return amber_error_set(err, "stdin (-) can be given only once");
		if (plan_input(&plans[i], &opt->inputs[i], opt->output, err) < 0)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (!plans[i].dialect && !plans[j].dialect &&
			    strcasecmp(plans[i].spec.name, plans[j].spec.name) == 0)
				return amber_error_at(
				    err, plans[i].name, 0, 0,
				    "table \"%s\" would be loaded twice (also from %s); use --table NAME",
				    plans[i].spec.name, plans[j].name);
	}
	return 0;
}

int convert_run(const struct convert_options *opt, struct amber_error *err)
{
	struct stat st;
	if (!opt->ninputs)
		return amber_error_set(err, "no input files given");
	if (stat(opt->output, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return amber_error_at(err, opt->output, 0, 0,
					      "is a directory; give a file name for the database");
		if (!opt->force)
			return amber_error_at(err, opt->output, 0, 0,
					      "already exists; use --force to replace it");
	}
	struct plan *plans = calloc(opt->ninputs, sizeof *plans);
	struct db_loader *ld = NULL;
	struct dump *d = NULL; /* every SQL dump of the run loads into this one model */
	int rc = plan_inputs(plans, opt, err);
	if (rc == 0)
		ld = db_loader_create(opt->output, opt->build_time, opt->check, opt->progress, err);
	if (!ld)
		rc = -1;
	for (size_t i = 0; i < opt->ninputs && rc == 0; i++) {
		struct plan *p = &plans[i];
		if (p->dialect) {
			if (!d) {
				struct dump_options dopt = {opt->strict, opt->invalid_utf8, opt->progress};
				d = dump_create(ld, &dopt);
			}
			rc = load_dump(p, opt, d, err);
			continue;
		}
		if (d && dump_table_find(d, p->spec.name))
			rc = amber_error_at(
			    err, p->name, 0, 0,
			    "table \"%s\" would be loaded twice (also from an SQL dump); use --table NAME",
			    p->spec.name);
		if (rc == 0 && p->infer && strcmp(p->path, "-") == 0)
			rc = spool_stdin(p, opt->output, err);
		if (rc == 0 && p->infer)
			rc = infer_types(p, opt, err);
		if (rc == 0)
			rc = load_rows(p, opt, ld, err);
	}
	if (rc == 0 && d)
		rc = dump_finish(d, err);
	dump_free(d); /* its statements must be gone before the loader closes the database */
	if (rc == 0) {
		rc = db_loader_finish(ld, err);
		ld = NULL;
	}
	db_loader_abort(ld);
	for (size_t i = 0; i < opt->ninputs; i++)
		plan_free(&plans[i]);
	free(plans);
	return rc;
}
