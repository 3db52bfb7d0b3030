/* test_value.c — unit tests for typed values from text and UTF-8 validation (core/value.h).
 *
 * Inputs are parsed from exact-size heap copies (no NUL after them) so ASan catches any read
 * past len, and so a parser that relies on a terminating NUL fails. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/value.h"

/* An exact-size heap copy of `len` bytes of `s`; free() it. */
static char *copy(const char *s, size_t len)
{
	char *p = malloc(len ? len : 1);
	assert_non_null(p);
	memcpy(p, s, len);
	return p;
}

static int parse_int(const char *s, int64_t *out)
{
	char *p = copy(s, strlen(s));
	int r = value_parse_int64(p, strlen(s), out);
	free(p);
	return r;
}

static int parse_real(const char *s, double *out)
{
	char *p = copy(s, strlen(s));
	int r = value_parse_real(p, strlen(s), out);
	free(p);
	return r;
}

static enum value_type classify(const char *s)
{
	char *p = copy(s, strlen(s));
	enum value_type t = value_classify(p, strlen(s));
	free(p);
	return t;
}

static size_t bad_at(const char *s, size_t len)
{
	char *p = copy(s, len);
	size_t r = utf8_invalid_offset(p, len);
	free(p);
	return r;
}

/* utf8_invalid_offset over a string literal, embedded NULs included. */
#define BAD_AT(lit) bad_at((lit), sizeof(lit) - 1)

static void assert_int_parses(const char *s, int64_t want)
{
	int64_t v = 12345;
	if (parse_int(s, &v) != 0)
		fail_msg("\"%s\" did not parse as an integer", s);
	if (v != want)
		fail_msg("\"%s\" parsed as %lld, expected %lld", s, (long long)v, (long long)want);
}

static void assert_int_rejected(const char *s)
{
	int64_t v;
	if (parse_int(s, &v) != -1)
		fail_msg("\"%s\" was accepted as an integer (%lld)", s, (long long)v);
}

static void assert_real_parses(const char *s, double want)
{
	double v = 12345;
	if (parse_real(s, &v) != 0)
		fail_msg("\"%s\" did not parse as a real", s);
	if (v != want)
		fail_msg("\"%s\" parsed as %.17g, expected %.17g", s, v, want);
}

static void assert_real_rejected(const char *s)
{
	double v;
	if (parse_real(s, &v) != -1)
		fail_msg("\"%s\" was accepted as a real (%.17g)", s, v);
}

static const char *type_name(enum value_type t)
{
	return t == VALUE_INTEGER ? "INTEGER" : t == VALUE_REAL ? "REAL" : t == VALUE_TEXT ? "TEXT" : "?";
}

static void assert_classified(const char *s, enum value_type want)
{
	enum value_type got = classify(s);
	if (got != want)
		fail_msg("\"%s\" classified as %s, expected %s", s, type_name(got), type_name(want));
}

/* ---- value_parse_int64 ---- */

static void test_int64_max_and_min_parse_exactly(void **state)
{
	assert_int_parses("9223372036854775807", INT64_MAX);
	assert_int_parses("-9223372036854775808", INT64_MIN);
	assert_int_parses("+9223372036854775807", INT64_MAX);
}

static void test_int64_one_past_max_or_min_overflows(void **state)
{
	assert_int_rejected("9223372036854775808");
	assert_int_rejected("-9223372036854775809");
	assert_int_rejected("+9223372036854775808");
	assert_int_rejected("18446744073709551615");
	assert_int_rejected("18446744073709551616");
	assert_int_rejected("99999999999999999999999999999");
}

static void test_int64_accepts_signs_and_plain_digits(void **state)
{
	assert_int_parses("0", 0);
	assert_int_parses("5", 5);
	assert_int_parses("+5", 5);
	assert_int_parses("-5", -5);
	assert_int_parses("-0", 0);
	assert_int_parses("1234567890", 1234567890);
}

