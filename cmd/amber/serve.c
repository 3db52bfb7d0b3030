/* serve.c — `amber serve DB`: the server straight on a SQLite file, for development.
 *
 * It executes the amberd installed beside amber (found through /proc/self/exe) rather than
 * running core/server in-process: amberd's flags, AMBER_* variables, database check, start
 * line, drain and exit codes live in cmd/amberd/main.c, and `amber run` also runs an amberd, so
 * exec keeps one behaviour for the image, `amber run` and `amber serve` instead of a second
 * copy of that option handling that could drift. Being exec'd, the server gets Ctrl-C and
 * SIGTERM itself. */
#include "cmd/amber/cmds.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SERVE_DEFAULT_LISTEN "127.0.0.1:8080"

static const char usage_text[] =
    "usage: amber serve DB [--listen ADDR:PORT] [-- SERVER-ARGS...]\n"
    "\n"
    "Serves a SQLite database made by amber over HTTP with no image, for development: runs the\n"
    "amberd that sits beside amber with --db DB, --listen and the SERVER-ARGS (amberd --help).\n"
    "\n"
    "options:\n"
    "  --listen ADDR:PORT  the server's address; port 0 picks a free one [" SERVE_DEFAULT_LISTEN "]\n"
    "  -h, --help          this text\n"
    "\n"
    "Ctrl-C or SIGTERM stops the server: it drains its requests and exits 0.\n";

/* The amberd beside the running amber. */
static int find_amberd(char *out, size_t len)
{
	if (amber_sibling("amberd", out, len) < 0) {
		fprintf(stderr, "amber serve: cannot find the running amber: %s\n", strerror(errno));
		return -1;
	}
	if (access(out, X_OK) < 0) {
		fprintf(stderr,
			"amber serve: %s: %s (amberd is installed beside amber; 'make' builds both)\n", out,
			strerror(errno));
		return -1;
	}
	return 0;
}

int cmd_serve(int argc, char **argv)
{
	const char *db = NULL, *listen = NULL;
	int first_server_arg = argc, named = 0;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (strcmp(arg, "--") == 0) {
			first_server_arg = i + 1;
			break;
		}
		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)
			return fputs(usage_text, stdout), 0;
		if (strncmp(arg, "--listen=", 9) == 0)
			listen = arg + 9;
		else if (strcmp(arg, "--listen") == 0 && i + 1 < argc)
			listen = argv[++i];
		else if (arg[0] == '-')
			return cmd_usage_error("serve", "unknown option or missing value: '%s'", arg);
		else if (db)
			return cmd_usage_error("serve", "give one DB (server arguments go after --)");
		else
			db = arg;
	}
	if (!db)
		return cmd_usage_error("serve", "give a DB");
	if (listen && !*listen)
		return cmd_usage_error("serve", "--listen needs ADDR:PORT");
	for (int i = first_server_arg; i < argc; i++)
		named |= strcmp(argv[i], "--listen") == 0 || strncmp(argv[i], "--listen=", 9) == 0;

	char amberd[PATH_MAX + 8];
	if (find_amberd(amberd, sizeof amberd) < 0)
		return 1;
	/* amberd --db DB SERVER-ARGS... [--listen ADDR]: amberd takes the last --listen, so an
	 * explicit one wins over the args and the default does not. */
	char **args = calloc((size_t)argc + 8, sizeof *args);
	if (!args)
		abort();
	int n = 0;
	args[n++] = amberd;
	args[n++] = "--db";
	args[n++] = (char *)db;
	for (int i = first_server_arg; i < argc; i++)
		args[n++] = argv[i];
	if (listen || !named) {
		args[n++] = "--listen";
		args[n++] = (char *)(listen ? listen : SERVE_DEFAULT_LISTEN);
	}
	args[n] = NULL;
	execv(amberd, args);
	fprintf(stderr, "amber serve: cannot start %s: %s\n", amberd, strerror(errno));
	free(args);
	return 1;
}
