/* tar.c — reproducible ustar/pax writer and streaming tar reader (see tar.h).
 *
 * Header layout (POSIX ustar): name 0/100, mode 100/8, uid 108/8, gid 116/8, size 124/12,
 * mtime 136/12, chksum 148/8, typeflag 156, linkname 157/100, magic 257/6, version 263/2,
 * uname 265/32, gname 297/32, devmajor 329/8, devminor 337/8, prefix 345/155. */
#include "formats/tar.h"
#include "core/buf.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#define OFF_NAME     0
#define OFF_MODE     100
#define OFF_UID	     108
#define OFF_GID	     116
#define OFF_SIZE     124
#define OFF_MTIME    136
#define OFF_CHKSUM   148
#define OFF_TYPEFLAG 156
#define OFF_LINKNAME 157
#define OFF_MAGIC    257
#define OFF_VERSION  263
#define OFF_DEVMAJOR 329
#define OFF_DEVMINOR 337
#define OFF_PREFIX   345

#define NAME_LEN   100
#define PREFIX_LEN 155

#define OCTAL11_LIMIT ((uint64_t)1 << 33) /* 8^11: the first value 11 octal digits cannot hold */

static const unsigned char zero_block[TAR_BLOCK];

static uint64_t padding_of(uint64_t size)
{
	return (TAR_BLOCK - size % TAR_BLOCK) % TAR_BLOCK;
}

/* ---- Header encoding ---- */

/* width-1 zero-padded octal digits and a NUL; v must fit. */
static void put_octal(unsigned char *field, size_t width, uint64_t v)
{
	field[width - 1] = '\0';
	for (size_t i = width - 1; i-- > 0;) {
		field[i] = (unsigned char)('0' + (v & 7));
		v >>= 3;
	}
	assert(v == 0);
}

/* GNU base-256: 0x80 then the value big-endian in the remaining bytes. */
static void put_base256(unsigned char *field, size_t width, uint64_t v)
{
	for (size_t i = width; i-- > 1;) {
		field[i] = (unsigned char)(v & 0xff);
		v >>= 8;
	}
	field[0] = 0x80;
}

static unsigned header_sum(const unsigned char *block)
{
	unsigned sum = 0;
	for (size_t i = 0; i < TAR_BLOCK; i++)
		sum += (i >= OFF_CHKSUM && i < OFF_CHKSUM + 8) ? ' ' : block[i];
	return sum;
}

static int header_sum_signed(const unsigned char *block)
{
	int sum = 0;
	for (size_t i = 0; i < TAR_BLOCK; i++)
		sum += (i >= OFF_CHKSUM && i < OFF_CHKSUM + 8) ? ' ' : (signed char)block[i];
	return sum;
}

/* Where `name` (len bytes) splits into ustar prefix and name: returns 0 and the prefix length
 * (0: no prefix needed), or -1. Like GNU tar, the prefix is the longest that fits. */
static int split_name(const char *name, size_t len, size_t *prefix_len)
{
	if (len <= NAME_LEN) {
		*prefix_len = 0;
		return 0;
	}
	size_t i = len - 1 < PREFIX_LEN ? len - 1 : PREFIX_LEN;
	for (; i > 0; i--) {
		if (name[i] != '/')
			continue;
		/* The part after the slash must not be empty (a directory's trailing '/'). */
		if (len - i - 1 == 0)
			continue;
		if (len - i - 1 > NAME_LEN)
			return -1;
		*prefix_len = i;
		return 0;
	}
	return -1;
}

/* Writes every field of a ustar header; the caller has checked that each value fits. */
static void header_fill(unsigned char *block, const char *name, size_t name_len, const char *prefix,
			size_t prefix_len, unsigned mode, uint64_t size, int64_t mtime, char typeflag)
{
	assert(name_len <= NAME_LEN && prefix_len <= PREFIX_LEN);
	memset(block, 0, TAR_BLOCK);
	memcpy(block + OFF_NAME, name, name_len);
	put_octal(block + OFF_MODE, 8, mode);
	put_octal(block + OFF_UID, 8, 0);
	put_octal(block + OFF_GID, 8, 0);
	if (size < OCTAL11_LIMIT)
		put_octal(block + OFF_SIZE, 12, size);
	else
		put_base256(block + OFF_SIZE, 12, size);
	put_octal(block + OFF_MTIME, 12, (uint64_t)mtime);
	block[OFF_TYPEFLAG] = (unsigned char)typeflag;
	memcpy(block + OFF_MAGIC, "ustar", 6);
	memcpy(block + OFF_VERSION, "00", 2);
	if (typeflag != 'x') { /* GNU tar leaves them empty in pax headers only */
		put_octal(block + OFF_DEVMAJOR, 8, 0);
		put_octal(block + OFF_DEVMINOR, 8, 0);
	}
	memcpy(block + OFF_PREFIX, prefix, prefix_len);
	put_octal(block + OFF_CHKSUM, 7, header_sum(block)); /* 6 digits, NUL ... */
	block[OFF_CHKSUM + 7] = ' ';			     /* ... and a space, as GNU tar does */
}

