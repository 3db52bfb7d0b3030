/* main.c — the amber CLI: a table of verbs, each handled by cmd_<verb>() in its own file. */
#include "cmd/amber/cmds.h"
#include "core/loader.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct verb {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static const struct verb verbs[] = {
    {"convert", cmd_convert, "load SQL dumps, CSV, TSV or GeoNames files into an immutable SQLite database"},
    {"build", cmd_build, "convert, then write a FROM-scratch container image with the server (no daemon)"},
    {"inspect", cmd_inspect, "show an image's reference, layers, config, labels and tables"},
    {"verify", cmd_verify, "check every digest, size and diff_id of an image, and its database"},
    {"run", cmd_run, "run an image's own server from its unpacked layers, with no daemon and no root"},
    {"serve", cmd_serve, "serve a SQLite database made by amber over HTTP (development)"},
    {"k8s", cmd_k8s, "print a Kubernetes Deployment and Service for an image"},
};

int amber_sibling(const char *name, char *out, size_t size)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		return -1;
	self[n] = '\0';
	char *slash = strrchr(self, '/');
	snprintf(out, size, "%.*s/%s", slash ? (int)(slash - self) : 1, slash ? self : ".", name);
	return 0;
}

static void usage(FILE *out)
{
	fputs("usage: amber <command> [options]\n\n"
	      "amber bakes read-only datasets into SQLite databases and container images.\n\ncommands:\n",
	      out);
	for (size_t i = 0; i < sizeof verbs / sizeof *verbs; i++)
		fprintf(out, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
	fputs("\n'amber <command> --help' describes a command.\n", out);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		printf("amber %s\n", AMBER_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof verbs / sizeof *verbs; i++)
		if (strcmp(argv[1], verbs[i].name) == 0)
			return verbs[i].run(argc - 1, argv + 1);
	fprintf(stderr, "amber: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
