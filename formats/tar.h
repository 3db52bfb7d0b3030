/* tar.h — reproducible tar writing and streaming tar reading, for image layers and the outer
 * OCI/docker archives.
 *
 * Writer: POSIX ustar headers whose every field is fixed by its arguments (uid/gid 0, empty
 * uname/gname, devmajor/devminor "0000000", the mtime given to tar_writer_init), byte for byte
 * what GNU tar 1.34 writes with `--format=ustar --owner=0 --group=0 --numeric-owner --mtime=@T`.
 * A name longer than 100 bytes is split into prefix/name at a '/' when it can be; otherwise,
 * and for a file of 8 GiB or more, a pax 'x' header goes first, as GNU tar writes it with
 * `--format=pax --pax-option=delete=atime,delete=ctime,exthdr.name=PaxHeaders/%f`: named
 * "PaxHeaders/<basename>" (cut at 100 bytes), mode 0644, the entry's mtime, empty
 * devmajor/devminor, only "path" and "size" records; the ustar header after it then holds the
 * name's first 100 bytes and, for a pax size, a size field of 0. The archive ends with two zero
 * blocks and no record padding. Everything goes to one sink; nothing is buffered beyond one
 * header.
 *
 * Reader: a sink that takes the archive in any split and calls back once per entry with its
 * header (pax 'x' records and GNU 'L'/'K' long names already applied) and then streams the
 * entry's data to a sink the callee chooses. Memory stays bounded: at most one header block,
 * the pending pax records (TAR_PAX_MAX) and long names. */
#ifndef AMBER_TAR_H
#define AMBER_TAR_H

#include "core/error.h"
#include "core/sink.h"

#include <stddef.h>
#include <stdint.h>

#define TAR_BLOCK    512
#define TAR_END_SIZE 1024	/* the two zero blocks tar_writer_finish writes */
#define TAR_NAME_MAX 4096	/* names and link names, NUL included */
#define TAR_PAX_MAX  (1u << 20) /* the reader's limit on the pax records pending for one entry */

struct buf;

/* ---- Writing ---- */

struct tar_writer {
	struct sink *out;
	int64_t mtime;
	uint64_t offset;    /* bytes written to `out` since tar_writer_init */
	uint64_t remaining; /* data bytes the open sized entry still expects */
	uint64_t written;   /* data bytes written to the open entry so far */
	/* Forwards every write to tar_write_data, so that a compressor can be chained straight
	 * into the open entry. */
	struct sink data;
	int state;		 /* private */
	char name[TAR_NAME_MAX]; /* private: the open entry, for error messages */
};

/* Starts an archive on `out` (borrowed). Every header gets mtime `mtime`, which must lie in
 * 0 .. 8^11-1 (tar_write_* fail otherwise). */
void tar_writer_init(struct tar_writer *w, struct sink *out, int64_t mtime);

/* Starts a regular file (typeflag '0') of exactly `size` bytes. `name` must pass
 * tar_name_is_safe, must not end with '/', and be shorter than TAR_NAME_MAX; `mode` is at most
 * 07777 (0444, 0555, 0644...). Writes the header(s); the data follows with tar_write_data. */
int tar_write_file_begin(struct tar_writer *w, const char *name, unsigned mode, uint64_t size,
			 struct amber_error *err);
/* Appends data to the open entry; fails (writing nothing) if that goes past the announced size. */
int tar_write_data(struct tar_writer *w, const void *data, size_t len, struct amber_error *err);
/* Ends the open sized entry: fails if fewer bytes than announced were written, else writes the
 * zero padding up to the next 512-byte boundary. */
int tar_write_file_end(struct tar_writer *w, struct amber_error *err);

/* A directory entry (typeflag '5', size 0); a '/' is appended to `name` unless it ends with one.
 * Same rules for name and mode as tar_write_file_begin. */
int tar_write_dir(struct tar_writer *w, const char *name, unsigned mode, struct amber_error *err);

/* Ends the archive with two zero blocks (TAR_END_SIZE bytes), no padding to a 10240-byte record.
 * Fails if an entry is still open. Does not close `out`. */
int tar_writer_finish(struct tar_writer *w, struct amber_error *err);

/* Entries whose name and size are known only after their data (an outer archive holding a
 * compressed blob named by its own digest), written into a seekable file:
 *
 *   uint64_t at, size;
 *   tar_write_file_begin_unsized(w, &at, err);   placeholder header at offset `at`
 *   ... tar_write_data(w, ...) or sink_write(&w->data, ...) ...
 *   tar_write_file_end_unsized(w, &size, err);   padding; size = data bytes written
 *   tar_header_encode(block, name, mode, size, w->mtime, '0', 1);   name: at most 100 bytes, or
 *                                                 splittable into ustar prefix/name
 *   pwrite(fd, block, TAR_BLOCK, start_of_tar_in_file + at);
 *
 * The placeholder has a bad checksum, so an archive whose header was never patched fails to
 * read instead of reading wrong. Such an entry takes tar_file_entry_size(name, size) bytes, as
 * any whose name fits one ustar header. A size of 8 GiB or more is written in base-256. */
