/* verify.c — checking an image's blobs, layers and database (see verify.h). */
#include "core/verify.h"
#include "core/buf.h"
#include "core/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DB_ENTRY "data/amber.db"

struct db_extract {
	char path[4096]; /* the temporary copy of the database; "" when none was found */
	int fd;
	struct sink_fd file;
	struct sink_digest sha;
	char sha256[DIGEST_HEX_LEN + 1];
	uint64_t bytes;
	struct progress *progress;
};

static int on_entry(void *ctx, const struct tar_header *h, struct sink **data, struct amber_error *err)
{
	struct db_extract *x = ctx;
	const char *name = h->name;
	while (strncmp(name, "./", 2) == 0)
		name += 2;
	if (h->typeflag != '0' || strcmp(name, DB_ENTRY) != 0)
		return 0;
	if (x->path[0])
		return amber_error_set(err, "a second %s", DB_ENTRY);
	const char *tmp = getenv("TMPDIR");
	snprintf(x->path, sizeof x->path, "%s/amber-verify-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	x->fd = mkostemp(x->path, O_CLOEXEC);
	if (x->fd < 0) {
		int e = errno;
		x->path[0] = '\0';
		return amber_error_set(err, "cannot create a temporary file for the database: %s",
				       strerror(e));
	}
	cleanup_add(x->path);
	sink_fd_init(&x->file, x->fd, x->path);
	sink_digest_init(&x->sha, &x->file.base);
	*data = &x->sha.base;
	return 0;
}

static int on_entry_end(void *ctx, const struct tar_header *h, struct amber_error *err)
{
	struct db_extract *x = ctx;
	if (x->fd >= 0 && x->sha.next) {
		sink_digest_hex(&x->sha, x->sha256);
		x->bytes = x->sha.bytes;
		x->sha.next = NULL;
		close(x->fd);
		x->fd = -1;
	}
	return 0;
}

static int check_database(struct image *img, struct db_extract *x, struct progress *progress, verify_ok_fn ok,
			  void *ctx, struct amber_error *err)
{
	char line[512];
	if (!x->path[0])
		return amber_error_at(err, img->path, 0, 0, "no /%s in any layer", DB_ENTRY);
	const char *label = image_label(img, "io.amber.db.sha256");
	if (!label)
		return amber_error_at(err, img->path, 0, 0, "config %s has no io.amber.db.sha256 label",
				      img->config_digest);
	if (strcmp(label, x->sha256) != 0)
		return amber_error_at(
		    err, img->path, 0, 0,
		    "/%s: its sha256 is %s, the io.amber.db.sha256 label says %s: it was altered", DB_ENTRY,
		    x->sha256, label);
	snprintf(line, sizeof line, "/%s: sha256:%s matches its label (%llu bytes)", DB_ENTRY, x->sha256,
		 (unsigned long long)x->bytes);
	ok(ctx, line);

	progress_phase(progress, "integrity check");
	char uri[4200];
	snprintf(uri, sizeof uri, "file:%s?immutable=1", x->path);
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = -1;
	if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL) != SQLITE_OK) {
		amber_error_at(err, img->path, 0, 0, "/%s: cannot open as SQLite: %s", DB_ENTRY,
			       db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	int step = sqlite3_step(st);
	const char *res = step == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
	if (!res || strcmp(res, "ok") != 0) {
		amber_error_at(err, img->path, 0, 0, "/%s: PRAGMA integrity_check: %s", DB_ENTRY,
			       res ? res : sqlite3_errmsg(db));
		goto out;
	}
	progress_phase_done(progress);
	ok(ctx, "/data/amber.db: PRAGMA integrity_check ok");
	rc = 0;
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}

int verify_image(struct image *img, struct progress *progress, verify_ok_fn ok, void *ctx,
		 struct amber_error *err)
{
	char line[512];
	if (img->manifest_digest[0]) {
		snprintf(line, sizeof line,
			 "manifest %s (%llu bytes) and config %s (%llu bytes) match their digests",
			 img->manifest_digest, (unsigned long long)img->manifest_size, img->config_digest,
			 (unsigned long long)img->config_size);
		ok(ctx, line);
	}
	if (image_check_docker_manifest(img, err) < 0)
		return -1;
	if (img->has_docker_manifest)
		ok(ctx, "manifest.json (docker) names the same config and layers");

	struct db_extract x = {.fd = -1, .progress = progress};
	struct tar_reader_callbacks cb = {on_entry, on_entry_end};
	int rc = -1;
	for (size_t i = 0; i < img->nlayers; i++) {
		char label[64];
		snprintf(label, sizeof label, "layer %zu/%zu", i + 1, img->nlayers);
		progress_phase(progress, "checking %s", label);
		if (image_layer_read(img, i, &cb, &x, err) < 0)
			goto out;
		progress_phase_done(progress);
		const struct image_layer *l = &img->layers[i];
		snprintf(line, sizeof line, "layer %zu of %zu: %s, %llu bytes, %s; diff_id %s matches", i + 1,
			 img->nlayers, l->digest, (unsigned long long)l->size, l->media_type, l->diff_id);
		ok(ctx, line);
	}
	rc = check_database(img, &x, progress, ok, ctx, err);
out:
	if (x.fd >= 0)
		close(x.fd);
	if (x.path[0]) {
		unlink(x.path);
		cleanup_forget(x.path);
	}
	return rc;
}
