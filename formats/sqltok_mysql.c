/* sqltok_mysql.c — the MySQL/MariaDB tokenizer and string decoder (see sqltok.h).
 *
 * Follows the mysql client and server lexers where mysqldump and mariadb-dump output can reach
 * them: backtick identifiers, '…' and "…" strings with backslash escapes, charset introducers
 * merged into their string, hex and bit literals, "#", "-- " and block comments, live
 * conditional comments whose content is read as SQL, and the client's DELIMITER lines. State
 * (the delimiter, being inside a conditional comment, being at a line start) is worked on in
 * a copy and stored only when a token is returned, so a "need more" can simply be retried.
 * Strings are scanned with memchr: a dump is mostly long string and number runs. */
#include "formats/sqltok.h"

#include <string.h>
#include <strings.h>

#define NEED_MORE 0
#define SCAN_MORE ((size_t)-1) /* a scan reached the end of the bytes before eof */
#define SCAN_OPEN ((size_t)-2) /* a string or comment is still open at eof */

/* Character classes, one table lookup per byte in the hot loops. */
enum { C_SPACE = 1, C_DIGIT = 2, C_IDENT = 4, C_HEX = 8 };

static const unsigned char cls[256] = {
    [' '] = C_SPACE, ['\t'] = C_SPACE, ['\n'] = C_SPACE, ['\r'] = C_SPACE, ['\f'] = C_SPACE, ['\v'] = C_SPACE,
#define D(c) [c] = C_DIGIT | C_IDENT | C_HEX
    D('0'),	     D('1'),	       D('2'),		 D('3'),	   D('4'),	     D('5'),
    D('6'),	     D('7'),	       D('8'),		 D('9'),
#undef D
#define H(c) [c] = C_IDENT | C_HEX
    H('a'),	     H('b'),	       H('c'),		 H('d'),	   H('e'),	     H('f'),
    H('A'),	     H('B'),	       H('C'),		 H('D'),	   H('E'),	     H('F'),
#undef H
#define I(c) [c] = C_IDENT
    I('g'),	     I('h'),	       I('i'),		 I('j'),	   I('k'),	     I('l'),
    I('m'),	     I('n'),	       I('o'),		 I('p'),	   I('q'),	     I('r'),
    I('s'),	     I('t'),	       I('u'),		 I('v'),	   I('w'),	     I('x'),
    I('y'),	     I('z'),	       I('G'),		 I('H'),	   I('I'),	     I('J'),
    I('K'),	     I('L'),	       I('M'),		 I('N'),	   I('O'),	     I('P'),
    I('Q'),	     I('R'),	       I('S'),		 I('T'),	   I('U'),	     I('V'),
    I('W'),	     I('X'),	       I('Y'),		 I('Z'),	   I('_'),	     I('$'),
#undef I
#define R8(b)                                                                                                \
	[b] = C_IDENT, [b + 1] = C_IDENT, [b + 2] = C_IDENT, [b + 3] = C_IDENT, [b + 4] = C_IDENT,           \
	[b + 5] = C_IDENT, [b + 6] = C_IDENT, [b + 7] = C_IDENT
#define R64(b) R8(b), R8(b + 8), R8(b + 16), R8(b + 24), R8(b + 32), R8(b + 40), R8(b + 48), R8(b + 56)
    R64(0x80),	     R64(0xc0),
#undef R64
#undef R8
};

static int is_a(unsigned char c, int k)
{
	return (cls[c] & k) != 0;
}

/* What a call works on: the committed state is copied in and stored back with a token. */
struct scan {
	const char *buf;
	size_t len;
	int eof;
	int cond;	/* inside a live conditional comment */
	int line_start; /* only whitespace since the last newline */
	char delim[sizeof((struct sqltok_state *)0)->delimiter];
	size_t open_at; /* where the comment or line that SCAN_OPEN is about starts */
};

/* Whether buf[i..len) is a proper prefix of `word` (case-insensitive): more bytes may make it. */
static int prefix_of(const char *buf, size_t i, size_t len, const char *word)
{
	size_t n = len - i, w = strlen(word);
	return n < w && strncasecmp(buf + i, word, n) == 0;
}

