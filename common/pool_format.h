/*
 * pool_format: the on-disk layout of a pool index, shared by pool_build.c
 * (writer) and pool.c (reader).  Private to the pool module.
 *
 * File: header | datasets[n_datasets] | entries[n_ids] | id blob |
 *       id hash (u64 slots) | images[n_images] | image blob |
 *       image hash (u32 slots) | datadir string.
 * Every section starts at a multiple of 8.  Native byte order (the index
 * is rebuilt per host).
 */
#ifndef DO_POOL_FORMAT_H
#define DO_POOL_FORMAT_H

#include <stdint.h>

#define POOL_MAGIC "DOPOOL1\0"
#define POOL_VERSION 1u

struct pool_header {
	char magic[8];
	uint32_t version;
	uint32_t n_datasets;
	uint32_t n_ids;
	uint32_t n_images;
	uint64_t id_slots;	/* power of two */
	uint64_t img_slots;	/* power of two */
	uint64_t off_datasets, off_entries, off_idblob, off_idhash;
	uint64_t off_images, off_imgblob, off_imghash, off_datadir;
	uint64_t idblob_len, imgblob_len, datadir_len;
	uint64_t file_size;
	uint64_t reserved[4];
};

struct pool_dataset_rec {
	char name[64];		/* NUL-terminated; the file is <name>.json */
	uint64_t size;		/* source file size in bytes */
	int64_t mtime_ns;	/* source file mtime */
	uint64_t checksum;	/* xxh3-64 of the whole source file */
	uint64_t n_items;
	uint64_t n_images;	/* distinct images among its items */
};

/* One ID.  offset: bits 0-39 byte offset, 40-47 dataset, 48-63 ID length. */
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

#endif
