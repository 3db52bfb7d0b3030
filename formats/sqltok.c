/* sqltok.c — what the dialect tokenizers share (see sqltok.h). */
#include "formats/sqltok.h"

#include <string.h>
#include <strings.h>

void sqltok_state_init(struct sqltok_state *st, enum sql_dialect dialect)
{
	memset(st, 0, sizeof *st);
	st->dialect = dialect;
	st->line_start = 1;
}

ssize_t sqltok_fail(struct sqltok_state *st, struct sqltok *tok, const char *p, size_t n, const char *why)
{
	tok->start = p;
	tok->size = n;
	st->error = why;
	return -1;
}

sqltok_fn sqltok_for(enum sql_dialect dialect)
{
	switch (dialect) {
	case SQL_MYSQL:
		return sqltok_mysql;
	case SQL_POSTGRES:
		return sqltok_postgres;
	case SQL_SQLITE:
		return sqltok_sqlite;
	default:
		return NULL;
	}
}

int sqltok_decode(enum sql_dialect dialect, const struct sqltok *tok, struct buf *out)
{
	if (!(tok->flags & SQLTOK_ESCAPED)) {
		buf_add(out, tok->text, tok->len);
		return 0;
	}
	switch (dialect) {
	case SQL_MYSQL:
		return sqltok_decode_mysql(tok, out);
	case SQL_POSTGRES:
		return sqltok_decode_postgres(tok, out);
	case SQL_SQLITE:
		return sqltok_decode_sqlite(tok, out);
	default:
		return -1;
	}
}

int sqltok_is(const struct sqltok *tok, const char *word)
{
	size_t n = strlen(word);
	return tok->type == SQLTOK_WORD && tok->len == n && strncasecmp(tok->text, word, n) == 0;
}

int sqltok_punct(const struct sqltok *tok, const char *punct)
{
	size_t n = strlen(punct);
	return tok->type == SQLTOK_PUNCT && tok->len == n && memcmp(tok->text, punct, n) == 0;
}
