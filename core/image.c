/* image.c — opening an OCI layout, OCI archive or docker-archive and reading its layers
 * (see image.h). */
#include "core/image.h"
#include "core/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DOC_MAX	   (4u << 20) /* index, manifest, config: far smaller in practice */
#define READ_CHUNK (1u << 20)

struct store_entry {
	char *name;
	uint64_t offset, size;
};

struct image_store {
	int dirfd; /* a layout directory */
	int fd;	   /* an archive */
	struct store_entry *entries;
	size_t nentries;
};

/* Sets the error the current call reports, naming the image. */
static int fail(struct image *img, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct image *img, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char msg[700];
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return amber_error_at(img->err, img->path, 0, 0, "%s", msg);
}

const char *image_kind_name(enum image_kind k)
{
	return k == IMAGE_LAYOUT ? "OCI layout" : k == IMAGE_OCI_ARCHIVE ? "OCI archive" : "docker-archive";
}

/* ---- the store: a directory or the entries of an uncompressed tar ---- */

static int pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	char *p = buf;
	while (len > 0) {
		ssize_t n = pread(fd, p, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static void store_add(struct image_store *s, const char *name, uint64_t offset, uint64_t size)
{
	while (strncmp(name, "./", 2) == 0)
		name += 2;
	struct store_entry *e = realloc(s->entries, (s->nentries + 1) * sizeof *e);
	if (!e)
		abort();
	s->entries = e;
	e[s->nentries].name = strdup(name);
	if (!e[s->nentries].name)
		abort();
	e[s->nentries].offset = offset;
	e[s->nentries].size = size;
	s->nentries++;
}

/* Walks the archive's headers (never its data) and records every regular file. */
static int store_scan_tar(struct image *img, struct image_store *s, struct amber_error *err)
{
	struct stat st;
	if (fstat(s->fd, &st) < 0)
		return fail(img, "cannot read: %s", strerror(errno));
	uint64_t off = 0, end = (uint64_t)st.st_size;
	unsigned char block[TAR_BLOCK];
	struct tar_header h;
	char pending_type = 0; /* 'x' or 'L' when records apply to the next header */
	uint64_t pending_size = 0;
	char *records = NULL;
	int rc = -1;
	for (;;) {
		if (off + TAR_BLOCK > end) {
			if (off == end && s->nentries)
				break; /* no end blocks: accepted, every entry was complete */
			fail(img, "truncated archive: no tar header at byte %llu", (unsigned long long)off);
			goto out;
		}
		if (pread_all(s->fd, block, TAR_BLOCK, off) < 0) {
			fail(img, "cannot read: %s", strerror(errno));
			goto out;
		}
		int r = tar_header_decode(block, &h, err);
		if (r == 1)
			break;
		if (r < 0) {
			char inner[sizeof err->message];
			snprintf(inner, sizeof inner, "%s", err->message);
			fail(img, "not a tar archive, or a broken one: at byte %llu: %s",
			     (unsigned long long)off, inner);
			goto out;
		}
		uint64_t data = off + TAR_BLOCK;
		uint64_t next = data + (h.size + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
		if (next > end || next < data) {
			fail(img, "truncated archive: entry '%s' needs %llu bytes", h.name,
			     (unsigned long long)h.size);
			goto out;
		}
		if (h.typeflag == 'x' || h.typeflag == 'L') {
			if (h.size > TAR_PAX_MAX) {
				fail(img, "extended header at byte %llu is too large",
				     (unsigned long long)off);
				goto out;
			}
			free(records);
			records = malloc(h.size + 1);
			if (!records)
				abort();
			if (pread_all(s->fd, records, h.size, data) < 0) {
				fail(img, "cannot read: %s", strerror(errno));
				goto out;
			}
			records[h.size] = '\0';
			pending_type = h.typeflag;
			pending_size = h.size;
			off = next;
			continue;
		}
		if (pending_type) {
			if (pending_type == 'L')
				snprintf(h.name, sizeof h.name, "%s", records);
			else if (tar_pax_apply(records, pending_size, &h, err) < 0)
				goto out;
			pending_type = 0;
			next = data + (h.size + TAR_BLOCK - 1) / TAR_BLOCK * TAR_BLOCK;
		}
		if (h.typeflag == '0')
			store_add(s, h.name, data, h.size);
		off = next;
	}
	rc = 0;
out:
	free(records);
	return rc;
}

static int store_open(struct image *img, struct image_store *s, struct amber_error *err)
{
	struct stat st;
	s->dirfd = s->fd = -1;
	if (stat(img->path, &st) < 0)
		return fail(img, "cannot open: %s", strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		s->dirfd = open(img->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		return s->dirfd < 0 ? fail(img, "cannot open: %s", strerror(errno)) : 0;
	}
	s->fd = open(img->path, O_RDONLY | O_CLOEXEC);
	if (s->fd < 0)
		return fail(img, "cannot open: %s", strerror(errno));
	return store_scan_tar(img, s, err);
}

static void store_close(struct image_store *s)
{
	if (!s)
		return;
	if (s->dirfd >= 0)
		close(s->dirfd);
	if (s->fd >= 0)
		close(s->fd);
	for (size_t i = 0; i < s->nentries; i++)
		free(s->entries[i].name);
	free(s->entries);
	free(s);
}

/* Finds `name`: an open descriptor, the data's offset in it and its size. The descriptor is
 * the archive's (do not close) or a new one (*owned = 1). */
static int store_find(struct image_store *s, const char *name, int *fd, uint64_t *offset, uint64_t *size,
		      int *owned)
{
	*owned = 0;
	if (s->dirfd >= 0) {
		int f = openat(s->dirfd, name, O_RDONLY | O_CLOEXEC);
		struct stat st;
		if (f < 0 || fstat(f, &st) < 0 || !S_ISREG(st.st_mode)) {
			if (f >= 0)
				close(f);
			return -1;
		}
		*fd = f;
		*offset = 0;
		*size = (uint64_t)st.st_size;
		*owned = 1;
		return 0;
	}
	for (size_t i = 0; i < s->nentries; i++)
		if (strcmp(s->entries[i].name, name) == 0) {
			*fd = s->fd;
			*offset = s->entries[i].offset;
			*size = s->entries[i].size;
			return 0;
		}
	return -1;
}

static int store_has(struct image_store *s, const char *name)
{
	int fd, owned;
	uint64_t off, size;
	if (store_find(s, name, &fd, &off, &size, &owned) < 0)
		return 0;
	if (owned)
		close(fd);
	return 1;
}

/* Reads a whole small file. -1: missing (errno ENOENT), too large or unreadable. */
static int store_read_doc(struct image_store *s, const char *name, struct buf *out)
{
	int fd, owned;
	uint64_t off, size;
	if (store_find(s, name, &fd, &off, &size, &owned) < 0) {
		errno = ENOENT;
		return -1;
	}
	int rc = -1;
	if (size > DOC_MAX) {
		errno = EFBIG;
	} else {
		buf_reset(out);
		buf_grow(out, size);
		if (pread_all(fd, out->data, size, off) == 0) {
			out->len = size;
			out->data[size] = '\0';
			rc = 0;
		}
	}
	if (owned)
		close(fd);
	return rc;
}

/* Streams a stored file into `to`. */
static int store_stream(struct image *img, const char *name, struct sink *to, struct amber_error *err)
{
	int fd, owned;
	uint64_t off, size;
	if (store_find(img->store, name, &fd, &off, &size, &owned) < 0)
		return fail(img, "%s is missing", name);
	char *chunk = malloc(READ_CHUNK);
	if (!chunk)
		abort();
	int rc = 0;
	while (size > 0 && rc == 0) {
		size_t n = size < READ_CHUNK ? (size_t)size : READ_CHUNK;
		if (pread_all(fd, chunk, n, off) < 0)
			rc = fail(img, "cannot read %s: %s", name, errno ? strerror(errno) : "file shrank");
		else
			rc = sink_write(to, chunk, n, err);
		off += n;
		size -= n;
	}
	free(chunk);
	if (owned)
		close(fd);
	return rc;
}

/* The compression of a stored layer, from its first bytes. -1 when the layer is missing. A
 * docker-archive names no media type: it gets the one its bytes call for. */
static int layer_compression(struct image *img, struct image_layer *l, enum compression *out)
{
	int fd, owned;
	uint64_t off, size;
	unsigned char head[4] = {0};
	if (store_find(img->store, l->name, &fd, &off, &size, &owned) < 0)
		return -1;
	if (size >= 4 && pread_all(fd, head, 4, off) < 0)
		size = 0;
	if (owned)
		close(fd);
	*out = compression_detect(head, size < 4 ? size : 4);
	if (img->kind == IMAGE_DOCKER_ARCHIVE)
		snprintf(l->media_type, sizeof l->media_type, "%s",
			 oci_layer_media_type(compression_name(*out)));
	return 0;
}

/* ---- documents ---- */

static int is_digest(const char *d)
{
	if (!d || strncmp(d, OCI_DIGEST_PREFIX, 7) != 0 || strlen(d) != OCI_DIGEST_LEN)
		return 0;
	for (const char *p = d + 7; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return 0;
	return 1;
}

static void sha256_of(const struct buf *b, char out[OCI_DIGEST_LEN + 1])
{
	struct digest_sha256 d;
	char hex[DIGEST_HEX_LEN + 1];
	digest_sha256_init(&d);
	digest_sha256_update(&d, b->data ? b->data : "", b->len);
	digest_sha256_hex(&d, hex);
	snprintf(out, OCI_DIGEST_LEN + 1, OCI_DIGEST_PREFIX "%s", hex);
}

/* Reads the blob a descriptor names and checks its size and digest. `what` names it. */
static int read_blob_doc(struct image *img, json_t *desc, const char *what, const char *want_media,
			 struct buf *out, char digest[OCI_DIGEST_LEN + 1], uint64_t *size)
{
	const char *d = json_string_value(json_object_get(desc, "digest"));
	const char *media = json_string_value(json_object_get(desc, "mediaType"));
	json_t *jsize = json_object_get(desc, "size");
	if (!is_digest(d))
		return fail(img, "the %s descriptor has no valid sha256 digest", what);
	if (!json_is_integer(jsize) || json_integer_value(jsize) < 0)
		return fail(img, "the %s descriptor (%s) has no valid size", what, d);
	if (want_media && (!media || strcmp(media, want_media) != 0))
		return fail(img, "the %s descriptor (%s) has media type '%s', expected %s", what, d,
			    media ? media : "(none)", want_media);
	char name[128], got[OCI_DIGEST_LEN + 1];
	snprintf(name, sizeof name, "blobs/sha256/%s", d + 7);
	if (store_read_doc(img->store, name, out) < 0)
		return fail(img, "%s %s: blob %s is %s", what, d, name,
			    errno == ENOENT  ? "missing"
			    : errno == EFBIG ? "too large"
					     : strerror(errno));
	if ((uint64_t)json_integer_value(jsize) != out->len)
		return fail(img, "%s %s: the blob has %zu bytes, its descriptor says %lld", what, d, out->len,
			    (long long)json_integer_value(jsize));
	sha256_of(out, got);
	if (strcmp(got, d) != 0)
		return fail(img, "%s %s: the blob's sha256 is %s: it was altered", what, d, got);
	snprintf(digest, OCI_DIGEST_LEN + 1, "%s", d);
	*size = out->len;
	return 0;
}

static json_t *parse_doc(struct image *img, const struct buf *b, const char *what)
{
	json_error_t je;
	json_t *j = json_loadb(b->data ? b->data : "", b->len, 0, &je);
	if (!j)
		fail(img, "%s is not valid JSON: line %d column %d: %s", what, je.line, je.column, je.text);
	return j;
}

static void alloc_layers(struct image *img, size_t n)
{
	img->nlayers = n;
	img->layers = calloc(n, sizeof *img->layers);
	if (!img->layers)
		abort();
}

static int read_config(struct image *img, const struct buf *b)
{
	img->config = parse_doc(img, b, "the config");
	if (!img->config)
		return -1;
	if (!json_is_object(img->config) || !json_string_value(json_object_get(img->config, "os")) ||
	    !json_string_value(json_object_get(img->config, "architecture")))
		return fail(img, "config %s has no os or architecture", img->config_digest);
	json_t *ids = json_object_get(json_object_get(img->config, "rootfs"), "diff_ids");
	if (!json_is_array(ids) || json_array_size(ids) != img->nlayers)
		return fail(img, "config %s lists %zu diff_ids for %zu layers", img->config_digest,
			    json_is_array(ids) ? json_array_size(ids) : 0, img->nlayers);
	for (size_t i = 0; i < img->nlayers; i++) {
		const char *id = json_string_value(json_array_get(ids, i));
		if (!is_digest(id))
			return fail(img, "config %s: diff_id %zu is not a sha256 digest", img->config_digest,
				    i + 1);
		snprintf(img->layers[i].diff_id, sizeof img->layers[i].diff_id, "%s", id);
	}
	return 0;
}

static int open_oci(struct image *img, struct buf *doc)
{
	if (store_read_doc(img->store, "oci-layout", doc) < 0)
		return fail(img, "oci-layout is missing");
	if (!strstr(buf_str(doc), "\"imageLayoutVersion\""))
		return fail(img, "oci-layout has no imageLayoutVersion");
	if (store_read_doc(img->store, "index.json", doc) < 0)
		return fail(img, "index.json is missing or unreadable");
	json_t *index = parse_doc(img, doc, "index.json");
	if (!index)
		return -1;
	int rc = -1;
	json_t *manifest = NULL;
	json_t *list = json_object_get(index, "manifests");
	json_t *desc = json_array_get(list, 0);
	if (!json_is_array(list) || json_array_size(list) == 0 || !json_is_object(desc)) {
		fail(img, "index.json lists no manifest");
		goto out;
	}
	const char *ref =
	    json_string_value(json_object_get(json_object_get(desc, "annotations"), OCI_ANNOTATION_REF));
	snprintf(img->ref, sizeof img->ref, "%s", ref ? ref : "");
	if (read_blob_doc(img, desc, "manifest", OCI_MEDIA_MANIFEST, doc, img->manifest_digest,
			  &img->manifest_size) < 0)
		goto out;
	if (!(manifest = parse_doc(img, doc, "the manifest")))
		goto out;
	json_t *layers = json_object_get(manifest, "layers");
	if (!json_is_array(layers) || json_array_size(layers) == 0) {
		fail(img, "manifest %s lists no layers", img->manifest_digest);
		goto out;
	}
	alloc_layers(img, json_array_size(layers));
	for (size_t i = 0; i < img->nlayers; i++) {
		json_t *l = json_array_get(layers, i);
		struct image_layer *il = &img->layers[i];
		const char *d = json_string_value(json_object_get(l, "digest"));
		const char *m = json_string_value(json_object_get(l, "mediaType"));
		json_t *s = json_object_get(l, "size");
		if (!is_digest(d) || !m || !json_is_integer(s) || json_integer_value(s) < 0) {
			fail(img, "manifest %s: layer %zu has no valid digest, media type or size",
			     img->manifest_digest, i + 1);
			goto out;
		}
		snprintf(il->digest, sizeof il->digest, "%s", d);
		snprintf(il->media_type, sizeof il->media_type, "%s", m);
		il->size = (uint64_t)json_integer_value(s);
		snprintf(il->name, sizeof il->name, "blobs/sha256/%s", d + 7);
	}
	if (read_blob_doc(img, json_object_get(manifest, "config"), "config", OCI_MEDIA_CONFIG, doc,
			  img->config_digest, &img->config_size) < 0)
		goto out;
	snprintf(img->config_name, sizeof img->config_name, "blobs/sha256/%s", img->config_digest + 7);
	img->has_docker_manifest = store_has(img->store, "manifest.json");
	rc = read_config(img, doc);
out:
	json_decref(manifest);
	json_decref(index);
	return rc;
}

static int open_docker(struct image *img, struct buf *doc)
{
	json_t *m = parse_doc(img, doc, "manifest.json");
	if (!m)
		return -1;
	int rc = -1;
	json_t *first = json_array_get(m, 0);
	const char *config = json_string_value(json_object_get(first, "Config"));
	json_t *layers = json_object_get(first, "Layers");
	const char *tag = json_string_value(json_array_get(json_object_get(first, "RepoTags"), 0));
	if (!config || !json_is_array(layers) || json_array_size(layers) == 0) {
		fail(img, "manifest.json names no Config or no Layers");
		goto out;
	}
	snprintf(img->ref, sizeof img->ref, "%s", tag ? tag : "");
	snprintf(img->config_name, sizeof img->config_name, "%s", config);
	if (store_read_doc(img->store, config, doc) < 0) {
		fail(img, "config %s named by manifest.json is missing", config);
		goto out;
	}
	sha256_of(doc, img->config_digest);
	img->config_size = doc->len;
	/* docker names the config after its digest: a name that disagrees means it was altered. */
	const char *base = strrchr(config, '/') ? strrchr(config, '/') + 1 : config;
	if (strlen(base) >= DIGEST_HEX_LEN && strspn(base, "0123456789abcdef") == DIGEST_HEX_LEN &&
	    strncmp(base, img->config_digest + 7, DIGEST_HEX_LEN) != 0) {
		fail(img, "config %s: its sha256 is %s: it was altered", config, img->config_digest);
		goto out;
	}
	alloc_layers(img, json_array_size(layers));
	for (size_t i = 0; i < img->nlayers; i++) {
		const char *name = json_string_value(json_array_get(layers, i));
		int fd, owned;
		uint64_t off;
		if (!name || store_find(img->store, name, &fd, &off, &img->layers[i].size, &owned) < 0) {
			fail(img, "layer %zu (%s) named by manifest.json is missing", i + 1,
			     name ? name : "?");
			goto out;
		}
		if (owned)
			close(fd);
		snprintf(img->layers[i].name, sizeof img->layers[i].name, "%s", name);
		enum compression c;
		layer_compression(img, &img->layers[i], &c);
	}
	rc = read_config(img, doc);
out:
	json_decref(m);
	return rc;
}

int image_open(const char *path, struct image *img, struct amber_error *err)
{
	memset(img, 0, sizeof *img);
	img->err = err;
	snprintf(img->path, sizeof img->path, "%s", path);
	img->store = calloc(1, sizeof *img->store);
	if (!img->store)
		abort();
	if (store_open(img, img->store, err) < 0)
		return -1;
	struct buf doc = BUF_INIT;
	int rc;
	if (store_has(img->store, "index.json")) {
		img->kind = img->store->dirfd >= 0 ? IMAGE_LAYOUT : IMAGE_OCI_ARCHIVE;
		rc = open_oci(img, &doc);
	} else if (img->store->fd >= 0 && store_read_doc(img->store, "manifest.json", &doc) == 0) {
		img->kind = IMAGE_DOCKER_ARCHIVE;
		rc = open_docker(img, &doc);
	} else {
		rc = fail(img, "not an image: no index.json (OCI) and no manifest.json (docker-archive)");
	}
	buf_free(&doc);
	return rc;
}

void image_close(struct image *img)
{
	json_decref(img->config);
	free(img->layers);
	store_close(img->store);
	memset(img, 0, sizeof *img);
}

const char *image_label(const struct image *img, const char *key)
{
	json_t *labels = json_object_get(json_object_get(img->config, "config"), "Labels");
	return json_string_value(json_object_get(labels, key));
}

/* ---- layers ---- */

/* Hashes every byte it is given and forwards to `next` until `next` fails; after that it
 * only hashes, so that a broken blob is reported by its digest rather than by whatever its
 * decompressor tripped over first. */
struct guard {
	struct sink base;
	struct sink_digest sha;
	struct sink *next;
	int failed;
	struct amber_error first;
};

static int guard_write(struct sink *s, const void *data, size_t len, struct amber_error *err)
{
	struct guard *g = (struct guard *)s;
	sink_write(&g->sha.base, data, len, err);
	if (!g->failed && sink_write(g->next, data, len, &g->first) < 0)
		g->failed = 1;
	return 0;
}

static enum compression media_compression(const char *media)
{
	size_t n = strlen(media);
	if (n > 5 && strcmp(media + n - 5, "+gzip") == 0)
		return COMPRESSION_GZIP;
	if (n > 5 && strcmp(media + n - 5, "+zstd") == 0)
		return COMPRESSION_ZSTD;
	if (strstr(media, "docker.image.rootfs.diff.tar.gzip"))
		return COMPRESSION_GZIP;
	return COMPRESSION_NONE;
}

int image_layer_read(struct image *img, size_t i, const struct tar_reader_callbacks *cb, void *ctx,
		     struct amber_error *err)
{
	img->err = err;
	struct image_layer *l = &img->layers[i];
	char what[160];
	snprintf(what, sizeof what, "layer %zu of %zu (%.100s)", i + 1, img->nlayers, l->name);

	/* What the bytes are, from their first bytes; in an OCI image it must match the media type. */
	enum compression actual;
	if (layer_compression(img, l, &actual) < 0)
		return fail(img, "%s: the blob is missing", what);
	enum compression declared = media_compression(l->media_type);

	struct amber_error inner = {0};
	struct sink *tar = tar_reader_create(cb, ctx, &inner);
	struct sink_digest diff;
	sink_digest_init(&diff, tar);
	struct sink *dec = decompressor_create(declared, &diff.base, &inner);
	struct guard g = {.base.write = guard_write, .next = dec};
	sink_digest_init(&g.sha, NULL);
	int rc = -1;
	if (!tar || !dec) {
		fail(img, "%s: %s", what, inner.message);
		goto out;
	}
	if (store_stream(img, l->name, &g.base, err) < 0)
		goto out;
	char hex[DIGEST_HEX_LEN + 1], got[OCI_DIGEST_LEN + 1];
	sink_digest_hex(&g.sha, hex);
	snprintf(got, sizeof got, OCI_DIGEST_PREFIX "%s", hex);
	if (img->kind == IMAGE_DOCKER_ARCHIVE) {
		snprintf(l->digest, sizeof l->digest, "%s", got);
	} else {
		if (g.sha.bytes != l->size) {
			fail(img, "%s: the blob has %llu bytes, the manifest says %llu", what,
			     (unsigned long long)g.sha.bytes, (unsigned long long)l->size);
			goto out;
		}
		if (strcmp(got, l->digest) != 0) {
			fail(img, "%s: the blob's sha256 is %s, the manifest says %s: it was altered", what,
			     got, l->digest);
			goto out;
		}
		if (actual != declared) {
			fail(img, "%s: the media type says %s but the data is %s", what, l->media_type,
			     compression_name(actual));
			goto out;
		}
	}
	/* An uncompressed layer's blob digest is its diff_id: compare it before reporting what the
	 * tar reader tripped over, so that an altered docker-archive layer is named as such. */
	if (declared == COMPRESSION_NONE && strcmp(got, l->diff_id) != 0) {
		fail(img, "%s: the layer's sha256 is %s, the config's diff_id says %s: it was altered", what,
		     got, l->diff_id);
		goto out;
	}
	if (!g.failed && (sink_close(dec, &g.first) < 0 || sink_close(tar, &g.first) < 0))
		g.failed = 1;
	if (g.failed) {
		fail(img, "%s: %s%s%s", what, g.first.file[0] ? g.first.file : "",
		     g.first.file[0] ? ": " : "", g.first.message);
		goto out;
	}
	sink_digest_hex(&diff, hex);
	snprintf(got, sizeof got, OCI_DIGEST_PREFIX "%s", hex);
	if (strcmp(got, l->diff_id) != 0) {
		fail(img, "%s: the uncompressed layer's sha256 is %s, the config's diff_id says %s", what,
		     got, l->diff_id);
		goto out;
	}
	rc = 0;
out:
	sink_free(dec);
	sink_free(tar);
	return rc;
}

int image_check_docker_manifest(struct image *img, struct amber_error *err)
{
	img->err = err;
	if (!img->has_docker_manifest)
		return 0;
	struct buf doc = BUF_INIT;
	int rc = -1;
	json_t *m = NULL;
	if (store_read_doc(img->store, "manifest.json", &doc) < 0 ||
	    !(m = parse_doc(img, &doc, "manifest.json")))
		goto out;
	json_t *first = json_array_get(m, 0);
	const char *config = json_string_value(json_object_get(first, "Config"));
	json_t *layers = json_object_get(first, "Layers");
	if (!config || strcmp(config, img->config_name) != 0) {
		fail(img, "manifest.json names config %s, the OCI manifest %s", config ? config : "(none)",
		     img->config_name);
		goto out;
	}
	if (json_array_size(layers) != img->nlayers) {
		fail(img, "manifest.json lists %zu layers, the OCI manifest %zu", json_array_size(layers),
		     img->nlayers);
		goto out;
	}
	for (size_t i = 0; i < img->nlayers; i++) {
		const char *name = json_string_value(json_array_get(layers, i));
		if (!name || strcmp(name, img->layers[i].name) != 0) {
			fail(img, "manifest.json layer %zu is %s, the OCI manifest's is %s", i + 1,
			     name ? name : "?", img->layers[i].name);
			goto out;
		}
	}
	rc = 0;
out:
	json_decref(m);
	buf_free(&doc);
	return rc;
}