int tar_write_file_begin_unsized(struct tar_writer *w, uint64_t *header_offset, struct amber_error *err);
int tar_write_file_end_unsized(struct tar_writer *w, uint64_t *size, struct amber_error *err);

/* Exact bytes a file entry takes (pax header if any, ustar header, data, padding), for a name
 * tar_write_file_begin accepts; so that a caller can know a whole layer's size in advance. */
uint64_t tar_file_entry_size(const char *name, uint64_t size);
/* Same for tar_write_dir. */
uint64_t tar_dir_entry_size(const char *name);

/* Fills one ustar header (pure, no I/O) as the writer does: `name` verbatim (a directory's with
 * its '/'), split into prefix/name when longer than 100 bytes. Returns 0, or -1 if it cannot be
 * one header: name empty or not splittable, mode above 07777, mtime outside 0 .. 8^11-1, or a
 * size of 8 GiB or more while base256 is 0 (with base256 set, such a size is written in GNU
 * base-256 form, which GNU tar, libarchive, Go and Python read). */
int tar_header_encode(unsigned char block[TAR_BLOCK], const char *name, unsigned mode, uint64_t size,
		      int64_t mtime, char typeflag, int base256);

/* Appends to `out` the pax records the writer puts before an entry: "path" when `name` does not
 * fit one ustar header, then "size" when size >= 8 GiB. Returns how many (0: no pax header). */
int tar_pax_encode(struct buf *out, const char *name, uint64_t size);

/* ---- Reading ---- */

struct tar_header {
	char name[TAR_NAME_MAX]; /* prefix/name joined, or the pax path / GNU long name */
	char linkname[TAR_NAME_MAX];
	char typeflag; /* '0' also for an old-style '\0' */
	unsigned mode; /* permission bits (& 07777) */
	uint64_t size; /* data bytes that follow the header */
	int64_t mtime;
	uint64_t offset; /* set by the reader: byte offset of this ustar header in the stream */
};

/* Parses one 512-byte block. Returns 1 for an all-zero block (end of archive), 0 for a header
 * (name and size as stored: pax records are not applied here), -1 with err set for a bad
 * checksum (either the unsigned or the historic signed sum is accepted), a field that is not
 * octal (size and mtime may also be GNU base-256) or an unknown magic. Accepts POSIX ustar
 * ("ustar\0" + "00"), GNU ("ustar  \0", no prefix field) and v7 (no magic) headers. */
int tar_header_decode(const unsigned char block[TAR_BLOCK], struct tar_header *h, struct amber_error *err);

/* Applies pax extended header records ("%d key=value\n", the length counting the whole record)
 * to h: path, linkpath and size; other keys are ignored, as is an empty value (POSIX: "use the
 * header's field"). -1 with err set for a record whose length does not match its bytes, a
 * record without '=', a size that is not a decimal number fitting 64 bits, or a path that is
 * too long or holds a NUL byte. */
int tar_pax_apply(const char *records, size_t len, struct tar_header *h, struct amber_error *err);

struct tar_reader_callbacks {
	/* Called once per entry (not for pax or GNU long-name headers). Set *data_out to a sink
	 * that receives exactly h->size data bytes, or leave it NULL to skip them. The reader never
	 * closes or frees that sink. Return -1 with err set to stop reading. May be NULL. */
	int (*entry)(void *ctx, const struct tar_header *h, struct sink **data_out, struct amber_error *err);
	/* Called after the entry's last data byte (right after `entry` for an empty one), before
	 * its padding. May be NULL. */
	int (*entry_end)(void *ctx, const struct tar_header *h, struct amber_error *err);
};

/* A sink that parses the tar archive written to it, in any split, and calls `cb` with `ctx`.
 * Free it with sink_free. Reading rules:
 *  - a pax 'x' header applies to the next entry; pax 'g' headers are skipped; GNU 'L'/'K'
 *    long names and link names are applied;
 *  - link, device, directory and fifo entries ('1'-'6') carry no data: their size is 0;
 *  - an entry whose name is empty is malformed; names are NOT checked for safety
 *    (use tar_name_is_safe before creating files);
 *  - the archive ends at the first all-zero block; only zero bytes may follow it (the second
 *    zero block, GNU tar's record padding), and a lone zero block at the end is accepted as
 *    GNU tar does;
 *  - sink_close fails if the stream ended inside a header, inside an entry's data or padding
 *    ("truncated tar: entry 'data/amber.db' expects N bytes, got M"), or before any zero block:
 *    an archive cut exactly between two entries is reported, not taken as complete.
 * After an error every further write and close returns the same error. */
struct sink *tar_reader_create(const struct tar_reader_callbacks *cb, void *ctx, struct amber_error *err);

/* 1 if `name` is safe to create below an extraction directory, else 0: not empty, not absolute,
 * no ".." component, no empty component ("a//b"), except that one trailing '/' (a directory)
 * is allowed; "." components ("./a") are allowed. Link targets are not this function's
 * business: an extractor must refuse or check link entries itself. */
int tar_name_is_safe(const char *name);

#endif
