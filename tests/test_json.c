/* test_json.c — unit tests for the compact JSON writer (formats/json.h).
 *
 * Documents are compared byte for byte (their digests must be reproducible). Invalid UTF-8
 * cases are checked against outputs made by an independent implementation, Python's
 * bytes.decode("utf-8", "replace"); random strings are checked by parsing the output back with
 * jansson, and random doubles by reading the text back with strtod. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <float.h>
#include <inttypes.h>
#include <jansson.h>
#include <locale.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/buf.h"
#include "formats/json.h"

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

/* Fails with both texts shown (non-printable bytes as \xNN) unless b holds exactly `want`. */
static void assert_bytes(const struct buf *b, const char *want, size_t want_len)
{
	if (b->len == want_len && memcmp(buf_str(b), want, want_len) == 0)
		return;
	struct buf msg = BUF_INIT;
	buf_adds(&msg, "got      \"");
	for (size_t i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->data[i];
		if (c < 0x20 || c >= 0x7f)
			buf_addf(&msg, "\\x%02x", c);
		else
			buf_addc(&msg, (char)c);
	}
	buf_adds(&msg, "\"\nexpected \"");
	for (size_t i = 0; i < want_len; i++) {
		unsigned char c = (unsigned char)want[i];
		if (c < 0x20 || c >= 0x7f)
			buf_addf(&msg, "\\x%02x", c);
		else
			buf_addc(&msg, (char)c);
	}
	buf_addc(&msg, '"');
	fail_msg("%s", msg.data);
}

static void assert_text(const struct buf *b, const char *want)
{
	assert_bytes(b, want, strlen(want));
}

/* Escapes `len` bytes of `in` both ways (bare and as a quoted value) and compares with `want`. */
static void assert_escapes_to(const char *in, size_t len, const char *want, size_t want_len)
{
	struct buf b = BUF_INIT;
	json_escape_append(&b, in, len);
	assert_bytes(&b, want, want_len);

	struct buf quoted = BUF_INIT;
	struct json_writer w;
	json_writer_init(&w, &quoted);
	json_str_n(&w, in, len);
	assert_true(json_writer_done(&w));
	buf_reset(&b);
	buf_addc(&b, '"');
	buf_add(&b, want, want_len);
	buf_addc(&b, '"');
	assert_bytes(&quoted, b.data, b.len);
	buf_free(&quoted);
	buf_free(&b);
}

/* The JSON text of one double written as a top-level value, into `out`. */
static void double_text(double v, struct buf *out)
{
	struct json_writer w;
	buf_reset(out);
	json_writer_init(&w, out);
	json_double(&w, v);
	assert_true(json_writer_done(&w));
}

