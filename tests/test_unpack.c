/* test_unpack.c — unit tests for the layer unpacker's safety rules (core/unpack.h).
 *
 * Each test writes small layers with formats/tar's writer (and raw headers for what the writer
 * refuses to make: unsafe names, links, devices), unpacks them in order into base/root and
 * checks the tree, and that base/outside, where an escape would land, is untouched. The
 * teardown removes the whole base directory, also after a failed assertion. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/cleanup.h"
#include "core/unpack.h"
#include "formats/tar.h"

static char base[64], root[128], outside[128];

static int set_up(void **state)
{
	snprintf(base, sizeof base, "/tmp/amber-test-unpack-XXXXXX");
	assert_non_null(mkdtemp(base));
	snprintf(root, sizeof root, "%s/root", base);
	snprintf(outside, sizeof outside, "%s/outside", base);
	assert_int_equal(mkdir(root, 0755), 0);
	assert_int_equal(mkdir(outside, 0755), 0);
	return 0;
}

static int tear_down(void **state)
{
	cleanup_remove_tree(base);
	return 0;
}

/* ---- building layers ---- */

struct layer {
	struct buf tar;
	struct sink_buf sink;
	struct tar_writer w;
};

static void layer_init(struct layer *l)
{
	memset(l, 0, sizeof *l);
	sink_buf_init(&l->sink, &l->tar);
	tar_writer_init(&l->w, &l->sink.base, 0);
}

static void add_file(struct layer *l, const char *name, unsigned mode, const char *content)
{
	struct amber_error err = {0};
	size_t len = strlen(content);
	assert_int_equal(tar_write_file_begin(&l->w, name, mode, len, &err), 0);
	assert_int_equal(tar_write_data(&l->w, content, len, &err), 0);
	assert_int_equal(tar_write_file_end(&l->w, &err), 0);
}

static void add_dir(struct layer *l, const char *name, unsigned mode)
{
	struct amber_error err = {0};
	assert_int_equal(tar_write_dir(&l->w, name, mode, &err), 0);
}

/* A data-less header of any type and name, with a link name: what the writer does not make. */
static void add_raw(struct layer *l, const char *name, char type, const char *linkname, unsigned mode)
{
	unsigned char block[TAR_BLOCK];
	assert_int_equal(tar_header_encode(block, name, mode, 0, 0, type, 0), 0);
	memset(block + 157, 0, 100);
	memcpy(block + 157, linkname, strlen(linkname));
	memset(block + 148, ' ', 8);
	unsigned sum = 0;
	for (int i = 0; i < TAR_BLOCK; i++)
		sum += block[i];
	snprintf((char *)block + 148, 8, "%06o", sum);
	block[155] = ' ';
	buf_add(&l->tar, block, sizeof block);
}

/* Unpacks the layers in order into root; returns what the unpacker returned. */
static int unpack_layers(struct layer *layers, int n, struct unpack *out, struct amber_error *err)
{
	struct unpack u;
	assert_int_equal(unpack_init(&u, root, err), 0);
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		assert_int_equal(tar_writer_finish(&layers[i].w, err), 0);
		unpack_layer_begin(&u);
		struct sink *reader = tar_reader_create(&unpack_callbacks, &u, err);
		assert_non_null(reader);
		rc = sink_write(reader, layers[i].tar.data, layers[i].tar.len, err);
		if (rc == 0)
			rc = sink_close(reader, err);
		sink_free(reader);
	}
	unpack_free(&u);
	if (out)
		*out = u;
	for (int i = 0; i < n; i++)
		buf_free(&layers[i].tar);
	return rc;
}

/* ---- looking at the tree ---- */

static const char *in(const char *dir, const char *name)
{
	static char paths[4][512];
	static int next;
	char *p = paths[next++ % 4];
	snprintf(p, 512, "%s/%s", dir, name);
	return p;
}

static int exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

