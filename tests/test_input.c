/* test_input.c — unit tests for the decompressing, hashing input stream (formats/input.h).
 *
 * Compressed inputs are written by libarchive's own writer (raw format, one entry), the
 * expected sha256 is computed with core/digest over the file's bytes read directly, and the
 * teardown removes every temporary file, also after a failed assertion. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/digest.h"
#include "formats/input.h"
#include "tests/support.h"

static char temp_dir[64];
static struct input *opened; /* closed by the teardown */
static struct buf data_read = BUF_INIT;
static struct buf scratch = BUF_INIT; /* inputs being built */

static int clean_up(void **state)
{
	input_close(opened);
	opened = NULL;
	buf_free(&data_read);
	buf_free(&scratch);
	support_temp_remove_all();
	if (temp_dir[0])
		rmdir(temp_dir);
	temp_dir[0] = '\0';
	return 0;
}

/* The sha256 of a file's bytes, read directly. */
static void sha256_of_file(const char *path, char hex[DIGEST_HEX_LEN + 1])
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	struct digest_sha256 d;
	digest_sha256_init(&d);
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		digest_sha256_update(&d, chunk, n);
	fclose(f);
	digest_sha256_hex(&d, hex);
}

static uint64_t file_size(const char *path)
{
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	return (uint64_t)st.st_size;
}

static struct input *open_ok(const char *path, const char *name)
{
	struct amber_error err = {0};
	assert_null(opened);
	opened = input_open(path, name, &err);
	if (!opened)
		fail_msg("open %s: %s", path, err.message);
	return opened;
}

/* Reads everything into data_read, in odd-sized pieces. */
static void read_all(struct input *in)
{
	struct amber_error err = {0};
	char chunk[3001];
	buf_reset(&data_read);
	for (;;) {
		ssize_t n = input_read(in, chunk, sizeof chunk, &err);
		if (n < 0)
			fail_msg("read: %s", err.message);
		if (n == 0)
			break;
		assert_true((size_t)n <= sizeof chunk);
		buf_add(&data_read, chunk, (size_t)n);
	}
}

/* Some text that compresses, `n` lines of it. */
static void sample_text(struct buf *out, int n)
{
	for (int i = 0; i < n; i++)
		buf_addf(out, "%d\tplace %d\t%d.%03d\n", i, i * 7919 % 100003, i % 90, i % 1000);
}

/* ---- input_base_name ---- */

static void assert_base_name(const char *path, const char *want)
{
	char out[256];
	memset(out, 'X', sizeof out);
	input_base_name(path, out, sizeof out);
	if (strcmp(out, want) != 0)
		fail_msg("input_base_name(\"%s\") = \"%s\", expected \"%s\"", path, out, want);
}

static void test_base_name_strips_directories_and_one_compression_suffix(void **state)
{
	assert_base_name("a/b/cities500.txt.zst", "cities500.txt");
	assert_base_name("/data/allCountries.txt.gz", "allCountries.txt");
	assert_base_name("x.gz", "x");
	assert_base_name("x.xz", "x");
	assert_base_name("x.bz2", "x");
	assert_base_name("x.lzma", "x");
	assert_base_name("dir/CL.txt", "CL.txt");
	assert_base_name("plain", "plain");
	assert_base_name("file.tar.gz", "file.tar");
	assert_base_name("twice.gz.gz", "twice.gz");
	assert_base_name("x.tgz", "x.tgz");
	assert_base_name("x.zip", "x.zip");
}

static void test_base_name_of_bare_suffix_is_kept(void **state)
{
	/* Removing it would leave an empty name. */
	assert_base_name(".gz", ".gz");
	assert_base_name("dir/.zst", ".zst");
}

static void test_base_name_of_dash_is_stdin(void **state)
{
	assert_base_name("-", "stdin");
}

static void test_base_name_fits_in_cap(void **state)
{
	char out[6];
	input_base_name("dir/abcdefghij.txt", out, sizeof out);
	assert_string_equal(out, "abcde");
}

/* ---- reading ---- */

static void test_plain_file_reads_its_bytes_with_compression_none(void **state)
{
	static const char text[] = "geonameid\tname\n1\tZ\xC3\xBCrich\n";
	const char *path = support_temp_with(text, sizeof text - 1);
	struct input *in = open_ok(path, NULL);
	read_all(in);
	assert_int_equal(data_read.len, sizeof text - 1);
	assert_memory_equal(data_read.data, text, sizeof text - 1);
	assert_string_equal(input_compression(in), "none");
	assert_string_equal(input_name(in), path);
	assert_int_equal(input_total_bytes(in), sizeof text - 1);
}

