/* test_csv.c — unit tests for the CSV and TSV record parsers (formats/csv.h).
 *
 * Single-record tests parse from an exact-size heap copy so ASan catches any read past len.
 * The chunked tests feed the same input in random pieces, as a streaming reader would, and
 * require exactly the records (or the error) that parsing the whole input at once gives. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "formats/csv.h"

#define FIELDS_CAP 32

/* A parse of one literal: an exact-size copy of the input and the fields pointing into it. */
struct one {
	char *buf;
	size_t len;
	long r;
	size_t err_at;
	struct csv_field fields[FIELDS_CAP];
	struct csv_record rec;
};

static void one_parse(struct one *o, const char *in, size_t len, int eof, int tsv, char sep, size_t cap)
{
	assert_true(cap <= FIELDS_CAP);
	memset(o, 0, sizeof(*o));
	o->buf = malloc(len ? len : 1);
	assert_non_null(o->buf);
	memcpy(o->buf, in, len);
	o->len = len;
	o->err_at = (size_t)-1;
	o->rec.fields = cap ? o->fields : NULL;
	o->rec.cap = cap;
	if (tsv)
		o->r = tsv_parse_record(o->buf, len, eof, &o->rec);
	else
		o->r = csv_parse_record(o->buf, len, eof, sep, &o->rec, &o->err_at);
}

static void one_free(struct one *o)
{
	free(o->buf);
}

#define CSV(o, lit, eof) one_parse((o), (lit), sizeof(lit) - 1, (eof), 0, ',', FIELDS_CAP)
#define TSV(o, lit, eof) one_parse((o), (lit), sizeof(lit) - 1, (eof), 1, 0, FIELDS_CAP)

static void assert_field(const struct one *o, size_t i, const char *want, size_t start)
{
	assert_true(i < o->rec.nfields);
	const struct csv_field *f = &o->fields[i];
	assert_int_equal(f->len, strlen(want));
	assert_memory_equal(f->ptr, want, f->len);
	assert_int_equal(f->start, start);
	assert_true(f->ptr >= o->buf && f->ptr + f->len <= o->buf + o->len);
}

/* ---- CSV: single records ---- */

static void test_csv_splits_fields_on_separator(void **state)
{
	struct one o;
	CSV(&o, "a,bc,d\nnext\n", 0);
	assert_int_equal(o.r, 7);
	assert_int_equal(o.rec.nfields, 3);
	assert_int_equal(o.rec.nlines, 1);
	assert_field(&o, 0, "a", 0);
	assert_field(&o, 1, "bc", 2);
	assert_field(&o, 2, "d", 5);
	one_free(&o);
}

static void test_csv_empty_line_is_one_empty_field(void **state)
{
	struct one o;
	CSV(&o, "\nx\n", 0);
	assert_int_equal(o.r, 1);
	assert_int_equal(o.rec.nfields, 1);
	assert_int_equal(o.rec.nlines, 1);
	assert_field(&o, 0, "", 0);
	one_free(&o);

	CSV(&o, "\r\n", 0);
	assert_int_equal(o.r, 2);
	assert_int_equal(o.rec.nfields, 1);
	assert_field(&o, 0, "", 0);
	one_free(&o);
}

static void test_csv_crlf_ends_record_and_cr_is_dropped(void **state)
{
	struct one o;
	CSV(&o, "a,b\r\nc\r\n", 0);
	assert_int_equal(o.r, 5);
	assert_int_equal(o.rec.nfields, 2);
	assert_int_equal(o.rec.nlines, 1);
	assert_field(&o, 0, "a", 0);
	assert_field(&o, 1, "b", 2);
	one_free(&o);

	CSV(&o, "a,\r\n", 0);
	assert_int_equal(o.r, 4);
	assert_int_equal(o.rec.nfields, 2);
	assert_field(&o, 1, "", 2);
	one_free(&o);

	CSV(&o, "\"q\"\r\n", 0);
	assert_int_equal(o.r, 5);
	assert_int_equal(o.rec.nfields, 1);
	assert_field(&o, 0, "q", 0);
	one_free(&o);
}