static unsigned mode_of(const char *path)
{
	struct stat st;
	assert_int_equal(lstat(path, &st), 0);
	return (unsigned)st.st_mode;
}

static void assert_content(const char *path, const char *want)
{
	char got[256] = {0};
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	ssize_t n = read(fd, got, sizeof got - 1);
	close(fd);
	assert_true(n >= 0);
	assert_string_equal(got, want);
}

static void assert_outside_untouched(void)
{
	assert_false(exists(in(outside, "x")));
	assert_false(exists(in(outside, "y")));
}

static void write_outside_secret(void)
{
	int fd = open(in(outside, "secret"), O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "orig", 4), 4);
	close(fd);
}

/* ---- tests ---- */

static void test_files_directories_and_modes_are_kept(void **state)
{
	struct layer l;
	layer_init(&l);
	add_dir(&l, "etc/", 0750);
	add_file(&l, "etc/conf", 0640, "hello");
	add_file(&l, "bin/tool", 0555, "#!");
	add_file(&l, "./data/db", 0444, "rows");
	struct amber_error err = {0};
	struct unpack u;
	assert_int_equal(unpack_layers(&l, 1, &u, &err), 0);
	assert_content(in(root, "etc/conf"), "hello");
	assert_content(in(root, "data/db"), "rows");
	assert_int_equal(mode_of(in(root, "etc/conf")) & 07777, 0640);
	assert_int_equal(mode_of(in(root, "bin/tool")) & 07777, 0555);
	assert_int_equal(mode_of(in(root, "data/db")) & 07777, 0444);
	assert_int_equal(mode_of(in(root, "etc")) & 07777, 0750);
	assert_true(S_ISDIR(mode_of(in(root, "bin")))); /* made for bin/tool */
	assert_int_equal(u.files, 3);
}

static void test_setuid_and_setgid_bits_are_dropped(void **state)
{
	struct layer l;
	layer_init(&l);
	add_file(&l, "suid", 04755, "x");
	add_file(&l, "sgid", 02711, "x");
	struct amber_error err = {0};
	assert_int_equal(unpack_layers(&l, 1, NULL, &err), 0);
	assert_int_equal(mode_of(in(root, "suid")) & 07777, 0755);
	assert_int_equal(mode_of(in(root, "sgid")) & 07777, 0711);
}

static void test_read_only_directory_can_still_be_filled_and_removed(void **state)
{
	struct layer l[2];
	layer_init(&l[0]);
	add_dir(&l[0], "ro/", 0555);
	add_file(&l[0], "ro/a", 0444, "a");
	layer_init(&l[1]);
	add_file(&l[1], "ro/b", 0444, "b");
	struct amber_error err = {0};
	assert_int_equal(unpack_layers(l, 2, NULL, &err), 0);
	assert_content(in(root, "ro/b"), "b");
	assert_int_equal(mode_of(in(root, "ro")) & 07777, 0755); /* 0555 with u+rwx */
}

static void assert_refused(const char *name, char type)
{
	struct layer l;
	layer_init(&l);
	add_raw(&l, name, type, "", 0644);
	struct amber_error err = {0};
	assert_int_equal(unpack_layers(&l, 1, NULL, &err), -1);
	assert_string_equal(err.file, name);
	assert_non_null(strstr(err.message, "unsafe name"));
}

static void test_unsafe_names_are_refused_and_named(void **state)
{
	char abs[200];
	snprintf(abs, sizeof abs, "%s/x", outside);
	assert_refused("../outside/x", '0');
	assert_refused(abs, '0');
	assert_refused("a/../../outside/y", '5');
	assert_refused("a//b", '0');
	assert_outside_untouched();
}

