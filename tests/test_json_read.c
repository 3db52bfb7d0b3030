/* test_json_read.c — unit tests for the strict JSON reader (formats/json_read.h).
 *
 * Each value type, escapes and surrogate pairs, the limits, the inputs it must reject (with the
 * byte offset in the message), the int64/double split for numbers, and a round trip: random
 * documents written by formats/json.h, parsed, and written again must come out byte for byte. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "formats/json.h"
#include "formats/json_read.h"

static struct json_doc *parse_ok(const char *text)
{
	char err[160];
	struct json_doc *d = json_parse(text, strlen(text), err, sizeof err);
	if (!d)
		fail_msg("parsing %s failed: %s", text, err);
	return d;
}

/* Fails unless parsing `text` (len bytes) fails with a message containing `want`. */
static void assert_rejects_n(const char *text, size_t len, const char *want)
{
	char err[160];
	struct json_doc *d = json_parse(text, len, err, sizeof err);
	if (d) {
		json_doc_free(d);
		fail_msg("accepted %.*s", (int)len, text);
	}
	if (!strstr(err, want))
		fail_msg("for %.*s: message \"%s\" lacks \"%s\"", (int)len, text, err, want);
}

static void assert_rejects(const char *text, const char *want)
{
	assert_rejects_n(text, strlen(text), want);
}

static void test_json_read_every_type(void **state)
{
	struct json_doc *d = parse_ok(
	    " {\"n\":null,\"f\":false,\"t\":true,\"i\":-12,\"r\":2.5,\"s\":\"hi\",\"a\":[1,[]],\"o\":{}} \n");
	const struct json_value *r = json_doc_root(d);
	assert_int_equal(json_value_type(r), JSONV_OBJECT);
	assert_int_equal(r->len, 8);
	assert_int_equal(json_value_type(json_get(r, "n")), JSONV_NULL);
	assert_int_equal(json_value_type(json_get(r, "f")), JSONV_FALSE);
	assert_int_equal(json_value_type(json_get(r, "t")), JSONV_TRUE);
	int64_t i;
	double x;
	assert_int_equal(json_as_int64(json_get(r, "i"), &i), 0);
	assert_true(i == -12);
	assert_int_equal(json_as_double(json_get(r, "i"), &x), 0);
	assert_true(x == -12.0);
	assert_int_equal(json_as_int64(json_get(r, "r"), &i), -1);
	assert_int_equal(json_as_double(json_get(r, "r"), &x), 0);
	assert_true(x == 2.5);
	size_t len;
	assert_string_equal(json_as_string(json_get(r, "s"), &len), "hi");
	assert_int_equal(len, 2);
	const struct json_value *a = json_get(r, "a");
	assert_int_equal(json_array_len(a), 2);
	assert_int_equal(json_value_type(json_array_at(a, 1)), JSONV_ARRAY);
	assert_int_equal(json_array_len(json_array_at(a, 1)), 0);
	assert_null(json_array_at(a, 2));
	assert_int_equal(json_value_type(json_get(r, "o")), JSONV_OBJECT);
	assert_null(json_get(r, "missing"));
	assert_null(json_get(a, "n"));	      /* not an object */
	assert_null(json_as_string(a, NULL)); /* not a string */
	assert_int_equal(json_value_type(NULL), -1);
	json_doc_free(d);
}

static void test_json_read_scalars_at_the_top(void **state)
{
	const char *ok[] = {"null", "true", "false", "0", "-0", "\"\"", " 1 ", "[]", "{}"};
	for (size_t k = 0; k < sizeof ok / sizeof *ok; k++)
		json_doc_free(parse_ok(ok[k]));
}

static void test_json_read_escapes_decode_to_utf8(void **state)
{
	struct json_doc *d =
	    parse_ok("\"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\u00e9\\u20AC\\ud83d\\ude00\\u0000z\"");
	size_t len;
	const char *s = json_as_string(json_doc_root(d), &len);
	const char want[] = "a\"\\/\b\f\n\r\tA\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\0z";
	assert_int_equal(len, sizeof want - 1);
	assert_memory_equal(s, want, len);
	assert_int_equal(s[len], '\0');
	json_doc_free(d);
}

