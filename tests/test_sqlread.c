/* test_sqlread.c — the token reader: refills, long tokens, lines, places (with a toy tokenizer,
 * so these tests depend on no dialect). */
#include "formats/sqlread.h"
#include "tests/support.h"

#include <archive.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* Toy dialect: whitespace-separated words; '!' is an error; "need more" whenever a word
 * touches the end of the bytes and eof is not set. */
static ssize_t toy(struct sqltok_state *st, const char *buf, size_t len, int eof, struct sqltok *tok)
{
	size_t i = 0;
	while (i < len && (buf[i] == ' ' || buf[i] == '\n'))
		i++;
	memset(tok, 0, sizeof *tok);
	if (i == len) {
		if (!eof)
			return 0;
		tok->type = SQLTOK_EOF;
		tok->start = tok->text = buf + i;
		return (ssize_t)i;
	}
	size_t start = i;
	while (i < len && buf[i] != ' ' && buf[i] != '\n')
		i++;
	tok->start = tok->text = buf + start;
	tok->size = tok->len = i - start;
	if (memchr(buf + start, '!', i - start)) {
		st->error = "bang";
		return -1;
	}
	if (i == len && !eof)
		return 0;
	tok->type = SQLTOK_WORD;
	return (ssize_t)i;
}

static int clean_up(void **state)
{
	support_temp_remove_all();
	return 0;
}

static void open_toy(struct sqlread *r, const char *path)
{
	struct amber_error err = {0};
	assert_int_equal(sqlread_open(r, path, "toy.sql", SQL_MYSQL, &err), 0);
	r->tokenize = toy;
}

static void test_tokens_have_lines_and_columns(void **state)
{
	const char *text = "ab  cd\n\n  efg\nh";
	struct sqlread r;
	open_toy(&r, support_temp_with(text, strlen(text)));
	struct amber_error err = {0};
	struct sqltok t;
	const char *want[] = {"ab", "cd", "efg", "h"};
	long lines[] = {1, 1, 3, 4}, cols[] = {1, 5, 3, 1};
	for (int i = 0; i < 4; i++) {
		assert_int_equal(sqlread_token(&r, &t, &err), 1);
		assert_int_equal(t.type, SQLTOK_WORD);
		assert_int_equal(t.len, strlen(want[i]));
		assert_memory_equal(t.text, want[i], t.len);
		long line, col;
		sqlread_place(&r, t.start, &line, &col);
		assert_int_equal(line, lines[i]);
		assert_int_equal(col, cols[i]);
	}
	assert_int_equal(sqlread_token(&r, &t, &err), 1);
	assert_int_equal(t.type, SQLTOK_EOF);
	assert_int_equal(sqlread_token(&r, &t, &err), 1);
	assert_int_equal(t.type, SQLTOK_EOF);
	sqlread_close(&r);
}

static void test_token_longer_than_read_chunk_is_whole(void **state)
{
	size_t n = 3u << 20;
	char *text = malloc(n + 16);
	memcpy(text, "x\n ", 3);
	memset(text + 3, 'w', n);
	memcpy(text + 3 + n, " yz", 3);
	struct sqlread r;
	open_toy(&r, support_temp_with(text, n + 6));
	struct amber_error err = {0};
	struct sqltok t;
	assert_int_equal(sqlread_token(&r, &t, &err), 1);
	assert_int_equal(sqlread_token(&r, &t, &err), 1);
	assert_int_equal(t.len, n);
	assert_memory_equal(t.text, text + 3, n);
	long line, col;
	sqlread_place(&r, t.start, &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 2);
	assert_int_equal(sqlread_token(&r, &t, &err), 1);
	assert_int_equal(t.len, 2);
	sqlread_place(&r, t.start, &line, &col);
	assert_int_equal(col, (long)n + 3);
	sqlread_close(&r);
	free(text);
}