static void test_symlinks_never_lead_a_write_outside_the_root(void **state)
{
	struct layer l[2];
	layer_init(&l[0]);
	add_raw(&l[0], "rel", '2', "../../outside", 0777);
	add_raw(&l[0], "abs", '2', outside, 0777);
	layer_init(&l[1]);
	add_file(&l[1], "rel/x", 0644, "escaped");
	struct amber_error err = {0};
	int rc = unpack_layers(l, 2, NULL, &err);
	/* "../../outside" taken inside the root names root/outside, which does not exist. */
	assert_int_equal(rc, -1);
	assert_string_equal(err.file, "rel");
	assert_outside_untouched();

	layer_init(&l[0]);
	add_file(&l[0], "abs/y", 0644, "escaped");
	assert_int_equal(unpack_layers(l, 1, NULL, &err), -1);
	assert_outside_untouched();
}

static void test_symlinks_resolve_inside_the_root(void **state)
{
	struct layer l[2];
	layer_init(&l[0]);
	add_dir(&l[0], "usr/lib/", 0755);
	add_raw(&l[0], "lib", '2', "/usr/lib", 0777);
	add_raw(&l[0], "up", '2', "../../../usr", 0777);
	layer_init(&l[1]);
	add_file(&l[1], "lib/z", 0644, "z");
	add_file(&l[1], "up/w", 0644, "w");
	struct amber_error err = {0};
	assert_int_equal(unpack_layers(l, 2, NULL, &err), 0);
	assert_content(in(root, "usr/lib/z"), "z");
	assert_content(in(root, "usr/w"), "w");
	assert_true(S_ISLNK(mode_of(in(root, "lib"))));
}

static void test_an_entry_replaces_a_symlink_instead_of_writing_through_it(void **state)
{
	char target[200];
	write_outside_secret();
	snprintf(target, sizeof target, "%s/secret", outside);
	struct layer l[2];
	layer_init(&l[0]);
	add_raw(&l[0], "passwd", '2', target, 0777);
	layer_init(&l[1]);
	add_file(&l[1], "passwd", 0644, "new");
	struct amber_error err = {0};
	assert_int_equal(unpack_layers(l, 2, NULL, &err), 0);
	assert_content(in(outside, "secret"), "orig");
	assert_true(S_ISREG(mode_of(in(root, "passwd"))));
	assert_content(in(root, "passwd"), "new");
}

static void test_hard_links_stay_inside_the_root(void **state)
{
	write_outside_secret();
	struct layer l;
	layer_init(&l);
	add_file(&l, "a", 0644, "a");
	add_raw(&l, "b", '1', "a", 0644);
	struct amber_error err = {0};
	assert_int_equal(unpack_layers(&l, 1, NULL, &err), 0);
	struct stat sa, sb;
	assert_int_equal(stat(in(root, "a"), &sa), 0);
	assert_int_equal(stat(in(root, "b"), &sb), 0);
	assert_int_equal(sa.st_ino, sb.st_ino);

	layer_init(&l);
	add_raw(&l, "c", '1', "../outside/secret", 0644);
	assert_int_equal(unpack_layers(&l, 1, NULL, &err), -1);
	assert_non_null(strstr(err.message, "refused"));

	layer_init(&l);
	add_raw(&l, "out", '2', outside, 0777);
	add_raw(&l, "d", '1', "out/secret", 0644);
	assert_int_equal(unpack_layers(&l, 1, NULL, &err), -1);
	struct stat so;
	assert_int_equal(stat(in(outside, "secret"), &so), 0);
	assert_int_equal(so.st_nlink, 1);
	assert_false(exists(in(root, "d")));
}

static void test_device_nodes_are_skipped_and_counted(void **state)
{
	struct layer l;
	layer_init(&l);
	add_raw(&l, "dev/null", '3', "", 0666);
	add_raw(&l, "dev/sda", '4', "", 0660);
	add_raw(&l, "pipe", '6', "", 0600);
	struct amber_error err = {0};
	struct unpack u;
	assert_int_equal(unpack_layers(&l, 1, &u, &err), 0);
	assert_false(exists(in(root, "dev/null")));
	assert_false(exists(in(root, "dev/sda")));
	assert_int_equal(u.skipped_devices, 2);
	assert_true(S_ISFIFO(mode_of(in(root, "pipe"))));
}

