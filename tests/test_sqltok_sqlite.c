/* test_sqltok_sqlite.c — the SQLite tokenizer: every kind of token, the "need more" contract
 * (any split of the input gives the same tokens), errors, and the string decoder. */
#include "formats/sqltok.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define MAX_TOKENS 64

/* A token by offsets, comparable across buffers. */
struct rec {
	enum sqltok_type type;
	size_t text, len, start, size;
	unsigned flags;
	char quote;
	ssize_t consumed;
};

/* Tokenizes `s` as a stream whose first `split` bytes arrive first: "need more" reveals the
 * rest. Returns the number of tokens (the EOF token or the error included; an error is a rec
 * with consumed -1). */
static size_t run(const char *s, size_t split, struct rec *out, const char **error)
{
	size_t n = strlen(s), off = 0, visible = split < n ? split : n, k = 0;
	struct sqltok_state st;
	sqltok_state_init(&st, SQL_SQLITE);
	for (;;) {
		struct sqltok tok;
		ssize_t r = sqltok_sqlite(&st, s + off, visible - off, visible == n, &tok);
		int at_end = off == n && visible == n; /* nothing left: EOF consumes no bytes */
		if (r == 0 && !at_end) {
			assert_true(visible < n);
			visible = n;
			continue;
		}
		assert_true(k < MAX_TOKENS);
		struct rec *t = &out[k++];
		memset(t, 0, sizeof *t);
		t->consumed = r;
		t->start = (size_t)(tok.start - s);
		t->size = tok.size;
		if (r < 0) {
			*error = st.error;
			return k;
		}
		t->type = tok.type;
		t->text = (size_t)(tok.text - s);
		t->len = tok.len;
		t->flags = tok.flags;
		t->quote = tok.quote;
		off += (size_t)r;
		if (tok.type == SQLTOK_EOF)
			return k;
	}
}

/* The tokens of `s` read whole; checks that every split gives the same. */
static size_t tokens(const char *s, struct rec *out, const char **error)
{
	size_t n = strlen(s);
	*error = NULL;
	size_t k = run(s, n, out, error);
	for (size_t split = 0; split < n; split++) {
		struct rec other[MAX_TOKENS];
		const char *other_error = NULL;
		size_t m = run(s, split, other, &other_error);
		assert_int_equal(m, k);
		assert_memory_equal(other, out, k * sizeof *out);
		assert_ptr_equal(other_error, *error);
	}
	return k;
}

/* Checks that `s` gives the tokens written in `expected`, one per line as "TYPE text" (text
 * as the token's text; TYPE one letter: W word, I ident, S string, N number, H hex, P punct, E
 * end, A param). */
static void expect_tokens(const char *s, const char *const *expected, size_t count)
{
	struct rec out[MAX_TOKENS];
	const char *error;
	size_t k = tokens(s, out, &error);
	assert_null(error);
	assert_int_equal(k, count + 1);
	assert_int_equal(out[count].type, SQLTOK_EOF);
	static const char letters[] = {
	    [SQLTOK_WORD] = 'W', [SQLTOK_IDENT] = 'I', [SQLTOK_STRING] = 'S', [SQLTOK_NUMBER] = 'N',
	    [SQLTOK_HEX] = 'H',	 [SQLTOK_PUNCT] = 'P', [SQLTOK_END] = 'E',    [SQLTOK_PARAM] = 'A'};
	for (size_t i = 0; i < count; i++) {
		char got[128];
		snprintf(got, sizeof got, "%c %.*s", letters[out[i].type], (int)out[i].len, s + out[i].text);
		assert_string_equal(got, expected[i]);
	}
}

#define EXPECT(s, ...)                                                                                       \
	do {                                                                                                 \
		static const char *const want[] = {__VA_ARGS__};                                             \
		expect_tokens(s, want, sizeof want / sizeof want[0]);                                        \
	} while (0)

static void test_words_identifiers_and_strings(void **state)
{
	EXPECT("CREATE TABLE \"my table\"(id, `b``q`, [x y], 'it''s', \"\");", "W CREATE", "W TABLE",
	       "I my table", "P (", "W id", "P ,", "I b``q", "P ,", "I x y", "P ,", "S it''s", "P ,", "I ",
	       "P )", "E ;");
	EXPECT("t1 _a $b2 caf\xc3\xa9", "W t1", "W _a", "A $b2", "W caf\xc3\xa9");
}

static void test_quote_and_escape_flags(void **state)
{
	struct rec out[MAX_TOKENS];
	const char *error;
	tokens("'ab' 'a''b' \"x\"\"y\" [a'b] `c`", out, &error);
	assert_null(error);
	assert_int_equal(out[0].flags, 0);
	assert_int_equal(out[0].quote, '\'');
	assert_int_equal(out[1].flags, SQLTOK_ESCAPED);
	assert_int_equal(out[2].flags, SQLTOK_ESCAPED);
	assert_int_equal(out[2].quote, '"');
	assert_int_equal(out[3].flags, 0);
	assert_int_equal(out[3].quote, '[');
	assert_int_equal(out[4].quote, '`');
	assert_int_equal(out[4].size, 3);
}

static void test_numbers(void **state)
{
	EXPECT("1 -12 1.5 .5 1. 6.02e23 1e999 -1e999 1.0e+20 2E-3 0x1F 0XaB", "N 1", "P -", "N 12", "N 1.5",
	       "N .5", "N 1.", "N 6.02e23", "N 1e999", "P -", "N 1e999", "N 1.0e+20", "N 2E-3", "N 0x1F",
	       "N 0XaB");
	EXPECT("t.a 1.2.3", "W t", "P .", "W a", "N 1.2", "N .3");
}