static int mtime_fits(int64_t mtime)
{
	return mtime >= 0 && (uint64_t)mtime < OCTAL11_LIMIT;
}

int tar_header_encode(unsigned char block[TAR_BLOCK], const char *name, unsigned mode, uint64_t size,
		      int64_t mtime, char typeflag, int base256)
{
	size_t len = strlen(name), prefix_len;
	if (len == 0 || split_name(name, len, &prefix_len) < 0 || mode > 07777 || !mtime_fits(mtime))
		return -1;
	if (size >= OCTAL11_LIMIT && !base256)
		return -1;
	if (prefix_len)
		header_fill(block, name + prefix_len + 1, len - prefix_len - 1, name, prefix_len, mode, size,
			    mtime, typeflag);
	else
		header_fill(block, name, len, "", 0, mode, size, mtime, typeflag);
	return 0;
}

/* ---- pax records ---- */

static size_t decimal_digits(uint64_t v)
{
	size_t n = 1;
	while (v >= 10) {
		v /= 10;
		n++;
	}
	return n;
}

/* Length of the record "%d key=value\n", its own length digits included. */
static size_t pax_record_len(size_t key_len, size_t value_len)
{
	size_t base = 1 + key_len + 1 + value_len + 1;
	size_t d = decimal_digits(base);
	if (decimal_digits(base + d) > d)
		d++;
	return base + d;
}

static void pax_record_add(struct buf *out, const char *key, const char *value, size_t value_len)
{
	buf_addf(out, "%zu %s=", pax_record_len(strlen(key), value_len), key);
	buf_add(out, value, value_len);
	buf_addc(out, '\n');
}

static int needs_pax_path(const char *name, size_t len)
{
	size_t prefix_len;
	return split_name(name, len, &prefix_len) < 0;
}

int tar_pax_encode(struct buf *out, const char *name, uint64_t size)
{
	size_t len = strlen(name);
	int n = 0;
	if (needs_pax_path(name, len)) {
		pax_record_add(out, "path", name, len);
		n++;
	}
	if (size >= OCTAL11_LIMIT) {
		char digits[24];
		int k = snprintf(digits, sizeof digits, "%" PRIu64, size);
		pax_record_add(out, "size", digits, (size_t)k);
		n++;
	}
	return n;
}

/* Bytes of the pax records tar_pax_encode would write. */
static uint64_t pax_records_len(const char *name, size_t len, uint64_t size)
{
	uint64_t n = 0;
	if (needs_pax_path(name, len))
		n += pax_record_len(4, len);
	if (size >= OCTAL11_LIMIT)
		n += pax_record_len(4, decimal_digits(size));
	return n;
}

static uint64_t entry_size(const char *name, size_t len, uint64_t size)
{
	uint64_t n = TAR_BLOCK + size + padding_of(size);
	uint64_t pax = pax_records_len(name, len, size);
	if (pax)
		n += TAR_BLOCK + pax + padding_of(pax);
	return n;
}

uint64_t tar_file_entry_size(const char *name, uint64_t size)
{
	return entry_size(name, strlen(name), size);
}

uint64_t tar_dir_entry_size(const char *name)
{
	size_t len = strlen(name);
	if (len > 0 && name[len - 1] == '/')
		return entry_size(name, len, 0);
	char *slashed = malloc(len + 2);
	if (!slashed)
		abort();
	memcpy(slashed, name, len);
	memcpy(slashed + len, "/", 2);
	uint64_t n = entry_size(slashed, len + 1, 0);
	free(slashed);
	return n;
}

/* ---- Writer ---- */

enum { W_IDLE, W_SIZED, W_UNSIZED, W_FINISHED, W_FAILED };

static int writer_out(struct tar_writer *w, const void *data, size_t len, struct amber_error *err)
{
	if (sink_write(w->out, data, len, err) < 0) {
		w->state = W_FAILED;
		return -1;
	}
	w->offset += len;
	return 0;
}

static int writer_pad(struct tar_writer *w, uint64_t size, struct amber_error *err)
{
	return writer_out(w, zero_block, (size_t)padding_of(size), err);
}

static int data_sink_write(struct sink *s, const void *data, size_t len, struct amber_error *err)
{
	struct tar_writer *w = (struct tar_writer *)((char *)s - offsetof(struct tar_writer, data));
	return tar_write_data(w, data, len, err);
}

void tar_writer_init(struct tar_writer *w, struct sink *out, int64_t mtime)
{
	memset(w, 0, sizeof *w);
	w->out = out;
	w->mtime = mtime;
	w->data.write = data_sink_write;
	w->state = W_IDLE;
}

