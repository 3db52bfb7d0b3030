/* sql_fuzz.c — the lockstep harness of the SQL tokenizer fuzz targets (see sql_fuzz.h). */
#include "tests/fuzz/sql_fuzz.h"

#include <string.h>

/* A call's result, with the token's place as offsets into the text (the copy it was read from
 * is gone by then). */
struct step {
	ssize_t r;
	struct sqltok tok;
	size_t start, text;
};

/* One call on an exact-size copy of text[off, visible). Tokens of the whole text go to the
 * dialect's checks (pass NULL for the streamed one). */
static struct step call(const struct sql_fuzz_dialect *d, struct sqltok_state *st, const char *text,
			size_t off, size_t visible, int eof, struct buf *scratch)
{
	struct step s = {0};
	size_t avail = visible - off;
	char *copy = malloc(avail ? avail : 1);
	check(copy);
	memcpy(copy, text + off, avail);
	s.r = sqltok_for(d->dialect)(st, copy, avail, eof, &s.tok);
	const struct sqltok *t = &s.tok;
	if (s.r != 0 && t->start) {
		check(t->start >= copy && t->start + t->size <= copy + avail);
		s.start = off + (size_t)(t->start - copy);
	}
	if (s.r > 0 || (s.r == 0 && eof)) {
		check((size_t)s.r <= avail && t->start + t->size <= copy + s.r);
		check(t->text >= t->start && t->text + t->len <= t->start + t->size);
		check(t->type == SQLTOK_EOF || t->size > 0);
		s.text = off + (size_t)(t->text - copy);
		if (scratch)
			d->check_token(t, scratch);
	}
	check(memcmp(copy, text + off, avail) == 0);
	free(copy);
	s.tok.start = s.tok.text = NULL;
	return s;
}

static void check_same(const struct step *a, const struct step *b)
{
	check(a->tok.type == b->tok.type && a->tok.flags == b->tok.flags && a->tok.quote == b->tok.quote);
	check(a->start == b->start && a->tok.size == b->tok.size);
	check(a->text == b->text && a->tok.len == b->tok.len);
}

static void check_same_state(const struct sqltok_state *a, const struct sqltok_state *b)
{
	check(a->in_conditional == b->in_conditional && a->line_start == b->line_start);
	check(strcmp(a->delimiter, b->delimiter) == 0);
}

int sql_fuzz_tokenizer(const struct sql_fuzz_dialect *d, const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *text = (const char *)data + 1;
	size_t n = size - 1;
	size_t split = (size_t)data[0] * n / 255;
	struct buf scratch = BUF_INIT;
	struct sqltok_state ws, ps;
	sqltok_state_init(&ws, d->dialect);
	sqltok_state_init(&ps, d->dialect);
	size_t off = 0, visible = split;
	for (;;) {
		struct step w = call(d, &ws, text, off, n, 1, &scratch), p;
		for (;;) {
			if (visible < off)
				visible = off;
			int eof = visible == n;
			struct sqltok_state before = ps;
			p = call(d, &ps, text, off, visible, eof, NULL);
			if (p.r != 0 || eof)
				break;
			check(memcmp(&before, &ps, sizeof ps) == 0);
			visible = n;
		}
		check(w.r == p.r && w.r >= -1);
		if (w.r < 0) {
			check(ws.error && ps.error && strcmp(ws.error, ps.error) == 0);
			check(w.start == p.start);
			check(!d->error_size_is_stable || w.tok.size == p.tok.size);
			break;
		}
		check_same(&w, &p);
		check_same_state(&ws, &ps);
		off += (size_t)w.r;
		if (w.tok.type == SQLTOK_EOF) {
			check(off == n);
			break;
		}
		check(w.r > 0);
	}
	buf_free(&scratch);
	return 0;
}
