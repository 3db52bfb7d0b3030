/* digest.h — streaming sha256 (nettle underneath), as lowercase hex for labels and metadata. */
#ifndef AMBER_DIGEST_H
#define AMBER_DIGEST_H

#include <nettle/sha2.h>
#include <stddef.h>

#define DIGEST_HEX_LEN 64

struct digest_sha256 {
	struct sha256_ctx ctx;
};

void digest_sha256_init(struct digest_sha256 *d);
void digest_sha256_update(struct digest_sha256 *d, const void *data, size_t len);
/* Writes 64 hex digits and a NUL to `hex`; the digest must not be updated afterwards. */
void digest_sha256_hex(struct digest_sha256 *d, char hex[DIGEST_HEX_LEN + 1]);

#endif
