/*
 * pool: the data pool index.
 *
 * A pool is a directory of per-dataset JSON files in LLaVA's format
 * (<dir>/<dataset>.json, each an array of items with a string "id" whose
 * part before the first '_' is the file's dataset name).  pool_build()
 * scans them once and writes one index file; pool_open() maps it
 * read-only, so any number of processes share it through the page cache.
 *
 * The index holds, for every ID (sorted bytewise, so an entry's index is
 * its rank): its dataset, the byte offset and length of its item's JSON in
 * the source file, an xxh3 hash of those bytes, and its image; the set of
 * all distinct image paths; and each source file's name, size, mtime and
 * xxh3-64 checksum.  Each section of the index file carries its own xxh3-64
 * checksum, and so does the header that lists them.  Opening refuses an
 * index that is corrupted (a checksum differs, a record points outside
 * its section), of another format version, or whose source files changed.
 */
#ifndef DO_POOL_H
#define DO_POOL_H

#include <stddef.h>
#include <stdint.h>

struct vresult;
struct pool;

#define POOL_NO_IMAGE UINT32_MAX
#define POOL_MAX_ID 256		/* longest ID accepted, bytes */
#define POOL_MAX_DATASETS 255

struct pool_item {
	uint32_t dataset;	/* index into the dataset table */
	uint32_t image;		/* index into the image table or POOL_NO_IMAGE */
	uint64_t offset;	/* byte offset of the item in its source file */
	uint32_t length;	/* byte length of the item's JSON */
	uint32_t hash;		/* low 32 bits of xxh3-64 of those bytes */
};

/*
 * Scan every "*.json" file of datadir and write the index to out_path
 * atomically (nothing is left at out_path on failure).  Refusals -
 * malformed JSON, an item without a string "id", an ID whose prefix is not
 * its file's name, a duplicate ID - are recorded in res (file, item index,
 * byte offset; a duplicate names both places).  Returns 0 on success, -1
 * on refusal (see res) or I/O error (message in err).
 */
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

/* Number of IDs, of datasets and of distinct images. */
uint32_t pool_count(const struct pool *p);
uint32_t pool_ndatasets(const struct pool *p);
uint32_t pool_nimages(const struct pool *p);

/* The source data directory recorded at build time (absolute). */
const char *pool_datadir(const struct pool *p);

/* Dataset i's name (its file is <datadir>/<name>.json) and sample count. */
const char *pool_dataset_name(const struct pool *p, uint32_t i);
uint64_t pool_dataset_count(const struct pool *p, uint32_t i);
uint64_t pool_dataset_images(const struct pool *p, uint32_t i);

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
