/* fuzz_csv.c — libFuzzer target for csv_parse_record.
 *
 * Input: byte 0 picks where the input is split, byte 1 is the separator, the rest is CSV.
 * The text is parsed twice in lockstep from exact-size copies: whole with eof set, and as a
 * streaming reader would see it, first only up to the split point without eof, then all of
 * it. Both must give the same records or the same error; a "need more" must not write into
 * the buffer. Each record is also checked against what the format guarantees, and its
 * fields are written back out as CSV and parsed again to the same values. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/csv.h"

#define WHOLE_CAP 64
#define SPLIT_CAP 4 /* smaller, so records wider than cap are common */

#define check(cond)                                                                                          \
	do {                                                                                                 \
		if (!(cond))                                                                                 \
			abort();                                                                             \
	} while (0)

static size_t count_byte(const char *p, size_t n, char c)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += p[i] == c;
	return k;
}

/* What csv.h promises about one record `r` bytes long at `rec_buf`, a copy of `orig`. */
static void check_record(const char *orig, const char *rec_buf, long r, const struct csv_record *rec,
			 char sep)
{
	size_t used = (size_t)r;
	check(rec->nfields >= 1);
	/* Unquoted fields hold no '\n', so every line break is inside quotes or the terminator. */
	check(rec->nlines == count_byte(orig, used, '\n'));
	size_t kept = rec->nfields < rec->cap ? rec->nfields : rec->cap;
	for (size_t i = 0; i < kept; i++) {
		const struct csv_field *f = &rec->fields[i];
		check(f->start <= used);
		check(i == 0 || f->start > rec->fields[i - 1].start);
		check(f->ptr >= rec_buf && f->ptr + f->len <= rec_buf + used);
		if (f->ptr == rec_buf + f->start) {
			check(f->start == used || orig[f->start] != '"');
			check(!memchr(f->ptr, sep, f->len) && !memchr(f->ptr, '\n', f->len));
			check(memcmp(f->ptr, orig + f->start, f->len) == 0);
		} else {
			check(f->ptr == rec_buf + f->start + 1 && orig[f->start] == '"');
		}
	}
	check(kept == 0 || rec->fields[0].start == 0);
}

static void check_same_record(const char *a, const struct csv_record *ra, const char *b,
			      const struct csv_record *rb)
{
	check(ra->nfields == rb->nfields && ra->nlines == rb->nlines);
	size_t kept = rb->nfields < rb->cap ? rb->nfields : rb->cap;
	for (size_t i = 0; i < kept; i++) {
		const struct csv_field *fa = &ra->fields[i], *fb = &rb->fields[i];
		check(fa->start == fb->start && fa->len == fb->len);
		check(fa->ptr - a == fb->ptr - b);
		check(memcmp(fa->ptr, fb->ptr, fa->len) == 0);
	}
}

/* Writes the record's fields as CSV, every field quoted, and parses that back. */
static void check_round_trip(const struct csv_record *rec, char sep, char *enc)
{
	if (rec->nfields > rec->cap)
		return;
	size_t n = 0;
	for (size_t i = 0; i < rec->nfields; i++) {
		const struct csv_field *f = &rec->fields[i];
		if (i)
			enc[n++] = sep;
		enc[n++] = '"';
		for (size_t j = 0; j < f->len; j++) {
			if (f->ptr[j] == '"')
				enc[n++] = '"';
			enc[n++] = f->ptr[j];
		}
		enc[n++] = '"';
	}
	enc[n++] = '\n';
	struct csv_field fields[WHOLE_CAP];
	struct csv_record back = {fields, WHOLE_CAP, 0, 0};
	size_t err_at;
	check(csv_parse_record(enc, n, 0, sep, &back, &err_at) == (long)n);
	check(back.nfields == rec->nfields);
	for (size_t i = 0; i < rec->nfields; i++) {
		check(back.fields[i].len == rec->fields[i].len);
		check(memcmp(back.fields[i].ptr, rec->fields[i].ptr, rec->fields[i].len) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	char sep = (char)data[1];
	if (sep == '"' || sep == '\r' || sep == '\n')
		sep = ',';
	const char *orig = (const char *)data + 2;
	size_t n = size - 2;
	size_t split = (size_t)data[0] * n / 255;

	char *whole = malloc(n ? n : 1), *part = malloc(n ? n : 1);
	/* A record re-encoded: each content byte at most doubled, plus quotes and separators. */
	char *enc = malloc(5 * n + 8);
	check(whole && part && enc);
	memcpy(whole, orig, n);
	memcpy(part, orig, n);

	struct csv_field wf[WHOLE_CAP], pf[SPLIT_CAP];
	struct csv_record wr = {wf, WHOLE_CAP, 0, 0}, pr = {pf, SPLIT_CAP, 0, 0};
	size_t off = 0, visible = split;
	for (;;) {
		size_t werr = (size_t)-1, perr = (size_t)-1;
		long w = csv_parse_record(whole + off, n - off, 1, sep, &wr, &werr);
		long p;
		for (;;) {
			int eof = visible == n;
			p = csv_parse_record(part + off, visible - off, eof, sep, &pr, &perr);
			if (p != -2)
				break;
			check(!eof);
			check(memcmp(part + off, orig + off, visible - off) == 0);
			visible = n;
		}
		check(w == p && w >= -1);
		if (w == 0) {
			check(off == n);
			break;
		}
		if (w == -1) {
			check(werr == perr && werr < n - off);
			check(memcmp(part + off, orig + off, visible - off) == 0);
			break;
		}
		check((size_t)w <= n - off && (size_t)w <= visible - off);
		check_record(orig + off, whole + off, w, &wr, sep);
		check_same_record(whole + off, &wr, part + off, &pr);
		check_round_trip(&wr, sep, enc);
		off += (size_t)w;
	}
	free(whole);
	free(part);
	free(enc);
	return 0;
}
