/* verify.h — `amber verify`: every check an image can get without being run.
 *
 * On top of what image_open checks (each document against the digest and size that refer to
 * it): every layer blob's sha256, size and media type against the manifest, each uncompressed
 * layer's sha256 against the config's diff_id, the docker manifest.json of a hybrid archive
 * against the OCI manifest, and the database in /data/amber.db: its sha256 against the
 * io.amber.db.sha256 label and PRAGMA integrity_check. The first failure stops the run and is
 * named in err. */
#ifndef AMBER_VERIFY_H
#define AMBER_VERIFY_H

#include "core/error.h"
#include "core/image.h"
#include "core/progress.h"

/* Called with one line per check passed ("layer 2 of 2: sha256, size and diff_id match"). */
typedef void (*verify_ok_fn)(void *ctx, const char *line);

/* Returns 0 when every check passed, else -1. */
int verify_image(struct image *img, struct progress *progress, verify_ok_fn ok, void *ctx,
		 struct amber_error *err);

#endif