static void test_tokenizer_error_names_place_and_quotes_token(void **state)
{
	const char *text = "ok\n  ba!d rest";
	struct sqlread r;
	open_toy(&r, support_temp_with(text, strlen(text)));
	struct amber_error err = {0};
	struct sqltok t;
	assert_int_equal(sqlread_token(&r, &t, &err), 1);
	assert_int_equal(sqlread_token(&r, &t, &err), -1);
	assert_string_equal(err.file, "toy.sql");
	assert_int_equal(err.line, 2);
	assert_int_equal(err.column, 3);
	assert_non_null(strstr(err.message, "bang"));
	assert_non_null(strstr(err.message, "ba!d"));
	sqlread_close(&r);
}

static void test_lines_across_chunks_and_last_line_without_newline(void **state)
{
	struct buf text = BUF_INIT;
	for (int i = 0; i < 100000; i++)
		buf_addf(&text, "%d\tline\\t%d\n", i, i);
	buf_adds(&text, "tail");
	struct sqlread r;
	open_toy(&r, support_temp_with(text.data, text.len));
	struct amber_error err = {0};
	const char *line;
	size_t len;
	char want[64];
	for (int i = 0; i < 100000; i++) {
		assert_int_equal(sqlread_line(&r, &line, &len, &err), 1);
		int n = snprintf(want, sizeof want, "%d\tline\\t%d", i, i);
		assert_int_equal(len, (size_t)n);
		assert_memory_equal(line, want, len);
	}
	assert_int_equal(sqlread_line(&r, &line, &len, &err), 1);
	assert_int_equal(len, 4);
	assert_memory_equal(line, "tail", 4);
	long l, c;
	sqlread_place(&r, line + 2, &l, &c);
	assert_int_equal(l, 100001);
	assert_int_equal(c, 3);
	assert_int_equal(sqlread_line(&r, &line, &len, &err), 0);
	sqlread_close(&r);
	buf_free(&text);
}

static void test_tokens_after_lines_keep_counting(void **state)
{
	const char *text = "a\tb\n\\.\n  next";
	struct sqlread r;
	open_toy(&r, support_temp_with(text, strlen(text)));
	struct amber_error err = {0};
	const char *line;
	size_t len;
	struct sqltok t;
	assert_int_equal(sqlread_line(&r, &line, &len, &err), 1);
	assert_int_equal(sqlread_line(&r, &line, &len, &err), 1);
	assert_int_equal(len, 2);
	assert_int_equal(sqlread_token(&r, &t, &err), 1);
	long l, c;
	sqlread_place(&r, t.start, &l, &c);
	assert_int_equal(l, 3);
	assert_int_equal(c, 3);
	sqlread_error(&r, NULL, &err, "after %s", "next");
	assert_int_equal(err.line, 3);
	assert_int_equal(err.column, 7);
	assert_string_equal(err.message, "after next");
	sqlread_close(&r);
}

static void test_compressed_input_is_read(void **state)
{
	const char *text = "one two\nthree";
	struct sqlread r;
	open_toy(&r, support_temp_compressed(ARCHIVE_FILTER_GZIP, text, strlen(text)));
	struct amber_error err = {0};
	struct sqltok t;
	int words = 0;
	while (sqlread_token(&r, &t, &err) == 1 && t.type != SQLTOK_EOF)
		words++;
	assert_int_equal(words, 3);
	assert_true(sqlread_raw_bytes(&r) > 0);
	sqlread_close(&r);
}

static void test_missing_file_fails_naming_it(void **state)
{
	struct sqlread r;
	struct amber_error err = {0};
	assert_int_equal(sqlread_open(&r, "/nonexistent/dump.sql", NULL, SQL_MYSQL, &err), -1);
	assert_non_null(strstr(err.file, "dump.sql"));
	sqlread_close(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_tokens_have_lines_and_columns, clean_up),
	    cmocka_unit_test_teardown(test_token_longer_than_read_chunk_is_whole, clean_up),
	    cmocka_unit_test_teardown(test_tokenizer_error_names_place_and_quotes_token, clean_up),
	    cmocka_unit_test_teardown(test_lines_across_chunks_and_last_line_without_newline, clean_up),
	    cmocka_unit_test_teardown(test_tokens_after_lines_keep_counting, clean_up),
	    cmocka_unit_test_teardown(test_compressed_input_is_read, clean_up),
	    cmocka_unit_test_teardown(test_missing_file_fails_naming_it, clean_up),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
