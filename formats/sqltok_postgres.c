/* sqltok_postgres.c — the PostgreSQL tokenizer and string decoder (see sqltok.h).
 *
 * Follows PostgreSQL's lexer where pg_dump and pg_dumpall output can reach it: "…"
 * identifiers, standard and E'' strings, dollar quoting, X'' and B'' literals, numbers,
 * operators (cut before "--" and slash-star, trailing + or - dropped as the server does),
 * nested block comments, and psql's backslash commands, which own the rest of their line.
 * The state changes only when a token is returned, so a "need more" can be retried. */
#include "formats/sqltok.h"

#include "core/hex.h"

#include <stdint.h>
#include <string.h>

#define NEED_MORE 0

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int is_ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

static int is_ident_char(unsigned char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* Operator characters of PostgreSQL's lexer. */
static int is_op_char(unsigned char c)
{
	return c && strchr("+-*/<>=~!@#%^&|`?", c) != NULL;
}

/* Skips whitespace and comments from `i`. Returns the index of the first other byte, or
 * (size_t)-1 for need-more, (size_t)-2 for a comment left open at eof. *line_start tells
 * whether only whitespace stands between that byte and the start of its line. */
static size_t skip_blank(const char *buf, size_t len, int eof, size_t i, int *line_start, size_t *open)
{
	while (i < len) {
		unsigned char c = (unsigned char)buf[i];
		if (is_space(c)) {
			if (c == '\n')
				*line_start = 1;
			i++;
		} else if (c == '-' && i + 1 < len && buf[i + 1] == '-') {
			const char *nl = memchr(buf + i, '\n', len - i);
			if (!nl)
				return eof ? len : (size_t)-1;
			i = (size_t)(nl - buf);
		} else if (c == '/' && i + 1 < len && buf[i + 1] == '*') {
			size_t depth = 1;
			*open = i;
			i += 2;
			while (depth) {
				if (i + 1 >= len)
					return eof ? (size_t)-2 : (size_t)-1;
				if (buf[i] == '*' && buf[i + 1] == '/')
					depth--, i += 2;
				else if (buf[i] == '/' && buf[i + 1] == '*')
					depth++, i += 2;
				else
					i++;
			}
			*line_start = 0;
		} else if ((c == '-' || c == '/') && i + 1 == len && !eof) {
			return (size_t)-1; /* may start a comment */
		} else {
			return i;
		}
	}
	return i;
}

/* A quoted body from buf[i] (just after the opening quote) to its closing `q`: a doubled
 * quote is part of the body; with `backslash`, so is a quote after a backslash. Returns the
 * index of the closing quote, (size_t)-1 for need-more, (size_t)-2 when unterminated.
 * *escaped is set when the body holds doubled quotes or backslashes. */
static size_t quoted_end(const char *buf, size_t len, int eof, size_t i, char q, int backslash, int *escaped)
{
	for (;;) {
		const char *p = memchr(buf + i, q, len - i);
		if (backslash) {
			const char *bs = memchr(buf + i, '\\', (size_t)((p ? p : buf + len) - (buf + i)));
			if (bs) {
				*escaped = 1;
				if ((size_t)(bs - buf) + 1 >= len)
					return eof ? (size_t)-2 : (size_t)-1;
				i = (size_t)(bs - buf) + 2;
				continue;
			}
		}
		if (!p)
			return eof ? (size_t)-2 : (size_t)-1;
		size_t at = (size_t)(p - buf);
		if (at + 1 >= len && !eof)
			return (size_t)-1; /* a doubled quote may follow */
		if (at + 1 < len && buf[at + 1] == q) {
			*escaped = 1;
			i = at + 2;
			continue;
		}
		return at;
	}
}

/* A quoted token starting at buf[s]; the quote is at buf[q]. */
static ssize_t quoted(struct sqltok_state *st, const char *buf, size_t len, int eof, size_t s, size_t q,
		      enum sqltok_type type, int backslash, struct sqltok *tok)
{
	int escaped = 0;
	size_t end = quoted_end(buf, len, eof, q + 1, buf[q], backslash, &escaped);
	if (end == (size_t)-1)
		return NEED_MORE;
	if (end == (size_t)-2)
		return sqltok_fail(st, tok, buf + s, len - s,
				   type == SQLTOK_IDENT ? "unterminated quoted identifier"
							: "unterminated string");
	tok->type = type;
	tok->quote = buf[q];
	tok->text = buf + q + 1;
	tok->len = end - q - 1;
	tok->start = buf + s;
	tok->size = end + 1 - s;
	tok->flags = escaped ? SQLTOK_ESCAPED : 0;
	if (type == SQLTOK_IDENT && tok->len == 0)
		return sqltok_fail(st, tok, buf + s, tok->size, "zero-length quoted identifier");
	return (ssize_t)(end + 1);
}

/* $tag$…$tag$ at buf[s], or a $1 parameter. */
static ssize_t dollar(struct sqltok_state *st, const char *buf, size_t len, int eof, size_t s,
		      struct sqltok *tok)
{
	size_t i = s + 1;
	if (i < len && is_digit((unsigned char)buf[i])) {
		while (i < len && is_digit((unsigned char)buf[i]))
			i++;
		if (i == len && !eof)
			return NEED_MORE;
		tok->type = SQLTOK_PARAM;
		tok->text = tok->start = buf + s;
		tok->len = tok->size = i - s;
		return (ssize_t)i;
	}
	if (i < len && is_ident_start((unsigned char)buf[i]))
		while (i < len && is_ident_char((unsigned char)buf[i]) && buf[i] != '$')
			i++;
	if (i == len)
		return eof ? sqltok_fail(st, tok, buf + s, len - s, "invalid dollar quote") : NEED_MORE;
	if (buf[i] != '$')
		return sqltok_fail(st, tok, buf + s, i + 1 - s, "invalid dollar quote");
	size_t taglen = i + 1 - s, body = i + 1;
	for (size_t k = body;;) {
		const char *p = k < len ? memchr(buf + k, '$', len - k) : NULL;
		if (!p || (size_t)(p - buf) + taglen > len) {
			if (!eof)
				return NEED_MORE;
			return sqltok_fail(st, tok, buf + s, len - s, "unterminated dollar-quoted string");
		}
		size_t at = (size_t)(p - buf);
		if (memcmp(buf + at, buf + s, taglen) == 0) {
			tok->type = SQLTOK_STRING;
			tok->quote = '$';
			tok->flags = SQLTOK_DOLLAR;
			tok->text = buf + body;
			tok->len = at - body;
			tok->start = buf + s;
			tok->size = at + taglen - s;
			return (ssize_t)(at + taglen);
		}
		k = at + 1;
	}
}

/* A number at buf[s]: digits, a fraction, an exponent. The exponent is taken only when
 * digits follow it (as PostgreSQL does, "1e" is 1 then e). */
static ssize_t number(const char *buf, size_t len, int eof, size_t s, struct sqltok *tok)
{
	size_t i = s;
	while (i < len && is_digit((unsigned char)buf[i]))
		i++;
	if (i < len && buf[i] == '.' && !(i + 1 < len && buf[i + 1] == '.')) {
		if (i + 1 == len && !eof)
			return NEED_MORE; /* "1." or "1.." */
		i++;
		while (i < len && is_digit((unsigned char)buf[i]))
			i++;
	}
	if (i < len && (buf[i] == 'e' || buf[i] == 'E')) {
		size_t k = i + 1;
		if (k < len && (buf[k] == '+' || buf[k] == '-'))
			k++;
		if (k >= len && !eof)
			return NEED_MORE;
		if (k < len && is_digit((unsigned char)buf[k])) {
			while (k < len && is_digit((unsigned char)buf[k]))
				k++;
			i = k;
		}
	}
	if (i == len && !eof)
		return NEED_MORE;
	tok->type = SQLTOK_NUMBER;
	tok->text = tok->start = buf + s;
	tok->len = tok->size = i - s;
	return (ssize_t)i;
}

/* An operator at buf[s]: the longest run of operator characters, cut before a comment, and
 * without trailing + or - unless it holds one of ~ ! @ # % ^ & | ` ? (PostgreSQL's rule, so
 * that "=-1" is "=", "-", "1"). */
static ssize_t operator(const char *buf, size_t len, int eof, size_t s, struct sqltok *tok)
{
	size_t i = s;
	while (i < len && is_op_char((unsigned char)buf[i])) {
		if (i > s && ((buf[i] == '-' && buf[i - 1] == '-') || (buf[i] == '*' && buf[i - 1] == '/'))) {
			i--;
			break;
		}
		i++;
	}
	if (i == len && !eof)
		return NEED_MORE;
	size_t n = i - s;
	if (n > 1) {
		int special = 0;
		for (size_t k = s; k < i; k++)
			special |= strchr("~!@#%^&|`?", buf[k]) != NULL;
		while (!special && n > 1 && (buf[s + n - 1] == '+' || buf[s + n - 1] == '-'))
			n--;
	}
	tok->type = SQLTOK_PUNCT;
	tok->text = tok->start = buf + s;
	tok->len = tok->size = n;
	return (ssize_t)(s + n);
}

/* A psql backslash command: the rest of the line, without its newline (or "\r\n"). */
static ssize_t meta(const char *buf, size_t len, int eof, size_t s, struct sqltok *tok)
{
	const char *nl = memchr(buf + s, '\n', len - s);
	if (!nl && !eof)
		return NEED_MORE;
	size_t end = nl ? (size_t)(nl - buf) : len;
	size_t n = end - s;
	if (n && buf[s + n - 1] == '\r')
		n--;
	tok->type = SQLTOK_META;
	tok->text = tok->start = buf + s;
	tok->len = tok->size = n;
	return (ssize_t)end;
}

/* A word, or the prefix of a string: E'…', X'…', B'…', N'…'. */
static ssize_t word(struct sqltok_state *st, const char *buf, size_t len, int eof, size_t s,
		    struct sqltok *tok)
{
	size_t i = s;
	while (i < len && is_ident_char((unsigned char)buf[i]))
		i++;
	if (i == len && !eof)
		return NEED_MORE;
	if (i == s + 1 && i < len && buf[i] == '\'') {
		ssize_t n;
		switch (buf[s] | 0x20) {
		case 'e':
			return quoted(st, buf, len, eof, s, i, SQLTOK_STRING, 1, tok);
		case 'n':
			n = quoted(st, buf, len, eof, s, i, SQLTOK_STRING, 0, tok);
			if (n > 0)
				tok->flags |= SQLTOK_CHARSET;
			return n;
		case 'x':
		case 'b':
			n = quoted(st, buf, len, eof, s, i, SQLTOK_STRING, 0, tok);
			if (n > 0)
				tok->type = (buf[s] | 0x20) == 'x' ? SQLTOK_HEX : SQLTOK_BITS;
			return n;
		default:
			break;
		}
	}
	tok->type = SQLTOK_WORD;
	tok->text = tok->start = buf + s;
	tok->len = tok->size = i - s;
	return (ssize_t)i;
}

static ssize_t single(const char *buf, size_t s, enum sqltok_type type, struct sqltok *tok)
{
	tok->type = type;
	tok->text = tok->start = buf + s;
	tok->len = tok->size = 1;
	return (ssize_t)(s + 1);
}

static ssize_t token_at(struct sqltok_state *st, const char *buf, size_t len, int eof, size_t s,
			int line_start, struct sqltok *tok)
{
	unsigned char c = (unsigned char)buf[s];
	if (c == '\\' && line_start)
		return meta(buf, len, eof, s, tok);
	if (is_ident_start(c))
		return word(st, buf, len, eof, s, tok);
	if (is_digit(c))
		return number(buf, len, eof, s, tok);
	switch (c) {
	case '\'':
		return quoted(st, buf, len, eof, s, s, SQLTOK_STRING, 0, tok);
	case '"':
		return quoted(st, buf, len, eof, s, s, SQLTOK_IDENT, 0, tok);
	case '$':
		return dollar(st, buf, len, eof, s, tok);
	case ';':
		return single(buf, s, SQLTOK_END, tok);
	case '.':
		if (s + 1 == len && !eof)
			return NEED_MORE;
		if (s + 1 < len && is_digit((unsigned char)buf[s + 1]))
			return number(buf, len, eof, s, tok);
		return single(buf, s, SQLTOK_PUNCT, tok);
	case ':':
		if (s + 1 == len && !eof)
			return NEED_MORE;
		if (s + 1 < len && buf[s + 1] == ':') {
			single(buf, s, SQLTOK_PUNCT, tok);
			tok->len = tok->size = 2;
			return (ssize_t)(s + 2);
		}
		return single(buf, s, SQLTOK_PUNCT, tok);
	case '(':
	case ')':
	case ',':
	case '[':
	case ']':
	case '\\':
		return single(buf, s, SQLTOK_PUNCT, tok);
	default:
		if (is_op_char(c))
			return operator(buf, len, eof, s, tok);
		return sqltok_fail(st, tok, buf + s, 1, "invalid byte");
	}
}

ssize_t sqltok_postgres(struct sqltok_state *st, const char *buf, size_t len, int eof, struct sqltok *tok)
{
	memset(tok, 0, sizeof *tok);
	int line_start = st->line_start;
	size_t open = 0;
	size_t s = skip_blank(buf, len, eof, 0, &line_start, &open);
	if (s == (size_t)-1)
		return NEED_MORE;
	if (s == (size_t)-2)
		return sqltok_fail(st, tok, buf + open, len - open, "unterminated comment");
	if (s == len) {
		if (!eof)
			return NEED_MORE;
		tok->type = SQLTOK_EOF;
		tok->text = tok->start = buf + len;
		st->line_start = line_start;
		return (ssize_t)len;
	}
	ssize_t n = token_at(st, buf, len, eof, s, line_start, tok);
	if (n > 0)
		st->line_start = 0;
	return n;
}

/* Reads exactly `n` hex digits at p[*i]. Returns the value, or -1. */
static long hex_exact(const char *p, size_t len, size_t *i, size_t n)
{
	long v = 0;
	if (*i + n > len)
		return -1;
	for (size_t k = 0; k < n; k++) {
		int h = hex_digit(p[*i + k]);
		if (h < 0)
			return -1;
		v = v * 16 + h;
	}
	*i += n;
	return v;
}

/* \uXXXX or \UXXXXXXXX at p[*i] (after the backslash and letter), joining a UTF-16
 * surrogate pair written as two \u escapes, as the server does. */
static int unicode_escape(const char *p, size_t len, size_t *i, size_t digits, struct buf *out)
{
	long cp = hex_exact(p, len, i, digits);
	if (cp < 0)
		return -1;
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (*i + 2 > len || p[*i] != '\\' || (p[*i + 1] != 'u' && p[*i + 1] != 'U'))
			return -1;
		*i += 2;
		long lo = hex_exact(p, len, i, p[*i - 1] == 'u' ? 4 : 8);
		if (lo < 0xdc00 || lo > 0xdfff)
			return -1;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	buf_add_utf8(out, (uint32_t)cp);
	return 0;
}

/* One backslash escape of an E'' string at p[*i] (after the backslash). */
static int escape(const char *p, size_t len, size_t *i, struct buf *out)
{
	char c = p[(*i)++];
	switch (c) {
	case 'b':
		buf_addc(out, '\b');
		return 0;
	case 'f':
		buf_addc(out, '\f');
		return 0;
	case 'n':
		buf_addc(out, '\n');
		return 0;
	case 'r':
		buf_addc(out, '\r');
		return 0;
	case 't':
		buf_addc(out, '\t');
		return 0;
	case 'u':
		return unicode_escape(p, len, i, 4, out);
	case 'U':
		return unicode_escape(p, len, i, 8, out);
	case 'x':
		if (*i < len && hex_digit(p[*i]) >= 0) {
			int v = hex_digit(p[(*i)++]);
			if (*i < len && hex_digit(p[*i]) >= 0)
				v = v * 16 + hex_digit(p[(*i)++]);
			buf_addc(out, (char)v);
			return 0;
		}
		buf_addc(out, c);
		return 0;
	default:
		if (c >= '0' && c <= '7') {
			int v = c - '0';
			for (int k = 0; k < 2 && *i < len && p[*i] >= '0' && p[*i] <= '7'; k++)
				v = v * 8 + (p[(*i)++] - '0');
			buf_addc(out, (char)v);
			return 0;
		}
		buf_addc(out, c);
		return 0;
	}
}

int sqltok_decode_postgres(const struct sqltok *tok, struct buf *out)
{
	const char *p = tok->text;
	size_t len = tok->len;
	int backslash = tok->type == SQLTOK_STRING && tok->quote == '\'' && tok->start &&
			(tok->start[0] == 'E' || tok->start[0] == 'e');
	if (tok->flags & SQLTOK_DOLLAR) {
		buf_add(out, p, len);
		return 0;
	}
	buf_grow(out, len);
	for (size_t i = 0; i < len;) {
		if (backslash && p[i] == '\\' && i + 1 < len) {
			i++;
			if (escape(p, len, &i, out) < 0)
				return -1;
		} else if (p[i] == tok->quote && i + 1 < len && p[i + 1] == tok->quote) {
			buf_addc(out, p[i]);
			i += 2;
		} else {
			buf_addc(out, p[i++]);
		}
	}
	return 0;
}
