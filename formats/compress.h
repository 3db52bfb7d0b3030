/* compress.h — layer compression and decompression as sinks (see core/sink.h).
 *
 * The image writer chains tar → compressor → sha256 → file and the reader file → sha256 →
 * decompressor → tar; the compressed bytes are hashed into the layer digest, so the
 * compressors are reproducible: the same input and level give the same bytes whatever the
 * thread count and however the input is split into writes. gzip is compressed in parallel
 * (independent fixed-size blocks, each primed with the 32 KiB before it) into one ordinary
 * single-member gzip stream; zstd uses libzstd's own workers, always in its multi-threaded
 * mode, whose output does not depend on the number of workers. Every call into the next stage
 * is made from the thread that calls sink_write or sink_close. */
#ifndef AMBER_COMPRESS_H
#define AMBER_COMPRESS_H

#include "core/error.h"
#include "core/sink.h"

#include <stddef.h>
#include <stdint.h>

enum compression { COMPRESSION_NONE = 0, COMPRESSION_GZIP, COMPRESSION_ZSTD };

/* Parses "gzip", "zstd" or "none". Returns 0, or -1 (out untouched) for any other name. */
int compression_parse(const char *name, enum compression *out);
/* "gzip", "zstd" or "none". */
const char *compression_name(enum compression c);
/* The level a level of 0 stands for: gzip 6, zstd 3, none 0. */
int compression_default_level(enum compression c);
/* Recognises a stream from its first bytes: 1f 8b is gzip, 28 b5 2f fd is zstd, anything else
 * (including too few bytes) is none. */
enum compression compression_detect(const void *head, size_t len);

/* The gzip compressor's block size: the unit of parallel work and the reason output does
 * not depend on the thread count. Exposed for tests that probe block boundaries. */
#define COMPRESS_GZIP_BLOCK (128 * 1024)

/* A sink that compresses what it is given into `next` (borrowed). `level`: 0 is the default,
 * else gzip 1..9, zstd ZSTD_minCLevel()..ZSTD_maxCLevel(). `threads`: 0 is the number of online
 * CPUs, above 64 is 64; 1 compresses inline without starting threads. `size_hint`: the total input size when
 * known (zstd records it in the frame header, and a different total is then an error), else
 * UINT64_MAX. sink_close writes the end of the stream; sink_free stops and joins the threads.
 * Memory is bounded by the thread count, never by the input size. NONE passes bytes through.
 * Returns NULL with err set for a bad level or thread count or when out of memory. */
struct sink *compressor_create(enum compression c, int level, int threads, uint64_t size_hint,
			       struct sink *next, struct amber_error *err);

/* A sink that decompresses into `next` (borrowed). gzip accepts concatenated members, zstd
 * concatenated frames. Corrupt data fails at sink_write ("corrupt gzip data: incorrect data
 * check"); an incomplete stream, or no stream at all, fails at sink_close ("truncated gzip
 * stream", "truncated zstd stream"). Memory is bounded (zstd windows up to 128 MiB). NONE
 * passes bytes through. */
struct sink *decompressor_create(enum compression c, struct sink *next, struct amber_error *err);

#endif
