/* cleanup.c — remove registered temporary files on a fatal signal (see cleanup.h). */
#include "core/cleanup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAX_PATHS 16

static char paths[MAX_PATHS][4096];
static volatile sig_atomic_t used[MAX_PATHS];

enum { FREE = 0, FILE_PATH, TREE_PATH };

static void add(const char *path, int kind)
{
	for (int i = 0; i < MAX_PATHS; i++)
		if (used[i] == FREE) {
			snprintf(paths[i], sizeof paths[i], "%s", path);
			used[i] = kind;
			return;
		}
}

void cleanup_add(const char *path)
{
	add(path, FILE_PATH);
}

void cleanup_add_tree(const char *path)
{
	add(path, TREE_PATH);
}

/* Uses only system calls (no malloc, no stdio) so that the signal handler may call it. */
static void remove_at(int dirfd, const char *name, int depth)
{
	if (unlinkat(dirfd, name, 0) == 0 || (errno != EISDIR && errno != EPERM) || depth > 16)
		return;
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return;
	char entries[4096];
	long n;
	int passes = 0;
	/* Removing entries while reading the directory may skip some: read again from the start
	 * until a pass finds nothing but "." and "..". */
	while ((n = syscall(SYS_getdents64, fd, entries, sizeof entries)) > 0) {
		int removed = 0;
		for (long off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(entries + off);
			off += d->d_reclen;
			if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
				continue;
			remove_at(fd, d->d_name, depth + 1);
			removed = 1;
		}
		if (removed && ++passes < 64)
			lseek(fd, 0, SEEK_SET);
	}
	close(fd);
	unlinkat(dirfd, name, AT_REMOVEDIR);
}

void cleanup_remove_tree(const char *path)
{
	remove_at(AT_FDCWD, path, 0);
}

void cleanup_forget(const char *path)
{
	for (int i = 0; i < MAX_PATHS; i++)
		if (used[i] != FREE && strcmp(paths[i], path) == 0)
			used[i] = FREE;
}

static void on_signal(int sig)
{
	for (int i = 0; i < MAX_PATHS; i++)
		if (used[i] == FILE_PATH)
			unlink(paths[i]);
		else if (used[i] == TREE_PATH)
			cleanup_remove_tree(paths[i]);
	static const char msg[] = "\namber: interrupted; temporary files removed\n";
	ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
	(void)ignored;
	_exit(128 + sig);
}

void cleanup_install_signal_handlers(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}
