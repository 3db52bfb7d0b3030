/* test_buf.c — unit tests for the growable byte buffer (core/buf.h).
 *
 * Every test checks the contents byte for byte and the invariants the header promises: data
 * is NUL-terminated once anything was added, len never counts the NUL, cap leaves room for it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

/* The invariants that hold after any operation on a buffer that owns memory. */
static void assert_buf_valid(const struct buf *b)
{
	assert_non_null(b->data);
	assert_true(b->cap > b->len);
	assert_int_equal(b->data[b->len], '\0');
}

static void test_buf_init_reads_as_empty_string(void **state)
{
	struct buf b = BUF_INIT;
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_str(&b), "");
	buf_free(&b);
	assert_null(b.data);
}

static void test_buf_addc_many_times_keeps_every_byte(void **state)
{
	struct buf b = BUF_INIT;
	const size_t n = 100000;
	for (size_t i = 0; i < n; i++)
		buf_addc(&b, (char)('a' + i % 26));
	assert_int_equal(b.len, n);
	assert_buf_valid(&b);
	for (size_t i = 0; i < n; i++)
		if (b.data[i] != (char)('a' + i % 26))
			fail_msg("byte %zu is '%c', expected '%c'", i, b.data[i], (char)('a' + i % 26));
	assert_int_equal(strlen(b.data), n);
	buf_free(&b);
}

static void test_buf_add_chunks_of_growing_size_concatenate(void **state)
{
	struct buf b = BUF_INIT;
	char chunk[5000];
	size_t total = 0;
	for (size_t size = 1; size <= sizeof chunk; size = size * 3 + 1) {
		memset(chunk, (int)('A' + size % 26), size);
		buf_add(&b, chunk, size);
		assert_buf_valid(&b);
		/* The bytes just added sit at the end, after everything before them. */
		assert_memory_equal(b.data + total, chunk, size);
		total += size;
		assert_int_equal(b.len, total);
	}
	/* Re-check the whole buffer: growth must not have lost earlier chunks. */
	size_t at = 0;
	for (size_t size = 1; size <= sizeof chunk; size = size * 3 + 1) {
		for (size_t i = 0; i < size; i++)
			assert_int_equal(b.data[at + i], 'A' + size % 26);
		at += size;
	}
	assert_int_equal(at, total);
	buf_free(&b);
}

static void test_buf_add_keeps_embedded_nul_bytes_in_len(void **state)
{
	struct buf b = BUF_INIT;
	buf_add(&b, "a\0b", 3);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.data, "a\0b", 4);
	buf_free(&b);
}

static void test_buf_add_zero_bytes_to_empty_buffer_gives_empty_string(void **state)
{
	struct buf b = BUF_INIT;
	buf_add(&b, "", 0);
	assert_int_equal(b.len, 0);
	assert_buf_valid(&b);
	assert_string_equal(buf_str(&b), "");
	buf_free(&b);
}

static void test_buf_adds_appends_c_strings(void **state)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "hello");
	buf_adds(&b, "");
	buf_adds(&b, ", world");
	assert_int_equal(b.len, 12);
	assert_string_equal(b.data, "hello, world");
	assert_buf_valid(&b);
	buf_free(&b);
}

static void test_buf_addf_appends_formatted_text(void **state)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "x");
	buf_addf(&b, "=%d;%s;%05.1f;%c", -42, "str", 3.14159, 'z');
	assert_string_equal(b.data, "x=-42;str;003.1;z");
	assert_int_equal(b.len, strlen("x=-42;str;003.1;z"));
	assert_buf_valid(&b);
	buf_free(&b);
}

static void test_buf_addf_longer_than_capacity_is_appended_whole(void **state)
{
	struct buf b = BUF_INIT;
	char big[3001];
	memset(big, 'q', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	buf_adds(&b, "head:");
	buf_addf(&b, "%s:%zu", big, sizeof big - 1);
	assert_int_equal(b.len, 5 + 3000 + 5);
	assert_memory_equal(b.data, "head:", 5);
	assert_memory_equal(b.data + 5, big, 3000);
	assert_string_equal(b.data + 3005, ":3000");
	assert_buf_valid(&b);
	buf_free(&b);
}

static void test_buf_addf_with_empty_result_still_terminates(void **state)
{
	struct buf b = BUF_INIT;
	buf_addf(&b, "%s", "");
	assert_int_equal(b.len, 0);
	assert_buf_valid(&b);
	assert_string_equal(buf_str(&b), "");
	buf_free(&b);
}

static void add_via_vaddf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_via_vaddf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vaddf(b, fmt, ap);
	va_end(ap);
}

static void test_buf_vaddf_appends_like_addf(void **state)
{
	struct buf b = BUF_INIT;
	add_via_vaddf(&b, "%s-%u", "id", 7u);
	add_via_vaddf(&b, "/%x", 255u);
	assert_string_equal(b.data, "id-7/ff");
	assert_int_equal(b.len, 7);
	buf_free(&b);
}

static void test_buf_consume_moves_rest_to_front(void **state)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "hello world");
	buf_consume(&b, 6);
	assert_int_equal(b.len, 5);
	assert_string_equal(b.data, "world");
	assert_buf_valid(&b);
	buf_consume(&b, 0);
	assert_string_equal(b.data, "world");
	buf_consume(&b, 4);
	assert_string_equal(b.data, "d");
	assert_int_equal(b.len, 1);
	buf_free(&b);
}

