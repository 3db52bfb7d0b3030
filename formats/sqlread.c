/* sqlread.c — a dump file read as SQL tokens or lines (see sqlread.h). */
#include "formats/sqlread.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int sqlread_open(struct sqlread *r, const char *path, const char *name, enum sql_dialect dialect,
		 struct amber_error *err)
{
	memset(r, 0, sizeof *r);
	snprintf(r->name, sizeof r->name, "%s", name ? name : path);
	sqltok_state_init(&r->st, dialect);
	r->tokenize = sqltok_for(dialect);
	r->line = 1;
	r->ref_line = 1;
	if (!r->tokenize)
		return amber_error_at(err, r->name, 0, 0, "no SQL dialect given");
	r->in = input_open(path, r->name, err);
	return r->in ? 0 : -1;
}

/* Moves the unread tail to the front and appends the next chunk. Returns 0 or -1. */
static int refill(struct sqlread *r, struct amber_error *err)
{
	if (r->pos) {
		buf_consume(&r->buf, r->pos);
		r->pos = 0;
	}
	if (r->buf.len >= SQLREAD_MAX_TOKEN)
		return sqlread_error(r, NULL, err, "a token or line longer than %u MiB",
				     SQLREAD_MAX_TOKEN >> 20);
	return input_read_more(r->in, &r->buf, &r->eof, err);
}

/* Remembers the current position as the one places are counted from. */
static void mark(struct sqlread *r)
{
	r->ref = r->buf.data ? r->buf.data + r->pos : NULL;
	r->ref_line = r->line;
	r->ref_col0 = r->col0;
}

/* Consumes `n` bytes, counting the lines they end. */
static void advance(struct sqlread *r, size_t n)
{
	const char *p = r->buf.data + r->pos, *end = p + n, *nl;
	const char *last = NULL;
	while ((nl = memchr(p, '\n', (size_t)(end - p)))) {
		r->line++;
		last = nl;
		p = nl + 1;
	}
	r->col0 = last ? (size_t)(end - last - 1) : r->col0 + n;
	r->pos += n;
}

void sqlread_quote(struct buf *b, const char *p, size_t n)
{
	size_t k = n > SQLREAD_QUOTE_MAX ? SQLREAD_QUOTE_MAX : n;
	for (size_t i = 0; i < k; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c >= 0x20 && c < 0x7f && c != '"')
			buf_addc(b, (char)c);
		else
			buf_addf(b, "\\x%02x", c);
	}
	if (n > k)
		buf_adds(b, "...");
}

int sqlread_token(struct sqlread *r, struct sqltok *tok, struct amber_error *err)
{
	for (;;) {
		mark(r);
		size_t avail = r->buf.len - r->pos;
		if (avail == 0 && r->eof) {
			memset(tok, 0, sizeof *tok);
			tok->type = SQLTOK_EOF;
			tok->text = tok->start = r->ref ? r->ref : "";
			return 1;
		}
		const char *p = r->buf.data ? r->buf.data + r->pos : "";
		ssize_t n = r->tokenize(&r->st, p, avail, r->eof, tok);
		if (n > 0) {
			advance(r, (size_t)n);
			return 1;
		}
		if (n < 0) {
			struct buf quoted = BUF_INIT;
			const char *at = tok->start ? tok->start : p;
			size_t size = tok->start ? tok->size : 0;
			if (at < p || at > p + avail)
				at = p, size = 0;
			if (size > (size_t)(p + avail - at))
				size = (size_t)(p + avail - at);
			sqlread_quote(&quoted, at, size ? size : (size_t)(p + avail - at));
			sqlread_error(r, at, err, "%s: \"%s\"", r->st.error ? r->st.error : "invalid SQL",
				      buf_str(&quoted));
			buf_free(&quoted);
			return -1;
		}
		if (r->eof)
			return sqlread_error(r, p, err, "the input ends inside a token");
		if (refill(r, err) < 0)
			return -1;
	}
}

int sqlread_line(struct sqlread *r, const char **line, size_t *len, struct amber_error *err)
{
	size_t scanned = 0; /* bytes after pos already known to hold no newline */
	for (;;) {
		mark(r);
		size_t avail = r->buf.len - r->pos;
		const char *p = r->buf.data ? r->buf.data + r->pos : "";
		const char *nl = avail > scanned ? memchr(p + scanned, '\n', avail - scanned) : NULL;
		if (nl || (r->eof && avail)) {
			*line = p;
			*len = nl ? (size_t)(nl - p) : avail;
			r->pos += *len + (nl != NULL);
			if (nl) {
				r->line++;
				r->col0 = 0;
			} else {
				r->col0 += *len;
			}
			return 1;
		}
		if (r->eof)
			return 0;
		scanned = avail;
		if (refill(r, err) < 0)
			return -1;
	}
}

void sqlread_place(const struct sqlread *r, const char *p, long *line, long *column)
{
	long l = r->ref_line;
	size_t col0 = r->ref_col0;
	const char *end = r->buf.data ? r->buf.data + r->buf.len : NULL;
	if (!p && r->buf.data)
		p = r->buf.data + r->pos;
	if (p && r->ref && p >= r->ref && p <= end) {
		for (const char *q = r->ref; q < p; q++) {
			if (*q == '\n') {
				l++;
				col0 = 0;
			} else {
				col0++;
			}
		}
	}
	*line = l;
	*column = (long)col0 + 1;
}

int sqlread_error(const struct sqlread *r, const char *p, struct amber_error *err, const char *fmt, ...)
{
	long line, column;
	sqlread_place(r, p, &line, &column);
	char message[sizeof err->message];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof message, fmt, ap);
	va_end(ap);
	return amber_error_at(err, r->name, line, column, "%s", message);
}

uint64_t sqlread_raw_bytes(const struct sqlread *r)
{
	return r->in ? input_raw_bytes(r->in) : 0;
}

void sqlread_close(struct sqlread *r)
{
	input_close(r->in);
	r->in = NULL;
	buf_free(&r->buf);
}
