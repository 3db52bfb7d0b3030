/* test_sqltok_postgres.c — the PostgreSQL tokenizer and string decoder: every token kind and
 * escape, need-more and errors, and the streaming contract (the same tokens whatever the
 * bytes are split into). The SQL texts here are unit inputs written for these tests. */
#include "core/buf.h"
#include "formats/sqltok.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static const char *type_name(enum sqltok_type t)
{
	static const char *const names[] = {"EOF",  "WORD",  "IDENT", "STRING", "NUMBER", "HEX",
					    "BITS", "PUNCT", "END",   "META",	"PARAM"};
	return names[t];
}

/* Appends one token as "TYPE[flags]<value>" (strings and identifiers decoded). */
static void describe(const struct sqltok *tok, struct buf *out)
{
	buf_addf(out, "%s", type_name(tok->type));
	if (tok->flags & ~SQLTOK_ESCAPED)
		buf_addf(out, "[%x]", tok->flags & ~SQLTOK_ESCAPED);
	buf_addc(out, '<');
	if (tok->type == SQLTOK_STRING || tok->type == SQLTOK_IDENT) {
		if (sqltok_decode(SQL_POSTGRES, tok, out) < 0)
			buf_adds(out, "!BADESCAPE");
	} else {
		buf_add(out, tok->text, tok->len);
	}
	buf_adds(out, "> ");
}

/* Tokenizes `text` as a reader would: only the first `visible` bytes are shown at first, and
 * each "need more" shows `step` more bytes (all at the end). Returns the description of every
 * token, ending with "ERROR(message)@offset" on an error. */
static char *tokenize(const char *text, size_t n, size_t visible, size_t step)
{
	struct sqltok_state st;
	sqltok_state_init(&st, SQL_POSTGRES);
	struct buf out = BUF_INIT;
	size_t off = 0;
	if (visible > n)
		visible = n;
	for (;;) {
		/* an exact-size copy, so reading past the visible bytes is caught by ASan */
		size_t avail = visible - off;
		if (avail == 0 && visible == n) {
			buf_adds(&out, "EOF<> "); /* a reader answers this itself (sqlread.h) */
			break;
		}
		char *copy = malloc(avail ? avail : 1);
		memcpy(copy, text + off, avail);
		struct sqltok tok;
		struct sqltok_state before = st;
		ssize_t r = sqltok_postgres(&st, copy, avail, visible == n, &tok);
		if (r == 0) {
			assert_true(visible < n);
			assert_memory_equal(&before, &st, sizeof st);
			visible = visible + step > n ? n : visible + step;
			free(copy);
			continue;
		}
		if (r < 0) {
			buf_addf(&out, "ERROR(%s)@%zu", st.error, off + (size_t)(tok.start - copy));
			free(copy);
			break;
		}
		assert_true((size_t)r <= avail);
		describe(&tok, &out);
		free(copy);
		off += (size_t)r;
		if (tok.type == SQLTOK_EOF)
			break;
	}
	if (!out.data)
		buf_adds(&out, "");
	return buf_detach(&out);
}

static char *tokens_of(const char *text)
{
	return tokenize(text, strlen(text), strlen(text), 1);
}

/* Checks the tokens of `text` and that every split of it, and feeding it byte by byte,
 * gives the same. */
static void check_tokens(const char *text, const char *want)
{
	size_t n = strlen(text);
	char *whole = tokens_of(text);
	if (strcmp(whole, want) != 0)
		fail_msg("tokens of \"%s\":\n got  %s\n want %s", text, whole, want);
	for (size_t split = 0; split <= n; split++) {
		char *part = tokenize(text, n, split, n);
		if (strcmp(part, whole) != 0)
			fail_msg("split at %zu of \"%s\":\n got  %s\n want %s", split, text, part, whole);
		free(part);
	}
	char *bytewise = tokenize(text, n, 0, 1);
	assert_string_equal(bytewise, whole);
	free(bytewise);
	free(whole);
}

