/* input.c — decompressing, hashing input stream over libarchive (see input.h). */
#include "formats/input.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What input_read_more reads at least, a chunk. */
#define READ_CHUNK (256 * 1024)

#define RAW_BLOCK (256 * 1024)

struct input {
	struct archive *ar;
	int fd;
	int own_fd;
	int started; /* archive_read_next_header done */
	int raw_eof;
	uint64_t raw_bytes;
	uint64_t total;
	struct digest_sha256 sha;
	char name[256];
	unsigned char raw[RAW_BLOCK];
};

static ssize_t raw_read(struct archive *ar, void *client, const void **out)
{
	struct input *in = client;
	ssize_t n;
	do
		n = read(in->fd, in->raw, sizeof in->raw);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		archive_set_error(ar, errno, "read failed: %s", strerror(errno));
		return -1;
	}
	if (n == 0)
		in->raw_eof = 1;
	in->raw_bytes += (uint64_t)n;
	digest_sha256_update(&in->sha, in->raw, (size_t)n);
	*out = in->raw;
	return n;
}

struct input *input_open(const char *path, const char *name, struct amber_error *err)
{
	struct input *in = calloc(1, sizeof *in);
	if (!in) {
		amber_error_set(err, "out of memory");
		return NULL;
	}
	snprintf(in->name, sizeof in->name, "%s", name ? name : path);
	digest_sha256_init(&in->sha);
	if (strcmp(path, "-") == 0) {
		in->fd = STDIN_FILENO;
	} else {
		in->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (in->fd < 0) {
			amber_error_at(err, in->name, 0, 0, "cannot open: %s", strerror(errno));
			free(in);
			return NULL;
		}
		in->own_fd = 1;
	}
	struct stat st;
	if (fstat(in->fd, &st) == 0 && S_ISREG(st.st_mode))
		in->total = (uint64_t)st.st_size;
	else if (fstat(in->fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		amber_error_at(err, in->name, 0, 0, "is a directory, not a data file");
		input_close(in);
		return NULL;
	}
	in->ar = archive_read_new();
	/* Only the compressions we promise: archive_read_support_filter_all would also run external
	 * programs (lrzip, lzop) and treat a text file starting with "begin " as uuencoded. */
	archive_read_support_filter_gzip(in->ar);
	archive_read_support_filter_zstd(in->ar);
	archive_read_support_filter_xz(in->ar);
	archive_read_support_filter_lzma(in->ar);
	archive_read_support_filter_bzip2(in->ar);
	archive_read_support_format_raw(in->ar);
	archive_read_support_format_empty(in->ar);
	if (archive_read_open(in->ar, in, NULL, raw_read, NULL) != ARCHIVE_OK) {
		amber_error_at(err, in->name, 0, 0, "cannot read: %s", archive_error_string(in->ar));
		input_close(in);
		return NULL;
	}
	return in;
}

ssize_t input_read(struct input *in, void *dst, size_t cap, struct amber_error *err)
{
	if (!in->started) {
		struct archive_entry *entry;
		int r = archive_read_next_header(in->ar, &entry);
		in->started = r == ARCHIVE_OK ? 1 : 2;
		if (r == ARCHIVE_FATAL || r == ARCHIVE_FAILED)
			return amber_error_at(err, in->name, 0, 0, "cannot read: %s",
					      archive_error_string(in->ar));
	}
	if (in->started == 2) /* empty input */
		return 0;
	la_ssize_t n = archive_read_data(in->ar, dst, cap);
	if (n < 0) {
		const char *why = archive_error_string(in->ar);
		return amber_error_at(
		    err, in->name, 0, 0, "corrupt or truncated %s data after %llu compressed bytes: %s",
		    input_compression(in), (unsigned long long)in->raw_bytes, why ? why : "read error");
	}
	return n;
}

uint64_t input_raw_bytes(const struct input *in)
{
	return in->raw_bytes;
}
uint64_t input_total_bytes(const struct input *in)
{
	return in->total;
}
const char *input_name(const struct input *in)
{
	return in->name;
}

const char *input_compression(const struct input *in)
{
	switch (archive_filter_code(in->ar, 0)) {
	case ARCHIVE_FILTER_GZIP:
		return "gzip";
	case ARCHIVE_FILTER_ZSTD:
		return "zstd";
	case ARCHIVE_FILTER_XZ:
		return "xz";
	case ARCHIVE_FILTER_LZMA:
		return "lzma";
	case ARCHIVE_FILTER_BZIP2:
		return "bzip2";
	default:
		return "none";
	}
}

int input_finish_sha256(struct input *in, char hex[DIGEST_HEX_LEN + 1], struct amber_error *err)
{
	while (!in->raw_eof) {
		ssize_t n = read(in->fd, in->raw, sizeof in->raw);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return amber_error_at(err, in->name, 0, 0, "read failed: %s", strerror(errno));
		if (n == 0)
			break;
		in->raw_bytes += (uint64_t)n;
		digest_sha256_update(&in->sha, in->raw, (size_t)n);
	}
	in->raw_eof = 1;
	digest_sha256_hex(&in->sha, hex);
	return 0;
}

void input_close(struct input *in)
{
	if (!in)
		return;
	if (in->ar)
		archive_read_free(in->ar);
	if (in->own_fd)
		close(in->fd);
	free(in);
}

void input_base_name(const char *path, char *out, size_t cap)
{
	static const char *const suffixes[] = {".gz", ".zst", ".xz", ".bz2", ".lzma"};
	if (strcmp(path, "-") == 0)
		path = "stdin";
	const char *slash = strrchr(path, '/');
	snprintf(out, cap, "%s", slash ? slash + 1 : path);
	size_t n = strlen(out);
	for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
		size_t k = strlen(suffixes[i]);
		if (n > k && strcmp(out + n - k, suffixes[i]) == 0) {
			out[n - k] = '\0';
			return;
		}
	}
}

int input_read_more(struct input *in, struct buf *b, int *eof, struct amber_error *err)
{
	size_t want = b->len > READ_CHUNK ? b->len : READ_CHUNK;
	buf_grow(b, want);
	ssize_t n = input_read(in, b->data + b->len, want, err);
	if (n < 0)
		return -1;
	if (n == 0)
		*eof = 1;
	b->len += (size_t)n;
	b->data[b->len] = '\0';
	return 0;
}
