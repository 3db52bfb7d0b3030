/* digest.c — sha256 through nettle, or core/sha256 with AMBER_DIGEST_BUILTIN (see digest.h). */
#include "core/digest.h"

#ifdef AMBER_DIGEST_BUILTIN
#define DIGEST_RAW_LEN SHA256_STATE_DIGEST_LEN
#else
#define DIGEST_RAW_LEN SHA256_DIGEST_SIZE
#endif

void digest_sha256_init(struct digest_sha256 *d)
{
#ifdef AMBER_DIGEST_BUILTIN
	sha256_state_init(&d->ctx);
#else
	sha256_init(&d->ctx);
#endif
}

void digest_sha256_update(struct digest_sha256 *d, const void *data, size_t len)
{
#ifdef AMBER_DIGEST_BUILTIN
	sha256_state_update(&d->ctx, data, len);
#else
	sha256_update(&d->ctx, len, data);
#endif
}

void digest_sha256_hex(struct digest_sha256 *d, char hex[DIGEST_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char raw[DIGEST_RAW_LEN];
#ifdef AMBER_DIGEST_BUILTIN
	sha256_state_final(&d->ctx, raw);
#else
	sha256_digest(&d->ctx, sizeof raw, raw);
#endif
	for (size_t i = 0; i < sizeof raw; i++) {
		hex[2 * i] = digits[raw[i] >> 4];
		hex[2 * i + 1] = digits[raw[i] & 15];
	}
	hex[DIGEST_HEX_LEN] = '\0';
}
