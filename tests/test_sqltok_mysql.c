/* test_sqltok_mysql.c — the MySQL/MariaDB tokenizer and decoder: every token kind, every
 * escape, comments, DELIMITER, errors, and the streaming contract (any split of the input,
 * including one byte at a time, gives the same tokens). */
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

/* One token as "TYPE[flags][quote]:text" (text as raw bytes), then "@offset+size". */
static void describe(struct buf *out, const char *base, const struct sqltok *t)
{
	buf_adds(out, type_name(t->type));
	if (t->flags)
		buf_addf(out, "/%x", t->flags);
	if (t->quote)
		buf_addc(out, t->quote);
	buf_addc(out, ':');
	buf_add(out, t->text, t->len);
	buf_addf(out, "@%td+%zu\n", t->start - base, t->size);
}

/* Tokenizes `in` the way a streaming reader does: the tokenizer first sees `first` bytes,
 * and each "need more" shows it `step` more (0: all the rest). Returns the description of
 * every token, or of the error as "ERROR:message@offset". */
static char *tokenize(const char *in, size_t n, size_t first, size_t step)
{
	/* An exact-size copy, so ASan catches a read past the visible bytes' buffer end. */
	char *copy = malloc(n ? n : 1);
	memcpy(copy, in, n);
	struct sqltok_state st;
	sqltok_state_init(&st, SQL_MYSQL);
	struct buf out = BUF_INIT;
	size_t off = 0, visible = first < n ? first : n;
	for (;;) {
		struct sqltok tok;
		struct sqltok_state before = st;
		int eof = visible == n;
		ssize_t r = sqltok_mysql(&st, copy + off, visible - off, eof, &tok);
		if (r == 0 && !eof) {
			assert_memory_equal(&before, &st, sizeof st); /* need-more changes nothing */
			visible = step && visible + step < n ? visible + step : n;
			continue;
		}
		if (r < 0) {
			buf_addf(&out, "ERROR:%s@%td", st.error, tok.start - copy);
			break;
		}
		describe(&out, copy, &tok);
		off += (size_t)r;
		if (tok.type == SQLTOK_EOF)
			break;
		assert_true(r > 0);
	}
	free(copy);
	return buf_detach(&out);
}

/* The tokens of `in` read whole, after checking that every split gives the same. */
static char *tokens_checked(const char *in)
{
	size_t n = strlen(in);
	char *whole = tokenize(in, n, n, 0);
	char *bytewise = tokenize(in, n, 0, 1);
	assert_string_equal(whole, bytewise);
	free(bytewise);
	for (size_t k = 0; k < n; k++) {
		char *split = tokenize(in, n, k, 0);
		assert_string_equal(whole, split);
		free(split);
	}
	return whole;
}

static void expect_tokens(const char *in, const char *expected)
{
	char *got = tokens_checked(in);
	assert_string_equal(got, expected);
	free(got);
}

