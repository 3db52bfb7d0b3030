/* test_image_out.c — unit tests for image outputs (core/image_out.h) and the small sinks
 * (core/sink.h).
 *
 * A blob streamed into a tar gets its name and size only at the end, by patching its header
 * in place: GNU tar must read the result. Outputs appear only at commit; without a commit, or
 * over an existing path without force, nothing changes on disk. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/cleanup.h"
#include "core/image_out.h"
#include "core/sink.h"

static char dir[64];

static int setup(void **state)
{
	snprintf(dir, sizeof dir, "/tmp/amber_imgout_XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	cleanup_remove_tree(dir);
	return 0;
}

/* The names in `dir`, sorted, space-separated. */
static void listing(const char *path, char *out, size_t size)
{
	struct dirent **names;
	int n = scandir(path, &names, NULL, alphasort);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, ".."))
			snprintf(out + strlen(out), size - strlen(out), "%s ", names[i]->d_name);
		free(names[i]);
	}
	free(names);
}

static void run(const char *cmd, char *out, size_t size)
{
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	assert_int_equal(pclose(p), 0);
}

static void test_sink_digest_of_known_text(void **state)
{
	struct buf b = BUF_INIT;
	struct sink_buf sb;
	struct sink_digest d;
	char hex[DIGEST_HEX_LEN + 1];
	sink_buf_init(&sb, &b);
	sink_digest_init(&d, &sb.base);
	assert_int_equal(sink_write(&d.base, "ab", 2, NULL), 0);
	assert_int_equal(sink_write(&d.base, "c", 1, NULL), 0);
	sink_digest_hex(&d, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(d.bytes, 3);
	assert_string_equal(b.data, "abc");
	buf_free(&b);
}

static void test_sink_tee_feeds_both(void **state)
{
	struct buf a = BUF_INIT, b = BUF_INIT;
	struct sink_buf sa, sb;
	struct sink_tee t;
	sink_buf_init(&sa, &a);
	sink_buf_init(&sb, &b);
	sink_tee_init(&t, &sa.base, &sb.base);
	assert_int_equal(sink_write(&t.base, "xyz", 3, NULL), 0);
	assert_string_equal(a.data, "xyz");
	assert_string_equal(b.data, "xyz");
	buf_free(&a);
	buf_free(&b);
}

static void test_sink_fd_reports_write_errors(void **state)
{
	struct sink_fd f;
	struct amber_error err = {0};
	sink_fd_init(&f, -1, "out.bin");
	assert_int_equal(sink_write(&f.base, "x", 1, &err), -1);
	assert_string_equal(err.file, "out.bin");
	assert_non_null(strstr(err.message, "cannot write"));
}

static void test_tar_blob_header_is_patched_with_digest_and_size(void **state)
{
	char path[128], hex[DIGEST_HEX_LEN + 1], cmd[512], out[4096];
	uint64_t size;
	struct amber_error err = {0};
	snprintf(path, sizeof path, "%s/img.tar", dir);
	struct image_out *o = image_out_create(path, IMAGE_OUT_TAR, 0, 1700000000, &err);
	assert_non_null(o);
	assert_int_equal(image_out_file_add(o, "oci-layout", "{}", 2, &err), 0);
	assert_int_equal(image_out_dir_add(o, "blobs/", &err), 0);
	struct sink *s = image_out_blob_begin(o, &err);
	assert_non_null(s);
	for (int i = 0; i < 1000; i++) /* 1000 × 7 bytes: not a multiple of 512 */
		assert_int_equal(sink_write(s, "abcdefg", 7, &err), 0);
	assert_int_equal(image_out_blob_end(o, "blobs/%s", hex, &size, &err), 0);
	assert_int_equal(size, 7000);
	char listing_before[256];
	listing(dir, listing_before, sizeof listing_before);
	assert_null(strstr(listing_before, "img.tar ")); /* not before commit */
	assert_int_equal(image_out_commit(o, &err), 0);
	image_out_free(o);

	snprintf(cmd, sizeof cmd, "tar -tv --full-time -f %s | awk '{print $3, $4, $6}'", path);
	run(cmd, out, sizeof out);
	char want[512];
	snprintf(want, sizeof want,
		 "2 2023-11-14 oci-layout\n0 2023-11-14 blobs/\n7000 2023-11-14 blobs/%s\n", hex);
	assert_string_equal(out, want);
	snprintf(cmd, sizeof cmd, "tar -xOf %s blobs/%s | sha256sum | cut -c1-64", path, hex);
	run(cmd, out, sizeof out);
	assert_memory_equal(out, hex, DIGEST_HEX_LEN);
}

static void test_layout_blobs_are_named_by_digest(void **state)
{
	char path[128], hex[DIGEST_HEX_LEN + 1], names[512];
	struct amber_error err = {0};
	snprintf(path, sizeof path, "%s/layout", dir);
	struct image_out *o = image_out_create(path, IMAGE_OUT_DIR, 0, 0, &err);
	assert_non_null(o);
	assert_int_equal(image_out_blob_add(o, "blobs/sha256/%s", "abc", 3, hex, &err), 0);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(image_out_file_add(o, "index.json", "{}", 2, &err), 0);
	assert_int_equal(image_out_commit(o, &err), 0);
	image_out_free(o);
	char blobs[256];
	snprintf(blobs, sizeof blobs, "%s/blobs/sha256", path);
	listing(blobs, names, sizeof names);
	assert_string_equal(names, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad ");
	listing(dir, names, sizeof names);
	assert_string_equal(names, "layout ");
}

static void test_uncommitted_outputs_leave_nothing(void **state)
{
	char path[128], names[256], hex[DIGEST_HEX_LEN + 1];
	struct amber_error err = {0};
	for (int kind = 0; kind < 2; kind++) {
		snprintf(path, sizeof path, "%s/x%d", dir, kind);
		struct image_out *o =
		    image_out_create(path, kind ? IMAGE_OUT_TAR : IMAGE_OUT_DIR, 0, 0, &err);
		assert_non_null(o);
		assert_int_equal(image_out_blob_add(o, "blobs/sha256/%s", "abc", 3, hex, &err), 0);
		image_out_free(o);
	}
	listing(dir, names, sizeof names);
	assert_string_equal(names, "");
}

static void test_existing_output_needs_force(void **state)
{
	char path[128], keep[160], names[256];
	struct amber_error err = {0};
	snprintf(path, sizeof path, "%s/layout", dir);
	snprintf(keep, sizeof keep, "%s/old-file", path);
	assert_int_equal(mkdir(path, 0755), 0);
	FILE *f = fopen(keep, "w");
	assert_non_null(f);
	fclose(f);
	assert_null(image_out_create(path, IMAGE_OUT_DIR, 0, 0, &err));
	assert_non_null(strstr(err.message, "--force"));
	assert_int_equal(access(keep, F_OK), 0);

	struct image_out *o = image_out_create(path, IMAGE_OUT_DIR, 1, 0, &err);
	assert_non_null(o);
	assert_int_equal(image_out_file_add(o, "index.json", "{}", 2, &err), 0);
	assert_int_equal(image_out_commit(o, &err), 0);
	image_out_free(o);
	listing(path, names, sizeof names);
	assert_string_equal(names, "index.json "); /* the old tree is gone, whole */
	listing(dir, names, sizeof names);
	assert_string_equal(names, "layout ");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sink_digest_of_known_text),
	    cmocka_unit_test(test_sink_tee_feeds_both),
	    cmocka_unit_test(test_sink_fd_reports_write_errors),
	    cmocka_unit_test_setup_teardown(test_tar_blob_header_is_patched_with_digest_and_size, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_layout_blobs_are_named_by_digest, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_uncommitted_outputs_leave_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_existing_output_needs_force, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
