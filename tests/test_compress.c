/* test_compress.c — unit tests for the layer compressors and decompressors (formats/compress.h).
 *
 * What comes out of our compressors is checked by a decoder that is not ours (zlib's inflate,
 * ZSTD_decompress, and the gzip, zstd and python3 programs when installed) and by our
 * decompressors; reproducibility is checked by comparing the bytes made with different thread
 * counts and different splits of the input into writes. Inputs are deterministic pseudo-random
 * text (compressible) or bytes (not). The teardown frees the shared buffers, also after a
 * failed assertion. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "core/buf.h"
#include "core/sink.h"
#include "formats/compress.h"
#include "tests/support.h"

#define B COMPRESS_GZIP_BLOCK

static struct buf input = BUF_INIT, packed = BUF_INIT, packed2 = BUF_INIT, unpacked = BUF_INIT;

static int clean_up(void **state)
{
	buf_free(&input);
	buf_free(&packed);
	buf_free(&packed2);
	buf_free(&unpacked);
	support_temp_remove_all();
	return 0;
}

/* ---- inputs ---- */

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Replaces `b` with `n` bytes of line-oriented text built from a small vocabulary. */
static void make_text(struct buf *b, size_t n, uint64_t seed)
{
	static const char *words[] = {"alpha", "bravo",	   "charlie", "delta",	"echo", "foxtrot",
				      "golf",  "hotel",	   "india",   "juliet", "kilo", "lima",
				      "mike",  "november", "oscar",   "papa"};
	uint64_t s = seed * 2654435761u + 1;
	buf_reset(b);
	buf_grow(b, n + 64);
	while (b->len < n) {
		uint64_t r = rng_next(&s);
		const char *w = words[r % 16];
		size_t wl = strlen(w);
		memcpy(b->data + b->len, w, wl);
		b->len += wl;
		b->data[b->len++] = (r >> 8) % 7 == 0 ? '\n' : (r >> 8) % 5 == 0 ? '\t' : ' ';
		if ((r >> 16) % 3 == 0)
			b->data[b->len++] = (char)('0' + (r >> 24) % 10);
	}
	b->len = n;
	b->data[n] = '\0';
}

/* Replaces `b` with `n` incompressible bytes. */
static void make_random(struct buf *b, size_t n, uint64_t seed)
{
	uint64_t s = seed * 0x9e3779b97f4a7c15u + 7;
	buf_reset(b);
	buf_grow(b, n + 8);
	for (size_t i = 0; i < n; i += 8) {
		uint64_t r = rng_next(&s);
		memcpy(b->data + i, &r, 8);
	}
	b->len = n;
	b->data[n] = '\0';
}

/* ---- driving a sink ---- */

/* Writes `len` bytes to `s` in one piece (seed 0) or in pseudo-random pieces, from one byte to
 * a few blocks. Returns the first failing sink_write's -1, or 0. */
