/* build.h — `amber build` as a library call: inputs → database (core/convert) → image.
 *
 * The image has two layers: /amberd (the static server; the same bytes for every database
 * built by this amber, so registries and nodes share it) and /data/amber.db. Each layer is one
 * pass: tar → sha256 (the diff_id) → compressor → sha256 → output, with the database's own
 * sha256 taken on the way. Then the config (labels from the database's _amber_meta), the
 * manifest and the index. Outputs: an OCI layout directory, an OCI archive that docker can
 * also load (it carries a docker manifest.json pointing into blobs/sha256/), and/or a classic
 * docker-archive, each appearing atomically. */
#ifndef AMBER_BUILD_H
#define AMBER_BUILD_H

#include "core/convert.h"
#include "core/error.h"
#include "formats/compress.h"
#include "formats/oci.h"

#define BUILD_DEFAULT_REFERENCE "localhost/amber-db:latest"
#define BUILD_DB_PATH		"/data/amber.db"
#define BUILD_SERVER_PATH	"/amberd"
#define BUILD_USER		"65534:65534"
#define BUILD_PORT		"8080/tcp"

struct build_options {
	struct convert_options convert; /* its `output` is ignored: the database is a temporary file */
	const char *oci_out;		/* a directory, or NAME.tar for an OCI archive; NULL: none */
	const char *docker_out;		/* a docker-archive tar; NULL: none */
	const char *db_out;		/* also keep the database here; NULL: do not */
	const char *server;		/* the amberd binary to put in layer 1 */
	const char *queries;		/* canned queries file (core/queries.h); NULL: none */
	struct oci_reference ref;
	enum compression compression;
	int level;		  /* 0: the compression's default */
	int threads;		  /* 0: every CPU */
	struct oci_label *labels; /* --label KEY=VALUE, winning over amber's own */
	size_t nlabels;
	int force; /* replace existing outputs */
};

struct build_result {
	char manifest_digest[OCI_DIGEST_LEN + 1]; /* "" when only a docker-archive was written */
	char config_digest[OCI_DIGEST_LEN + 1];
	char db_sha256[DIGEST_HEX_LEN + 1];
	uint64_t db_size;
	uint64_t layer_size[2];	    /* as stored (compressed) */
	uint64_t layer_tar_size[2]; /* uncompressed */
};

/* Runs the whole build. On failure no output is left behind. Returns 0 or -1. */
int build_run(const struct build_options *opt, struct build_result *res, struct amber_error *err);

#endif
