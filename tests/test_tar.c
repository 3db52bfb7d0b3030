/* test_tar.c — unit tests for the tar writer and reader (formats/tar.h).
 *
 * Headers are checked field by field and byte for byte against what GNU tar writes from real
 * files in a temporary directory; GNU tar must list and extract what we write, and our reader
 * must read what GNU tar writes in each of its formats. Round trips feed the reader random
 * chunk splits down to single bytes. The 8 GiB paths run for real: the data streams from the
 * writer into the reader without being stored. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/sink.h"
#include "formats/tar.h"

#define GIB8 ((uint64_t)1 << 33)

/* ---- Helpers ---- */

static uint64_t rng_next(uint64_t *s)
{
	/* splitmix64: deterministic and good enough to pick chunk sizes and bytes. */
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

static void fill_random(unsigned char *p, size_t n, uint64_t *rng)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)rng_next(rng);
}

/* A name of `len` bytes made of components of at most `comp` bytes. */
static void make_path(char *dst, size_t len, size_t comp, char c)
{
	for (size_t i = 0; i < len; i++)
		dst[i] = (i + 1) % (comp + 1) == 0 ? '/' : c;
	if (len && dst[len - 1] == '/')
		dst[len - 1] = c;
	dst[len] = '\0';
}

/* Writes a whole archive of entries into a buffer. */
struct want {
	const char *name;
	unsigned mode;
	const void *data; /* NULL with size 0 and dir set: a directory */
	size_t size;
	int dir;
};

static void write_archive(struct buf *out, const struct want *w, size_t n, int64_t mtime)
{
	struct sink_buf s;
	sink_buf_init(&s, out);
	struct tar_writer tw;
	struct amber_error err;
	tar_writer_init(&tw, &s.base, mtime);
	for (size_t i = 0; i < n; i++) {
		uint64_t before = tw.offset;
		if (w[i].dir) {
			if (tar_write_dir(&tw, w[i].name, w[i].mode, &err) < 0)
				fail_msg("%s", err.message);
			assert_int_equal(tw.offset - before, tar_dir_entry_size(w[i].name));
			continue;
		}
		if (tar_write_file_begin(&tw, w[i].name, w[i].mode, w[i].size, &err) < 0 ||
		    tar_write_data(&tw, w[i].data, w[i].size, &err) < 0 || tar_write_file_end(&tw, &err) < 0)
			fail_msg("%s", err.message);
		assert_int_equal(tw.offset - before, tar_file_entry_size(w[i].name, w[i].size));
	}
	if (tar_writer_finish(&tw, &err) < 0)
		fail_msg("%s", err.message);
	assert_int_equal(tw.offset, out->len);
}

/* What the reader reported. */
#define MAX_GOT 64
struct got_entry {
	struct tar_header h;
	struct buf data;
	struct sink_buf sink;
	int ended;
};

struct got {
	struct got_entry e[MAX_GOT];
	size_t n;
	int skip_data;	/* leave *data_out NULL */
	long fail_at;	/* index of the entry whose callback fails, -1: none */
	long fail_data; /* index of the entry whose data sink fails, -1: none */
	struct sink failing;
};

static int failing_write(struct sink *s, const void *data, size_t len, struct amber_error *err)
{
	return amber_error_set(err, "disk full");
}

static struct got *got_new(void)
{
	struct got *g = calloc(1, sizeof *g);
	assert_non_null(g);
	g->fail_at = g->fail_data = -1;
	g->failing.write = failing_write;
	return g;
}

static void got_free(struct got *g)
{
	for (size_t i = 0; i < g->n; i++)
		buf_free(&g->e[i].data);
	free(g);
}

static int got_entry(void *ctx, const struct tar_header *h, struct sink **out, struct amber_error *err)
{
	struct got *g = ctx;
	assert_null(*out);
	if (g->n == MAX_GOT)
		return amber_error_set(err, "test: too many entries");
	if ((long)g->n == g->fail_at)
		return amber_error_set(err, "test refuses '%s'", h->name);
	struct got_entry *e = &g->e[g->n];
	e->h = *h;
	sink_buf_init(&e->sink, &e->data);
	if ((long)g->n == g->fail_data)
		*out = &g->failing;
	else if (!g->skip_data)
		*out = &e->sink.base;
	g->n++;
	return 0;
}

static int got_end(void *ctx, const struct tar_header *h, struct amber_error *err)
{
	struct got *g = ctx;
	assert_true(g->n > 0);
	struct got_entry *e = &g->e[g->n - 1];
	assert_string_equal(h->name, e->h.name);
	assert_false(e->ended);
	if (!g->skip_data)
		assert_int_equal(e->data.len, h->size);
	e->ended = 1;
	return 0;
}

static const struct tar_reader_callbacks got_callbacks = {got_entry, got_end};

/* Feeds `data` to a new reader: whole when rng is NULL, else in random chunks whose size
 * limit is itself random (1 byte at a time included). Returns what write/close returned. */
static int read_archive(struct got *g, const void *data, size_t len, uint64_t *rng, struct amber_error *err)
{
	struct sink *r = tar_reader_create(&got_callbacks, g, err);
	assert_non_null(r);
	const unsigned char *p = data;
	static const size_t limits[] = {1, 7, 512, 600, 5000};
	size_t limit = rng ? limits[rng_next(rng) % 5] : len;
	int rc = 0;
	for (size_t off = 0; off < len && rc == 0;) {
		size_t k = rng ? 1 + (size_t)(rng_next(rng) % limit) : len;
		if (k > len - off)
			k = len - off;
		rc = sink_write(r, p + off, k, err);
		off += k;
	}
	if (rc == 0)
		rc = sink_close(r, err);
	sink_free(r);
	return rc;
}

/* Reads and requires the entries of `w` (data and all) back. */
static void assert_reads_back(const struct buf *archive, const struct want *w, size_t n, int64_t mtime,
			      uint64_t *rng)
{
	struct got *g = got_new();
	struct amber_error err;
	if (read_archive(g, archive->data, archive->len, rng, &err) < 0)
		fail_msg("%s", err.message);
	assert_int_equal(g->n, n);
	for (size_t i = 0; i < n; i++) {
		const struct got_entry *e = &g->e[i];
		if (w[i].dir) {
			size_t len = strlen(w[i].name);
			assert_memory_equal(e->h.name, w[i].name, len);
			assert_string_equal(e->h.name + len, w[i].name[len - 1] == '/' ? "" : "/");
			assert_int_equal(e->h.typeflag, '5');
		} else {
			assert_string_equal(e->h.name, w[i].name);
			assert_int_equal(e->h.typeflag, '0');
			assert_int_equal(e->data.len, w[i].size);
			if (w[i].size)
				assert_memory_equal(e->data.data, w[i].data, w[i].size);
		}
		assert_int_equal(e->h.size, w[i].size);
		assert_int_equal(e->h.mode, w[i].mode);
		assert_int_equal(e->h.mtime, mtime);
		assert_true(e->ended);
	}
	got_free(g);
}

/* Appends one header built with tar_header_encode, its data and padding. */
static void add_entry(struct buf *b, const char *name, char typeflag, const void *data, size_t len)
{
	unsigned char block[TAR_BLOCK];
	assert_int_equal(tar_header_encode(block, name, 0644, len, 0, typeflag, 0), 0);
	buf_add(b, block, TAR_BLOCK);
	buf_add(b, data, len);
	static const char zeros[TAR_BLOCK];
	buf_add(b, zeros, (TAR_BLOCK - len % TAR_BLOCK) % TAR_BLOCK);
}

static void add_end(struct buf *b)
{
	static const char zeros[TAR_END_SIZE];
	buf_add(b, zeros, sizeof zeros);
}

/* Rewrites the checksum of the header at `block` after a test changed it. */
static void fix_checksum(unsigned char *block)
{
	unsigned sum = 0;
	memset(block + 148, ' ', 8);
	for (size_t i = 0; i < TAR_BLOCK; i++)
		sum += block[i];
	snprintf((char *)block + 148, 8, "%06o", sum);
	block[155] = ' ';
}

/* Reads the archive whole and split, requires the same failure both times and `needle` in it. */
static void assert_read_fails(const struct buf *archive, const char *needle)
{
	for (uint64_t seed = 0; seed < 4; seed++) {
		struct got *g = got_new();
		struct amber_error err;
		uint64_t rng = seed;
		memset(&err, 0, sizeof err);
		int rc = read_archive(g, archive->data, archive->len, seed ? &rng : NULL, &err);
		if (rc == 0)
			fail_msg("reading succeeded; wanted an error with '%s'", needle);
		if (!strstr(err.message, needle))
			fail_msg("error '%s' does not contain '%s'", err.message, needle);
		got_free(g);
	}
}