static int write_split(struct sink *s, const void *data, size_t len, uint64_t seed, struct amber_error *err)
{
	const char *p = data;
	uint64_t st = seed;
	while (len > 0) {
		size_t n = len;
		if (seed) {
			uint64_t r = rng_next(&st);
			switch (r % 4) {
			case 0:
				n = 1 + (r >> 8) % 16;
				break;
			case 1:
				n = 1 + (r >> 8) % 4096;
				break;
			case 2:
				n = 1 + (r >> 8) % (3 * B);
				break;
			default:
				n = B - (r >> 8) % 3; /* near a block: B-2 .. B */
			}
			if (n > len)
				n = len;
		}
		if (sink_write(s, p, n, err) < 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/* Compresses `len` bytes into `out` (replaced); fails the test on any error. */
static void compress_into(struct buf *out, enum compression c, int level, int threads, uint64_t hint,
			  const void *data, size_t len, uint64_t split_seed)
{
	struct amber_error err = {0};
	struct sink_buf sb;
	buf_reset(out);
	sink_buf_init(&sb, out);
	struct sink *z = compressor_create(c, level, threads, hint, &sb.base, &err);
	if (!z)
		fail_msg("compressor_create: %s", err.message);
	if (write_split(z, data, len, split_seed, &err) < 0 || sink_close(z, &err) < 0)
		fail_msg("compressing %zu bytes: %s", len, err.message);
	sink_free(z);
}

/* Decompresses with our decompressor into `out` (replaced). Returns 0, or -1 with err set. */
static int decompress_into(struct buf *out, enum compression c, const void *data, size_t len,
			   uint64_t split_seed, struct amber_error *err)
{
	struct sink_buf sb;
	buf_reset(out);
	sink_buf_init(&sb, out);
	struct sink *z = decompressor_create(c, &sb.base, err);
	assert_non_null(z);
	int r = write_split(z, data, len, split_seed, err);
	if (r == 0)
		r = sink_close(z, err);
	sink_free(z);
	return r;
}

/* Decompresses a whole gzip stream with zlib alone; fails the test unless it is exactly one
 * valid member. */
static void zlib_gunzip(struct buf *out, const void *data, size_t len)
{
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	assert_int_equal(inflateInit2(&zs, 16 + 15), Z_OK);
	buf_reset(out);
	zs.next_in = (Bytef *)data;
	zs.avail_in = (uInt)len;
	int r;
	do {
		buf_grow(out, 65536);
		zs.next_out = (Bytef *)out->data + out->len;
		zs.avail_out = 65536;
		r = inflate(&zs, Z_NO_FLUSH);
		out->len += 65536 - zs.avail_out;
		if (r != Z_OK && r != Z_STREAM_END)
			fail_msg("zlib inflate: %d %s", r, zs.msg ? zs.msg : "");
	} while (r != Z_STREAM_END);
	assert_int_equal(zs.avail_in, 0);
	inflateEnd(&zs);
}

static uint32_t le32(const void *p)
{
	const unsigned char *b = p;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void assert_buf_equal(const struct buf *a, const void *data, size_t len)
{
	assert_int_equal(a->len, len);
	if (len)
		assert_memory_equal(a->data, data, len);
}

/* A next stage that takes `budget` bytes and then fails. */
struct failing_sink {
	struct sink base;
	size_t budget;
	size_t taken;
};

static int failing_write(struct sink *s, const void *data, size_t len, struct amber_error *err)
{
	struct failing_sink *f = (struct failing_sink *)s;
	if (len > f->budget - f->taken)
		return amber_error_set(err, "disk full (test)");
	f->taken += len;
	return 0;
}

static void failing_init(struct failing_sink *f, size_t budget)
{
	memset(f, 0, sizeof *f);
	f->base.write = failing_write;
	f->budget = budget;
}

/* ---- names and detection ---- */

static void test_compression_parse_accepts_the_three_names_only(void **state)
{
	enum compression c = COMPRESSION_NONE;
	assert_int_equal(compression_parse("gzip", &c), 0);
	assert_int_equal(c, COMPRESSION_GZIP);
	assert_int_equal(compression_parse("zstd", &c), 0);
	assert_int_equal(c, COMPRESSION_ZSTD);
	assert_int_equal(compression_parse("none", &c), 0);
	assert_int_equal(c, COMPRESSION_NONE);
	c = COMPRESSION_ZSTD;
	assert_int_equal(compression_parse("gz", &c), -1);
	assert_int_equal(compression_parse("GZIP", &c), -1);
	assert_int_equal(compression_parse("", &c), -1);
	assert_int_equal(compression_parse("zstd ", &c), -1);
	assert_int_equal(c, COMPRESSION_ZSTD);
}

static void test_compression_name_and_default_level(void **state)
{
	assert_string_equal(compression_name(COMPRESSION_GZIP), "gzip");
	assert_string_equal(compression_name(COMPRESSION_ZSTD), "zstd");
	assert_string_equal(compression_name(COMPRESSION_NONE), "none");
	for (int c = COMPRESSION_NONE; c <= COMPRESSION_ZSTD; c++) {
		enum compression back;
		assert_int_equal(compression_parse(compression_name((enum compression)c), &back), 0);
		assert_int_equal(back, c);
	}
	assert_int_equal(compression_default_level(COMPRESSION_GZIP), 6);
	assert_int_equal(compression_default_level(COMPRESSION_ZSTD), 3);
	assert_int_equal(compression_default_level(COMPRESSION_NONE), 0);
}

static void test_compression_detect_recognises_magic_bytes(void **state)
{
	static const unsigned char gz[] = {0x1f, 0x8b, 0x08, 0x00}, zs[] = {0x28, 0xb5, 0x2f, 0xfd, 0x04};
	static const unsigned char tar[] = "data.db\0\0\0", half_zstd[] = {0x28, 0xb5, 0x2f};
	assert_int_equal(compression_detect(gz, 2), COMPRESSION_GZIP);
	assert_int_equal(compression_detect(gz, sizeof gz), COMPRESSION_GZIP);
	assert_int_equal(compression_detect(gz, 1), COMPRESSION_NONE);
	assert_int_equal(compression_detect(zs, sizeof zs), COMPRESSION_ZSTD);
	assert_int_equal(compression_detect(zs, 4), COMPRESSION_ZSTD);
	assert_int_equal(compression_detect(half_zstd, sizeof half_zstd), COMPRESSION_NONE);
	assert_int_equal(compression_detect(tar, sizeof tar), COMPRESSION_NONE);
	assert_int_equal(compression_detect(NULL, 0), COMPRESSION_NONE);

	make_text(&input, 1000, 1);
	compress_into(&packed, COMPRESSION_GZIP, 0, 1, UINT64_MAX, input.data, input.len, 0);
	assert_int_equal(compression_detect(packed.data, packed.len), COMPRESSION_GZIP);
	compress_into(&packed, COMPRESSION_ZSTD, 0, 1, UINT64_MAX, input.data, input.len, 0);
	assert_int_equal(compression_detect(packed.data, packed.len), COMPRESSION_ZSTD);
	compress_into(&packed, COMPRESSION_NONE, 0, 1, UINT64_MAX, input.data, input.len, 0);
	assert_int_equal(compression_detect(packed.data, packed.len), COMPRESSION_NONE);
}

static void test_compressor_create_rejects_bad_levels_and_thread_counts(void **state)
{
	struct amber_error err = {0};
	struct sink_buf sb;
	sink_buf_init(&sb, &packed);
	assert_null(compressor_create(COMPRESSION_GZIP, 10, 1, UINT64_MAX, &sb.base, &err));
	assert_non_null(strstr(err.message, "gzip level 10"));
	assert_null(compressor_create(COMPRESSION_GZIP, -1, 1, UINT64_MAX, &sb.base, &err));
	assert_null(compressor_create(COMPRESSION_ZSTD, ZSTD_maxCLevel() + 1, 1, UINT64_MAX, &sb.base, &err));
	assert_non_null(strstr(err.message, "zstd level"));
	assert_null(compressor_create(COMPRESSION_GZIP, 6, -1, UINT64_MAX, &sb.base, &err));
	assert_non_null(strstr(err.message, "thread count -1"));
	assert_null(compressor_create(COMPRESSION_ZSTD, 3, -2, UINT64_MAX, &sb.base, &err));
	for (int level = 1; level <= 9; level++) {
		struct sink *z = compressor_create(COMPRESSION_GZIP, level, 0, UINT64_MAX, &sb.base, &err);
		assert_non_null(z);
		sink_free(z); /* never written, never closed */
	}
}

/* ---- gzip compressor ---- */

static void test_gzip_empty_input_is_the_exact_empty_stream(void **state)
{
	static const unsigned char want[] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, /* header */
					     0x03, 0x00,			 /* empty final block */
					     0,	   0,	 0, 0, 0, 0, 0, 0};	 /* crc32, isize */
	for (int threads = 1; threads <= 3; threads++) {
		compress_into(&packed, COMPRESSION_GZIP, 0, threads, UINT64_MAX, "", 0, 0);
		assert_buf_equal(&packed, want, sizeof want);
	}
	zlib_gunzip(&unpacked, packed.data, packed.len);
	assert_int_equal(unpacked.len, 0);
	struct amber_error err = {0};
	assert_int_equal(decompress_into(&unpacked, COMPRESSION_GZIP, packed.data, packed.len, 0, &err), 0);
	assert_int_equal(unpacked.len, 0);
}

static void test_gzip_header_is_fixed_and_xfl_follows_level(void **state)
{
	static const struct {
		int level;
		unsigned char xfl;
	} cases[] = {{0, 0}, {1, 4}, {2, 0}, {6, 0}, {8, 0}, {9, 2}};
	make_text(&input, 5000, 2);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		compress_into(&packed, COMPRESSION_GZIP, cases[i].level, 2, UINT64_MAX, input.data, input.len,
			      0);
		const unsigned char want[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, cases[i].xfl, 3};
		assert_true(packed.len > 18);
		assert_memory_equal(packed.data, want, sizeof want);
		assert_int_equal(le32(packed.data + packed.len - 8),
				 crc32(0L, (const Bytef *)input.data, 5000));
		assert_int_equal(le32(packed.data + packed.len - 4), 5000);
		zlib_gunzip(&unpacked, packed.data, packed.len);
		assert_buf_equal(&unpacked, input.data, input.len);
	}
}

static void test_gzip_round_trips_sizes_around_block_boundaries(void **state)
{
	static const size_t sizes[] = {1, 2, B - 1, B, B + 1, 2 * B - 1, 2 * B, 2 * B + 1, 5 * B + 12345};
	struct amber_error err = {0};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		for (int kind = 0; kind < 2; kind++) {
			if (kind == 0)
				make_text(&input, sizes[i], i);
			else
				make_random(&input, sizes[i], i);
			compress_into(&packed, COMPRESSION_GZIP, 0, 2, UINT64_MAX, input.data, input.len, 0);
			assert_int_equal(le32(packed.data + packed.len - 8),
					 crc32(0L, (const Bytef *)input.data, (uInt)input.len));
			assert_int_equal(le32(packed.data + packed.len - 4), (uint32_t)input.len);
			zlib_gunzip(&unpacked, packed.data, packed.len);
			assert_buf_equal(&unpacked, input.data, input.len);
			assert_int_equal(decompress_into(&unpacked, COMPRESSION_GZIP, packed.data, packed.len,
							 i + 1, &err),
					 0);
			assert_buf_equal(&unpacked, input.data, input.len);
		}
	}
}

static void test_gzip_round_trips_several_megabytes(void **state)
{
	struct amber_error err = {0};
	for (int kind = 0; kind < 2; kind++) {
		if (kind == 0)
			make_text(&input, 6u << 20, 3);
		else
			make_random(&input, 3u << 20, 3);
		compress_into(&packed, COMPRESSION_GZIP, 0, 0, UINT64_MAX, input.data, input.len, 11);
		if (kind == 0)
			assert_true(packed.len < input.len / 2);
		else
			assert_true(packed.len < input.len + input.len / 100);
		zlib_gunzip(&unpacked, packed.data, packed.len);
		assert_buf_equal(&unpacked, input.data, input.len);
		assert_int_equal(
		    decompress_into(&unpacked, COMPRESSION_GZIP, packed.data, packed.len, 0, &err), 0);
		assert_buf_equal(&unpacked, input.data, input.len);
	}
}

/* Blocks primed with the 32 KiB before them lose almost nothing against one deflate stream. */
static void test_gzip_is_about_as_small_as_one_zlib_stream(void **state)
{
	make_text(&input, 2u << 20, 4);
	compress_into(&packed, COMPRESSION_GZIP, 6, 2, UINT64_MAX, input.data, input.len, 0);
	uLongf n = compressBound((uLong)input.len) + 64;
	buf_reset(&packed2);
	buf_grow(&packed2, n);
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + 15, 8, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (Bytef *)input.data;
	zs.avail_in = (uInt)input.len;
	zs.next_out = (Bytef *)packed2.data;
	zs.avail_out = (uInt)n;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	packed2.len = zs.total_out;
	deflateEnd(&zs);
	assert_true(packed.len <= packed2.len + packed2.len / 200 + 64);
}

static void test_gzip_output_is_identical_for_1_2_8_threads(void **state)
{
	static const int levels[] = {1, 6, 9};
	make_text(&input, 3 * B / 2 * 5, 5); /* 7.5 blocks */
	make_random(&packed2, B + 77, 5);    /* a stretch that does not compress */
	buf_add(&input, packed2.data, packed2.len);
	for (size_t l = 0; l < 3; l++) {
		compress_into(&packed2, COMPRESSION_GZIP, levels[l], 1, UINT64_MAX, input.data, input.len, 0);
		static const int threads[] = {2, 8, 0};
		for (size_t t = 0; t < 3; t++) {
			compress_into(&packed, COMPRESSION_GZIP, levels[l], threads[t], UINT64_MAX,
				      input.data, input.len, 0);
			assert_buf_equal(&packed, packed2.data, packed2.len);
		}
	}
}

static void test_gzip_output_is_identical_for_any_write_split(void **state)
{
	make_text(&input, 4 * B + 999, 6);
	compress_into(&packed2, COMPRESSION_GZIP, 6, 1, UINT64_MAX, input.data, input.len, 0);
	for (uint64_t seed = 1; seed <= 8; seed++) {
		compress_into(&packed, COMPRESSION_GZIP, 6, 1 + (int)(seed % 3), UINT64_MAX, input.data,
			      input.len, seed);
		assert_buf_equal(&packed, packed2.data, packed2.len);
	}
	/* One byte at a time through the first block and a half. */
	struct amber_error err = {0};
	struct sink_buf sb;
	buf_reset(&packed);
	sink_buf_init(&sb, &packed);
	struct sink *z = compressor_create(COMPRESSION_GZIP, 6, 2, UINT64_MAX, &sb.base, &err);
	assert_non_null(z);
	size_t i = 0;
	for (; i < B + B / 2; i++)
		assert_int_equal(sink_write(z, input.data + i, 1, &err), 0);
	assert_int_equal(sink_write(z, input.data + i, input.len - i, &err), 0);
	assert_int_equal(sink_close(z, &err), 0);
	sink_free(z);
	assert_buf_equal(&packed, packed2.data, packed2.len);
}

static void test_gzip_write_after_close_fails(void **state)
{
	struct amber_error err = {0};
	struct sink_buf sb;
	buf_reset(&packed);
	sink_buf_init(&sb, &packed);
	struct sink *z = compressor_create(COMPRESSION_GZIP, 6, 2, UINT64_MAX, &sb.base, &err);
	assert_non_null(z);
	assert_int_equal(sink_write(z, "abc", 3, &err), 0);
	assert_int_equal(sink_close(z, &err), 0);
	size_t len = packed.len;
	assert_int_equal(sink_close(z, &err), 0); /* a second close writes nothing more */
	assert_int_equal(packed.len, len);
	assert_int_equal(sink_write(z, "d", 1, &err), -1);
	assert_non_null(strstr(err.message, "after close"));
	sink_free(z);
	zlib_gunzip(&unpacked, packed.data, packed.len);
	assert_buf_equal(&unpacked, "abc", 3);
}

/* ---- gzip decompressor ---- */

static void test_gzip_decompressor_accepts_concatenated_members(void **state)
{
	struct amber_error err = {0};
	make_text(&input, 3 * B, 7);
	compress_into(&packed, COMPRESSION_GZIP, 6, 2, UINT64_MAX, input.data, 1000, 0);
	compress_into(&packed2, COMPRESSION_GZIP, 1, 2, UINT64_MAX, input.data + 1000, input.len - 1000, 0);
	buf_add(&packed, packed2.data, packed2.len);
	compress_into(&packed2, COMPRESSION_GZIP, 9, 1, UINT64_MAX, "", 0, 0);
	buf_add(&packed, packed2.data, packed2.len);
	for (uint64_t seed = 0; seed < 4; seed++) {
		assert_int_equal(
		    decompress_into(&unpacked, COMPRESSION_GZIP, packed.data, packed.len, seed, &err), 0);
		assert_buf_equal(&unpacked, input.data, input.len);
	}
}

static void test_gzip_decompressor_rejects_every_truncation(void **state)
{
	struct amber_error err = {0};
	make_text(&input, 2000, 8);
	compress_into(&packed, COMPRESSION_GZIP, 6, 1, UINT64_MAX, input.data, input.len, 0);
	for (size_t cut = 0; cut < packed.len; cut++) {
		memset(&err, 0, sizeof err);
		assert_int_equal(decompress_into(&unpacked, COMPRESSION_GZIP, packed.data, cut, cut, &err),
				 -1);
		assert_non_null(strstr(err.message, "truncated gzip stream"));
	}
	/* A complete member followed by the start of another is truncated too. */
	buf_add(&packed, packed.data, 5);
	assert_int_equal(decompress_into(&unpacked, COMPRESSION_GZIP, packed.data, packed.len, 0, &err), -1);
	assert_non_null(strstr(err.message, "truncated gzip stream"));
}

/* Corrupts a copy of `packed` at `at` (xor `mask`) and returns our decompressor's message. */
static const char *gzip_corrupted(size_t at, unsigned char mask, struct amber_error *err)
{
	buf_reset(&packed2);
	buf_add(&packed2, packed.data, packed.len);
	packed2.data[at] ^= (char)mask;
	memset(err, 0, sizeof *err);
	assert_int_equal(decompress_into(&unpacked, COMPRESSION_GZIP, packed2.data, packed2.len, 0, err), -1);
	return err->message;
}

static void test_gzip_decompressor_rejects_corrupt_data(void **state)
{
	struct amber_error err = {0};
	make_text(&input, 50000, 9);
	compress_into(&packed, COMPRESSION_GZIP, 6, 1, UINT64_MAX, input.data, input.len, 0);
	assert_string_equal(gzip_corrupted(0, 0xff, &err), "corrupt gzip data: incorrect header check (near "
							   "compressed byte 2)");
	assert_non_null(strstr(gzip_corrupted(2, 0x01, &err), "unknown compression method"));
	assert_non_null(
	    strstr(gzip_corrupted(packed.len - 8, 0x01, &err), "corrupt gzip data: incorrect data check"));
	assert_non_null(
	    strstr(gzip_corrupted(packed.len - 2, 0x01, &err), "corrupt gzip data: incorrect length check"));
	/* Damage in the deflate data: the decoder or the crc catches it. */
	for (size_t at = 10; at < packed.len - 8; at += packed.len / 37)
		assert_non_null(strstr(gzip_corrupted(at, 0x5a, &err), "corrupt gzip data: "));

	/* Bytes after a complete member that are not another member. */
	buf_add(&packed, "garbage!", 8);
	assert_int_equal(decompress_into(&unpacked, COMPRESSION_GZIP, packed.data, packed.len, 0, &err), -1);
	assert_non_null(strstr(err.message, "corrupt gzip data: incorrect header check"));

	/* Something that was never gzip. */
	make_random(&packed, 1000, 9);
	assert_int_equal(decompress_into(&unpacked, COMPRESSION_GZIP, packed.data, packed.len, 0, &err), -1);
	assert_non_null(strstr(err.message, "corrupt gzip data: "));

	/* The failure sticks: later writes and the close repeat it. */
	struct sink_buf sb;
	sink_buf_init(&sb, &unpacked);
	struct sink *z = decompressor_create(COMPRESSION_GZIP, &sb.base, &err);
	assert_int_equal(sink_write(z, "not gzip", 8, &err), -1);
	memset(&err, 0, sizeof err);
	assert_int_equal(sink_write(z, "\x1f\x8b", 2, &err), -1);
	assert_non_null(strstr(err.message, "corrupt gzip data: "));
	assert_int_equal(sink_close(z, &err), -1);
	sink_free(z);
}

/* ---- zstd ---- */

static void assert_zstd_frame(const struct buf *z, const struct buf *original, int hinted)
{
	assert_true(z->len >= 9);
	assert_int_equal(compression_detect(z->data, z->len), COMPRESSION_ZSTD);
	assert_true(z->data[4] & 0x04); /* Frame_Header_Descriptor: Content_Checksum_flag */
	unsigned long long size = ZSTD_getFrameContentSize(z->data, z->len);
	if (hinted)
		assert_int_equal(size, original->len);
	else
		assert_true(size == ZSTD_CONTENTSIZE_UNKNOWN || size == original->len);
	buf_reset(&unpacked);
	buf_grow(&unpacked, original->len + 1);
	size_t n = ZSTD_decompress(unpacked.data, original->len + 1, z->data, z->len);
	if (ZSTD_isError(n))
		fail_msg("ZSTD_decompress: %s", ZSTD_getErrorName(n));
	unpacked.len = n;
	assert_buf_equal(&unpacked, original->data, original->len);
}

static void test_zstd_round_trips_and_decodes_with_libzstd(void **state)
{
	static const size_t sizes[] = {0, 1, 1000, 1u << 20};
	struct amber_error err = {0};
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		for (int kind = 0; kind < 2; kind++) {
			for (int hinted = 0; hinted < 2; hinted++) {
				if (kind == 0)
					make_text(&input, sizes[i], i);
				else
					make_random(&input, sizes[i], i);
				compress_into(&packed, COMPRESSION_ZSTD, 0, 2,
					      hinted ? input.len : UINT64_MAX, input.data, input.len, i);
				assert_zstd_frame(&packed, &input, hinted);
				if (decompress_into(&unpacked, COMPRESSION_ZSTD, packed.data, packed.len,
						    i + 5, &err) < 0)
					fail_msg("size %zu: %s", input.len, err.message);
				assert_buf_equal(&unpacked, input.data, input.len);
			}
		}
	}
}