static void test_csv_cr_inside_quotes_is_kept(void **state)
{
	struct one o;
	CSV(&o, "\"a\rb\",c\n", 0);
	assert_int_equal(o.r, 8);
	assert_field(&o, 0, "a\rb", 0);
	assert_field(&o, 1, "c", 6);
	one_free(&o);

	CSV(&o, "\"x\r\n\"\r\n", 0);
	assert_int_equal(o.r, 7);
	assert_int_equal(o.rec.nfields, 1);
	assert_int_equal(o.rec.nlines, 2);
	assert_field(&o, 0, "x\r\n", 0);
	one_free(&o);
}

static void test_csv_lone_cr_in_unquoted_field_is_data(void **state)
{
	struct one o;
	CSV(&o, "a\rb,c\r\n", 0);
	assert_int_equal(o.r, 7);
	assert_field(&o, 0, "a\rb", 0);
	assert_field(&o, 1, "c", 4);
	one_free(&o);

	CSV(&o, "a\r", 1);
	assert_int_equal(o.r, 2);
	assert_int_equal(o.rec.nlines, 0);
	assert_field(&o, 0, "a\r", 0);
	one_free(&o);
}

static void test_csv_last_record_may_end_at_eof(void **state)
{
	struct one o;
	CSV(&o, "a,\"b\nc\"", 1);
	assert_int_equal(o.r, 7);
	assert_int_equal(o.rec.nfields, 2);
	assert_int_equal(o.rec.nlines, 1);
	assert_field(&o, 0, "a", 0);
	assert_field(&o, 1, "b\nc", 2);
	one_free(&o);

	CSV(&o, "a,b", 1);
	assert_int_equal(o.r, 3);
	assert_int_equal(o.rec.nlines, 0);
	assert_field(&o, 1, "b", 2);
	one_free(&o);
}

static void test_csv_record_without_newline_needs_more_before_eof(void **state)
{
	struct one o;
	CSV(&o, "a,b", 0);
	assert_int_equal(o.r, -2);
	one_free(&o);
	CSV(&o, "a,", 0);
	assert_int_equal(o.r, -2);
	one_free(&o);
	CSV(&o, "a,\"b\n", 0);
	assert_int_equal(o.r, -2);
	one_free(&o);
}

static void test_csv_trailing_separator_at_eof_gives_empty_last_field(void **state)
{
	struct one o;
	CSV(&o, "a,", 1);
	assert_int_equal(o.r, 2);
	assert_int_equal(o.rec.nfields, 2);
	assert_field(&o, 1, "", 2);
	one_free(&o);
}

static void test_csv_empty_input_returns_zero_at_eof_and_needs_more_before(void **state)
{
	struct one o;
	one_parse(&o, "", 0, 1, 0, ',', FIELDS_CAP);
	assert_int_equal(o.r, 0);
	assert_int_equal(o.rec.nfields, 0);
	one_free(&o);
	one_parse(&o, "", 0, 0, 0, ',', FIELDS_CAP);
	assert_int_equal(o.r, -2);
	one_free(&o);

	struct csv_record rec = {NULL, 0, 7, 7};
	size_t err_at;
	assert_int_equal(csv_parse_record(NULL, 0, 1, ',', &rec, &err_at), 0);
	assert_int_equal(csv_parse_record(NULL, 0, 0, ',', &rec, &err_at), -2);
}

static void test_csv_quote_inside_unquoted_field_is_ordinary(void **state)
{
	struct one o;
	CSV(&o, "ab\"c,d\"\"\n", 0);
	assert_int_equal(o.r, 9);
	assert_field(&o, 0, "ab\"c", 0);
	assert_field(&o, 1, "d\"\"", 5);
	one_free(&o);

	CSV(&o, " \"a\",b\n", 0);
	assert_int_equal(o.r, 7);
	assert_field(&o, 0, " \"a\"", 0);
	one_free(&o);
}

static void test_csv_text_after_closing_quote_is_malformed_at_that_byte(void **state)
{
	struct one o;
	CSV(&o, "x,\"a\"b,c\n", 0);
	assert_int_equal(o.r, -1);
	assert_int_equal(o.err_at, 5);
	one_free(&o);

	CSV(&o, "\"a\"b", 1);
	assert_int_equal(o.r, -1);
	assert_int_equal(o.err_at, 3);
	one_free(&o);

	CSV(&o, "\"a\" ,b\n", 1);
	assert_int_equal(o.r, -1);
	assert_int_equal(o.err_at, 3);
	one_free(&o);
}