/* Checks that a new entry may start now. */
static int writer_ready(struct tar_writer *w, const char *what, struct amber_error *err)
{
	switch (w->state) {
	case W_IDLE:
		break;
	case W_SIZED:
	case W_UNSIZED:
		return amber_error_set(err, "tar: cannot start %s: entry '%s' is still open", what, w->name);
	case W_FINISHED:
		return amber_error_set(err, "tar: cannot start %s: the archive is already finished", what);
	default:
		return amber_error_set(err, "tar: cannot start %s: an earlier write to the archive failed",
				       what);
	}
	if (!mtime_fits(w->mtime))
		return amber_error_set(err, "tar: mtime %" PRId64 " is outside 0..%" PRIu64, w->mtime,
				       OCTAL11_LIMIT - 1);
	return 0;
}

static int check_name_and_mode(const char *name, size_t len, unsigned mode, struct amber_error *err)
{
	if (len >= TAR_NAME_MAX)
		return amber_error_set(err, "tar: entry name of %zu bytes is too long (at most %d)", len,
				       TAR_NAME_MAX - 1);
	if (!tar_name_is_safe(name))
		return amber_error_set(err, "tar: unsafe entry name '%s' (absolute, empty, '..' or '//')",
				       name);
	if (mode > 07777)
		return amber_error_set(
		    err, "tar: entry '%s': mode 0%o is not a permission mode (at most 07777)", name, mode);
	return 0;
}

/* Writes the pax header (if needed) and the ustar header of an entry whose name and mode are
 * checked. */
static int write_headers(struct tar_writer *w, const char *name, size_t len, unsigned mode, uint64_t size,
			 char typeflag, struct amber_error *err)
{
	unsigned char block[TAR_BLOCK];
	size_t prefix_len = 0;
	int pax_path = split_name(name, len, &prefix_len) < 0;
	if (pax_path || size >= OCTAL11_LIMIT) {
		struct buf records = BUF_INIT;
		tar_pax_encode(&records, name, size);
		/* "PaxHeaders/<basename>", cut at 100 bytes as GNU tar does: no PID, no time. */
		size_t end = len;
		while (end > 0 && name[end - 1] == '/')
			end--;
		size_t start = end;
		while (start > 0 && name[start - 1] != '/')
			start--;
		char pax_name[NAME_LEN + 1];
		int n =
		    snprintf(pax_name, sizeof pax_name, "PaxHeaders/%.*s", (int)(end - start), name + start);
		size_t pax_name_len = (size_t)n < NAME_LEN ? (size_t)n : NAME_LEN;
		header_fill(block, pax_name, pax_name_len, "", 0, 0644, records.len, w->mtime, 'x');
		int rc = writer_out(w, block, TAR_BLOCK, err);
		if (rc == 0)
			rc = writer_out(w, records.data, records.len, err);
		if (rc == 0)
			rc = writer_pad(w, records.len, err);
		buf_free(&records);
		if (rc < 0)
			return -1;
	}
	/* With a pax size the ustar size field holds 0, as GNU tar writes it; with a pax path the
	 * name field holds the name's first 100 bytes. */
	uint64_t ustar_size = size >= OCTAL11_LIMIT ? 0 : size;
	if (pax_path)
		header_fill(block, name, NAME_LEN, "", 0, mode, ustar_size, w->mtime, typeflag);
	else if (prefix_len)
		header_fill(block, name + prefix_len + 1, len - prefix_len - 1, name, prefix_len, mode,
			    ustar_size, w->mtime, typeflag);
	else
		header_fill(block, name, len, "", 0, mode, ustar_size, w->mtime, typeflag);
	return writer_out(w, block, TAR_BLOCK, err);
}

int tar_write_file_begin(struct tar_writer *w, const char *name, unsigned mode, uint64_t size,
			 struct amber_error *err)
{
	if (writer_ready(w, "a file", err) < 0)
		return -1;
	size_t len = strlen(name);
	if (check_name_and_mode(name, len, mode, err) < 0)
		return -1;
	if (name[len - 1] == '/')
		return amber_error_set(err, "tar: file name '%s' ends with '/'", name);
	if (write_headers(w, name, len, mode, size, '0', err) < 0)
		return -1;
	memcpy(w->name, name, len + 1);
	w->remaining = size;
	w->written = 0;
	w->state = W_SIZED;
	return 0;
}

int tar_write_data(struct tar_writer *w, const void *data, size_t len, struct amber_error *err)
{
	if (w->state == W_FAILED)
		return amber_error_set(err, "tar: cannot write data: an earlier write to the archive failed");
	if (w->state != W_SIZED && w->state != W_UNSIZED)
		return amber_error_set(err, "tar: data written with no file entry open");
	if (w->state == W_SIZED && len > w->remaining)
		return amber_error_set(
		    err, "tar: entry '%s' was announced as %" PRIu64 " bytes, got at least %" PRIu64, w->name,
		    w->written + w->remaining, w->written + (uint64_t)len);
	if (writer_out(w, data, len, err) < 0)
		return -1;
	w->written += len;
	if (w->state == W_SIZED)
		w->remaining -= len;
	return 0;
}