/* ---- GNU tar in a temporary directory ---- */

static char tmpdir[64];

static int setup_tmpdir(void **state)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/amber_tar_XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_tmpdir(void **state)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* Runs a shell command in tmpdir; returns its exit status. */
static int run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int run(const char *fmt, ...)
{
	struct buf cmd = BUF_INIT;
	buf_addf(&cmd, "cd '%s' && { ", tmpdir);
	va_list ap;
	va_start(ap, fmt);
	buf_vaddf(&cmd, fmt, ap);
	va_end(ap);
	buf_adds(&cmd, "; }");
	int rc = system(cmd.data);
	buf_free(&cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void skip_without_gnu_tar(void)
{
	if (run("tar --version 2>/dev/null | head -n 1 | grep -q 'GNU tar'") != 0)
		skip();
}

static void path_in_tmp(char *dst, size_t cap, const char *name)
{
	snprintf(dst, cap, "%s/%s", tmpdir, name);
}

static void write_tmp_file(const char *name, const void *data, size_t len, unsigned mode)
{
	char path[512];
	path_in_tmp(path, sizeof path, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, mode), 0);
}

static void read_tmp_file(const char *name, struct buf *out)
{
	char path[512];
	path_in_tmp(path, sizeof path, name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(out, chunk, n);
	assert_int_equal(fclose(f), 0);
}

static void mkdir_tmp(const char *name, unsigned mode)
{
	char path[512];
	path_in_tmp(path, sizeof path, name);
	assert_int_equal(run("mkdir -p '%s'", name), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/* GNU tar's output starts with ours and goes on with zeros only (its record padding). */
static void assert_same_as_gnu(const struct buf *ours, const struct buf *gnu)
{
	assert_true(gnu->len >= ours->len);
	for (size_t i = 0; i < ours->len; i++)
		if (ours->data[i] != gnu->data[i])
			fail_msg("byte %zu (header field at %zu of block %zu) is 0x%02x, GNU tar has 0x%02x",
				 i, i % TAR_BLOCK, i / TAR_BLOCK, (unsigned char)ours->data[i],
				 (unsigned char)gnu->data[i]);
	for (size_t i = ours->len; i < gnu->len; i++)
		assert_int_equal(gnu->data[i], 0);
}

#define GNU_REPRO "--owner=0 --group=0 --numeric-owner --no-recursion"
#define GNU_PAX	  "--format=pax --pax-option=delete=atime,delete=ctime,exthdr.name=PaxHeaders/%%f"

/* ---- Header encoding ---- */

static void test_tar_header_encode_writes_every_ustar_field(void **state)
{
	unsigned char b[TAR_BLOCK];
	memset(b, 0xAA, sizeof b);
	assert_int_equal(tar_header_encode(b, "data/amber.db", 0444, 12345, 1700000000, '0', 0), 0);
	char want[16];
	assert_string_equal((char *)b, "data/amber.db");
	for (size_t i = strlen("data/amber.db"); i < 100; i++)
		assert_int_equal(b[i], 0);
	assert_memory_equal(b + 100, "0000444\0", 8);
	assert_memory_equal(b + 108, "0000000\0", 8); /* uid */
	assert_memory_equal(b + 116, "0000000\0", 8); /* gid */
	assert_memory_equal(b + 124, "00000030071\0", 12);
	snprintf(want, sizeof want, "%011o", 1700000000);
	assert_memory_equal(b + 136, want, 12); /* the NUL included */
	unsigned sum = 0;
	for (size_t i = 0; i < TAR_BLOCK; i++)
		sum += i >= 148 && i < 156 ? ' ' : b[i];
	snprintf(want, sizeof want, "%06o", sum);
	assert_memory_equal(b + 148, want, 7); /* six digits and a NUL ... */
	assert_int_equal(b[155], ' ');	       /* ... then a space */
	assert_int_equal(b[156], '0');
	for (size_t i = 157; i < 257; i++) /* linkname */
		assert_int_equal(b[i], 0);
	assert_memory_equal(b + 257, "ustar\0", 6);
	assert_memory_equal(b + 263, "00", 2);
	for (size_t i = 265; i < 329; i++) /* uname, gname */
		assert_int_equal(b[i], 0);
	assert_memory_equal(b + 329, "0000000\0", 8); /* devmajor */
	assert_memory_equal(b + 337, "0000000\0", 8); /* devminor */
	for (size_t i = 345; i < TAR_BLOCK; i++)      /* prefix and the unused tail */
		assert_int_equal(b[i], 0);

	struct tar_header h;
	struct amber_error err;
	assert_int_equal(tar_header_decode(b, &h, &err), 0);
	assert_string_equal(h.name, "data/amber.db");
	assert_int_equal(h.mode, 0444);
	assert_int_equal(h.size, 12345);
	assert_int_equal(h.mtime, 1700000000);
	assert_int_equal(h.typeflag, '0');
	assert_string_equal(h.linkname, "");
}

static void test_tar_header_encode_splits_long_names_at_the_last_fitting_slash(void **state)
{
	unsigned char b[TAR_BLOCK];
	struct tar_header h;
	struct amber_error err;
	/* 150 bytes: "aaaa.../" components of 9; the prefix is the longest that fits. */
	char name[300];
	make_path(name, 150, 9, 'a');
	assert_int_equal(tar_header_encode(b, name, 0644, 0, 0, '0', 0), 0);
	const char *cut = strrchr(name, '/');
	assert_string_equal((char *)b, cut + 1);
	assert_memory_equal(b + 345, name, (size_t)(cut - name));
	assert_int_equal(b[345 + (cut - name)], 0);
	assert_int_equal(tar_header_decode(b, &h, &err), 0);
	assert_string_equal(h.name, name);

	/* Exactly 100 bytes fill the name field with no NUL and no prefix. */
	make_path(name, 100, 200, 'b');
	assert_int_equal(tar_header_encode(b, name, 0644, 0, 0, '0', 0), 0);
	assert_memory_equal(b, name, 100);
	assert_int_equal(b[345], 0);
	assert_int_equal(tar_header_decode(b, &h, &err), 0);
	assert_string_equal(h.name, name);

	/* A prefix of exactly 155 bytes and a name of exactly 100. */
	make_path(name, 155, 200, 'c');
	name[155] = '/';
	make_path(name + 156, 100, 200, 'd');
	assert_int_equal(tar_header_encode(b, name, 0644, 0, 0, '0', 0), 0);
	assert_int_equal(tar_header_decode(b, &h, &err), 0);
	assert_string_equal(h.name, name);
	/* One byte more on either side cannot be split. */
	make_path(name, 156, 200, 'c');
	name[156] = '/';
	make_path(name + 157, 10, 200, 'd');
	assert_int_equal(tar_header_encode(b, name, 0644, 0, 0, '0', 0), -1);
	make_path(name, 10, 200, 'c');
	name[10] = '/';
	make_path(name + 11, 101, 200, 'd');
	assert_int_equal(tar_header_encode(b, name, 0644, 0, 0, '0', 0), -1);

	/* A directory's trailing '/' is never the split point. */
	make_path(name, 120, 200, 'e');
	strcat(name, "/");
	assert_int_equal(tar_header_encode(b, name, 0755, 0, 0, '5', 0), -1);
	make_path(name, 120, 60, 'e');
	strcat(name, "/");
	assert_int_equal(tar_header_encode(b, name, 0755, 0, 0, '5', 0), 0);
	assert_int_equal(tar_header_decode(b, &h, &err), 0);
	assert_string_equal(h.name, name);
	assert_int_equal(h.typeflag, '5');
}

static void test_tar_header_encode_refuses_what_one_header_cannot_hold(void **state)
{
	unsigned char b[TAR_BLOCK];
	assert_int_equal(tar_header_encode(b, "", 0644, 0, 0, '0', 0), -1);
	assert_int_equal(tar_header_encode(b, "f", 010000, 0, 0, '0', 0), -1);
	assert_int_equal(tar_header_encode(b, "f", 0644, 0, -1, '0', 0), -1);
	assert_int_equal(tar_header_encode(b, "f", 0644, 0, (int64_t)GIB8, '0', 0), -1);
	assert_int_equal(tar_header_encode(b, "f", 0644, 0, (int64_t)GIB8 - 1, '0', 0), 0);
	assert_memory_equal(b + 136, "77777777777\0", 12);
	assert_int_equal(tar_header_encode(b, "f", 0644, GIB8, 0, '0', 0), -1);
	assert_int_equal(tar_header_encode(b, "f", 0644, GIB8 - 1, 0, '0', 0), 0);
	assert_memory_equal(b + 124, "77777777777\0", 12);
}

static void test_tar_header_encode_base256_size_for_8_gib_plus_1_reads_back(void **state)
{
	unsigned char b[TAR_BLOCK];
	assert_int_equal(tar_header_encode(b, "blobs/sha256/big", 0644, GIB8 + 1, 0, '0', 1), 0);
	static const unsigned char want[12] = {0x80, 0, 0, 0, 0, 0, 0, 0x02, 0, 0, 0, 0x01};
	assert_memory_equal(b + 124, want, 12);
	struct tar_header h;
	struct amber_error err;
	assert_int_equal(tar_header_decode(b, &h, &err), 0);
	assert_int_equal(h.size, GIB8 + 1);
	/* The largest base-256 value that fits 64 bits, and one past it. */
	assert_int_equal(tar_header_encode(b, "f", 0644, UINT64_MAX, 0, '0', 1), 0);
	assert_int_equal(tar_header_decode(b, &h, &err), 0);
	assert_int_equal(h.size, UINT64_MAX);
	b[124 + 3] = 1;
	fix_checksum(b);
	assert_int_equal(tar_header_decode(b, &h, &err), -1);
	assert_non_null(strstr(err.message, "does not fit in 64 bits"));
}

/* ---- pax records ---- */

static void test_tar_pax_encode_writes_path_and_size_records_only_when_needed(void **state)
{
	struct buf b = BUF_INIT;
	assert_int_equal(tar_pax_encode(&b, "data/amber.db", GIB8 - 1), 0);
	assert_int_equal(b.len, 0);
	assert_int_equal(tar_pax_encode(&b, "data/amber.db", GIB8 + 1), 1);
	assert_string_equal(buf_str(&b), "19 size=8589934593\n");
	buf_reset(&b);

	/* 120 bytes in one component: the record is 130 bytes, as GNU tar writes it. */
	char name[200];
	make_path(name, 120, 200, 'a');
	assert_int_equal(tar_pax_encode(&b, name, 2), 1);
	assert_int_equal(b.len, 130);
	assert_memory_equal(b.data, "130 path=", 9);
	assert_memory_equal(b.data + 9, name, 120);
	assert_int_equal(b.data[129], '\n');
	buf_reset(&b);

	/* Both, path first. */
	assert_int_equal(tar_pax_encode(&b, name, UINT64_MAX), 2);
	assert_int_equal(b.len, 130 + 29);
	assert_memory_equal(b.data + 130, "29 size=18446744073709551615\n", 29);
	struct tar_header h;
	memset(&h, 0, sizeof h);
	struct amber_error err;
	assert_int_equal(tar_pax_apply(b.data, b.len, &h, &err), 0);
	assert_string_equal(h.name, name);
	assert_int_equal(h.size, UINT64_MAX);
	buf_reset(&b);

	/* Around the 999/1000 boundary a record's length gains a digit by counting itself. */
	char long_name[1200];
	for (size_t len = 101; len < sizeof long_name; len++) {
		make_path(long_name, len, 200, 'x'); /* never splittable: no '/' within 155 bytes */
		buf_reset(&b);
		assert_int_equal(tar_pax_encode(&b, long_name, 0), 1);
		assert_int_equal(strtoul(b.data, NULL, 10), b.len);
		memset(&h, 0, sizeof h);
		assert_int_equal(tar_pax_apply(b.data, b.len, &h, &err), 0);
		assert_string_equal(h.name, long_name);
	}
	make_path(long_name, 991, 200, 'x');
	buf_reset(&b);
	tar_pax_encode(&b, long_name, 0);
	assert_int_equal(b.len, 1002); /* 998 without its length: 3 digits give 1001, which has 4 */
	buf_free(&b);
}

static void test_tar_pax_apply_takes_path_linkpath_size_and_ignores_others(void **state)
{
	static const char rec[] = "30 mtime=1700000000.123456789\n"
				  "17 path=a/b/c.db\n"
				  "16 linkpath=tgt\n"
				  "12 size=123\n"
				  "8 path=\n"
				  "22 SCHILY.xattr.a=b=c\n";
	struct tar_header h;
	memset(&h, 0, sizeof h);
	strcpy(h.name, "short");
	h.size = 7;
	struct amber_error err;
	assert_int_equal(tar_pax_apply(rec, sizeof rec - 1, &h, &err), 0);
	assert_string_equal(h.name, "a/b/c.db"); /* the empty path after it changes nothing */
	assert_string_equal(h.linkname, "tgt");
	assert_int_equal(h.size, 123);
	assert_int_equal(h.mtime, 0);
}

static void test_tar_pax_apply_rejects_records_whose_length_lies(void **state)
{
	static const struct {
		const char *rec;
		const char *needle;
	} bad[] = {
	    {"30 path=abc\n", "length 30 goes past the 12 bytes left"},
	    {"11 path=abc\n", "does not end at a newline"},
	    {"12 path=abc\n3", "at byte 12: does not start with a decimal length"},
	    {"path=abc\n", "does not start with a decimal length"},
	    {"12path=abc\n", "does not start with a decimal length"},
	    {"99999999999999999999999 path=abc\n", "goes past"},
	    {"3 a\n", "does not end at a newline"},
	    {"11 pathabc\n", "no 'key='"},
	    {"9 =value\n", "no 'key='"},
	    {"12 size=1x3\n", "size '1x3' is not a 64-bit decimal number"},
	    {"29 size=18446744073709551616\n", "not a 64-bit decimal number"},
	    {"12 size=-12\n", "not a 64-bit decimal number"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct tar_header h;
		memset(&h, 0, sizeof h);
		struct amber_error err;
		memset(&err, 0, sizeof err);
		if (tar_pax_apply(bad[i].rec, strlen(bad[i].rec), &h, &err) != -1)
			fail_msg("'%s' was accepted", bad[i].rec);
		if (!strstr(err.message, bad[i].needle))
			fail_msg("'%s': error '%s' lacks '%s'", bad[i].rec, err.message, bad[i].needle);
	}
	/* A NUL inside a path, and a path too long for a header. */
	struct tar_header h;
	struct amber_error err;
	assert_int_equal(tar_pax_apply("12 path=a\0c\n", 12, &h, &err), -1);
	assert_non_null(strstr(err.message, "NUL"));
	struct buf b = BUF_INIT;
	char *name = malloc(TAR_NAME_MAX + 1);
	assert_non_null(name);
	make_path(name, TAR_NAME_MAX, 50, 'n');
	tar_pax_encode(&b, name, 0);
	assert_int_equal(tar_pax_apply(b.data, b.len, &h, &err), -1);
	assert_non_null(strstr(err.message, "too long"));
	buf_reset(&b);
	name[TAR_NAME_MAX - 1] = '\0';
	tar_pax_encode(&b, name, 0);
	assert_int_equal(tar_pax_apply(b.data, b.len, &h, &err), 0);
	assert_string_equal(h.name, name);
	free(name);
	buf_free(&b);
}

/* ---- Header decoding ---- */

static void test_tar_header_decode_all_zero_block_is_end_of_archive(void **state)
{
	unsigned char b[TAR_BLOCK] = {0};
	struct tar_header h;
	struct amber_error err;
	assert_int_equal(tar_header_decode(b, &h, &err), 1);
	b[511] = 1;
	assert_int_equal(tar_header_decode(b, &h, &err), -1);
	assert_non_null(strstr(err.message, "checksum"));
}

static void test_tar_header_decode_checks_checksum_signed_or_unsigned(void **state)
{
	unsigned char b[TAR_BLOCK];
	struct tar_header h;
	struct amber_error err;
	assert_int_equal(tar_header_encode(b, "caf\xc3\xa9", 0644, 1, 0, '0', 0), 0);
	assert_int_equal(tar_header_decode(b, &h, &err), 0);
	assert_string_equal(h.name, "caf\xc3\xa9");

	/* The historic signed sum (bytes >= 0x80 counted negative) is accepted too. */
	int sum = 0;
	memset(b + 148, ' ', 8);
	for (size_t i = 0; i < TAR_BLOCK; i++)
		sum += (signed char)b[i];
	snprintf((char *)b + 148, 8, "%06o", sum);
	assert_int_equal(tar_header_decode(b, &h, &err), 0);

	/* One flipped bit anywhere is caught. */
	assert_int_equal(tar_header_encode(b, "f", 0644, 1, 0, '0', 0), 0);
	b[300] ^= 1;
	assert_int_equal(tar_header_decode(b, &h, &err), -1);
	assert_non_null(strstr(err.message, "tar header: bad checksum (stored 0"));
	/* A checksum field that is not octal. */
	assert_int_equal(tar_header_encode(b, "f", 0644, 1, 0, '0', 0), 0);
	b[150] = '9';
	assert_int_equal(tar_header_decode(b, &h, &err), -1);
	assert_non_null(strstr(err.message, "checksum field"));
}

static void test_tar_header_decode_rejects_non_octal_fields_with_entry_name(void **state)
{
	unsigned char b[TAR_BLOCK];
	struct tar_header h;
	struct amber_error err;
	static const struct {
		size_t off;
		const char *field;
		const char *needle;
	} bad[] = {
	    {124, "0000000001x", "entry 'f': size field is not octal ('0000000001x?')"},
	    {124, "00000000019", "size field is not octal"},
	    {124, "1 1        ", "size field is not octal"},
	    {136, "-0000000001", "mtime field is not octal"},
	    {100, "0000648", "mode field is not octal"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(tar_header_encode(b, "f", 0644, 1, 0, '0', 0), 0);
		memcpy(b + bad[i].off, bad[i].field, strlen(bad[i].field));
		fix_checksum(b);
		assert_int_equal(tar_header_decode(b, &h, &err), -1);
		if (!strstr(err.message, bad[i].needle))
			fail_msg("error '%s' lacks '%s'", err.message, bad[i].needle);
	}
	/* Leading spaces, a space terminator and an all-blank field are what old tars write. */
	assert_int_equal(tar_header_encode(b, "f", 0644, 1, 0, '0', 0), 0);
	memcpy(b + 124, "   17 \0\0\0\0\0\0", 12);
	memcpy(b + 136, "            ", 12);
	fix_checksum(b);
	assert_int_equal(tar_header_decode(b, &h, &err), 0);
	assert_int_equal(h.size, 15);
	assert_int_equal(h.mtime, 0);
	/* Negative base-256 mtime (before 1970) reads back; negative sizes do not. */
	memset(b + 136, 0xff, 12);
	b[147] = 0xfe;
	fix_checksum(b);
	assert_int_equal(tar_header_decode(b, &h, &err), 0);
	assert_int_equal(h.mtime, -2);
	memset(b + 124, 0xff, 12);
	fix_checksum(b);
	assert_int_equal(tar_header_decode(b, &h, &err), -1);
	assert_non_null(strstr(err.message, "negative"));
}

static void test_tar_header_decode_reads_gnu_and_v7_magic_and_rejects_others(void **state)
{
	unsigned char b[TAR_BLOCK];
	struct tar_header h;
	struct amber_error err;
	/* GNU: the prefix bytes are not a prefix. */
	assert_int_equal(tar_header_encode(b, "n", 0644, 0, 0, '\0', 0), 0);
	memcpy(b + 257, "ustar  \0", 8);
	memcpy(b + 345, "junk", 4);
	fix_checksum(b);
	assert_int_equal(tar_header_decode(b, &h, &err), 0);
	assert_string_equal(h.name, "n");
	assert_int_equal(h.typeflag, '0'); /* an old '\0' typeflag is a regular file */
	/* v7: no magic at all. */
	memset(b + 257, 0, TAR_BLOCK - 257);
	fix_checksum(b);
	assert_int_equal(tar_header_decode(b, &h, &err), 0);
	assert_string_equal(h.name, "n");
	memcpy(b + 257, "ustaR\0", 6);
	fix_checksum(b);
	assert_int_equal(tar_header_decode(b, &h, &err), -1);
	assert_non_null(strstr(err.message, "unknown magic"));
}

/* ---- Writer ---- */

static void test_tar_file_entry_size_equals_bytes_written(void **state)
{
	static const size_t sizes[] = {0, 1, 511, 512, 513, 1024, 4000};
	char names[5][600];
	make_path(names[0], 1, 10, 'a');
	make_path(names[1], 100, 200, 'b'); /* fits the name field */
	make_path(names[2], 180, 30, 'c');  /* prefix/name split */
	make_path(names[3], 120, 200, 'd'); /* pax path */
	make_path(names[4], 590, 150, 'e'); /* pax path, record over 512 bytes */
	for (size_t i = 0; i < 5; i++) {
		for (size_t j = 0; j < sizeof sizes / sizeof sizes[0]; j++) {
			struct buf out = BUF_INIT;
			unsigned char *data = calloc(1, sizes[j] + 1);
			assert_non_null(data);
			struct want w = {names[i], 0644, data, sizes[j], 0};
			write_archive(&out, &w, 1, 0); /* checks the entry's size against tw.offset */
			assert_int_equal(out.len, tar_file_entry_size(names[i], sizes[j]) + TAR_END_SIZE);
			assert_int_equal(out.len % TAR_BLOCK, 0);
			assert_reads_back(&out, &w, 1, 0, NULL);
			free(data);
			buf_free(&out);
		}
	}
	assert_int_equal(tar_file_entry_size("f", 0), 512);
	assert_int_equal(tar_file_entry_size("f", 1), 1024);
	assert_int_equal(tar_file_entry_size(names[3], 1), 512 + 512 + 512 + 512);
	assert_int_equal(tar_file_entry_size("f", GIB8), 512 + 512 + 512 + GIB8);
	assert_int_equal(tar_dir_entry_size("d"), 512);
	assert_int_equal(tar_dir_entry_size("d/"), 512);
	assert_int_equal(tar_dir_entry_size(names[3]), 1536);
}

static void test_tar_writer_rejects_misuse_with_a_message(void **state)
{
	struct buf out = BUF_INIT;
	struct sink_buf s;
	sink_buf_init(&s, &out);
	struct tar_writer w;
	struct amber_error err;
	tar_writer_init(&w, &s.base, 0);

	static const char *const unsafe[] = {"", "/etc/passwd", "../x", "a/../../x", "a//b", "a/..", "f/"};
	for (size_t i = 0; i < sizeof unsafe / sizeof unsafe[0]; i++) {
		assert_int_equal(tar_write_file_begin(&w, unsafe[i], 0644, 0, &err), -1);
		assert_true(strstr(err.message, unsafe[i]) != NULL);
	}
	assert_int_equal(tar_write_dir(&w, "/abs", 0755, &err), -1);
	assert_int_equal(tar_write_dir(&w, "", 0755, &err), -1);
	assert_int_equal(tar_write_file_begin(&w, "f", 01000 << 3, 0, &err), -1);
	assert_non_null(strstr(err.message, "mode 010000"));
	char *long_name = malloc(TAR_NAME_MAX + 1);
	assert_non_null(long_name);
	make_path(long_name, TAR_NAME_MAX, 99, 'l');
	assert_int_equal(tar_write_file_begin(&w, long_name, 0644, 0, &err), -1);
	assert_non_null(strstr(err.message, "too long"));
	long_name[TAR_NAME_MAX - 1] = '\0';
	assert_int_equal(tar_write_dir(&w, long_name, 0755, &err), -1); /* no room for its '/' */
	free(long_name);
	assert_int_equal(out.len, 0); /* nothing was written by any of those */

	assert_int_equal(tar_write_data(&w, "x", 1, &err), -1);
	assert_non_null(strstr(err.message, "no file entry open"));
	assert_int_equal(tar_write_file_end(&w, &err), -1);

	assert_int_equal(tar_write_file_begin(&w, "data/amber.db", 0444, 3, &err), 0);
	assert_int_equal(tar_write_file_begin(&w, "g", 0644, 0, &err), -1);
	assert_non_null(strstr(err.message, "entry 'data/amber.db' is still open"));
	assert_int_equal(tar_write_data(&w, "abcd", 4, &err), -1);
	assert_non_null(
	    strstr(err.message, "entry 'data/amber.db' was announced as 3 bytes, got at least 4"));
	assert_int_equal(tar_write_data(&w, "ab", 2, &err), 0);
	assert_int_equal(tar_write_file_end(&w, &err), -1);
	assert_non_null(strstr(err.message, "entry 'data/amber.db' was announced as 3 bytes, got 2"));
	assert_int_equal(tar_writer_finish(&w, &err), -1);
	assert_non_null(strstr(err.message, "still open"));
	assert_int_equal(sink_write(&w.data, "c", 1, &err), 0);
	assert_int_equal(tar_write_file_end(&w, &err), 0);
	assert_int_equal(tar_writer_finish(&w, &err), 0);
	assert_int_equal(tar_writer_finish(&w, &err), -1);
	assert_int_equal(tar_write_dir(&w, "d", 0755, &err), -1);
	assert_non_null(strstr(err.message, "already finished"));
	assert_int_equal(out.len, 4 * 512);

	/* An mtime that 11 octal digits cannot hold. */
	tar_writer_init(&w, &s.base, -1);
	assert_int_equal(tar_write_file_begin(&w, "f", 0644, 0, &err), -1);
	assert_non_null(strstr(err.message, "mtime -1"));
	buf_free(&out);
}

static void test_tar_writer_reports_sink_errors_and_stays_failed(void **state)
{
	struct sink failing = {failing_write, NULL, NULL};
	struct tar_writer w;
	struct amber_error err;
	tar_writer_init(&w, &failing, 0);
	assert_int_equal(tar_write_file_begin(&w, "f", 0644, 1, &err), -1);
	assert_string_equal(err.message, "disk full");
	assert_int_equal(tar_write_dir(&w, "d", 0755, &err), -1);
	assert_non_null(strstr(err.message, "earlier write"));
	assert_int_equal(tar_writer_finish(&w, &err), -1);
	assert_int_equal(w.offset, 0);
}

static void test_tar_round_trip_with_random_chunk_splits(void **state)
{
	uint64_t rng = 42;
	for (int round = 0; round < 60; round++) {
		struct want w[12];
		char names[12][400];
		unsigned char *data[12];
		size_t n = 1 + (size_t)(rng_next(&rng) % 12);
		for (size_t i = 0; i < n; i++) {
			size_t len = 1 + (size_t)(rng_next(&rng) % 300);
			size_t comp = 1 + (size_t)(rng_next(&rng) % 130);
			make_path(names[i], len, comp, (char)('a' + i));
			int dir = rng_next(&rng) % 5 == 0;
			size_t size = dir ? 0 : (size_t)(rng_next(&rng) % 3000);
			if (!dir && rng_next(&rng) % 3 == 0)
				size = (size_t)(rng_next(&rng) % 3) * 512; /* exact blocks */
			data[i] = malloc(size + 1);
			assert_non_null(data[i]);
			fill_random(data[i], size, &rng);
			static const unsigned modes[] = {0444, 0555, 0644, 0755, 07777, 0};
			w[i] = (struct want){names[i], modes[rng_next(&rng) % 6], data[i], size, dir};
		}
		int64_t mtime = (int64_t)(rng_next(&rng) % GIB8);
		struct buf out = BUF_INIT;
		write_archive(&out, w, n, mtime);
		assert_reads_back(&out, w, n, mtime, NULL);
		for (int k = 0; k < 4; k++)
			assert_reads_back(&out, w, n, mtime, &rng);
		buf_free(&out);
		for (size_t i = 0; i < n; i++)
			free(data[i]);
	}
}

/* Keeps the first bytes written to it and counts the rest. */
struct head_sink {
	struct sink base;
	unsigned char head[4096];
	uint64_t bytes;
};

static int head_write(struct sink *s, const void *data, size_t len, struct amber_error *err)
{
	struct head_sink *h = (struct head_sink *)s;
	if (h->bytes < sizeof h->head) {
		size_t k = sizeof h->head - (size_t)h->bytes;
		memcpy(h->head + h->bytes, data, k < len ? k : len);
	}
	h->bytes += len;
	return 0;
}

/* The whole 8 GiB + 1 entry goes writer → reader → counting sink: nothing is stored, so this
 * takes seconds, not 8 GiB. */
struct big_ctx {
	struct head_sink data;
	struct tar_header h;
	int entries, ended;
};

static int big_entry(void *ctx, const struct tar_header *h, struct sink **out, struct amber_error *err)
{
	struct big_ctx *c = ctx;
	c->h = *h;
	c->entries++;
	*out = &c->data.base;
	return 0;
}

static int big_end(void *ctx, const struct tar_header *h, struct amber_error *err)
{
	((struct big_ctx *)ctx)->ended++;
	return 0;
}

static void test_tar_8_gib_plus_1_entry_streams_through_writer_and_reader(void **state)
{
	static const struct tar_reader_callbacks cb = {big_entry, big_end};
	struct big_ctx *c = calloc(1, sizeof *c);
	assert_non_null(c);
	c->data.base.write = head_write;
	struct amber_error err;
	struct sink *reader = tar_reader_create(&cb, c, &err);
	struct head_sink headers = {{head_write, NULL, NULL}, {0}, 0};
	struct sink_tee tee;
	sink_tee_init(&tee, &headers.base, reader);
	struct tar_writer w;
	tar_writer_init(&w, &tee.base, 0);
	const uint64_t size = GIB8 + 1;
	if (tar_write_file_begin(&w, "big", 0644, size, &err) < 0)
		fail_msg("%s", err.message);
	assert_int_equal(w.offset, 3 * 512); /* pax header, its records, ustar header */
	const size_t chunk = 1 << 20;
	unsigned char *zeros = calloc(1, chunk);
	assert_non_null(zeros);
	uint64_t left = size;
	while (left > chunk) {
		assert_int_equal(tar_write_data(&w, zeros, chunk, &err), 0);
		left -= chunk;
	}
	memset(zeros, 'Z', (size_t)left);
	assert_int_equal(tar_write_data(&w, zeros, (size_t)left, &err), 0);
	if (tar_write_file_end(&w, &err) < 0 || tar_writer_finish(&w, &err) < 0 ||
	    sink_close(reader, &err) < 0)
		fail_msg("%s", err.message);
	assert_int_equal(w.offset, tar_file_entry_size("big", size) + TAR_END_SIZE);
	assert_int_equal(c->entries, 1);
	assert_int_equal(c->ended, 1);
	assert_string_equal(c->h.name, "big");
	assert_int_equal(c->h.size, size);
	assert_int_equal(c->data.bytes, size);
	assert_int_equal(c->h.offset, 1024);

	/* The headers: pax 'x' with "19 size=8589934593\n", then ustar with size field 0. */
	struct tar_header h;
	assert_int_equal(tar_header_decode(headers.head, &h, &err), 0);
	assert_string_equal(h.name, "PaxHeaders/big");
	assert_int_equal(h.typeflag, 'x');
	assert_int_equal(h.size, 19);
	assert_memory_equal(headers.head + 512, "19 size=8589934593\n", 19);
	assert_int_equal(tar_header_decode(headers.head + 1024, &h, &err), 0);
	assert_int_equal(h.size, 0);
	free(zeros);
	sink_free(reader);
	free(c);
}

static void test_tar_unsized_entry_patched_in_place_reads_back(void **state)
{
	struct buf out = BUF_INIT;
	struct sink_buf s;
	sink_buf_init(&s, &out);
	struct tar_writer w;
	struct amber_error err;
	tar_writer_init(&w, &s.base, 0);
	unsigned char blob[700];
	uint64_t rng = 7, at, size;
	fill_random(blob, sizeof blob, &rng);
	assert_int_equal(tar_write_dir(&w, "blobs", 0755, &err), 0);
	assert_int_equal(tar_write_file_begin_unsized(&w, &at, &err), 0);
	assert_int_equal(at, 512);
	assert_int_equal(tar_write_file_end(&w, &err), -1); /* the sized end refuses */
	assert_int_equal(tar_write_data(&w, blob, 300, &err), 0);
	assert_int_equal(sink_write(&w.data, blob + 300, 400, &err), 0);
	assert_int_equal(tar_write_file_end_unsized(&w, &size, &err), 0);
	assert_int_equal(size, sizeof blob);
	assert_int_equal(tar_write_file_end_unsized(&w, &size, &err), -1);
	assert_int_equal(tar_writer_finish(&w, &err), 0);
	const char *name = "blobs/sha256/0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	assert_int_equal(w.offset,
			 tar_dir_entry_size("blobs") + tar_file_entry_size(name, size) + TAR_END_SIZE);

	/* Unpatched, the placeholder fails to read. */
	assert_read_fails(&out, "tar header at byte offset 512: bad checksum");

	unsigned char block[TAR_BLOCK];
	assert_int_equal(tar_header_encode(block, name, 0644, size, w.mtime, '0', 1), 0);
	memcpy(out.data + at, block, TAR_BLOCK);
	struct want want[2] = {{"blobs", 0755, NULL, 0, 1}, {name, 0644, blob, sizeof blob, 0}};
	assert_reads_back(&out, want, 2, 0, NULL);
	assert_reads_back(&out, want, 2, 0, &rng);

	/* Byte-identical to the same entry written sized. */
	struct buf sized = BUF_INIT;
	write_archive(&sized, want, 2, 0);
	assert_int_equal(sized.len, out.len);
	assert_memory_equal(sized.data, out.data, out.len);
	buf_free(&sized);
	buf_free(&out);
}

/* ---- Names ---- */

static void test_tar_name_is_safe_rejects_escapes_and_odd_components(void **state)
{
	static const char *const safe[] = {
	    "a",  "a/b",   "data/amber.db", "dir/", "./a",   ".",
	    "./", "a/./b", "..a",	    "a..",  "a/...", ".hidden/x",
	};
	static const char *const unsafe[] = {
	    "",	    "/",      "/a",   "//a",   "..",	 "../",		 "../a",
	    "a/..", "a/../b", "a//b", "a/b//", "./../a", "a/b/../../..",
	};
	for (size_t i = 0; i < sizeof safe / sizeof safe[0]; i++)
		if (!tar_name_is_safe(safe[i]))
			fail_msg("'%s' rejected", safe[i]);
	for (size_t i = 0; i < sizeof unsafe / sizeof unsafe[0]; i++)
		if (tar_name_is_safe(unsafe[i]))
			fail_msg("'%s' accepted", unsafe[i]);
	assert_false(tar_name_is_safe(NULL));
}

/* ---- Reader ---- */

static void test_tar_reader_reports_truncated_data_with_entry_name(void **state)
{
	unsigned char data[1000];
	memset(data, 'd', sizeof data);
	struct want w = {"data/amber.db", 0444, data, sizeof data, 0};
	struct buf out = BUF_INIT;
	write_archive(&out, &w, 1, 0);
	const size_t full = out.len;

	out.len = 512 + 300;
	assert_read_fails(&out, "truncated tar: entry 'data/amber.db' expects 1000 bytes, got 300");
	out.len = 512 + 1000 + 10;
	assert_read_fails(&out, "truncated tar: the padding after entry 'data/amber.db' ends 14 bytes early");
	out.len = 512 + 1024;
	assert_read_fails(&out, "truncated tar: no end-of-archive block after 1 entries (1536 bytes)");
	out.len = 512 + 1024 + 100;
	assert_read_fails(&out, "truncated tar: header at byte offset 1536 has 100 of its 512 bytes");
	out.len = 100;
	assert_read_fails(&out, "truncated tar: header at byte offset 0 has 100 of its 512 bytes");
	out.len = 0;
	assert_read_fails(&out, "no end-of-archive block after 0 entries");

	/* A lone zero block is an end, as GNU tar takes it; so is any run of zeros after it. */
	struct got *g = got_new();
	struct amber_error err;
	assert_int_equal(read_archive(g, out.data, 512 + 1024 + 512, NULL, &err), 0);
	assert_int_equal(g->n, 1);
	got_free(g);
	out.len = full;
	buf_add(&out, (char[8192]){0}, 8192);
	g = got_new();
	assert_int_equal(read_archive(g, out.data, out.len, NULL, &err), 0);
	got_free(g);
	/* Anything else after the end is an error at its offset. */
	out.data[full + 5000] = 'x';
	char want[128];
	snprintf(want, sizeof want, "non-zero byte at byte offset %zu after the end-of-archive block",
		 full + 5000);
	assert_read_fails(&out, want);
	buf_free(&out);
}

static void test_tar_reader_rejects_bad_headers_with_their_offset(void **state)
{
	unsigned char data[10] = "0123456789";
	struct want w[2] = {{"a", 0644, data, 10, 0}, {"b", 0644, data, 10, 0}};
	struct buf out = BUF_INIT;
	write_archive(&out, w, 2, 0);

	out.data[1024 + 3] ^= 0x20; /* the second header */
	assert_read_fails(&out, "tar header at byte offset 1024: bad checksum");
	out.data[1024 + 3] ^= 0x20;

	memcpy(out.data + 1024 + 124, "0000000001x", 11);
	fix_checksum((unsigned char *)out.data + 1024);
	assert_read_fails(&out, "tar header at byte offset 1024: entry 'b': size field is not octal");
	buf_free(&out);

	/* An entry whose name is empty. */
	buf_reset(&out);
	add_entry(&out, "x", '0', "", 0);
	memset(out.data, 0, 100);
	fix_checksum((unsigned char *)out.data);
	add_end(&out);
	assert_read_fails(&out, "tar entry at byte offset 0 has an empty name");
	buf_free(&out);
}

static void test_tar_reader_rejects_lying_pax_headers(void **state)
{
	struct buf out = BUF_INIT;
	add_entry(&out, "PaxHeaders/f", 'x', "30 path=abc\n", 12);
	add_entry(&out, "f", '0', "xyz", 3);
	add_end(&out);
	assert_read_fails(
	    &out, "tar pax header before byte offset 1024: pax record at byte 0: length 30 goes past");

	/* Records cut short by the header's own size. */
	buf_reset(&out);
	add_entry(&out, "PaxHeaders/f", 'x', "12 path=abc\n", 11);
	add_entry(&out, "f", '0', "xyz", 3);
	add_end(&out);
	assert_read_fails(&out, "goes past the 11 bytes left");

	/* A pax header with no entry after it. */
	buf_reset(&out);
	add_entry(&out, "PaxHeaders/f", 'x', "12 path=abc\n", 12);
	add_end(&out);
	assert_read_fails(&out, "metadata header at byte offset 0 is followed by the end of the archive");
	out.len = 1024;
	assert_read_fails(&out,
			  "truncated tar: metadata header at byte offset 0 is not followed by an entry");

	/* A global header alone is a complete (empty) archive. */
	struct buf global = BUF_INIT;
	add_entry(&global, "pax_global_header", 'g', "20 comment=abcdefgh\n", 20);
	add_end(&global);
	struct got *g = got_new();
	struct amber_error err;
	assert_int_equal(read_archive(g, global.data, global.len, NULL, &err), 0);
	assert_int_equal(g->n, 0);
	got_free(g);
	buf_free(&global);

	out.len = 520;
	assert_read_fails(&out, "truncated tar: pax header at byte offset 0 expects 12 bytes, got 8");
	out.len = 600;
	assert_read_fails(&out,
			  "truncated tar: the padding after the pax header at byte offset 0 ends 424 bytes");

	/* More pax data than the reader holds. */
	buf_reset(&out);
	unsigned char block[TAR_BLOCK];
	assert_int_equal(tar_header_encode(block, "PaxHeaders/f", 0644, TAR_PAX_MAX + 1, 0, 'x', 0), 0);
	buf_add(&out, block, TAR_BLOCK);
	assert_read_fails(&out,
			  "pax header at byte offset 0: 1048577 bytes is more than this reader accepts");
	buf_free(&out);
}

static void test_tar_reader_applies_pax_to_the_next_entry_only_and_skips_global(void **state)
{
	struct buf out = BUF_INIT;
	static const char global[] = "20 path=global/name\n";
	static const char local[] = "18 path=long/name\n10 size=5\n20 linkpath=ignored\n";
	add_entry(&out, "pax_global_header", 'g', global, sizeof global - 1);
	add_entry(&out, "PaxHeaders/a", 'x', local, 28);
	add_entry(&out, "PaxHeaders/a", 'x', local + 28, sizeof local - 1 - 28); /* two in a row add up */
	/* The ustar size says 0; the pax size (5) governs. */
	unsigned char block[TAR_BLOCK];
	assert_int_equal(tar_header_encode(block, "a", 0600, 0, 99, '0', 0), 0);
	buf_add(&out, block, TAR_BLOCK);
	buf_add(&out, "hello", 5);
	buf_add(&out, (char[507]){0}, 507);
	add_entry(&out, "second", '0', "2", 1);
	add_entry(&out, "link", '2', NULL, 0);
	add_end(&out);

	for (uint64_t seed = 0; seed < 8; seed++) {
		uint64_t rng = seed;
		struct got *g = got_new();
		struct amber_error err;
		if (read_archive(g, out.data, out.len, seed ? &rng : NULL, &err) < 0)
			fail_msg("%s", err.message);
		assert_int_equal(g->n, 3);
		assert_string_equal(g->e[0].h.name, "long/name");
		assert_string_equal(g->e[0].h.linkname, "ignored");
		assert_int_equal(g->e[0].h.size, 5);
		assert_int_equal(g->e[0].h.mode, 0600);
		assert_int_equal(g->e[0].h.mtime, 99);
		assert_int_equal(g->e[0].h.offset, 3 * 1024);
		assert_memory_equal(g->e[0].data.data, "hello", 5);
		assert_string_equal(g->e[1].h.name, "second");
		assert_string_equal(g->e[1].h.linkname, "");
		assert_string_equal(g->e[2].h.name, "link");
		assert_int_equal(g->e[2].h.typeflag, '2');
		got_free(g);
	}
	buf_free(&out);
}

static void test_tar_reader_header_only_types_carry_no_data(void **state)
{
	struct buf out = BUF_INIT;
	unsigned char block[TAR_BLOCK];
	/* A hard link whose size field says 700: no data follows it (as in Go and Python). */
	assert_int_equal(tar_header_encode(block, "hard", 0644, 700, 0, '1', 0), 0);
	buf_add(&out, block, TAR_BLOCK);
	add_entry(&out, "after", '0', "x", 1);
	add_end(&out);
	struct got *g = got_new();
	struct amber_error err;
	if (read_archive(g, out.data, out.len, NULL, &err) < 0)
		fail_msg("%s", err.message);
	assert_int_equal(g->n, 2);
	assert_int_equal(g->e[0].h.size, 0);
	assert_true(g->e[0].ended);
	assert_string_equal(g->e[1].h.name, "after");
	got_free(g);
	buf_free(&out);
}

static void test_tar_reader_reads_gnu_long_names(void **state)
{
	char name[600], target[300];
	make_path(name, 590, 150, 'n');
	make_path(target, 250, 250, 't');
	struct buf out = BUF_INIT;
	add_entry(&out, "././@LongLink", 'L', name, strlen(name) + 1); /* GNU counts the NUL */
	add_entry(&out, "././@LongLink", 'K', target, strlen(target));
	add_entry(&out, "cut-short", '2', NULL, 0);
	add_entry(&out, "././@LongLink", 'L', name, 10);
	add_entry(&out, "short", '0', "abc", 3);
	add_end(&out);
	struct got *g = got_new();
	struct amber_error err;
	if (read_archive(g, out.data, out.len, NULL, &err) < 0)
		fail_msg("%s", err.message);
	assert_int_equal(g->n, 2);
	assert_string_equal(g->e[0].h.name, name);
	assert_string_equal(g->e[0].h.linkname, target);
	assert_memory_equal(g->e[1].h.name, name, 10);
	assert_int_equal(strlen(g->e[1].h.name), 10);
	assert_string_equal(g->e[1].h.linkname, ""); /* long names apply once */
	got_free(g);

	/* A long name longer than the reader accepts. */
	buf_reset(&out);
	unsigned char block[TAR_BLOCK];
	assert_int_equal(tar_header_encode(block, "././@LongLink", 0644, TAR_NAME_MAX + 1, 0, 'L', 0), 0);
	buf_add(&out, block, TAR_BLOCK);
	assert_read_fails(&out,
			  "GNU long name at byte offset 0: 4097 bytes is more than this reader accepts");
	buf_free(&out);
}

static void test_tar_reader_stops_on_callback_and_data_sink_errors(void **state)
{
	struct want w[3] = {{"a", 0644, "aa", 2, 0}, {"b", 0644, "bb", 2, 0}, {"c", 0644, "cc", 2, 0}};
	struct buf out = BUF_INIT;
	write_archive(&out, w, 3, 0);
	struct amber_error err;

	struct got *g = got_new();
	g->fail_at = 1;
	assert_int_equal(read_archive(g, out.data, out.len, NULL, &err), -1);
	assert_string_equal(err.message, "test refuses 'b'");
	assert_int_equal(g->n, 1);
	got_free(g);

	g = got_new();
	g->fail_data = 2;
	struct sink *r = tar_reader_create(&got_callbacks, g, &err);
	assert_int_equal(sink_write(r, out.data, out.len, &err), -1);
	assert_string_equal(err.message, "disk full");
	/* The same error again on every later call. */
	memset(&err, 0, sizeof err);
	assert_int_equal(sink_write(r, "", 1, &err), -1);
	assert_string_equal(err.message, "disk full");
	memset(&err, 0, sizeof err);
	assert_int_equal(sink_close(r, &err), -1);
	assert_string_equal(err.message, "disk full");
	sink_free(r);
	got_free(g);

	/* Skipping data: callbacks still come in order, the reader reads on. */
	g = got_new();
	g->skip_data = 1;
	assert_int_equal(read_archive(g, out.data, out.len, NULL, &err), 0);
	assert_int_equal(g->n, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_true(g->e[i].ended);
		assert_int_equal(g->e[i].data.len, 0);
	}
	got_free(g);

	/* Callbacks may be left out. */
	r = tar_reader_create(NULL, NULL, &err);
	assert_int_equal(sink_write(r, out.data, out.len, &err), 0);
	assert_int_equal(sink_close(r, &err), 0);
	sink_free(r);
	buf_free(&out);
}

/* ---- Against GNU tar ---- */

static void test_tar_writer_output_is_byte_identical_to_gnu_tar_ustar(void **state)
{
	skip_without_gnu_tar();
	static unsigned char block[512], odd[1000];
	uint64_t rng = 3;
	fill_random(block, sizeof block, &rng);
	fill_random(odd, sizeof odd, &rng);
	char deep[200];
	make_path(deep, 150, 40, 'p'); /* split into prefix/name */
	char dirs[200];
	memcpy(dirs, deep, (size_t)(strrchr(deep, '/') - deep));
	dirs[strrchr(deep, '/') - deep] = '\0';

	mkdir_tmp("d", 0755);
	write_tmp_file("d/hello", "hello\n", 6, 0644);
	write_tmp_file("d/empty", "", 0, 0555);
	write_tmp_file("d/block", block, sizeof block, 0444);
	mkdir_tmp(dirs, 0700);
	write_tmp_file(deep, odd, sizeof odd, 0600);
	assert_int_equal(run("tar --format=ustar " GNU_REPRO
			     " --mtime=@1700000000 -cf gnu.tar d d/hello d/empty "
			     "d/block '%s'",
			     deep),
			 0);

	struct want w[] = {
	    {"d", 0755, NULL, 0, 1},	      {"d/hello", 0644, "hello\n", 6, 0},
	    {"d/empty", 0555, "", 0, 0},      {"d/block", 0444, block, sizeof block, 0},
	    {deep, 0600, odd, sizeof odd, 0},
	};
	struct buf ours = BUF_INIT, gnu = BUF_INIT;
	write_archive(&ours, w, 5, 1700000000);
	read_tmp_file("gnu.tar", &gnu);
	assert_same_as_gnu(&ours, &gnu);
	assert_int_equal(gnu.len % 10240, 0);
	buf_free(&ours);
	buf_free(&gnu);
}

static void test_tar_writer_output_is_byte_identical_to_gnu_tar_pax_for_unsplittable_names(void **state)
{
	skip_without_gnu_tar();
	char name[130], dir[130];
	make_path(name, 120, 200, 'a');
	make_path(dir, 110, 200, 'b');
	write_tmp_file(name, "hi", 2, 0644);
	mkdir_tmp(dir, 0755);
	assert_int_equal(run("tar " GNU_PAX " " GNU_REPRO " --mtime=@0 -cf gnu.tar '%s' '%s'", name, dir), 0);
	struct want w[] = {{name, 0644, "hi", 2, 0}, {dir, 0755, NULL, 0, 1}};
	struct buf ours = BUF_INIT, gnu = BUF_INIT;
	write_archive(&ours, w, 2, 0);
	read_tmp_file("gnu.tar", &gnu);
	assert_same_as_gnu(&ours, &gnu);
	buf_free(&ours);
	buf_free(&gnu);
}

static void test_tar_writer_8_gib_plus_1_headers_are_byte_identical_to_gnu_tar_pax(void **state)
{
	skip_without_gnu_tar();
	/* A sparse file; GNU tar is stopped by the pipe after its first record. */
	if (run("truncate -s 8589934593 big 2>/dev/null") != 0)
		skip();
	assert_int_equal(run("{ tar " GNU_PAX " " GNU_REPRO
			     " --mode=0644 --mtime=@0 -cf - big 2>/dev/null; true; } "
			     "| head -c 1536 > gnu.head; rm -f big"),
			 0);
	struct buf gnu = BUF_INIT;
	read_tmp_file("gnu.head", &gnu);
	assert_int_equal(gnu.len, 1536);

	struct head_sink ours = {{head_write, NULL, NULL}, {0}, 0};
	struct tar_writer w;
	struct amber_error err;
	tar_writer_init(&w, &ours.base, 0);
	assert_int_equal(tar_write_file_begin(&w, "big", 0644, GIB8 + 1, &err), 0);
	assert_int_equal(ours.bytes, 1536);
	assert_memory_equal(ours.head, gnu.data, 1536);

	/* GNU tar lists the size from both forms: pax, and base-256 in one header. */
	char path[600];
	path_in_tmp(path, sizeof path, "b256.head");
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	unsigned char block[TAR_BLOCK];
	assert_int_equal(tar_header_encode(block, "big", 0644, GIB8 + 1, 0, '0', 1), 0);
	assert_int_equal(fwrite(block, 1, sizeof block, f), sizeof block);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(run("tar -tvf gnu.head 2>/dev/null | grep -q ' 8589934593 ' && "
			     "tar -tvf b256.head 2>/dev/null | grep -q ' 8589934593 '"),
			 0);
	buf_free(&gnu);
}

static void test_tar_gnu_tar_lists_and_extracts_what_we_write(void **state)
{
	skip_without_gnu_tar();
	static unsigned char block[512], odd[5000];
	uint64_t rng = 11;
	fill_random(block, sizeof block, &rng);
	fill_random(odd, sizeof odd, &rng);
	char split[200], pax[400];
	make_path(split, 150, 60, 's');
	make_path(pax, 300, 120, 'x'); /* a 120-byte component: pax path */
	struct want w[] = {
	    {"out", 0755, NULL, 0, 1},		{"out/empty", 0444, "", 0, 0},
	    {"out/block", 0555, block, 512, 0}, {"out/odd", 0644, odd, 5000, 0},
	    {split, 0640, odd, 1, 0},		{pax, 0600, odd, 513, 0},
	};
	const size_t n = sizeof w / sizeof w[0];
	struct buf ours = BUF_INIT;
	write_archive(&ours, w, n, 1234567890);
	write_tmp_file("ours.tar", ours.data, ours.len, 0644);

	assert_int_equal(run("tar -tf ours.tar > list"), 0);
	struct buf list = BUF_INIT, want_list = BUF_INIT;
	read_tmp_file("list", &list);
	for (size_t i = 0; i < n; i++)
		buf_addf(&want_list, "%s%s\n", w[i].name, w[i].dir ? "/" : "");
	assert_string_equal(buf_str(&list), buf_str(&want_list));

	assert_int_equal(run("mkdir x && tar -xpf ours.tar -C x"), 0);
	for (size_t i = 0; i < n; i++) {
		char path[600];
		struct stat st;
		snprintf(path, sizeof path, "%s/x/%s", tmpdir, w[i].name);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mtime, 1234567890);
		if (w[i].dir) {
			assert_true(S_ISDIR(st.st_mode));
			continue;
		}
		assert_int_equal(st.st_mode & 07777, w[i].mode);
		struct buf got = BUF_INIT;
		snprintf(path, sizeof path, "x/%s", w[i].name);
		read_tmp_file(path, &got);
		assert_int_equal(got.len, w[i].size);
		if (w[i].size)
			assert_memory_equal(got.data, w[i].data, w[i].size);
		buf_free(&got);
	}
	/* -O streams a member; GNU tar is also quiet (no warnings) on the whole archive. */
	assert_int_equal(run("tar -xOf ours.tar out/odd | cmp -s - x/out/odd"), 0);
	assert_int_equal(run("tar -tvf ours.tar 2>warnings >/dev/null && ! test -s warnings"), 0);
	buf_free(&ours);
	buf_free(&list);
	buf_free(&want_list);
}

static void test_tar_reader_reads_gnu_tar_archives_in_each_format(void **state)
{
	skip_without_gnu_tar();
	static unsigned char block[512], odd[3000];
	uint64_t rng = 5;
	fill_random(block, sizeof block, &rng);
	fill_random(odd, sizeof odd, &rng);
	char split[200], longc[200];
	make_path(split, 150, 70, 'q');
	make_path(longc, 130, 200, 'L'); /* one component: GNU 'L' or pax path */
	mkdir_tmp("t", 0755);
	write_tmp_file("t/empty", "", 0, 0644);
	write_tmp_file("t/block", block, sizeof block, 0600);
	write_tmp_file("t/odd", odd, sizeof odd, 0755);
	char dirs[200];
	snprintf(dirs, sizeof dirs, "%.*s", (int)(strrchr(split, '/') - split), split);
	mkdir_tmp(dirs, 0755);
	write_tmp_file(split, odd, 100, 0644);
	write_tmp_file(longc, odd, 1, 0644);
	assert_int_equal(run("ln -s block t/link"), 0);

	static const char *const formats[] = {"gnu", "oldgnu", "posix", "ustar", "v7"};
	for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++) {
		int has_long = strcmp(formats[f], "ustar") != 0 && strcmp(formats[f], "v7") != 0;
		int has_split = strcmp(formats[f], "v7") != 0;
		assert_int_equal(
		    run("rm -f g.tar && tar --format=%s --mtime=@1000 -cf g.tar --no-recursion t "
			"t/empty t/block t/odd t/link %s %s",
			formats[f], has_split ? split : "", has_long ? longc : ""),
		    0);
		struct buf gnu = BUF_INIT;
		read_tmp_file("g.tar", &gnu);
		for (uint64_t seed = 0; seed < 3; seed++) {
			uint64_t r = seed;
			struct got *g = got_new();
			struct amber_error err;
			if (read_archive(g, gnu.data, gnu.len, seed ? &r : NULL, &err) < 0)
				fail_msg("format %s: %s", formats[f], err.message);
			assert_int_equal(g->n, 5 + (size_t)has_split + (size_t)has_long);
			assert_string_equal(g->e[0].h.name, "t/");
			assert_int_equal(g->e[0].h.typeflag, '5');
			assert_int_equal(g->e[0].h.mode, 0755);
			assert_string_equal(g->e[1].h.name, "t/empty");
			assert_int_equal(g->e[1].h.size, 0);
			assert_int_equal(g->e[1].h.mtime, 1000);
			assert_string_equal(g->e[2].h.name, "t/block");
			assert_int_equal(g->e[2].h.mode, 0600);
			assert_int_equal(g->e[2].data.len, 512);
			assert_memory_equal(g->e[2].data.data, block, 512);
			assert_string_equal(g->e[3].h.name, "t/odd");
			assert_int_equal(g->e[3].data.len, sizeof odd);
			assert_memory_equal(g->e[3].data.data, odd, sizeof odd);
			assert_string_equal(g->e[4].h.name, "t/link");
			assert_int_equal(g->e[4].h.typeflag, '2');
			assert_string_equal(g->e[4].h.linkname, "block");
			if (has_split) {
				assert_string_equal(g->e[5].h.name, split);
				assert_int_equal(g->e[5].data.len, 100);
			}
			if (has_long) {
				assert_string_equal(g->e[6].h.name, longc);
				assert_int_equal(g->e[6].data.len, 1);
			}
			got_free(g);
		}
		buf_free(&gnu);
	}
}

#define TMP_TEST(f) cmocka_unit_test_setup_teardown(f, setup_tmpdir, teardown_tmpdir)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tar_header_encode_writes_every_ustar_field),
	    cmocka_unit_test(test_tar_header_encode_splits_long_names_at_the_last_fitting_slash),
	    cmocka_unit_test(test_tar_header_encode_refuses_what_one_header_cannot_hold),
	    cmocka_unit_test(test_tar_header_encode_base256_size_for_8_gib_plus_1_reads_back),
	    cmocka_unit_test(test_tar_pax_encode_writes_path_and_size_records_only_when_needed),
	    cmocka_unit_test(test_tar_pax_apply_takes_path_linkpath_size_and_ignores_others),
	    cmocka_unit_test(test_tar_pax_apply_rejects_records_whose_length_lies),
	    cmocka_unit_test(test_tar_header_decode_all_zero_block_is_end_of_archive),
	    cmocka_unit_test(test_tar_header_decode_checks_checksum_signed_or_unsigned),
	    cmocka_unit_test(test_tar_header_decode_rejects_non_octal_fields_with_entry_name),
	    cmocka_unit_test(test_tar_header_decode_reads_gnu_and_v7_magic_and_rejects_others),
	    cmocka_unit_test(test_tar_file_entry_size_equals_bytes_written),
	    cmocka_unit_test(test_tar_writer_rejects_misuse_with_a_message),
	    cmocka_unit_test(test_tar_writer_reports_sink_errors_and_stays_failed),
	    cmocka_unit_test(test_tar_round_trip_with_random_chunk_splits),
	    cmocka_unit_test(test_tar_8_gib_plus_1_entry_streams_through_writer_and_reader),
	    cmocka_unit_test(test_tar_unsized_entry_patched_in_place_reads_back),
	    cmocka_unit_test(test_tar_name_is_safe_rejects_escapes_and_odd_components),
	    cmocka_unit_test(test_tar_reader_reports_truncated_data_with_entry_name),
	    cmocka_unit_test(test_tar_reader_rejects_bad_headers_with_their_offset),
	    cmocka_unit_test(test_tar_reader_rejects_lying_pax_headers),
	    cmocka_unit_test(test_tar_reader_applies_pax_to_the_next_entry_only_and_skips_global),
	    cmocka_unit_test(test_tar_reader_header_only_types_carry_no_data),
	    cmocka_unit_test(test_tar_reader_reads_gnu_long_names),
	    cmocka_unit_test(test_tar_reader_stops_on_callback_and_data_sink_errors),
	    TMP_TEST(test_tar_writer_output_is_byte_identical_to_gnu_tar_ustar),
	    TMP_TEST(test_tar_writer_output_is_byte_identical_to_gnu_tar_pax_for_unsplittable_names),
	    TMP_TEST(test_tar_writer_8_gib_plus_1_headers_are_byte_identical_to_gnu_tar_pax),
	    TMP_TEST(test_tar_gnu_tar_lists_and_extracts_what_we_write),
	    TMP_TEST(test_tar_reader_reads_gnu_tar_archives_in_each_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
