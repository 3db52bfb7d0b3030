/* unpack.h — turning an image's layers into a root filesystem on disk, safely, for `amber run`.
 *
 * The unpacker is a set of tar reader callbacks (formats/tar.h) fed one layer after another, in
 * order. Its rules:
 *  - names must pass tar_name_is_safe ("..", absolute and empty components are refused), and so
 *    must hard link targets;
 *  - every path is resolved inside the root (openat2 RESOLVE_IN_ROOT): a symlink from a layer,
 *    absolute or with "..", can never make a write, a link or a removal land outside it; an entry
 *    replaces a symlink at its own name instead of writing through it;
 *  - device nodes are skipped (counted), setuid and setgid bits are dropped, ownership is not
 *    kept (the files belong to whoever runs amber); files keep their permission bits,
 *    directories too but always with u+rwx, so that the tree can be filled by later layers and
 *    removed by its owner without first changing modes (the owner could chmod them anyway);
 *  - OCI whiteouts, as umoci applies them: ".wh.NAME" removes NAME and ".wh..wh..opq" removes a
 *    directory's children, but only what lower layers made: whatever the current layer wrote
 *    (and the directories above it) stays, whatever the order of the entries in the tar.
 *
 * The cache (unpack_image_cached) puts a whole verified image at <cache>/<key>/rootfs, the key
 * being the hex of the manifest digest (a docker-archive has none: its config digest, which
 * pins every diff_id). It is built in a temporary directory beside it and renamed into place
 * only once every layer's digests matched, so an entry exists complete or not at all, and two
 * concurrent runs both succeed (the second rename loses and its tree is dropped). */
#ifndef AMBER_UNPACK_H
#define AMBER_UNPACK_H

#include "core/error.h"
#include "core/image.h"
#include "core/sink.h"
#include "formats/tar.h"

#include <stddef.h>
#include <stdint.h>

struct unpack_set; /* private: the paths the current layer made */

struct unpack {
	int rootfd;
	uint64_t files, dirs, links, whiteouts, skipped_devices; /* what was done, for a summary */
	int sync; /* fsync every file before closing it (for the cache) */
	/* private */
	struct unpack_set *layer_paths;
	int fd; /* the regular file being written, -1 */
	unsigned mode;
	char name[TAR_NAME_MAX];
	struct sink_fd out;
};

/* Starts unpacking into `root`, an existing directory (best empty). 0, or -1 with err set. */
int unpack_init(struct unpack *u, const char *root, struct amber_error *err);
/* The callbacks for tar_reader_create or image_layer_read, with the struct unpack as ctx. */
extern const struct tar_reader_callbacks unpack_callbacks;
/* Call before each layer: whiteouts in a layer only remove what the layers before it made. */
void unpack_layer_begin(struct unpack *u);
/* Releases everything (files already written stay). Safe after a failed unpack_init. */
void unpack_free(struct unpack *u);

/* Unpacks every layer of `img`, verified while streaming (image_layer_read), into `root`. */
int unpack_image(struct image *img, const char *root, int sync, struct unpack *summary,
		 struct amber_error *err);

/* The cache key of an image: the 64 hex digits of its manifest digest, or of its config digest
 * for a docker-archive. */
void unpack_cache_key(const struct image *img, char key[DIGEST_HEX_LEN + 1]);

/* Where the cache lives: $XDG_CACHE_HOME/amber when that is an absolute path, else
 * $HOME/.cache/amber. -1 with err set when neither is set. */
int unpack_cache_dir(char *out, size_t len, struct amber_error *err);

/* Makes sure <cache_dir>/<key>/rootfs holds `img` and puts that path in `root`. *cached is 1 when
 * it was already there (nothing was read). `required` (an absolute path in the image, such as
 * the entrypoint; NULL for none) must be a regular executable file in the new tree, or the
 * entry is not kept. cache_dir is created if missing. On error nothing is left in the cache;
 * while it works, its temporary tree is registered with core/cleanup for SIGINT/TERM/HUP. Also
 * removes the temporary trees of earlier runs that were killed (unlocked and over an hour old). */
int unpack_image_cached(struct image *img, const char *cache_dir, const char *required, char *root,
			size_t rootlen, int *cached, struct unpack *summary, struct amber_error *err);

/* Checks that `path` (absolute, in the image) is a regular file with an execute bit under `root`.
 * 0, or -1 with err naming the path. */
int unpack_check_executable(const char *root, const char *path, struct amber_error *err);

/* Resolves `path` (absolute, as the image sees it) inside `root`, symlinks included, and writes
 * the host path of what it names to `out`. Returns 1 when it exists, 0 when it does not (out
 * unchanged), -1 with err set on another error. */
int unpack_resolve(const char *root, const char *path, char *out, size_t len, struct amber_error *err);

#endif
