/* input.h — one input file as a stream of decompressed bytes.
 *
 * Reads a path (or "-" for stdin) through libarchive's raw format, so gzip, zstd, xz and
 * bzip2 are undone transparently and detected by content, not by name. While reading it
 * counts the raw (still compressed) bytes, for progress against the file's size, and hashes
 * them, so a source's sha256 costs no second read. */
#ifndef AMBER_INPUT_H
#define AMBER_INPUT_H

#include "core/buf.h"
#include "core/digest.h"
#include "core/error.h"

#include <stdint.h>
#include <sys/types.h>

struct input;

/* Opens `path` ("-" is stdin). `name` is what errors call it (NULL: the path). NULL on error. */
struct input *input_open(const char *path, const char *name, struct amber_error *err);
/* Reads up to `cap` decompressed bytes into `dst`. Returns the count, 0 at the end, -1 on a
 * read or decompression error (a corrupt or truncated compressed file). */
ssize_t input_read(struct input *in, void *dst, size_t cap, struct amber_error *err);
/* Appends the next chunk of `in` to `b`, at least as much as `b` already holds (so a long record
 * or token is scanned from its start O(log n) times rather than once per chunk), keeps `b`
 * NUL-terminated, and sets *eof when the input has no more. Returns 0, or -1 with err set. */
int input_read_more(struct input *in, struct buf *b, int *eof, struct amber_error *err);
/* Raw bytes read from the file so far, and its size (0 when unknown, as for a pipe). */
uint64_t input_raw_bytes(const struct input *in);
uint64_t input_total_bytes(const struct input *in);
/* The name errors use. */
const char *input_name(const struct input *in);
/* "gzip", "zstd", "xz", "bzip2" or "none". Valid after the first input_read. */
const char *input_compression(const struct input *in);
/* Reads whatever raw bytes remain (after the end of the data) and writes the sha256 of the
 * whole raw file. Returns 0, or -1 on a read error. */
int input_finish_sha256(struct input *in, char hex[DIGEST_HEX_LEN + 1], struct amber_error *err);
void input_close(struct input *in);
/* The file name of `path` without directories and without a compression suffix
 * (.gz .zst .xz .bz2 .lzma): "data/cities500.txt.zst" → "cities500.txt"; "-" → "stdin". */
void input_base_name(const char *path, char *out, size_t cap);

#endif
