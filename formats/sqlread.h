/* sqlread.h — a dump file read as SQL tokens, or as raw lines, with places for errors.
 *
 * Glues formats/input (decompressed bytes) to a tokenizer of formats/sqltok: keeps the unread
 * tail in a buffer, refills it (growing it only while one token is longer than the buffer, up
 * to SQLREAD_MAX_TOKEN), retries the tokenizer when it needs more, and counts lines so that
 * every token has a line and column. Raw lines serve PostgreSQL's COPY data. Memory is bounded
 * by the longest token or line, not by the size of the dump. */
#ifndef AMBER_SQLREAD_H
#define AMBER_SQLREAD_H

#include "core/buf.h"
#include "core/error.h"
#include "formats/input.h"
#include "formats/sqltok.h"

#include <stdint.h>

/* The longest token (a string or blob literal) or line accepted. */
#define SQLREAD_MAX_TOKEN (1u << 30)

struct sqlread {
	struct input *in;
	char name[256]; /* what errors call the input */
	struct sqltok_state st;
	sqltok_fn tokenize;
	struct buf buf; /* bytes not yet consumed start at buf.data + pos */
	size_t pos;
	int eof;
	long line;   /* line of buf.data + pos (1-based) */
	size_t col0; /* bytes between the start of that line and buf.data + pos */
	/* Where the last token or line's bytes start, and its line and col0: places of pointers
	 * into them are counted from here. */
	const char *ref;
	long ref_line;
	size_t ref_col0;
};

/* How many bytes of a token sqlread_quote shows. */
#define SQLREAD_QUOTE_MAX 40
/* Appends up to SQLREAD_QUOTE_MAX bytes of `p` (n bytes) to `b`, readable in a message: control
 * and non-ASCII bytes as \xNN, "..." when cut. */
void sqlread_quote(struct buf *b, const char *p, size_t n);

/* Opens `path` ("-" is stdin) to be read with the tokenizer of `dialect`. `name` is what
 * errors call it. Returns 0 or -1. */
int sqlread_open(struct sqlread *r, const char *path, const char *name, enum sql_dialect dialect,
		 struct amber_error *err);
/* The next token. Returns 1 (a token; SQLTOK_EOF at the end of the input), or -1 with err set
 * to the place and a message that quotes the token ("unterminated string starting 'abc…'",
 * "input ends inside a comment"). The token is valid until the next call. */
int sqlread_token(struct sqlread *r, struct sqltok *tok, struct amber_error *err);
/* The next line, without its "\n" (a "\r" before it is kept). Returns 1, 0 at the end of the
 * input (no bytes left), or -1. A last line without "\n" is returned as a line. Valid until
 * the next call. */
int sqlread_line(struct sqlread *r, const char **line, size_t *len, struct amber_error *err);
/* Line and 1-based byte column of `p`, a pointer into the last token or line returned. */
void sqlread_place(const struct sqlread *r, const char *p, long *line, long *column);
/* Sets err to "name:line:column: message" at `p` (a pointer into the last token or line, or
 * NULL for the position after it). Always returns -1. */
int sqlread_error(const struct sqlread *r, const char *p, struct amber_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Raw bytes read from the file so far (for progress). */
uint64_t sqlread_raw_bytes(const struct sqlread *r);
void sqlread_close(struct sqlread *r);

#endif