static void test_zstd_output_is_identical_for_1_2_8_threads_and_any_split(void **state)
{
	/* Level 1 works in jobs of a few MiB, so 6 MiB is several jobs. */
	make_text(&input, 6u << 20, 10);
	for (int hinted = 0; hinted < 2; hinted++) {
		uint64_t hint = hinted ? input.len : UINT64_MAX;
		compress_into(&packed2, COMPRESSION_ZSTD, 1, 1, hint, input.data, input.len, 0);
		assert_zstd_frame(&packed2, &input, hinted);
		compress_into(&packed, COMPRESSION_ZSTD, 1, 2, hint, input.data, input.len, 3);
		assert_buf_equal(&packed, packed2.data, packed2.len);
		compress_into(&packed, COMPRESSION_ZSTD, 1, 8, hint, input.data, input.len, 4);
		assert_buf_equal(&packed, packed2.data, packed2.len);
	}
	make_text(&input, 300000, 11);
	compress_into(&packed2, COMPRESSION_ZSTD, 3, 1, UINT64_MAX, input.data, input.len, 0);
	for (int threads = 2; threads <= 3; threads++) {
		compress_into(&packed, COMPRESSION_ZSTD, 3, threads, UINT64_MAX, input.data, input.len,
			      (uint64_t)threads);
		assert_buf_equal(&packed, packed2.data, packed2.len);
	}
}

