/* sqltok_sqlite.c — the sqlite tokenizer (see sqltok.h). Placeholder until written. */
#include "formats/sqltok.h"

ssize_t sqltok_sqlite(struct sqltok_state *st, const char *buf, size_t len, int eof, struct sqltok *tok)
{
	st->error = "not implemented";
	return -1;
}

int sqltok_decode_sqlite(const struct sqltok *tok, struct buf *out)
{
	return -1;
}