int tar_write_file_end(struct tar_writer *w, struct amber_error *err)
{
	if (w->state == W_UNSIZED)
		return amber_error_set(err, "tar: an unsized entry ends with tar_write_file_end_unsized");
	if (w->state != W_SIZED)
		return amber_error_set(err, "tar: no file entry open to end");
	if (w->remaining)
		return amber_error_set(err,
				       "tar: entry '%s' was announced as %" PRIu64 " bytes, got %" PRIu64,
				       w->name, w->written + w->remaining, w->written);
	if (writer_pad(w, w->written, err) < 0)
		return -1;
	w->state = W_IDLE;
	return 0;
}

int tar_write_dir(struct tar_writer *w, const char *name, unsigned mode, struct amber_error *err)
{
	if (writer_ready(w, "a directory", err) < 0)
		return -1;
	size_t len = strlen(name);
	if (len == 0)
		return amber_error_set(err, "tar: empty directory name");
	char slashed[TAR_NAME_MAX + 1];
	if (len < TAR_NAME_MAX) {
		memcpy(slashed, name, len + 1);
		if (name[len - 1] != '/')
			memcpy(slashed + len++, "/", 2);
	}
	if (len >= TAR_NAME_MAX)
		return amber_error_set(
		    err, "tar: directory name of %zu bytes is too long (at most %d with its '/')", len,
		    TAR_NAME_MAX - 1);
	if (check_name_and_mode(slashed, len, mode, err) < 0)
		return -1;
	return write_headers(w, slashed, len, mode, 0, '5', err);
}

int tar_writer_finish(struct tar_writer *w, struct amber_error *err)
{
	if (w->state == W_SIZED || w->state == W_UNSIZED)
		return amber_error_set(err, "tar: cannot finish the archive: entry '%s' is still open",
				       w->name);
	if (w->state != W_IDLE)
		return amber_error_set(err,
				       "tar: cannot finish the archive: it is finished or a write failed");
	if (writer_out(w, zero_block, TAR_BLOCK, err) < 0 || writer_out(w, zero_block, TAR_BLOCK, err) < 0)
		return -1;
	w->state = W_FINISHED;
	return 0;
}

int tar_write_file_begin_unsized(struct tar_writer *w, uint64_t *header_offset, struct amber_error *err)
{
	if (writer_ready(w, "an unsized file", err) < 0)
		return -1;
	/* Zero checksum field: every reader rejects this block until it is patched. */
	unsigned char block[TAR_BLOCK] = {0};
	static const char mark[] = "amber: unpatched placeholder header";
	memcpy(block, mark, sizeof mark - 1);
	memcpy(block + OFF_MAGIC, "ustar", 6);
	memcpy(block + OFF_VERSION, "00", 2);
	*header_offset = w->offset;
	if (writer_out(w, block, TAR_BLOCK, err) < 0)
		return -1;
	snprintf(w->name, sizeof w->name, "(unsized entry at offset %" PRIu64 ")", *header_offset);
	w->remaining = 0;
	w->written = 0;
	w->state = W_UNSIZED;
	return 0;
}

int tar_write_file_end_unsized(struct tar_writer *w, uint64_t *size, struct amber_error *err)
{
	if (w->state != W_UNSIZED)
		return amber_error_set(err, "tar: no unsized file entry open to end");
	if (writer_pad(w, w->written, err) < 0)
		return -1;
	*size = w->written;
	w->state = W_IDLE;
	return 0;
}

/* ---- Header decoding ---- */

/* Octal: optional leading spaces, digits, then only spaces and NULs. All blank is 0. */
static int parse_octal(const unsigned char *f, size_t width, uint64_t *out)
{
	size_t i = 0;
	uint64_t v = 0;
	while (i < width && f[i] == ' ')
		i++;
	for (; i < width && f[i] >= '0' && f[i] <= '7'; i++)
		v = v << 3 | (uint64_t)(f[i] - '0'); /* at most 12 digits: no overflow */
	for (; i < width; i++)
		if (f[i] != ' ' && f[i] != '\0')
			return -1;
	*out = v;
	return 0;
}

/* GNU base-256 (first byte 0x80-0xff, two's complement): 0 and *neg set, or -1 when the
 * magnitude does not fit in 63 bits (plus one more for non-negative unsigned values). */
static int parse_base256(const unsigned char *f, size_t width, int *neg, uint64_t *mag)
{
	*neg = (f[0] & 0x40) != 0;
	unsigned char flip = *neg ? 0xff : 0;
	uint64_t v = (uint64_t)((f[0] ^ flip) & 0x3f);
	for (size_t i = 1; i < width; i++) {
		if (v >> 56)
			return -1;
		v = v << 8 | (uint64_t)(f[i] ^ flip);
	}
	*mag = v; /* for a negative value: -(mag + 1) */
	return 0;
}