static void test_csv_cr_after_closing_quote_needs_lf(void **state)
{
	struct one o;
	CSV(&o, "\"a\"\r", 0);
	assert_int_equal(o.r, -2);
	one_free(&o);
	CSV(&o, "\"a\"\r", 1);
	assert_int_equal(o.r, -1);
	assert_int_equal(o.err_at, 3);
	one_free(&o);
	CSV(&o, "\"a\"\rx\n", 0);
	assert_int_equal(o.r, -1);
	assert_int_equal(o.err_at, 3);
	one_free(&o);
}

static void test_csv_unterminated_quote_at_eof_is_malformed_at_opening_quote(void **state)
{
	struct one o;
	CSV(&o, "a,\"bc\nd", 1);
	assert_int_equal(o.r, -1);
	assert_int_equal(o.err_at, 2);
	one_free(&o);

	CSV(&o, "\"ab\"\"", 1);
	assert_int_equal(o.r, -1);
	assert_int_equal(o.err_at, 0);
	one_free(&o);

	CSV(&o, "a,\"bc\nd", 0);
	assert_int_equal(o.r, -2);
	one_free(&o);
}

static void test_csv_closing_quote_at_end_of_buffer_needs_more(void **state)
{
	/* The quote could be the first half of "" until the next byte is known. */
	struct one o;
	CSV(&o, "\"ab\"", 0);
	assert_int_equal(o.r, -2);
	one_free(&o);
	CSV(&o, "\"ab\"", 1);
	assert_int_equal(o.r, 4);
	assert_int_equal(o.rec.nlines, 0);
	assert_field(&o, 0, "ab", 0);
	one_free(&o);
}

static void test_csv_doubled_quotes_collapse(void **state)
{
	struct one o;
	CSV(&o, "\"a\"\"b\",\"\"\"\"\"\",\"\"\"x\"\"\",\"\"\n", 0);
	assert_int_equal(o.r, 25);
	assert_int_equal(o.rec.nfields, 4);
	assert_field(&o, 0, "a\"b", 0);
	assert_field(&o, 1, "\"\"", 7);
	assert_field(&o, 2, "\"x\"", 14);
	assert_field(&o, 3, "", 22);
	one_free(&o);
}

static void test_csv_quoted_field_holds_separators_and_newlines(void **state)
{
	struct one o;
	CSV(&o, "\"a,b\nc\n\",d\n", 0);
	assert_int_equal(o.r, 11);
	assert_int_equal(o.rec.nfields, 2);
	assert_int_equal(o.rec.nlines, 3);
	assert_field(&o, 0, "a,b\nc\n", 0);
	assert_field(&o, 1, "d", 9);
	assert_ptr_equal(o.fields[0].ptr, o.buf + 1);
	one_free(&o);
}

static void test_csv_empty_fields_quoted_and_unquoted(void **state)
{
	struct one o;
	CSV(&o, ",\"\",,\n", 0);
	assert_int_equal(o.r, 6);
	assert_int_equal(o.rec.nfields, 4);
	assert_field(&o, 0, "", 0);
	assert_field(&o, 1, "", 1);
	assert_field(&o, 2, "", 4);
	assert_field(&o, 3, "", 5);
	one_free(&o);
}

static void test_csv_fields_beyond_cap_are_counted_not_stored(void **state)
{
	struct one o;
	one_parse(&o, "a,\"b\"\"\",c,\"d\"\"\",e\n", 18, 0, 0, ',', 2);
	assert_int_equal(o.r, 18);
	assert_int_equal(o.rec.nfields, 5);
	assert_field(&o, 0, "a", 0);
	assert_field(&o, 1, "b\"", 2);
	assert_null(o.fields[2].ptr);
	/* An unstored quoted field is left raw: only stored fields are unescaped. */
	assert_memory_equal(o.buf + 10, "\"d\"\"\"", 5);
	one_free(&o);

	one_parse(&o, "a,b,c\n", 6, 0, 0, ',', 0);
	assert_int_equal(o.r, 6);
	assert_int_equal(o.rec.nfields, 3);
	one_free(&o);
}

