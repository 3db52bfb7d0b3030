/* sqltok_sqlite.c — the SQLite tokenizer and string decoder (see sqltok.h).
 *
 * Follows SQLite's own tokenizer (tokenize.c) for what the sqlite3 shell's .dump writes and
 * what SQL a schema can hold: '…' strings, "…", `…` and […] identifiers (quotes doubled to
 * escape them, brackets not at all), X'…' blobs, decimal and 0x numbers, "--" and block
 * comments, operators, parameters. Whenever the bytes end where a token could still grow
 * (a word, a number, "<" before "=", a quote that may be doubled) and eof is not set, it asks
 * for more, so splitting the input anywhere gives the same tokens. No state spans tokens. */
#include "formats/sqltok.h"

#include <string.h>

#define NEED_MORE 0
#define OPEN	  ((size_t)-1) /* a scan reached the end of the bytes without eof */
#define UNCLOSED  ((size_t)-2) /* a scan reached the end of the input */

static int is_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int is_hex(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* SQLite's IdChar: letters, digits, "_", "$" and every byte of a UTF-8 sequence. */
static int is_ident_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' || c == '$' ||
	       c >= 0x80;
}

/* Skips whitespace and comments from `i`. Returns the index of the first other byte (len at
 * the end), OPEN, or UNCLOSED for a block comment left open at eof (its start in *open). */
static size_t skip_blank(const char *buf, size_t len, int eof, size_t i, size_t *open)
{
	while (i < len) {
		unsigned char c = (unsigned char)buf[i];
		if (is_space(c)) {
			i++;
		} else if ((c == '-' || c == '/') && i + 1 == len && !eof) {
			return OPEN; /* may start a comment */
		} else if (c == '-' && i + 1 < len && buf[i + 1] == '-') {
			const char *nl = memchr(buf + i, '\n', len - i);
			if (!nl)
				return eof ? len : OPEN;
			i = (size_t)(nl - buf) + 1;
		} else if (c == '/' && i + 1 < len && buf[i + 1] == '*') {
			*open = i;
			const char *p = buf + i + 2, *end = buf + len;
			for (;;) {
				const char *star = memchr(p, '*', (size_t)(end - p));
				if (!star || star + 1 >= end)
					return eof ? UNCLOSED : OPEN;
				if (star[1] == '/') {
					i = (size_t)(star + 2 - buf);
					break;
				}
				p = star + 1;
			}
		} else {
			return i;
		}
	}
	return i;
}

/* The body of a quoted token from buf[i] (just after the opening quote) to the closing
 * `close`; with `doubled`, two closing quotes stand for one. Returns the index of the closing
 * quote, OPEN or UNCLOSED; sets *escaped when a doubled quote was seen. */
static size_t quoted_end(const char *buf, size_t len, int eof, size_t i, char close, int doubled,
			 int *escaped)
{
	for (;;) {
		const char *p = memchr(buf + i, close, len - i);
		if (!p)
			return eof ? UNCLOSED : OPEN;
		size_t at = (size_t)(p - buf);
		if (!doubled)
			return at;
		if (at + 1 == len && !eof)
			return OPEN; /* the quote may be doubled */
		if (at + 1 < len && buf[at + 1] == close) {
			*escaped = 1;
			i = at + 2;
			continue;
		}
		return at;
	}
}

/* The end of the run of bytes from `i` that satisfy `pred`, or OPEN when it reaches the end
 * of the bytes without eof. */
static size_t run_end(const char *buf, size_t len, int eof, size_t i, int (*pred)(unsigned char))
{
	while (i < len && pred((unsigned char)buf[i]))
		i++;
	return i == len && !eof ? OPEN : i;
}

static ssize_t emit(struct sqltok *tok, enum sqltok_type type, const char *start, size_t size,
		    const char *text, size_t len, size_t consumed)
{
	tok->type = type;
	tok->start = start;
	tok->size = size;
	tok->text = text;
	tok->len = len;
	return (ssize_t)consumed;
}

