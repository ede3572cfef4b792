/*
 * pool: the data pool index.
 *
 * A pool is a directory of JSON files in LLaVA's format, each an array of
 * items with a string "id", in any number of subfolders and under any
 * names.  An ID's prefix is its bytes before its first '_' ("svit" for
 * "svit_detail_0"); a file's dataset is the prefix all its IDs share, or
 * the name given to the file by the caller (--dataset FILE=NAME), and a
 * dataset may span several files.  pool_build() scans them once and
 * writes one index file; pool_open() maps it read-only, so any number of
 * processes share it through the page cache.
 *
 * The index holds, for every ID (sorted bytewise, so an entry's index is
 * its rank): its source file (and so its dataset), the byte offset and
 * length of its item's JSON in that file, an xxh3 hash of those bytes, and
 * its image; the set of all distinct image paths; each dataset's name and
 * counts; and each source file's path, size, mtime and xxh3-64 checksum.
 * Each section of the index file carries its own xxh3-64 checksum, and so
 * does the header that lists them.  Opening refuses an index that is
 * corrupted (a checksum differs, a record points outside its section), of
 * another format version, or whose source files changed.
 */
#ifndef DO_POOL_H
#define DO_POOL_H

#include <stddef.h>
#include <stdint.h>

struct vresult;
struct pool;

#define POOL_NO_IMAGE UINT32_MAX
#define POOL_NO_DATASET UINT32_MAX
#define POOL_MAX_ID 256		/* longest ID accepted, bytes */
#define POOL_MAX_DATASETS 255
#define POOL_MAX_NAME 63	/* longest dataset name, bytes */
#define POOL_MAX_FILES 16384	/* source files in a pool */
#define POOL_MAX_PATH 255	/* longest file path below the data dir */
#define POOL_MAX_DEPTH 8	/* folder levels below the data dir */

struct pool_item {
	uint32_t dataset;	/* index into the dataset table */
	uint32_t file;		/* index into the file table */
	uint32_t image;		/* index into the image table or POOL_NO_IMAGE */
	uint64_t offset;	/* byte offset of the item in its source file */
	uint32_t length;	/* byte length of the item's JSON */
	uint32_t hash;		/* low 32 bits of xxh3-64 of those bytes */
};

/*
 * The files pool_build() reads: every regular file whose name ends in
 * ".json" in datadir and its subfolders, at most POOL_MAX_DEPTH folder
 * levels down.  Names starting with '.' (files and folders) are skipped;
 * symbolic links are followed, and a folder that is its own ancestor (a
 * link loop) or lies deeper than that is refused, as is a path of more
 * than POOL_MAX_PATH bytes.  Files are read in bytewise order of their
 * paths relative to datadir (the paths the index records and messages
 * show, e.g. "vqa/part-1.json").
 */

/* A dataset name given to a file (its path relative to datadir). */
struct pool_name {
	const char *file;
	const char *name;	/* 1 to POOL_MAX_NAME bytes, no blank */
};

/*
 * Scan the pool files of datadir (see above) and write the index to
 * out_path atomically (nothing is left at out_path on failure).  A file's
 * dataset is the prefix its IDs share, or names[i].name where
 * names[i].file is its path (then its IDs need no common prefix nor any
 * '_').  Refusals - malformed JSON, an item without a string "id", an ID
 * without a prefix, a file whose IDs have two prefixes (naming both IDs),
 * a duplicate ID across all files (naming both places), a name that
 * matches no file - are recorded in res (file, item index, byte offset).
 * Returns 0 on success, -1 on refusal (see res) or I/O error (message in
 * err).  pool_build() is pool_build_named() without names.
 */
int pool_build_named(const char *datadir, const char *out_path,
    const struct pool_name *names, size_t nnames, struct vresult *res,
    char *err, size_t errlen);
int pool_build(const char *datadir, const char *out_path, struct vresult *res,
    char *err, size_t errlen);

/* pool_open() flags */
#define POOL_OPEN_VERIFY 1	/* also recompute every source checksum */

/*
 * Map the index at path.  Always verifies the header, the checksum of
 * every section (the whole file is read once, a fraction of a second for
 * a 400 MB index; its pages stay in the page cache, not in this process's
 * resident set), that every record lies inside its section, and that
 * every source file still has its recorded size and mtime (with
 * POOL_OPEN_VERIFY, also its checksum).  Returns NULL with a message in
 * err on any failure; a corrupted index is told as "PATH: section 'NAME'
 * is corrupted (checksum mismatch); ...", an index of another format
 * version by its version, each with how to rebuild it.
 */
struct pool *pool_open(const char *path, int flags, char *err, size_t errlen);

/* Unmap and free.  NULL is ignored. */
void pool_close(struct pool *p);

/* Number of IDs, of datasets, of source files and of distinct images. */
uint32_t pool_count(const struct pool *p);
uint32_t pool_ndatasets(const struct pool *p);
uint32_t pool_nfiles(const struct pool *p);
uint32_t pool_nimages(const struct pool *p);

/* The source data directory recorded at build time (absolute). */
const char *pool_datadir(const struct pool *p);

/* Dataset i's name (datasets are sorted by name), sample count, distinct
 * images and number of source files. */
const char *pool_dataset_name(const struct pool *p, uint32_t i);
uint64_t pool_dataset_count(const struct pool *p, uint32_t i);
uint64_t pool_dataset_images(const struct pool *p, uint32_t i);
uint64_t pool_dataset_files(const struct pool *p, uint32_t i);

/* Source file i's path relative to pool_datadir() (files are sorted by
 * path). */
const char *pool_file_path(const struct pool *p, uint32_t i);

/* Entry index of id (len bytes) or -1 if absent.  Entry order = ID order. */
int64_t pool_find(const struct pool *p, const char *id, size_t len);

/* Entry i's ID (not NUL-terminated; *len set) and its record. */
const char *pool_id(const struct pool *p, uint32_t i, size_t *len);
void pool_get(const struct pool *p, uint32_t i, struct pool_item *it);

/* Image index i's path (not NUL-terminated; *len set). */
const char *pool_image(const struct pool *p, uint32_t i, size_t *len);

/* 1 if path (len bytes) is one of the pool's image paths, else 0. */
int pool_has_image(const struct pool *p, const char *path, size_t len);

/* One section of the index file, as pool_section() describes it. */
struct pool_section_info {
	const char *name;	/* "header", "datasets", "entries", "ids", ... */
	uint64_t off;		/* byte offset in the file */
	uint64_t len;		/* bytes, with the padding up to the next one */
	uint64_t sum;		/* its xxh3-64 checksum, verified at open */
};

/*
 * Section i of the open index (0 is the header; the sections cover the
 * file in order, each byte once) in *si; the name is static.  Returns 0,
 * or -1 if i is not below pool_nsections().
 */
unsigned pool_nsections(const struct pool *p);
int pool_section(const struct pool *p, unsigned i,
    struct pool_section_info *si);

#endif