static void test_words_numbers_and_punctuation(void **state)
{
	(void)state;
	check_tokens(
	    "CREATE TABLE public.t1 (id integer[], x numeric(10,2));",
	    "WORD<CREATE> WORD<TABLE> WORD<public> PUNCT<.> WORD<t1> PUNCT<(> WORD<id> WORD<integer> "
	    "PUNCT<[> PUNCT<]> PUNCT<,> WORD<x> WORD<numeric> PUNCT<(> NUMBER<10> PUNCT<,> NUMBER<2> "
	    "PUNCT<)> PUNCT<)> END<;> EOF<> ");
	check_tokens("1 1.5 .5 6.02e23 1e999 1E-5 2. 1e x",
		     "NUMBER<1> NUMBER<1.5> NUMBER<.5> NUMBER<6.02e23> NUMBER<1e999> NUMBER<1E-5> NUMBER<2.> "
		     "NUMBER<1> WORD<e> WORD<x> EOF<> ");
	check_tokens("'a'::text x=-1 a<>b a->>'k' $1 $12;",
		     "STRING<a> PUNCT<::> WORD<text> WORD<x> PUNCT<=> PUNCT<-> NUMBER<1> WORD<a> PUNCT<<>> "
		     "WORD<b> WORD<a> PUNCT<->>> STRING<k> PARAM<$1> PARAM<$12> END<;> EOF<> ");
	check_tokens("a:b a$b _x9 été", "WORD<a> PUNCT<:> WORD<b> WORD<a$b> WORD<_x9> WORD<été> EOF<> ");
}

static void test_quoted_identifiers(void **state)
{
	(void)state;
	check_tokens("\"My \"\"T\"\"\" \"a\"", "IDENT<My \"T\"> IDENT<a> EOF<> ");
	char *t = tokens_of("\"\"");
	assert_string_equal(t, "ERROR(zero-length quoted identifier)@0");
	free(t);
}

static void test_standard_strings(void **state)
{
	(void)state;
	check_tokens("'it''s' '' 'back\\slash' 'a\nb'",
		     "STRING<it's> STRING<> STRING<back\\slash> STRING<a\nb> EOF<> ");
	check_tokens("N'x' n'y'", "STRING[4]<x> STRING[4]<y> EOF<> ");
}

static void test_escape_strings(void **state)
{
	(void)state;
	check_tokens("E'\\b\\f\\n\\r\\t\\\\\\'' e'it''s'", "STRING<\b\f\n\r\t\\'> STRING<it's> EOF<> ");
	check_tokens("E'\\101\\7\\0101' E'\\x41\\x4G\\xZ' E'\\q\\%'", "STRING<A\a\b1> STRING<A\x04G"
								      "xZ> STRING<q%> EOF<> ");
	check_tokens("E'\\u00e9\\U0001F600\\ud83d\\ude00'",
		     "STRING<\xc3\xa9\xf0\x9f\x98\x80\xf0\x9f\x98\x80> EOF<> ");
	char *t = tokens_of("E'\\ud800' E'\\u0000' E'\\U00110000' E'\\u12'");
	assert_string_equal(
	    t, "STRING<!BADESCAPE> STRING<!BADESCAPE> STRING<!BADESCAPE> STRING<!BADESCAPE> EOF<> ");
	free(t);
}

static void test_hex_and_bit_strings(void **state)
{
	(void)state;
	check_tokens("X'0A1b' x'' B'0101' b'1'", "HEX<0A1b> HEX<> BITS<0101> BITS<1> EOF<> ");
}

static void test_dollar_quoted_bodies(void **state)
{
	(void)state;
	check_tokens("$$a;'b$$ $fn$ x $$ y $fn$ $_t1$$_t1$;",
		     "STRING[8]<a;'b> STRING[8]< x $$ y > STRING[8]<> END<;> EOF<> ");
	check_tokens("CREATE FUNCTION f() AS $body$\nBEGIN RETURN 'x\\'; END $body$;",
		     "WORD<CREATE> WORD<FUNCTION> WORD<f> PUNCT<(> PUNCT<)> WORD<AS> "
		     "STRING[8]<\nBEGIN RETURN 'x\\'; END > END<;> EOF<> ");
}

static void test_comments(void **state)
{
	(void)state;
	check_tokens("-- head\na /* one /* two */ still */ b -- tail", "WORD<a> WORD<b> EOF<> ");
	check_tokens("a-- c\n-b /**/ / c", "WORD<a> PUNCT<-> WORD<b> PUNCT</> WORD<c> EOF<> ");
	check_tokens("a+-- c\n1", "WORD<a> PUNCT<+> NUMBER<1> EOF<> ");
}