static void test_json_read_raw_utf8_is_kept(void **state)
{
	struct json_doc *d = parse_ok("\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"");
	assert_string_equal(json_as_string(json_doc_root(d), NULL),
			    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf");
	json_doc_free(d);
}

static void test_json_read_rejects_lone_and_misordered_surrogates(void **state)
{
	assert_rejects("\"\\ud83d\"", "offset 1: high surrogate");
	assert_rejects("\"\\ud83dx\"", "high surrogate");
	assert_rejects("\"\\ud83d\\u0041\"", "high surrogate");
	assert_rejects("\"\\ude00\\ud83d\"", "lone low surrogate");
	assert_rejects("\"\\ude00\"", "lone low surrogate");
}

static void test_json_read_rejects_invalid_utf8(void **state)
{
	const char *bad[] = {"\"\x80\"",
			     "\"\xc0\xaf\"",
			     "\"\xc1\xbf\"",
			     "\"\xe0\x80\xaf\"",
			     "\"\xed\xa0\x80\"",
			     "\"\xf0\x80\x80\xaf\"",
			     "\"\xf4\x90\x80\x80\"",
			     "\"\xf5\x80\x80\x80\"",
			     "\"\xc3\"",
			     "\"\xe2\x82\"",
			     "\"\xff\""};
	for (size_t k = 0; k < sizeof bad / sizeof *bad; k++)
		assert_rejects(bad[k], "offset 1: invalid UTF-8");
}

static void test_json_read_rejects_bad_strings(void **state)
{
	assert_rejects("\"abc", "offset 0: unterminated string");
	assert_rejects("\"abc\\\"", "unterminated string");
	assert_rejects("\"a\\x\"", "offset 2: unknown escape \\x");
	assert_rejects("\"\\u12\"", "four hex digits");
	assert_rejects("\"\\u12g4\"", "four hex digits");
	assert_rejects("\"a\tb\"", "offset 2: control character 0x09");
	assert_rejects_n("\"a\0b\"", 5, "control character 0x00");
	assert_rejects("'a'", "expected a value");
}

static void test_json_read_rejects_bad_structure(void **state)
{
	assert_rejects("", "offset 0: expected a value, found the end");
	assert_rejects("   ", "offset 3: expected a value, found the end");
	assert_rejects("[1,2", "offset 4: expected ',' or ']'");
	assert_rejects("[1,", "offset 3: expected a value, found the end");
	assert_rejects("[1 2]", "offset 3: expected ',' or ']'");
	assert_rejects("[1,]", "offset 3: expected a value");
	assert_rejects("{\"a\":1,}", "offset 7: expected a string key");
	assert_rejects("{\"a\" 1}", "offset 5: expected ':'");
	assert_rejects("{a:1}", "expected a string key");
	assert_rejects("{\"a\":1", "expected ',' or '}'");
	assert_rejects("{\"a\":1]", "expected ',' or '}'");
	assert_rejects("[1]x", "offset 3: unexpected bytes after the value");
	assert_rejects("1 2", "offset 2: unexpected bytes");
	assert_rejects("nul", "expected a value");
	assert_rejects("True", "expected a value");
	assert_rejects("truex", "offset 4: unexpected bytes");
	assert_rejects_n("[1]\0", 4, "offset 3: unexpected bytes");
}

static void test_json_read_rejects_bad_numbers(void **state)
{
	assert_rejects("01", "offset 0: leading zero");
	assert_rejects("-01", "leading zero");
	assert_rejects("+1", "expected a value");
	assert_rejects(".5", "expected a value");
	assert_rejects("-", "expected a digit");
	assert_rejects("-a", "expected a digit");
	assert_rejects("1.", "offset 2: expected a digit after '.'");
	assert_rejects("1.e5", "expected a digit after '.'");
	assert_rejects("1e", "expected a digit in the exponent");
	assert_rejects("1e+", "expected a digit in the exponent");
	assert_rejects("0x10", "unexpected bytes");
	assert_rejects("NaN", "expected a value");
	assert_rejects("Infinity", "expected a value");
	assert_rejects("-Infinity", "expected a digit");
}

static void check_int(const char *text, int64_t want)
{
	struct json_doc *d = parse_ok(text);
	int64_t got;
	if (json_as_int64(json_doc_root(d), &got) < 0 || got != want)
		fail_msg("%s did not read as the integer %lld", text, (long long)want);
	json_doc_free(d);
}

static void check_real(const char *text, double want)
{
	struct json_doc *d = parse_ok(text);
	const struct json_value *v = json_doc_root(d);
	double got;
	if (json_value_type(v) != JSONV_REAL || json_as_double(v, &got) < 0 ||
	    memcmp(&got, &want, sizeof got) != 0)
		fail_msg("%s did not read as the real %.17g", text, want);
	json_doc_free(d);
}

static void test_json_read_numbers_int64_or_double(void **state)
{
	check_int("0", 0);
	check_int("-0", 0);
	check_int("42", 42);
	check_int("9223372036854775807", INT64_MAX);
	check_int("-9223372036854775808", INT64_MIN);
	check_real("9223372036854775808", 9223372036854775808.0);
	check_real("-9223372036854775809", -9223372036854775809.0);
	check_real("18446744073709551616", 18446744073709551616.0);
	check_real("100000000000000000000000000000000000000000000000000000000000000000000000000000000000",
		   1e83);
	check_real("1.0", 1.0);
	check_real("-0.0", -0.0);
	check_real("1e2", 100.0);
	check_real("1E+2", 100.0);
	check_real("25e-1", 2.5);
	check_real("0.1", 0.1);
	check_real("1e300", 1e300);
	check_real("5e-324", 5e-324);
	check_real("1e400", HUGE_VAL);
	check_real("-1e400", -HUGE_VAL);
	check_real("1e-400", 0.0);
}

static void test_json_read_numbers_ignore_a_decimal_comma_locale(void **state)
{
	const char *names[] = {"de_DE.UTF-8", "de_DE.utf8",  "fr_FR.UTF-8",
			       "fr_FR.utf8",  "nl_NL.UTF-8", "de_DE"};
	int comma = 0;
	for (size_t k = 0; k < sizeof names / sizeof *names && !comma; k++)
		comma = setlocale(LC_NUMERIC, names[k]) && localeconv()->decimal_point[0] == ',';
	check_real("2.5", 2.5);
	check_real("-1.25e3", -1250.0);
	setlocale(LC_NUMERIC, "C");
	if (!comma)
		skip(); /* no decimal-comma locale installed: the checks above proved little */
}

static void nest(char *buf, int depth, char open, char close)
{
	memset(buf, open, (size_t)depth);
	memset(buf + depth, close, (size_t)depth);
	buf[2 * depth] = '\0';
}

static void test_json_read_nesting_limit(void **state)
{
	char buf[2 * (JSON_READ_MAX_DEPTH + 1) + 1];
	nest(buf, JSON_READ_MAX_DEPTH, '[', ']');
	json_doc_free(parse_ok(buf));
	nest(buf, JSON_READ_MAX_DEPTH + 1, '[', ']');
	assert_rejects(buf, "offset 64: nesting deeper than 64");

	/* Objects count too. */
	struct buf b = BUF_INIT;
	for (int k = 0; k < JSON_READ_MAX_DEPTH + 1; k++)
		buf_adds(&b, "{\"a\":");
	buf_adds(&b, "1");
	for (int k = 0; k < JSON_READ_MAX_DEPTH + 1; k++)
		buf_adds(&b, "}");
	assert_rejects(b.data, "nesting deeper than 64");
	buf_free(&b);
}

static void test_json_read_duplicate_keys_last_wins(void **state)
{
	struct json_doc *d = parse_ok("{\"k\":1,\"k\":2,\"k2\":3}");
	const struct json_value *r = json_doc_root(d);
	assert_int_equal(r->len, 3); /* every member is kept */
	int64_t i;
	assert_int_equal(json_as_int64(json_get(r, "k"), &i), 0);
	assert_true(i == 2);
	json_doc_free(d);
}

static void test_json_read_keys_with_nul_and_escapes(void **state)
{
	struct json_doc *d = parse_ok("{\"a\\u0000b\":1,\"\\u00e9\":2}");
	const struct json_value *r = json_doc_root(d);
	assert_null(json_get(r, "a")); /* the key is 3 bytes, not "a" */
	int64_t i;
	assert_int_equal(json_as_int64(json_get(r, "\xc3\xa9"), &i), 0);
	assert_true(i == 2);
	assert_int_equal(r->u.members[0].key_len, 3);
	json_doc_free(d);
}

static void test_json_read_text_need_not_be_nul_terminated(void **state)
{
	char text[] = {'[', '1', '2', ']', '3'};
	char err[80];
	struct json_doc *d = json_parse(text, 4, err, sizeof err);
	assert_non_null(d);
	int64_t i;
	assert_int_equal(json_as_int64(json_array_at(json_doc_root(d), 0), &i), 0);
	assert_true(i == 12);
	json_doc_free(d);
	/* A number running to the very end of the buffer. */
	d = json_parse(text + 1, 2, err, sizeof err);
	assert_non_null(d);
	json_doc_free(d);
	d = json_parse("1.5e3", 4, err, sizeof err); /* "1.5e" */
	assert_null(d);
	assert_non_null(strstr(err, "exponent"));
	/* A NULL error buffer is allowed. */
	assert_null(json_parse("[", 1, NULL, 0));
	json_doc_free(NULL);
}

static void test_json_read_big_document(void **state)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "[");
	for (int k = 0; k < 100000; k++)
		buf_addf(&b, "%s{\"k\":%d,\"s\":\"%0100d\"}", k ? "," : "", k, k);
	buf_adds(&b, "]");
	char err[80];
	struct json_doc *d = json_parse(b.data, b.len, err, sizeof err);
	assert_non_null(d);
	const struct json_value *r = json_doc_root(d);
	assert_int_equal(json_array_len(r), 100000);
	int64_t i;
	assert_int_equal(json_as_int64(json_get(json_array_at(r, 99999), "k"), &i), 0);
	assert_true(i == 99999);
	assert_int_equal(json_get(json_array_at(r, 5), "s")->len, 100);
	json_doc_free(d);
	buf_free(&b);
}

