/* rowsum.c — checksums of table rows in a canonical form, to compare a table in a source
 * database server with the same table after amber converted a dump of it.
 *
 * Usage: rowsum [-c] CLASSES < rows.tsv
 * Reads rows as TSV (no quoting; a field "\N" is NULL) and prints, sorted, one checksum per
 * row: the first 128 bits of the SHA-256 of the row's canonical form, in hex. With -c it
 * prints the sorted canonical rows instead, to see which row differs. CLASSES has one letter
 * per column, telling how a field is made canonical, so that what a server prints and what
 * SQLite stored compare equal exactly when the values are equal:
 *   i  integer: decimal digits of any length, sign and leading zeros normalised.
 *   x  exact number (DECIMAL, NUMERIC, BIGINT UNSIGNED): a value of at most 15 significant
 *      digits is compared as the double %.15g (SQLite may hold it as REAL), a longer one as
 *      its exact digits. Also takes 0x + 16 hex digits: the bits of a double.
 *   f  float: the double strtod makes of the text, or 0x + 16 hex digits (the bits, as
 *      SQLite's hex(ieee754_to_blob(col)) prints them), printed %.17g. NaN is NULL, because
 *      SQLite stores a NaN as NULL; -0 is 0, because SQLite may store an integral REAL as an
 *      integer and lose the sign of zero.
 *   h, t, b  bytes as hex digits (HEX(col), encode(col,'hex'), hex(col)), compared
 *      case-insensitively; t and b say whether SQLite must hold TEXT or BLOB (the caller's
 *      select checks that; here they are the same as h).
 *   v  verbatim.
 * A field that does not fit its class is kept as "?" + the field (so the row cannot match)
 * and reported; the exit status is then 1. The row form is the canonical fields joined by
 * tabs; field counts other than the number of classes are an error. */
#include "core/sha256.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The decimal exponent range a double holds with its digits intact; outside, x keeps digits. */
#define EXACT_EXP_LIMIT 290

struct text {
	char *s;
	size_t len, cap;
};

struct rows {
	char **v;
	size_t n, cap;
};

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);
	if (!q) {
		fprintf(stderr, "rowsum: out of memory\n");
		exit(2);
	}
	return q;
}

static void text_put(struct text *t, const char *s, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		t->cap = (t->len + n + 1) * 2;
		t->s = xrealloc(t->s, t->cap);
	}
	memcpy(t->s + t->len, s, n);
	t->len += n;
	t->s[t->len] = '\0';
}

static void text_puts(struct text *t, const char *s)
{
	text_put(t, s, strlen(s));
}

