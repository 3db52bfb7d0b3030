/* json.c — compact JSON writer (see json.h).
 *
 * Strings are escaped in one pass: bytes that need no change (printable ASCII and well-formed
 * UTF-8 sequences) accumulate in a run that is appended with a single buf_add when an escape,
 * a replacement or the end interrupts it; plain ASCII is checked eight bytes at a time.
 * Doubles that are short decimals (the usual case for data that was once text) are found with
 * exact floating-point arithmetic; the others go through snprintf and strtod, which use the same
 * (per-thread) locale, and the locale's decimal point is then rewritten to '.'. */
#include "formats/json.h"

#include <assert.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Bits of json_writer.level[]. */
#define JSON_LEVEL_OBJECT    1 /* an object (else an array, or the top level at [0]) */
#define JSON_LEVEL_HAS_ITEMS 2 /* a member or element was started: the next one needs a comma */
#define JSON_LEVEL_AFTER_KEY 4 /* in an object, a key was written and its value is due */

/* 1 for the bytes json_escape_append handles one by one: controls, '"', '\\', DEL, non-ASCII. */
static const unsigned char json_special[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x00 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x10 */
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x20: '"' */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x30 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x40 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, /* 0x50: '\\' */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x60 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, /* 0x70: DEL */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x80 and up: UTF-8 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0x90 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0xa0 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0xb0 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0xc0 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0xd0 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0xe0 */
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, /* 0xf0 */
};

/* Looks at the UTF-8 sequence that starts at p[0] (a byte >= 0x80) with `avail` bytes left.
 * Returns its length and sets *valid when it is well formed (Unicode table 3-7: no overlongs,
 * no surrogates, nothing above U+10FFFF); otherwise returns the length of the maximal subpart,
 * the longest prefix that could still have begun a well-formed sequence (at least 1), which is
 * what one U+FFFD replaces. */
static size_t json_utf8_sequence(const unsigned char *p, size_t avail, int *valid)
{
	unsigned char c = p[0];
	unsigned char lo = 0x80, hi = 0xbf; /* the range allowed for the second byte */
	size_t need;
	if (c >= 0xc2 && c <= 0xdf) {
		need = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 3;
		if (c == 0xe0)
			lo = 0xa0; /* below is overlong */
		else if (c == 0xed)
			hi = 0x9f; /* above is a surrogate */
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 4;
		if (c == 0xf0)
			lo = 0x90; /* below is overlong */
		else if (c == 0xf4)
			hi = 0x8f; /* above is past U+10FFFF */
	} else {
		*valid = 0; /* continuation byte, C0, C1 or F5..FF: never a lead */
		return 1;
	}
	if (avail < 2 || p[1] < lo || p[1] > hi) {
		*valid = 0;
		return 1;
	}
	for (size_t k = 2; k < need; k++) {
		if (k >= avail || (p[k] & 0xc0) != 0x80) {
			*valid = 0;
			return k;
		}
	}
	*valid = 1;
	return need;
}

/* Whether any of the 8 bytes in `x` is special (see json_special), tested all at once: a byte
 * below 0x20 borrows in x - 0x20.., a '"' or '\\' becomes a zero byte after the xor, and a byte
 * of 0x7f or more has its top bit set in x or x + 1. Carries and borrows only start at a byte that
 * is special itself, so the answer is exact. */
static int json_word_special(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
	uint64_t quote = x ^ (ones * '"'), backslash = x ^ (ones * '\\');
	uint64_t control = (x - ones * 0x20) & ~x;
	return ((control | ((quote - ones) & ~quote) | ((backslash - ones) & ~backslash) | (x + ones) | x) &
		high) != 0;
}

void json_escape_append(struct buf *out, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	size_t run = 0; /* start of the bytes not yet appended */
	size_t i = 0;
	/* The common case, nothing to escape, then needs no further growth. */
	buf_grow(out, len);
	while (i < len) {
		/* Skip plain ASCII eight bytes at a time (not worth trying in the middle of non-ASCII
		 * text), then byte by byte up to the next special one. */
		uint64_t word;
		if (p[i] < 0x80)
			while (len - i >= 8 && (memcpy(&word, p + i, 8), !json_word_special(word)))
				i += 8;
		while (i < len && !json_special[p[i]])
			i++;
		if (i == len)
			break;
		unsigned char c = p[i];
		size_t n = 1;
		if (c >= 0x80) {
			int valid;
			n = json_utf8_sequence(p + i, len - i, &valid);
			if (valid) {
				i += n;
				continue;
			}
		}
		if (i > run)
			buf_add(out, p + run, i - run);
		char esc[6] = {'\\', 0, 0, 0, 0, 0};
		size_t esc_len = 2;
		switch (c) {
		case '"':
			esc[1] = '"';
			break;
		case '\\':
			esc[1] = '\\';
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			if (c >= 0x80) {
				/* U+FFFD REPLACEMENT CHARACTER for the invalid subpart. */
				esc[0] = (char)0xef;
				esc[1] = (char)0xbf;
				esc[2] = (char)0xbd;
				esc_len = 3;
			} else {
				esc[1] = 'u';
				esc[2] = '0';
				esc[3] = '0';
				esc[4] = hex[c >> 4];
				esc[5] = hex[c & 15];
				esc_len = 6;
			}
			break;
		}
		buf_add(out, esc, esc_len);
		i += n;
		run = i;
	}
	if (i > run)
		buf_add(out, p + run, i - run);
}