/* xorshift64*: a fixed seed keeps every run identical, so a failure reproduces. */
static uint64_t next_random(uint64_t *state)
{
	uint64_t x = *state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* Random valid UTF-8 (the writer would replace invalid bytes), control characters, quotes and
 * backslashes included. */
static void random_string(uint64_t *rng, struct buf *s)
{
	buf_reset(s);
	int n = (int)(next_random(rng) % 12);
	for (int k = 0; k < n; k++) {
		uint64_t r = next_random(rng);
		unsigned cp;
		switch (r % 5) {
		case 0:
			cp = (unsigned)(r >> 8) % 0x20;
			break;
		case 1:
			cp = "\"\\/az"[(r >> 8) % 5];
			break;
		case 2:
			cp = 0x80 + (unsigned)(r >> 8) % 0x780;
			break;
		case 3:
			cp = 0x800 + (unsigned)(r >> 8) % (0x10000 - 0x800);
			if (cp >= 0xd800 && cp <= 0xdfff)
				cp = 0x2028;
			break;
		default:
			cp = 0x10000 + (unsigned)(r >> 8) % 0x100000;
		}
		char u[4];
		size_t m;
		if (cp < 0x80) {
			u[0] = (char)cp;
			m = 1;
		} else if (cp < 0x800) {
			u[0] = (char)(0xc0 | cp >> 6);
			u[1] = (char)(0x80 | (cp & 0x3f));
			m = 2;
		} else if (cp < 0x10000) {
			u[0] = (char)(0xe0 | cp >> 12);
			u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
			u[2] = (char)(0x80 | (cp & 0x3f));
			m = 3;
		} else {
			u[0] = (char)(0xf0 | cp >> 18);
			u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
			u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
			u[3] = (char)(0x80 | (cp & 0x3f));
			m = 4;
		}
		buf_add(s, u, m);
	}
}

static void random_value(uint64_t *rng, struct json_writer *w, struct buf *s, int depth)
{
	uint64_t r = next_random(rng);
	switch (r % (depth < 6 ? 9 : 7)) {
	case 0:
		json_null_value(w);
		break;
	case 1:
		json_bool(w, (int)(r >> 8 & 1));
		break;
	case 2:
		json_int64(w, (int64_t)next_random(rng) >> (r >> 8) % 64);
		break;
	case 3: {
		uint64_t bits = next_random(rng);
		double x;
		memcpy(&x, &bits, sizeof x);
		json_double(w, isfinite(x) ? x : (double)(int64_t)bits);
		break;
	}
	case 4:
	case 5:
	case 6:
		random_string(rng, s);
		json_str_n(w, s->data ? s->data : "", s->len);
		break;
	case 7: {
		int n = (int)(next_random(rng) % 5);
		json_array_begin(w);
		for (int k = 0; k < n; k++)
			random_value(rng, w, s, depth + 1);
		json_array_end(w);
		break;
	}
	default: {
		int n = (int)(next_random(rng) % 5);
		json_object_begin(w);
		for (int k = 0; k < n; k++) {
			random_string(rng, s);
			if (memchr(s->data ? s->data : "", '\0', s->len))
				buf_reset(s); /* json_key takes a C string */
			json_key(w, s->data ? s->data : "");
			random_value(rng, w, s, depth + 1);
		}
		json_object_end(w);
	}
	}
}

/* Writes a parsed value back with the writer: integers as integers, reals as reals. */
static void write_back(struct json_writer *w, const struct json_value *v)
{
	switch (v->type) {
	case JSONV_NULL:
		json_null_value(w);
		break;
	case JSONV_FALSE:
	case JSONV_TRUE:
		json_bool(w, v->type == JSONV_TRUE);
		break;
	case JSONV_INT:
		json_int64(w, v->u.i);
		break;
	case JSONV_REAL:
		json_double(w, v->u.d);
		break;
	case JSONV_STRING:
		json_str_n(w, v->u.s, v->len);
		break;
	case JSONV_ARRAY:
		json_array_begin(w);
		for (size_t i = 0; i < v->len; i++)
			write_back(w, json_array_at(v, i));
		json_array_end(w);
		break;
	case JSONV_OBJECT:
		json_object_begin(w);
		for (size_t i = 0; i < v->len; i++) {
			json_key(w, v->u.members[i].key);
			write_back(w, &v->u.members[i].value);
		}
		json_object_end(w);
		break;
	}
}

static void test_json_read_round_trips_random_documents(void **state)
{
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	struct buf text = BUF_INIT, again = BUF_INIT, s = BUF_INIT;
	for (int k = 0; k < 3000; k++) {
		buf_reset(&text);
		buf_reset(&again);
		struct json_writer w;
		json_writer_init(&w, &text);
		random_value(&rng, &w, &s, 0);
		assert_true(json_writer_done(&w));
		char err[160];
		struct json_doc *d = json_parse(text.data, text.len, err, sizeof err);
		if (!d)
			fail_msg("document %d did not parse: %s\n%s", k, err, text.data);
		json_writer_init(&w, &again);
		write_back(&w, json_doc_root(d));
		json_doc_free(d);
		if (again.len != text.len || memcmp(again.data, text.data, text.len) != 0)
			fail_msg("document %d changed:\n%s\n%s", k, text.data, again.data);
	}
	buf_free(&text);
	buf_free(&again);
	buf_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_read_every_type),
	    cmocka_unit_test(test_json_read_scalars_at_the_top),
	    cmocka_unit_test(test_json_read_escapes_decode_to_utf8),
	    cmocka_unit_test(test_json_read_raw_utf8_is_kept),
	    cmocka_unit_test(test_json_read_rejects_lone_and_misordered_surrogates),
	    cmocka_unit_test(test_json_read_rejects_invalid_utf8),
	    cmocka_unit_test(test_json_read_rejects_bad_strings),
	    cmocka_unit_test(test_json_read_rejects_bad_structure),
	    cmocka_unit_test(test_json_read_rejects_bad_numbers),
	    cmocka_unit_test(test_json_read_numbers_int64_or_double),
	    cmocka_unit_test(test_json_read_numbers_ignore_a_decimal_comma_locale),
	    cmocka_unit_test(test_json_read_nesting_limit),
	    cmocka_unit_test(test_json_read_duplicate_keys_last_wins),
	    cmocka_unit_test(test_json_read_keys_with_nul_and_escapes),
	    cmocka_unit_test(test_json_read_text_need_not_be_nul_terminated),
	    cmocka_unit_test(test_json_read_big_document),
	    cmocka_unit_test(test_json_read_round_trips_random_documents),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