static void test_csv_other_separators(void **state)
{
	struct one o;
	one_parse(&o, "a;\"b;c\";d,e\n", 12, 0, 0, ';', FIELDS_CAP);
	assert_int_equal(o.r, 12);
	assert_int_equal(o.rec.nfields, 3);
	assert_field(&o, 1, "b;c", 2);
	assert_field(&o, 2, "d,e", 8);
	one_free(&o);

	one_parse(&o, "a\t\"b\tc\"\n", 8, 0, 0, '\t', FIELDS_CAP);
	assert_int_equal(o.r, 8);
	assert_int_equal(o.rec.nfields, 2);
	assert_field(&o, 1, "b\tc", 2);
	one_free(&o);
}

static void test_csv_need_more_and_malformed_leave_buffer_untouched(void **state)
{
	static const char partial[] = "\"a\"\"b\",\"c\"\"d\n";
	struct one o;
	CSV(&o, partial, 0);
	assert_int_equal(o.r, -2);
	assert_memory_equal(o.buf, partial, sizeof(partial) - 1);
	one_free(&o);

	static const char bad[] = "\"a\"\"b\",\"c\"x\n";
	CSV(&o, bad, 0);
	assert_int_equal(o.r, -1);
	assert_int_equal(o.err_at, 10);
	assert_memory_equal(o.buf, bad, sizeof(bad) - 1);
	one_free(&o);
}

static void test_csv_consumes_one_record_per_call(void **state)
{
	char in[] = "a,b\n\"c\nd\",e\r\nf";
	size_t len = sizeof(in) - 1, off = 0;
	struct csv_field f[4];
	struct csv_record rec = {f, 4, 0, 0};
	size_t err_at;
	long want[] = {4, 9, 1, 0};
	size_t want_lines[] = {1, 2, 0, 0};
	for (int i = 0; i < 4; i++) {
		long r = csv_parse_record(in + off, len - off, 1, ',', &rec, &err_at);
		assert_int_equal(r, want[i]);
		assert_int_equal(rec.nlines, want_lines[i]);
		off += (size_t)r;
	}
	assert_int_equal(off, len);
}

/* ---- TSV: single records ---- */

static void test_tsv_splits_fields_on_tabs(void **state)
{
	struct one o;
	TSV(&o, "a\tbc\t\td\nx", 0);
	assert_int_equal(o.r, 8);
	assert_int_equal(o.rec.nfields, 4);
	assert_int_equal(o.rec.nlines, 1);
	assert_field(&o, 0, "a", 0);
	assert_field(&o, 1, "bc", 2);
	assert_field(&o, 2, "", 5);
	assert_field(&o, 3, "d", 6);
	one_free(&o);
}

static void test_tsv_quotes_are_ordinary_bytes(void **state)
{
	struct one o;
	TSV(&o, "\"a\t b\"\"\t\"\n\"\n", 0);
	assert_int_equal(o.r, 10);
	assert_int_equal(o.rec.nfields, 3);
	assert_field(&o, 0, "\"a", 0);
	assert_field(&o, 1, " b\"\"", 3);
	assert_field(&o, 2, "\"", 8);
	one_free(&o);
}

static void test_tsv_empty_line_is_one_empty_field(void **state)
{
	struct one o;
	TSV(&o, "\n", 0);
	assert_int_equal(o.r, 1);
	assert_int_equal(o.rec.nfields, 1);
	assert_field(&o, 0, "", 0);
	one_free(&o);
	TSV(&o, "\r\n", 0);
	assert_int_equal(o.r, 2);
	assert_int_equal(o.rec.nfields, 1);
	assert_field(&o, 0, "", 0);
	one_free(&o);
}

static void test_tsv_crlf_ends_record_and_cr_is_dropped(void **state)
{
	struct one o;
	TSV(&o, "a\tb\r\n", 0);
	assert_int_equal(o.r, 5);
	assert_int_equal(o.rec.nfields, 2);
	assert_field(&o, 1, "b", 2);
	one_free(&o);
	TSV(&o, "a\t\r\n", 0);
	assert_int_equal(o.r, 4);
	assert_int_equal(o.rec.nfields, 2);
	assert_field(&o, 1, "", 2);
	one_free(&o);
}