static ssize_t quoted(struct sqltok_state *st, const char *buf, size_t len, int eof, size_t i,
		      struct sqltok *tok)
{
	char q = buf[i];
	char close = q == '[' ? ']' : q;
	int escaped = 0;
	size_t end = quoted_end(buf, len, eof, i + 1, close, q != '[', &escaped);
	if (end == OPEN)
		return NEED_MORE;
	if (end == UNCLOSED)
		return sqltok_fail(st, tok, buf + i, len - i,
				   q == '\'' ? "unterminated string" : "unterminated quoted identifier");
	tok->flags = escaped ? SQLTOK_ESCAPED : 0;
	tok->quote = q;
	return emit(tok, q == '\'' ? SQLTOK_STRING : SQLTOK_IDENT, buf + i, end + 1 - i, buf + i + 1,
		    end - i - 1, end + 1);
}

/* X'…' with buf[i] the x. */
static ssize_t blob(struct sqltok_state *st, const char *buf, size_t len, int eof, size_t i,
		    struct sqltok *tok)
{
	size_t j = i + 2;
	while (j < len && is_hex((unsigned char)buf[j]))
		j++;
	if (j == len)
		return eof ? sqltok_fail(st, tok, buf + i, j - i, "unterminated blob literal") : NEED_MORE;
	if (buf[j] != '\'' || (j - i - 2) % 2)
		return sqltok_fail(st, tok, buf + i, j + 1 - i, "malformed blob literal");
	tok->quote = '\'';
	return emit(tok, SQLTOK_HEX, buf + i, j + 1 - i, buf + i + 2, j - i - 2, j + 1);
}

/* The digits after an exponent's "e" from `j`: returns their end, OPEN, or 0 when no digits
 * follow (the number is then malformed, as in SQLite). */
static size_t exponent_end(const char *buf, size_t len, int eof, size_t j)
{
	if (j < len && (buf[j] == '+' || buf[j] == '-'))
		j++;
	if (j == len)
		return eof ? 0 : OPEN;
	if (!is_digit((unsigned char)buf[j]))
		return 0;
	return run_end(buf, len, eof, j, is_digit);
}

/* A number from buf[i] (a digit, or "." before a digit). */
static ssize_t number(struct sqltok_state *st, const char *buf, size_t len, int eof, size_t i,
		      struct sqltok *tok)
{
	size_t j;
	if (buf[i] == '0' && i + 1 < len && (buf[i + 1] == 'x' || buf[i + 1] == 'X')) {
		if (i + 2 == len && !eof)
			return NEED_MORE;
		j = run_end(buf, len, eof, i + 2, is_hex);
		if (j == OPEN)
			return NEED_MORE;
		if (j == i + 2)
			return sqltok_fail(st, tok, buf + i, j - i, "malformed hex number");
	} else {
		j = run_end(buf, len, eof, i, is_digit);
		if (j == OPEN)
			return NEED_MORE;
		if (j < len && buf[j] == '.') {
			j = run_end(buf, len, eof, j + 1, is_digit);
			if (j == OPEN)
				return NEED_MORE;
		}
		if (j < len && (buf[j] == 'e' || buf[j] == 'E')) {
			j = exponent_end(buf, len, eof, j + 1);
			if (j == OPEN)
				return NEED_MORE;
			if (j == 0)
				return sqltok_fail(st, tok, buf + i, 1, "malformed number");
		}
	}
	if (j < len && is_ident_char((unsigned char)buf[j]))
		return sqltok_fail(st, tok, buf + i, j + 1 - i, "malformed number");
	return emit(tok, SQLTOK_NUMBER, buf + i, j - i, buf + i, j - i, j);
}

/* ?, ?NNN, :name, @name, #name, $name. */
static ssize_t param(struct sqltok_state *st, const char *buf, size_t len, int eof, size_t i,
		     struct sqltok *tok)
{
	size_t j = run_end(buf, len, eof, i + 1, buf[i] == '?' ? is_digit : is_ident_char);
	if (j == OPEN)
		return NEED_MORE;
	if (j == i + 1 && buf[i] != '?')
		return sqltok_fail(st, tok, buf + i, 1, "invalid byte");
	return emit(tok, SQLTOK_PARAM, buf + i, j - i, buf + i, j - i, j);
}

