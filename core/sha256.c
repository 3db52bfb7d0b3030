/* sha256.c — SHA-256 following FIPS 180-4 sections 4.1.2, 4.2.2, 5.1.1, 5.3.3 and 6.2 (see
 * sha256.h). Words are read and written big-endian byte by byte, so the code does not depend on
 * the host's byte order or alignment. */
#include "core/sha256.h"

#include <assert.h>
#include <string.h>

/* 4.2.2: the first 32 bits of the fractional parts of the cube roots of the first 64 primes. */
static const uint32_t sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t rotr(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

/* 4.1.2: the six logical functions. */
static uint32_t ch(uint32_t x, uint32_t y, uint32_t z)
{
	return (x & y) ^ (~x & z);
}

static uint32_t maj(uint32_t x, uint32_t y, uint32_t z)
{
	return (x & y) ^ (x & z) ^ (y & z);
}

static uint32_t big_sigma0(uint32_t x)
{
	return rotr(x, 2) ^ rotr(x, 13) ^ rotr(x, 22);
}

static uint32_t big_sigma1(uint32_t x)
{
	return rotr(x, 6) ^ rotr(x, 11) ^ rotr(x, 25);
}

static uint32_t small_sigma0(uint32_t x)
{
	return rotr(x, 7) ^ rotr(x, 18) ^ (x >> 3);
}

static uint32_t small_sigma1(uint32_t x)
{
	return rotr(x, 17) ^ rotr(x, 19) ^ (x >> 10);
}

static uint32_t load_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static void store_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* 6.2.2: processes one 512-bit block into the hash value. */
static void sha256_compress(uint32_t h[8], const unsigned char block[SHA256_STATE_BLOCK_LEN])
{
	uint32_t w[64];
	for (int t = 0; t < 16; t++)
		w[t] = load_be32(block + 4 * t);
	for (int t = 16; t < 64; t++)
		w[t] = small_sigma1(w[t - 2]) + w[t - 7] + small_sigma0(w[t - 15]) + w[t - 16];

	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
	for (int t = 0; t < 64; t++) {
		uint32_t t1 = hh + big_sigma1(e) + ch(e, f, g) + sha256_k[t] + w[t];
		uint32_t t2 = big_sigma0(a) + maj(a, b, c);
		hh = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	h[5] += f;
	h[6] += g;
	h[7] += hh;
}

void sha256_state_init(struct sha256_state *s)
{
	/* 5.3.3: the first 32 bits of the fractional parts of the square roots of the first 8 primes. */
	static const uint32_t h0[8] = {
	    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
	};
	memcpy(s->h, h0, sizeof h0);
	s->total = 0;
	s->block_len = 0;
}

void sha256_state_update(struct sha256_state *s, const void *data, size_t len)
{
	const unsigned char *p = data;
	assert(s->block_len < SHA256_STATE_BLOCK_LEN);
	if (len == 0)
		return; /* `data` may be NULL, which memcpy must not see even for 0 bytes */
	s->total += len;
	if (s->block_len > 0) {
		size_t take = SHA256_STATE_BLOCK_LEN - s->block_len;
		if (take > len)
			take = len;
		memcpy(s->block + s->block_len, p, take);
		s->block_len += take;
		p += take;
		len -= take;
		if (s->block_len < SHA256_STATE_BLOCK_LEN)
			return;
		sha256_compress(s->h, s->block);
		s->block_len = 0;
	}
	/* Whole blocks straight from the caller's buffer, no copy. */
	for (; len >= SHA256_STATE_BLOCK_LEN; p += SHA256_STATE_BLOCK_LEN, len -= SHA256_STATE_BLOCK_LEN)
		sha256_compress(s->h, p);
	if (len > 0) {
		memcpy(s->block, p, len);
		s->block_len = len;
	}
}

void sha256_state_final(struct sha256_state *s, unsigned char out[SHA256_STATE_DIGEST_LEN])
{
	/* 5.1.1: a 1 bit, zeros up to 448 mod 512 bits, then the message length in bits as a
	 * 64-bit big-endian integer. The length wraps at 2^64 bits like the standard's limit. */
	uint64_t bits = s->total * 8;
	size_t n = s->block_len;
	s->block[n++] = 0x80;
	if (n > SHA256_STATE_BLOCK_LEN - 8) {
		memset(s->block + n, 0, SHA256_STATE_BLOCK_LEN - n);
		sha256_compress(s->h, s->block);
		n = 0;
	}
	memset(s->block + n, 0, SHA256_STATE_BLOCK_LEN - 8 - n);
	store_be32(s->block + 56, (uint32_t)(bits >> 32));
	store_be32(s->block + 60, (uint32_t)bits);
	sha256_compress(s->h, s->block);
	for (int i = 0; i < 8; i++)
		store_be32(out + 4 * i, s->h[i]);
	s->block_len = 0;
}