static void test_zstd_size_hint_that_is_wrong_fails(void **state)
{
	struct amber_error err = {0};
	struct sink_buf sb;
	buf_reset(&packed);
	sink_buf_init(&sb, &packed);
	make_text(&input, 10000, 12);
	struct sink *z = compressor_create(COMPRESSION_ZSTD, 3, 2, input.len + 1, &sb.base, &err);
	assert_non_null(z);
	int r = sink_write(z, input.data, input.len, &err);
	if (r == 0)
		r = sink_close(z, &err);
	assert_int_equal(r, -1);
	assert_non_null(strstr(err.message, "zstd compression failed"));
	sink_free(z);
}

static void test_zstd_decompressor_rejects_truncation_and_corruption(void **state)
{
	struct amber_error err = {0};
	make_text(&input, 3000, 13);
	compress_into(&packed, COMPRESSION_ZSTD, 3, 1, UINT64_MAX, input.data, input.len, 0);
	for (size_t cut = 0; cut < packed.len; cut++) {
		memset(&err, 0, sizeof err);
		assert_int_equal(decompress_into(&unpacked, COMPRESSION_ZSTD, packed.data, cut, cut, &err),
				 -1);
		assert_non_null(strstr(err.message, "truncated zstd stream"));
	}
	/* The checksum in the last 4 bytes. */
	buf_reset(&packed2);
	buf_add(&packed2, packed.data, packed.len);
	packed2.data[packed2.len - 1] ^= 1;
	assert_int_equal(decompress_into(&unpacked, COMPRESSION_ZSTD, packed2.data, packed2.len, 0, &err),
			 -1);
	assert_non_null(strstr(err.message, "corrupt zstd data: "));
	assert_non_null(strstr(err.message, "checksum"));
	/* The magic number. */
	packed2.data[packed2.len - 1] ^= 1;
	packed2.data[0] ^= 1;
	assert_int_equal(decompress_into(&unpacked, COMPRESSION_ZSTD, packed2.data, packed2.len, 0, &err),
			 -1);
	assert_non_null(strstr(err.message, "corrupt zstd data: "));
	/* Damage anywhere in the body. */
	for (size_t at = 6; at < packed.len - 4; at += packed.len / 23 + 1) {
		buf_reset(&packed2);
		buf_add(&packed2, packed.data, packed.len);
		packed2.data[at] ^= 0x5a;
		memset(&err, 0, sizeof err);
		assert_int_equal(
		    decompress_into(&unpacked, COMPRESSION_ZSTD, packed2.data, packed2.len, 0, &err), -1);
		assert_true(strstr(err.message, "corrupt zstd data: ") ||
			    strstr(err.message, "truncated zstd"));
	}
	/* Concatenated frames are one stream; garbage after them is not. */
	compress_into(&packed2, COMPRESSION_ZSTD, 3, 1, UINT64_MAX, "tail", 4, 0);
	buf_add(&packed, packed2.data, packed2.len);
	assert_int_equal(decompress_into(&unpacked, COMPRESSION_ZSTD, packed.data, packed.len, 1, &err), 0);
	assert_int_equal(unpacked.len, input.len + 4);
	assert_memory_equal(unpacked.data + input.len, "tail", 4);
	buf_add(&packed, "garbage!", 8);
	assert_int_equal(decompress_into(&unpacked, COMPRESSION_ZSTD, packed.data, packed.len, 0, &err), -1);
	assert_non_null(strstr(err.message, "corrupt zstd data: "));
}