static void test_blobs(void **state)
{
	EXPECT("X'00275c' x'' X'AbCd'", "H 00275c", "H ", "H AbCd");
	EXPECT("x 'a'", "W x", "S a"); /* a word and a string, not a blob */
}

static void test_operators_and_parameters(void **state)
{
	EXPECT("a<=b<>c<<d>=e>>f==g!=h||i->j->>k<l>m=n|o-p+q*r/s%t&u~v", "W a", "P <=", "W b", "P <>", "W c",
	       "P <<", "W d", "P >=", "W e", "P >>", "W f", "P ==", "W g", "P !=", "W h", "P ||", "W i",
	       "P ->", "W j", "P ->>", "W k", "P <", "W l", "P >", "W m", "P =", "W n", "P |", "W o", "P -",
	       "W p", "P +", "W q", "P *", "W r", "P /", "W s", "P %", "W t", "P &", "W u", "P ~", "W v");
	EXPECT("? ?12 :n @v #x $y", "A ?", "A ?12", "A :n", "A @v", "A #x", "A $y");
}

static void test_comments_and_blanks_are_skipped(void **state)
{
	EXPECT("-- a comment\nSELECT /* a ; 'b' */ 1 -- end", "W SELECT", "N 1");
	EXPECT("a/**/b\t\r\n\f\vc--", "W a", "W b", "W c");
	expect_tokens("  \n-- only a comment", NULL, 0);
}

static void test_need_more_where_a_token_could_continue(void **state)
{
	static const char *const open[] = {"abc", "'ab'", "'ab''", "\"x",    "[x",   "12", "1e",
					   "1e+", "1.",	  ".",	   "0x",     "x'0",  "<",  "-",
					   "/",	  "->",	  "?1",	   "/* a *", "-- a", "$a", " "};
	for (size_t i = 0; i < sizeof open / sizeof open[0]; i++) {
		struct sqltok_state st;
		struct sqltok tok;
		sqltok_state_init(&st, SQL_SQLITE);
		assert_int_equal(sqltok_sqlite(&st, open[i], strlen(open[i]), 0, &tok), 0);
	}
}

static void expect_error(const char *s, const char *message, size_t at)
{
	struct rec out[MAX_TOKENS];
	const char *error;
	size_t k = tokens(s, out, &error);
	assert_non_null(error);
	assert_string_equal(error, message);
	assert_int_equal(out[k - 1].consumed, -1);
	assert_int_equal(out[k - 1].start, at);
}

static void test_errors_name_the_token(void **state)
{
	expect_error("SELECT 'abc", "unterminated string", 7);
	expect_error("a \"abc", "unterminated quoted identifier", 2);
	expect_error("[abc", "unterminated quoted identifier", 0);
	expect_error("a /* b", "unterminated comment", 2);
	expect_error("X'0g'", "malformed blob literal", 0);
	expect_error("X'012'", "malformed blob literal", 0);
	expect_error("X'01", "unterminated blob literal", 0);
	expect_error("1 1e", "malformed number", 2);
	expect_error("12abc", "malformed number", 0);
	expect_error("0x", "malformed hex number", 0);
	expect_error("a ! b", "invalid byte", 2);
	expect_error("a \\ b", "invalid byte", 2);
	expect_error("{", "invalid byte", 0);
	expect_error(":", "invalid byte", 0);

	struct sqltok_state st;
	struct sqltok tok;
	sqltok_state_init(&st, SQL_SQLITE);
	assert_int_equal(sqltok_sqlite(&st, "a\0b", 3, 1, &tok), 1);
	assert_int_equal(sqltok_sqlite(&st, "\0b", 2, 1, &tok), -1); /* NUL is no operator */
	assert_string_equal(st.error, "invalid byte");
}

static void test_statement_ends_at_semicolon(void **state)
{
	EXPECT("COMMIT;;", "W COMMIT", "E ;", "E ;");
}

static void decode(const char *s, const char *want)
{
	struct sqltok_state st;
	struct sqltok tok;
	sqltok_state_init(&st, SQL_SQLITE);
	assert_true(sqltok_sqlite(&st, s, strlen(s), 1, &tok) > 0);
	struct buf b = BUF_INIT;
	assert_int_equal(sqltok_decode(SQL_SQLITE, &tok, &b), 0);
	assert_int_equal(b.len, strlen(want));
	assert_memory_equal(b.data ? b.data : "", want, b.len);
	buf_free(&b);
}

static void test_decode_undoes_doubled_quotes(void **state)
{
	decode("'it''s'", "it's");
	decode("''''''", "''");
	decode("'a\nb'", "a\nb");
	decode("\"a\"\"b\"", "a\"b");
	decode("`a``b`", "a`b");
	decode("[a''b]", "a''b");
	decode("''", "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_words_identifiers_and_strings),
	    cmocka_unit_test(test_quote_and_escape_flags),
	    cmocka_unit_test(test_numbers),
	    cmocka_unit_test(test_blobs),
	    cmocka_unit_test(test_operators_and_parameters),
	    cmocka_unit_test(test_comments_and_blanks_are_skipped),
	    cmocka_unit_test(test_need_more_where_a_token_could_continue),
	    cmocka_unit_test(test_errors_name_the_token),
	    cmocka_unit_test(test_statement_ends_at_semicolon),
	    cmocka_unit_test(test_decode_undoes_doubled_quotes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
