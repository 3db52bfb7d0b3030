/* fuzz_sql_mysql.c — libFuzzer target for the MySQL/MariaDB tokenizer (sqltok_mysql).
 *
 * Input: byte 0 picks where the input is split, the rest is SQL. The text is tokenized twice
 * in lockstep from exact-size copies: whole with eof set, and as a streaming reader sees it,
 * first only up to the split point without eof, then all of it. Both must give the same
 * tokens and the same state, or the same error at the same place; a "need more" must change
 * no state. Every token must lie inside the bytes it consumed, and every string or
 * identifier must decode, to what a byte-at-a-time decoder makes of it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/sqltok.h"

#define check(cond)                                                                                          \
	do {                                                                                                 \
		if (!(cond))                                                                                 \
			abort();                                                                             \
	} while (0)

/* A byte-at-a-time decoder of MySQL string bodies, to check the fast one against. */
static void reference_decode(const struct sqltok *t, struct buf *out)
{
	static const char from[] = "0bnrtZ", to[] = "\0\b\n\r\t\x1a";
	for (size_t i = 0; i < t->len; i++) {
		char c = t->text[i];
		if (c == t->quote) {
			buf_addc(out, c);
			i++;
		} else if (c == '\\' && t->quote != '`' && i + 1 < t->len) {
			char e = t->text[++i];
			const char *k = e ? strchr(from, e) : NULL;
			if (e == '%' || e == '_')
				buf_addc(out, '\\');
			buf_addc(out, k ? to[k - from] : e);
		} else {
			buf_addc(out, c);
		}
	}
}

/* What sqltok.h promises about a token of `r` bytes read from `base`. */
static void check_token(const char *base, ssize_t r, const struct sqltok *t, struct buf *scratch)
{
	check(t->start >= base && t->start + t->size <= base + r);
	check(t->text >= t->start && t->text + t->len <= t->start + t->size);
	if (t->type == SQLTOK_EOF)
		check(t->size == 0);
	else
		check(t->size > 0 && t->start + t->size == base + r);
	if (t->type == SQLTOK_STRING || t->type == SQLTOK_IDENT) {
		buf_reset(scratch);
		check(sqltok_decode(SQL_MYSQL, t, scratch) == 0);
		check(scratch->len <= t->len);
		struct buf ref = BUF_INIT;
		reference_decode(t, &ref);
		check(ref.len == scratch->len &&
		      (ref.len == 0 || memcmp(ref.data, scratch->data, ref.len) == 0));
		buf_free(&ref);
	}
}

static void check_same(const char *a, const struct sqltok *ta, const char *b, const struct sqltok *tb)
{
	check(ta->type == tb->type && ta->flags == tb->flags && ta->quote == tb->quote);
	check(ta->len == tb->len && ta->size == tb->size);
	check(ta->text - a == tb->text - b && ta->start - a == tb->start - b);
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
	struct sqltok_state ws, ps;
	sqltok_state_init(&ws, SQL_MYSQL);
	sqltok_state_init(&ps, SQL_MYSQL);
	size_t off = 0, visible = split;
	for (;;) {
		struct sqltok wt, pt;
		ssize_t w = sqltok_mysql(&ws, whole + off, n - off, 1, &wt);
		ssize_t p;
		for (;;) {
			int eof = visible == n;
			struct sqltok_state before = ps;
			p = sqltok_mysql(&ps, part + off, visible - off, eof, &pt);
			if (p != 0 || eof)
				break;
			check(memcmp(&before, &ps, sizeof ps) == 0);
			visible = n;
		}
		check(w == p);
		if (w < 0) {
			check(ws.error && ps.error && strcmp(ws.error, ps.error) == 0);
			check(wt.start - whole == pt.start - part);
			break;
		}
		check_token(whole + off, w, &wt, &scratch);
		check_same(whole, &wt, part, &pt);
		check(ws.in_conditional == ps.in_conditional && ws.line_start == ps.line_start);
		check(strcmp(ws.delimiter, ps.delimiter) == 0);
		if (wt.type == SQLTOK_EOF) {
			check(off + (size_t)w == n);
			break;
		}
		check(w > 0);
		off += (size_t)w;
	}
	buf_free(&scratch);
	free(whole);
	free(part);
	return 0;
}