void json_writer_init(struct json_writer *w, struct buf *out)
{
	w->out = out;
	w->depth = 0;
	memset(w->level, 0, sizeof w->level);
}

int json_writer_done(const struct json_writer *w)
{
	return w->depth == 0 && (w->level[0] & JSON_LEVEL_HAS_ITEMS);
}

/* Takes the place of a value: after a key, as the next array element (with its comma), or as
 * the single top-level value. */
static void json_before_value(struct json_writer *w)
{
	unsigned char *level = &w->level[w->depth];
	if (*level & JSON_LEVEL_OBJECT) {
		assert((*level & JSON_LEVEL_AFTER_KEY) && "json: a value in an object needs a key first");
		*level &= (unsigned char)~JSON_LEVEL_AFTER_KEY;
		return;
	}
	if (*level & JSON_LEVEL_HAS_ITEMS) {
		assert(w->depth > 0 && "json: a second value at the top level");
		buf_addc(w->out, ',');
	}
	*level |= JSON_LEVEL_HAS_ITEMS;
}

static void json_open(struct json_writer *w, unsigned char kind, char bracket)
{
	json_before_value(w);
	assert(w->depth < JSON_MAX_DEPTH && "json: nesting deeper than JSON_MAX_DEPTH");
	w->depth++;
	w->level[w->depth] = kind;
	buf_addc(w->out, bracket);
}

static void json_close(struct json_writer *w, unsigned char kind, char bracket)
{
	assert(w->depth > 0 && "json: an end without a begin");
	unsigned char level = w->level[w->depth];
	assert((level & JSON_LEVEL_OBJECT) == kind && "json: the end does not match the begin");
	assert(!(level & JSON_LEVEL_AFTER_KEY) && "json: an object ends after a key without a value");
	(void)level;
	(void)kind;
	w->depth--;
	buf_addc(w->out, bracket);
}

void json_object_begin(struct json_writer *w)
{
	json_open(w, JSON_LEVEL_OBJECT, '{');
}

void json_object_end(struct json_writer *w)
{
	json_close(w, JSON_LEVEL_OBJECT, '}');
}

void json_array_begin(struct json_writer *w)
{
	json_open(w, 0, '[');
}

void json_array_end(struct json_writer *w)
{
	json_close(w, 0, ']');
}

void json_key(struct json_writer *w, const char *key)
{
	unsigned char *level = &w->level[w->depth];
	assert(w->depth > 0 && (*level & JSON_LEVEL_OBJECT) && "json: a key outside an object");
	assert(!(*level & JSON_LEVEL_AFTER_KEY) && "json: two keys in a row");
	assert(key);
	if (*level & JSON_LEVEL_HAS_ITEMS)
		buf_addc(w->out, ',');
	*level |= JSON_LEVEL_HAS_ITEMS | JSON_LEVEL_AFTER_KEY;
	buf_addc(w->out, '"');
	json_escape_append(w->out, key, strlen(key));
	buf_add(w->out, "\":", 2);
}

void json_str_n(struct json_writer *w, const char *s, size_t len)
{
	json_before_value(w);
	buf_grow(w->out, len + 2);
	buf_addc(w->out, '"');
	json_escape_append(w->out, s, len);
	buf_addc(w->out, '"');
}

void json_str(struct json_writer *w, const char *s)
{
	assert(s);
	json_str_n(w, s, strlen(s));
}