/* A block comment from buf[i] = '/', '*'. Returns the index after it, SCAN_MORE or SCAN_OPEN.
 * A live conditional comment only has its opening consumed, and *cond is set. */
static size_t block_comment(const struct scan *s, size_t i, int *cond)
{
	size_t j = i + 2, len = s->len;
	if (j == len)
		return s->eof ? SCAN_OPEN : SCAN_MORE;
	int bang = s->buf[j] == '!';
	if (s->buf[j] == 'M' || s->buf[j] == 'm') {
		if (j + 1 == len)
			return s->eof ? SCAN_OPEN : SCAN_MORE;
		bang = s->buf[j + 1] == '!';
		j += bang;
	}
	if (bang) {
		size_t d = j + 1;
		unsigned long version = 0;
		while (d < len && d - j - 1 < 6 && is_a((unsigned char)s->buf[d], C_DIGIT))
			version = version * 10 + (unsigned long)(s->buf[d++] - '0');
		if (d == len && !s->eof)
			return SCAN_MORE;
		/* Versions from 99.99.99 up run on no server: MariaDB's sandbox line. */
		if (version < 999999) {
			*cond = 1;
			return d;
		}
	}
	for (;;) {
		const char *star = memchr(s->buf + j, '*', len - j);
		if (!star || (size_t)(star - s->buf) + 1 >= len)
			return s->eof ? SCAN_OPEN : SCAN_MORE;
		j = (size_t)(star - s->buf) + 1;
		if (s->buf[j] == '/')
			return j + 1;
	}
}

/* A DELIMITER line at buf[i]: sets s->delim. Returns the index of its newline (or the end),
 * SCAN_MORE, or SCAN_OPEN for a line without a delimiter or with one too long. */
static size_t delimiter_line(struct scan *s, size_t i)
{
	const char *nl = memchr(s->buf + i, '\n', s->len - i);
	if (!nl && !s->eof)
		return SCAN_MORE;
	size_t end = nl ? (size_t)(nl - s->buf) : s->len;
	size_t a = i + 9;
	while (a < end && (s->buf[a] == ' ' || s->buf[a] == '\t'))
		a++;
	size_t b = a;
	while (b < end && !is_a((unsigned char)s->buf[b], C_SPACE))
		b++;
	if (b == a || b - a >= sizeof s->delim)
		return SCAN_OPEN;
	if (b - a == 1 && s->buf[a] == ';') {
		s->delim[0] = '\0';
	} else {
		memcpy(s->delim, s->buf + a, b - a);
		s->delim[b - a] = '\0';
	}
	return end;
}

/* Whether buf[i] starts a DELIMITER line (at a line start), or may once more bytes come
 * (SCAN_MORE). */
static size_t is_delimiter_line(const struct scan *s, size_t i)
{
	if (!s->line_start || (s->buf[i] != 'D' && s->buf[i] != 'd'))
		return 0;
	if (prefix_of(s->buf, i, s->len, "DELIMITER ") && !s->eof)
		return SCAN_MORE;
	return s->len - i >= 10 && strncasecmp(s->buf + i, "DELIMITER", 9) == 0 &&
	       (s->buf[i + 9] == ' ' || s->buf[i + 9] == '\t');
}

/* Skips whitespace, comments and DELIMITER lines from `i`. Returns the index of the next
 * token's first byte (len at the end), SCAN_MORE, or SCAN_OPEN with *why set. */
