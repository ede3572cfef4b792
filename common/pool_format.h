/*
 * pool_format: the on-disk layout of a pool index, shared by pool_build.c
 * (writer) and pool.c (reader).  Private to the pool module.
 *
 * File: header | datasets[n_datasets] | files[n_files] | entries[n_ids] |
 *       id blob | id hash (u64 slots) | images[n_images] | image blob |
 *       image hash (u32 slots) | datadir string.
 * The header's section table gives each section's offset, length and
 * checksum.  The sections follow the header in that order with no gap:
 * each starts at a multiple of 8 and is padded with zeros to the next one,
 * and the last one's padding ends the file, so every byte of the file is
 * under a checksum (the header's own covers the header, the section table
 * included).  Native byte order (the index is rebuilt per host).
 *
 * Version 1 had no checksums; version 2 added the section table; version 3
 * records the source files apart from the datasets (a dataset is the
 * prefix its IDs share, and may span several files in subfolders).
 */
#ifndef DO_POOL_FORMAT_H
#define DO_POOL_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "pool.h"

#define POOL_MAGIC "DOPOOL1\0"	/* the same in every version */
#define POOL_VERSION 3u

/* The sections, in file order. */
enum pool_sec {
	POOL_SEC_DATASETS,	/* struct pool_dataset_rec[n_datasets] */
	POOL_SEC_FILES,		/* struct pool_file_rec[n_files], by path */
	POOL_SEC_ENTRIES,	/* struct pool_entry[n_ids], in ID order */
	POOL_SEC_IDBLOB,	/* the IDs' bytes, back to back */
	POOL_SEC_IDHASH,	/* u64[id_slots]: (xxh3 >> 32) << 32 | entry + 1 */
	POOL_SEC_IMAGES,	/* pool_image_rec[n_images] */
	POOL_SEC_IMGBLOB,	/* the image paths' bytes */
	POOL_SEC_IMGHASH,	/* u32[img_slots]: image index + 1 */
	POOL_SEC_DATADIR,	/* the data directory, NUL-terminated */
	POOL_NSEC
};

struct pool_section {
	uint64_t off;		/* from the start of the file */
	uint64_t len;		/* content bytes, before the zero padding */
	uint64_t sum;		/* xxh3-64 of the content and its padding */
};

struct pool_header {
	char magic[8];
	uint32_t version;	/* at this offset in every version */
	uint32_t n_datasets;
	uint32_t n_ids;
	uint32_t n_images;
	uint64_t id_slots;	/* power of two */
	uint64_t img_slots;	/* power of two */
	uint64_t file_size;
	struct pool_section sec[POOL_NSEC];
	uint32_t n_files;
	uint32_t reserved32;
	uint64_t reserved[3];
	uint64_t header_sum;	/* xxh3-64 of every header byte before it */
};

_Static_assert(sizeof(struct pool_header) % 8 == 0,
    "the first section follows the header without padding");
_Static_assert(offsetof(struct pool_header, header_sum) ==
    sizeof(struct pool_header) - sizeof(uint64_t),
    "the header checksum is the header's last field");

/* A dataset: the prefix its IDs share, or the name --dataset gave. */
struct pool_dataset_rec {
	char name[POOL_MAX_NAME + 1];	/* NUL-terminated */
	uint64_t n_items;
	uint64_t n_images;	/* distinct images among its items */
	uint64_t n_files;	/* source files holding its items */
};

/* A source file (sorted by path; an empty one may have no dataset). */
struct pool_file_rec {
	char path[POOL_MAX_PATH + 1];	/* relative to the data dir, NUL-ended */
	uint64_t size;		/* bytes */
	int64_t mtime_ns;
	uint64_t checksum;	/* xxh3-64 of the whole file */
	uint64_t n_items;
	uint32_t dataset;	/* index, or POOL_NO_DATASET if it has no item */
	uint32_t reserved;
};

/*
 * One ID.  packed: bits 0-39 byte offset in its file, 40-53 file index,
 * 54-63 ID length.
 */
struct pool_entry {
	uint64_t packed;
	uint32_t length;	/* item JSON length */
	uint32_t hash;		/* low 32 bits of xxh3-64 of the item JSON */
	uint32_t id_off;	/* offset of the ID in the id blob */
	uint32_t image;		/* image index or POOL_NO_IMAGE */
};

/* An image: bits 0-47 offset in the image blob, 48-63 length. */
typedef uint64_t pool_image_rec;

#define POOL_OFF_BITS 40
#define POOL_OFF_MASK ((UINT64_C(1) << POOL_OFF_BITS) - 1)
#define POOL_FILE_BITS 14
#define POOL_LEN_SHIFT (POOL_OFF_BITS + POOL_FILE_BITS)

/* An entry's fields. */
static inline uint64_t
pool_ent_off(const struct pool_entry *e)
{
	return e->packed & POOL_OFF_MASK;
}

static inline uint32_t
pool_ent_file(const struct pool_entry *e)
{
	return (uint32_t)(e->packed >> POOL_OFF_BITS) &
	    ((1u << POOL_FILE_BITS) - 1);
}

static inline size_t
pool_ent_idlen(const struct pool_entry *e)
{
	return (size_t)(e->packed >> POOL_LEN_SHIFT);
}

_Static_assert(POOL_MAX_FILES <= 1u << POOL_FILE_BITS,
    "a file index fits its bits");
_Static_assert(POOL_MAX_ID < 1u << (64 - POOL_LEN_SHIFT),
    "an ID length fits its bits");
_Static_assert(sizeof(struct pool_file_rec) % 8 == 0 &&
    sizeof(struct pool_dataset_rec) % 8 == 0, "records keep 8-byte alignment");

#endif