static void test_tsv_lone_cr_is_data(void **state)
{
	struct one o;
	TSV(&o, "a\rb\tc\r\r\n", 0);
	assert_int_equal(o.r, 8);
	assert_field(&o, 0, "a\rb", 0);
	assert_field(&o, 1, "c\r", 4);
	one_free(&o);
	TSV(&o, "a\r", 1);
	assert_int_equal(o.r, 2);
	assert_field(&o, 0, "a\r", 0);
	one_free(&o);
}

static void test_tsv_last_record_may_end_at_eof(void **state)
{
	struct one o;
	TSV(&o, "a\tb", 1);
	assert_int_equal(o.r, 3);
	assert_int_equal(o.rec.nlines, 0);
	assert_int_equal(o.rec.nfields, 2);
	assert_field(&o, 1, "b", 2);
	one_free(&o);
	TSV(&o, "a\t", 1);
	assert_int_equal(o.r, 2);
	assert_int_equal(o.rec.nfields, 2);
	assert_field(&o, 1, "", 2);
	one_free(&o);
	TSV(&o, "a\tb", 0);
	assert_int_equal(o.r, -2);
	one_free(&o);
}

static void test_tsv_empty_input_returns_zero_at_eof_and_needs_more_before(void **state)
{
	struct csv_record rec = {NULL, 0, 7, 7};
	assert_int_equal(tsv_parse_record(NULL, 0, 1, &rec), 0);
	assert_int_equal(rec.nfields, 0);
	assert_int_equal(tsv_parse_record(NULL, 0, 0, &rec), -2);
}

static void test_tsv_fields_beyond_cap_are_counted_not_stored(void **state)
{
	struct one o;
	one_parse(&o, "a\tb\tc\td\n", 8, 0, 1, 0, 3);
	assert_int_equal(o.r, 8);
	assert_int_equal(o.rec.nfields, 4);
	assert_field(&o, 2, "c", 4);
	assert_null(o.fields[3].ptr);
	one_free(&o);
}

static void test_tsv_geonames_line_with_stray_quote(void **state)
{
	static const char line[] = "2986043\tPic de Font Blanca\tPic de Font Blanca\tPic de Font Blanca,"
				   "Pic du Port\t42.64991\t1.53335\tT\tPK\tAD\t\t00\t\t\t\t0\t\t2860\t"
				   "Europe/Andorra\t2014-11-05\n";
	static const char quoted[] = "123\tSaint \"Pierre\t\"Quote\"\"\t\n";
	struct one o;
	TSV(&o, line, 0);
	assert_int_equal(o.r, (long)sizeof(line) - 1);
	assert_int_equal(o.rec.nfields, 19);
	assert_field(&o, 0, "2986043", 0);
	assert_field(&o, 3, "Pic de Font Blanca,Pic du Port", 46);
	assert_field(&o, 15, "", 111);
	assert_field(&o, 18, "2014-11-05", 132);
	one_free(&o);

	TSV(&o, quoted, 0);
	assert_int_equal(o.rec.nfields, 4);
	assert_field(&o, 1, "Saint \"Pierre", 4);
	assert_field(&o, 2, "\"Quote\"\"", 18);
	assert_field(&o, 3, "", 27);
	one_free(&o);
}

/* ---- Chunked parsing equals whole parsing ---- */

