/* image.h — reading an image: an OCI layout directory, an OCI archive (amber's hybrid one
 * included) or a docker-archive, told apart by what they contain.
 *
 * image_open reads the small documents (index, manifest, config) and checks each against the
 * digest and size that refer to it, so that nothing later trusts an altered document. Layers
 * are read as streams with image_layer_read: blob → sha256 → decompressor → sha256 → tar
 * reader, one pass, with the digests compared at the end. Archives are uncompressed tars: their
 * entries are found once by walking the headers and then read in place. */
#ifndef AMBER_IMAGE_H
#define AMBER_IMAGE_H

#include "core/error.h"
#include "core/sink.h"
#include "formats/compress.h"
#include "formats/oci.h"
#include "formats/tar.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

enum image_kind { IMAGE_LAYOUT, IMAGE_OCI_ARCHIVE, IMAGE_DOCKER_ARCHIVE };

struct image_layer {
	char media_type[128];		  /* from the manifest; docker-archive: from the bytes */
	char digest[OCI_DIGEST_LEN + 1];  /* docker-archive: "" until image_layer_read computed it */
	uint64_t size;			  /* docker-archive: the file's size */
	char name[TAR_NAME_MAX];	  /* where the blob is stored in the layout or archive */
	char diff_id[OCI_DIGEST_LEN + 1]; /* from the config */
};

struct image_store; /* private: a directory, or the entries of a tar */

struct image {
	enum image_kind kind;
	char path[4096];
	char ref[400];				  /* "" when the image names none */
	char manifest_digest[OCI_DIGEST_LEN + 1]; /* "" for a docker-archive */
	uint64_t manifest_size;
	char config_digest[OCI_DIGEST_LEN + 1];
	uint64_t config_size;
	char config_name[TAR_NAME_MAX];
	json_t *config; /* the parsed config document */
	struct image_layer *layers;
	size_t nlayers;
	int has_docker_manifest; /* an OCI archive that docker can load too */
	struct image_store *store;
	struct amber_error *err; /* private: where the current call reports */
};

/* Opens and checks the documents of the image at `path`. Returns 0, or -1 with err naming the
 * first broken or missing object. */
int image_open(const char *path, struct image *img, struct amber_error *err);
void image_close(struct image *img);
/* "OCI layout", "OCI archive", "docker-archive". */
const char *image_kind_name(enum image_kind k);
/* A config label's value, or NULL. */
const char *image_label(const struct image *img, const char *key);
/* Streams layer `i` (0-based) through its decompressor into a tar reader calling `cb`, then
 * checks its digest, size and media type against the manifest and its uncompressed digest
 * against the config's diff_id. For a docker-archive, fills the layer's digest. */
int image_layer_read(struct image *img, size_t i, const struct tar_reader_callbacks *cb, void *ctx,
		     struct amber_error *err);
/* Checks that the docker manifest.json inside an OCI archive names the same config and layers
 * as the OCI manifest. 0 when there is none. */
int image_check_docker_manifest(struct image *img, struct amber_error *err);

#endif
