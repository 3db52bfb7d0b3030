/* fuzz_sql_postgres.c — libFuzzer target for sqltok_postgres and sqltok_decode_postgres,
 * through the shared lockstep harness (sql_fuzz.h). Besides its checks: every string or
 * identifier is decoded, which may fail (an invalid escape) but must not make more than four
 * bytes of one. */
#include "tests/fuzz/sql_fuzz.h"

static void check_token(const struct sqltok *t, struct buf *scratch)
{
	if (t->type != SQLTOK_STRING && t->type != SQLTOK_IDENT)
		return;
	buf_reset(scratch);
	int rc = sqltok_decode(SQL_POSTGRES, t, scratch);
	check(rc == 0 || rc == -1);
	check(rc < 0 || scratch->len <= 4 * t->len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sql_fuzz_dialect postgres = {SQL_POSTGRES, check_token, 1};
	return sql_fuzz_tokenizer(&postgres, data, size);
}