static void test_psql_commands_at_line_start(void **state)
{
	(void)state;
	check_tokens("\\restrict abc\nSET x = 1;\n  \\connect db\r\nSELECT 1 \\ 2;\n\\unrestrict abc",
		     "META<\\restrict abc> WORD<SET> WORD<x> PUNCT<=> NUMBER<1> END<;> META<\\connect db> "
		     "WORD<SELECT> NUMBER<1> PUNCT<\\> NUMBER<2> END<;> META<\\unrestrict abc> EOF<> ");
	check_tokens("/* c */ \\x", "PUNCT<\\> WORD<x> EOF<> ");
}

static void check_error(const char *text, const char *want)
{
	size_t n = strlen(text);
	char *t = tokens_of(text);
	if (strcmp(t, want) != 0)
		fail_msg("tokens of \"%s\":\n got  %s\n want %s", text, t, want);
	for (size_t split = 0; split <= n; split++) {
		char *part = tokenize(text, n, split, n);
		assert_string_equal(part, t);
		free(part);
	}
	free(t);
}

static void test_errors_at_the_end_of_input(void **state)
{
	(void)state;
	check_error("a 'abc", "WORD<a> ERROR(unterminated string)@2");
	check_error("a E'ab\\'", "WORD<a> ERROR(unterminated string)@2");
	check_error("\"ab", "ERROR(unterminated quoted identifier)@0");
	check_error("x /* a /* b */", "WORD<x> ERROR(unterminated comment)@2");
	check_error("$t$ body $x$", "ERROR(unterminated dollar-quoted string)@0");
	check_error("$a b", "ERROR(invalid dollar quote)@0");
	check_error("a \x01", "WORD<a> ERROR(invalid byte)@2");
	check_error("a {", "WORD<a> ERROR(invalid byte)@2");
}

static void test_need_more_where_a_token_may_continue(void **state)
{
	(void)state;
	static const char *const partial[] = {
	    "SELEC", "12", "1.", "1e", "1e+", "'abc", "'abc'", "\"x", "\"x\"",	      "$$x", "$ta",
	    "$1",    ":",  "-",	 "/*", "--x", "<",    "E",     "E'",  "\\connect db", "a -"};
	for (size_t i = 0; i < sizeof partial / sizeof partial[0]; i++) {
		struct sqltok_state st;
		sqltok_state_init(&st, SQL_POSTGRES);
		struct sqltok tok;
		ssize_t r = sqltok_postgres(&st, partial[i], strlen(partial[i]), 0, &tok);
		/* "a -" gives "a" first; the rest must wait */
		if (strcmp(partial[i], "a -") == 0) {
			assert_int_equal(r, 1);
			r = sqltok_postgres(&st, partial[i] + 1, 2, 0, &tok);
		}
		if (r != 0)
			fail_msg("\"%s\" without eof returned %zd, expected need-more", partial[i], r);
	}
}

static void test_only_blanks_left_is_eof(void **state)
{
	(void)state;
	struct sqltok_state st;
	sqltok_state_init(&st, SQL_POSTGRES);
	struct sqltok tok;
	assert_int_equal(sqltok_postgres(&st, "  -- c\n ", 8, 0, &tok), 0);
	assert_int_equal(sqltok_postgres(&st, "  -- c\n ", 8, 1, &tok), 8);
	assert_int_equal(tok.type, SQLTOK_EOF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_words_numbers_and_punctuation),
	    cmocka_unit_test(test_quoted_identifiers),
	    cmocka_unit_test(test_standard_strings),
	    cmocka_unit_test(test_escape_strings),
	    cmocka_unit_test(test_hex_and_bit_strings),
	    cmocka_unit_test(test_dollar_quoted_bodies),
	    cmocka_unit_test(test_comments),
	    cmocka_unit_test(test_psql_commands_at_line_start),
	    cmocka_unit_test(test_errors_at_the_end_of_input),
	    cmocka_unit_test(test_need_more_where_a_token_may_continue),
	    cmocka_unit_test(test_only_blanks_left_is_eof),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