/* The size field: octal or non-negative base-256. Returns NULL or why it is malformed. */
static const char *parse_size(const unsigned char *f, uint64_t *out)
{
	if (f[0] & 0x80) {
		int neg;
		if (parse_base256(f, 12, &neg, out) < 0)
			return "base-256 size does not fit in 64 bits";
		return neg ? "negative base-256 size" : NULL;
	}
	return parse_octal(f, 12, out) < 0 ? "size field is not octal" : NULL;
}

static const char *parse_mtime(const unsigned char *f, int64_t *out)
{
	uint64_t v;
	if (f[0] & 0x80) {
		int neg;
		if (parse_base256(f, 12, &neg, &v) < 0 || v > (uint64_t)INT64_MAX)
			return "base-256 mtime does not fit in 64 bits";
		*out = neg ? -(int64_t)v - 1 : (int64_t)v;
		return NULL;
	}
	if (parse_octal(f, 12, &v) < 0)
		return "mtime field is not octal";
	*out = (int64_t)v; /* 12 octal digits: below 2^36 */
	return NULL;
}

/* A field's bytes for an error message: printable ASCII kept, the rest as '?'. */
static void field_show(char *dst, const unsigned char *f, size_t width)
{
	for (size_t i = 0; i < width; i++)
		dst[i] = f[i] >= 0x20 && f[i] < 0x7f ? (char)f[i] : '?';
	dst[width] = '\0';
}

/* Copies a field up to its first NUL. */
static size_t field_copy(char *dst, const unsigned char *f, size_t width)
{
	size_t n = 0;
	while (n < width && f[n])
		n++;
	memcpy(dst, f, n);
	dst[n] = '\0';
	return n;
}

int tar_header_decode(const unsigned char block[TAR_BLOCK], struct tar_header *h, struct amber_error *err)
{
	if (memcmp(block, zero_block, TAR_BLOCK) == 0)
		return 1;
	uint64_t stored;
	if (parse_octal(block + OFF_CHKSUM, 8, &stored) < 0) {
		char shown[9];
		field_show(shown, block + OFF_CHKSUM, 8);
		return amber_error_set(err, "tar header: checksum field '%s' is not octal", shown);
	}
	unsigned sum = header_sum(block);
	if (stored != sum && (int64_t)stored != header_sum_signed(block))
		return amber_error_set(err, "tar header: bad checksum (stored 0%" PRIo64 ", computed 0%o)",
				       stored, sum);

	int has_prefix;
	if (memcmp(block + OFF_MAGIC, "ustar\0", 6) == 0)
		has_prefix = 1;
	else if (memcmp(block + OFF_MAGIC, "ustar  \0", 8) == 0)
		has_prefix = 0; /* GNU: those bytes hold atime, ctime and more */
	else if (memcmp(block + OFF_MAGIC, zero_block, 8) == 0)
		has_prefix = 0; /* v7 */
	else
		return amber_error_set(err, "tar header: unknown magic (not ustar, GNU or v7)");

	memset(h, 0, sizeof *h);
	size_t n = 0;
	if (has_prefix && block[OFF_PREFIX]) {
		n = field_copy(h->name, block + OFF_PREFIX, PREFIX_LEN);
		h->name[n++] = '/';
	}
	field_copy(h->name + n, block + OFF_NAME, NAME_LEN);
	field_copy(h->linkname, block + OFF_LINKNAME, NAME_LEN);

	uint64_t mode;
	const char *why = NULL;
	const unsigned char *bad = NULL;
	size_t width = 12;
	if (parse_octal(block + OFF_MODE, 8, &mode) < 0) {
		why = "mode field is not octal";
		bad = block + OFF_MODE;
		width = 8;
	} else if ((why = parse_size(block + OFF_SIZE, &h->size))) {
		bad = block + OFF_SIZE;
	} else if ((why = parse_mtime(block + OFF_MTIME, &h->mtime))) {
		bad = block + OFF_MTIME;
	}
	if (why) {
		char shown[13];
		field_show(shown, bad, width);
		return amber_error_set(err, "tar header: entry '%s': %s ('%s')", h->name, why, shown);
	}
	h->mode = (unsigned)(mode & 07777);
	h->typeflag = block[OFF_TYPEFLAG] ? (char)block[OFF_TYPEFLAG] : '0';
	return 0;
}

/* ---- pax records ---- */

static int pax_set_path(char *dst, const char *key, const char *v, size_t n, size_t at,
			struct amber_error *err)
{
	if (n >= TAR_NAME_MAX)
		return amber_error_set(err,
				       "pax record at byte %zu: %s of %zu bytes is too long (at most %d)", at,
				       key, n, TAR_NAME_MAX - 1);
	if (memchr(v, '\0', n))
		return amber_error_set(err, "pax record at byte %zu: %s holds a NUL byte", at, key);
	memcpy(dst, v, n);
	dst[n] = '\0';
	return 0;
}

