/* sql_fuzz.h — the harness the SQL tokenizer fuzz targets share (tests/fuzz/fuzz_sql_*.c).
 *
 * Input: byte 0 picks where the input is split, the rest is SQL. The text is tokenized twice
 * in lockstep, every call on an exact-size copy of the bytes it is given (so that ASan sees any
 * read past them): whole with eof set, and as a streaming reader sees it, first only up to the
 * split point without eof, then all of it. Both must give the same tokens (type, flags, quote,
 * place, text) and the same state, or the same error at the same place; a "need more" must
 * change no state, and no call may write into its input. Every token must lie inside the bytes
 * it consumed, its text inside it; the dialect then checks what its tokens promise besides. */
#ifndef AMBER_SQL_FUZZ_H
#define AMBER_SQL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "core/buf.h"
#include "formats/sqltok.h"

/* Aborts, which libFuzzer reports as a crash with the input, unless `cond` holds. */
#define check(cond)                                                                                          \
	do {                                                                                                 \
		if (!(cond))                                                                                 \
			abort();                                                                             \
	} while (0)

/* A tokenizer under test: its dialect; the checks its tokens must pass besides the shared
 * ones (called for every token of the whole text, while its pointers are valid; `scratch` is a
 * buffer to decode into); whether an error's token has the same size however the text arrives
 * (MySQL's reaches as far as the bytes it was given). */
struct sql_fuzz_dialect {
	enum sql_dialect dialect;
	void (*check_token)(const struct sqltok *tok, struct buf *scratch);
	int error_size_is_stable;
};

/* Runs the checks above on one fuzz input; returns 0 (a failed check aborts). */
int sql_fuzz_tokenizer(const struct sql_fuzz_dialect *d, const uint8_t *data, size_t size);

#endif
