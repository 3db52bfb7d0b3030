/* support.c — temporary files for unit tests (see support.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tests/support.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define MAX_TEMPS 8

static char temps[MAX_TEMPS][64];
static size_t ntemps;

const char *support_temp_new(void)
{
	assert_true(ntemps < MAX_TEMPS);
	char *path = temps[ntemps];
	snprintf(path, sizeof temps[0], "/tmp/amber_test_XXXXXX");
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	ntemps++;
	return path;
}

const char *support_temp_with(const void *data, size_t len)
{
	const char *path = support_temp_new();
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

const char *support_temp_compressed(int filter, const void *data, size_t len)
{
	const char *path = support_temp_new();
	struct archive *a = archive_write_new();
	assert_non_null(a);
	if (archive_write_add_filter(a, filter) != ARCHIVE_OK)
		fail_msg("libarchive cannot write filter %d: %s", filter, archive_error_string(a));
	assert_int_equal(archive_write_set_format_raw(a), ARCHIVE_OK);
	assert_int_equal(archive_write_set_bytes_in_last_block(a, 1), ARCHIVE_OK);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, "data");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_size(e, (la_int64_t)len);
	assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
	assert_int_equal(archive_write_data(a, data, len), (la_ssize_t)len);
	archive_entry_free(e);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	return path;
}

void support_temp_remove_all(void)
{
	for (size_t i = 0; i < ntemps; i++)
		unlink(temps[i]);
	ntemps = 0;
}
