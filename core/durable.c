/* durable.c — fsync of files, directories and parents (see durable.h). */
#include "core/durable.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int durable_fsync(const char *path, int directory)
{
	int fd = open(path, (directory ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

int durable_fsync_parent(const char *path)
{
	char parent[4096];
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(parent, sizeof parent, ".");
	else if (slash == path)
		snprintf(parent, sizeof parent, "/");
	else
		snprintf(parent, sizeof parent, "%.*s", (int)(slash - path), path);
	return durable_fsync(parent, 1);
}
