/* test_sha256.c — unit tests for the portable SHA-256 (core/sha256.h).
 *
 * Known answers from FIPS 180-4's examples and NIST's test vectors, then random messages checked
 * against nettle (which the tests link anyway), streamed in random pieces and at the lengths
 * where padding spills into an extra block. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "core/sha256.h"

static void to_hex(const unsigned char raw[SHA256_STATE_DIGEST_LEN],
		   char hex[2 * SHA256_STATE_DIGEST_LEN + 1])
{
	for (int i = 0; i < SHA256_STATE_DIGEST_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
}

static void ours_oneshot(const void *data, size_t len, unsigned char out[SHA256_STATE_DIGEST_LEN])
{
	struct sha256_state s;
	sha256_state_init(&s);
	sha256_state_update(&s, data, len);
	sha256_state_final(&s, out);
}

static void nettle_oneshot(const void *data, size_t len, unsigned char out[SHA256_DIGEST_SIZE])
{
	struct sha256_ctx c;
	sha256_init(&c);
	sha256_update(&c, len, data);
	sha256_digest(&c, SHA256_DIGEST_SIZE, out);
}

static void assert_hash_hex(const void *data, size_t len, const char *want)
{
	unsigned char raw[SHA256_STATE_DIGEST_LEN];
	char hex[2 * SHA256_STATE_DIGEST_LEN + 1];
	ours_oneshot(data, len, raw);
	to_hex(raw, hex);
	assert_string_equal(hex, want);
}

/* Deterministic bytes so a failure reproduces (xorshift64). */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void fill_random(unsigned char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)rng_next();
}

static void test_sha256_empty_message_matches_fips(void **state)
{
	assert_hash_hex("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_hash_hex(NULL, 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_sha256_abc_matches_fips(void **state)
{
	assert_hash_hex("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_sha256_448_bit_message_matches_fips(void **state)
{
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	assert_int_equal(strlen(m) * 8, 448);
	assert_hash_hex(m, strlen(m), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_sha256_896_bit_message_matches_fips(void **state)
{
	const char *m = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
			"ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
	assert_int_equal(strlen(m) * 8, 896);
	assert_hash_hex(m, strlen(m), "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_sha256_million_a_matches_fips(void **state)
{
	const char *want = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
	size_t n = 1000000;
	char *m = malloc(n);
	assert_non_null(m);
	memset(m, 'a', n);
	assert_hash_hex(m, n, want);
	free(m);

	/* The same million fed one byte at a time. */
	struct sha256_state s;
	unsigned char raw[SHA256_STATE_DIGEST_LEN];
	char hex[2 * SHA256_STATE_DIGEST_LEN + 1];
	sha256_state_init(&s);
	for (size_t i = 0; i < n; i++)
		sha256_state_update(&s, "a", 1);
	sha256_state_final(&s, raw);
	to_hex(raw, hex);
	assert_string_equal(hex, want);
}

static void test_sha256_padding_boundary_lengths_match_nettle(void **state)
{
	static const size_t lens[] = {1, 54, 55, 56, 57, 62, 63, 64, 65, 118, 119, 120, 121, 127, 128, 129};
	unsigned char buf[256];
	for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
		unsigned char ours[SHA256_STATE_DIGEST_LEN], theirs[SHA256_DIGEST_SIZE];
		fill_random(buf, lens[i]);
		ours_oneshot(buf, lens[i], ours);
		nettle_oneshot(buf, lens[i], theirs);
		if (memcmp(ours, theirs, sizeof ours) != 0)
			fail_msg("length %zu differs from nettle", lens[i]);
	}
}

static void test_sha256_every_length_to_300_matches_nettle(void **state)
{
	unsigned char buf[300];
	fill_random(buf, sizeof buf);
	for (size_t len = 0; len <= sizeof buf; len++) {
		unsigned char ours[SHA256_STATE_DIGEST_LEN], theirs[SHA256_DIGEST_SIZE];
		ours_oneshot(buf, len, ours);
		nettle_oneshot(buf, len, theirs);
		if (memcmp(ours, theirs, sizeof ours) != 0)
			fail_msg("length %zu differs from nettle", len);
	}
}

static void test_sha256_random_messages_match_nettle(void **state)
{
	size_t cap = 1 << 16;
	unsigned char *buf = malloc(cap);
	assert_non_null(buf);
	for (int round = 0; round < 200; round++) {
		size_t len = (size_t)(rng_next() % cap);
		unsigned char ours[SHA256_STATE_DIGEST_LEN], theirs[SHA256_DIGEST_SIZE];
		fill_random(buf, len);
		ours_oneshot(buf, len, ours);
		nettle_oneshot(buf, len, theirs);
		if (memcmp(ours, theirs, sizeof ours) != 0)
			fail_msg("round %d, length %zu differs from nettle", round, len);
	}
	free(buf);
}

static void test_sha256_random_splits_equal_one_shot(void **state)
{
	size_t cap = 5000;
	unsigned char *buf = malloc(cap);
	assert_non_null(buf);
	for (int round = 0; round < 300; round++) {
		size_t len = (size_t)(rng_next() % cap);
		fill_random(buf, len);
		unsigned char whole[SHA256_STATE_DIGEST_LEN], pieces[SHA256_STATE_DIGEST_LEN];
		ours_oneshot(buf, len, whole);

		struct sha256_state s;
		sha256_state_init(&s);
		size_t off = 0;
		while (off < len) {
			/* Mostly small pieces, sometimes empty ones, sometimes several blocks at once. */
			size_t piece = (size_t)(rng_next() % (rng_next() % 4 == 0 ? 300 : 70));
			if (piece > len - off)
				piece = len - off;
			sha256_state_update(&s, buf + off, piece);
			off += piece;
		}
		sha256_state_update(&s, NULL, 0);
		sha256_state_final(&s, pieces);
		if (memcmp(whole, pieces, sizeof whole) != 0)
			fail_msg("round %d, length %zu: split differs from one shot", round, len);
	}
	free(buf);
}

static void test_sha256_state_reinit_after_final_starts_fresh(void **state)
{
	struct sha256_state s;
	unsigned char raw[SHA256_STATE_DIGEST_LEN];
	char hex[2 * SHA256_STATE_DIGEST_LEN + 1];
	sha256_state_init(&s);
	sha256_state_update(&s, "something else first", 20);
	sha256_state_final(&s, raw);
	sha256_state_init(&s);
	sha256_state_update(&s, "ab", 2);
	sha256_state_update(&s, "c", 1);
	sha256_state_final(&s, raw);
	to_hex(raw, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sha256_empty_message_matches_fips),
	    cmocka_unit_test(test_sha256_abc_matches_fips),
	    cmocka_unit_test(test_sha256_448_bit_message_matches_fips),
	    cmocka_unit_test(test_sha256_896_bit_message_matches_fips),
	    cmocka_unit_test(test_sha256_million_a_matches_fips),
	    cmocka_unit_test(test_sha256_padding_boundary_lengths_match_nettle),
	    cmocka_unit_test(test_sha256_every_length_to_300_matches_nettle),
	    cmocka_unit_test(test_sha256_random_messages_match_nettle),
	    cmocka_unit_test(test_sha256_random_splits_equal_one_shot),
	    cmocka_unit_test(test_sha256_state_reinit_after_final_starts_fresh),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