static void test_int64_accepts_leading_zeros(void **state)
{
	assert_int_parses("007", 7);
	assert_int_parses("-007", -7);
	assert_int_parses("0000", 0);
	/* More digits than fit in int64, but the value does. */
	assert_int_parses("000000000000000000000000009223372036854775807", INT64_MAX);
	assert_int_parses("-00000000000000000000000009223372036854775808", INT64_MIN);
}

static void test_int64_rejects_empty_signs_and_non_digits(void **state)
{
	assert_int_rejected("");
	assert_int_rejected("-");
	assert_int_rejected("+");
	assert_int_rejected("1a");
	assert_int_rejected("a1");
	assert_int_rejected(" 1");
	assert_int_rejected("1 ");
	assert_int_rejected("--1");
	assert_int_rejected("+-1");
	assert_int_rejected("1.0");
	assert_int_rejected("1e3");
	assert_int_rejected("0x10");
	assert_int_rejected("1,000");
}

static void test_int64_reads_only_len_bytes(void **state)
{
	int64_t v = 0;
	assert_int_equal(value_parse_int64("12345", 3, &v), 0);
	assert_int_equal(v, 123);
	/* A non-digit just past len is not looked at. */
	assert_int_equal(value_parse_int64("42x", 2, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(value_parse_int64("7", 0, &v), -1);
}

/* ---- value_parse_real ---- */

static void test_real_parses_decimal_forms(void **state)
{
	assert_real_parses("0", 0.0);
	assert_real_parses("123", 123.0);
	assert_real_parses("-1.5", -1.5);
	assert_real_parses("+2.25", 2.25);
	assert_real_parses(".5", 0.5);
	assert_real_parses("-.5", -0.5);
	assert_real_parses("5.", 5.0);
	assert_real_parses("007.5", 7.5);
}

static void test_real_parses_exponents(void **state)
{
	assert_real_parses("1e3", 1000.0);
	assert_real_parses("1E3", 1000.0);
	assert_real_parses("1e+3", 1000.0);
	assert_real_parses("25e-2", 0.25);
	assert_real_parses("6.02e23", 6.02e23);
	assert_real_parses(".5e1", 5.0);
}

static void test_real_rejects_incomplete_exponent(void **state)
{
	assert_real_rejected("1e");
	assert_real_rejected("1e+");
	assert_real_rejected("1e-");
	assert_real_rejected("e3");
	assert_real_rejected("1e3.5");
	assert_real_rejected("1e3e3");
}

static void test_real_rejects_what_strtod_alone_would_take(void **state)
{
	assert_real_rejected("inf");
	assert_real_rejected("-inf");
	assert_real_rejected("infinity");
	assert_real_rejected("nan");
	assert_real_rejected("NaN");
	assert_real_rejected("0x10");
	assert_real_rejected("0x1p3");
	assert_real_rejected(" 1");
	assert_real_rejected("1 ");
	assert_real_rejected("\t1");
}

static void test_real_rejects_non_numbers(void **state)
{
	assert_real_rejected("");
	assert_real_rejected("-");
	assert_real_rejected("+");
	assert_real_rejected(".");
	assert_real_rejected("-.");
	assert_real_rejected("1.2.3");
	assert_real_rejected("1,5");
	assert_real_rejected("abc");
	assert_real_rejected("1a");
}

static void test_real_rejects_values_that_overflow_to_infinity(void **state)
{
	assert_real_rejected("1e309");
	assert_real_rejected("-1e400");
}

static void test_real_reads_only_len_bytes(void **state)
{
	double v = 0;
	assert_int_equal(value_parse_real("1.5e3", 3, &v), 0);
	assert_true(v == 1.5);
	assert_int_equal(value_parse_real("2.5x", 3, &v), 0);
	assert_true(v == 2.5);
}

/* A decimal number is still a number when written with many digits (a full-precision export
 * such as "0.1000000000000000055511151231257827021181583404541015625" or a long fraction). */
static void test_real_parses_numbers_longer_than_63_bytes(void **state)
{
	const char *pi = "3.14159265358979323846264338327950288419716939937510582097494459230781640628";
	assert_true(strlen(pi) > 63);
	assert_real_parses(pi, 3.14159265358979323846);
	char zeros[120];
	memset(zeros, '0', 100);
	memcpy(zeros + 100, "1.25", 5);
	assert_real_parses(zeros, 1.25);
}

/* ---- value_classify ---- */

static void test_classify_canonical_integers_as_integer(void **state)
{
	assert_classified("0", VALUE_INTEGER);
	assert_classified("7", VALUE_INTEGER);
	assert_classified("-12", VALUE_INTEGER);
	assert_classified("10", VALUE_INTEGER);
	assert_classified("9223372036854775807", VALUE_INTEGER);
	assert_classified("-9223372036854775808", VALUE_INTEGER);
}

/* These would not print back as written if stored as integers: "007" → 7, "+1" → 1, "-0" → 0.
 * They are not REAL either (that would print 7.0), so they stay text, as zip codes must. */
static void test_classify_non_canonical_integers_as_text(void **state)
{
	assert_classified("007", VALUE_TEXT);
	assert_classified("00", VALUE_TEXT);
	assert_classified("-007", VALUE_TEXT);
	assert_classified("+1", VALUE_TEXT);
	assert_classified("+0", VALUE_TEXT);
	assert_classified("-0", VALUE_TEXT);
}

static void test_classify_other_numbers_as_real(void **state)
{
	assert_classified("1.5", VALUE_REAL);
	assert_classified("-0.25", VALUE_REAL);
	assert_classified(".5", VALUE_REAL);
	assert_classified("1e3", VALUE_REAL);
	assert_classified("6.02E23", VALUE_REAL);
}

static void test_classify_non_numbers_as_text(void **state)
{
	assert_classified("abc", VALUE_TEXT);
	assert_classified("1a", VALUE_TEXT);
	assert_classified(" 1", VALUE_TEXT);
	assert_classified("1 ", VALUE_TEXT);
	assert_classified("-", VALUE_TEXT);
	assert_classified("1e", VALUE_TEXT);
	assert_classified("inf", VALUE_TEXT);
	assert_classified("nan", VALUE_TEXT);
	assert_classified("0x10", VALUE_TEXT);
	assert_classified("1,5", VALUE_TEXT);
}

/* ---- utf8_invalid_offset ---- */

static void test_utf8_empty_and_ascii_are_valid(void **state)
{
	assert_int_equal(utf8_invalid_offset("", 0), 0);
	assert_int_equal(BAD_AT("a"), 1);
	assert_int_equal(BAD_AT("hello, world"), 12);
	assert_int_equal(BAD_AT("a\0b\x7f"), 4);
}

static void test_utf8_valid_multibyte_sequences_are_accepted(void **state)
{
	assert_int_equal(BAD_AT("caf\xC3\xA9"), 5);	 /* é, 2 bytes */
	assert_int_equal(BAD_AT("\xC2\x80"), 2);	 /* U+0080, lowest 2-byte */
	assert_int_equal(BAD_AT("\xDF\xBF"), 2);	 /* U+07FF */
	assert_int_equal(BAD_AT("\xE0\xA0\x80"), 3);	 /* U+0800, lowest 3-byte */
	assert_int_equal(BAD_AT("\xE2\x82\xAC"), 3);	 /* € */
	assert_int_equal(BAD_AT("\xED\x9F\xBF"), 3);	 /* U+D7FF, just below surrogates */
	assert_int_equal(BAD_AT("\xEE\x80\x80"), 3);	 /* U+E000, just above them */
	assert_int_equal(BAD_AT("\xEF\xBF\xBF"), 3);	 /* U+FFFF */
	assert_int_equal(BAD_AT("\xF0\x90\x80\x80"), 4); /* U+10000, lowest 4-byte */
	assert_int_equal(BAD_AT("\xF0\x9F\x98\x80"), 4); /* 😀 */
	assert_int_equal(BAD_AT("\xF4\x8F\xBF\xBF"), 4); /* U+10FFFF, the highest */
	assert_int_equal(BAD_AT("Z\xC3\xBCrich \xE2\x82\xAC\xF0\x9F\x98\x80!"), 16);
}

static void test_utf8_overlong_encodings_are_invalid_at_lead_byte(void **state)
{
	assert_int_equal(BAD_AT("\xC0\x80"), 0);
	assert_int_equal(BAD_AT("\xC1\xBF"), 0);
	assert_int_equal(BAD_AT("\xE0\x80\x80"), 0);
	assert_int_equal(BAD_AT("\xE0\x9F\xBF"), 0);
	assert_int_equal(BAD_AT("\xF0\x80\x80\x80"), 0);
	assert_int_equal(BAD_AT("\xF0\x8F\xBF\xBF"), 0);
	assert_int_equal(BAD_AT("ab\xC0\x80"), 2);
}

static void test_utf8_surrogates_are_invalid(void **state)
{
	assert_int_equal(BAD_AT("\xED\xA0\x80"), 0); /* U+D800 */
	assert_int_equal(BAD_AT("\xED\xBF\xBF"), 0); /* U+DFFF */
	assert_int_equal(BAD_AT("x\xED\xB0\x80y"), 1);
}

static void test_utf8_above_max_code_point_is_invalid(void **state)
{
	assert_int_equal(BAD_AT("\xF4\x90\x80\x80"), 0); /* U+110000 */
	assert_int_equal(BAD_AT("\xF5\x80\x80\x80"), 0);
	assert_int_equal(BAD_AT("\xF7\xBF\xBF\xBF"), 0);
	assert_int_equal(BAD_AT("\xF8\x88\x80\x80\x80"), 0);
	assert_int_equal(BAD_AT("\xFE"), 0);
	assert_int_equal(BAD_AT("\xFF"), 0);
}

static void test_utf8_stray_continuation_byte_is_invalid(void **state)
{
	assert_int_equal(BAD_AT("\x80"), 0);
	assert_int_equal(BAD_AT("ab\xBF"), 2);
	assert_int_equal(BAD_AT("\xC3\xA9\xA9"), 2); /* one continuation too many */
}

static void test_utf8_bad_continuation_is_invalid_at_lead_byte(void **state)
{
	assert_int_equal(BAD_AT("\xC3("), 0);
	assert_int_equal(BAD_AT("\xE2(\xA1"), 0);
	assert_int_equal(BAD_AT("\xE2\x82("), 0);
	assert_int_equal(BAD_AT("\xF0\x9F\x98("), 0);
	assert_int_equal(BAD_AT("\xF0\x9F(\x80"), 0);
	assert_int_equal(BAD_AT("ok\xE2\x82\xC3\xA9"), 2);
}

static void test_utf8_sequence_truncated_at_end_is_invalid_at_lead_byte(void **state)
{
	assert_int_equal(BAD_AT("ab\xC3"), 2);
	assert_int_equal(BAD_AT("ab\xE2\x82"), 2);
	assert_int_equal(BAD_AT("ab\xE2"), 2);
	assert_int_equal(BAD_AT("ab\xF0\x9F\x98"), 2);
	assert_int_equal(BAD_AT("ab\xF0"), 2);
	/* Cut short by len, not by the bytes in memory. */
	assert_int_equal(bad_at("\xE2\x82\xAC", 2), 0);
	assert_int_equal(bad_at("x\xF0\x9F\x98\x80", 4), 1);
}

static void test_utf8_invalid_in_the_middle_gives_its_exact_offset(void **state)
{
	/* a b c é(2) d e f 0xFF g h i */
	assert_int_equal(BAD_AT("abc\xC3\xA9"
				"def\xFFghi"),
			 8);
	/* A valid 4-byte sequence, then a surrogate. */
	assert_int_equal(BAD_AT("\xF0\x9F\x98\x80-\xED\xA0\x80"), 5);
}

/* The bad byte at every position of a run long enough to go through the eight-byte ASCII fast
 * path, both with ASCII after it and as the very last byte. */
static void test_utf8_bad_byte_at_each_position_of_ascii_run(void **state)
{
	char s[32];
	for (size_t at = 0; at <= 20; at++) {
		memset(s, 'a', sizeof s);
		s[at] = (char)0xFF;
		size_t got = bad_at(s, sizeof s);
		if (got != at)
			fail_msg("0xFF at %zu in %zu bytes: reported at %zu", at, sizeof s, got);
		got = bad_at(s, at + 1);
		if (got != at)
			fail_msg("0xFF as last byte at %zu: reported at %zu", at, got);
		s[at] = (char)0x80;
		got = bad_at(s, sizeof s);
		if (got != at)
			fail_msg("0x80 at %zu: reported at %zu", at, got);
	}
}

/* A valid multi-byte character at every alignment relative to the eight-byte chunks, and a
 * truncated one at every end position. */
static void test_utf8_multibyte_at_each_alignment_of_ascii_run(void **state)
{
	static const char emoji[] = "\xF0\x9F\x98\x80";
	char s[40];
	for (size_t at = 0; at <= 20; at++) {
		memset(s, 'a', sizeof s);
		memcpy(s + at, emoji, 4);
		size_t got = bad_at(s, sizeof s);
		if (got != sizeof s)
			fail_msg("valid 4-byte char at %zu: invalid reported at %zu", at, got);
		got = bad_at(s, at + 3);
		if (got != at)
			fail_msg("4-byte char at %zu cut to 3 bytes: reported at %zu", at, got);
	}
}

static void test_utf8_long_ascii_run_is_valid(void **state)
{
	char s[1000];
	memset(s, 'x', sizeof s);
	for (size_t len = 0; len <= sizeof s; len += 37)
		assert_int_equal(bad_at(s, len), len);
	assert_int_equal(bad_at(s, sizeof s), sizeof s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_int64_max_and_min_parse_exactly),
	    cmocka_unit_test(test_int64_one_past_max_or_min_overflows),
	    cmocka_unit_test(test_int64_accepts_signs_and_plain_digits),
	    cmocka_unit_test(test_int64_accepts_leading_zeros),
	    cmocka_unit_test(test_int64_rejects_empty_signs_and_non_digits),
	    cmocka_unit_test(test_int64_reads_only_len_bytes),
	    cmocka_unit_test(test_real_parses_decimal_forms),
	    cmocka_unit_test(test_real_parses_exponents),
	    cmocka_unit_test(test_real_rejects_incomplete_exponent),
	    cmocka_unit_test(test_real_rejects_what_strtod_alone_would_take),
	    cmocka_unit_test(test_real_rejects_non_numbers),
	    cmocka_unit_test(test_real_rejects_values_that_overflow_to_infinity),
	    cmocka_unit_test(test_real_reads_only_len_bytes),
	    cmocka_unit_test(test_real_parses_numbers_longer_than_63_bytes),
	    cmocka_unit_test(test_classify_canonical_integers_as_integer),
	    cmocka_unit_test(test_classify_non_canonical_integers_as_text),
	    cmocka_unit_test(test_classify_other_numbers_as_real),
	    cmocka_unit_test(test_classify_non_numbers_as_text),
	    cmocka_unit_test(test_utf8_empty_and_ascii_are_valid),
	    cmocka_unit_test(test_utf8_valid_multibyte_sequences_are_accepted),
	    cmocka_unit_test(test_utf8_overlong_encodings_are_invalid_at_lead_byte),
	    cmocka_unit_test(test_utf8_surrogates_are_invalid),
	    cmocka_unit_test(test_utf8_above_max_code_point_is_invalid),
	    cmocka_unit_test(test_utf8_stray_continuation_byte_is_invalid),
	    cmocka_unit_test(test_utf8_bad_continuation_is_invalid_at_lead_byte),
	    cmocka_unit_test(test_utf8_sequence_truncated_at_end_is_invalid_at_lead_byte),
	    cmocka_unit_test(test_utf8_invalid_in_the_middle_gives_its_exact_offset),
	    cmocka_unit_test(test_utf8_bad_byte_at_each_position_of_ascii_run),
	    cmocka_unit_test(test_utf8_multibyte_at_each_alignment_of_ascii_run),
	    cmocka_unit_test(test_utf8_long_ascii_run_is_valid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
