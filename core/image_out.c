/* image_out.c — an image's files into a layout directory or a tar archive (see image_out.h). */
#include "core/image_out.h"
#include "core/cleanup.h"
#include "core/durable.h"
#include "formats/tar.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct image_out {
	enum image_out_kind kind;
	char *final;
	char *tmp; /* the temporary directory or file everything is written to */
	int force;
	int committed;
	/* a tar archive */
	int fd;
	struct sink_fd file;
	struct tar_writer tar;
	uint64_t header_offset; /* of the current blob's placeholder header */
	/* the current blob */
	int in_blob;
	struct sink_digest blob;
	struct sink_fd blob_file; /* a layout: the blob's temporary file */
	int blob_fd;
	char *blob_tmp;
};

static char *temp_name(const char *final)
{
	size_t n = strlen(final) + 16;
	char *p = malloc(n);
	if (!p)
		abort();
	snprintf(p, n, "%s.tmp-XXXXXX", final);
	return p;
}

struct image_out *image_out_create(const char *path, enum image_out_kind kind, int force, int64_t mtime,
				   struct amber_error *err)
{
	struct stat st;
	if (!force && lstat(path, &st) == 0) {
		amber_error_at(err, path, 0, 0, "already exists; use --force to replace it");
		return NULL;
	}
	struct image_out *o = calloc(1, sizeof *o);
	if (!o)
		abort();
	o->kind = kind;
	o->force = force;
	o->fd = -1;
	o->blob_fd = -1;
	o->final = strdup(path);
	o->tmp = temp_name(path);
	if (kind == IMAGE_OUT_DIR) {
		if (!mkdtemp(o->tmp)) {
			amber_error_at(err, path, 0, 0, "cannot create a directory beside it: %s",
				       strerror(errno));
			goto fail;
		}
		cleanup_add_tree(o->tmp);
		chmod(o->tmp, 0755);
	} else {
		o->fd = mkostemp(o->tmp, O_CLOEXEC);
		if (o->fd < 0) {
			amber_error_at(err, path, 0, 0, "cannot create a file beside it: %s",
				       strerror(errno));
			goto fail;
		}
		cleanup_add(o->tmp);
		fchmod(o->fd, 0644);
		sink_fd_init(&o->file, o->fd, o->final);
		tar_writer_init(&o->tar, &o->file.base, mtime);
	}
	return o;
fail:
	free(o->tmp);
	o->tmp = NULL;
	image_out_free(o);
	return NULL;
}

