/* support.h — helpers shared by the cmocka unit tests: temporary files that the teardown
 * removes (also after a failed assertion), optionally compressed by libarchive's writer. */
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

#endif