/* The length of the operator at buf[i] (0: none), or OPEN when the next byte decides it. */
static size_t operator_size(const char *buf, size_t len, int eof, size_t i)
{
	static const char *const two[] = {"<=", "<>", "<<", ">=", ">>", "==", "!=", "||", "->"};
	char c = buf[i];
	if (c == '\0')
		return 0;
	if (strchr("(),;+*/%&~.", c))
		return 1;
	if (!strchr("<>=!|-", c))
		return 0;
	if (i + 1 == len)
		return eof ? (c == '!' ? 0 : 1) : OPEN;
	for (size_t k = 0; k < sizeof two / sizeof two[0]; k++) {
		if (two[k][0] == c && two[k][1] == buf[i + 1]) {
			if (c != '-')
				return 2;
			if (i + 2 == len && !eof)
				return OPEN; /* "->" or "->>" */
			return i + 2 < len && buf[i + 2] == '>' ? 3 : 2;
		}
	}
	return c == '!' ? 0 : 1;
}

static ssize_t operator(struct sqltok_state *st, const char *buf, size_t len, int eof, size_t i,
			struct sqltok *tok)
{
	size_t n = operator_size(buf, len, eof, i);
	if (n == OPEN)
		return NEED_MORE;
	if (n == 0)
		return sqltok_fail(st, tok, buf + i, 1, "invalid byte");
	enum sqltok_type type = n == 1 && buf[i] == ';' ? SQLTOK_END : SQLTOK_PUNCT;
	return emit(tok, type, buf + i, n, buf + i, n, i + n);
}

ssize_t sqltok_sqlite(struct sqltok_state *st, const char *buf, size_t len, int eof, struct sqltok *tok)
{
	size_t open = 0;
	memset(tok, 0, sizeof *tok);
	size_t i = skip_blank(buf, len, eof, 0, &open);
	if (i == OPEN)
		return NEED_MORE;
	if (i == UNCLOSED)
		return sqltok_fail(st, tok, buf + open, len - open, "unterminated comment");
	if (i == len) {
		if (!eof)
			return NEED_MORE;
		return emit(tok, SQLTOK_EOF, buf + len, 0, buf + len, 0, len);
	}
	unsigned char c = (unsigned char)buf[i];
	unsigned char next = i + 1 < len ? (unsigned char)buf[i + 1] : 0;
	if (c == '\'' || c == '"' || c == '`' || c == '[')
		return quoted(st, buf, len, eof, i, tok);
	if ((c == 'x' || c == 'X') && next == '\'')
		return blob(st, buf, len, eof, i, tok);
	if (is_digit(c) || (c == '.' && is_digit(next)))
		return number(st, buf, len, eof, i, tok);
	if (c == '.' && i + 1 == len && !eof)
		return NEED_MORE; /* ".5" */
	if (c == '?' || c == ':' || c == '@' || c == '#' || c == '$')
		return param(st, buf, len, eof, i, tok);
	if (is_ident_char(c)) {
		size_t j = run_end(buf, len, eof, i, is_ident_char);
		if (j == OPEN)
			return NEED_MORE;
		return emit(tok, SQLTOK_WORD, buf + i, j - i, buf + i, j - i, j);
	}
	return operator(st, buf, len, eof, i, tok);
}

int sqltok_decode_sqlite(const struct sqltok *tok, struct buf *out)
{
	char q = tok->quote;
	if (!(tok->flags & SQLTOK_ESCAPED) || q == '[' || !q) {
		buf_add(out, tok->text, tok->len);
		return 0;
	}
	const char *p = tok->text, *end = tok->text + tok->len;
	while (p < end) {
		const char *at = memchr(p, q, (size_t)(end - p));
		if (!at) {
			buf_add(out, p, (size_t)(end - p));
			break;
		}
		buf_add(out, p, (size_t)(at - p) + 1); /* the first quote of a doubled pair */
		p = at + 2;
	}
	return 0;
}
