/* buf.h — the one growable byte buffer used everywhere instead of ad-hoc realloc loops.
 *
 * Like git's strbuf: `data` is always NUL-terminated (once anything was added) so it can be
 * handed to C string functions, and `len` never counts that NUL. Allocation failure aborts:
 * a build that cannot get a few kilobytes has no sensible way to continue. */
#ifndef AMBER_BUF_H
#define AMBER_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

#define BUF_INIT                                                                                             \
	{                                                                                                    \
		NULL, 0, 0                                                                                   \
	}

/* Makes room for at least `extra` more bytes (plus the NUL) without changing len. */
void buf_grow(struct buf *b, size_t extra);
/* Appends `n` bytes. */
void buf_add(struct buf *b, const void *data, size_t n);
/* Appends a C string. */
void buf_adds(struct buf *b, const char *s);
/* Appends one byte. */
void buf_addc(struct buf *b, char c);
/* Appends the n bytes of s in double quotes, each '"' doubled: an SQL identifier, a CSV field. */
void buf_add_quoted(struct buf *b, const char *s, size_t n);
/* buf_add_quoted of a C string: an SQL identifier. */
void buf_add_ident(struct buf *b, const char *name);
/* Appends the UTF-8 encoding of code point cp (at most U+10FFFF; the caller checks). */
void buf_add_utf8(struct buf *b, uint32_t cp);
/* Appends printf-formatted text. */
void buf_addf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vaddf(struct buf *b, const char *fmt, va_list ap);
/* Removes the first `n` bytes, moving the rest to the front. */
void buf_consume(struct buf *b, size_t n);
/* Sets len to 0, keeping the allocation. */
void buf_reset(struct buf *b);
/* Frees the allocation and returns the buffer to BUF_INIT. */
void buf_free(struct buf *b);
/* Returns the data as a NUL-terminated string owned by the caller; the buffer is reset. */
char *buf_detach(struct buf *b);
/* Returns the data as a C string ("" when nothing was ever added). */
const char *buf_str(const struct buf *b);

#endif