static uint64_t rng_next(uint64_t *s)
{
	/* splitmix64: deterministic and good enough to pick chunk sizes and bytes. */
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static void describe_record(struct buf *out, const struct csv_record *rec, long r)
{
	buf_addf(out, "%ld/%zu/%zu:", r, rec->nlines, rec->nfields);
	size_t kept = rec->nfields < rec->cap ? rec->nfields : rec->cap;
	for (size_t i = 0; i < kept; i++) {
		buf_addf(out, "[%zu|", rec->fields[i].start);
		buf_add(out, rec->fields[i].ptr, rec->fields[i].len);
		buf_addc(out, ']');
	}
	buf_addc(out, '\n');
}

/* Parses `in` the way a streaming reader does: `first` bytes are buffered before the first
 * call, then each "need more" appends a chunk of 1..max_chunk bytes; eof is set once all of
 * the input is buffered. Every call sees an exact-size copy of the pending bytes, so reads
 * past len trip ASan and a -2 that wrote into the buffer is caught. */
static void parse_in_chunks(const char *in, size_t n, int tsv, char sep, size_t first, size_t max_chunk,
			    uint64_t *rng, struct buf *out)
{
	struct buf pend = BUF_INIT;
	struct csv_field f[FIELDS_CAP];
	struct csv_record rec = {f, FIELDS_CAP, 0, 0};
	size_t pos = first < n ? first : n, consumed = 0;
	buf_add(&pend, in, pos);
	for (;;) {
		int eof = pos == n;
		char *copy = malloc(pend.len ? pend.len : 1);
		assert_non_null(copy);
		memcpy(copy, pend.data ? pend.data : "", pend.len);
		size_t err_at = (size_t)-1;
		long r = tsv ? tsv_parse_record(copy, pend.len, eof, &rec)
			     : csv_parse_record(copy, pend.len, eof, sep, &rec, &err_at);
		if (r == -2) {
			assert_false(eof);
			assert_memory_equal(copy, pend.data, pend.len);
			free(copy);
			size_t k = 1 + (size_t)(rng_next(rng) % max_chunk);
			if (k > n - pos)
				k = n - pos;
			buf_add(&pend, in + pos, k);
			pos += k;
			continue;
		}
		if (r == -1) {
			assert_false(tsv);
			assert_true(err_at < pend.len);
			assert_memory_equal(copy, pend.data, pend.len);
			buf_addf(out, "error at %zu\n", consumed + err_at);
			free(copy);
			break;
		}
		if (r == 0) {
			assert_true(eof);
			assert_int_equal(pend.len, 0);
			buf_adds(out, "end\n");
			free(copy);
			break;
		}
		assert_true(r > 0 && (size_t)r <= pend.len);
		describe_record(out, &rec, r);
		free(copy);
		buf_consume(&pend, (size_t)r);
		consumed += (size_t)r;
	}
	buf_free(&pend);
}

static void parse_whole(const char *in, size_t n, int tsv, char sep, struct buf *out)
{
	uint64_t unused = 0;
	parse_in_chunks(in, n, tsv, sep, n, 1, &unused, out);
}

/* Parses `in` in chunks under many seeds and chunk-size limits; each must match `whole`. */
static void assert_chunked_matches(const char *in, size_t n, int tsv, char sep, const struct buf *whole,
				   uint64_t seed0, int seeds)
{
	static const size_t max_chunks[] = {1, 2, 3, 5, 8, 17, 64};
	for (int s = 0; s < seeds; s++) {
		uint64_t rng = seed0 + (uint64_t)s;
		size_t max_chunk = max_chunks[rng_next(&rng) % (sizeof(max_chunks) / sizeof(max_chunks[0]))];
		size_t first = (size_t)(rng_next(&rng) % (n + 1));
		struct buf got = BUF_INIT;
		parse_in_chunks(in, n, tsv, sep, first, max_chunk, &rng, &got);
		assert_string_equal(buf_str(&got), buf_str(whole));
		buf_free(&got);
	}
}

static const char csv_sample[] = "id,name,note\r\n"
				 "1,\"Smith, John\",\"said \"\"hi\"\"\"\r\n"
				 "2,,\"multi\nline\r\nfield\"\n"
				 "3,\"\",plain \"quote\" inside\n"
				 "\n"
				 "4,\"a\"\"\"\"b\",last";

static void test_csv_whole_parse_of_sample_gives_expected_records(void **state)
{
	struct buf got = BUF_INIT;
	parse_whole(csv_sample, sizeof(csv_sample) - 1, 0, ',', &got);
	assert_string_equal(buf_str(&got), "14/1/3:[0|id][3|name][8|note]\n"
					   "31/1/3:[0|1][2|Smith, John][16|said \"hi\"]\n"
					   "23/3/3:[0|2][2|][3|multi\nline\r\nfield]\n"
					   "26/1/3:[0|3][2|][5|plain \"quote\" inside]\n"
					   "1/1/1:[0|]\n"
					   "15/0/3:[0|4][2|a\"\"b][11|last]\n"
					   "end\n");
	buf_free(&got);
}

static void test_csv_chunked_parse_of_sample_equals_whole_parse(void **state)
{
	struct buf whole = BUF_INIT;
	parse_whole(csv_sample, sizeof(csv_sample) - 1, 0, ',', &whole);
	assert_chunked_matches(csv_sample, sizeof(csv_sample) - 1, 0, ',', &whole, 1, 2000);
	buf_free(&whole);
}

static const char tsv_sample[] = "1\tAndorra la Vella\t\"Andorra\"\t42.5\r\n"
				 "2\t\t\"\t\n"
				 "\n"
				 "3\tSaint \"Pierre\"\"\t\t\r\n"
				 "4\tlast";

static void test_tsv_whole_parse_of_sample_gives_expected_records(void **state)
{
	struct buf got = BUF_INIT;
	parse_whole(tsv_sample, sizeof(tsv_sample) - 1, 1, 0, &got);
	assert_string_equal(buf_str(&got), "35/1/4:[0|1][2|Andorra la Vella][19|\"Andorra\"][29|42.5]\n"
					   "6/1/4:[0|2][2|][3|\"][5|]\n"
					   "1/1/1:[0|]\n"
					   "21/1/4:[0|3][2|Saint \"Pierre\"\"][18|][19|]\n"
					   "6/0/2:[0|4][2|last]\n"
					   "end\n");
	buf_free(&got);
}

static void test_tsv_chunked_parse_of_sample_equals_whole_parse(void **state)
{
	struct buf whole = BUF_INIT;
	parse_whole(tsv_sample, sizeof(tsv_sample) - 1, 1, 0, &whole);
	assert_chunked_matches(tsv_sample, sizeof(tsv_sample) - 1, 1, 0, &whole, 1, 2000);
	buf_free(&whole);
}

/* Random inputs over a small alphabet rich in the bytes that matter, malformed ones included. */
static size_t random_text(char *dst, size_t max, const char *alphabet, uint64_t *rng)
{
	size_t n = (size_t)(rng_next(rng) % (max + 1)), k = strlen(alphabet);
	for (size_t i = 0; i < n; i++)
		dst[i] = alphabet[rng_next(rng) % k];
	return n;
}

static void test_csv_chunked_parse_of_random_input_equals_whole_parse(void **state)
{
	char in[80];
	int malformed = 0;
	for (uint64_t seed = 1; seed <= 3000; seed++) {
		uint64_t rng = seed * 7919;
		size_t n = random_text(in, sizeof(in), "ab,,\"\"\"\n\r;", &rng);
		struct buf whole = BUF_INIT;
		parse_whole(in, n, 0, ',', &whole);
		malformed += strstr(buf_str(&whole), "error at") != NULL;
		assert_chunked_matches(in, n, 0, ',', &whole, seed << 8, 8);
		buf_free(&whole);
	}
	/* The alphabet must exercise both outcomes or the test proves little. */
	assert_true(malformed > 100 && malformed < 2900);
}

static void test_tsv_chunked_parse_of_random_input_equals_whole_parse(void **state)
{
	char in[80];
	for (uint64_t seed = 1; seed <= 3000; seed++) {
		uint64_t rng = seed * 7919;
		size_t n = random_text(in, sizeof(in), "ab\t\t\"\n\r", &rng);
		struct buf whole = BUF_INIT;
		parse_whole(in, n, 1, 0, &whole);
		assert_chunked_matches(in, n, 1, 0, &whole, seed << 8, 8);
		buf_free(&whole);
	}
}

/* Writing random fields as CSV the way a careful producer does and parsing them back must
 * give the same fields. */
static void test_csv_parse_of_encoded_random_fields_round_trips(void **state)
{
	for (uint64_t seed = 1; seed <= 3000; seed++) {
		uint64_t rng = seed;
		char want[6][12];
		size_t want_len[6];
		size_t nf = 1 + (size_t)(rng_next(&rng) % 6);
		struct buf enc = BUF_INIT;
		for (size_t i = 0; i < nf; i++) {
			want_len[i] = random_text(want[i], sizeof(want[i]), "xy,\"\r\n ", &rng);
			int special =
			    memchr(want[i], ',', want_len[i]) || memchr(want[i], '"', want_len[i]) ||
			    memchr(want[i], '\r', want_len[i]) || memchr(want[i], '\n', want_len[i]);
			int quote = special || rng_next(&rng) % 2;
			if (i)
				buf_addc(&enc, ',');
			if (quote)
				buf_addc(&enc, '"');
			for (size_t j = 0; j < want_len[i]; j++) {
				if (want[i][j] == '"')
					buf_addc(&enc, '"');
				buf_addc(&enc, want[i][j]);
			}
			if (quote)
				buf_addc(&enc, '"');
		}
		static const char *const ends[] = {"\n", "\r\n", ""};
		buf_adds(&enc, ends[rng_next(&rng) % 3]);
		if (enc.len == 0)
			buf_adds(&enc, "\"\""); /* no bytes at all would be no record */

		struct one o;
		one_parse(&o, enc.data, enc.len, 1, 0, ',', FIELDS_CAP);
		assert_int_equal(o.r, (long)enc.len);
		assert_int_equal(o.rec.nfields, nf);
		for (size_t i = 0; i < nf; i++) {
			assert_int_equal(o.fields[i].len, want_len[i]);
			assert_memory_equal(o.fields[i].ptr, want[i], want_len[i]);
		}
		one_free(&o);
		buf_free(&enc);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_csv_splits_fields_on_separator),
	    cmocka_unit_test(test_csv_empty_line_is_one_empty_field),
	    cmocka_unit_test(test_csv_crlf_ends_record_and_cr_is_dropped),
	    cmocka_unit_test(test_csv_cr_inside_quotes_is_kept),
	    cmocka_unit_test(test_csv_lone_cr_in_unquoted_field_is_data),
	    cmocka_unit_test(test_csv_last_record_may_end_at_eof),
	    cmocka_unit_test(test_csv_record_without_newline_needs_more_before_eof),
	    cmocka_unit_test(test_csv_trailing_separator_at_eof_gives_empty_last_field),
	    cmocka_unit_test(test_csv_empty_input_returns_zero_at_eof_and_needs_more_before),
	    cmocka_unit_test(test_csv_quote_inside_unquoted_field_is_ordinary),
	    cmocka_unit_test(test_csv_text_after_closing_quote_is_malformed_at_that_byte),
	    cmocka_unit_test(test_csv_cr_after_closing_quote_needs_lf),
	    cmocka_unit_test(test_csv_unterminated_quote_at_eof_is_malformed_at_opening_quote),
	    cmocka_unit_test(test_csv_closing_quote_at_end_of_buffer_needs_more),
	    cmocka_unit_test(test_csv_doubled_quotes_collapse),
	    cmocka_unit_test(test_csv_quoted_field_holds_separators_and_newlines),
	    cmocka_unit_test(test_csv_empty_fields_quoted_and_unquoted),
	    cmocka_unit_test(test_csv_fields_beyond_cap_are_counted_not_stored),
	    cmocka_unit_test(test_csv_other_separators),
	    cmocka_unit_test(test_csv_need_more_and_malformed_leave_buffer_untouched),
	    cmocka_unit_test(test_csv_consumes_one_record_per_call),
	    cmocka_unit_test(test_tsv_splits_fields_on_tabs),
	    cmocka_unit_test(test_tsv_quotes_are_ordinary_bytes),
	    cmocka_unit_test(test_tsv_empty_line_is_one_empty_field),
	    cmocka_unit_test(test_tsv_crlf_ends_record_and_cr_is_dropped),
	    cmocka_unit_test(test_tsv_lone_cr_is_data),
	    cmocka_unit_test(test_tsv_last_record_may_end_at_eof),
	    cmocka_unit_test(test_tsv_empty_input_returns_zero_at_eof_and_needs_more_before),
	    cmocka_unit_test(test_tsv_fields_beyond_cap_are_counted_not_stored),
	    cmocka_unit_test(test_tsv_geonames_line_with_stray_quote),
	    cmocka_unit_test(test_csv_whole_parse_of_sample_gives_expected_records),
	    cmocka_unit_test(test_csv_chunked_parse_of_sample_equals_whole_parse),
	    cmocka_unit_test(test_tsv_whole_parse_of_sample_gives_expected_records),
	    cmocka_unit_test(test_tsv_chunked_parse_of_sample_equals_whole_parse),
	    cmocka_unit_test(test_csv_chunked_parse_of_random_input_equals_whole_parse),
	    cmocka_unit_test(test_tsv_chunked_parse_of_random_input_equals_whole_parse),
	    cmocka_unit_test(test_csv_parse_of_encoded_random_fields_round_trips),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