int tar_pax_apply(const char *records, size_t len, struct tar_header *h, struct amber_error *err)
{
	size_t at = 0;
	while (at < len) {
		const char *rec = records + at;
		size_t avail = len - at, i = 0, n = 0;
		for (; i < avail && rec[i] >= '0' && rec[i] <= '9'; i++) {
			n = n * 10 + (size_t)(rec[i] - '0');
			if (n > len)
				n = len + 1; /* longer than everything: saturate instead of overflowing */
		}
		if (i == 0 || i >= avail || rec[i] != ' ')
			return amber_error_set(
			    err, "pax record at byte %zu: does not start with a decimal length and a space",
			    at);
		if (n > avail)
			return amber_error_set(
			    err, "pax record at byte %zu: length %.*s goes past the %zu bytes left", at,
			    (int)(i < 20 ? i : 20), rec, avail);
		if (n < i + 4 || rec[n - 1] != '\n')
			return amber_error_set(
			    err, "pax record at byte %zu: length %zu does not end at a newline", at, n);
		const char *key = rec + i + 1, *end = rec + n - 1;
		const char *eq = memchr(key, '=', (size_t)(end - key));
		if (!eq || eq == key)
			return amber_error_set(err, "pax record at byte %zu: no 'key=' in it", at);
		size_t key_len = (size_t)(eq - key), vlen = (size_t)(end - eq - 1);
		const char *v = eq + 1;
		if (vlen == 0) {
			/* POSIX: an empty value means the header's own field; nothing to do. */
		} else if (key_len == 4 && memcmp(key, "path", 4) == 0) {
			if (pax_set_path(h->name, "path", v, vlen, at, err) < 0)
				return -1;
		} else if (key_len == 8 && memcmp(key, "linkpath", 8) == 0) {
			if (pax_set_path(h->linkname, "linkpath", v, vlen, at, err) < 0)
				return -1;
		} else if (key_len == 4 && memcmp(key, "size", 4) == 0) {
			uint64_t size = 0;
			for (size_t k = 0; k < vlen; k++) {
				unsigned d = (unsigned)(v[k] - '0');
				if (d > 9 || size > (UINT64_MAX - d) / 10)
					return amber_error_set(err,
							       "pax record at byte %zu: size '%.*s' is not a "
							       "64-bit decimal number",
							       at, (int)(vlen < 40 ? vlen : 40), v);
				size = size * 10 + d;
			}
			h->size = size;
		}
		at += n;
	}
	return 0;
}

/* ---- Names ---- */

int tar_name_is_safe(const char *name)
{
	if (!name || !name[0] || name[0] == '/')
		return 0;
	const char *p = name;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 2 && p[0] == '.' && p[1] == '.')
			return 0;
		if (!slash)
			return 1;
		if (n == 0)
			return 0;
		p = slash + 1;
		if (!*p)
			return 1; /* one trailing '/' */
	}
}

/* ---- Streaming reader ---- */

enum { R_HEADER, R_DATA, R_PAD, R_END, R_FAILED, R_CLOSED };
/* What the bytes after a header are. */
enum { K_ENTRY, K_PAX, K_SKIP, K_LONGNAME, K_LONGLINK };

struct tar_reader {
	struct sink base;
	struct tar_reader_callbacks cb;
	void *ctx;
	int state, kind;
	uint64_t offset; /* bytes consumed so far */
	unsigned char block[TAR_BLOCK];
	size_t have; /* bytes of `block` filled */

	struct tar_header h; /* the entry being read */
	struct sink *data_out;
	uint64_t size, remaining, pad;
	uint64_t header_offset; /* of the header whose data is being read */

	/* Metadata headers waiting for their entry. */
	struct buf pax, longname, longlink;
	int has_longname, has_longlink;
	int pending;		 /* a pax or long-name header is waiting */
	uint64_t pending_offset; /* the first of them */
	uint64_t entries;

	struct amber_error failure; /* repeated on every call after an error */
};

static int reader_fail(struct tar_reader *r, struct amber_error *err)
{
	r->state = R_FAILED;
	if (err)
		r->failure = *err;
	return -1;
}

static int is_header_only(char typeflag)
{
	return typeflag >= '1' && typeflag <= '6';
}

static const char *kind_name(int kind)
{
	switch (kind) {
	case K_PAX:
		return "pax header";
	case K_LONGNAME:
		return "GNU long name";
	case K_LONGLINK:
		return "GNU long link name";
	default:
		return "global pax header";
	}
}