static size_t skip_blank(struct scan *s, size_t i, const char **why)
{
	const char *buf = s->buf;
	size_t len = s->len;
	while (i < len) {
		unsigned char c = (unsigned char)buf[i];
		if (is_a(c, C_SPACE)) {
			if (c == '\n')
				s->line_start = 1;
			i++;
			continue;
		}
		size_t r = 0;
		s->open_at = i;
		if (c == '#' || (c == '-' && i + 1 < len && buf[i + 1] == '-' &&
				 (i + 2 < len ? (unsigned char)buf[i + 2] <= ' ' : s->eof))) {
			const char *nl = memchr(buf + i, '\n', len - i);
			if (!nl && !s->eof)
				return SCAN_MORE;
			i = nl ? (size_t)(nl - buf) : len;
			continue;
		}
		if (c == '-' && !s->eof && (i + 1 == len || (buf[i + 1] == '-' && i + 2 == len)))
			return SCAN_MORE; /* may be "-- " */
		if (c == '/' && i + 1 == len && !s->eof)
			return SCAN_MORE;
		if (c == '/' && i + 1 < len && buf[i + 1] == '*') {
			int cond = 0;
			r = block_comment(s, i, &cond);
			if (r == SCAN_OPEN)
				*why = "unterminated comment";
			else if (r != SCAN_MORE && cond && s->cond) {
				*why = "nested conditional comment";
				r = SCAN_OPEN;
			}
			if (r == SCAN_MORE || r == SCAN_OPEN)
				return r;
			s->cond |= cond;
			s->line_start = 0;
			i = r;
			continue;
		}
		if (s->cond && c == '*') {
			if (i + 1 == len && !s->eof)
				return SCAN_MORE;
			if (i + 1 < len && buf[i + 1] == '/') {
				s->cond = 0;
				s->line_start = 0;
				i += 2;
				continue;
			}
		}
		r = is_delimiter_line(s, i);
		if (r == SCAN_MORE)
			return r;
		if (r) {
			r = delimiter_line(s, i);
			if (r == SCAN_MORE)
				return r;
			if (r == SCAN_OPEN) {
				*why = "a DELIMITER line needs a delimiter of 1 to 15 non-blank bytes";
				return r;
			}
			i = r;
			continue;
		}
		return i;
	}
	return i;
}

/* The end of a quoted body from buf[i] (after the opening quote) to its closing `q`: doubled
 * quotes and, with `backslash`, backslash pairs are part of it. Returns the index of the
 * closing quote, SCAN_MORE or SCAN_OPEN; *escaped is set when the body holds either. The
 * next quote is searched once and kept while escapes before it are skipped. */
static size_t quoted_end(const struct scan *s, size_t i, char q, int backslash, int *escaped)
{
	const char *buf = s->buf, *end = buf + s->len, *p = buf + i, *pq = NULL;
	for (;;) {
		if (!pq || pq < p)
			pq = memchr(p, q, (size_t)(end - p));
		const char *lim = pq ? pq : end;
		const char *pb = backslash ? memchr(p, '\\', (size_t)(lim - p)) : NULL;
		if (pb) {
			*escaped = 1;
			if (pb + 1 >= end)
				return s->eof ? SCAN_OPEN : SCAN_MORE;
			p = pb + 2;
			continue;
		}
		if (!pq)
			return s->eof ? SCAN_OPEN : SCAN_MORE;
		if (pq + 1 == end && !s->eof)
			return SCAN_MORE; /* a doubled quote may follow */
		if (pq + 1 < end && pq[1] == q) {
			*escaped = 1;
			p = pq + 2;
			continue;
		}
		return (size_t)(pq - buf);
	}
}

/* A quoted token: `from` is where it starts (an introducer), the quote is at buf[q]. */
static ssize_t quoted(struct sqltok_state *st, const struct scan *s, size_t from, size_t q, unsigned flags,
		      struct sqltok *tok)
{
	char quote = s->buf[q];
	int escaped = 0;
	size_t end = quoted_end(s, q + 1, quote, quote != '`', &escaped);
	if (end == SCAN_MORE)
		return NEED_MORE;
	if (end == SCAN_OPEN)
		return sqltok_fail(st, tok, s->buf + from, s->len - from,
				   quote == '`' ? "unterminated quoted identifier" : "unterminated string");
	tok->type = quote == '`' ? SQLTOK_IDENT : SQLTOK_STRING;
	tok->quote = quote;
	tok->text = s->buf + q + 1;
	tok->len = end - q - 1;
	tok->start = s->buf + from;
	tok->size = end + 1 - from;
	tok->flags = flags | (escaped ? SQLTOK_ESCAPED : 0);
	return (ssize_t)(end + 1);
}

