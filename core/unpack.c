/* unpack.c — image layers into a root filesystem, resolved inside the root, and the run cache
 * (see unpack.h). */
#include "core/unpack.h"
#include "core/cleanup.h"
#include "core/durable.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define WHITEOUT	".wh."
#define WHITEOUT_META	".wh..wh."
#define WHITEOUT_OPAQUE ".wh..wh..opq"
#define STALE_SECONDS	3600

/* ---- the paths the current layer made: an open-addressing set of strings ---- */

struct unpack_set {
	char **slots;
	size_t cap, count; /* cap: a power of two */
};

static uint64_t name_hash(const char *s)
{
	uint64_t h = 14695981039346656037ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static char **set_slot(const struct unpack_set *set, const char *name)
{
	size_t i = name_hash(name) & (set->cap - 1);
	while (set->slots[i] && strcmp(set->slots[i], name) != 0)
		i = (i + 1) & (set->cap - 1);
	return &set->slots[i];
}

static int set_has(const struct unpack_set *set, const char *name)
{
	return set->cap && *set_slot(set, name) != NULL;
}

static void set_add(struct unpack_set *set, const char *name)
{
	if ((set->count + 1) * 2 > set->cap) {
		struct unpack_set bigger = {calloc(set->cap ? set->cap * 2 : 64, sizeof(char *)),
					    set->cap ? set->cap * 2 : 64, set->count};
		if (!bigger.slots)
			abort();
		for (size_t i = 0; i < set->cap; i++)
			if (set->slots[i])
				*set_slot(&bigger, set->slots[i]) = set->slots[i];
		free(set->slots);
		*set = bigger;
	}
	char **slot = set_slot(set, name);
	if (*slot)
		return;
	if (!(*slot = strdup(name)))
		abort();
	set->count++;
}

static void set_clear(struct unpack_set *set)
{
	assert(set != NULL); /* unpack_init succeeded */
	for (size_t i = 0; i < set->cap; i++)
		free(set->slots[i]);
	free(set->slots);
	memset(set, 0, sizeof *set);
}

/* Marks `name` and every directory above it as the current layer's. */
static void mark(struct unpack *u, const char *name)
{
	char path[TAR_NAME_MAX];
	snprintf(path, sizeof path, "%s", name);
	for (;;) {
		set_add(u->layer_paths, path);
		char *slash = strrchr(path, '/');
		if (!slash)
			return;
		*slash = '\0';
	}
}

/* ---- paths resolved inside the root ---- */

/* openat2 with every jump to "/" or ".." kept inside `rootfd`, as a chroot would. */
static int open_in_root(int rootfd, const char *path, int flags)
{
	struct open_how how = {.flags = (uint64_t)(flags | O_CLOEXEC),
			       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
	while (*path == '/')
		path++;
	return (int)syscall(SYS_openat2, rootfd, *path ? path : ".", &how, sizeof how);
}

static int open_failed(const char *name, const char *what, struct amber_error *err)
{
	if (errno == ENOSYS)
		return amber_error_at(err, name, 0, 0,
				      "cannot %s: amber run needs Linux 5.6 or later (openat2)", what);
	return amber_error_at(err, name, 0, 0, "cannot %s: %s", what, strerror(errno));
}

/* Strips "./" prefixes and a trailing '/'; "" is the root itself. */
static void normalize(const char *name, char out[TAR_NAME_MAX])
{
	while (name[0] == '.' && name[1] == '/')
		for (name += 2; *name == '/';)
			name++;
	snprintf(out, TAR_NAME_MAX, "%s", strcmp(name, ".") == 0 ? "" : name);
	size_t n = strlen(out);
	while (n > 0 && out[n - 1] == '/')
		out[--n] = '\0';
}

/* Splits "a/b/c" into its parent "a/b" (written to `parent`) and returns the base "c". */
static const char *split(const char *name, char parent[TAR_NAME_MAX])
{
	const char *slash = strrchr(name, '/');
	if (!slash) {
		parent[0] = '\0';
		return name;
	}
	snprintf(parent, TAR_NAME_MAX, "%.*s", (int)(slash - name), name);
	return slash + 1;
}

/* Opens directory `dir` (in the root), creating what is missing of it as 0755 directories
 * that the current layer made. */
static int open_dir_creating(struct unpack *u, const char *dir, struct amber_error *err)
{
	int fd = open_in_root(u->rootfd, dir, O_RDONLY | O_DIRECTORY);
	if (fd >= 0 || errno != ENOENT)
		return fd >= 0 ? fd : open_failed(dir, "open directory", err);
	char parent[TAR_NAME_MAX];
	const char *base = split(dir, parent);
	int pfd = open_dir_creating(u, parent, err);
	if (pfd < 0)
		return -1;
	if (mkdirat(pfd, base, 0755) < 0 && errno != EEXIST) {
		close(pfd);
		return open_failed(dir, "create directory", err);
	}
	close(pfd);
	mark(u, dir);
	u->dirs++;
	fd = open_in_root(u->rootfd, dir, O_RDONLY | O_DIRECTORY);
	return fd >= 0 ? fd : open_failed(dir, "open directory", err);
}

/* Removes `name` in `dirfd`, a whole tree if it is a directory; never follows a symlink. */
static int remove_at(int dirfd, const char *name)
{
	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -1;
	int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (!d) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	int rc = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
		    remove_at(fd, e->d_name) < 0)
			rc = -1;
	closedir(d);
	return rc < 0 ? -1 : unlinkat(dirfd, name, AT_REMOVEDIR);
}

/* Clears the way for a new entry `base` in `pfd`: anything there goes, except a directory when
 * the new entry is one too (layers merge directories). Returns 1 when a directory was kept. */
static int make_room(int pfd, const char *base, int for_dir, const char *name, struct amber_error *err)
{
	struct stat st;
	if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 0
				       : amber_error_at(err, name, 0, 0, "cannot stat: %s", strerror(errno));
	if (for_dir && S_ISDIR(st.st_mode))
		return 1;
	if (remove_at(pfd, base) < 0)
		return amber_error_at(err, name, 0, 0, "cannot replace what a lower layer put there: %s",
				      strerror(errno));
	return 0;
}

/* ---- entries ---- */

static int add_file(struct unpack *u, int pfd, const char *base, const struct tar_header *h,
		    struct sink **data_out, struct amber_error *err)
{
	int fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return amber_error_at(err, u->name, 0, 0, "cannot create: %s", strerror(errno));
	u->fd = fd;
	u->mode = h->mode & 01777; /* no setuid, no setgid */
	sink_fd_init(&u->out, fd, u->name);
	*data_out = &u->out.base;
	u->files++;
	return 0;
}

static int add_dir(struct unpack *u, int pfd, const char *base, const struct tar_header *h, int exists,
		   struct amber_error *err)
{
	if (!exists && mkdirat(pfd, base, 0700) < 0)
		return amber_error_at(err, u->name, 0, 0, "cannot create directory: %s", strerror(errno));
	if (fchmodat(pfd, base, (h->mode & 01777) | 0700, 0) < 0)
		return amber_error_at(err, u->name, 0, 0, "cannot set mode: %s", strerror(errno));
	u->dirs += !exists;
	return 0;
}

static int add_hardlink(struct unpack *u, int pfd, const char *base, const struct tar_header *h,
			struct amber_error *err)
{
	char target[TAR_NAME_MAX], tparent[TAR_NAME_MAX];
	if (!tar_name_is_safe(h->linkname))
		return amber_error_at(err, u->name, 0, 0, "hard link to '%s': absolute or with '..': refused",
				      h->linkname);
	normalize(h->linkname, target);
	const char *tbase = split(target, tparent);
	int tfd = open_in_root(u->rootfd, tparent, O_RDONLY | O_DIRECTORY);
	if (tfd < 0)
		return open_failed(u->name, "link", err);
	int rc = linkat(tfd, tbase, pfd, base, 0);
	close(tfd);
	if (rc < 0)
		return amber_error_at(err, u->name, 0, 0, "cannot link to '%s': %s", h->linkname,
				      strerror(errno));
	u->links++;
	return 0;
}

static int add_node(struct unpack *u, int pfd, const char *base, const struct tar_header *h,
		    struct sink **data_out, struct amber_error *err)
{
	int is_dir = h->typeflag == '5';
	int kept = make_room(pfd, base, is_dir, u->name, err);
	if (kept < 0)
		return -1;
	switch (h->typeflag) {
	case '0':
	case '7':
		return add_file(u, pfd, base, h, data_out, err);
	case '5':
		return add_dir(u, pfd, base, h, kept, err);
	case '1':
		return add_hardlink(u, pfd, base, h, err);
	case '2':
		if (!h->linkname[0] || symlinkat(h->linkname, pfd, base) < 0)
			return amber_error_at(err, u->name, 0, 0, "cannot create symlink: %s",
					      h->linkname[0] ? strerror(errno) : "empty target");
		u->links++;
		return 0;
	case '6':
		if (mkfifoat(pfd, base, h->mode & 0777) < 0)
			return amber_error_at(err, u->name, 0, 0, "cannot create fifo: %s", strerror(errno));
		return 0;
	}
	return amber_error_at(err, u->name, 0, 0, "entry type '%c' is not supported", h->typeflag);
}

/* ".wh.NAME" removes NAME; ".wh..wh..opq" removes the directory's children; in both cases only
 * what lower layers made. Other ".wh..wh." names are aufs bookkeeping and are ignored. */
static int whiteout(struct unpack *u, const char *dir, const char *base, struct amber_error *err)
{
	int opaque = strcmp(base, WHITEOUT_OPAQUE) == 0;
	const char *victim = base + strlen(WHITEOUT);
	if (!opaque && (strncmp(base, WHITEOUT_META, strlen(WHITEOUT_META)) == 0))
		return 0;
	if (!opaque && (!*victim || strcmp(victim, ".") == 0 || strcmp(victim, "..") == 0))
		return amber_error_at(err, u->name, 0, 0, "whiteout of '%s': refused", victim);
	int dfd = open_in_root(u->rootfd, dir, O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		return errno == ENOENT ? 0 : open_failed(u->name, "apply whiteout", err);
	char path[TAR_NAME_MAX + sizeof((struct dirent *)0)->d_name + 1];
	int rc = 0;
	if (opaque) {
		if (*dir)
			mark(u, dir);
		int lfd = dup(dfd);
		DIR *d = lfd >= 0 ? fdopendir(lfd) : NULL;
		struct dirent *e;
		while (d && (e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof path, "%s%s%s", dir, *dir ? "/" : "", e->d_name);
			if (!set_has(u->layer_paths, path) && remove_at(dfd, e->d_name) < 0)
				rc = -1;
		}
		if (d)
			closedir(d);
		else
			rc = -1;
	} else {
		snprintf(path, sizeof path, "%s%s%s", dir, *dir ? "/" : "", victim);
		if (!set_has(u->layer_paths, path))
			rc = remove_at(dfd, victim);
	}
	close(dfd);
	if (rc < 0)
		return amber_error_at(err, u->name, 0, 0, "cannot apply whiteout: %s", strerror(errno));
	u->whiteouts++;
	return 0;
}

static int on_entry(void *ctx, const struct tar_header *h, struct sink **data_out, struct amber_error *err)
{
	struct unpack *u = ctx;
	if (!tar_name_is_safe(h->name))
		return amber_error_at(err, h->name, 0, 0, "unsafe name: absolute or with '..': refused");
	normalize(h->name, u->name);
	if (!u->name[0])
		return 0; /* the root itself: it stays the caller's directory */
	if (h->typeflag == '3' || h->typeflag == '4') {
		u->skipped_devices++;
		return 0;
	}
	char parent[TAR_NAME_MAX];
	const char *base = split(u->name, parent);
	if (strncmp(base, WHITEOUT, strlen(WHITEOUT)) == 0)
		return whiteout(u, parent, base, err);
	int pfd = open_dir_creating(u, parent, err);
	if (pfd < 0)
		return -1;
	int rc = add_node(u, pfd, base, h, data_out, err);
	close(pfd);
	if (rc == 0)
		mark(u, u->name);
	return rc;
}

static int on_entry_end(void *ctx, const struct tar_header *h, struct amber_error *err)
{
	struct unpack *u = ctx;
	(void)h;
	if (u->fd < 0)
		return 0;
	int fd = u->fd;
	u->fd = -1;
	int ok = fchmod(fd, u->mode) == 0 && (!u->sync || fsync(fd) == 0);
	if (close(fd) < 0)
		ok = 0;
	return ok ? 0 : amber_error_at(err, u->name, 0, 0, "cannot finish: %s", strerror(errno));
}

const struct tar_reader_callbacks unpack_callbacks = {on_entry, on_entry_end};

int unpack_init(struct unpack *u, const char *root, struct amber_error *err)
{
	memset(u, 0, sizeof *u);
	u->fd = -1;
	u->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (u->rootfd < 0)
		return amber_error_at(err, root, 0, 0, "cannot open: %s", strerror(errno));
	u->layer_paths = calloc(1, sizeof *u->layer_paths);
	if (!u->layer_paths)
		abort();
	return 0;
}

void unpack_layer_begin(struct unpack *u)
{
	set_clear(u->layer_paths);
}

void unpack_free(struct unpack *u)
{
	if (u->fd >= 0)
		close(u->fd);
	if (u->rootfd >= 0)
		close(u->rootfd);
	if (u->layer_paths)
		set_clear(u->layer_paths);
	free(u->layer_paths);
	u->layer_paths = NULL;
	u->fd = u->rootfd = -1;
}

int unpack_image(struct image *img, const char *root, int sync, struct unpack *summary,
		 struct amber_error *err)
{
	struct unpack u;
	if (unpack_init(&u, root, err) < 0)
		return -1;
	u.sync = sync;
	int rc = 0;
	for (size_t i = 0; i < img->nlayers && rc == 0; i++) {
		unpack_layer_begin(&u);
		rc = image_layer_read(img, i, &unpack_callbacks, &u, err);
	}
	unpack_free(&u);
	if (summary)
		*summary = u;
	return rc;
}

/* ---- checks on an unpacked tree ---- */

/* Opens `path` inside the tree at `root` (by open_in_root's rules) as an O_PATH descriptor into
 * *fd: -1 with errno set when it cannot be opened there. Returns 0, or -1 with err set when
 * `root` itself cannot be opened. */
static int open_path_in_tree(const char *root, const char *path, int *fd, struct amber_error *err)
{
	int rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return amber_error_at(err, root, 0, 0, "cannot open: %s", strerror(errno));
	*fd = open_in_root(rootfd, path, O_PATH);
	int saved = errno;
	close(rootfd);
	errno = saved;
	return 0;
}

int unpack_check_executable(const char *root, const char *path, struct amber_error *err)
{
	int fd;
	if (open_path_in_tree(root, path, &fd, err) < 0)
		return -1;
	if (fd < 0)
		return errno == ENOENT ? amber_error_at(err, path, 0, 0, "not in the image")
				       : open_failed(path, "open", err);
	struct stat st;
	int rc = fstat(fd, &st);
	close(fd);
	if (rc < 0 || !S_ISREG(st.st_mode))
		return amber_error_at(err, path, 0, 0, "not a regular file in the image");
	if (!(st.st_mode & 0111))
		return amber_error_at(err, path, 0, 0, "not executable in the image (mode %04o)",
				      (unsigned)(st.st_mode & 07777));
	return 0;
}

int unpack_resolve(const char *root, const char *path, char *out, size_t len, struct amber_error *err)
{
	int fd;
	if (open_path_in_tree(root, path, &fd, err) < 0)
		return -1;
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? 0 : open_failed(path, "resolve", err);
	char link[64], host[4096];
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, host, sizeof host - 1);
	close(fd);
	if (n < 0 || (size_t)n >= len)
		return amber_error_at(err, path, 0, 0, "cannot resolve in %s: %s", root,
				      n < 0 ? strerror(errno) : "path too long");
	memcpy(out, host, (size_t)n);
	out[n] = '\0';
	return 1;
}

/* ---- the cache ---- */

void unpack_cache_key(const struct image *img, char key[DIGEST_HEX_LEN + 1])
{
	const char *d = img->manifest_digest[0] ? img->manifest_digest : img->config_digest;
	snprintf(key, DIGEST_HEX_LEN + 1, "%s", d + strlen(OCI_DIGEST_PREFIX));
}

int unpack_cache_dir(char *out, size_t len, struct amber_error *err)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	int n;
	if (xdg && xdg[0] == '/')
		n = snprintf(out, len, "%s/amber", xdg);
	else if (home && home[0])
		n = snprintf(out, len, "%s/.cache/amber", home);
	else
		return amber_error_set(err,
				       "no cache directory: set XDG_CACHE_HOME or HOME (or use --no-cache)");
	if (n < 0 || (size_t)n >= len)
		return amber_error_set(err, "cache directory path too long");
	return 0;
}

