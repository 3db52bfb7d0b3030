/* fuzz_sql_mysql.c — libFuzzer target for the MySQL/MariaDB tokenizer (sqltok_mysql), through
 * the shared lockstep harness (sql_fuzz.h). Besides its checks: an end-of-input token is empty,
 * any other ends where the call stopped reading, and every string or identifier decodes, to
 * what a byte-at-a-time decoder makes of it. */
#include <string.h>

#include "tests/fuzz/sql_fuzz.h"

/* A byte-at-a-time decoder of MySQL string bodies, to check the fast one against. */
static void reference_decode(const struct sqltok *t, struct buf *out)
{
	static const char from[] = "0bnrtZ", to[] = "\0\b\n\r\t\x1a";
	for (size_t i = 0; i < t->len; i++) {
		char c = t->text[i];
		if (c == t->quote) {
			buf_addc(out, c);
			i++;
		} else if (c == '\\' && t->quote != '`' && i + 1 < t->len) {
			char e = t->text[++i];
			const char *k = e ? strchr(from, e) : NULL;
			if (e == '%' || e == '_')
				buf_addc(out, '\\');
			buf_addc(out, k ? to[k - from] : e);
		} else {
			buf_addc(out, c);
		}
	}
}

static void check_token(const struct sqltok *t, struct buf *scratch)
{
	if (t->type == SQLTOK_EOF)
		check(t->size == 0);
	if (t->type != SQLTOK_STRING && t->type != SQLTOK_IDENT)
		return;
	buf_reset(scratch);
	check(sqltok_decode(SQL_MYSQL, t, scratch) == 0);
	check(scratch->len <= t->len);
	struct buf ref = BUF_INIT;
	reference_decode(t, &ref);
	check(ref.len == scratch->len && (ref.len == 0 || memcmp(ref.data, scratch->data, ref.len) == 0));
	buf_free(&ref);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct sql_fuzz_dialect mysql = {SQL_MYSQL, check_token, 0};
	return sql_fuzz_tokenizer(&mysql, data, size);
}
