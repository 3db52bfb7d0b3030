/* run.c — `amber run IMAGE`: an image's own server, with no daemon and no root.
 *
 * Opens and checks the image, unpacks its layers (verified while streaming) into the cache or a
 * temporary tree (core/unpack), then starts the image's entrypoint, /amberd, with its cmd and
 * env, absolute paths that name something in the image mapped to the unpacked tree. With the
 * cache, amber becomes the server (exec), so Ctrl-C and SIGTERM reach it directly and it drains
 * and exits 0 by itself. With --no-cache, amber stays as the parent: it forwards the signals,
 * waits, removes the tree and exits with the server's status. */
#include "cmd/amber/cmds.h"
#include "core/cleanup.h"
#include "core/unpack.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define RUN_DEFAULT_LISTEN "127.0.0.1:8080"
#define PATH_LEN	   4096

extern char **environ;

static const char usage_text[] =
    "usage: amber run IMAGE [--listen ADDR:PORT] [--no-cache] [-- SERVER-ARGS...]\n"
    "\n"
    "Runs an image's own server with no daemon and no root. IMAGE is an OCI layout directory, an\n"
    "OCI archive or a docker-archive. Its layers are checked (sha256, size, diff_id) while they\n"
    "are unpacked, once, into $XDG_CACHE_HOME/amber/<digest>/rootfs (else ~/.cache/amber/...);\n"
    "later runs reuse that tree. Then the image's entrypoint (/amberd) starts with the image's\n"
    "cmd and env; absolute paths that exist in the image (/data/amber.db) are mapped into the\n"
    "unpacked tree. AMBER_* variables of your environment reach the server (amberd --help).\n"
    "\n"
    "options:\n"
    "  --listen ADDR:PORT  the server's address; port 0 picks a free one [" RUN_DEFAULT_LISTEN "]\n"
    "  --no-cache          unpack into a temporary tree, removed when the server exits\n"
    "  -- SERVER-ARGS      replace the image's cmd, as `docker run IMAGE ARGS` does\n"
    "  -h, --help          this text\n"
    "\n"
    "Ctrl-C or SIGTERM stops the server: it drains its requests and exits 0.\n";

struct run_args {
	const char *image;
	const char *listen; /* NULL: the default, unless the server's args name one */
	int no_cache;
	char **server_args; /* after "--"; NULL when none were given */
	int nserver_args;
};

static int parse_args(int argc, char **argv, struct run_args *a)
{
	memset(a, 0, sizeof *a);
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		if (strcmp(arg, "--") == 0) {
			a->server_args = argv + i + 1;
			a->nserver_args = argc - i - 1;
			break;
		}
		if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)
			return fputs(usage_text, stdout), 0;
		if (strcmp(arg, "--no-cache") == 0)
			a->no_cache = 1;
		else if (strncmp(arg, "--listen=", 9) == 0)
			a->listen = arg + 9;
		else if (strcmp(arg, "--listen") == 0 && i + 1 < argc)
			a->listen = argv[++i];
		else if (arg[0] == '-')
			return cmd_usage_error("run", "unknown option or missing value: '%s'", arg);
		else if (a->image)
			return cmd_usage_error("run", "give one IMAGE (server arguments go after --)");
		else
			a->image = arg;
	}
	if (!a->image)
		return cmd_usage_error("run", "give an IMAGE");
	if (a->listen && !*a->listen)
		return cmd_usage_error("run", "--listen needs ADDR:PORT");
	return -1; /* go on */
}

/* ---- the command line and environment, as the image's config has them ---- */

/* A growable NULL-terminated vector of strings it owns. */
struct strv {
	char **v;
	size_t n, cap;
};

static void strv_add(struct strv *s, const char *str)
{
	if (s->n + 2 > s->cap) {
		s->cap = s->cap ? s->cap * 2 : 16;
		if (!(s->v = realloc(s->v, s->cap * sizeof *s->v)))
			abort();
	}
	if (!(s->v[s->n++] = strdup(str)))
		abort();
	s->v[s->n] = NULL;
}

static void strv_free(struct strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
	memset(s, 0, sizeof *s);
}

static void strv_add_json(struct strv *s, json_t *array)
{
	size_t i;
	json_t *v;
	json_array_foreach(array, i, v) if (json_is_string(v)) strv_add(s, json_string_value(v));
}