/* Joins the temporary directory and a relative name; creates the name's parent directories. */
static char *layout_path(struct image_out *o, const char *name, struct amber_error *err)
{
	size_t n = strlen(o->tmp) + strlen(name) + 2;
	char *p = malloc(n);
	if (!p)
		abort();
	snprintf(p, n, "%s/%s", o->tmp, name);
	for (char *s = p + strlen(o->tmp) + 1; (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		int rc = mkdir(p, 0755);
		*s = '/';
		if (rc < 0 && errno != EEXIST) {
			amber_error_at(err, o->final, 0, 0, "cannot create directory for %s: %s", name,
				       strerror(errno));
			free(p);
			return NULL;
		}
	}
	return p;
}

struct sink *image_out_blob_begin(struct image_out *o, struct amber_error *err)
{
	if (o->kind == IMAGE_OUT_DIR) {
		o->blob_tmp = layout_path(o, "blobs/sha256/.partial", err);
		if (!o->blob_tmp)
			return NULL;
		o->blob_fd = open(o->blob_tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (o->blob_fd < 0) {
			amber_error_at(err, o->final, 0, 0, "cannot create a blob: %s", strerror(errno));
			return NULL;
		}
		sink_fd_init(&o->blob_file, o->blob_fd, o->final);
		sink_digest_init(&o->blob, &o->blob_file.base);
	} else {
		if (tar_write_file_begin_unsized(&o->tar, &o->header_offset, err) < 0)
			return NULL;
		sink_digest_init(&o->blob, &o->tar.data);
	}
	o->in_blob = 1;
	return &o->blob.base;
}

static int pwrite_all(int fd, const void *data, size_t len, off_t off)
{
	const char *p = data;
	while (len > 0) {
		ssize_t n = pwrite(fd, p, len, off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

int image_out_blob_end(struct image_out *o, const char *name_fmt, char hex[DIGEST_HEX_LEN + 1],
		       uint64_t *size, struct amber_error *err)
{
	char name[256];
	o->in_blob = 0;
	sink_digest_hex(&o->blob, hex);
	*size = o->blob.bytes;
	snprintf(name, sizeof name, name_fmt, hex);
	if (o->kind == IMAGE_OUT_DIR) {
		char *path = layout_path(o, name, err);
		int rc = path ? 0 : -1;
		if (rc == 0 && (fsync(o->blob_fd) < 0 || rename(o->blob_tmp, path) < 0))
			rc = amber_error_at(err, o->final, 0, 0, "cannot store blob %s: %s", name,
					    strerror(errno));
		close(o->blob_fd);
		o->blob_fd = -1;
		free(o->blob_tmp);
		o->blob_tmp = NULL;
		free(path);
		return rc;
	}
	unsigned char header[TAR_BLOCK];
	if (tar_write_file_end_unsized(&o->tar, size, err) < 0)
		return -1;
	if (tar_header_encode(header, name, 0644, *size, o->tar.mtime, '0', 1) < 0)
		return amber_error_at(err, o->final, 0, 0, "cannot write a tar header for %s", name);
	if (pwrite_all(o->fd, header, sizeof header, (off_t)o->header_offset) < 0)
		return amber_error_at(err, o->final, 0, 0, "cannot write: %s", strerror(errno));
	return 0;
}

int image_out_blob_add(struct image_out *o, const char *name_fmt, const void *data, size_t len,
		       char hex[DIGEST_HEX_LEN + 1], struct amber_error *err)
{
	uint64_t size;
	struct sink *s = image_out_blob_begin(o, err);
	if (!s || sink_write(s, data, len, err) < 0)
		return -1;
	return image_out_blob_end(o, name_fmt, hex, &size, err);
}

int image_out_file_add(struct image_out *o, const char *name, const void *data, size_t len,
		       struct amber_error *err)
{
	if (o->kind == IMAGE_OUT_TAR) {
		if (tar_write_file_begin(&o->tar, name, 0644, len, err) < 0 ||
		    tar_write_data(&o->tar, data, len, err) < 0 || tar_write_file_end(&o->tar, err) < 0)
			return -1;
		return 0;
	}
	char *path = layout_path(o, name, err);
	if (!path)
		return -1;
	int rc = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	struct sink_fd f;
	sink_fd_init(&f, fd, o->final);
	if (fd < 0)
		rc = amber_error_at(err, o->final, 0, 0, "cannot create %s: %s", name, strerror(errno));
	else if (sink_write(&f.base, data, len, err) < 0)
		rc = -1;
	else if (fsync(fd) < 0)
		rc = amber_error_at(err, o->final, 0, 0, "cannot write %s: %s", name, strerror(errno));
	if (fd >= 0)
		close(fd);
	free(path);
	return rc;
}

int image_out_dir_add(struct image_out *o, const char *name, struct amber_error *err)
{
	if (o->kind == IMAGE_OUT_TAR)
		return tar_write_dir(&o->tar, name, 0755, err);
	char *path = layout_path(o, name, err);
	int rc = path && (mkdir(path, 0755) == 0 || errno == EEXIST) ? 0 : -1;
	if (path && rc < 0)
		amber_error_at(err, o->final, 0, 0, "cannot create %s: %s", name, strerror(errno));
	free(path);
	return rc;
}

int image_out_commit(struct image_out *o, struct amber_error *err)
{
	struct stat st;
	if (!o->force && lstat(o->final, &st) == 0)
		return amber_error_at(err, o->final, 0, 0, "already exists; use --force to replace it");
	if (o->kind == IMAGE_OUT_TAR) {
		if (tar_writer_finish(&o->tar, err) < 0)
			return -1;
		if (fsync(o->fd) < 0 || rename(o->tmp, o->final) < 0)
			return amber_error_at(err, o->final, 0, 0, "cannot write: %s", strerror(errno));
		cleanup_forget(o->tmp);
	} else {
		char blobs[4200];
		snprintf(blobs, sizeof blobs, "%s/blobs/sha256", o->tmp);
		durable_fsync(blobs, 1);
		durable_fsync(o->tmp, 1);
		if (lstat(o->final, &st) == 0) {
			/* Swap the new tree in with one rename, then remove the old one. */
			if (renameat2(AT_FDCWD, o->tmp, AT_FDCWD, o->final, RENAME_EXCHANGE) < 0)
				return amber_error_at(err, o->final, 0, 0, "cannot replace: %s",
						      strerror(errno));
			cleanup_remove_tree(o->tmp);
		} else if (rename(o->tmp, o->final) < 0) {
			return amber_error_at(err, o->final, 0, 0, "cannot write: %s", strerror(errno));
		}
		cleanup_forget(o->tmp);
	}
	durable_fsync_parent(o->final);
	o->committed = 1;
	return 0;
}

void image_out_free(struct image_out *o)
{
	if (!o)
		return;
	if (o->blob_fd >= 0)
		close(o->blob_fd);
	if (o->fd >= 0)
		close(o->fd);
	if (!o->committed && o->tmp) {
		if (o->kind == IMAGE_OUT_DIR)
			cleanup_remove_tree(o->tmp);
		else
			unlink(o->tmp);
		cleanup_forget(o->tmp);
	}
	free(o->blob_tmp);
	free(o->final);
	free(o->tmp);
	free(o);
}