/* Writes the decimal digits of v so that they end just before `end`; returns where they start. */
static char *json_format_digits(char *end, uint64_t v)
{
	do {
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

void json_uint64(struct json_writer *w, uint64_t v)
{
	char text[24];
	char *end = text + sizeof text;
	char *start = json_format_digits(end, v);
	json_before_value(w);
	buf_add(w->out, start, (size_t)(end - start));
}

void json_int64(struct json_writer *w, int64_t v)
{
	char text[24];
	char *end = text + sizeof text;
	/* Negating in unsigned arithmetic is defined for INT64_MIN too. */
	char *start = json_format_digits(end, v < 0 ? 0 - (uint64_t)v : (uint64_t)v);
	if (v < 0)
		*--start = '-';
	json_before_value(w);
	buf_add(w->out, start, (size_t)(end - start));
}

/* Powers of ten that doubles hold exactly. */
static const double json_pow10[] = {1e0,  1e1,	1e2,  1e3,  1e4,  1e5,	1e6,  1e7,  1e8, 1e9,
				    1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18};

/* The text of a decimal-like |v| (most numbers that were once text are) without snprintf, into
 * out (at least 32 bytes); returns its length, or 0 when v is not such a value. It looks for
 * r / 10^d equal to |v| with r < 10^15, fewest decimals first. r and 10^d are exact doubles, so
 * their quotient is correctly rounded (Clinger's fast path) and equality proves that strtod reads
 * the decimal back as v. A decimal of at most 15 digits that reads back is the only one (DBL_DIG
 * is 15) and so is what %.15g prints; from 1e-4 up %.15g prints it without an exponent, too. */
static size_t json_format_short_decimal(double v, char *out)
{
	double a = fabs(v);
	if (!(a >= 1e-4 && a < 1e15))
		return 0;
	for (size_t d = 0; d < sizeof json_pow10 / sizeof *json_pow10; d++) {
		double m = a * json_pow10[d];
		if (m >= 1e15)
			return 0; /* 16 or more digits: leave it to the general path */
		uint64_t r = (uint64_t)(m + 0.5);
		if ((double)r / json_pow10[d] != a)
			continue;
		char digits[24];
		char *end = digits + sizeof digits;
		char *start = json_format_digits(end, r);
		size_t len = (size_t)(end - start), n = 0;
		if (signbit(v))
			out[n++] = '-';
		if (d == 0) {
			memcpy(out + n, start, len);
			n += len;
			out[n++] = '.';
			out[n++] = '0';
		} else if (len <= d) {
			out[n++] = '0';
			out[n++] = '.';
			memset(out + n, '0', d - len);
			n += d - len;
			memcpy(out + n, start, len);
			n += len;
		} else {
			memcpy(out + n, start, len - d);
			n += len - d;
			out[n++] = '.';
			memcpy(out + n, start + len - d, d);
			n += d;
		}
		out[n] = '\0';
		return n;
	}
	return 0;
}

/* The text of any finite double through snprintf and strtod, into out (at least 32 bytes);
 * returns its length. */
static size_t json_format_double_general(double v, char *out)
{
	/* A double is at most 17 significant digits; a locale's decimal point may be several bytes. */
	char text[64];
	for (int prec = fabs(v) < DBL_MIN ? 1 : 15; prec <= 17; prec++) {
		snprintf(text, sizeof text, "%.*g", prec, v);
		if (prec == 17 || strtod(text, NULL) == v)
			break;
	}
	/* Copy the number, '.' for the locale's decimal point, the exponent without '+' and
	 * leading zeros. %g writes only '-', digits, the decimal point and "e±dd". */
	size_t n = 0;
	int fraction_or_exponent = 0;
	for (const char *p = text; *p;) {
		char c = *p;
		if (c == '-' || (c >= '0' && c <= '9')) {
			out[n++] = c;
			p++;
		} else if (c == 'e') {
			out[n++] = 'e';
			p++;
			if (*p == '-')
				out[n++] = *p;
			if (*p == '-' || *p == '+')
				p++;
			while (*p == '0')
				p++;
			fraction_or_exponent = 1;
		} else {
			out[n++] = '.';
			while (*p && *p != 'e' && !(*p >= '0' && *p <= '9'))
				p++;
			fraction_or_exponent = 1;
		}
	}
	if (!fraction_or_exponent) {
		out[n++] = '.';
		out[n++] = '0';
	}
	out[n] = '\0';
	return n;
}

/* The JSON text of a finite double into out (at least 32 bytes); returns its length. */
static size_t json_format_double(double v, char *out)
{
	if (v == 0) {
		const char *zero = signbit(v) ? "-0.0" : "0.0";
		size_t n = strlen(zero);
		memcpy(out, zero, n + 1);
		return n;
	}
	size_t n = json_format_short_decimal(v, out);
	return n ? n : json_format_double_general(v, out);
}

void json_double(struct json_writer *w, double v)
{
	if (!isfinite(v)) {
		json_null_value(w);
		return;
	}
	char text[32];
	size_t n = json_format_double(v, text);
	json_before_value(w);
	buf_add(w->out, text, n);
}

void json_bool(struct json_writer *w, int v)
{
	json_before_value(w);
	if (v)
		buf_add(w->out, "true", 4);
	else
		buf_add(w->out, "false", 5);
}

void json_null_value(struct json_writer *w)
{
	json_before_value(w);
	buf_add(w->out, "null", 4);
}

void json_raw(struct json_writer *w, const char *text, size_t len)
{
	json_before_value(w);
	buf_add(w->out, text, len);
}

void json_kv_string(struct json_writer *w, const char *key, const char *s)
{
	json_key(w, key);
	json_str(w, s);
}

void json_kv_int64(struct json_writer *w, const char *key, int64_t v)
{
	json_key(w, key);
	json_int64(w, v);
}

void json_kv_uint64(struct json_writer *w, const char *key, uint64_t v)
{
	json_key(w, key);
	json_uint64(w, v);
}

void json_kv_double(struct json_writer *w, const char *key, double v)
{
	json_key(w, key);
	json_double(w, v);
}

void json_kv_bool(struct json_writer *w, const char *key, int v)
{
	json_key(w, key);
	json_bool(w, v);
}

void json_kv_null(struct json_writer *w, const char *key)
{
	json_key(w, key);
	json_null_value(w);
}