static void test_compressed_files_are_undone_and_named(void **state)
{
	static const struct {
		int filter;
		const char *name;
	} cases[] = {
	    {ARCHIVE_FILTER_GZIP, "gzip"},
	    {ARCHIVE_FILTER_ZSTD, "zstd"},
	    {ARCHIVE_FILTER_XZ, "xz"},
	    {ARCHIVE_FILTER_BZIP2, "bzip2"},
	};
	struct buf *text = &scratch;
	sample_text(text, 20000);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const char *path = support_temp_compressed(cases[i].filter, text->data, text->len);
		assert_true(file_size(path) < text->len / 2);
		struct input *in = open_ok(path, NULL);
		read_all(in);
		if (data_read.len != text->len || memcmp(data_read.data, text->data, text->len) != 0)
			fail_msg("%s: %zu bytes read back, %zu written", cases[i].name, data_read.len,
				 text->len);
		assert_string_equal(input_compression(in), cases[i].name);
		assert_int_equal(input_total_bytes(in), file_size(path));
		input_close(in);
		opened = NULL;
	}
	buf_free(text);
}

static void test_sha256_of_known_content(void **state)
{
	const char *path = support_temp_with("abc", 3);
	struct input *in = open_ok(path, NULL);
	read_all(in);
	char hex[DIGEST_HEX_LEN + 1];
	struct amber_error err = {0};
	assert_int_equal(input_finish_sha256(in, hex, &err), 0);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_sha256_of_plain_file_equals_digest_of_its_bytes(void **state)
{
	struct buf *text = &scratch;
	sample_text(text, 40000); /* several raw blocks */
	const char *path = support_temp_with(text->data, text->len);
	buf_free(text);
	char want[DIGEST_HEX_LEN + 1], got[DIGEST_HEX_LEN + 1];
	sha256_of_file(path, want);
	struct input *in = open_ok(path, NULL);
	read_all(in);
	struct amber_error err = {0};
	assert_int_equal(input_finish_sha256(in, got, &err), 0);
	assert_string_equal(got, want);
	assert_int_equal(input_raw_bytes(in), file_size(path));
}

static void test_sha256_of_gzip_file_is_of_its_compressed_bytes(void **state)
{
	struct buf *text = &scratch;
	sample_text(text, 40000);
	const char *path = support_temp_compressed(ARCHIVE_FILTER_GZIP, text->data, text->len);
	char want[DIGEST_HEX_LEN + 1], got[DIGEST_HEX_LEN + 1], of_text[DIGEST_HEX_LEN + 1];
	struct digest_sha256 d;
	digest_sha256_init(&d);
	digest_sha256_update(&d, text->data, text->len);
	digest_sha256_hex(&d, of_text);
	buf_free(text);
	sha256_of_file(path, want);
	struct input *in = open_ok(path, NULL);
	read_all(in);
	struct amber_error err = {0};
	assert_int_equal(input_finish_sha256(in, got, &err), 0);
	assert_string_equal(got, want);
	assert_string_not_equal(got, of_text);
	assert_int_equal(input_raw_bytes(in), file_size(path));
}

static void test_sha256_after_partial_read_covers_the_whole_file(void **state)
{
	struct buf *text = &scratch;
	sample_text(text, 60000);
	const char *plain = support_temp_with(text->data, text->len);
	const char *gz = support_temp_compressed(ARCHIVE_FILTER_GZIP, text->data, text->len);
	buf_free(text);
	const char *paths[] = {plain, gz};
	for (size_t i = 0; i < 2; i++) {
		char want[DIGEST_HEX_LEN + 1], got[DIGEST_HEX_LEN + 1];
		sha256_of_file(paths[i], want);
		struct input *in = open_ok(paths[i], NULL);
		char first[10];
		struct amber_error err = {0};
		assert_int_equal(input_read(in, first, sizeof first, &err), sizeof first);
		assert_memory_equal(first, "0\tplace 0\t", sizeof first);
		assert_true(input_raw_bytes(in) < file_size(paths[i]));
		assert_int_equal(input_finish_sha256(in, got, &err), 0);
		if (strcmp(got, want) != 0)
			fail_msg("%s: sha256 %s, expected %s", i ? "gzip" : "plain", got, want);
		assert_int_equal(input_raw_bytes(in), file_size(paths[i]));
		input_close(in);
		opened = NULL;
	}
}

static void test_empty_file_reads_zero_bytes(void **state)
{
	const char *path = support_temp_with("", 0);
	struct input *in = open_ok(path, NULL);
	char chunk[16];
	struct amber_error err = {0};
	assert_int_equal(input_read(in, chunk, sizeof chunk, &err), 0);
	assert_int_equal(input_read(in, chunk, sizeof chunk, &err), 0);
	assert_string_equal(input_compression(in), "none");
	assert_int_equal(input_total_bytes(in), 0);
	char hex[DIGEST_HEX_LEN + 1];
	assert_int_equal(input_finish_sha256(in, hex, &err), 0);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

static void test_stdin_is_read_for_dash(void **state)
{
	static const char text[] = "from stdin\n";
	const char *path = support_temp_with(text, sizeof text - 1);
	int saved = dup(STDIN_FILENO);
	assert_true(saved >= 0);
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(dup2(fd, STDIN_FILENO), STDIN_FILENO);
	close(fd);
	struct amber_error err = {0};
	opened = input_open("-", NULL, &err);
	if (opened)
		read_all(opened);
	dup2(saved, STDIN_FILENO);
	close(saved);
	if (!opened)
		fail_msg("open -: %s", err.message);
	assert_string_equal(input_name(opened), "-");
	assert_int_equal(data_read.len, sizeof text - 1);
	assert_memory_equal(data_read.data, text, sizeof text - 1);
}

/* ---- errors ---- */

static void test_nonexistent_path_is_null_with_message(void **state)
{
	struct amber_error err = {0};
	struct input *in = input_open("/tmp/amber_test_input_no/such/file.csv", NULL, &err);
	assert_null(in);
	assert_string_equal(err.file, "/tmp/amber_test_input_no/such/file.csv");
	assert_non_null(strstr(err.message, "cannot open"));
	assert_non_null(strstr(err.message, "No such file"));
}

static void test_errors_use_the_given_name(void **state)
{
	struct amber_error err = {0};
	assert_null(input_open("/tmp/amber_test_input_no/such/file.csv", "nice name", &err));
	assert_string_equal(err.file, "nice name");
	const char *path = support_temp_with("x", 1);
	struct input *in = open_ok(path, "nice name");
	assert_string_equal(input_name(in), "nice name");
}

static void test_directory_is_null_with_message(void **state)
{
	snprintf(temp_dir, sizeof temp_dir, "/tmp/amber_test_input_dir_XXXXXX");
	assert_non_null(mkdtemp(temp_dir));
	struct amber_error err = {0};
	struct input *in = input_open(temp_dir, "a dir", &err);
	assert_null(in);
	assert_string_equal(err.file, "a dir");
	assert_non_null(strstr(err.message, "directory"));
}

static void test_truncated_gzip_read_fails_naming_the_file(void **state)
{
	struct buf *text = &scratch;
	sample_text(text, 40000);
	const char *gz = support_temp_compressed(ARCHIVE_FILTER_GZIP, text->data, text->len);
	buf_free(text);
	struct buf raw = BUF_INIT;
	FILE *f = fopen(gz, "rb");
	assert_non_null(f);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_add(&raw, chunk, n);
	fclose(f);
	const char *cut = support_temp_with(raw.data, raw.len / 2);
	buf_free(&raw);
	struct input *in = open_ok(cut, "cut.gz");
	struct amber_error err = {0};
	ssize_t got;
	size_t total = 0;
	while ((got = input_read(in, chunk, sizeof chunk, &err)) > 0)
		total += (size_t)got;
	assert_int_equal(got, -1);
	assert_string_equal(err.file, "cut.gz");
	if (!strstr(err.message, "gzip"))
		fail_msg("message after %zu bytes: %s", total, err.message);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_base_name_strips_directories_and_one_compression_suffix),
	    cmocka_unit_test(test_base_name_of_bare_suffix_is_kept),
	    cmocka_unit_test(test_base_name_of_dash_is_stdin),
	    cmocka_unit_test(test_base_name_fits_in_cap),
	    cmocka_unit_test_teardown(test_plain_file_reads_its_bytes_with_compression_none, clean_up),
	    cmocka_unit_test_teardown(test_compressed_files_are_undone_and_named, clean_up),
	    cmocka_unit_test_teardown(test_sha256_of_known_content, clean_up),
	    cmocka_unit_test_teardown(test_sha256_of_plain_file_equals_digest_of_its_bytes, clean_up),
	    cmocka_unit_test_teardown(test_sha256_of_gzip_file_is_of_its_compressed_bytes, clean_up),
	    cmocka_unit_test_teardown(test_sha256_after_partial_read_covers_the_whole_file, clean_up),
	    cmocka_unit_test_teardown(test_empty_file_reads_zero_bytes, clean_up),
	    cmocka_unit_test_teardown(test_stdin_is_read_for_dash, clean_up),
	    cmocka_unit_test_teardown(test_nonexistent_path_is_null_with_message, clean_up),
	    cmocka_unit_test_teardown(test_errors_use_the_given_name, clean_up),
	    cmocka_unit_test_teardown(test_directory_is_null_with_message, clean_up),
	    cmocka_unit_test_teardown(test_truncated_gzip_read_fails_naming_the_file, clean_up),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
