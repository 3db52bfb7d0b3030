/* records.h — delimited records (CSV or TSV) read from an input file, one at a time.
 *
 * Glues formats/input (decompressed bytes) to the pure parsers in formats/csv: keeps the
 * unconsumed tail in a buffer, refills it, strips a UTF-8 BOM, skips comment lines, checks
 * UTF-8, and tracks where each record starts (line and byte offset) for error messages.
 * Memory is bounded by the longest record, which is capped. */
#ifndef AMBER_RECORDS_H
#define AMBER_RECORDS_H

#include "core/buf.h"
#include "core/error.h"
#include "formats/csv.h"
#include "formats/input.h"

#include <stdint.h>

enum record_syntax { RECORD_CSV, RECORD_TSV };

/* The longest record accepted; longer is an error rather than unbounded memory. */
#define RECORD_MAX_BYTES (64u << 20)

struct record_reader {
	struct input *in;
	enum record_syntax syntax;
	char sep;	/* CSV separator */
	char comment;	/* lines starting with this byte are skipped; 0 for none */
	struct buf buf; /* decompressed bytes not yet consumed start at buf.data + pos */
	size_t pos;
	int eof;
	int started; /* BOM check done */
	struct csv_record rec;
	const char *rec_start; /* the current record's first byte, valid until the next call */
	long line;	       /* line number where the current record starts (1-based) */
	long next_line;
	uint64_t offset; /* byte offset of the current record in the decompressed stream */
	uint64_t next_offset;
};

/* Opens `path` for reading records. Returns 0 or -1. */
int record_reader_open(struct record_reader *r, const char *path, const char *name, enum record_syntax syntax,
		       char sep, char comment, struct amber_error *err);
/* Reads the next record into r->rec (fields r->rec.fields[0 .. r->rec.nfields)). Returns 1 for a
 * record, 0 at the end, -1 on error (malformed CSV, invalid UTF-8, record too long, read error). */
int record_reader_next(struct record_reader *r, struct amber_error *err);
/* 1-based byte column of field `i` of the current record in its line, for error messages. */
long record_reader_column(const struct record_reader *r, size_t i);
void record_reader_close(struct record_reader *r);

#endif
