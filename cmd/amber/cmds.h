/* cmds.h — the verbs of the amber CLI, one file each in cmd/amber/, and the option parsing
 * they share. */
#ifndef AMBER_CMDS_H
#define AMBER_CMDS_H

#include "core/convert.h"
#include "core/progress.h"

#include <getopt.h>

int cmd_convert(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_k8s(int argc, char **argv);
/* Writes the path of the program `name` installed beside the running amber (through
 * /proc/self/exe) into out. Returns 0, or -1 with errno when /proc/self/exe cannot be read. */
int amber_sibling(const char *name, char *out, size_t size);

/* Prints "amber VERB: message" and a hint to stderr; returns 2, the usage exit code. */
int cmd_usage_error(const char *verb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The options of `amber convert`, for getopt_long with optstring "-o:qhf:t:d:" (plus a verb's own). */
enum {
	CONVERT_OPT_FORCE = 256,
	CONVERT_OPT_CHECK,
	CONVERT_OPT_SKIP,
	CONVERT_OPT_SCHEMA,
	CONVERT_OPT_NO_HEADER,
	CONVERT_OPT_PK,
	CONVERT_OPT_INDEX,
	CONVERT_OPT_TABLE, /* --table; -t is --table for convert and --tag for build */
	CONVERT_OPT_STRICT,
	CONVERT_OPT_INVALID_UTF8,
	CONVERT_OPT_DATABASE,
	CONVERT_OPT_LAST /* verbs number their own options from here */
};
extern const struct option convert_longopts[]; /* ends with a zero entry; 16 entries before it */
#define CONVERT_LONGOPTS_COUNT 16

struct convert_args {
	struct convert_options opt;
	struct convert_input pending; /* table options given since the last INPUT */
	int pending_set;
	int quiet;
	struct progress progress;
};
/* Takes one getopt_long result: 1 when it was a convert option, 0 when not, -2 after printing a
 * usage error. */
int convert_args_take(struct convert_args *a, int c, const char *arg, const char *verb);
/* Applies trailing table options, reads SOURCE_DATE_EPOCH, sets up progress. 0, or 2 after
 * printing a usage error. */
int convert_args_finish(struct convert_args *a, const char *verb);
void convert_args_free(struct convert_args *a);

#endif
