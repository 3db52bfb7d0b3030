/* sha256.h — SHA-256 (FIPS 180-4) in portable C, streaming.
 *
 * The static server uses this instead of nettle (see digest.h, AMBER_DIGEST_BUILTIN) so that it
 * links nothing but SQLite and libc. It hashes ETag inputs and, once, the database file in the
 * background, so clarity wins over speed: no SIMD, no SHA extensions. Names avoid nettle's
 * (sha256_init, struct sha256_ctx, SHA256_*) so both headers can be included together. */
#ifndef AMBER_SHA256_H
#define AMBER_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_STATE_DIGEST_LEN 32
#define SHA256_STATE_BLOCK_LEN	64

struct sha256_state {
	uint32_t h[8];				     /* intermediate hash value H(i) */
	uint64_t total;				     /* message bytes hashed so far */
	unsigned char block[SHA256_STATE_BLOCK_LEN]; /* partial block waiting for more bytes */
	size_t block_len;			     /* bytes used in `block`, always < 64 */
};

/* Starts a new message. */
void sha256_state_init(struct sha256_state *s);
/* Appends `len` bytes; `data` may be NULL when `len` is 0. Any split of a message gives the
 * same digest as hashing it in one call. */
void sha256_state_update(struct sha256_state *s, const void *data, size_t len);
/* Pads the message, writes the 32-byte digest to `out`. The state must be re-initialised
 * before it is used again. */
void sha256_state_final(struct sha256_state *s, unsigned char out[SHA256_STATE_DIGEST_LEN]);

#endif
