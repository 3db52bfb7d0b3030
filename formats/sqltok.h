/* sqltok.h — streaming SQL tokenizers, one per dialect of dump (MySQL/MariaDB, PostgreSQL,
 * SQLite), sharing one token type.
 *
 * Contract of every tokenizer: given the unread bytes (buf, len) and whether the input ends
 * after them (eof), it skips whitespace and comments and returns
 *   > 0  the bytes consumed (leading whitespace and comments included), with *tok filled;
 *        at the end of the input (only whitespace or comments left, eof set) tok->type is
 *        SQLTOK_EOF;
 *     0  need more: the bytes end inside a token or comment and eof is not set (the caller
 *        reads more and calls again with the same start);
 *    -1  error: st->error says what ("unterminated string", "invalid byte"), tok->start
 *        points at the offending token (tok->size bytes of it).
 * Tokens point into buf; they are valid until the caller moves or refills its buffer. Nothing
 * is allocated: a string's body is returned as written, and sqltok_decode undoes its escapes
 * when a value is needed. The state carries what spans tokens (MySQL's DELIMITER and
 * conditional comments). */
#ifndef AMBER_SQLTOK_H
#define AMBER_SQLTOK_H

#include "core/buf.h"

#include <stddef.h>
#include <sys/types.h>

enum sql_dialect { SQL_NONE = 0, SQL_MYSQL, SQL_POSTGRES, SQL_SQLITE };

enum sqltok_type {
	SQLTOK_EOF = 0,
	SQLTOK_WORD,   /* keyword or bare identifier, case as written: CREATE, public, t1, _binary */
	SQLTOK_IDENT,  /* quoted identifier: text is the body without quotes (doubled quotes kept,
			  SQLTOK_ESCAPED set) */
	SQLTOK_STRING, /* string literal: text is the body without quotes or prefix */
	SQLTOK_NUMBER, /* unsigned numeric literal as written: 12, 1.5, .5, 6.02e23, 1e999 (a sign is
			  a separate SQLTOK_PUNCT) */
	SQLTOK_HEX,    /* 0x0A1B or X'0A1B': text is the hex digits only (possibly none) */
	SQLTOK_BITS,   /* b'0101', B'0101' or 0b0101: text is the binary digits only */
	SQLTOK_PUNCT,  /* an operator or punctuation: ( ) , . = + - * / :: and the like */
	SQLTOK_END,    /* the statement terminator: ";" or MySQL's current DELIMITER */
	SQLTOK_META,   /* a client command on its own line: psql's "\connect db", "\restrict K";
			  text is the whole line without its newline (MySQL's DELIMITER lines are
			  handled inside the tokenizer and never returned) */
	SQLTOK_PARAM   /* a parameter: ?, ?1, :name, @name, $1 */
};

/* Flags of a token. */
#define SQLTOK_ESCAPED 0x1u /* the body holds escapes or doubled quotes: use sqltok_decode */
#define SQLTOK_BINARY  0x2u /* MySQL's _binary introducer: the string is bytes, not text */
#define SQLTOK_CHARSET 0x4u /* another introducer (_utf8mb4, _latin1, N'…'): text follows */
#define SQLTOK_DOLLAR  0x8u /* a PostgreSQL $tag$…$tag$ string: the body is taken literally */

struct sqltok {
	enum sqltok_type type;
	const char *text; /* the content described above */
	size_t len;
	const char *start; /* the token as written, for error places and messages */
	size_t size;
	unsigned flags;
	char quote; /* the quote of a string or identifier: ' " ` [ or $ */
};

/* What tokenizers keep between calls. Zero it (or use sqltok_state_init) before the first. */
struct sqltok_state {
	enum sql_dialect dialect;
	char delimiter[16]; /* MySQL: the statement terminator set by DELIMITER ("" means ";") */
	int in_conditional; /* MySQL: inside a live slash-star-bang conditional comment */
	int line_start;	    /* the next byte starts a line (DELIMITER and psql commands) */
	const char *error;  /* a static message when a call returned -1 */
};

typedef ssize_t (*sqltok_fn)(struct sqltok_state *st, const char *buf, size_t len, int eof,
			     struct sqltok *tok);

void sqltok_state_init(struct sqltok_state *st, enum sql_dialect dialect);
/* A tokenizer's error return: the n bytes at p are the offending token, `why` (static) says
 * what is wrong. Returns -1. */
ssize_t sqltok_fail(struct sqltok_state *st, struct sqltok *tok, const char *p, size_t n, const char *why);

/* MySQL/MariaDB: backtick and double-quoted identifiers, '…' and "…" strings with backslash
 * escapes (\0 \' \" \b \n \r \t \Z \\ \% \_) and doubled quotes, _charset introducers, 0x…,
 * X'…', b'…', 0b…, # and "-- " comments, live conditional comments (their content is SQL;
 * versioned ones above 99.99.99, such as MariaDB's sandbox line, are plain comments),
 * DELIMITER lines. */
ssize_t sqltok_mysql(struct sqltok_state *st, const char *buf, size_t len, int eof, struct sqltok *tok);
/* PostgreSQL: "…" identifiers, '…' standard strings, E'…' escape strings, $tag$…$tag$, X'…',
 * B'…', nested block comments, "--" comments, ::, psql backslash commands (SQLTOK_META). COPY
 * data is not SQL: after a COPY … FROM stdin statement the caller reads lines itself. */
ssize_t sqltok_postgres(struct sqltok_state *st, const char *buf, size_t len, int eof, struct sqltok *tok);
/* SQLite: '…' strings with doubled quotes, "…", `…` and […] identifiers, X'…', numbers
 * including 1e999, "--" and block comments. */
ssize_t sqltok_sqlite(struct sqltok_state *st, const char *buf, size_t len, int eof, struct sqltok *tok);

/* The tokenizer of a dialect. */
sqltok_fn sqltok_for(enum sql_dialect dialect);

/* Appends the value of a STRING or IDENT token to `out`, escapes undone per the dialect and
 * the token's quote and flags (MySQL backslash escapes; PostgreSQL E'' escapes including octal,
 * \x and \u; doubled quotes everywhere). Returns 0, or -1 for an invalid escape (PostgreSQL
 * \u out of range). */
int sqltok_decode(enum sql_dialect dialect, const struct sqltok *tok, struct buf *out);
/* The dialects' own decoders, behind sqltok_decode (each lives beside its tokenizer). */
int sqltok_decode_mysql(const struct sqltok *tok, struct buf *out);
int sqltok_decode_postgres(const struct sqltok *tok, struct buf *out);
int sqltok_decode_sqlite(const struct sqltok *tok, struct buf *out);
/* Whether a WORD token is `word`, ignoring case. */
int sqltok_is(const struct sqltok *tok, const char *word);
/* Whether a PUNCT token is exactly `punct`. */
int sqltok_punct(const struct sqltok *tok, const char *punct);

#endif