static void test_whiteouts_remove_lower_entries_and_are_not_extracted(void **state)
{
	struct layer l[2];
	layer_init(&l[0]);
	add_file(&l[0], "a/x", 0644, "x");
	add_file(&l[0], "a/y", 0644, "y");
	add_file(&l[0], "c", 0644, "c");
	add_file(&l[0], "d/e/f", 0644, "f");
	layer_init(&l[1]);
	add_file(&l[1], "a/.wh.x", 0644, "");
	add_file(&l[1], ".wh.c", 0644, "");
	add_file(&l[1], ".wh.d", 0644, "");
	add_file(&l[1], ".wh.never-there", 0644, "");
	struct amber_error err = {0};
	struct unpack u;
	assert_int_equal(unpack_layers(l, 2, &u, &err), 0);
	assert_false(exists(in(root, "a/x")));
	assert_content(in(root, "a/y"), "y");
	assert_false(exists(in(root, "c")));
	assert_false(exists(in(root, "d")));
	assert_false(exists(in(root, "a/.wh.x")));
	assert_false(exists(in(root, ".wh.c")));
	assert_int_equal(u.whiteouts, 4);
}

static void test_opaque_whiteout_keeps_what_its_own_layer_wrote(void **state)
{
	struct layer l[2];
	layer_init(&l[0]);
	add_file(&l[0], "b/old", 0644, "old");
	add_file(&l[0], "b/sub/older", 0644, "older");
	add_file(&l[0], "keep", 0644, "keep");
	layer_init(&l[1]);
	add_file(&l[1], "b/before", 0644, "1"); /* before the marker: must stay all the same */
	add_file(&l[1], "b/.wh..wh..opq", 0644, "");
	add_file(&l[1], "b/after", 0644, "2");
	struct amber_error err = {0};
	assert_int_equal(unpack_layers(l, 2, NULL, &err), 0);
	assert_false(exists(in(root, "b/old")));
	assert_false(exists(in(root, "b/sub")));
	assert_false(exists(in(root, "b/.wh..wh..opq")));
	assert_content(in(root, "b/before"), "1");
	assert_content(in(root, "b/after"), "2");
	assert_content(in(root, "keep"), "keep");
}

static void test_whiteout_spares_what_the_same_layer_made(void **state)
{
	struct layer l;
	layer_init(&l);
	add_file(&l, "f", 0644, "f");
	add_file(&l, ".wh.f", 0644, "");
	struct amber_error err = {0};
	assert_int_equal(unpack_layers(&l, 1, NULL, &err), 0);
	assert_content(in(root, "f"), "f");
}

static void test_whiteouts_cannot_reach_outside_the_root(void **state)
{
	write_outside_secret();
	struct layer l[2];
	layer_init(&l[0]);
	add_raw(&l[0], "a/.wh...", '0', "", 0644); /* would whiteout "a/.." */
	struct amber_error err = {0};
	assert_int_equal(unpack_layers(l, 1, NULL, &err), -1);
	assert_non_null(strstr(err.message, "refused"));

	layer_init(&l[0]);
	add_raw(&l[0], "out", '2', outside, 0777);
	layer_init(&l[1]);
	add_file(&l[1], "out/.wh.secret", 0644, "");
	add_file(&l[1], "out/.wh..wh..opq", 0644, "");
	assert_int_equal(unpack_layers(l, 2, NULL, &err), 0);
	assert_content(in(outside, "secret"), "orig");
}

