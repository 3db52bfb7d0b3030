/* cleanup.h — temporary files that must not outlive an interrupted run.
 *
 * Outputs are written under temporary names and renamed at the end; if the process is
 * stopped by SIGINT, SIGTERM or SIGHUP in between, the handler removes every path still
 * registered, so nothing half-written is left behind. */
#ifndef AMBER_CLEANUP_H
#define AMBER_CLEANUP_H

/* Registers a path (copied) for removal on a fatal signal. At most 16 at once. */
void cleanup_add(const char *path);
/* Registers a directory (copied) whose whole tree is removed on a fatal signal. */
void cleanup_add_tree(const char *path);
/* Removes a directory tree now (best effort; symlinks are removed, never followed). */
void cleanup_remove_tree(const char *path);
/* Forgets a path (after it was renamed into place or removed). */
void cleanup_forget(const char *path);
/* Installs the signal handlers; the process then exits with 128 + signal. */
void cleanup_install_signal_handlers(void);

#endif