/* X'…' or B'…' from buf[i], the quote at buf[i + 1]: digits of class `k` only. */
static ssize_t digits_quoted(struct sqltok_state *st, const struct scan *s, size_t i, enum sqltok_type type,
			     struct sqltok *tok)
{
	const char *close = memchr(s->buf + i + 2, '\'', s->len - i - 2);
	if (!close)
		return s->eof ? sqltok_fail(st, tok, s->buf + i, s->len - i, "unterminated string")
			      : NEED_MORE;
	size_t end = (size_t)(close - s->buf);
	for (size_t j = i + 2; j < end; j++) {
		unsigned char c = (unsigned char)s->buf[j];
		if (type == SQLTOK_HEX ? !is_a(c, C_HEX) : c != '0' && c != '1')
			return sqltok_fail(st, tok, s->buf + i, end + 1 - i,
					   type == SQLTOK_HEX ? "invalid hex literal"
							      : "invalid bit literal");
	}
	tok->type = type;
	tok->text = s->buf + i + 2;
	tok->len = end - i - 2;
	tok->start = s->buf + i;
	tok->size = end + 1 - i;
	return (ssize_t)(end + 1);
}

/* Sets a token of `type` over buf[from, end) with text buf[text, end). */
static ssize_t plain(struct sqltok *tok, const struct scan *s, enum sqltok_type type, size_t from,
		     size_t text, size_t end)
{
	tok->type = type;
	tok->text = s->buf + text;
	tok->len = end - text;
	tok->start = s->buf + from;
	tok->size = end - from;
	return (ssize_t)end;
}

/* The end of the identifier characters from buf[i], or SCAN_MORE. */
static size_t word_end(const struct scan *s, size_t i)
{
	while (i < s->len && is_a((unsigned char)s->buf[i], C_IDENT))
		i++;
	return i == s->len && !s->eof ? SCAN_MORE : i;
}

/* A word from buf[i]; a _charset word followed by a string is merged into it. */
static ssize_t word(struct sqltok_state *st, const struct scan *s, size_t i, struct sqltok *tok)
{
	size_t end = word_end(s, i);
	if (end == SCAN_MORE)
		return NEED_MORE;
	if (s->buf[i] == '_' && end - i > 1) {
		size_t q = end;
		while (q < s->len && is_a((unsigned char)s->buf[q], C_SPACE))
			q++;
		if (q == s->len && !s->eof)
			return NEED_MORE;
		if (q < s->len && (s->buf[q] == '\'' || s->buf[q] == '"')) {
			int binary = end - i == 7 && strncasecmp(s->buf + i, "_binary", 7) == 0;
			return quoted(st, s, i, q, binary ? SQLTOK_BINARY : SQLTOK_CHARSET, tok);
		}
	}
	return plain(tok, s, SQLTOK_WORD, i, i, end);
}

/* 0x… or 0b… from buf[i] = '0': a literal when digits follow and no identifier character
 * after them. Returns the end, 0 when it is not one, or SCAN_MORE. */
static size_t prefixed_digits(const struct scan *s, size_t i, int hex)
{
	size_t j = i + 2;
	while (j < s->len &&
	       (hex ? is_a((unsigned char)s->buf[j], C_HEX) : s->buf[j] == '0' || s->buf[j] == '1'))
		j++;
	if (j == s->len && !s->eof)
		return SCAN_MORE;
	if (j == i + 2 || (j < s->len && is_a((unsigned char)s->buf[j], C_IDENT)))
		return 0;
	return j;
}

static size_t digits_end(const struct scan *s, size_t i)
{
	while (i < s->len && is_a((unsigned char)s->buf[i], C_DIGIT))
		i++;
	return i;
}

/* A number from buf[i] (a digit, or "." and a digit): 12, 1.5, .5, 1e10, 1.5E-3. Digits
 * running into identifier characters make a word, as MySQL allows (`1abc`). */