/* The bytes of an L/K header's data, up to its first NUL, into dst. */
static int set_long_name(char *dst, const struct buf *b, const char *what, uint64_t at,
			 struct amber_error *err)
{
	size_t n = b->len;
	const char *nul = b->len ? memchr(b->data, '\0', b->len) : NULL;
	if (nul)
		n = (size_t)(nul - b->data);
	if (n >= TAR_NAME_MAX)
		return amber_error_set(
		    err, "tar %s at byte offset %" PRIu64 ": %zu bytes is too long (at most %d)", what, at, n,
		    TAR_NAME_MAX - 1);
	if (n)
		memcpy(dst, b->data, n);
	dst[n] = '\0';
	return 0;
}

/* Called when the data of the current header is complete. */
static int reader_data_done(struct tar_reader *r, struct amber_error *err)
{
	switch (r->kind) {
	case K_ENTRY:
		r->entries++;
		if (r->cb.entry_end && r->cb.entry_end(r->ctx, &r->h, err) < 0)
			return -1;
		break;
	case K_LONGNAME:
		r->has_longname = 1;
		break;
	case K_LONGLINK:
		r->has_longlink = 1;
		break;
	default:
		break;
	}
	r->state = r->pad ? R_PAD : R_HEADER;
	return 0;
}

static int reader_start_meta(struct tar_reader *r, const struct tar_header *h, int kind,
			     struct amber_error *err)
{
	uint64_t limit = kind == K_PAX	  ? TAR_PAX_MAX - r->pax.len
			 : kind == K_SKIP ? UINT64_MAX
					  : TAR_NAME_MAX;
	if (h->size > limit)
		return amber_error_set(err,
				       "tar %s at byte offset %" PRIu64 ": %" PRIu64
				       " bytes is more than this reader accepts (%" PRIu64 ")",
				       kind_name(kind), r->header_offset, h->size, limit);
	if (!r->pending && kind != K_SKIP) { /* a global header waits for no entry */
		r->pending = 1;
		r->pending_offset = r->header_offset;
	}
	if (kind == K_LONGNAME)
		buf_reset(&r->longname);
	if (kind == K_LONGLINK)
		buf_reset(&r->longlink);
	return 0;
}

/* Handles one complete header block. */
static int reader_header(struct tar_reader *r, struct amber_error *err)
{
	struct tar_header *h = &r->h;
	r->header_offset = r->offset - TAR_BLOCK;
	int rc = tar_header_decode(r->block, h, err);
	if (rc < 0) {
		/* "tar header: X" becomes "tar header at byte offset N: X". */
		static const char prefix[] = "tar header: ";
		char why[sizeof err->message];
		const char *m = err->message;
		snprintf(why, sizeof why, "%s",
			 strncmp(m, prefix, sizeof prefix - 1) ? m : m + sizeof prefix - 1);
		return amber_error_set(err, "tar header at byte offset %" PRIu64 ": %s", r->header_offset,
				       why);
	}
	if (rc == 1) {
		if (r->pending)
			return amber_error_set(err,
					       "tar: metadata header at byte offset %" PRIu64
					       " is followed by the end of the archive, not by an entry",
					       r->pending_offset);
		r->state = R_END;
		return 0;
	}

	int kind;
	switch (h->typeflag) {
	case 'x':
	case 'X': /* Solaris' older spelling */
		kind = K_PAX;
		break;
	case 'g':
		kind = K_SKIP;
		break;
	case 'L':
		kind = K_LONGNAME;
		break;
	case 'K':
		kind = K_LONGLINK;
		break;
	default:
		kind = K_ENTRY;
	}
	r->kind = kind;
	r->data_out = NULL;
	if (kind != K_ENTRY) {
		if (reader_start_meta(r, h, kind, err) < 0)
			return -1;
	} else {
		if (r->has_longname &&
		    set_long_name(h->name, &r->longname, "GNU long name", r->pending_offset, err) < 0)
			return -1;
		if (r->has_longlink && set_long_name(h->linkname, &r->longlink, "GNU long link name",
						     r->pending_offset, err) < 0)
			return -1;
		if (r->pax.len && tar_pax_apply(r->pax.data, r->pax.len, h, err) < 0) {
			char why[sizeof err->message];
			snprintf(why, sizeof why, "%s", err->message);
			return amber_error_set(err, "tar pax header before byte offset %" PRIu64 ": %s",
					       r->header_offset, why);
		}
		buf_reset(&r->pax);
		r->has_longname = r->has_longlink = r->pending = 0;
		if (is_header_only(h->typeflag))
			h->size = 0;
		if (!h->name[0])
			return amber_error_set(err, "tar entry at byte offset %" PRIu64 " has an empty name",
					       r->header_offset);
		h->offset = r->header_offset;
		if (r->cb.entry && r->cb.entry(r->ctx, h, &r->data_out, err) < 0)
			return -1;
	}
	r->size = r->remaining = h->size;
	r->pad = padding_of(h->size);
	r->state = R_DATA;
	if (r->remaining == 0)
		return reader_data_done(r, err);
	return 0;
}

