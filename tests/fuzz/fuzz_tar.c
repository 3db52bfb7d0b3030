/* fuzz_tar.c — libFuzzer target for the streaming tar reader (and the writer it round-trips to).
 *
 * Input: byte 0 holds flags (bit 0: rewrite each header's checksum first, so that mutations
 * reach past the checksum check), byte 1 picks a split point, byte 2 seeds random chunk sizes;
 * the rest is the archive. It is read three times: whole, in two writes split at that point,
 * and in small random chunks. All three must report the same entries, data and outcome (the
 * same error message included). Every regular file read is then written again with
 * tar_writer and read back to the same name, mode and data, in the size tar_file_entry_size
 * promised; and every header that fits one ustar block encodes and decodes to itself.
 *
 * Seeds (tests/fuzz/seeds/fuzz_tar/, each with the 3 control bytes "\1\x80\7" in front) were
 * made with GNU tar 1.34 and `-b 1` (no record padding): --format=ustar, gnu (long names,
 * symlink) and posix (pax headers with atime/ctime), plus a truncated copy. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/sink.h"
#include "formats/tar.h"

#define check(cond)                                                                                          \
	do {                                                                                                 \
		if (!(cond))                                                                                 \
			abort();                                                                             \
	} while (0)

#define MAX_KEPT 16 /* regular files kept for the round trip */

struct kept {
	struct tar_header h;
	struct buf data;
};

/* One read: a transcript of everything the callbacks saw, plus the files to round-trip. */
struct run {
	struct buf log;
	struct buf data; /* the current entry's data */
	struct sink_buf data_sink;
	struct tar_header cur;
	uint64_t entries;
	int in_entry;
	struct kept *kept; /* NULL: keep nothing */
	size_t nkept;
};

static int on_entry(void *ctx, const struct tar_header *h, struct sink **out, struct amber_error *err)
{
	struct run *r = ctx;
	check(!r->in_entry && *out == NULL);
	size_t len = strnlen(h->name, TAR_NAME_MAX);
	check(len > 0 && len < TAR_NAME_MAX && strnlen(h->linkname, TAR_NAME_MAX) < TAR_NAME_MAX);
	check(h->mode <= 07777);
	check(h->size == 0 || h->typeflag < '1' || h->typeflag > '6');
	(void)tar_name_is_safe(h->name);
	buf_addf(&r->log, "entry %c %o %llu %lld %llu [%s] [%s]\n", h->typeflag, h->mode,
		 (unsigned long long)h->size, (long long)h->mtime, (unsigned long long)h->offset, h->name,
		 h->linkname);
	r->cur = *h;
	r->in_entry = 1;
	buf_reset(&r->data);
	/* Every third entry is skipped, in every run alike. */
	if (r->entries++ % 3 != 2)
		*out = &r->data_sink.base;
	return 0;
}

static int on_entry_end(void *ctx, const struct tar_header *h, struct amber_error *err)
{
	struct run *r = ctx;
	check(r->in_entry && strcmp(h->name, r->cur.name) == 0);
	check((r->entries - 1) % 3 == 2 ? r->data.len == 0 : r->data.len == h->size);
	buf_addf(&r->log, "end %zu\n", r->data.len);
	buf_add(&r->log, r->data.data, r->data.len);
	r->in_entry = 0;
	if (r->kept && r->nkept < MAX_KEPT && (r->entries - 1) % 3 != 2 &&
	    (h->typeflag == '0' || h->typeflag == '7')) {
		struct kept *k = &r->kept[r->nkept++];
		k->h = *h;
		buf_reset(&k->data);
		buf_add(&k->data, r->data.data, r->data.len);
	}
	return 0;
}

static const struct tar_reader_callbacks callbacks = {on_entry, on_entry_end};

static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
	return z ^ (z >> 31);
}

/* Reads `in` whole, or in two writes split at `split` (> 0), or in random small chunks (rng);
 * keeps regular files in `kept` unless it is NULL. */
static void read_tar(struct run *r, const unsigned char *in, size_t n, size_t split, uint64_t *rng,
		     struct kept *kept)
{
	memset(r, 0, sizeof *r);
	sink_buf_init(&r->data_sink, &r->data);
	r->kept = kept;
	struct amber_error err;
	struct sink *s = tar_reader_create(&callbacks, r, &err);
	check(s);
	int rc = 0;
	size_t off = 0;
	while (off < n && rc == 0) {
		size_t k = n - off;
		if (rng)
			k = 1 + (size_t)(rng_next(rng) % 700);
		else if (off == 0 && split)
			k = split;
		if (k > n - off)
			k = n - off;
		rc = sink_write(s, in + off, k, &err);
		off += k;
	}
	if (rc == 0)
		rc = sink_close(s, &err);
	sink_free(s);
	if (rc < 0)
		buf_addf(&r->log, "error: %s\n", err.message);
	else
		buf_adds(&r->log, "ok\n");
}

static void run_free(struct run *r)
{
	buf_free(&r->log);
	buf_free(&r->data);
}

