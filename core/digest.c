/* digest.c — sha256 through nettle (see digest.h). */
#include "core/digest.h"

void digest_sha256_init(struct digest_sha256 *d)
{
	sha256_init(&d->ctx);
}

void digest_sha256_update(struct digest_sha256 *d, const void *data, size_t len)
{
	sha256_update(&d->ctx, len, data);
}

void digest_sha256_hex(struct digest_sha256 *d, char hex[DIGEST_HEX_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	unsigned char raw[SHA256_DIGEST_SIZE];
	sha256_digest(&d->ctx, sizeof raw, raw);
	for (size_t i = 0; i < sizeof raw; i++) {
		hex[2 * i] = digits[raw[i] >> 4];
		hex[2 * i + 1] = digits[raw[i] & 15];
	}
	hex[DIGEST_HEX_LEN] = '\0';
}
