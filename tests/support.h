/* support.h — helpers shared by the cmocka unit tests: temporary files and directories that
 * the teardown removes (also after a failed assertion), optionally compressed by libarchive's
 * writer, and loading unit SQL texts through a dump translator and querying the result. */
#ifndef AMBER_TEST_SUPPORT_H
#define AMBER_TEST_SUPPORT_H

#include <stddef.h>

/* A new empty temporary file in /tmp; returns its path (valid until support_temp_remove_all). */
const char *support_temp_new(void);
/* A temporary file holding exactly `len` bytes of `data`. */
const char *support_temp_with(const void *data, size_t len);
/* A temporary file holding `data` compressed with libarchive filter `filter` (ARCHIVE_FILTER_*). */
const char *support_temp_compressed(int filter, const void *data, size_t len);
/* Removes every temporary file made so far. */
void support_temp_remove_all(void);
/* A cmocka teardown that calls support_temp_remove_all. */
int support_temp_teardown(void **state);

/* Makes a new directory /tmp/amber_test_<name>_XXXXXX and writes its path into `dir`.
 * Returns 0, or -1 if it cannot be made. */
int support_temp_dir(char *dir, size_t size, const char *name);
/* Removes everything in `path` (and in its subdirectories), then `path`. */
void support_remove_tree(const char *path);

struct amber_error;
struct dump;
struct progress;
struct sqldump_options;

/* One translator's load of the input at `path` into `d` (all passes it needs). */
typedef int (*support_load_fn)(struct dump *d, const char *path, const struct sqldump_options *opt,
			       struct amber_error *err);

/* Sets the translator the support_dump_* helpers load with and the progress it reports to. */
void support_dump_use(support_load_fn load_one, struct progress *prog);
/* Writes each of the `n` texts to a temporary file (removing those of an earlier load) and loads
 * them in order into a new scratch database. Returns 0, or -1 with err set (the database then
 * left empty). */
int support_dump_load(const char *const *texts, size_t n, const struct sqldump_options *opt, int strict,
		      struct amber_error *err);
/* Loads `text` alone, failing the test if it does not load. */
void support_dump_load_ok(const char *text, const struct sqldump_options *opt);
/* Fails the test unless loading `text` alone fails at unit.sql:line:column with a message
 * containing `want`, and leaves the database empty. */
void support_dump_load_fails(const char *text, int strict, long line, long column, const char *want);
/* Fails the test unless the rows of `sql` on the last loaded database, columns joined by "|",
 * rows by "\n", NULL as "NULL", are `want`. */
void support_dump_check_query(const char *sql, const char *want);

#endif