static int reader_write(struct sink *s, const void *data, size_t len, struct amber_error *err)
{
	struct tar_reader *r = (struct tar_reader *)s;
	const unsigned char *p = data;
	if (r->state == R_FAILED) {
		*err = r->failure;
		return -1;
	}
	if (r->state == R_CLOSED)
		return amber_error_set(err, "tar: write after close");
	while (len > 0) {
		size_t n;
		switch (r->state) {
		case R_HEADER:
			n = TAR_BLOCK - r->have;
			if (n > len)
				n = len;
			memcpy(r->block + r->have, p, n);
			r->have += n;
			r->offset += n;
			if (r->have == TAR_BLOCK) {
				r->have = 0;
				if (reader_header(r, err) < 0)
					return reader_fail(r, err);
			}
			break;
		case R_DATA: {
			n = r->remaining < len ? (size_t)r->remaining : len;
			int rc = 0;
			if (r->kind == K_ENTRY && r->data_out)
				rc = sink_write(r->data_out, p, n, err);
			else if (r->kind == K_PAX)
				buf_add(&r->pax, p, n);
			else if (r->kind == K_LONGNAME)
				buf_add(&r->longname, p, n);
			else if (r->kind == K_LONGLINK)
				buf_add(&r->longlink, p, n);
			if (rc < 0)
				return reader_fail(r, err);
			r->remaining -= n;
			r->offset += n;
			if (r->remaining == 0 && reader_data_done(r, err) < 0)
				return reader_fail(r, err);
			break;
		}
		case R_PAD:
			n = r->pad < len ? (size_t)r->pad : len;
			r->pad -= n;
			r->offset += n;
			if (r->pad == 0)
				r->state = R_HEADER;
			break;
		default: /* R_END: only zero bytes may follow */
			for (n = 0; n < len; n++) {
				if (p[n]) {
					amber_error_set(err,
							"tar: non-zero byte at byte offset %" PRIu64
							" after the end-of-archive block",
							r->offset + n);
					return reader_fail(r, err);
				}
			}
			r->offset += n;
			break;
		}
		p += n;
		len -= n;
	}
	return 0;
}

static int reader_close(struct sink *s, struct amber_error *err)
{
	struct tar_reader *r = (struct tar_reader *)s;
	switch (r->state) {
	case R_FAILED:
		*err = r->failure;
		return -1;
	case R_END:
		r->state = R_CLOSED;
		return 0;
	case R_CLOSED:
		return amber_error_set(err, "tar: closed twice");
	case R_HEADER:
		if (r->have)
			amber_error_set(
			    err, "truncated tar: header at byte offset %" PRIu64 " has %zu of its 512 bytes",
			    r->offset - r->have, r->have);
		else if (r->pending)
			amber_error_set(err,
					"truncated tar: metadata header at byte offset %" PRIu64
					" is not followed by an entry",
					r->pending_offset);
		else
			amber_error_set(err,
					"truncated tar: no end-of-archive block after %" PRIu64
					" entries (%" PRIu64 " bytes)",
					r->entries, r->offset);
		break;
	case R_DATA:
		if (r->kind == K_ENTRY)
			amber_error_set(err,
					"truncated tar: entry '%s' expects %" PRIu64 " bytes, got %" PRIu64,
					r->h.name, r->size, r->size - r->remaining);
		else
			amber_error_set(err,
					"truncated tar: %s at byte offset %" PRIu64 " expects %" PRIu64
					" bytes, got %" PRIu64,
					kind_name(r->kind), r->header_offset, r->size,
					r->size - r->remaining);
		break;
	default: /* R_PAD */
		if (r->kind == K_ENTRY)
			amber_error_set(
			    err, "truncated tar: the padding after entry '%s' ends %" PRIu64 " bytes early",
			    r->h.name, r->pad);
		else
			amber_error_set(err,
					"truncated tar: the padding after the %s at byte offset %" PRIu64
					" ends %" PRIu64 " bytes early",
					kind_name(r->kind), r->header_offset, r->pad);
		break;
	}
	return reader_fail(r, err);
}

static void reader_free(struct sink *s)
{
	struct tar_reader *r = (struct tar_reader *)s;
	buf_free(&r->pax);
	buf_free(&r->longname);
	buf_free(&r->longlink);
	free(r);
}

struct sink *tar_reader_create(const struct tar_reader_callbacks *cb, void *ctx, struct amber_error *err)
{
	struct tar_reader *r = calloc(1, sizeof *r);
	if (!r) {
		amber_error_set(err, "tar: out of memory");
		return NULL;
	}
	r->base.write = reader_write;
	r->base.close = reader_close;
	r->base.free = reader_free;
	if (cb)
		r->cb = *cb;
	r->ctx = ctx;
	r->state = R_HEADER;
	return &r->base;
}