static void test_words_numbers_and_punctuation(void **state)
{
	(void)state;
	expect_tokens("SELECT a1,$x, 12 1.5 .5 6.02e23 1E-3 1abc 1e;",
		      "WORD:SELECT@0+6\nWORD:a1@7+2\nPUNCT:,@9+1\nWORD:$x@10+2\nPUNCT:,@12+1\n"
		      "NUMBER:12@14+2\nNUMBER:1.5@17+3\nNUMBER:.5@21+2\nNUMBER:6.02e23@24+7\n"
		      "NUMBER:1E-3@32+4\nWORD:1abc@37+4\nWORD:1e@42+2\nEND:;@44+1\nEOF:@45+0\n");
	expect_tokens("a<=>b<=c->d->>e!=f:=g||h.i(*)",
		      "WORD:a@0+1\nPUNCT:<=>@1+3\nWORD:b@4+1\nPUNCT:<=@5+2\n"
		      "WORD:c@7+1\nPUNCT:->@8+2\nWORD:d@10+1\nPUNCT:->>@11+3\n"
		      "WORD:e@14+1\nPUNCT:!=@15+2\nWORD:f@17+1\nPUNCT::=@18+2\n"
		      "WORD:g@20+1\nPUNCT:||@21+2\nWORD:h@23+1\nPUNCT:.@24+1\n"
		      "WORD:i@25+1\nPUNCT:(@26+1\nPUNCT:*@27+1\nPUNCT:)@28+1\n"
		      "EOF:@29+0\n");
	expect_tokens("x=@a,@@session.y,?,-1",
		      "WORD:x@0+1\nPUNCT:=@1+1\nPARAM:@a@2+2\nPUNCT:,@4+1\n"
		      "PARAM:@@session@5+9\nPUNCT:.@14+1\nWORD:y@15+1\nPUNCT:,@16+1\n"
		      "PARAM:?@17+1\nPUNCT:,@18+1\nPUNCT:-@19+1\nNUMBER:1@20+1\nEOF:@21+0\n");
	expect_tokens("caf\xc3\xa9 \xe2\x82\xac", "WORD:caf\xc3\xa9@0+5\nWORD:\xe2\x82\xac@6+3\nEOF:@9+0\n");
}

static void test_quoted_identifiers_and_strings(void **state)
{
	(void)state;
	expect_tokens("`a b` `x``y` 'abc' \"d'e\" '' 'it''s' 'a\\'b'",
		      "IDENT`:a b@0+5\nIDENT/1`:x``y@6+6\nSTRING':abc@13+5\nSTRING\":d'e@19+5\n"
		      "STRING':@25+2\nSTRING/1':it''s@28+7\nSTRING/1':a\\'b@36+6\nEOF:@42+0\n");
	/* Quotes, semicolons and comment openers inside strings are text. */
	expect_tokens("'x;--y/*#' `a;b`", "STRING':x;--y/*#@0+10\nIDENT`:a;b@11+5\nEOF:@16+0\n");
	/* A backslash escapes the quote and itself, even at the end of the body. */
	expect_tokens("'\\\\' '\\''", "STRING/1':\\\\@0+4\nSTRING/1':\\'@5+4\nEOF:@9+0\n");
}

static void test_introducers_merge_into_their_string(void **state)
{
	(void)state;
	expect_tokens("_binary 'a\\0' _utf8mb4'x' _latin1 \"y\" N'z' n'w' _binary 0x41 _foo",
		      "STRING/3':a\\0@0+13\nSTRING/4':x@14+11\nSTRING/4\":y@26+11\nSTRING/4':z@38+4\n"
		      "STRING/4':w@43+4\nWORD:_binary@48+7\nHEX:41@56+4\nWORD:_foo@61+4\nEOF:@65+0\n");
}

static void test_hex_and_bit_literals(void **state)
{
	(void)state;
	expect_tokens("0x0A1b X'ff00' x'' 0x 0xg b'0101' B'' 0b01 0b2 0",
		      "HEX:0A1b@0+6\nHEX:ff00@7+7\nHEX:@15+3\nWORD:0x@19+2\nWORD:0xg@22+3\n"
		      "BITS:0101@26+7\nBITS:@34+3\nBITS:01@38+4\nWORD:0b2@43+3\nNUMBER:0@47+1\nEOF:@48+0\n");
	/* Hex of any length, in one token. */
	char big[20010] = "0x";
	memset(big + 2, 'a', 20000);
	big[20002] = '\0';
	char *got = tokenize(big, strlen(big), 100, 1000);
	assert_int_equal(strncmp(got, "HEX:aaaa", 8), 0);
	assert_non_null(strstr(got, "@0+20002\nEOF:"));
	free(got);
}