/* ---- none ---- */

static void test_none_passes_bytes_through_both_ways(void **state)
{
	struct amber_error err = {0};
	make_random(&input, 70000, 14);
	compress_into(&packed, COMPRESSION_NONE, 0, 0, UINT64_MAX, input.data, input.len, 5);
	assert_buf_equal(&packed, input.data, input.len);
	assert_int_equal(decompress_into(&unpacked, COMPRESSION_NONE, packed.data, packed.len, 6, &err), 0);
	assert_buf_equal(&unpacked, input.data, input.len);
	assert_int_equal(decompress_into(&unpacked, COMPRESSION_NONE, "", 0, 0, &err), 0);
	assert_int_equal(unpacked.len, 0);
}

/* ---- errors from the next stage ---- */

/* Pushes input through a stage whose next fails after `budget` bytes: some call must fail with
 * the next stage's message, later calls must repeat it, and sink_free must clean up. */
static void expect_next_failure(struct sink *z, struct failing_sink *f, const struct buf *in, uint64_t seed)
{
	struct amber_error err = {0};
	int r = write_split(z, in->data, in->len, seed, &err);
	if (r == 0)
		r = sink_close(z, &err);
	assert_int_equal(r, -1);
	assert_string_equal(err.message, "disk full (test)");
	assert_true(f->taken <= f->budget);
	memset(&err, 0, sizeof err);
	assert_int_equal(sink_write(z, "x", 1, &err), -1);
	assert_string_equal(err.message, "disk full (test)");
	memset(&err, 0, sizeof err);
	assert_int_equal(sink_close(z, &err), -1);
	assert_string_equal(err.message, "disk full (test)");
	sink_free(z);
}

