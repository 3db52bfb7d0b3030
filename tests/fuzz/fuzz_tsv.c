/* fuzz_tsv.c — libFuzzer target for tsv_parse_record.
 *
 * Input: byte 0 picks where the input is split, the rest is TSV. The text is parsed twice in
 * lockstep from exact-size copies: whole with eof set, and as a streaming reader would see
 * it, first only up to the split point without eof, then all of it. Both must give the same
 * records, and each record must account for every byte it consumed: fields, tabs and the
 * line break (with its '\r'). TSV never writes into the buffer, so that is checked too. */
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

/* What csv.h promises about one record `r` bytes long at `rec_buf`, a copy of `orig`. */
static void check_record(const char *orig, const char *rec_buf, long r, const struct csv_record *rec)
{
	size_t used = (size_t)r;
	int has_nl = orig[used - 1] == '\n';
	check(rec->nfields >= 1);
	check(rec->nlines == (size_t)has_nl);
	check(!memchr(orig, '\n', used - (size_t)has_nl));
	/* The fields and the tabs between them cover the record up to its line break. */
	size_t body = used - (size_t)has_nl;
	if (has_nl && body > 0 && orig[body - 1] == '\r')
		body--;
	size_t tabs = 0;
	for (size_t i = 0; i < body; i++)
		tabs += orig[i] == '\t';
	check(rec->nfields == tabs + 1);

	size_t kept = rec->nfields < rec->cap ? rec->nfields : rec->cap;
	size_t expect_start = 0;
	for (size_t i = 0; i < kept; i++) {
		const struct csv_field *f = &rec->fields[i];
		check(f->start == expect_start);
		check(f->ptr == rec_buf + f->start && f->start + f->len <= body);
		check(!memchr(f->ptr, '\t', f->len));
		check(f->start + f->len == body || orig[f->start + f->len] == '\t');
		expect_start = f->start + f->len + 1;
	}
	if (kept == rec->nfields)
		check(expect_start == body + 1);
	check(memcmp(rec_buf, orig, used) == 0);
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
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *orig = (const char *)data + 1;
	size_t n = size - 1;
	size_t split = (size_t)data[0] * n / 255;

	char *whole = malloc(n ? n : 1), *part = malloc(n ? n : 1);
	check(whole && part);
	memcpy(whole, orig, n);
	memcpy(part, orig, n);

	struct csv_field wf[WHOLE_CAP], pf[SPLIT_CAP];
	struct csv_record wr = {wf, WHOLE_CAP, 0, 0}, pr = {pf, SPLIT_CAP, 0, 0};
	size_t off = 0, visible = split;
	for (;;) {
		long w = tsv_parse_record(whole + off, n - off, 1, &wr);
		long p;
		for (;;) {
			int eof = visible == n;
			p = tsv_parse_record(part + off, visible - off, eof, &pr);
			if (p != -2)
				break;
			check(!eof);
			visible = n;
		}
		check(w == p && w >= 0);
		if (w == 0) {
			check(off == n);
			break;
		}
		check((size_t)w <= n - off && (size_t)w <= visible - off);
		check_record(orig + off, whole + off, w, &wr);
		check_same_record(whole + off, &wr, part + off, &pr);
		off += (size_t)w;
	}
	check(memcmp(part, orig, n) == 0);
	free(whole);
	free(part);
	return 0;
}