static void test_comments(void **state)
{
	(void)state;
	expect_tokens("# hash\na -- dash\nb --c\n/* block\n*/ d -- \n--\te\n/**/f",
		      "WORD:a@7+1\nWORD:b@17+1\nPUNCT:-@19+1\nPUNCT:-@20+1\nWORD:c@21+1\nWORD:d@35+1\n"
		      "WORD:f@50+1\nEOF:@51+0\n");
	/* "--" at the very end of the input is a comment. */
	expect_tokens("x --", "WORD:x@0+1\nEOF:@4+0\n");
}

static void test_conditional_comments_are_sql(void **state)
{
	(void)state;
	expect_tokens("/*!40101 SET x=1 */;\n/*M!100100 SET y */;/*!SET z*/;",
		      "WORD:SET@9+3\nWORD:x@13+1\nPUNCT:=@14+1\nNUMBER:1@15+1\nEND:;@19+1\n"
		      "WORD:SET@32+3\nWORD:y@36+1\nEND:;@40+1\nWORD:SET@44+3\nWORD:z@48+1\nEND:;@51+1\n"
		      "EOF:@52+0\n");
	/* MariaDB's sandbox line: a version no server has, so a plain comment. */
	expect_tokens("/*M!999999\\- enable the sandbox mode */ \nSET a;",
		      "WORD:SET@41+3\nWORD:a@45+1\nEND:;@46+1\nEOF:@47+0\n");
	/* Outside a conditional comment, "*" "/" are operators. */
	expect_tokens("2*/1", "NUMBER:2@0+1\nPUNCT:*@1+1\nPUNCT:/@2+1\nNUMBER:1@3+1\nEOF:@4+0\n");
	/* A multiplication inside one, right before its end. */
	expect_tokens("/*!50001 a**/;", "WORD:a@9+1\nPUNCT:*@10+1\nEND:;@13+1\nEOF:@14+0\n");
}

static void test_delimiter_lines_change_the_terminator(void **state)
{
	(void)state;
	expect_tokens("DELIMITER ;;\nBEGIN a; b; END */;;\nDELIMITER ;\nc;\n  delimiter $$\nd$ $$",
		      "WORD:BEGIN@13+5\nWORD:a@19+1\nPUNCT:;@20+1\nWORD:b@22+1\nPUNCT:;@23+1\n"
		      "WORD:END@25+3\nPUNCT:*@29+1\nPUNCT:/@30+1\nEND:;;@31+2\nWORD:c@46+1\nEND:;@47+1\n"
		      "WORD:d$@64+2\nEND:$$@67+2\nEOF:@69+0\n");
	/* Not at the start of a line, DELIMITER is a word. */
	expect_tokens("x DELIMITER ;", "WORD:x@0+1\nWORD:DELIMITER@2+9\nEND:;@12+1\nEOF:@13+0\n");
	/* The state keeps the delimiter after the call that read it. */
	struct sqltok_state st;
	struct sqltok tok;
	sqltok_state_init(&st, SQL_MYSQL);
	const char *in = "DELIMITER //\nx //";
	assert_int_equal(sqltok_mysql(&st, in, strlen(in), 1, &tok), 14);
	assert_string_equal(st.delimiter, "//");
}

static void test_end_of_input_after_blanks(void **state)
{
	(void)state;
	expect_tokens("  -- c\n /* x */ # y", "EOF:@19+0\n");
	expect_tokens("", "EOF:@0+0\n");
}

static void expect_error(const char *in, const char *expected)
{
	char *got = tokens_checked(in);
	const char *e = strstr(got, "ERROR:");
	assert_non_null(e);
	assert_string_equal(e, expected);
	free(got);
}