/* mkdir -p, new directories 0700 as the XDG spec asks of a cache. */
static int make_dirs(const char *path, struct amber_error *err)
{
	char p[4096];
	snprintf(p, sizeof p, "%s", path);
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST)
			return amber_error_at(err, p, 0, 0, "cannot create directory: %s", strerror(errno));
		if (!(*s = c))
			return 0;
	}
}

/* Removes the temporary trees of runs that were killed: each live run holds a lock on its
 * tree, and only trees older than STALE_SECONDS are looked at, so that one being set up (not
 * yet locked) is never taken. */
static void sweep_stale(const char *cache_dir)
{
	DIR *d = opendir(cache_dir);
	struct dirent *e;
	char path[4096 + 300];
	time_t now = time(NULL);
	while (d && (e = readdir(d)) != NULL) {
		struct stat st;
		if (strncmp(e->d_name, ".tmp-", 5) != 0 ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode) ||
		    now - st.st_mtime < STALE_SECONDS)
			continue;
		int fd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0) {
			snprintf(path, sizeof path, "%s/%s", cache_dir, e->d_name);
			cleanup_remove_tree(path);
		}
		if (fd >= 0)
			close(fd);
	}
	if (d)
		closedir(d);
}

/* Unpacks into `tmp`/rootfs and checks `required` there. */
static int fill_tmp(struct image *img, const char *tmp, const char *required, struct unpack *summary,
		    struct amber_error *err)
{
	char root[4096 + 16];
	snprintf(root, sizeof root, "%s/rootfs", tmp);
	if (mkdir(root, 0755) < 0)
		return amber_error_at(err, root, 0, 0, "cannot create directory: %s", strerror(errno));
	if (unpack_image(img, root, 1, summary, err) < 0)
		return -1;
	if (required && unpack_check_executable(root, required, err) < 0) {
		char msg[sizeof err->message + sizeof err->file + 2];
		snprintf(msg, sizeof msg, "%s: %s", err->file, err->message);
		return amber_error_at(err, img->path, 0, 0, "%.700s", msg);
	}
	return durable_fsync(root, 1) < 0 || durable_fsync(tmp, 1) < 0
		   ? amber_error_at(err, tmp, 0, 0, "cannot sync: %s", strerror(errno))
		   : 0;
}

