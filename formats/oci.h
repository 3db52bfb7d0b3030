/* oci.h — the JSON documents of an OCI image (config, manifest, index) and of a docker-archive
 * (manifest.json), written compact with a fixed key order so that their digests are
 * reproducible; plus image references ("localhost/name:tag") and media types.
 *
 * Only the bytes of documents live here; where they are stored (a layout directory or a tar)
 * is core/image_out's job. */
#ifndef AMBER_OCI_H
#define AMBER_OCI_H

#include "core/buf.h"
#include "core/digest.h"
#include "core/error.h"

#include <stddef.h>
#include <stdint.h>

#define OCI_MEDIA_INDEX	     "application/vnd.oci.image.index.v1+json"
#define OCI_MEDIA_MANIFEST   "application/vnd.oci.image.manifest.v1+json"
#define OCI_MEDIA_CONFIG     "application/vnd.oci.image.config.v1+json"
#define OCI_MEDIA_LAYER	     "application/vnd.oci.image.layer.v1.tar"
#define OCI_MEDIA_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"
#define OCI_MEDIA_LAYER_ZSTD "application/vnd.oci.image.layer.v1.tar+zstd"
#define OCI_LAYOUT_FILE	     "{\"imageLayoutVersion\":\"1.0.0\"}"
#define OCI_ANNOTATION_REF   "org.opencontainers.image.ref.name"
#define OCI_DIGEST_PREFIX    "sha256:"
#define OCI_DIGEST_LEN	     (7 + DIGEST_HEX_LEN)

/* A blob as documents refer to it: media type, "sha256:<hex>" and exact size in bytes. */
struct oci_descriptor {
	const char *media_type;
	char digest[OCI_DIGEST_LEN + 1];
	uint64_t size;
};

/* A full image reference: registry-or-namespace path, tag. */
struct oci_reference {
	char name[256]; /* "localhost/amber-db" */
	char tag[129];	/* "latest" */
};

/* Parses NAME[:TAG] into a full reference: a name without '/' gets "localhost/" in front (a bare
 * name loads under odd names in podman and ctr), a missing tag is "latest". Names follow the
 * distribution grammar: lowercase letters, digits and the separators . _ __ - /, a registry
 * host part may carry a :port; tags are [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}. Returns 0 or -1. */
int oci_parse_reference(const char *text, struct oci_reference *ref, struct amber_error *err);
/* "name:tag" into `out` (at least 386 bytes). */
void oci_reference_format(const struct oci_reference *ref, char *out, size_t size);

struct oci_label {
	const char *key;
	const char *value;
};

/* What the image config says. Strings and arrays are borrowed. */
struct oci_config {
	int64_t created; /* seconds since the epoch; also every history entry's time */
	const char *architecture;
	const char *user;
	const char *const *entrypoint; /* NULL-terminated */
	const char *const *cmd;	       /* NULL-terminated */
	const char *const *ports;      /* NULL-terminated, "8080/tcp" */
	const char *working_dir;
	struct oci_label *labels; /* written sorted by key; a later duplicate key wins */
	size_t nlabels;
	const char *const *diff_ids;   /* nlayers × "sha256:<hex>" */
	const char *const *created_by; /* nlayers × history text */
	size_t nlayers;
};

/* Appends the config JSON. Sorts `labels` in place. */
void oci_write_config(struct buf *out, struct oci_config *c);
/* Appends an image manifest. */
void oci_write_manifest(struct buf *out, const struct oci_descriptor *config,
			const struct oci_descriptor *layers, size_t nlayers);
/* Appends an index with one manifest, annotated with the full reference. */
void oci_write_index(struct buf *out, const struct oci_descriptor *manifest, const struct oci_reference *ref);
/* Appends a docker-archive manifest.json: one image, `config_path` and `layer_paths` relative to the
 * archive root. */
void oci_write_docker_manifest(struct buf *out, const char *config_path, const struct oci_reference *ref,
			       const char *const *layer_paths, size_t nlayers);
/* The layer media type for a compression name ("gzip", "zstd", "none"). */
const char *oci_layer_media_type(const char *compression);
/* "YYYY-MM-DDTHH:MM:SSZ" of `seconds`, into out[21]. */
void oci_format_time(int64_t seconds, char out[32]);
/* The GOARCH name of the machine amber runs on ("amd64", "arm64", ...). */
const char *oci_host_architecture(void);

#endif
