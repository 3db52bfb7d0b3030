/* csv.c — record parsers for RFC 4180 CSV and plain TSV (see csv.h).
 *
 * Both find the record's end with memchr for '\n' and split the line with memchr for the
 * separator, so bulk input is scanned by libc's vectorised search rather than byte by byte;
 * only the inside of a quoted CSV field is walked quote to quote. The CSV parser makes two
 * passes: the first finds the fields and proves the record complete without writing, the
 * second collapses doubled quotes in place, so a "need more" leaves the buffer untouched. */
#include "formats/csv.h"

#include <assert.h>
#include <limits.h>
#include <string.h>

/* Stores field number `n` when it fits; fields past `cap` are counted but not kept. */
static void csv_store_field(struct csv_record *rec, size_t n, char *ptr, size_t len, size_t start)
{
	if (n < rec->cap) {
		rec->fields[n].ptr = ptr;
		rec->fields[n].len = len;
		rec->fields[n].start = start;
	}
}

static size_t csv_count_newlines(const char *p, size_t len)
{
	size_t n = 0;
	const char *end = p + len;
	while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n++;
		p++;
	}
	return n;
}

/* Collapses each "" of a quoted field's raw content to one '"'; returns the new length.
 * The first pass guarantees every quote in the content is the first of a pair. */
static size_t csv_unescape(char *p, size_t len)
{
	char *end = p + len;
	char *q = memchr(p, '"', len);
	if (!q)
		return len;
	char *dst = q + 1;
	char *src = q + 2;
	while (src < end) {
		q = memchr(src, '"', (size_t)(end - src));
		size_t n = q ? (size_t)(q + 1 - src) : (size_t)(end - src);
		memmove(dst, src, n);
		dst += n;
		src += n + (q ? 1 : 0);
	}
	return (size_t)(dst - p);
}

long csv_parse_record(char *buf, size_t len, int eof, char sep, struct csv_record *rec, size_t *err_at)
{
	assert(sep != '"' && sep != '\n' && sep != '\r');
	assert(rec->fields || rec->cap == 0);
	assert(len <= LONG_MAX);

	rec->nfields = 0;
	rec->nlines = 0;
	if (len == 0)
		return eof ? 0 : -2;

	size_t p = 0; /* start of the current field */
	size_t nfields = 0;
	size_t nlines = 0;
	size_t nl = 0; /* next '\n' at or after p, or len; valid while nl_known && nl >= p */
	int nl_known = 0;
	int has_pairs = 0; /* some quoted field holds "", so the second pass has work */
	size_t end;	   /* bytes consumed by the record */

	for (;;) {
		if (p < len && buf[p] == '"') {
			/* Walk quote to quote; "" is an escaped quote, any other quote closes. */
			size_t q = p + 1;
			size_t close;
			for (;;) {
				char *hit = memchr(buf + q, '"', len - q);
				if (!hit) {
					if (!eof)
						return -2;
					*err_at = p; /* the opening quote of the field never closed */
					return -1;
				}
				size_t h = (size_t)(hit - buf);
				if (h + 1 < len && buf[h + 1] == '"') {
					has_pairs = 1;
					q = h + 2;
					continue;
				}
				if (h + 1 == len && !eof)
					return -2; /* could be the first half of "" */
				close = h;
				break;
			}
			nlines += csv_count_newlines(buf + p + 1, close - p - 1);
			csv_store_field(rec, nfields++, buf + p + 1, close - p - 1, p);
			size_t after = close + 1;
			if (after == len) {
				end = len; /* eof checked above */
				break;
			}
			if (buf[after] == sep) {
				p = after + 1;
				continue;
			}
			if (buf[after] == '\n') {
				nlines++;
				end = after + 1;
				break;
			}
			if (buf[after] == '\r') {
				if (after + 1 == len && !eof)
					return -2;
				if (after + 1 < len && buf[after + 1] == '\n') {
					nlines++;
					end = after + 2;
					break;
				}
			}
			*err_at = after; /* text between the closing quote and the separator */
			return -1;
		}

		/* Unquoted: runs to the next separator or line break; quotes in it are data. */
		if (!nl_known || nl < p) {
			char *hit = memchr(buf + p, '\n', len - p);
			nl = hit ? (size_t)(hit - buf) : len;
			nl_known = 1;
		}
		char *s = memchr(buf + p, sep, nl - p);
		if (s) {
			size_t e = (size_t)(s - buf);
			csv_store_field(rec, nfields++, buf + p, e - p, p);
			p = e + 1;
			continue;
		}
		if (nl == len) {
			if (!eof)
				return -2;
			csv_store_field(rec, nfields++, buf + p, len - p, p);
			end = len;
			break;
		}
		size_t flen = nl - p;
		if (flen > 0 && buf[nl - 1] == '\r')
			flen--;
		csv_store_field(rec, nfields++, buf + p, flen, p);
		nlines++;
		end = nl + 1;
		break;
	}

	/* The record is complete: now it is safe to write into the buffer. */
	if (has_pairs) {
		size_t kept = nfields < rec->cap ? nfields : rec->cap;
		for (size_t i = 0; i < kept; i++) {
			struct csv_field *f = &rec->fields[i];
			/* Only a quoted field's content starts after its first byte. */
			if (f->ptr != buf + f->start)
				f->len = csv_unescape(f->ptr, f->len);
		}
	}
	rec->nfields = nfields;
	rec->nlines = nlines;
	return (long)end;
}

long tsv_parse_record(char *buf, size_t len, int eof, struct csv_record *rec)
{
	assert(rec->fields || rec->cap == 0);
	assert(len <= LONG_MAX);

	rec->nfields = 0;
	rec->nlines = 0;
	if (len == 0)
		return eof ? 0 : -2;

	size_t end;  /* end of the last field */
	size_t used; /* bytes consumed, terminator included */
	char *nl = memchr(buf, '\n', len);
	if (nl) {
		end = (size_t)(nl - buf);
		used = end + 1;
		if (end > 0 && buf[end - 1] == '\r')
			end--;
		rec->nlines = 1;
	} else {
		if (!eof)
			return -2;
		end = len;
		used = len;
	}

	size_t n = 0;
	size_t p = 0;
	for (;;) {
		char *tab = memchr(buf + p, '\t', end - p);
		size_t e = tab ? (size_t)(tab - buf) : end;
		csv_store_field(rec, n++, buf + p, e - p, p);
		if (!tab)
			break;
		p = e + 1;
	}
	rec->nfields = n;
	return (long)used;
}
