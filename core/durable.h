/* durable.h — making a finished output survive a crash: fsync a file or directory, and the
 * directory that holds a name just renamed into place. Used wherever an output is written
 * under a temporary name and renamed (core/loader, core/image_out). */
#ifndef AMBER_DURABLE_H
#define AMBER_DURABLE_H

/* fsyncs `path` (a directory when `directory` is set). Returns 0, or -1 with errno set. */
int durable_fsync(const char *path, int directory);
/* fsyncs the directory holding `path` ("." for a bare name), so a rename there is durable. */
int durable_fsync_parent(const char *path);

#endif
