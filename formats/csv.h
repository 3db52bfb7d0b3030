/* csv.h — record parsers for delimited text: RFC 4180 CSV and plain TSV.
 *
 * Both are pure functions of (buf, len) in the manner of picohttpparser: no allocation, no
 * I/O, fields point into the caller's buffer. The caller keeps unconsumed bytes and calls
 * again with more data appended when told "need more"; record boundaries may fall anywhere.
 *
 * Return value of both parsers:
 *   > 0  bytes consumed: one complete record is in *rec (terminator included in the count)
 *     0  only when eof is set and len is 0: no more records
 *    -1  malformed (CSV only): *err_at is the byte offset in buf of the offending byte
 *    -2  need more data (never returned when eof is set)
 *
 * A record ends at "\n" or "\r\n"; the last record of the input may end at eof without one.
 * A lone '\r' (not followed by '\n') is an ordinary byte, also at eof. Quoted CSV fields are
 * unescaped in place (the doubled quotes collapse) only once the whole record is known to be
 * complete, so a -2 or -1 leaves buf untouched and the caller may call again. On -1 and -2 the
 * contents of *rec are unspecified. */
#ifndef AMBER_CSV_H
#define AMBER_CSV_H

#include <stddef.h>

struct csv_field {
	char *ptr; /* into the caller's buffer; not NUL-terminated */
	size_t len;
	/* Byte offset of the field's first byte from the record's start (for columns in errors);
	 * for a quoted CSV field that is its opening quote, so ptr is buf + start + 1. */
	size_t start;
};

struct csv_record {
	struct csv_field *fields; /* caller-provided array of `cap` entries (may be NULL when cap is 0) */
	size_t cap;
	size_t nfields; /* fields found; may exceed cap, then only the first cap are stored */
	size_t nlines;	/* line breaks consumed: 1 + newlines inside quoted fields (0 at eof without one) */
};

/* CSV per RFC 4180 with separator `sep` (usually ','; must not be '"', '\r' or '\n'): quoted
 * fields, "" inside quotes, separators and line breaks inside quotes. A field is quoted only
 * when its first byte is '"'; a quote later in an unquoted field is kept as an ordinary byte
 * (as most producers expect). Inside quotes every byte but '"' is kept as is, "\r" included.
 * Malformed (-1): text after a closing quote other than a separator or line break (*err_at is
 * that byte), and a quote still open at eof (*err_at is the opening quote). */
long csv_parse_record(char *buf, size_t len, int eof, char sep, struct csv_record *rec, size_t *err_at);

/* TSV: fields split on '\t', records on '\n' (a '\r' before it is dropped). No quoting at all:
 * '"' is an ordinary byte. Never malformed. */
long tsv_parse_record(char *buf, size_t len, int eof, struct csv_record *rec);

#endif