static void test_error_from_next_stops_compressors_cleanly(void **state)
{
	static const size_t budgets[] = {0, 5, 100, 300000};
	static const int threads[] = {1, 2, 8};
	struct amber_error err = {0};
	struct failing_sink f;
	make_random(&input, 2u << 20, 15);
	for (size_t b = 0; b < 4; b++) {
		for (size_t t = 0; t < 3; t++) {
			failing_init(&f, budgets[b]);
			struct sink *z =
			    compressor_create(COMPRESSION_GZIP, 1, threads[t], UINT64_MAX, &f.base, &err);
			assert_non_null(z);
			expect_next_failure(z, &f, &input, b + t);
			failing_init(&f, budgets[b]);
			z = compressor_create(COMPRESSION_ZSTD, 1, threads[t], UINT64_MAX, &f.base, &err);
			assert_non_null(z);
			expect_next_failure(z, &f, &input, b + t);
		}
		failing_init(&f, budgets[b]);
		struct sink *z = compressor_create(COMPRESSION_NONE, 0, 0, UINT64_MAX, &f.base, &err);
		assert_int_equal(write_split(z, input.data, input.len, 1, &err), -1);
		assert_string_equal(err.message, "disk full (test)");
		sink_free(z);
	}
	/* A failure on the very last write, the trailer's. */
	compress_into(&packed, COMPRESSION_GZIP, 6, 2, UINT64_MAX, input.data, input.len, 0);
	failing_init(&f, packed.len - 1);
	struct sink *z = compressor_create(COMPRESSION_GZIP, 6, 2, UINT64_MAX, &f.base, &err);
	assert_int_equal(sink_write(z, input.data, input.len, &err), 0);
	assert_int_equal(sink_close(z, &err), -1);
	assert_string_equal(err.message, "disk full (test)");
	sink_free(z);
}

