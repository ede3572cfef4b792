/*
 * synth_int: what the synth*.c files share: the hash, the sizes and types
 * of the data tables, the run with its files, the item being generated
 * and the output buffer.  Private to the synth module.
 *
 *   synth.c         the world model, the generators, the pool's files
 *   synth_tables.c  the data tables (declared in synth_tables.h)
 *   synth_val.c     the validation set
 */
#ifndef DO_SYNTH_INT_H
#define DO_SYNTH_INT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "buf.h"

struct util_afile;

#define SYNTH_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define SYNTH_MAXTURNS 16
#define SYNTH_OUTBUF (4u << 20)

/* ---------------------------------------------------------------------
 * Hashing (splitmix64).
 */

static inline uint64_t
synth__mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Hash tags: one per kind of fact, so facts are independent.  T_SCENE +
 * space tags each image space's scenes (up to 16 spaces). */
enum {
	T_COLOR = 1, T_MAT, T_AT, T_COUNT, T_NUM, T_COCOID,
	T_FLICKR, T_OPEN, T_OCRIMG, T_VG, T_SCI, T_GQAID, T_AOKID, T_AOKVAL,
	T_OKDIGIT, T_BOOK, T_PROD, T_OPT, T_PERM, T_VAL, T_BOX, T_SCENE,
	T_DOC = T_SCENE + 16, T_CHART, T_WEB, T_MIX, T_ITEM = 64
};

/* ---------------------------------------------------------------------
 * The data tables' sizes and row types.
 */

#define SYNTH_NMOD 40		/* entity modifiers */
#define SYNTH_NUSE 59		/* what objects are for */
#define SYNTH_NWHERE 24		/* where objects are usually found */
#define SYNTH_NNOUN 64		/* objects */
#define SYNTH_NENT (SYNTH_NMOD * SYNTH_NNOUN)
#define SYNTH_NPLACE 24
#define SYNTH_NCOLOR 12
#define SYNTH_NMAT 10
#define SYNTH_NPROD 20
#define SYNTH_NTA 60		/* book title words, mixed radix */
#define SYNTH_NTB 60
#define SYNTH_NTC 50
#define SYNTH_NTITLE (SYNTH_NTA * SYNTH_NTB * SYNTH_NTC)
#define SYNTH_NEX 17		/* the items of example-byod.json */

/* An object: singular, plural, its use and its usual location. */
struct synth_noun {
	const char *one, *many;
	int use, where;
};

/* A "key|answer" fact. */
struct synth_fact {
	const char *key, *ans;
};

/* A fact whose answer is an index (into synth__classes, synth__states). */
struct synth_ifact {
	const char *key;
	int ans;
};

/* A question template and its answer template. */
struct synth_qa {
	const char *q, *a;
};

/* An item of example-byod.json: its ID and its compact JSON. */
struct synth_example {
	const char *id, *json;
};

/* ---------------------------------------------------------------------
 * Datasets, files and the run.
 */

/* The datasets: the seed README's (RefCOCO as its two ID prefixes), then
 * those the later README adds. */
enum {
	SD_COCO, SD_FLICKR, SD_TEXTCAPS, SD_VQAV2, SD_OKVQA, SD_OCRVQA,
	SD_GQA, SD_TEXTVQA, SD_AOKVQA, SD_SCIENCEQA, SD_REC, SD_REG,
	SD_SHIKRA, SD_LLAVA, SD_SVIT, SD_TEXTOCR, SD_VGQA, SD_DOCVQA,
	SD_DVQA, SD_SHARE4V, SD_LLAVA15, SD_N
};

#define SYNTH_MAXFILES 32	/* files of a table */

struct synth_run;
struct synth_file;
struct synth_item;

/* Generate item i of a file of the run into the (reset) item. */
typedef void synth_gen_fn(const struct synth_run *, const struct synth_file *,
    struct synth_item *, uint64_t);

struct synth_dsdef {
	const char *name;	/* ID prefix (and the seed table's file name) */
	uint64_t count;		/* samples at scale 1 */
	uint64_t images;	/* distinct images at scale 1 */
	int space;		/* image space, or -1: a mix (see synth.c) */
	unsigned est;		/* rough bytes per item, for scheduling */
	synth_gen_fn *gen;
};

/* The datasets, defined in synth.c with their generators. */
extern const struct synth_dsdef synth__ds[SD_N];

