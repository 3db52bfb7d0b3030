/* fuzz_sql_sqlite.c — libFuzzer target for sqltok_sqlite.
 *
 * Input: byte 0 picks where the input is split, the rest is SQL. The text is tokenized twice
 * in lockstep from exact-size copies: whole with eof set, and as a streaming reader would see
 * it, first only up to the split point without eof, then all of it. Both must give the same
 * tokens (by offset) or the same error at the same place. Every token is also checked against
 * what sqltok.h promises: it lies within the bytes consumed, its text within it, a string or
 * identifier decodes to no more bytes than its body, and an operator is made of operator
 * characters. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/sqltok.h"

#define check(cond)                                                                                          \
	do {                                                                                                 \
		if (!(cond))                                                                                 \
			abort();                                                                             \
	} while (0)

/* What any token promises, `r` bytes consumed from `base`. */
static void check_token(const char *base, ssize_t r, const struct sqltok *t, struct buf *scratch)
{
	check(t->start >= base && t->start + t->size <= base + r);
	check(t->text >= t->start && t->text + t->len <= t->start + t->size);
	if (t->type == SQLTOK_EOF)
		return;
	check(t->size > 0);
	if (t->type == SQLTOK_STRING || t->type == SQLTOK_IDENT) {
		buf_reset(scratch);
		check(sqltok_decode(SQL_SQLITE, t, scratch) == 0);
		check(scratch->len <= t->len);
		check((t->flags & SQLTOK_ESCAPED) || scratch->len == t->len);
	}
	if (t->type == SQLTOK_END)
		check(t->size == 1 && t->start[0] == ';');
	if (t->type == SQLTOK_PUNCT)
		for (size_t i = 0; i < t->size; i++)
			check(t->start[i] && strchr("(),+*/%&~.<>=!|-", t->start[i]));
}

static void check_same(const char *a, const struct sqltok *ta, const char *b, const struct sqltok *tb)
{
	check(ta->type == tb->type && ta->flags == tb->flags && ta->quote == tb->quote);
	check(ta->start - a == tb->start - b && ta->size == tb->size);
	check(ta->text - a == tb->text - b && ta->len == tb->len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *orig = (const char *)data + 1;
	size_t n = size - 1;
	size_t split = (size_t)data[0] * n / 255;
	char *whole = malloc(n ? n : 1), *part = malloc(n ? n : 1);
	check(whole && part);
	memcpy(whole, orig, n);
	memcpy(part, orig, n);
	struct buf scratch = BUF_INIT;
	struct sqltok_state sw, sp;
	sqltok_state_init(&sw, SQL_SQLITE);
	sqltok_state_init(&sp, SQL_SQLITE);
	size_t off = 0, visible = split;
	for (;;) {
		struct sqltok tw, tp;
		ssize_t w = sqltok_sqlite(&sw, whole + off, n - off, 1, &tw);
		ssize_t p;
		for (;;) {
			int eof = visible == n;
			p = sqltok_sqlite(&sp, part + off, visible - off, eof, &tp);
			if (p != 0 || eof)
				break;
			visible = n;
		}
		check(w == p && w >= -1);
		if (w == -1) {
			check(sw.error && sp.error && strcmp(sw.error, sp.error) == 0);
			check(tw.start - whole == tp.start - part && tw.size == tp.size);
			check(tw.start >= whole + off && tw.start + tw.size <= whole + n);
			break;
		}
		check_token(whole + off, w, &tw, &scratch);
		check_same(whole, &tw, part, &tp);
		if (tw.type == SQLTOK_EOF) {
			check(off + (size_t)w == n);
			break;
		}
		check(w > 0);
		off += (size_t)w;
	}
	check(memcmp(whole, orig, n) == 0 && memcmp(part, orig, n) == 0);
	buf_free(&scratch);
	free(whole);
	free(part);
	return 0;
}