static void test_buf_consume_all_or_more_empties_buffer(void **state)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "abc");
	buf_consume(&b, 3);
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_str(&b), "");
	buf_adds(&b, "xyz");
	buf_consume(&b, 100);
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_str(&b), "");
	/* Still usable afterwards. */
	buf_adds(&b, "again");
	assert_string_equal(b.data, "again");
	buf_free(&b);
}

static void test_buf_consume_on_empty_buffer_is_harmless(void **state)
{
	struct buf b = BUF_INIT;
	buf_consume(&b, 0);
	buf_consume(&b, 5);
	assert_int_equal(b.len, 0);
	assert_string_equal(buf_str(&b), "");
	buf_free(&b);
}

static void test_buf_consume_of_large_buffer_keeps_tail_intact(void **state)
{
	struct buf b = BUF_INIT;
	for (int i = 0; i < 10000; i++)
		buf_addf(&b, "%05d", i);
	buf_consume(&b, 5 * 9990);
	assert_int_equal(b.len, 50);
	assert_string_equal(b.data, "09990099910999209993099940999509996099970999809999");
	buf_free(&b);
}

static void test_buf_detach_returns_string_and_resets_buffer(void **state)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "owned");
	char *s = buf_detach(&b);
	assert_string_equal(s, "owned");
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	/* The buffer starts over with its own memory, independent of the detached string. */
	buf_adds(&b, "new");
	assert_string_equal(b.data, "new");
	assert_string_equal(s, "owned");
	assert_ptr_not_equal(s, b.data);
	free(s);
	buf_free(&b);
}

static void test_buf_detach_of_empty_buffer_returns_freeable_empty_string(void **state)
{
	struct buf b = BUF_INIT;
	char *s = buf_detach(&b);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
	buf_add(&b, "", 0);
	buf_reset(&b);
	s = buf_detach(&b);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
}

static void test_buf_reset_keeps_allocation_and_empties(void **state)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "some text that is here");
	char *data = b.data;
	size_t cap = b.cap;
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_ptr_equal(b.data, data);
	assert_int_equal(b.cap, cap);
	assert_string_equal(buf_str(&b), "");
	buf_free(&b);
}

static void test_buf_grow_reserves_room_without_changing_len(void **state)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "abc");
	buf_grow(&b, 1000);
	assert_int_equal(b.len, 3);
	assert_true(b.cap >= 3 + 1000 + 1);
	assert_string_equal(b.data, "abc");
	/* Filling exactly the reserved room must not move the data. */
	char *data = b.data;
	char fill[1000];
	memset(fill, 'f', sizeof fill);
	buf_add(&b, fill, sizeof fill);
	assert_ptr_equal(b.data, data);
	assert_int_equal(b.len, 1003);
	assert_buf_valid(&b);
	buf_free(&b);
}

static void test_buf_add_quoted_doubles_inner_quotes(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	buf_add_quoted(&b, "a\"b", 3);
	buf_add_quoted(&b, "", 0);
	buf_add_quoted(&b, "x\0\"", 3); /* length, not NUL, ends it */
	assert_int_equal(b.len, 6 + 2 + 6);
	assert_memory_equal(b.data, "\"a\"\"b\"\"\"\"x\0\"\"\"", b.len);
	buf_free(&b);
}

static void test_buf_add_utf8_encodes_every_width(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	buf_add_utf8(&b, 0x41);	   /* A */
	buf_add_utf8(&b, 0xe9);	   /* é */
	buf_add_utf8(&b, 0x20ac);  /* € */
	buf_add_utf8(&b, 0x1f600); /* 😀 */
	assert_int_equal(b.len, 1 + 2 + 3 + 4);
	assert_memory_equal(b.data, "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", b.len);
	buf_free(&b);
}

static void test_buf_free_returns_to_init(void **state)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "x");
	buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.cap, 0);
	assert_string_equal(buf_str(&b), "");
	buf_free(&b); /* twice is harmless */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_buf_init_reads_as_empty_string),
	    cmocka_unit_test(test_buf_addc_many_times_keeps_every_byte),
	    cmocka_unit_test(test_buf_add_chunks_of_growing_size_concatenate),
	    cmocka_unit_test(test_buf_add_keeps_embedded_nul_bytes_in_len),
	    cmocka_unit_test(test_buf_add_zero_bytes_to_empty_buffer_gives_empty_string),
	    cmocka_unit_test(test_buf_adds_appends_c_strings),
	    cmocka_unit_test(test_buf_addf_appends_formatted_text),
	    cmocka_unit_test(test_buf_addf_longer_than_capacity_is_appended_whole),
	    cmocka_unit_test(test_buf_addf_with_empty_result_still_terminates),
	    cmocka_unit_test(test_buf_vaddf_appends_like_addf),
	    cmocka_unit_test(test_buf_consume_moves_rest_to_front),
	    cmocka_unit_test(test_buf_consume_all_or_more_empties_buffer),
	    cmocka_unit_test(test_buf_consume_on_empty_buffer_is_harmless),
	    cmocka_unit_test(test_buf_consume_of_large_buffer_keeps_tail_intact),
	    cmocka_unit_test(test_buf_detach_returns_string_and_resets_buffer),
	    cmocka_unit_test(test_buf_detach_of_empty_buffer_returns_freeable_empty_string),
	    cmocka_unit_test(test_buf_reset_keeps_allocation_and_empties),
	    cmocka_unit_test(test_buf_grow_reserves_room_without_changing_len),
	    cmocka_unit_test(test_buf_add_quoted_doubles_inner_quotes),
	    cmocka_unit_test(test_buf_add_utf8_encodes_every_width),
	    cmocka_unit_test(test_buf_free_returns_to_init),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
