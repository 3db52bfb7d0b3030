/* fuzz_sql_postgres.c — libFuzzer target for sqltok_postgres and sqltok_decode_postgres.
 *
 * Input: byte 0 picks where the input is split, the rest is SQL. The text is tokenized twice
 * from exact-size copies: whole with eof set, and as a streaming reader would see it, first
 * only up to the split point without eof, then all of it. Both must give the same tokens
 * (type, flags, place, text) or the same error at the same place; a "need more" must leave
 * the state unchanged. Every token must lie inside its bytes, and every string or identifier
 * is decoded (which may fail, but the same way both times). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "formats/sqltok.h"

#define check(cond)                                                                                          \
	do {                                                                                                 \
		if (!(cond))                                                                                 \
			abort();                                                                             \
	} while (0)

/* One call on an exact-size copy of text[off, visible). */
static ssize_t call(struct sqltok_state *st, const char *text, size_t off, size_t visible, int eof,
		    struct sqltok *tok, size_t *start, size_t *tstart)
{
	size_t avail = visible - off;
	char *copy = malloc(avail ? avail : 1);
	check(copy);
	memcpy(copy, text + off, avail);
	ssize_t r = sqltok_postgres(st, copy, avail, eof, tok);
	if (r != 0 && tok->start) {
		check(tok->start >= copy && tok->start + tok->size <= copy + avail);
		*start = (size_t)(tok->start - copy);
	}
	if (r > 0) {
		check((size_t)r <= avail);
		check(tok->text >= copy && tok->text + tok->len <= copy + avail);
		*tstart = (size_t)(tok->text - copy);
		if (tok->type == SQLTOK_STRING || tok->type == SQLTOK_IDENT) {
			struct buf b = BUF_INIT;
			int rc = sqltok_decode(SQL_POSTGRES, tok, &b);
			check(rc == 0 || rc == -1);
			check(rc < 0 || b.len <= 4 * tok->len);
			buf_free(&b);
		}
	}
	free(copy);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *text = (const char *)data + 1;
	size_t n = size - 1;
	size_t split = (size_t)data[0] * n / 255;
	struct sqltok_state ws, ps;
	sqltok_state_init(&ws, SQL_POSTGRES);
	sqltok_state_init(&ps, SQL_POSTGRES);
	size_t off = 0, visible = split;
	while (off < n) {
		struct sqltok wt, pt;
		size_t wstart = 0, pstart = 0, wtext = 0, ptext = 0;
		ssize_t w = call(&ws, text, off, n, 1, &wt, &wstart, &wtext);
		ssize_t p;
		for (;;) {
			if (visible < off)
				visible = off;
			struct sqltok_state before = ps;
			p = call(&ps, text, off, visible, visible == n, &pt, &pstart, &ptext);
			if (p != 0)
				break;
			check(visible < n);
			check(memcmp(&before, &ps, sizeof ps) == 0);
			visible = n;
		}
		check(w == p && w != 0);
		if (w < 0) {
			check(wstart == pstart && wt.size == pt.size);
			break;
		}
		check(wt.type == pt.type && wt.flags == pt.flags && wt.len == pt.len && wt.size == pt.size);
		check(wstart == pstart && wtext == ptext);
		check(ws.line_start == ps.line_start);
		off += (size_t)w;
		if (wt.type == SQLTOK_EOF) {
			check(off == n);
			break;
		}
	}
	return 0;
}