static void check_same(const struct run *a, const struct run *b)
{
	check(a->log.len == b->log.len);
	check(a->log.len == 0 || memcmp(a->log.data, b->log.data, a->log.len) == 0);
}

/* Rewrites the checksums of the headers the reader would visit, as far as it can follow. */
static void fix_checksums(unsigned char *p, size_t n)
{
	size_t off = 0;
	while (n - off >= TAR_BLOCK) {
		unsigned char *b = p + off;
		unsigned sum = 0;
		for (size_t i = 0; i < TAR_BLOCK; i++)
			sum += i >= 148 && i < 156 ? ' ' : b[i];
		if (sum == 8 * ' ')
			return; /* a zero block */
		snprintf((char *)b + 148, 8, "%06o", sum & 0777777);
		b[155] = ' ';
		struct tar_header h;
		struct amber_error err;
		if (tar_header_decode(b, &h, &err) != 0)
			return;
		uint64_t size = h.typeflag >= '1' && h.typeflag <= '6' ? 0 : h.size;
		uint64_t skip = size + (TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK;
		if (skip > n - off - TAR_BLOCK)
			return;
		off += TAR_BLOCK + (size_t)skip;
	}
}

/* Writes the kept files with tar_writer and reads them back. */
static void check_round_trip(const struct kept *k, size_t n)
{
	struct buf out = BUF_INIT;
	struct sink_buf s;
	sink_buf_init(&s, &out);
	struct tar_writer w;
	struct amber_error err;
	tar_writer_init(&w, &s.base, 0);
	size_t written = 0;
	const struct kept *which[MAX_KEPT];
	for (size_t i = 0; i < n; i++) {
		const char *name = k[i].h.name;
		size_t len = strlen(name);
		if (!tar_name_is_safe(name) || name[len - 1] == '/') {
			check(tar_write_file_begin(&w, name, k[i].h.mode, k[i].data.len, &err) == -1);
			continue;
		}
		uint64_t before = w.offset;
		check(tar_write_file_begin(&w, name, k[i].h.mode, k[i].data.len, &err) == 0);
		check(tar_write_data(&w, k[i].data.data, k[i].data.len, &err) == 0);
		check(tar_write_file_end(&w, &err) == 0);
		check(w.offset - before == tar_file_entry_size(name, k[i].data.len));
		which[written++] = &k[i];

		/* One ustar header, when the name fits one, encodes and decodes to itself. */
		unsigned char block[TAR_BLOCK];
		if (tar_header_encode(block, name, k[i].h.mode, k[i].data.len, 0, '0', 0) == 0) {
			struct tar_header h;
			check(tar_header_decode(block, &h, &err) == 0);
			check(strcmp(h.name, name) == 0 && h.mode == k[i].h.mode && h.size == k[i].data.len);
		}
	}
	check(tar_writer_finish(&w, &err) == 0);
	check(w.offset == out.len);

	struct run back;
	read_tar(&back, (const unsigned char *)out.data, out.len, 0, NULL, NULL);
	struct buf want = BUF_INIT;
	uint64_t offset = 0;
	for (size_t i = 0; i < written; i++) {
		const struct tar_header *h = &which[i]->h;
		size_t len = which[i]->data.len;
		/* The ustar header follows the pax header, if any: whatever is not header, data, padding. */
		uint64_t entry = tar_file_entry_size(h->name, len);
		uint64_t header_at =
		    offset + entry - TAR_BLOCK - len - (TAR_BLOCK - len % TAR_BLOCK) % TAR_BLOCK;
		buf_addf(&want, "entry 0 %o %zu 0 %llu [%s] []\n", h->mode, len,
			 (unsigned long long)header_at, h->name);
		size_t kept_len = i % 3 == 2 ? 0 : len;
		buf_addf(&want, "end %zu\n", kept_len);
		buf_add(&want, which[i]->data.data, kept_len);
		offset += entry;
	}
	buf_adds(&want, "ok\n");
	check(back.log.len == want.len && memcmp(back.log.data, want.data, want.len) == 0);
	run_free(&back);
	buf_free(&want);
	buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	size_t n = size - 3;
	unsigned char *in = malloc(n ? n : 1);
	check(in);
	memcpy(in, data + 3, n);
	if (data[0] & 1)
		fix_checksums(in, n);
	size_t split = (size_t)data[1] * n / 255;
	uint64_t seed = data[2];

	static struct kept kept[MAX_KEPT];
	struct run whole, halves, chunks;
	read_tar(&whole, in, n, 0, NULL, kept);
	read_tar(&halves, in, n, split, NULL, NULL);
	read_tar(&chunks, in, n, 0, &seed, NULL);
	check_same(&whole, &halves);
	check_same(&whole, &chunks);

	check_round_trip(kept, whole.nkept);

	for (size_t i = 0; i < MAX_KEPT; i++)
		buf_free(&kept[i].data);
	run_free(&whole);
	run_free(&halves);
	run_free(&chunks);
	free(in);
	return 0;
}