/* A compressor abandoned mid-stream, with jobs still queued, is freed without a close. */
static void test_compressor_freed_without_close_joins_and_frees(void **state)
{
	struct amber_error err = {0};
	struct sink_buf sb;
	make_random(&input, 3u << 20, 16);
	for (int c = COMPRESSION_GZIP; c <= COMPRESSION_ZSTD; c++) {
		buf_reset(&packed);
		sink_buf_init(&sb, &packed);
		struct sink *z = compressor_create((enum compression)c, 1, 8, UINT64_MAX, &sb.base, &err);
		assert_non_null(z);
		assert_int_equal(sink_write(z, input.data, input.len, &err), 0);
		sink_free(z);
	}
}

static void test_error_from_next_stops_decompressors_cleanly(void **state)
{
	struct amber_error err = {0};
	struct failing_sink f;
	make_text(&input, 1u << 20, 17);
	for (int c = COMPRESSION_GZIP; c <= COMPRESSION_ZSTD; c++) {
		compress_into(&packed, (enum compression)c, 0, 2, UINT64_MAX, input.data, input.len, 0);
		static const size_t budgets[] = {0, 1000, 500000};
		for (size_t b = 0; b < 3; b++) {
			failing_init(&f, budgets[b]);
			struct sink *z = decompressor_create((enum compression)c, &f.base, &err);
			assert_non_null(z);
			expect_next_failure(z, &f, &packed, b);
		}
	}
}

