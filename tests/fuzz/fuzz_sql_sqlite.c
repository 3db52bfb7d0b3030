/* fuzz_sql_sqlite.c — libFuzzer target for sqltok_sqlite, through the shared lockstep harness
 * (sql_fuzz.h). Besides its checks: a string or identifier decodes to no more bytes than its
 * body (the same bytes when it has no escapes), a terminator is ";" and an operator is made of
 * operator characters. */
#include <string.h>

#include "tests/fuzz/sql_fuzz.h"

static void check_token(const struct sqltok *t, struct buf *scratch)
{
	if (t->type == SQLTOK_STRING || t->type == SQLTOK_IDENT) {
		buf_reset(scratch);
		check(sqltok_decode(SQL_SQLITE, t, scratch) == 0);
		check(scratch->len <= t->len);
		check((t->flags & SQLTOK_ESCAPED) || scratch->len == t->len);
	}
	if (t->type == SQLTOK_END)
		check(t->size == 1 && t->start[0] == ';');
	if (t->type == SQLTOK_PUNCT)
		for (size_t i = 0; i < t->size; i++)
			check(t->start[i] && strchr("(),+*/%&~.<>=!|-", t->start[i]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sql_fuzz_dialect sqlite = {SQL_SQLITE, check_token, 1};
	return sql_fuzz_tokenizer(&sqlite, data, size);
}
