/* cleanup.c — remove registered temporary files on a fatal signal (see cleanup.h). */
#include "core/cleanup.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_PATHS 16

static char paths[MAX_PATHS][4096];
static volatile sig_atomic_t used[MAX_PATHS];

void cleanup_add(const char *path)
{
	for (int i = 0; i < MAX_PATHS; i++)
		if (!used[i]) {
			snprintf(paths[i], sizeof paths[i], "%s", path);
			used[i] = 1;
			return;
		}
}

void cleanup_forget(const char *path)
{
	for (int i = 0; i < MAX_PATHS; i++)
		if (used[i] && strcmp(paths[i], path) == 0)
			used[i] = 0;
}

static void on_signal(int sig)
{
	for (int i = 0; i < MAX_PATHS; i++)
		if (used[i])
			unlink(paths[i]);
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