static void test_later_layers_replace_files_and_directories(void **state)
{
	struct layer l[2];
	layer_init(&l[0]);
	add_file(&l[0], "p/q", 0644, "q");
	add_file(&l[0], "r", 0644, "r");
	layer_init(&l[1]);
	add_file(&l[1], "p", 0600, "now a file");
	add_file(&l[1], "r/s", 0644, "r is a directory now");
	struct amber_error err = {0};
	/* "r/s" below the file "r" is an error; put the directory entry first to replace it. */
	assert_int_equal(unpack_layers(l, 2, NULL, &err), -1);

	cleanup_remove_tree(root);
	assert_int_equal(mkdir(root, 0755), 0);
	layer_init(&l[0]);
	add_file(&l[0], "p/q", 0644, "q");
	add_file(&l[0], "r", 0644, "r");
	layer_init(&l[1]);
	add_file(&l[1], "p", 0600, "now a file");
	add_dir(&l[1], "r/", 0755);
	add_file(&l[1], "r/s", 0644, "s");
	assert_int_equal(unpack_layers(l, 2, NULL, &err), 0);
	assert_content(in(root, "p"), "now a file");
	assert_content(in(root, "r/s"), "s");
}

static void test_resolve_maps_image_paths_inside_the_root(void **state)
{
	struct layer l;
	layer_init(&l);
	add_file(&l, "real/amber.db", 0444, "db");
	add_raw(&l, "data", '2', "/real", 0777);
	add_raw(&l, "up", '2', "../../..", 0777);
	struct amber_error err = {0};
	assert_int_equal(unpack_layers(&l, 1, NULL, &err), 0);
	char host[4096], want[4096];
	assert_int_equal(unpack_resolve(root, "/data/amber.db", host, sizeof host, &err), 1);
	assert_non_null(realpath(in(root, "real/amber.db"), want));
	assert_string_equal(host, want);
	assert_int_equal(unpack_resolve(root, "/missing", host, sizeof host, &err), 0);
	assert_int_equal(unpack_resolve(root, "/up/real/amber.db", host, sizeof host, &err), 1);
	assert_string_equal(host, want); /* ".." stops at the root */
}

static void test_check_executable_names_the_path(void **state)
{
	struct layer l;
	layer_init(&l);
	add_file(&l, "amberd", 0555,
		 "\x7f"
		 "ELF");
	add_file(&l, "plain", 0644, "x");
	struct amber_error err = {0};
	assert_int_equal(unpack_layers(&l, 1, NULL, &err), 0);
	assert_int_equal(unpack_check_executable(root, "/amberd", &err), 0);
	assert_int_equal(unpack_check_executable(root, "/plain", &err), -1);
	assert_string_equal(err.file, "/plain");
	assert_non_null(strstr(err.message, "not executable"));
	assert_int_equal(unpack_check_executable(root, "/nothing", &err), -1);
	assert_string_equal(err.file, "/nothing");
	assert_non_null(strstr(err.message, "not in the image"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_files_directories_and_modes_are_kept, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_setuid_and_setgid_bits_are_dropped, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_read_only_directory_can_still_be_filled_and_removed, set_up,
					    tear_down),
	    cmocka_unit_test_setup_teardown(test_unsafe_names_are_refused_and_named, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_symlinks_never_lead_a_write_outside_the_root, set_up,
					    tear_down),
	    cmocka_unit_test_setup_teardown(test_symlinks_resolve_inside_the_root, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_an_entry_replaces_a_symlink_instead_of_writing_through_it,
					    set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_hard_links_stay_inside_the_root, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_device_nodes_are_skipped_and_counted, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_whiteouts_remove_lower_entries_and_are_not_extracted, set_up,
					    tear_down),
	    cmocka_unit_test_setup_teardown(test_opaque_whiteout_keeps_what_its_own_layer_wrote, set_up,
					    tear_down),
	    cmocka_unit_test_setup_teardown(test_whiteout_spares_what_the_same_layer_made, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_whiteouts_cannot_reach_outside_the_root, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_later_layers_replace_files_and_directories, set_up,
					    tear_down),
	    cmocka_unit_test_setup_teardown(test_resolve_maps_image_paths_inside_the_root, set_up, tear_down),
	    cmocka_unit_test_setup_teardown(test_check_executable_names_the_path, set_up, tear_down),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
