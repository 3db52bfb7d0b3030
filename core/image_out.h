/* image_out.h — where the files of an image go: an OCI layout directory, or one tar archive
 * (an OCI archive, or a docker-archive).
 *
 * Blobs are streamed: image_out_blob_begin gives a sink, and only at image_out_blob_end, when
 * the sha256 of what was written is known, does the blob get its name. In a directory the blob
 * is written to a temporary file and renamed; in a tar the entry's header is written as a
 * placeholder, the data follows, and the real header (name and size) is written over the
 * placeholder (the archive is a regular file, so nothing is read or written twice).
 *
 * Everything goes to a temporary name beside the output; image_out_commit makes it appear at
 * once, and image_out_free removes whatever was not committed. */
#ifndef AMBER_IMAGE_OUT_H
#define AMBER_IMAGE_OUT_H

#include "core/digest.h"
#include "core/error.h"
#include "core/sink.h"

#include <stddef.h>
#include <stdint.h>

enum image_out_kind { IMAGE_OUT_DIR, IMAGE_OUT_TAR };

struct image_out;

/* Fails when `path` exists and `force` is 0 (checked again at commit). `mtime` goes into every
 * tar header. */
struct image_out *image_out_create(const char *path, enum image_out_kind kind, int force, int64_t mtime,
				   struct amber_error *err);
/* Starts a blob and returns the sink for its bytes (owned by `o`). One blob at a time. */
struct sink *image_out_blob_begin(struct image_out *o, struct amber_error *err);
/* Ends the blob. Its name is `name_fmt` with the blob's sha256 hex in place of its one "%s"
 * ("blobs/sha256/%s", "%s/layer.tar"). Fills `hex` and `size`. */
int image_out_blob_end(struct image_out *o, const char *name_fmt, char hex[DIGEST_HEX_LEN + 1],
		       uint64_t *size, struct amber_error *err);
/* A whole blob from memory (documents). */
int image_out_blob_add(struct image_out *o, const char *name_fmt, const void *data, size_t len,
		       char hex[DIGEST_HEX_LEN + 1], struct amber_error *err);
/* A small file with a fixed name (oci-layout, index.json, manifest.json). */
int image_out_file_add(struct image_out *o, const char *name, const void *data, size_t len,
		       struct amber_error *err);
/* A directory entry ("blobs/"): created in a layout, a typeflag-5 entry in a tar. */
int image_out_dir_add(struct image_out *o, const char *name, struct amber_error *err);
/* Finishes, fsyncs and renames the output into place (replacing an old one when `force`). */
int image_out_commit(struct image_out *o, struct amber_error *err);
/* Frees `o`; anything not committed is removed. Safe on NULL. */
void image_out_free(struct image_out *o);

#endif