/* The image's view of the command: entrypoint + (server args, else cmd), and --listen. */
static void image_command(const struct image *img, const struct run_args *a, struct strv *cmd)
{
	json_t *config = json_object_get(img->config, "config");
	strv_add_json(cmd, json_object_get(config, "Entrypoint"));
	if (a->server_args)
		for (int i = 0; i < a->nserver_args; i++)
			strv_add(cmd, a->server_args[i]);
	else
		strv_add_json(cmd, json_object_get(config, "Cmd"));
	int named = 0;
	for (size_t i = 1; i < cmd->n; i++)
		named |= strcmp(cmd->v[i], "--listen") == 0 || strncmp(cmd->v[i], "--listen=", 9) == 0;
	/* amberd takes the last --listen: an explicit one wins over the args, the default does not. */
	if (a->listen || !named) {
		strv_add(cmd, "--listen");
		strv_add(cmd, a->listen ? a->listen : RUN_DEFAULT_LISTEN);
	}
}

/* An absolute path that names something in the image becomes the host path of it in `root`; so
 * does the value of "--flag=/path". Anything else is passed as it is. */
static int map_path(const char *root, const char *value, struct strv *out, struct amber_error *err)
{
	const char *eq = value[0] == '-' ? strchr(value, '=') : NULL;
	const char *path = eq ? eq + 1 : value;
	char host[PATH_LEN], mapped[PATH_LEN + 256];
	int r = path[0] == '/' ? unpack_resolve(root, path, host, sizeof host, err) : 0;
	if (r < 0)
		return -1;
	if (r == 0) {
		strv_add(out, value);
		return 0;
	}
	snprintf(mapped, sizeof mapped, "%.*s%s", (int)(path - value), value, host);
	strv_add(out, mapped);
	return 0;
}

static int map_command(const char *root, const struct strv *cmd, struct strv *argv, struct amber_error *err)
{
	for (size_t i = 0; i < cmd->n; i++)
		if (map_path(root, cmd->v[i], argv, err) < 0)
			return -1;
	return 0;
}

/* "KEY=VALUE" with VALUE mapped. */
static int map_env_entry(const char *root, const char *entry, struct strv *env, struct amber_error *err)
{
	const char *eq = strchr(entry, '=');
	if (!eq)
		return 0;
	struct strv one = {0};
	if (map_path(root, eq + 1, &one, err) < 0)
		return -1;
	size_t len = (size_t)(eq - entry) + 1 + strlen(one.v[0]) + 1;
	char *kv = malloc(len);
	if (!kv)
		abort();
	snprintf(kv, len, "%.*s=%s", (int)(eq - entry), entry, one.v[0]);
	/* A later entry with the same key replaces an earlier one. */
	for (size_t i = 0; i < env->n; i++)
		if (strncmp(env->v[i], kv, (size_t)(eq - entry) + 1) == 0) {
			free(env->v[i]);
			env->v[i] = kv;
			kv = NULL;
			break;
		}
	if (kv) {
		strv_add(env, kv);
		free(kv);
	}
	strv_free(&one);
	return 0;
}

/* The image's Env, then the AMBER_* variables of our environment, which win (as docker run -e). */
static int map_env(const char *root, const struct image *img, struct strv *env, struct amber_error *err)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(json_object_get(img->config, "config"), "Env"), i, v)
	{
		if (json_is_string(v) && map_env_entry(root, json_string_value(v), env, err) < 0)
			return -1;
	}
	for (char **e = environ; *e; e++)
		if (strncmp(*e, "AMBER_", 6) == 0 && map_env_entry(root, *e, env, err) < 0)
			return -1;
	return 0;
}

/* ---- starting the server ---- */

static void print_command(const struct strv *cmd)
{
	fputs("amber run: starting", stderr);
	for (size_t i = 0; i < cmd->n; i++)
		fprintf(stderr, " %s", cmd->v[i]);
	fputc('\n', stderr);
	fflush(stderr);
}

static void enter_workdir(const char *root, const struct image *img)
{
	const char *wd =
	    json_string_value(json_object_get(json_object_get(img->config, "config"), "WorkingDir"));
	char host[PATH_LEN];
	struct amber_error ignored;
	if (!wd || unpack_resolve(root, wd, host, sizeof host, &ignored) != 1 || chdir(host) < 0)
		if (chdir(root) < 0)
			fprintf(stderr, "amber run: cannot enter %s: %s\n", root, strerror(errno));
}

static volatile sig_atomic_t server_pid;

static void forward_signal(int sig)
{
	if (server_pid > 0)
		kill(server_pid, sig);
}

static void set_handlers(void (*handler)(int))
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