int unpack_image_cached(struct image *img, const char *cache_dir, const char *required, char *root,
			size_t rootlen, int *cached, struct unpack *summary, struct amber_error *err)
{
	char key[DIGEST_HEX_LEN + 1], entry[4096], tmp[4096];
	unpack_cache_key(img, key);
	if (strlen(key) != DIGEST_HEX_LEN || strspn(key, "0123456789abcdef") != DIGEST_HEX_LEN)
		return amber_error_at(err, img->path, 0, 0, "the image has no usable digest for a cache key");
	int n = snprintf(entry, sizeof entry, "%s/%s", cache_dir, key);
	if (n < 0 || (size_t)n + strlen("/rootfs") >= rootlen || (size_t)n + 16 >= sizeof entry)
		return amber_error_at(err, cache_dir, 0, 0, "path too long");
	snprintf(root, rootlen, "%s/rootfs", entry);
	struct stat st;
	*cached = stat(root, &st) == 0 && S_ISDIR(st.st_mode);
	if (*cached)
		return 0;
	if (make_dirs(cache_dir, err) < 0)
		return -1;
	sweep_stale(cache_dir);
	snprintf(tmp, sizeof tmp, "%s/.tmp-%.16s-XXXXXX", cache_dir, key);
	if (!mkdtemp(tmp))
		return amber_error_at(err, cache_dir, 0, 0, "cannot create a temporary directory: %s",
				      strerror(errno));
	cleanup_add_tree(tmp);
	int lock = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lock >= 0)
		flock(lock, LOCK_EX);
	int rc = fill_tmp(img, tmp, required, summary, err);
	if (rc == 0 && renameat2(AT_FDCWD, tmp, AT_FDCWD, entry, RENAME_NOREPLACE) < 0) {
		/* EEXIST: a concurrent run put the same image there first; use its tree. */
		if (errno != EEXIST)
			rc =
			    amber_error_at(err, entry, 0, 0, "cannot rename into place: %s", strerror(errno));
		cleanup_remove_tree(tmp);
	} else if (rc < 0) {
		cleanup_remove_tree(tmp);
	} else {
		durable_fsync_parent(entry);
	}
	cleanup_forget(tmp);
	if (lock >= 0)
		close(lock);
	return rc;
}