static ssize_t number(const struct scan *s, size_t i, struct sqltok *tok)
{
	const char *buf = s->buf;
	size_t len = s->len;
	if (buf[i] == '0' && i + 1 < len && (buf[i + 1] == 'x' || buf[i + 1] == 'b')) {
		int hex = buf[i + 1] == 'x';
		size_t end = prefixed_digits(s, i, hex);
		if (end == SCAN_MORE)
			return NEED_MORE;
		if (end)
			return plain(tok, s, hex ? SQLTOK_HEX : SQLTOK_BITS, i, i + 2, end);
	}
	size_t j = digits_end(s, i);
	if (j < len && buf[j] == '.')
		j = digits_end(s, j + 1);
	if (j < len && (buf[j] == 'e' || buf[j] == 'E')) {
		size_t k = j + 1;
		if (k < len && (buf[k] == '+' || buf[k] == '-'))
			k++;
		if (k == len && !s->eof)
			return NEED_MORE;
		if (k < len && is_a((unsigned char)buf[k], C_DIGIT))
			j = digits_end(s, k);
	}
	if (j == len && !s->eof)
		return NEED_MORE;
	if (j < len && is_a((unsigned char)buf[j], C_IDENT) && buf[i] != '.' &&
	    !memchr(buf + i, '.', j - i)) {
		size_t end = word_end(s, j);
		return end == SCAN_MORE ? NEED_MORE : plain(tok, s, SQLTOK_WORD, i, i, end);
	}
	return plain(tok, s, SQLTOK_NUMBER, i, i, j);
}

/* Operators of two or three bytes, longest first. */
static const char *const operators[] = {
    "<=>", "->>", "<=", ">=", "<>", "!=", ":=", "||", "&&", "<<", ">>", "->"};

static ssize_t punct(struct sqltok_state *st, const struct scan *s, size_t i, struct sqltok *tok)
{
	unsigned char c = (unsigned char)s->buf[i];
	if (c == '(' || c == ')' || c == ',')
		return plain(tok, s, SQLTOK_PUNCT, i, i, i + 1); /* the bulk of an INSERT */
	if (c == '\0' || !strchr("[]{}.;=+-*/%<>!:|&^~", c))
		return sqltok_fail(st, tok, s->buf + i, 1, "a byte that starts no SQL token");
	if (strchr("<>-!:|&", c)) {
		size_t avail = s->len - i;
		for (size_t k = 0; k < sizeof operators / sizeof *operators; k++) {
			size_t n = strlen(operators[k]);
			if (avail < n && !s->eof && memcmp(s->buf + i, operators[k], avail) == 0)
				return NEED_MORE;
			if (avail >= n && memcmp(s->buf + i, operators[k], n) == 0)
				return plain(tok, s, SQLTOK_PUNCT, i, i, i + n);
		}
	}
	return plain(tok, s, SQLTOK_PUNCT, i, i, i + 1);
}

/* @name, @@name or a lone @ (before a quoted name); ? */
static ssize_t param(const struct scan *s, size_t i, struct sqltok *tok)
{
	size_t j = i + 1;
	if (s->buf[i] == '@') {
		if (j < s->len && s->buf[j] == '@')
			j++;
		j = word_end(s, j);
		if (j == SCAN_MORE)
			return NEED_MORE;
	}
	return plain(tok, s, SQLTOK_PARAM, i, i, j);
}

/* The current delimiter at buf[i]: returns its length, 0 when it is not there, or SCAN_MORE. */
static size_t delimiter_at(const struct scan *s, size_t i)
{
	if (!s->delim[0])
		return s->buf[i] == ';';
	const char *d = s->delim;
	size_t n = strlen(d), avail = s->len - i;
	if (avail < n)
		return !s->eof && memcmp(s->buf + i, d, avail) == 0 ? SCAN_MORE : 0;
	return memcmp(s->buf + i, d, n) == 0 ? n : 0;
}

