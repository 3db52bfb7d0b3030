/* sink.h — the one streaming byte interface of the image writer and reader.
 *
 * Shaped like libarchive's filters: each stage (tar writer → compressor → sha256 → file, or
 * file → sha256 → decompressor → tar reader) is a struct sink that takes bytes and hands what
 * it produces to its `next` stage. Nothing holds a whole stream in memory.
 *
 * Contract: sink_write may be called any number of times with any split of the stream;
 * sink_close flushes what the stage still holds into its next stage and reports any error
 * found at the end (a truncated stream, say); it does NOT close the next stage: the owner of a
 * chain closes it from head to tail. sink_free releases the stage (never the next one) and is
 * safe on NULL and on a stage that was never closed. */
#ifndef AMBER_SINK_H
#define AMBER_SINK_H

#include "core/digest.h"
#include "core/error.h"

#include <stddef.h>
#include <stdint.h>

struct sink {
	int (*write)(struct sink *s, const void *data, size_t len, struct amber_error *err);
	int (*close)(struct sink *s, struct amber_error *err); /* NULL: nothing to flush */
	void (*free)(struct sink *s);			       /* NULL: embedded, nothing to free */
};

/* Returns 0 or -1 with err set. */
static inline int sink_write(struct sink *s, const void *data, size_t len, struct amber_error *err)
{
	return len ? s->write(s, data, len, err) : 0;
}
static inline int sink_close(struct sink *s, struct amber_error *err)
{
	return s->close ? s->close(s, err) : 0;
}
static inline void sink_free(struct sink *s)
{
	if (s && s->free)
		s->free(s);
}

/* Counts and hashes what passes through, then forwards it to `next` (NULL: nowhere). */
struct sink_digest {
	struct sink base;
	struct digest_sha256 sha;
	uint64_t bytes;
	struct sink *next;
};
void sink_digest_init(struct sink_digest *d, struct sink *next);
/* The hex sha256 of everything written; call once, after the last write. */
void sink_digest_hex(struct sink_digest *d, char hex[DIGEST_HEX_LEN + 1]);

/* Writes to a file descriptor it does not own; `name` (borrowed) goes into error messages. */
struct sink_fd {
	struct sink base;
	int fd;
	const char *name;
	uint64_t bytes;
};
void sink_fd_init(struct sink_fd *f, int fd, const char *name);

/* Forwards every write to two sinks, `a` first. */
struct sink_tee {
	struct sink base;
	struct sink *a, *b;
};
void sink_tee_init(struct sink_tee *t, struct sink *a, struct sink *b);

/* Appends everything to a caller-owned buffer (tests, small documents). */
struct buf;
struct sink_buf {
	struct sink base;
	struct buf *out;
};
void sink_buf_init(struct sink_buf *s, struct buf *out);

#endif
