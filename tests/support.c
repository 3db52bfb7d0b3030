/* support.c — temporary files, scratch databases and their queries for unit tests (see
 * support.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "tests/support.h"

#include "core/buf.h"
#include "core/dump.h"
#include "core/loader.h"
#include "core/progress.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

int support_temp_teardown(void **state)
{
	(void)state;
	support_temp_remove_all();
	return 0;
}

int support_temp_dir(char *dir, size_t size, const char *name)
{
	snprintf(dir, size, "/tmp/amber_test_%s_XXXXXX", name);
	return mkdtemp(dir) ? 0 : -1;
}

void support_remove_tree(const char *path)
{
	DIR *dh = opendir(path);
	if (!dh)
		return;
	struct dirent *e;
	while ((e = readdir(dh)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		char sub[512];
		snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
		if (unlink(sub) != 0)
			support_remove_tree(sub);
	}
	closedir(dh);
	rmdir(path);
}

/* The translator and progress of support_dump_use, and the database of the last load. */
static support_load_fn dump_load_one;
static struct progress *dump_prog;
static const char *dump_db_path;

void support_dump_use(support_load_fn load_one, struct progress *prog)
{
	dump_load_one = load_one;
	dump_prog = prog;
}

int support_dump_load(const char *const *texts, size_t n, const struct sqldump_options *opt, int strict,
		      struct amber_error *err)
{
	const char *paths[4];
	assert_non_null(dump_load_one);
	assert_true(n <= 4);
	support_temp_remove_all();
	for (size_t i = 0; i < n; i++)
		paths[i] = support_temp_with(texts[i], strlen(texts[i]));
	dump_db_path = support_temp_new();
	struct db_loader *ld = db_loader_create(dump_db_path, 0, DB_CHECK_QUICK, dump_prog, err);
	assert_non_null(ld);
	struct dump_options dopt = {strict, DUMP_UTF8_ERROR, dump_prog};
	struct dump *d = dump_create(ld, &dopt);
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = dump_load_one(d, paths[i], opt, err);
	if (rc == 0)
		rc = dump_finish(d, err);
	dump_free(d);
	if (rc < 0) {
		db_loader_abort(ld);
		return -1;
	}
	return db_loader_finish(ld, err);
}

void support_dump_load_ok(const char *text, const struct sqldump_options *opt)
{
	struct amber_error err = {0};
	if (support_dump_load(&text, 1, opt, 0, &err) < 0)
		fail_msg("load: %s:%ld:%ld: %s", err.file, err.line, err.column, err.message);
}

void support_dump_load_fails(const char *text, int strict, long line, long column, const char *want)
{
	struct amber_error err = {0};
	assert_int_equal(support_dump_load(&text, 1, NULL, strict, &err), -1);
	if (err.line != line || err.column != column || !strstr(err.message, want) ||
	    strcmp(err.file, "unit.sql") != 0)
		fail_msg("got %s:%ld:%ld: %s\nwant unit.sql:%ld:%ld: …%s…", err.file, err.line, err.column,
			 err.message, line, column, want);
	struct stat sb;
	assert_int_equal(stat(dump_db_path, &sb), 0);
	assert_int_equal(sb.st_size, 0);
}

static int add_row(void *arg, int ncols, char **values, char **names)
{
	(void)names;
	struct buf *out = arg;
	if (out->len)
		buf_addc(out, '\n');
	for (int i = 0; i < ncols; i++)
		buf_addf(out, "%s%s", i ? "|" : "", values[i] ? values[i] : "NULL");
	return 0;
}

void support_dump_check_query(const char *sql, const char *want)
{
	sqlite3 *db;
	assert_int_equal(sqlite3_open_v2(dump_db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	struct buf out = BUF_INIT;
	char *msg = NULL;
	if (sqlite3_exec(db, sql, add_row, &out, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
	sqlite3_close(db);
	buf_adds(&out, "");
	if (strcmp(out.data, want) != 0)
		fail_msg("%s:\n got  %s\n want %s", sql, out.data, want);
	buf_free(&out);
}
