/* build.c — inputs → database → image layers, config, manifest, index (see build.h). */
#include "core/build.h"
#include "core/buf.h"
#include "core/cleanup.h"
#include "core/image_out.h"
#include "core/loader.h"
#include "core/queries.h"
#include "formats/tar.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define COPY_CHUNK (1 << 20)

/* One entry of a layer: a file copied from `path`, or a directory when `path` is NULL. */
struct layer_entry {
	const char *name;
	unsigned mode;
	const char *path;
};

struct build {
	const struct build_options *opt;
	struct progress *progress;
	struct image_out *oci, *docker;
	int64_t mtime;
	char db_tmp[4096];
	/* per layer */
	char diff_id[2][OCI_DIGEST_LEN + 1];
	struct oci_descriptor layer[2];
	char docker_layer_path[2][128];
	char content_sha256[DIGEST_HEX_LEN + 1]; /* of the last file entry written */
	struct query_set queries;		 /* empty without --queries */
	/* labels: amber's first, then the user's */
	struct oci_label *labels;
	size_t nlabels;
};

static int is_tar_path(const char *path)
{
	size_t n = strlen(path);
	return n > 4 && strcmp(path + n - 4, ".tar") == 0;
}

static void label_add(struct build *b, const char *key, const char *value)
{
	struct oci_label *l = realloc(b->labels, (b->nlabels + 1) * sizeof *l);
	if (!l)
		abort();
	b->labels = l;
	l[b->nlabels].key = strdup(key);
	l[b->nlabels].value = strdup(value);
	if (!l[b->nlabels].key || !l[b->nlabels].value)
		abort();
	b->nlabels++;
}

static void labels_free(struct build *b)
{
	for (size_t i = 0; i < b->nlabels; i++) {
		free((char *)b->labels[i].key);
		free((char *)b->labels[i].value);
	}
	free(b->labels);
}

/* The directory the first output lives in, where the temporary database goes. */
static void temp_db_name(const struct build_options *opt, char *out, size_t size)
{
	const char *anchor = opt->oci_out ? opt->oci_out : opt->docker_out ? opt->docker_out : opt->db_out;
	snprintf(out, size, "%s.db-XXXXXX", anchor);
}