static ssize_t token_at(struct sqltok_state *st, const struct scan *s, size_t i, struct sqltok *tok)
{
	const char *buf = s->buf;
	size_t len = s->len;
	unsigned char c = (unsigned char)buf[i];
	size_t d = delimiter_at(s, i);
	if (d == SCAN_MORE)
		return NEED_MORE;
	if (d)
		return plain(tok, s, SQLTOK_END, i, i, i + d);
	if (c == '`' || c == '\'' || c == '"')
		return quoted(st, s, i, i, 0, tok);
	if (i + 1 < len && buf[i + 1] == '\'') {
		if (c == 'x' || c == 'X')
			return digits_quoted(st, s, i, SQLTOK_HEX, tok);
		if (c == 'b' || c == 'B')
			return digits_quoted(st, s, i, SQLTOK_BITS, tok);
		if (c == 'n' || c == 'N')
			return quoted(st, s, i, i + 1, SQLTOK_CHARSET, tok);
	}
	if (is_a(c, C_DIGIT))
		return number(s, i, tok);
	if (c == '.' && i + 1 == len && !s->eof)
		return NEED_MORE;
	if (c == '.' && i + 1 < len && is_a((unsigned char)buf[i + 1], C_DIGIT))
		return number(s, i, tok);
	if (is_a(c, C_IDENT))
		return word(st, s, i, tok);
	if (c == '@' || c == '?')
		return param(s, i, tok);
	if (c == ';') /* a statement separator inside a body, under another DELIMITER */
		return plain(tok, s, SQLTOK_PUNCT, i, i, i + 1);
	return punct(st, s, i, tok);
}

ssize_t sqltok_mysql(struct sqltok_state *st, const char *buf, size_t len, int eof, struct sqltok *tok)
{
	struct scan s = {buf, len, eof, st->in_conditional, st->line_start, {0}, 0};
	memcpy(s.delim, st->delimiter, sizeof s.delim);
	s.delim[sizeof s.delim - 1] = '\0';
	memset(tok, 0, sizeof *tok);
	const char *why = NULL;
	size_t i = skip_blank(&s, 0, &why);
	if (i == SCAN_MORE)
		return NEED_MORE;
	if (i == SCAN_OPEN)
		return sqltok_fail(st, tok, buf + s.open_at, len - s.open_at, why);
	ssize_t n;
	if (i == len) {
		if (!eof)
			return NEED_MORE;
		if (s.cond)
			return sqltok_fail(st, tok, buf, len, "unterminated conditional comment");
		n = plain(tok, &s, SQLTOK_EOF, i, i, i);
	} else {
		n = token_at(st, &s, i, tok);
		if (n <= 0)
			return n;
		s.line_start = 0;
	}
	st->in_conditional = s.cond;
	st->line_start = s.line_start;
	memcpy(st->delimiter, s.delim, sizeof s.delim);
	return n;
}

/* The byte a backslash escape stands for; \% and \_ keep their backslash (they are LIKE
 * escapes, and MySQL keeps them in plain strings), returned as 0 with *keep set. */
static char unescape(char c, int *keep)
{
	*keep = 0;
	switch (c) {
	case '0':
		return '\0';
	case 'b':
		return '\b';
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case 't':
		return '\t';
	case 'Z':
		return '\x1a';
	case '%':
	case '_':
		*keep = 1;
		return c;
	default:
		return c;
	}
}

int sqltok_decode_mysql(const struct sqltok *tok, struct buf *out)
{
	const char *p = tok->text, *end = p + tok->len;
	char q = tok->quote ? tok->quote : '\'';
	int backslash = q != '`';
	const char *bs = NULL; /* the next backslash at or after p (when searched) */
	int search = backslash;
	buf_grow(out, tok->len);
	while (p < end) {
		/* The next escape or doubled quote, found with memchr: escaped blobs are long. */
		if (search || (bs && bs < p)) {
			bs = memchr(p, '\\', (size_t)(end - p));
			search = 0;
		}
		const char *lim = bs ? bs : end;
		const char *dq = memchr(p, q, (size_t)(lim - p));
		const char *run = p;
		p = dq ? dq : lim;
		buf_add(out, run, (size_t)(p - run));
		if (p == end)
			break;
		if (*p == q) { /* doubled: one of the pair */
			buf_addc(out, q);
			p += 2;
			continue;
		}
		if (p + 1 == end) /* cannot happen in a token the tokenizer made */
			return -1;
		int keep;
		char c = unescape(p[1], &keep);
		if (keep)
			buf_addc(out, '\\');
		buf_addc(out, c);
		p += 2;
	}
	return 0;
}