static void test_errors_name_the_token(void **state)
{
	(void)state;
	expect_error("a 'abc", "ERROR:unterminated string@2");
	expect_error("a 'abc\\", "ERROR:unterminated string@2");
	expect_error("_binary 'x", "ERROR:unterminated string@0");
	expect_error("`abc", "ERROR:unterminated quoted identifier@0");
	expect_error("a /* x", "ERROR:unterminated comment@2");
	expect_error("/*!40101 SET x", "ERROR:unterminated conditional comment@14");
	expect_error("a \x01", "ERROR:a byte that starts no SQL token@2");
	expect_error("a \\G", "ERROR:a byte that starts no SQL token@2");
	expect_error("X'0g'", "ERROR:invalid hex literal@0");
	expect_error("b'012'", "ERROR:invalid bit literal@0");
	expect_error("x'00", "ERROR:unterminated string@0");
	expect_error("DELIMITER \n", "ERROR:a DELIMITER line needs a delimiter of 1 to 15 non-blank bytes@0");
	expect_error("/*!40101 /*!40101 x */ */", "ERROR:nested conditional comment@9");
}

static void test_need_more_wherever_a_token_may_continue(void **state)
{
	(void)state;
	static const char *const partial[] = {
	    "12",  "1.",     "1e", "1e+", "abc",     "_binary ",   "'ab", "'ab'", "`a`",   "0x1",
	    "x",   "-",	     "--", "/",	  "/*!4010", "/*!40101 *", "<",	  "->",	  "DELIM", "DELIMITER ;;",
	    "# c", "/* c *", "@",  "N"};
	for (size_t k = 0; k < sizeof partial / sizeof *partial; k++) {
		struct sqltok_state st;
		struct sqltok tok;
		sqltok_state_init(&st, SQL_MYSQL);
		if (sqltok_mysql(&st, partial[k], strlen(partial[k]), 0, &tok) != 0)
			fail_msg("no need-more for \"%s\"", partial[k]);
	}
}

static char *decoded(const char *in)
{
	struct sqltok_state st;
	struct sqltok tok;
	sqltok_state_init(&st, SQL_MYSQL);
	assert_true(sqltok_mysql(&st, in, strlen(in), 1, &tok) > 0);
	struct buf out = BUF_INIT;
	assert_int_equal(sqltok_decode(SQL_MYSQL, &tok, &out), 0);
	buf_addc(&out, '\0'); /* so an empty value is "" */
	return buf_detach(&out);
}

static void test_every_escape_decodes(void **state)
{
	(void)state;
	struct sqltok_state st;
	struct sqltok tok;
	sqltok_state_init(&st, SQL_MYSQL);
	const char *in = "'\\0\\'\\\"\\b\\n\\r\\t\\Z\\\\\\%\\_\\q'''";
	assert_true(sqltok_mysql(&st, in, strlen(in), 1, &tok) > 0);
	struct buf out = BUF_INIT;
	assert_int_equal(sqltok_decode(SQL_MYSQL, &tok, &out), 0);
	static const char expected[] = "\0'\"\b\n\r\t\x1a\\\\%\\_q'";
	assert_int_equal(out.len, sizeof expected - 1);
	assert_memory_equal(out.data, expected, out.len);
	buf_free(&out);

	char *s = decoded("\"a\"\"b\\\"c\"");
	assert_string_equal(s, "a\"b\"c");
	free(s);
	s = decoded("`x``y\\n`"); /* no backslash escapes in identifiers */
	assert_string_equal(s, "x`y\\n");
	free(s);
	s = decoded("'plain'");
	assert_string_equal(s, "plain");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_words_numbers_and_punctuation),
	    cmocka_unit_test(test_quoted_identifiers_and_strings),
	    cmocka_unit_test(test_introducers_merge_into_their_string),
	    cmocka_unit_test(test_hex_and_bit_literals),
	    cmocka_unit_test(test_comments),
	    cmocka_unit_test(test_conditional_comments_are_sql),
	    cmocka_unit_test(test_delimiter_lines_change_the_terminator),
	    cmocka_unit_test(test_end_of_input_after_blanks),
	    cmocka_unit_test(test_errors_name_the_token),
	    cmocka_unit_test(test_need_more_wherever_a_token_may_continue),
	    cmocka_unit_test(test_every_escape_decodes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
