/* records.c — delimited records over a decompressing input (see records.h). */
#include "formats/records.h"

#include "core/value.h"

#include <stdlib.h>
#include <string.h>

int record_reader_open(struct record_reader *r, const char *path, const char *name, enum record_syntax syntax,
		       char sep, char comment, struct amber_error *err)
{
	memset(r, 0, sizeof *r);
	r->syntax = syntax;
	r->sep = sep ? sep : ',';
	r->comment = comment;
	r->line = r->next_line = 1;
	r->rec.cap = 32;
	r->rec.fields = calloc(r->rec.cap, sizeof *r->rec.fields);
	r->in = input_open(path, name, err);
	if (!r->in || !r->rec.fields) {
		record_reader_close(r);
		return -1;
	}
	return 0;
}

/* Moves the unconsumed tail to the front and appends the next chunk. Returns 0 or -1. */
static int refill(struct record_reader *r, struct amber_error *err)
{
	if (r->pos) {
		buf_consume(&r->buf, r->pos);
		r->pos = 0;
	}
	if (r->buf.len >= RECORD_MAX_BYTES)
		return amber_error_at(err, input_name(r->in), r->next_line, 0,
				      "record longer than %u MiB (an unterminated quote?)",
				      RECORD_MAX_BYTES >> 20);
	return input_read_more(r->in, &r->buf, &r->eof, err);
}

/* Line and column of byte `at` of the unconsumed data, counting from the record start. */
static void locate(const struct record_reader *r, size_t at, long *line, long *column)
{
	const char *start = r->buf.data + r->pos;
	long l = r->next_line;
	size_t line_start = 0;
	for (size_t i = 0; i < at; i++)
		if (start[i] == '\n')
			l++, line_start = i + 1;
	*line = l;
	*column = (long)(at - line_start) + 1;
}

static long parse(struct record_reader *r, size_t *err_at)
{
	char *p = r->buf.data + r->pos;
	size_t len = r->buf.len - r->pos;
	if (r->syntax == RECORD_TSV)
		return tsv_parse_record(p, len, r->eof, &r->rec);
	return csv_parse_record(p, len, r->eof, r->sep, &r->rec, err_at);
}

int record_reader_next(struct record_reader *r, struct amber_error *err)
{
	for (;;) {
		if (!r->started) {
			while (!r->eof && r->buf.len < 3)
				if (refill(r, err) < 0)
					return -1;
			if (r->buf.len >= 3 && memcmp(r->buf.data, "\xEF\xBB\xBF", 3) == 0)
				r->pos = r->next_offset = 3;
			r->started = 1;
		}
		if (r->comment && r->pos < r->buf.len && r->buf.data[r->pos] == r->comment) {
			/* A comment line is skipped whole, before any quote in it could mean something. */
			const char *start = r->buf.data + r->pos;
			const char *nl = memchr(start, '\n', r->buf.len - r->pos);
			if (!nl && !r->eof) {
				if (refill(r, err) < 0)
					return -1;
				continue;
			}
			size_t skip = nl ? (size_t)(nl - start) + 1 : r->buf.len - r->pos;
			r->pos += skip;
			r->next_offset += skip;
			r->next_line++;
			continue;
		}
		size_t err_at = 0;
		long n = parse(r, &err_at);
		if (n == -2) {
			if (refill(r, err) < 0)
				return -1;
			continue;
		}
		if (n == -1) {
			long line, column;
			locate(r, err_at, &line, &column);
			if (r->eof && r->buf.data[r->pos + err_at] == '"')
				return amber_error_at(
				    err, input_name(r->in), line, column,
				    "malformed CSV: the quoted field opened here is never closed");
			return amber_error_at(
			    err, input_name(r->in), line, column,
			    "malformed CSV: a closing quote must be followed by '%c' or a line break",
			    r->sep);
		}
		if (n == 0)
			return 0;
		if (r->rec.nfields > r->rec.cap) {
			/* Rare (first wide record): grow and parse the same bytes again. */
			size_t cap = r->rec.nfields;
			struct csv_field *f = realloc(r->rec.fields, cap * sizeof *f);
			if (!f)
				return amber_error_set(err, "out of memory");
			r->rec.fields = f;
			r->rec.cap = cap;
			continue;
		}
		const char *rec_start = r->buf.data + r->pos;
		size_t bad = utf8_invalid_offset(rec_start, (size_t)n);
		if (bad < (size_t)n) {
			long line, column;
			locate(r, bad, &line, &column);
			return amber_error_at(
			    err, input_name(r->in), line, column,
			    "invalid UTF-8 (byte 0x%02x at byte offset %llu of the decompressed data)",
			    (unsigned char)rec_start[bad], (unsigned long long)(r->next_offset + bad));
		}
		r->line = r->next_line;
		r->rec_start = rec_start;
		r->offset = r->next_offset;
		r->next_line += r->rec.nlines ? (long)r->rec.nlines : 1;
		r->next_offset += (uint64_t)n;
		r->pos += (size_t)n;
		return 1;
	}
}

long record_reader_column(const struct record_reader *r, size_t i)
{
	if (i >= r->rec.nfields || i >= r->rec.cap)
		return 0;
	/* Fields of a multi-line record: count from the last line break before the field. */
	const char *rec_start = r->rec_start;
	size_t start = r->rec.fields[i].start;
	size_t line_start = 0;
	for (size_t k = 0; k < start; k++)
		if (rec_start[k] == '\n')
			line_start = k + 1;
	return (long)(start - line_start) + 1;
}

void record_reader_close(struct record_reader *r)
{
	input_close(r->in);
	r->in = NULL;
	buf_free(&r->buf);
	free(r->rec.fields);
	r->rec.fields = NULL;
}