/* Where an example item goes: item index -> example. */
struct synth_repl {
	uint64_t idx;
	int ex;
};

/* A dataset of the run: its size at this scale and its examples. */
struct synth_file {
	int ds;
	uint64_t n;		/* items */
	uint64_t nimg;		/* distinct images (before examples) */
	uint64_t kstart[4], kn[4];	/* SVIT kinds: first index, count */
	struct synth_repl repl[4];	/* sorted by idx */
	int nrepl;
};

/* One file of a table: a dataset's items, or an equal share of them. */
struct synth_layout {
	int ds;
	const char *path;	/* under data/ */
	int part, nparts;	/* share part of nparts */
};

/* A table: the datasets of one README and how their files are laid out. */
struct synth_table {
	const char *name;	/* as --table names it */
	const struct synth_layout *files;
	int nfiles;
	const char *flickr_dir;	/* Flickr30K's image folder */
};

/* A file being written. */
struct synth_piece {
	const struct synth_layout *lay;
	uint64_t first, n;	/* its items of the dataset */
	struct util_afile *af;
	int rc;			/* 0, or -1 with err */
	char err[256];
};

struct synth_run {
	uint64_t seed, sm;	/* seed and its hash */
	double scale;
	const struct synth_table *tab;
	struct synth_file f[SD_N];	/* the table's datasets (used[]) */
	int used[SD_N];
	struct synth_piece pc[SYNTH_MAXFILES];	/* the table's files */
	uint8_t color[SYNTH_NENT], mat[SYNTH_NENT], at[SYNTH_NENT];
	uint8_t cnt[SYNTH_NNOUN * SYNTH_NPLACE];
	int order[SYNTH_MAXFILES];	/* the current phase's tasks */
	int ntasks, next;	/* next task to take, under mu */
	pthread_mutex_t mu;
};

/* The hash of (tag, a, b) under the run's seed. */
static inline uint64_t
synth__h(const struct synth_run *r, uint64_t tag, uint64_t a, uint64_t b)
{
	return synth__mix(synth__mix(synth__mix(r->sm ^ tag) ^ a) ^ b);
}

/* round(x) for x >= 0. */
uint64_t synth__round(double x);

/* Whether item i of f is replaced by an example (f is planned). */
int synth__replaced(const struct synth_file *f, uint64_t i);

/* ---------------------------------------------------------------------
 * The item being generated.
 */

/* Val subtypes: the kinds of fact a QA item can seed. */
enum {
	V_COLOR, V_YESNO, V_MATERIAL, V_COUNT, V_AUTHOR, V_GENRE, V_BRAND,
	V_NUMBER, V_KNOW, V_AOK, V_SCI, V_N
};

/* The item being generated: turns back to back in txt. */
struct synth_item {
	char id[80];
	char image[96];
	struct buf txt;
	size_t turn[SYNTH_MAXTURNS];
	int nturns;
	int vkind;		/* val subtype this item can seed, or -1 */
	uint64_t vkey;		/* the fact it states, for deduplication */
	struct buf vq, va;	/* val question and answer */
	struct buf core;	/* scratch */
};

/* Empty it (keeping its buffers) for the next item. */
void synth__item_reset(struct synth_item *it);

/* Free its buffers; it can be reset and used again. */
void synth__item_free(struct synth_item *it);

/* ---------------------------------------------------------------------
 * Output: a big buffer in front of a file.
 */

struct synth_out {
	FILE *fp;
	char *buf;
	size_t len, cap;
	int failed;		/* errno of the first failed write, or 0 */
};

/* Write n bytes, a string literal, a JSON string of s; a failed write
 * is kept in o->failed.  Flush writes the buffer out. */
void synth__oraw(struct synth_out *o, const char *s, size_t n);
#define SYNTH_ORAW(o, lit) synth__oraw((o), (lit), sizeof(lit) - 1)
void synth__ostr(struct synth_out *o, const char *s);
void synth__oflush(struct synth_out *o);

/* ---------------------------------------------------------------------
 * The validation set (synth_val.c).
 */

/* Write path (val.json) for run r, whose files are written and planned.
 * Returns 0, or -1 with a message in err. */
int synth__write_val(const struct synth_run *r, const char *path, char *err,
    size_t errlen);

#endif