/* 1 when `s` is a JSON number (RFC 8259: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?). */
static int is_json_number(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return 0;
	if (*s == '.') {
		s++;
		if (!(*s >= '0' && *s <= '9'))
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		if (!(*s >= '0' && *s <= '9'))
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

/* Checks that the text of v is a JSON number containing '.' or 'e' that strtod reads back to
 * the very same bits, and that jansson reads as a real of that value. */
static void assert_double_round_trips(double v)
{
	struct buf b = BUF_INIT;
	double_text(v, &b);
	if (!is_json_number(b.data))
		fail_msg("%a written as \"%s\", not a JSON number", v, b.data);
	if (!strpbrk(b.data, ".e"))
		fail_msg("%a written as \"%s\", reads as an integer", v, b.data);
	double back = strtod(b.data, NULL);
	if (memcmp(&back, &v, sizeof v) != 0)
		fail_msg("%a written as \"%s\", reads back as %a", v, b.data, back);
	json_error_t error;
	json_t *parsed = json_loadb(b.data, b.len, JSON_DECODE_ANY, &error);
	if (!parsed || !json_is_real(parsed) || json_real_value(parsed) != v)
		fail_msg("%a written as \"%s\": jansson does not read it back as that real", v, b.data);
	json_decref(parsed);
	buf_free(&b);
}

/* --- documents -------------------------------------------------------------------------- */

static void test_json_nested_document_exact_bytes_keys_in_written_order(void **state)
{
	struct buf out = BUF_INIT;
	struct json_writer w;
	json_writer_init(&w, &out);
	json_object_begin(&w);
	json_kv_int64(&w, "schemaVersion", 2);
	json_kv_string(&w, "mediaType", "application/vnd.oci.image.manifest.v1+json");
	json_key(&w, "config");
	json_object_begin(&w);
	json_kv_string(&w, "mediaType", "application/vnd.oci.image.config.v1+json");
	json_kv_string(&w, "digest", "sha256:abc");
	json_kv_uint64(&w, "size", 123);
	json_object_end(&w);
	json_key(&w, "layers");
	json_array_begin(&w);
	json_object_begin(&w);
	json_kv_string(&w, "digest", "sha256:def");
	json_kv_uint64(&w, "size", 4567890123u);
	json_object_end(&w);
	json_object_begin(&w);
	json_object_end(&w);
	json_array_begin(&w);
	json_array_end(&w);
	json_array_end(&w);
	json_key(&w, "annotations");
	json_object_begin(&w);
	json_object_end(&w);
	json_kv_null(&w, "z");
	json_kv_bool(&w, "a", 1);
	json_kv_bool(&w, "b", 0);
	json_kv_double(&w, "ratio", 0.25);
	json_object_end(&w);
	assert_true(json_writer_done(&w));
	assert_text(&out, "{\"schemaVersion\":2,"
			  "\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
			  "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
			  "\"digest\":\"sha256:abc\",\"size\":123},"
			  "\"layers\":[{\"digest\":\"sha256:def\",\"size\":4567890123},{},[]],"
			  "\"annotations\":{},\"z\":null,\"a\":true,\"b\":false,\"ratio\":0.25}");
	buf_free(&out);
}

static void test_json_empty_object_and_empty_array_at_top(void **state)
{
	struct buf out = BUF_INIT;
	struct json_writer w;
	json_writer_init(&w, &out);
	json_object_begin(&w);
	json_object_end(&w);
	assert_true(json_writer_done(&w));
	assert_text(&out, "{}");

	buf_reset(&out);
	json_writer_init(&w, &out);
	json_array_begin(&w);
	json_array_end(&w);
	assert_true(json_writer_done(&w));
	assert_text(&out, "[]");
	buf_free(&out);
}

static void test_json_array_of_every_value_kind_separated_by_commas(void **state)
{
	struct buf out = BUF_INIT;
	struct json_writer w;
	json_writer_init(&w, &out);
	json_array_begin(&w);
	json_int64(&w, 1);
	json_int64(&w, -2);
	json_uint64(&w, 3);
	json_str(&w, "s");
	json_str_n(&w, "ab", 1);
	json_str_n(&w, NULL, 0);
	json_bool(&w, 1);
	json_bool(&w, 42);
	json_bool(&w, 0);
	json_null_value(&w);
	json_double(&w, 1.5);
	json_raw(&w, "{\"pre\":[1]}", 11);
	json_object_begin(&w);
	json_object_end(&w);
	json_array_begin(&w);
	json_int64(&w, 0);
	json_array_end(&w);
	json_array_end(&w);
	assert_true(json_writer_done(&w));
	assert_text(&out, "[1,-2,3,\"s\",\"a\",\"\",true,true,false,null,1.5,{\"pre\":[1]},{},[0]]");
	buf_free(&out);
}

static void test_json_scalars_alone_at_top_are_complete_documents(void **state)
{
	struct buf out = BUF_INIT;
	struct json_writer w;

	json_writer_init(&w, &out);
	json_str(&w, "x");
	assert_true(json_writer_done(&w));
	assert_text(&out, "\"x\"");

	buf_reset(&out);
	json_writer_init(&w, &out);
	json_int64(&w, -7);
	assert_true(json_writer_done(&w));
	assert_text(&out, "-7");

	buf_reset(&out);
	json_writer_init(&w, &out);
	json_null_value(&w);
	assert_true(json_writer_done(&w));
	assert_text(&out, "null");

	buf_reset(&out);
	json_writer_init(&w, &out);
	json_raw(&w, "[1,2]", 5);
	assert_true(json_writer_done(&w));
	assert_text(&out, "[1,2]");
	buf_free(&out);
}

static void test_json_writer_done_only_after_one_closed_value(void **state)
{
	struct buf out = BUF_INIT;
	struct json_writer w;
	json_writer_init(&w, &out);
	assert_false(json_writer_done(&w));
	json_object_begin(&w);
	assert_false(json_writer_done(&w));
	json_key(&w, "k");
	assert_false(json_writer_done(&w));
	json_array_begin(&w);
	json_int64(&w, 1);
	assert_false(json_writer_done(&w));
	json_array_end(&w);
	assert_false(json_writer_done(&w));
	json_object_end(&w);
	assert_true(json_writer_done(&w));
	assert_text(&out, "{\"k\":[1]}");
	buf_free(&out);
}

static void test_json_writer_appends_after_existing_bytes(void **state)
{
	struct buf out = BUF_INIT;
	buf_adds(&out, "data: ");
	struct json_writer w;
	json_writer_init(&w, &out);
	json_object_begin(&w);
	json_kv_string(&w, "k", "v");
	json_object_end(&w);
	assert_text(&out, "data: {\"k\":\"v\"}");
	buf_free(&out);
}

static void test_json_nesting_to_max_depth_closes_in_order(void **state)
{
	struct buf out = BUF_INIT;
	struct buf want = BUF_INIT;
	struct json_writer w;
	json_writer_init(&w, &out);
	/* Alternate arrays and objects so that every end must match its own begin. */
	for (int i = 0; i < JSON_MAX_DEPTH; i++) {
		if (i % 2) {
			json_key(&w, "o");
			json_array_begin(&w);
			buf_adds(&want, "\"o\":[");
		} else {
			json_object_begin(&w);
			buf_addc(&want, '{');
		}
	}
	assert_int_equal(w.depth, JSON_MAX_DEPTH);
	for (int i = JSON_MAX_DEPTH - 1; i >= 0; i--) {
		if (i % 2) {
			json_array_end(&w);
			buf_addc(&want, ']');
		} else {
			json_object_end(&w);
			buf_addc(&want, '}');
		}
	}
	assert_true(json_writer_done(&w));
	assert_bytes(&out, want.data, want.len);
	/* And jansson agrees that it is one well-formed document. */
	json_error_t error;
	json_t *parsed = json_loadb(out.data, out.len, 0, &error);
	assert_non_null(parsed);
	json_decref(parsed);
	buf_free(&want);
	buf_free(&out);
}

static void test_json_keys_are_escaped_like_strings(void **state)
{
	struct buf out = BUF_INIT;
	struct json_writer w;
	json_writer_init(&w, &out);
	json_object_begin(&w);
	json_kv_int64(&w, "a\"b\\c\n\x01/\xff", 1);
	json_kv_string(&w, "", "");
	json_object_end(&w);
	assert_text(&out, "{\"a\\\"b\\\\c\\n\\u0001/\xef\xbf\xbd\":1,\"\":\"\"}");
	buf_free(&out);
}

/* --- misuse --------------------------------------------------------------------------- */

/* Runs `misuse` in a child process; 1 when it died of SIGABRT (a failed assert). */
static int dies_by_assert(void (*misuse)(void))
{
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* The assert message is expected; keep the test output clean. */
		if (!freopen("/dev/null", "w", stderr))
			_exit(3);
		misuse();
		_exit(0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static struct buf misuse_out = BUF_INIT;

static void misuse_value_without_key(void)
{
	struct json_writer w;
	json_writer_init(&w, &misuse_out);
	json_object_begin(&w);
	json_int64(&w, 1);
}

static void misuse_key_in_array(void)
{
	struct json_writer w;
	json_writer_init(&w, &misuse_out);
	json_array_begin(&w);
	json_key(&w, "k");
}

static void misuse_key_at_top(void)
{
	struct json_writer w;
	json_writer_init(&w, &misuse_out);
	json_key(&w, "k");
}

static void misuse_two_keys_in_a_row(void)
{
	struct json_writer w;
	json_writer_init(&w, &misuse_out);
	json_object_begin(&w);
	json_key(&w, "a");
	json_key(&w, "b");
}

static void misuse_object_end_after_key(void)
{
	struct json_writer w;
	json_writer_init(&w, &misuse_out);
	json_object_begin(&w);
	json_key(&w, "a");
	json_object_end(&w);
}

static void misuse_end_does_not_match_begin(void)
{
	struct json_writer w;
	json_writer_init(&w, &misuse_out);
	json_array_begin(&w);
	json_object_end(&w);
}

static void misuse_end_without_begin(void)
{
	struct json_writer w;
	json_writer_init(&w, &misuse_out);
	json_array_end(&w);
}

static void misuse_second_top_level_value(void)
{
	struct json_writer w;
	json_writer_init(&w, &misuse_out);
	json_int64(&w, 1);
	json_int64(&w, 2);
}

static void misuse_nesting_too_deep(void)
{
	struct json_writer w;
	json_writer_init(&w, &misuse_out);
	for (int i = 0; i <= JSON_MAX_DEPTH; i++)
		json_array_begin(&w);
}

static void test_json_misuse_fails_an_assert(void **state)
{
#ifdef NDEBUG
	skip();
#endif
	assert_true(dies_by_assert(misuse_value_without_key));
	assert_true(dies_by_assert(misuse_key_in_array));
	assert_true(dies_by_assert(misuse_key_at_top));
	assert_true(dies_by_assert(misuse_two_keys_in_a_row));
	assert_true(dies_by_assert(misuse_object_end_after_key));
	assert_true(dies_by_assert(misuse_end_does_not_match_begin));
	assert_true(dies_by_assert(misuse_end_without_begin));
	assert_true(dies_by_assert(misuse_second_top_level_value));
	assert_true(dies_by_assert(misuse_nesting_too_deep));
}

/* --- strings -------------------------------------------------------------------------- */

static void test_json_escapes_quote_and_backslash_but_not_slash(void **state)
{
	const char in[] = "say \"hi\" \\ a/b </script>";
	const char want[] = "say \\\"hi\\\" \\\\ a/b </script>";
	assert_escapes_to(in, sizeof in - 1, want, sizeof want - 1);
}

static void test_json_escapes_named_control_characters(void **state)
{
	const char in[] = "\b\f\n\r\t";
	const char want[] = "\\b\\f\\n\\r\\t";
	assert_escapes_to(in, sizeof in - 1, want, sizeof want - 1);
}

static void test_json_escapes_every_control_character_and_del(void **state)
{
	static const char *const want[0x20] = {
	    "\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006", "\\u0007",
	    "\\b",     "\\t",	  "\\n",     "\\u000b", "\\f",	   "\\r",     "\\u000e", "\\u000f",
	    "\\u0010", "\\u0011", "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017",
	    "\\u0018", "\\u0019", "\\u001a", "\\u001b", "\\u001c", "\\u001d", "\\u001e", "\\u001f",
	};
	for (int c = 0; c < 0x20; c++) {
		char in[3] = {'x', (char)c, 'y'};
		char expect[16];
		int n = snprintf(expect, sizeof expect, "x%sy", want[c]);
		assert_escapes_to(in, sizeof in, expect, (size_t)n);
	}
	assert_escapes_to("\x7f", 1, "\\u007f", 6);
	/* Everything else in ASCII is copied as is. */
	for (int c = 0x20; c < 0x7f; c++) {
		if (c == '"' || c == '\\')
			continue;
		char in[1] = {(char)c};
		assert_escapes_to(in, 1, in, 1);
	}
}

static void test_json_special_byte_at_every_offset_in_ascii_is_seen(void **state)
{
	/* Plain ASCII is skipped in 8-byte words; a special byte must be found at any offset. */
	static const char named_from[] = "\b\f\n\r\t", named_to[] = "bfnrt";
	for (int c = 0; c < 256; c++) {
		char esc[8];
		const char *named = c ? strchr(named_from, c) : NULL;
		if (c >= 0x80)
			strcpy(esc, "\xef\xbf\xbd"); /* a lone byte >= 0x80 before 'a' is invalid */
		else if (named)
			snprintf(esc, sizeof esc, "\\%c", named_to[named - named_from]);
		else if (c == '"' || c == '\\')
			snprintf(esc, sizeof esc, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			snprintf(esc, sizeof esc, "\\u%04x", c);
		else
			continue;
		for (size_t pos = 0; pos < 24; pos++) {
			char in[24], want[40];
			memset(in, 'a', sizeof in);
			in[pos] = (char)c;
			memset(want, 'a', pos);
			size_t n = strlen(esc);
			memcpy(want + pos, esc, n);
			memset(want + pos + n, 'a', sizeof in - pos - 1);
			assert_escapes_to(in, sizeof in, want, pos + n + sizeof in - pos - 1);
		}
	}
}

static void test_json_str_n_keeps_embedded_nul_and_stops_at_len(void **state)
{
	assert_escapes_to("a\0b", 3, "a\\u0000b", 8);
	assert_escapes_to("abcdef", 3, "abc", 3);
	assert_escapes_to("", 0, "", 0);
}

static void test_json_valid_utf8_of_every_length_is_copied_as_is(void **state)
{
	static const char *const valid[] = {
	    "\xc2\x80",			/* U+0080, lowest 2-byte */
	    "\xc3\xa9t\xc3\xa9",	/* "été" */
	    "\xdf\xbf",			/* U+07FF, highest 2-byte */
	    "\xe0\xa0\x80",		/* U+0800, lowest 3-byte */
	    "\xe2\x82\xac",		/* U+20AC euro */
	    "\xe2\x80\xa8\xe2\x80\xa9", /* U+2028 and U+2029, left as is */
	    "\xed\x9f\xbf",		/* U+D7FF, just below the surrogates */
	    "\xee\x80\x80",		/* U+E000, just above them */
	    "\xef\xbf\xbd",		/* U+FFFD itself */
	    "\xef\xbf\xbf",		/* U+FFFF */
	    "\xf0\x90\x80\x80",		/* U+10000, lowest 4-byte */
	    "\xf0\x9f\x98\x80",		/* U+1F600 emoji */
	    "\xf4\x8f\xbf\xbf",		/* U+10FFFF, highest code point */
	    "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e and "
	    "\xd0\xa0\xd1\x83\xd1\x81\xd1\x81\xd0\xba\xd0\xb8\xd0\xb9",
	};
	for (size_t i = 0; i < sizeof valid / sizeof *valid; i++)
		assert_escapes_to(valid[i], strlen(valid[i]), valid[i], strlen(valid[i]));
	/* Mixed with escapes, the multi-byte sequences survive the run splitting. */
	assert_escapes_to("\xc3\xa9\n\xf0\x9f\x98\x80\"\xe2\x82\xac", 11,
			  "\xc3\xa9\\n\xf0\x9f\x98\x80\\\"\xe2\x82\xac", 13);
}

/* Inputs and the output Python 3 gives for them, made with
 *   python3 -c 'print(INPUT.decode("utf-8", "replace").encode("utf-8"))'
 * (then escaped for JSON: only the NUL and the quote cases needed it). */
static const struct {
	const char *in;
	size_t len;
	const char *want;
} python_replace_cases[] = {
    {"\x80", 1, "\xef\xbf\xbd"}, /* lone continuation byte */
    {"\xbf", 1, "\xef\xbf\xbd"}, /* lone last continuation byte */
    {"\x80\x80"
     "abc",
     5,
     "\xef\xbf\xbd\xef\xbf\xbd"
     "abc"},					 /* two continuations, two U+FFFD */
    {"\xc0\x80", 2, "\xef\xbf\xbd\xef\xbf\xbd"}, /* overlong NUL: C0 is never a lead */
    {"\xc1\xbf", 2, "\xef\xbf\xbd\xef\xbf\xbd"}, /* overlong 2-byte: C1 never a lead */
    {"\xc2", 1, "\xef\xbf\xbd"},		 /* 2-byte lead at the end */
    {"\xc2"
     "A",
     2,
     "\xef\xbf\xbd"
     "A"},							 /* 2-byte lead before ASCII */
    {"\xc3\xa9\xc3", 3, "\xc3\xa9\xef\xbf\xbd"},		 /* valid then truncated */
    {"\xe0\x80\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* overlong 3-byte: E0 needs A0..BF */
    {"\xe0\x9f\xbf", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* overlong 3-byte, highest */
    {"\xe0\xa0", 2, "\xef\xbf\xbd"},				 /* truncated 3-byte: one subpart */
    {"\xe1\x80", 2, "\xef\xbf\xbd"},				 /* truncated 3-byte at the end */
    {"\xe1\x80"
     "A",
     3,
     "\xef\xbf\xbd"
     "A"},							 /* truncated 3-byte before ASCII */
    {"\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* surrogate U+D800 */
    {"\xed\xbf\xbf", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* surrogate U+DFFF */
    {"\xed\xa0\xbd\xed\xb8\x80", 6,
     "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* CESU-8 surrogate pair */
    {"\xef\xbf", 2, "\xef\xbf\xbd"},						  /* truncated U+FFFF */
    {"\xf0\x80\x80\x80", 4,
     "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* overlong 4-byte: F0 needs 90.. */
    {"\xf0\x8f\xbf\xbf", 4,
     "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* overlong 4-byte, highest */
    {"\xf0\x90\x80", 3, "\xef\xbf\xbd"},		  /* truncated 4-byte: one subpart */
    {"\xf0\x90\x80"
     "A",
     4,
     "\xef\xbf\xbd"
     "A"}, /* truncated 4-byte before ASCII */
    {"\xf4\x90\x80\x80", 4,
     "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* above U+10FFFF: F4 needs ..8F */
    {"\xf5\x80\x80\x80", 4, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* F5 is never a lead */
    {"\xf8\x88\x80\x80\x80", 5,
     "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* 5-byte form */
    {"\xfc\x84\x80\x80\x80\x80", 6,
     "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"}, /* 6-byte form */
    {"\xfe\xff", 2, "\xef\xbf\xbd\xef\xbf\xbd"},				  /* FE FF */
    {"\xff", 1, "\xef\xbf\xbd"},						  /* FF */
    {"a\xf0\x9f\x98"
     "b",
     5,
     "a\xef\xbf\xbd"
     "b"},								 /* emoji missing its last byte */
    {"\xe2\x82\xac\x82\xac", 5, "\xe2\x82\xac\xef\xbf\xbd\xef\xbf\xbd"}, /* euro then stray continuations */
    {"\xf0\x9f\x98\x80\x80", 5, "\xf0\x9f\x98\x80\xef\xbf\xbd"},	 /* emoji then stray continuation */
    /* The example of Unicode 15, section 3.9, table 3-8. */
    {"a\xf1\x80\x80\xe1\x80\xc2"
     "b\x80"
     "c\x80\xbf"
     "d",
     13,
     "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
     "b\xef\xbf\xbd"
     "c\xef\xbf\xbd\xef\xbf\xbd"
     "d"},
    {"\xc2\x00", 2, "\xef\xbf\xbd\\u0000"}, /* lead byte before NUL */
    {"\xe1\x80\"", 3, "\xef\xbf\xbd\\\""},  /* truncated before a quote */
};

static void test_json_invalid_utf8_replaced_like_python_decode_replace(void **state)
{
	for (size_t i = 0; i < sizeof python_replace_cases / sizeof *python_replace_cases; i++)
		assert_escapes_to(python_replace_cases[i].in, python_replace_cases[i].len,
				  python_replace_cases[i].want, strlen(python_replace_cases[i].want));
}

/* Appends the UTF-8 form of code point cp (not a surrogate, at most U+10FFFF). */
static size_t encode_utf8(unsigned char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xc0 | cp >> 6);
		out[1] = (unsigned char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xe0 | cp >> 12);
		out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (unsigned char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (unsigned char)(0xf0 | cp >> 18);
	out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (unsigned char)(0x80 | (cp & 0x3f));
	return 4;
}

/* A random test string into out (room for 128 bytes): random bytes, random valid UTF-8, valid
 * UTF-8 with one byte changed or cut short, or bytes from a small set of troublemakers. */
static size_t random_string(uint64_t *rng, unsigned char *out)
{
	static const unsigned char tricky[] = {0x00, 0x01, 0x1f, 0x20, '"',  '\\', '/',
					       0x7f, 0x80, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0,
					       0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff, 'a'};
	size_t len = 0;
	switch (next_random(rng) % 4) {
	case 0:
		len = next_random(rng) % 41;
		for (size_t i = 0; i < len; i++)
			out[i] = (unsigned char)next_random(rng);
		return len;
	case 3:
		len = next_random(rng) % 41;
		for (size_t i = 0; i < len; i++)
			out[i] = tricky[next_random(rng) % sizeof tricky];
		return len;
	default: {
		size_t ncp = next_random(rng) % 21;
		for (size_t i = 0; i < ncp; i++) {
			uint64_t r = next_random(rng);
			uint32_t cp;
			switch (r % 4) {
			case 0:
				cp = (uint32_t)(r >> 8) % 0x80;
				break;
			case 1:
				cp = 0x80 + (uint32_t)(r >> 8) % (0x800 - 0x80);
				break;
			case 2:
				cp = 0x800 + (uint32_t)(r >> 8) % (0x10000 - 0x800 - 0x800);
				if (cp >= 0xd800)
					cp += 0x800; /* skip the surrogates */
				break;
			default:
				cp = 0x10000 + (uint32_t)(r >> 8) % (0x110000 - 0x10000);
				break;
			}
			len += encode_utf8(out + len, cp);
		}
		if (len && next_random(rng) % 2) {
			/* Spoil it: change one byte, or cut the end off. */
			if (next_random(rng) % 2)
				out[next_random(rng) % len] = (unsigned char)next_random(rng);
			else
				len -= 1 + next_random(rng) % (len < 3 ? len : 3);
		}
		return len;
	}
	}
}

static void test_json_random_strings_parse_back_with_jansson(void **state)
{
	uint64_t rng = 0x9e3779b97f4a7c15ULL;
	size_t valid_seen = 0, invalid_seen = 0;
	for (int n = 0; n < 10000; n++) {
		unsigned char in[128];
		size_t len = random_string(&rng, in);

		struct buf out = BUF_INIT;
		struct json_writer w;
		json_writer_init(&w, &out);
		json_str_n(&w, (const char *)in, len);
		assert_true(json_writer_done(&w));
		/* No raw control character or DEL may remain (jansson only rejects the former). */
		for (size_t i = 0; i < out.len; i++)
			if ((unsigned char)out.data[i] < 0x20 || out.data[i] == 0x7f)
				fail_msg("string %d: raw byte 0x%02x at %zu", n, (unsigned char)out.data[i],
					 i);

		json_error_t error;
		json_t *parsed = json_loadb(out.data, out.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &error);
		if (!parsed || !json_is_string(parsed))
			fail_msg("string %d: jansson rejects %s: %s", n, out.data, error.text);
		const char *decoded = json_string_value(parsed);
		size_t decoded_len = json_string_length(parsed);

		/* jansson's own UTF-8 check says whether the input was valid; then nothing may change. */
		json_t *as_is = json_stringn((const char *)in, len);
		if (as_is) {
			valid_seen++;
			assert_int_equal(decoded_len, len);
			assert_memory_equal(decoded, in, len);
			json_decref(as_is);
		} else {
			invalid_seen++;
			if (!memmem(decoded, decoded_len, "\xef\xbf\xbd", 3))
				fail_msg("string %d: invalid input but no U+FFFD in %s", n, out.data);
		}

		/* The decoded text is valid UTF-8, so escaping it again gives the same output. */
		struct buf again = BUF_INIT;
		buf_addc(&again, '"');
		json_escape_append(&again, decoded, decoded_len);
		buf_addc(&again, '"');
		assert_bytes(&again, out.data, out.len);

		buf_free(&again);
		json_decref(parsed);
		buf_free(&out);
	}
	/* Both kinds must have been exercised in quantity. */
	assert_true(valid_seen > 2000);
	assert_true(invalid_seen > 2000);
}

static void test_json_long_string_keeps_every_byte(void **state)
{
	/* Long runs between escapes, and a buffer that grows many times. */
	struct buf in = BUF_INIT, want = BUF_INIT, out = BUF_INIT;
	for (int i = 0; i < 20000; i++) {
		buf_adds(&in, "text \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 ");
		buf_adds(&want, "text \xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 ");
		if (i % 100 == 0) {
			buf_adds(&in, "\"\n\xff");
			buf_adds(&want, "\\\"\\n\xef\xbf\xbd");
		}
	}
	json_escape_append(&out, in.data, in.len);
	assert_bytes(&out, want.data, want.len);
	buf_free(&in);
	buf_free(&want);
	buf_free(&out);
}

/* --- numbers -------------------------------------------------------------------------- */

static void test_json_integer_extremes_are_exact(void **state)
{
	struct buf out = BUF_INIT;
	struct json_writer w;
	json_writer_init(&w, &out);
	json_array_begin(&w);
	json_int64(&w, INT64_MIN);
	json_int64(&w, INT64_MAX);
	json_int64(&w, 0);
	json_int64(&w, -1);
	json_int64(&w, 10);
	json_uint64(&w, 0);
	json_uint64(&w, UINT64_MAX);
	json_uint64(&w, (uint64_t)INT64_MAX + 1);
	json_array_end(&w);
	assert_text(&out, "[-9223372036854775808,9223372036854775807,0,-1,10,0,18446744073709551615,"
			  "9223372036854775808]");
	buf_free(&out);
}

static void test_json_random_integers_match_printf(void **state)
{
	uint64_t rng = 12345;
	struct buf out = BUF_INIT;
	for (int n = 0; n < 10000; n++) {
		uint64_t r = next_random(&rng) >> (next_random(&rng) % 64);
		char want[32];
		struct json_writer w;

		buf_reset(&out);
		json_writer_init(&w, &out);
		json_uint64(&w, r);
		snprintf(want, sizeof want, "%" PRIu64, r);
		assert_text(&out, want);

		int64_t s = (int64_t)r;
		if (n % 2)
			s = -s - 1; /* also reaches INT64_MIN without overflow */
		buf_reset(&out);
		json_writer_init(&w, &out);
		json_int64(&w, s);
		snprintf(want, sizeof want, "%" PRId64, s);
		assert_text(&out, want);
	}
	buf_free(&out);
}

static void test_json_doubles_exact_text(void **state)
{
	static const struct {
		double v;
		const char *want;
	} cases[] = {
	    {0.0, "0.0"},
	    {-0.0, "-0.0"},
	    {1.0, "1.0"},
	    {-1.0, "-1.0"},
	    {100.0, "100.0"},
	    {0.25, "0.25"},
	    {0.1, "0.1"},
	    {0.1 + 0.2, "0.30000000000000004"},
	    {1.0 / 3.0, "0.3333333333333333"},
	    {123.456, "123.456"},
	    {-1.5e-7, "-1.5e-7"},
	    {1e-5, "1e-5"},
	    {0.0001, "0.0001"},
	    {1e300, "1e300"},
	    {1e21, "1e21"},
	    {1e23, "1e23"},
	    {999999999999999.0, "999999999999999.0"},
	    {-123456789012345.0, "-123456789012345.0"},
	    {1e15, "1e15"},
	    {1234567890123456.0, "1234567890123456.0"},
	    {9007199254740992.0, "9007199254740992.0"},
	    {1e16, "1e16"},
	    {DBL_MAX, "1.7976931348623157e308"},
	    {DBL_MIN, "2.2250738585072014e-308"},
	    {5e-324, "5e-324"},
	    {-2.5e-310, "-2.5e-310"},
	    {1e-320, "1e-320"},
	};
	struct buf out = BUF_INIT;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		double_text(cases[i].v, &out);
		if (strcmp(out.data, cases[i].want) != 0)
			fail_msg("%a written as \"%s\", expected \"%s\"", cases[i].v, out.data,
				 cases[i].want);
		assert_double_round_trips(cases[i].v);
	}
	buf_free(&out);
}

static void test_json_negative_zero_keeps_its_sign(void **state)
{
	struct buf out = BUF_INIT;
	double_text(-0.0, &out);
	double back = strtod(out.data, NULL);
	assert_true(back == 0.0);
	assert_true(signbit(back));
	double_text(0.0, &out);
	assert_false(signbit(strtod(out.data, NULL)));
	buf_free(&out);
}

static void test_json_nan_and_infinities_are_null(void **state)
{
	struct buf out = BUF_INIT;
	struct json_writer w;
	json_writer_init(&w, &out);
	json_object_begin(&w);
	json_kv_double(&w, "nan", NAN);
	json_kv_double(&w, "inf", INFINITY);
	json_kv_double(&w, "-inf", -INFINITY);
	json_key(&w, "list");
	json_array_begin(&w);
	json_double(&w, -NAN);
	json_double(&w, 2.0);
	json_array_end(&w);
	json_object_end(&w);
	assert_true(json_writer_done(&w));
	assert_text(&out, "{\"nan\":null,\"inf\":null,\"-inf\":null,\"list\":[null,2.0]}");
	buf_free(&out);
}

static void test_json_random_double_bit_patterns_round_trip(void **state)
{
	uint64_t rng = 777;
	struct buf out = BUF_INIT;
	int finite = 0;
	for (int n = 0; n < 100000; n++) {
		uint64_t bits = next_random(&rng);
		if (n % 4 == 0)
			bits &= 0x800fffffffffffffULL; /* zero exponent: subnormals */
		double v;
		memcpy(&v, &bits, sizeof v);
		if (!isfinite(v)) {
			double_text(v, &out);
			assert_text(&out, "null");
			continue;
		}
		finite++;
		assert_double_round_trips(v);
	}
	assert_true(finite > 90000);
	buf_free(&out);
}

/* Counts significant digits: those between the first nonzero one and the last nonzero one of
 * the mantissa, the exponent excluded. */
static size_t significant_digits(const char *text, char *digits)
{
	size_t n = 0;
	for (const char *p = text; *p && *p != 'e'; p++)
		if (*p >= '0' && *p <= '9' && (n || *p != '0'))
			digits[n++] = *p;
	while (n && digits[n - 1] == '0')
		n--;
	digits[n] = '\0';
	return n;
}

static void test_json_short_decimals_come_out_with_their_own_digits(void **state)
{
	/* k * 10^e with k of at most 15 digits is the shortest text of its double (DBL_DIG is 15),
	 * so the output must carry exactly k's digits. */
	uint64_t rng = 4242;
	struct buf out = BUF_INIT;
	for (int n = 0; n < 20000; n++) {
		uint64_t k = next_random(&rng) % 1000000000000000ULL;
		int sig = 1 + (int)(next_random(&rng) % 15);
		for (int i = 15; i > sig; i--)
			k /= 10; /* vary the length of k too */
		if (k == 0)
			k = 7;
		int e = (int)(next_random(&rng) % 580) - 290;
		char src[48];
		snprintf(src, sizeof src, "%" PRIu64 "e%d", k, e);
		double v = strtod(src, NULL);
		if (n % 2)
			v = -v;
		double_text(v, &out);
		char got[32], want[32];
		significant_digits(out.data, got);
		significant_digits(src, want);
		if (strcmp(got, want) != 0)
			fail_msg("%s written as \"%s\"", src, out.data);
		assert_double_round_trips(v);
	}
	buf_free(&out);
}

static void test_json_doubles_ignore_a_decimal_comma_locale(void **state)
{
	static const char *const comma_locales[] = {"de_DE.UTF-8", "de_DE.utf8",  "fr_FR.UTF-8", "fr_FR.utf8",
						    "nl_NL.UTF-8", "ru_RU.UTF-8", "de_DE"};
	const char *found = NULL;
	for (size_t i = 0; i < sizeof comma_locales / sizeof *comma_locales && !found; i++)
		if (setlocale(LC_NUMERIC, comma_locales[i]))
			found = comma_locales[i];
	if (!found) {
		print_message("no locale with a decimal comma is installed; skipping\n");
		skip();
	}
	char probe[16];
	snprintf(probe, sizeof probe, "%.1f", 0.5);
	if (strcmp(probe, "0,5") != 0) {
		setlocale(LC_NUMERIC, "C");
		skip();
	}
	struct buf out = BUF_INIT;
	struct json_writer w;
	json_writer_init(&w, &out);
	json_array_begin(&w);
	json_double(&w, 0.5);
	json_double(&w, 1.0 / 3.0);
	json_double(&w, -1234567.25);
	json_double(&w, 1.5e-7);
	json_double(&w, 2.5e-310);
	json_double(&w, 1234567890123456.0);
	json_array_end(&w);
	setlocale(LC_NUMERIC, "C");
	assert_text(&out, "[0.5,0.3333333333333333,-1234567.25,1.5e-7,2.5e-310,1234567890123456.0]");
	buf_free(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_json_nested_document_exact_bytes_keys_in_written_order),
	    cmocka_unit_test(test_json_empty_object_and_empty_array_at_top),
	    cmocka_unit_test(test_json_array_of_every_value_kind_separated_by_commas),
	    cmocka_unit_test(test_json_scalars_alone_at_top_are_complete_documents),
	    cmocka_unit_test(test_json_writer_done_only_after_one_closed_value),
	    cmocka_unit_test(test_json_writer_appends_after_existing_bytes),
	    cmocka_unit_test(test_json_nesting_to_max_depth_closes_in_order),
	    cmocka_unit_test(test_json_keys_are_escaped_like_strings),
	    cmocka_unit_test(test_json_misuse_fails_an_assert),
	    cmocka_unit_test(test_json_escapes_quote_and_backslash_but_not_slash),
	    cmocka_unit_test(test_json_escapes_named_control_characters),
	    cmocka_unit_test(test_json_escapes_every_control_character_and_del),
	    cmocka_unit_test(test_json_special_byte_at_every_offset_in_ascii_is_seen),
	    cmocka_unit_test(test_json_str_n_keeps_embedded_nul_and_stops_at_len),
	    cmocka_unit_test(test_json_valid_utf8_of_every_length_is_copied_as_is),
	    cmocka_unit_test(test_json_invalid_utf8_replaced_like_python_decode_replace),
	    cmocka_unit_test(test_json_random_strings_parse_back_with_jansson),
	    cmocka_unit_test(test_json_long_string_keeps_every_byte),
	    cmocka_unit_test(test_json_integer_extremes_are_exact),
	    cmocka_unit_test(test_json_random_integers_match_printf),
	    cmocka_unit_test(test_json_doubles_exact_text),
	    cmocka_unit_test(test_json_negative_zero_keeps_its_sign),
	    cmocka_unit_test(test_json_nan_and_infinities_are_null),
	    cmocka_unit_test(test_json_random_double_bit_patterns_round_trip),
	    cmocka_unit_test(test_json_short_decimals_come_out_with_their_own_digits),
	    cmocka_unit_test(test_json_doubles_ignore_a_decimal_comma_locale),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