/* Runs the server as a child, forwarding SIGINT/TERM/HUP, and returns its status as an exit code. */
static int run_child(char **argv, char **envp)
{
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	/* Blocked across fork, so that no signal falls between the child's start and the handler. */
	sigprocmask(SIG_BLOCK, &block, &old);
	pid_t pid = fork();
	if (pid < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		fprintf(stderr, "amber run: cannot fork: %s\n", strerror(errno));
		return 1;
	}
	if (pid == 0) {
		set_handlers(SIG_DFL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		execve(argv[0], argv, envp);
		fprintf(stderr, "amber run: cannot start %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	server_pid = pid;
	set_handlers(forward_signal);
	sigprocmask(SIG_SETMASK, &old, NULL);
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			fprintf(stderr, "amber run: cannot wait for the server: %s\n", strerror(errno));
			return 1;
		}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* ---- the two ways to get a tree ---- */

static int tree_from_cache(struct image *img, const char *entrypoint, char *root, size_t len,
			   struct amber_error *err)
{
	char cache[PATH_LEN];
	int cached;
	struct unpack summary = {0};
	if (unpack_cache_dir(cache, sizeof cache, err) < 0 ||
	    unpack_image_cached(img, cache, entrypoint, root, len, &cached, &summary, err) < 0)
		return -1;
	if (cached)
		fprintf(stderr, "amber run: using cached %s\n", root);
	else
		fprintf(stderr, "amber run: unpacked %zu layer%s (%llu files) into %s\n", img->nlayers,
			img->nlayers == 1 ? "" : "s", (unsigned long long)summary.files, root);
	if (summary.skipped_devices)
		fprintf(stderr, "amber run: skipped %llu device node%s\n",
			(unsigned long long)summary.skipped_devices, summary.skipped_devices == 1 ? "" : "s");
	return 0;
}

static int tree_temporary(struct image *img, const char *entrypoint, char *tmp, size_t len,
			  struct amber_error *err)
{
	const char *base = getenv("TMPDIR");
	snprintf(tmp, len, "%s/amber-run-XXXXXX", base && base[0] == '/' ? base : "/tmp");
	if (!mkdtemp(tmp))
		return amber_error_at(err, tmp, 0, 0, "cannot create a temporary directory: %s",
				      strerror(errno));
	cleanup_add_tree(tmp);
	if (unpack_image(img, tmp, 0, NULL, err) < 0)
		return -1;
	if (unpack_check_executable(tmp, entrypoint, err) < 0) {
		char what[sizeof err->file + sizeof err->message + 2];
		snprintf(what, sizeof what, "%s: %s", err->file, err->message);
		return amber_error_at(err, img->path, 0, 0, "%.700s", what);
	}
	fprintf(stderr, "amber run: unpacked %zu layer%s into temporary %s\n", img->nlayers,
		img->nlayers == 1 ? "" : "s", tmp);
	return 0;
}

/* Unpacks, builds the command line and environment, and starts the server. */
static int run_image(struct image *img, const struct run_args *a, struct amber_error *err)
{
	struct strv cmd = {0}, argv = {0}, env = {0};
	char root[PATH_LEN];
	int status = 1;
	root[0] = '\0';
	image_command(img, a, &cmd);
	if (cmd.n == 0 || cmd.v[0][0] != '/') {
		amber_error_at(err, img->path, 0, 0, "the image's config has no absolute entrypoint (%s)",
			       cmd.n ? cmd.v[0] : "none");
		goto out;
	}
	if ((a->no_cache ? tree_temporary(img, cmd.v[0], root, sizeof root, err)
			 : tree_from_cache(img, cmd.v[0], root, sizeof root, err)) < 0)
		goto out;
	if (unpack_check_executable(root, cmd.v[0], err) < 0 || map_command(root, &cmd, &argv, err) < 0 ||
	    map_env(root, img, &env, err) < 0)
		goto out;
	char *no_env[] = {NULL};
	char **envp = env.v ? env.v : no_env;
	print_command(&cmd);
	enter_workdir(root, img);
	if (a->no_cache) {
		status = run_child(argv.v, envp);
	} else {
		execve(argv.v[0], argv.v, envp);
		amber_error_at(err, argv.v[0], 0, 0, "cannot start: %s", strerror(errno));
	}
out:
	if (a->no_cache && root[0]) {
		cleanup_remove_tree(root);
		cleanup_forget(root);
	}
	strv_free(&cmd);
	strv_free(&argv);
	strv_free(&env);
	return status;
}

int cmd_run(int argc, char **argv)
{
	struct run_args a;
	int rc = parse_args(argc, argv, &a);
	if (rc >= 0)
		return rc;
	cleanup_install_signal_handlers();
	struct amber_error err = {0};
	struct image img;
	int status = 1;
	if (image_open(a.image, &img, &err) == 0)
		status = run_image(&img, &a, &err);
	if (err.message[0])
		amber_error_print(&err, "amber run", stderr);
	image_close(&img);
	return err.message[0] ? 1 : status;
}
