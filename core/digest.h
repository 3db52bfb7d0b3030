/* digest.h — streaming sha256 as lowercase hex for labels and metadata.
 *
 * Nettle underneath by default (fast, SHA-NI). Built with -DAMBER_DIGEST_BUILTIN, core/sha256
 * underneath instead, so the static server links no crypto library. The layout of
 * struct digest_sha256 differs between the two, so every object of one program must be built
 * with the same choice; the builtin names its functions differently so a mix fails to link
 * instead of corrupting the caller's stack. */
#ifndef AMBER_DIGEST_H
#define AMBER_DIGEST_H

#include <stddef.h>

#ifdef AMBER_DIGEST_BUILTIN
#include "core/sha256.h"
#define digest_sha256_init   digest_builtin_sha256_init
#define digest_sha256_update digest_builtin_sha256_update
#define digest_sha256_hex    digest_builtin_sha256_hex
#else
#include <nettle/sha2.h>
#endif

#define DIGEST_HEX_LEN 64

struct digest_sha256 {
#ifdef AMBER_DIGEST_BUILTIN
	struct sha256_state ctx;
#else
	struct sha256_ctx ctx;
#endif
};

void digest_sha256_init(struct digest_sha256 *d);
void digest_sha256_update(struct digest_sha256 *d, const void *data, size_t len);
/* Writes 64 hex digits and a NUL to `hex`; the digest must not be updated afterwards. */
void digest_sha256_hex(struct digest_sha256 *d, char hex[DIGEST_HEX_LEN + 1]);

#endif