/* ---- other decoders ---- */

static void test_gzip_and_zstd_programs_read_our_output(void **state)
{
	make_text(&input, 3 * B + 5, 18);
	const char *orig = support_temp_with(input.data, input.len);
	compress_into(&packed, COMPRESSION_GZIP, 6, 2, UINT64_MAX, input.data, input.len, 0);
	const char *gz = support_temp_with(packed.data, packed.len);
	compress_into(&packed, COMPRESSION_ZSTD, 3, 2, input.len, input.data, input.len, 0);
	const char *zs = support_temp_with(packed.data, packed.len);
	int ran = 0;
	char cmd[512];
	if (system("command -v gzip >/dev/null 2>&1") == 0) {
		snprintf(cmd, sizeof cmd, "gzip -t < %s && gzip -dc < %s | cmp -s - %s", gz, gz, orig);
		assert_int_equal(system(cmd), 0);
		ran++;
	}
	if (system("command -v zstd >/dev/null 2>&1") == 0) {
		snprintf(cmd, sizeof cmd, "zstd -q -t %s && zstd -q -dc < %s | cmp -s - %s", zs, zs, orig);
		assert_int_equal(system(cmd), 0);
		ran++;
	}
	if (system("command -v python3 >/dev/null 2>&1") == 0) {
		snprintf(cmd, sizeof cmd,
			 "python3 -c 'import gzip,sys; sys.exit(gzip.open(\"%s\").read() != "
			 "open(\"%s\",\"rb\").read())'",
			 gz, orig);
		assert_int_equal(system(cmd), 0);
		ran++;
	}
	if (!ran)
		skip();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_compression_parse_accepts_the_three_names_only, clean_up),
	    cmocka_unit_test_teardown(test_compression_name_and_default_level, clean_up),
	    cmocka_unit_test_teardown(test_compression_detect_recognises_magic_bytes, clean_up),
	    cmocka_unit_test_teardown(test_compressor_create_rejects_bad_levels_and_thread_counts, clean_up),
	    cmocka_unit_test_teardown(test_gzip_empty_input_is_the_exact_empty_stream, clean_up),
	    cmocka_unit_test_teardown(test_gzip_header_is_fixed_and_xfl_follows_level, clean_up),
	    cmocka_unit_test_teardown(test_gzip_round_trips_sizes_around_block_boundaries, clean_up),
	    cmocka_unit_test_teardown(test_gzip_round_trips_several_megabytes, clean_up),
	    cmocka_unit_test_teardown(test_gzip_is_about_as_small_as_one_zlib_stream, clean_up),
	    cmocka_unit_test_teardown(test_gzip_output_is_identical_for_1_2_8_threads, clean_up),
	    cmocka_unit_test_teardown(test_gzip_output_is_identical_for_any_write_split, clean_up),
	    cmocka_unit_test_teardown(test_gzip_write_after_close_fails, clean_up),
	    cmocka_unit_test_teardown(test_gzip_decompressor_accepts_concatenated_members, clean_up),
	    cmocka_unit_test_teardown(test_gzip_decompressor_rejects_every_truncation, clean_up),
	    cmocka_unit_test_teardown(test_gzip_decompressor_rejects_corrupt_data, clean_up),
	    cmocka_unit_test_teardown(test_zstd_round_trips_and_decodes_with_libzstd, clean_up),
	    cmocka_unit_test_teardown(test_zstd_output_is_identical_for_1_2_8_threads_and_any_split,
				      clean_up),
	    cmocka_unit_test_teardown(test_zstd_size_hint_that_is_wrong_fails, clean_up),
	    cmocka_unit_test_teardown(test_zstd_decompressor_rejects_truncation_and_corruption, clean_up),
	    cmocka_unit_test_teardown(test_none_passes_bytes_through_both_ways, clean_up),
	    cmocka_unit_test_teardown(test_error_from_next_stops_compressors_cleanly, clean_up),
	    cmocka_unit_test_teardown(test_compressor_freed_without_close_joins_and_frees, clean_up),
	    cmocka_unit_test_teardown(test_error_from_next_stops_decompressors_cleanly, clean_up),
	    cmocka_unit_test_teardown(test_gzip_and_zstd_programs_read_our_output, clean_up),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