/* Labels from the new database's _amber_meta: sources, tables and row counts, versions. */
static int read_db_labels(struct build *b, struct amber_error *err)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	struct buf tables = BUF_INIT, key = BUF_INIT;
	int rc = -1;
	if (sqlite3_open_v2(b->db_tmp, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT key, value FROM _amber_meta ORDER BY key", -1, &st, NULL) !=
		SQLITE_OK) {
		amber_error_set(err, "cannot read the new database: %s",
				db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		const char *v = (const char *)sqlite3_column_text(st, 1);
		if (!k || !v)
			continue;
		buf_reset(&key);
		if (strncmp(k, "source.", 7) == 0 || strncmp(k, "table.", 6) == 0) {
			buf_addf(&key, "io.amber.%s", k);
			label_add(b, key.data, v);
		} else if (strcmp(k, "sqlite_version") == 0 || strcmp(k, "format_version") == 0) {
			buf_addf(&key, "io.amber.db.%s", k);
			label_add(b, key.data, v);
		}
		size_t klen = strlen(k);
		if (strncmp(k, "table.", 6) == 0 && klen > 11 && strcmp(k + klen - 5, ".rows") == 0) {
			if (tables.len)
				buf_addc(&tables, ',');
			buf_add(&tables, k + 6, klen - 11);
		}
	}
	label_add(b, "io.amber.tables", buf_str(&tables));
	rc = 0;
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	buf_free(&tables);
	buf_free(&key);
	return rc;
}

/* Copies a file into the open tar entry, hashing it on the way. */
static int copy_file(struct build *b, struct tar_writer *tw, const char *path, int fd, uint64_t size,
		     uint64_t *done, struct amber_error *err)
{
	char *chunk = malloc(COPY_CHUNK);
	if (!chunk)
		abort();
	struct digest_sha256 sha;
	digest_sha256_init(&sha);
	uint64_t left = size;
	int rc = 0;
	while (left > 0 && rc == 0) {
		ssize_t n = read(fd, chunk, left < COPY_CHUNK ? left : COPY_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = amber_error_at(err, path, 0, 0,
					    n < 0 ? "cannot read: %s" : "file shrank while read%s",
					    n < 0 ? strerror(errno) : "");
			break;
		}
		digest_sha256_update(&sha, chunk, (size_t)n);
		rc = tar_write_data(tw, chunk, (size_t)n, err);
		left -= (uint64_t)n;
		*done += (uint64_t)n;
		progress_update(b->progress, *done, 0);
	}
	digest_sha256_hex(&sha, b->content_sha256);
	free(chunk);
	return rc;
}

/* Writes layer `n` (0-based) of `entries` into every output, in one pass. */
static int write_layer(struct build *b, int n, const char *label, const struct layer_entry *entries,
		       size_t count, struct build_result *res, struct amber_error *err)
{
	const struct build_options *opt = b->opt;
	uint64_t total = TAR_END_SIZE, sizes[4] = {0};
	struct stat st;
	for (size_t i = 0; i < count; i++) {
		if (entries[i].path) {
			if (stat(entries[i].path, &st) < 0)
				return amber_error_at(err, entries[i].path, 0, 0, "cannot read: %s",
						      strerror(errno));
			sizes[i] = (uint64_t)st.st_size;
		}
		total += entries[i].path ? tar_file_entry_size(entries[i].name, sizes[i])
					 : tar_dir_entry_size(entries[i].name);
	}

	struct sink *oci_blob = NULL, *docker_blob = NULL, *comp = NULL, *after = NULL;
	struct sink_tee tee;
	struct sink_digest diff;
	int rc = -1;
	if (b->oci && !(oci_blob = image_out_blob_begin(b->oci, err)))
		return -1;
	if (b->docker && !(docker_blob = image_out_blob_begin(b->docker, err)))
		return -1;
	if (oci_blob) {
		comp = compressor_create(opt->compression, opt->level, opt->threads, total, oci_blob, err);
		if (!comp)
			return -1;
	}
	if (comp && docker_blob) {
		sink_tee_init(&tee, comp, docker_blob);
		after = &tee.base;
	} else {
		after = comp ? comp : docker_blob;
	}
	sink_digest_init(&diff, after);
	struct tar_writer tw;
	tar_writer_init(&tw, &diff.base, b->mtime);

	progress_begin(b->progress, label, total);
	uint64_t done = 0;
	for (size_t i = 0; i < count; i++) {
		const struct layer_entry *e = &entries[i];
		if (!e->path) {
			if (tar_write_dir(&tw, e->name, e->mode, err) < 0)
				goto out;
			continue;
		}
		int fd = open(e->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			amber_error_at(err, e->path, 0, 0, "cannot open: %s", strerror(errno));
			goto out;
		}
		int ok = tar_write_file_begin(&tw, e->name, e->mode, sizes[i], err) == 0 &&
			 copy_file(b, &tw, e->path, fd, sizes[i], &done, err) == 0 &&
			 tar_write_file_end(&tw, err) == 0;
		close(fd);
		if (!ok)
			goto out;
	}
	if (tar_writer_finish(&tw, err) < 0 || (comp && sink_close(comp, err) < 0))
		goto out;
	progress_update(b->progress, done, 0);
	progress_end(b->progress);

	char hex[DIGEST_HEX_LEN + 1];
	sink_digest_hex(&diff, hex);
	snprintf(b->diff_id[n], sizeof b->diff_id[n], OCI_DIGEST_PREFIX "%s", hex);
	res->layer_tar_size[n] = diff.bytes;
	if (oci_blob) {
		struct oci_descriptor *d = &b->layer[n];
		d->media_type = oci_layer_media_type(compression_name(opt->compression));
		if (image_out_blob_end(b->oci, "blobs/sha256/%s", hex, &d->size, err) < 0)
			goto out;
		snprintf(d->digest, sizeof d->digest, OCI_DIGEST_PREFIX "%s", hex);
		res->layer_size[n] = d->size;
	}
	if (docker_blob) {
		uint64_t size;
		if (image_out_blob_end(b->docker, "%s/layer.tar", hex, &size, err) < 0)
			goto out;
		snprintf(b->docker_layer_path[n], sizeof b->docker_layer_path[n], "%s/layer.tar", hex);
		if (!oci_blob)
			res->layer_size[n] = size;
	}
	rc = 0;
out:
	sink_free(comp);
	return rc;
}

/* Config, manifest, index and the docker manifest.json, into the outputs. */
static int write_documents(struct build *b, struct build_result *res, struct amber_error *err)
{
	static const char *const entrypoint[] = {BUILD_SERVER_PATH, NULL};
	static const char *const cmd[] = {"--db", BUILD_DB_PATH, NULL};
	static const char *const ports[] = {BUILD_PORT, NULL};
	char created_by_server[96], created_by_db[96];
	snprintf(created_by_server, sizeof created_by_server, "amber %s: COPY amberd " BUILD_SERVER_PATH,
		 AMBER_VERSION);
	snprintf(created_by_db, sizeof created_by_db, "amber %s: COPY database " BUILD_DB_PATH,
		 AMBER_VERSION);
	const char *diff_ids[2] = {b->diff_id[0], b->diff_id[1]};
	const char *created_by[2] = {created_by_server, created_by_db};

	struct oci_label *labels = malloc((b->nlabels + b->opt->nlabels + 1) * sizeof *labels);
	if (!labels)
		abort();
	memcpy(labels, b->labels, b->nlabels * sizeof *labels);
	if (b->opt->nlabels)
		memcpy(labels + b->nlabels, b->opt->labels, b->opt->nlabels * sizeof *labels);
	struct oci_config cfg = {
	    .created = b->mtime,
	    .architecture = oci_host_architecture(),
	    .user = BUILD_USER,
	    .entrypoint = entrypoint,
	    .cmd = cmd,
	    .ports = ports,
	    .working_dir = "/",
	    .labels = labels,
	    .nlabels = b->nlabels + b->opt->nlabels,
	    .diff_ids = diff_ids,
	    .created_by = created_by,
	    .nlayers = 2,
	};
	struct buf config = BUF_INIT, doc = BUF_INIT;
	oci_write_config(&config, &cfg);
	free(labels);
	char hex[DIGEST_HEX_LEN + 1], path[512];
	int rc = -1;
	struct oci_descriptor cd = {.media_type = OCI_MEDIA_CONFIG, .size = config.len};
	if (b->oci) {
		struct oci_descriptor md = {.media_type = OCI_MEDIA_MANIFEST};
		if (image_out_blob_add(b->oci, "blobs/sha256/%s", config.data, config.len, hex, err) < 0)
			goto out;
		snprintf(cd.digest, sizeof cd.digest, OCI_DIGEST_PREFIX "%s", hex);
		oci_write_manifest(&doc, &cd, b->layer, 2);
		if (image_out_blob_add(b->oci, "blobs/sha256/%s", doc.data, doc.len, hex, err) < 0)
			goto out;
		snprintf(md.digest, sizeof md.digest, OCI_DIGEST_PREFIX "%s", hex);
		md.size = doc.len;
		snprintf(res->manifest_digest, sizeof res->manifest_digest, "%s", md.digest);
		buf_reset(&doc);
		oci_write_index(&doc, &md, &b->opt->ref);
		if (image_out_file_add(b->oci, "index.json", doc.data, doc.len, err) < 0)
			goto out;
		/* The docker manifest.json that makes the OCI archive loadable by docker too. */
		char layer_paths[2][128];
		const char *lp[2] = {layer_paths[0], layer_paths[1]};
		for (int i = 0; i < 2; i++)
			snprintf(layer_paths[i], sizeof layer_paths[i], "blobs/sha256/%.64s",
				 b->layer[i].digest + strlen(OCI_DIGEST_PREFIX));
		snprintf(path, sizeof path, "blobs/sha256/%.64s", cd.digest + strlen(OCI_DIGEST_PREFIX));
		buf_reset(&doc);
		oci_write_docker_manifest(&doc, path, &b->opt->ref, lp, 2);
		if (is_tar_path(b->opt->oci_out) &&
		    image_out_file_add(b->oci, "manifest.json", doc.data, doc.len, err) < 0)
			goto out;
	}
	if (b->docker) {
		if (image_out_blob_add(b->docker, "%s.json", config.data, config.len, hex, err) < 0)
			goto out;
		snprintf(cd.digest, sizeof cd.digest, OCI_DIGEST_PREFIX "%s", hex);
		snprintf(path, sizeof path, "%s.json", hex);
		const char *lp[2] = {b->docker_layer_path[0], b->docker_layer_path[1]};
		buf_reset(&doc);
		oci_write_docker_manifest(&doc, path, &b->opt->ref, lp, 2);
		if (image_out_file_add(b->docker, "manifest.json", doc.data, doc.len, err) < 0)
			goto out;
	}
	snprintf(res->config_digest, sizeof res->config_digest, "%s", cd.digest);
	rc = 0;
out:
	buf_free(&config);
	buf_free(&doc);
	return rc;
}

/* Refuses early what would fail late: an existing output without --force, a missing server. */
static int check_outputs(const struct build_options *opt, struct amber_error *err)
{
	struct stat st;
	const char *outs[] = {opt->oci_out, opt->docker_out, opt->db_out};
	if (!opt->oci_out && !opt->docker_out)
		return amber_error_set(
		    err, "no image output given (-o DIR, -o FILE.tar or --docker-archive FILE.tar)");
	for (size_t i = 0; i < 3; i++)
		if (outs[i] && !opt->force && lstat(outs[i], &st) == 0)
			return amber_error_at(err, outs[i], 0, 0,
					      "already exists; use --force to replace it");
	if (stat(opt->server, &st) < 0 || !S_ISREG(st.st_mode))
		return amber_error_at(
		    err, opt->server, 0, 0,
		    "the server binary is missing (build it with 'make', or give --server PATH)");
	return 0;
}

/* Checks the canned queries against the new database and stores them in it, before any layer
 * holds the database. */
static int add_queries(struct build *b, struct amber_error *err)
{
	if (!b->opt->queries)
		return 0;
	if (queries_validate(&b->queries, b->db_tmp, err) < 0 ||
	    queries_store(&b->queries, b->db_tmp, err) < 0)
		return -1;
	struct buf names = BUF_INIT;
	for (size_t i = 0; i < b->queries.count; i++)
		buf_addf(&names, "%s%s", i ? "," : "", b->queries.items[i].name);
	label_add(b, "io.amber.queries", buf_str(&names));
	buf_free(&names);
	return 0;
}

static void add_image_labels(struct build *b, const struct build_result *res)
{
	const struct oci_reference *ref = &b->opt->ref;
	char text[512];
	oci_format_time(b->mtime, text);
	label_add(b, "org.opencontainers.image.created", text);
	const char *slash = strrchr(ref->name, '/');
	label_add(b, "org.opencontainers.image.title", slash ? slash + 1 : ref->name);
	label_add(b, "org.opencontainers.image.version", ref->tag);
	label_add(b, "org.opencontainers.image.description",
		  "Read-only SQLite database served over HTTP by amberd (built by amber " AMBER_VERSION ")");
	label_add(b, "io.amber.version", AMBER_VERSION);
	label_add(b, "io.amber.db.path", BUILD_DB_PATH);
	label_add(b, "io.amber.db.sha256", res->db_sha256);
	snprintf(text, sizeof text, "%llu", (unsigned long long)res->db_size);
	label_add(b, "io.amber.db.size", text);
}

static int start_oci(struct build *b, struct amber_error *err)
{
	const char *path = b->opt->oci_out;
	b->oci = image_out_create(path, is_tar_path(path) ? IMAGE_OUT_TAR : IMAGE_OUT_DIR, b->opt->force,
				  b->mtime, err);
	if (!b->oci)
		return -1;
	if (image_out_file_add(b->oci, "oci-layout", OCI_LAYOUT_FILE, strlen(OCI_LAYOUT_FILE), err) < 0 ||
	    image_out_dir_add(b->oci, "blobs/", err) < 0 ||
	    image_out_dir_add(b->oci, "blobs/sha256/", err) < 0)
		return -1;
	return 0;
}

int build_run(const struct build_options *opt, struct build_result *res, struct amber_error *err)
{
	struct build b = {.opt = opt, .progress = opt->convert.progress, .mtime = opt->convert.build_time};
	memset(res, 0, sizeof *res);
	if (check_outputs(opt, err) < 0 || (opt->queries && queries_read(opt->queries, &b.queries, err) < 0))
		return -1;
	temp_db_name(opt, b.db_tmp, sizeof b.db_tmp);
	int fd = mkstemp(b.db_tmp);
	if (fd < 0) {
		queries_free(&b.queries);
		return amber_error_at(err, b.db_tmp, 0, 0, "cannot create a temporary database: %s",
				      strerror(errno));
	}
	close(fd);
	cleanup_add(b.db_tmp);

	int rc = -1;
	struct convert_options copt = opt->convert;
	copt.output = b.db_tmp;
	copt.force = 1;
	if (convert_run(&copt, err) < 0 || read_db_labels(&b, err) < 0 || add_queries(&b, err) < 0)
		goto out;
	if (opt->oci_out && start_oci(&b, err) < 0)
		goto out;
	if (opt->docker_out &&
	    !(b.docker = image_out_create(opt->docker_out, IMAGE_OUT_TAR, opt->force, b.mtime, err)))
		goto out;

	/* The server layer's mtime is always 0, whatever SOURCE_DATE_EPOCH says: its bytes then
	 * depend only on the amberd binary, and every image built by this amber shares it. */
	const struct layer_entry server[] = {{&BUILD_SERVER_PATH[1], 0555, opt->server}};
	const struct layer_entry data[] = {{"data/", 0755, NULL}, {&BUILD_DB_PATH[1], 0444, b.db_tmp}};
	int64_t mtime = b.mtime;
	b.mtime = 0;
	rc = write_layer(&b, 0, "layer 1/2 " BUILD_SERVER_PATH, server, 1, res, err);
	b.mtime = mtime;
	if (rc < 0 || write_layer(&b, 1, "layer 2/2 " BUILD_DB_PATH, data, 2, res, err) < 0) {
		rc = -1;
		goto out;
	}
	rc = -1;
	snprintf(res->db_sha256, sizeof res->db_sha256, "%s", b.content_sha256);
	struct stat st;
	res->db_size = stat(b.db_tmp, &st) == 0 ? (uint64_t)st.st_size : 0;
	add_image_labels(&b, res);
	if (write_documents(&b, res, err) < 0)
		goto out;
	if ((b.oci && image_out_commit(b.oci, err) < 0) || (b.docker && image_out_commit(b.docker, err) < 0))
		goto out;
	if (opt->db_out) {
		if (!opt->force && lstat(opt->db_out, &st) == 0) {
			amber_error_at(err, opt->db_out, 0, 0, "already exists; use --force to replace it");
			goto out;
		}
		if (rename(b.db_tmp, opt->db_out) < 0) {
			amber_error_at(err, opt->db_out, 0, 0, "cannot write: %s", strerror(errno));
			goto out;
		}
	}
	rc = 0;
out:
	image_out_free(b.oci);
	image_out_free(b.docker);
	unlink(b.db_tmp);
	cleanup_forget(b.db_tmp);
	labels_free(&b);
	queries_free(&b.queries);
	return rc;
}