static int all_digits(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int canon_integer(const char *s, size_t n, struct text *out)
{
	int neg = 0;
	if (n > 0 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		s++, n--;
	}
	if (!all_digits(s, n))
		return -1;
	while (n > 1 && s[0] == '0')
		s++, n--;
	if (neg && !(n == 1 && s[0] == '0'))
		text_puts(out, "-");
	text_put(out, s, n);
	return 0;
}

/* "0x" and 16 hex digits: the IEEE-754 bits of a double, most significant byte first. */
static int parse_bits(const char *s, size_t n, double *out)
{
	if (n != 18 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
		return 0;
	unsigned long long bits = 0;
	for (size_t i = 2; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			return 0;
		char c = (char)tolower((unsigned char)s[i]);
		bits = bits << 4 | (unsigned)(c <= '9' ? c - '0' : c - 'a' + 10);
	}
	memcpy(out, &bits, sizeof *out);
	return 1;
}

/* The whole field as a double (strtod syntax: decimal, exponent, inf, infinity, nan). */
static int parse_double(const char *s, size_t n, double *out)
{
	if (parse_bits(s, n, out))
		return 0;
	if (n == 0 || n > 400 || isspace((unsigned char)s[0]))
		return -1;
	char buf[401];
	memcpy(buf, s, n);
	buf[n] = '\0';
	char *end;
	errno = 0;
	*out = strtod(buf, &end);
	return *end == '\0' ? 0 : -1;
}

static void put_double(struct text *out, const char *fmt, double d)
{
	char buf[64];
	snprintf(buf, sizeof buf, fmt, d);
	text_puts(out, buf);
}

static int canon_float(const char *s, size_t n, struct text *out)
{
	double d;
	if (parse_double(s, n, &d) < 0)
		return -1;
	if (isnan(d))
		text_puts(out, "\\N");
	else
		put_double(out, "%.17g", d == 0 ? 0.0 : d);
	return 0;
}

/* A decimal number split into its significant digits and the power of ten of the last one. */
struct decimal {
	int neg;
	char digits[1024];
	size_t ndigits;
	long exp10;
};

static int parse_decimal(const char *s, size_t n, struct decimal *d)
{
	size_t i = 0, seen = 0;
	long frac = 0;
	memset(d, 0, sizeof *d);
	if (i < n && (s[i] == '-' || s[i] == '+'))
		d->neg = s[i++] == '-';
	for (int in_frac = 0; i < n; i++) {
		if (s[i] == '.' && !in_frac) {
			in_frac = 1;
			continue;
		}
		if (!isdigit((unsigned char)s[i]))
			break;
		seen++;
		frac += in_frac;
		if (d->ndigits == 0 && s[i] == '0')
			continue; /* leading zero */
		if (d->ndigits >= sizeof d->digits)
			return -1;
		d->digits[d->ndigits++] = s[i];
	}
	if (seen == 0)
		return -1;
	d->exp10 = -frac;
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		int eneg = 0;
		if (i < n && (s[i] == '-' || s[i] == '+'))
			eneg = s[i++] == '-';
		if (!all_digits(s + i, n - i) || n - i > 6)
			return -1;
		long e = strtol(s + i, NULL, 10);
		d->exp10 += eneg ? -e : e;
		i = n;
	}
	if (i != n)
		return -1;
	while (d->ndigits > 0 && d->digits[d->ndigits - 1] == '0') {
		d->ndigits--;
		d->exp10++;
	}
	return 0;
}

static int canon_exact(const char *s, size_t n, struct text *out)
{
	double bits;
	if (parse_bits(s, n, &bits)) {
		put_double(out, "%.15g", bits == 0 ? 0.0 : bits);
		return 0;
	}
	struct decimal d;
	if (parse_decimal(s, n, &d) < 0)
		return -1;
	if (d.ndigits == 0) {
		text_puts(out, "0");
		return 0;
	}
	long top = d.exp10 + (long)d.ndigits;
	if (d.ndigits <= 15 && top < EXACT_EXP_LIMIT && top > -EXACT_EXP_LIMIT) {
		char buf[1100];
		snprintf(buf, sizeof buf, "%s%.*se%ld", d.neg ? "-" : "", (int)d.ndigits, d.digits, d.exp10);
		put_double(out, "%.15g", strtod(buf, NULL));
		return 0;
	}
	char buf[64];
	if (d.neg)
		text_puts(out, "-");
	text_put(out, d.digits, d.ndigits);
	snprintf(buf, sizeof buf, "e%ld", d.exp10);
	text_puts(out, buf);
	return 0;
}

static int canon_hex(const char *s, size_t n, struct text *out)
{
	if (n % 2 != 0)
		return -1;
	size_t start = out->len;
	text_put(out, s, n);
	for (size_t i = start; i < out->len; i++) {
		if (!isxdigit((unsigned char)out->s[i]))
			return -1;
		out->s[i] = (char)toupper((unsigned char)out->s[i]);
	}
	return 0;
}

static const char *class_name(char c)
{
	switch (c) {
	case 'i':
		return "an integer";
	case 'x':
		return "an exact number";
	case 'f':
		return "a float";
	case 'v':
		return "a field";
	default:
		return "hex digits";
	}
}

/* Appends the canonical form of one field; -1 when it does not fit its class. */
static int canon_field(char cls, const char *s, size_t n, struct text *out)
{
	if (n == 2 && s[0] == '\\' && s[1] == 'N') {
		text_puts(out, "\\N");
		return 0;
	}
	switch (cls) {
	case 'i':
		return canon_integer(s, n, out);
	case 'x':
		return canon_exact(s, n, out);
	case 'f':
		return canon_float(s, n, out);
	case 'v':
		text_put(out, s, n);
		return 0;
	default:
		return canon_hex(s, n, out);
	}
}

static void hex_digest(const char *s, size_t n, char out[33])
{
	struct sha256_state st;
	unsigned char md[SHA256_STATE_DIGEST_LEN];
	sha256_state_init(&st);
	sha256_state_update(&st, s, n);
	sha256_state_final(&st, md);
	for (int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static int by_string(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void rows_add(struct rows *r, const char *s)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 256;
		r->v = xrealloc(r->v, r->cap * sizeof *r->v);
	}
	r->v[r->n] = strdup(s);
	if (!r->v[r->n]) {
		fprintf(stderr, "rowsum: out of memory\n");
		exit(2);
	}
	r->n++;
}

/* Makes line `lineno` canonical into `row`; returns the number of fields that did not fit. */
static int canon_row(const char *classes, size_t ncls, char *line, size_t len, long lineno, struct text *row)
{
	int bad = 0;
	size_t col = 0, start = 0;
	row->len = 0;
	text_puts(row, "");
	for (size_t i = 0; i <= len; i++) {
		if (i < len && line[i] != '\t')
			continue;
		if (col == ncls) {
			fprintf(stderr, "rowsum: line %ld: more than %zu fields\n", lineno, ncls);
			exit(2);
		}
		if (col > 0)
			text_puts(row, "\t");
		size_t mark = row->len;
		if (canon_field(classes[col], line + start, i - start, row) < 0) {
			int shown = (int)(i - start > 60 ? 60 : i - start);
			fprintf(stderr, "rowsum: line %ld, column %zu: '%.*s' is not %s\n", lineno, col + 1,
				shown, line + start, class_name(classes[col]));
			row->len = mark;
			text_puts(row, "?");
			text_put(row, line + start, i - start);
			bad++;
		}
		col++;
		start = i + 1;
	}
	if (col != ncls) {
		fprintf(stderr, "rowsum: line %ld: %zu fields, expected %zu\n", lineno, col, ncls);
		exit(2);
	}
	return bad;
}

static void usage(void)
{
	fprintf(stderr, "usage: rowsum [-c] CLASSES < rows.tsv\n"
			"  CLASSES: one letter per column: i integer, x exact number, f float,\n"
			"  h/t/b hex bytes, v verbatim; -c prints canonical rows instead of checksums\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int canonical = 0;
	if (argc == 3 && strcmp(argv[1], "-c") == 0) {
		canonical = 1;
		argv++, argc--;
	}
	if (argc != 2 || argv[1][0] == '\0' || strspn(argv[1], "ixfhtbv") != strlen(argv[1]))
		usage();
	const char *classes = argv[1];
	size_t ncls = strlen(classes);

	struct rows rows = {0};
	struct text row = {0};
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	long lineno = 0;
	int bad = 0;
	while ((got = getline(&line, &cap, stdin)) >= 0) {
		lineno++;
		size_t len = (size_t)got;
		if (len > 0 && line[len - 1] == '\n')
			len--;
		bad += canon_row(classes, ncls, line, len, lineno, &row);
		if (canonical) {
			rows_add(&rows, row.s);
		} else {
			char digest[33];
			hex_digest(row.s, row.len, digest);
			rows_add(&rows, digest);
		}
	}
	qsort(rows.v, rows.n, sizeof *rows.v, by_string);
	for (size_t i = 0; i < rows.n; i++) {
		puts(rows.v[i]);
		free(rows.v[i]);
	}
	free(rows.v);
	free(row.s);
	free(line);
	if (fflush(stdout) != 0 || ferror(stdin)) {
		fprintf(stderr, "rowsum: I/O error\n");
		return 2;
	}
	return bad ? 1 : 0;
}
