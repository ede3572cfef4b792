/*
 * synth: a deterministic synthetic pool shaped like DataOptim's seed pool
 * (the "seed" table) or its later one ("later": six more datasets, with
 * the later README's image folders and a layout in subfolders).
 *
 * The world model.  Every byte is a pure function of (seed, scale, table,
 * dataset, item index), so any item - and any fact it states - can be
 * regenerated on its own, in any order and on any thread, and one seed and
 * scale always give the same bytes.  The seed picks a world:
 *
 *   entities   an entity is a (modifier, object) pair, "striped kite"
 *              (40 x 64 = 2,560).  A seeded hash gives each entity a colour,
 *              a material and a usual place ("on the table"), and each
 *              (object, place) pair a count (2..7).  Objects also have a
 *              real use ("flying") and a usual location ("park").
 *   images     every image of an image space (COCO, Flickr30K, Open Images,
 *              OCR-VQA covers, Visual Genome, ScienceQA) shows six hashed
 *              entities; captions, descriptions, questions and boxes about
 *              an image talk about those.  OCR-VQA image j is a book with a
 *              unique title, an author and a genre; an Open Images image
 *              shows a branded product.
 *   knowledge  small real tables: food -> meal, animal -> habitat,
 *              equipment -> sport (OK-VQA); animal -> class, substance ->
 *              state of matter, US state -> capital (ScienceQA).
 *
 * Who answers what.  val.json asks about facts stated by generated samples
 * of this very pool, in those samples' own words, with a short answer: each
 * val item is derived from one generated sample (deduplicated by fact), so
 * every question is covered at every scale.
 *
 *   vqa/        colour, yes/no ("Is the X on the table?")      <- VQAv2
 *               material ("What is the X made of?")             <- GQA
 *   count/      "How many Xs are on the table?"                 <- VQAv2
 *   ocr/        author, genre of a titled book                  <- OCR-VQA
 *               brand, number written on an object              <- TextVQA
 *   knowledge/  meal, habitat, sport                            <- OK-VQA
 *   choice/     question, options ("A. ..." lines or "(A) ... (B) ...")
 *               and LLaVA's letter prompt; answer a letter
 *                                                 <- A-OKVQA, ScienceQA
 *
 * A choice question always shows the same options in the same order, so
 * the sample that asks it also holds the right letter.  A retrieval proxy
 * (answer with the answer of the most similar training question) thus
 * scores on a task only if its subset holds samples of the datasets that
 * teach it.  The rest talk about the same world without helping: captions
 * sit behind five fixed prompts; RefCOCO and Shikra answer with boxes or
 * reasoning; GQA states colours in full sentences ("The striped kite is
 * red."); LLaVA and SVIT ask about the same entities in other words ("How
 * many kites can you see on the table?") and answer in sentences - near
 * misses that cost points when they outrank the teaching sample.
 *
 * Sizes.  A dataset holds round(table count x scale) items, at least one,
 * and at least one more than the example items it carries; a table may
 * split its items over several files in equal parts.  Each example of
 * example-byod.json replaces the generated item with its ID, or, when this
 * scale does not generate that ID, the last free item of its dataset.
 */
#include "synth.h"
#include "synth_int.h"
#include "synth_tables.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SYNTH_MAX_SCALE 4.0
#define SYNTH_MAXTHREADS 4
#define SYNTH_VQA_SUFFIX \
	" Answer the question directly with a short sentence or phrase."
/* LLaVA's multiple-choice evaluation prompt, ending val choice questions. */
#define SYNTH_CHOICE_SUFFIX \
	"\nAnswer with the option's letter from the given choices directly."

/* ---------------------------------------------------------------------
 * The per-item generator (splitmix64 over the run's hash).
 */

struct synth_rng {
	uint64_t s;
};

static inline uint64_t
synth_next(struct synth_rng *g)
{
	g->s += 0x9e3779b97f4a7c15ULL;
	return synth__mix(g->s);
}

/* Uniform-enough integer in [0, n). */
static inline uint32_t
synth_below(struct synth_rng *g, uint32_t n)
{
	return (uint32_t)(((synth_next(g) >> 32) * n) >> 32);
}

/* ---------------------------------------------------------------------
 * Datasets, files and image spaces.
 */

/*
 * Image spaces, one per image folder of the later README's tree.  A
 * dataset with one space spreads its images over its base dataset's
 * (synth_spread()); a mix (LLaVA-v1.5, ShareGPT-4V) draws each image's
 * space from its table and numbers its images itself, so the spaces only
 * they use have no base.
 */
enum {
	SP_COCO, SP_FLICKR, SP_OPEN, SP_OCR, SP_VG, SP_SCI, SP_COCO17, SP_DOC,
	SP_CHART, SP_PRETRAIN, SP_SAM, SP_SHARETEXT, SP_CELEB, SP_LANDMARK,
	SP_WIKIART, SP_N
};
_Static_assert(SP_N <= 16, "T_SCENE + space stays below T_DOC");
static const int synth_space_base[SP_N] = {
	SD_COCO, SD_FLICKR, SD_TEXTCAPS, SD_OCRVQA, SD_SVIT, SD_SCIENCEQA,
	-1, SD_DOCVQA, SD_DVQA, -1, -1, -1, -1, -1, -1,
};

/* A mix: the share (per mille) of its images in each space. */
struct synth_mixpart {
	int space;
	unsigned permille;
};
static const struct synth_mixpart synth_mix_share4v[] = {
	{SP_COCO17, 500}, {SP_PRETRAIN, 230}, {SP_SAM, 200},
	{SP_SHARETEXT, 20}, {SP_CELEB, 15}, {SP_LANDMARK, 15},
	{SP_WIKIART, 20},
};
static const struct synth_mixpart synth_mix_llava15[] = {
	{SP_COCO17, 600}, {SP_VG, 230}, {SP_OCR, 130}, {SP_OPEN, 40},
};
#define SYNTH_TEXT_ONLY 60	/* LLaVA-v1.5 items without an image, per mille */

/* SVIT's four kinds: samples at scale 1 (sum 2,992,799). */
static const char *const synth_svit_kind[4] = {
	"conversation", "detail", "complex", "referring",
};
static const uint64_t synth_svit_w[4] = {216152, 106274, 1670373, 1000000};

static synth_gen_fn synth_gen_coco, synth_gen_flickr, synth_gen_textcaps,
    synth_gen_vqav2, synth_gen_okvqa, synth_gen_ocrvqa, synth_gen_gqa,
    synth_gen_textvqa, synth_gen_aokvqa, synth_gen_sciqa, synth_gen_ref,
    synth_gen_shikra, synth_gen_llava, synth_gen_svit, synth_gen_textocr,
    synth_gen_vgqa, synth_gen_docvqa, synth_gen_dvqa, synth_gen_share4v,
    synth_gen_llava15;

const struct synth_dsdef synth__ds[SD_N] = {
	{"coco", 414113, 82783, SP_COCO, 190, synth_gen_coco},
	{"flickr30k", 145000, 29000, SP_FLICKR, 220, synth_gen_flickr},
	{"textcaps", 109765, 21953, SP_OPEN, 200, synth_gen_textcaps},
	{"vqav2", 443757, 82783, SP_COCO, 220, synth_gen_vqav2},
	{"okvqa", 9009, 8998, SP_COCO, 240, synth_gen_okvqa},
	{"ocrvqa", 801673, 166041, SP_OCR, 240, synth_gen_ocrvqa},
	{"gqa", 943000, 72140, SP_VG, 210, synth_gen_gqa},
	{"textvqa", 34602, 21953, SP_OPEN, 220, synth_gen_textvqa},
	{"aokvqa", 17056, 16540, SP_COCO, 330, synth_gen_aokvqa},
	{"scienceqa", 6218, 6218, SP_SCI, 520, synth_gen_sciqa},
	{"ref3rec", 143802, 24407, SP_COCO, 230, synth_gen_ref},
	{"ref3reg", 143802, 24407, SP_COCO, 270, synth_gen_ref},
	{"shikra", 5922, 883, SP_FLICKR, 300, synth_gen_shikra},
	{"llava", 157712, 81479, SP_COCO, 1100, synth_gen_llava},
	{"svit", 2992799, 108076, SP_VG, 430, synth_gen_svit},
	{"textocr", 25114, 25114, SP_OPEN, 900, synth_gen_textocr},
	{"vgqa", 1445322, 99280, SP_VG, 200, synth_gen_vgqa},
	{"docvqa", 39463, 10194, SP_DOC, 220, synth_gen_docvqa},
	{"dvqa", 2325316, 200000, SP_CHART, 200, synth_gen_dvqa},
	{"sharegpt4v", 102025, 87296, -1, 1200, synth_gen_share4v},
	{"llava15", 665298, 291684, -1, 700, synth_gen_llava15},
};

/*
 * The tables.  "seed": the seed README's 14 datasets, one file each named
 * after its ID prefix, as the pool was first laid out.  "later": the
 * later README's 20, in folders by category under names that are not
 * their ID prefixes, the biggest split in parts (one dataset over several
 * files), and Flickr30K's folder spelt as that README's tree spells it.
 */
static const struct synth_layout synth_seed_files[] = {
	{SD_COCO, "coco.json", 0, 1},
	{SD_FLICKR, "flickr30k.json", 0, 1},
	{SD_TEXTCAPS, "textcaps.json", 0, 1},
	{SD_VQAV2, "vqav2.json", 0, 1},
	{SD_OKVQA, "okvqa.json", 0, 1},
	{SD_OCRVQA, "ocrvqa.json", 0, 1},
	{SD_GQA, "gqa.json", 0, 1},
	{SD_TEXTVQA, "textvqa.json", 0, 1},
	{SD_AOKVQA, "aokvqa.json", 0, 1},
	{SD_SCIENCEQA, "scienceqa.json", 0, 1},
	{SD_REC, "ref3rec.json", 0, 1},
	{SD_REG, "ref3reg.json", 0, 1},
	{SD_SHIKRA, "shikra.json", 0, 1},
	{SD_LLAVA, "llava.json", 0, 1},
	{SD_SVIT, "svit.json", 0, 1},
};
static const struct synth_layout synth_later_files[] = {
	{SD_COCO, "captioning/COCO-caption-train2014.json", 0, 1},
	{SD_FLICKR, "captioning/Flickr30K-karpathy-train.json", 0, 1},
	{SD_TEXTCAPS, "captioning/TextCaps.json", 0, 1},
	{SD_TEXTOCR, "captioning/TextOCR-GPT4V.json", 0, 1},
	{SD_VQAV2, "vqa/VQAv2.json", 0, 1},
	{SD_OKVQA, "vqa/OK-VQA.json", 0, 1},
	{SD_OCRVQA, "vqa/OCR-VQA.json", 0, 1},
	{SD_GQA, "vqa/GQA.json", 0, 1},
	{SD_TEXTVQA, "vqa/TextVQA.json", 0, 1},
	{SD_AOKVQA, "vqa/A-OKVQA.json", 0, 1},
	{SD_SCIENCEQA, "vqa/ScienceQA.json", 0, 1},
	{SD_VGQA, "vqa/VGQA/part-1.json", 0, 2},
	{SD_VGQA, "vqa/VGQA/part-2.json", 1, 2},
	{SD_DOCVQA, "vqa/DocVQA.json", 0, 1},
	{SD_DVQA, "vqa/DVQA/part-1.json", 0, 3},
	{SD_DVQA, "vqa/DVQA/part-2.json", 1, 3},
	{SD_DVQA, "vqa/DVQA/part-3.json", 2, 3},
	{SD_REC, "grounding/RefCOCO-rec.json", 0, 1},
	{SD_REG, "grounding/RefCOCO-reg.json", 0, 1},
	{SD_SHIKRA, "grounding/Shikra-RD.json", 0, 1},
	{SD_LLAVA, "gpt4/LLaVA-Instruct-150K.json", 0, 1},
	{SD_SVIT, "gpt4/SVIT/part-1.json", 0, 2},
	{SD_SVIT, "gpt4/SVIT/part-2.json", 1, 2},
	{SD_SHARE4V, "gpt4v/ShareGPT-4V.json", 0, 1},
	{SD_LLAVA15, "mixed/llava_v1_5_mix665k.json", 0, 1},
};
static const struct synth_table synth_tables[] = {
	{"seed", synth_seed_files, (int)SYNTH_LEN(synth_seed_files),
	    "flickr30k"},
	{"later", synth_later_files, (int)SYNTH_LEN(synth_later_files),
	    "filckr30k"},
};
_Static_assert(SYNTH_LEN(synth_later_files) <= SYNTH_MAXFILES,
    "a table's files fit the run");

static void
synth_rng_init(struct synth_rng *g, const struct synth_run *r, uint64_t tag,
    uint64_t i)
{
	g->s = synth__h(r, T_ITEM + tag, i, 0x5eed);
}

/* ---------------------------------------------------------------------
 * Numbers as text and the item being built.
 */

/* Decimal digits of v at p; returns the end. */
static char *
synth_fmtu(char *p, uint64_t v)
{
	char t[24];
	int n = 0;

	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		*p++ = t[--n];
	return p;
}

/* v zero-padded to width digits. */
static char *
synth_fmtu_w(char *p, uint64_t v, int width)
{
	int i;

	for (i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

static char *
synth_cpy(char *p, const char *s)
{
	size_t n = strlen(s);

	memcpy(p, s, n);
	return p + n;
}

static void
synth_u(struct buf *b, uint64_t v)
{
	char t[24];

	buf_add(b, t, (size_t)(synth_fmtu(t, v) - t));
}

void
synth__item_reset(struct synth_item *it)
{
	buf_reset(&it->txt);
	buf_reset(&it->vq);
	buf_reset(&it->va);
	buf_reset(&it->core);
	it->nturns = 0;
	it->vkind = -1;
	it->vkey = 0;
}

void
synth__item_free(struct synth_item *it)
{
	buf_free(&it->txt);
	buf_free(&it->vq);
	buf_free(&it->va);
	buf_free(&it->core);
}

/* Start the next turn (human, gpt, human, ...). */
static void
synth_turn(struct synth_item *it)
{
	if (it->nturns < SYNTH_MAXTURNS)
		it->turn[it->nturns++] = it->txt.len;
}

/* ---------------------------------------------------------------------
 * Facts and templates.
 */

#define SYNTH_MOD(e) synth__mods[(e) / SYNTH_NNOUN]
#define SYNTH_NOUN(e) (&synth__nouns[(e) % SYNTH_NNOUN])

struct synth_ctx {
	int a, b;		/* entities */
	int pa, pb;		/* their places */
	int k;			/* a count */
	const char *x, *y, *z, *v;
};

static int
synth_count(const struct synth_run *r, int ent, int place)
{
	return r->cnt[(ent % SYNTH_NNOUN) * SYNTH_NPLACE + place];
}

/* Entities a and b at their usual places; k counts a's kind there. */
static void
synth_ctx_set(const struct synth_run *r, struct synth_ctx *c, int a, int b)
{
	memset(c, 0, sizeof(*c));
	c->a = a;
	c->b = b;
	c->pa = r->at[a];
	c->pb = r->at[b];
	c->k = synth_count(r, a, c->pa);
}

static void
synth_tpl(const struct synth_run *r, struct buf *b, const char *t,
    const struct synth_ctx *c)
{
	const char *p, *w;
	int e;

	for (;;) {
		if ((p = strchr(t, '%')) == NULL) {
			buf_adds(b, t);
			return;
		}
		buf_add(b, t, (size_t)(p - t));
		e = (p[1] >= 'A' && p[1] <= 'Z') ? c->b : c->a;
		switch (p[1]) {
		case 'm': case 'M': w = SYNTH_MOD(e); break;
		case 'n': case 'N': w = SYNTH_NOUN(e)->one; break;
		case 's': case 'S': w = SYNTH_NOUN(e)->many; break;
		case 'c': case 'C': w = synth__colors[r->color[e]]; break;
		case 't': case 'T': w = synth__materials[r->mat[e]]; break;
		case 'u': case 'U': w = synth__uses[SYNTH_NOUN(e)->use]; break;
		case 'l': w = synth__places[c->pa]; break;
		case 'L': w = synth__places[c->pb]; break;
		case 'k': w = NULL; synth_u(b, (uint64_t)c->k); break;
		case 'w': w = synth__numwords[c->k % 10]; break;
		case 'W': w = synth__numWords[c->k % 10]; break;
		case 'x': w = c->x; break;
		case 'y': w = c->y; break;
		case 'z': w = c->z; break;
		case 'v': w = c->v; break;
		case '%': w = "%"; break;
		default:
			buf_add(b, "%", 1);
			t = p + 1;
			continue;
		}
		if (w != NULL)
			buf_adds(b, w);
		t = p + 2;
	}
}

/* Entity k (0..5) of image j of a space. */
static int
synth_scene(const struct synth_run *r, int space, uint64_t j, int k)
{
	return (int)(synth__h(r, T_SCENE + (uint64_t)space, j, (uint64_t)k) %
	    SYNTH_NENT);
}

static void
synth_scene6(const struct synth_run *r, int space, uint64_t j, int *e)
{
	int k;

	for (k = 0; k < 6; k++)
		e[k] = synth_scene(r, space, j, k);
}

/* v thousandths as "0.0", "0.106", "0.52" or "1.0". */
static char *
synth_coord(char *p, unsigned v)
{
	char d[3];
	int n;

	if (v >= 1000)
		return synth_cpy(p, "1.0");
	*p++ = '0';
	*p++ = '.';
	if (v == 0) {
		*p++ = '0';
		return p;
	}
	d[0] = (char)('0' + v / 100);
	d[1] = (char)('0' + v / 10 % 10);
	d[2] = (char)('0' + v % 10);
	for (n = 3; d[n - 1] == '0'; n--)
		;
	memcpy(p, d, (size_t)n);
	return p + n;
}

/* A box drawn from h, as "[0.0, 0.106, 0.827, 1.0]" into out (64 bytes);
 * *top (if not NULL) gets its upper edge in thousandths. */
static void
synth_box(uint64_t h, char *out, unsigned *top)
{
	unsigned x0 = (unsigned)(h % 600), y0 = (unsigned)((h >> 10) % 600);
	unsigned x1 = x0 + 150 + (unsigned)((h >> 20) % (851 - x0));
	unsigned y1 = y0 + 150 + (unsigned)((h >> 30) % (851 - y0));
	char *p = out;

	if ((h >> 40) % 6 == 0)
		x0 = 0;
	if ((h >> 43) % 6 == 0)
		y0 = 0;
	if ((h >> 46) % 6 == 0)
		x1 = 1000;
	if ((h >> 49) % 6 == 0)
		y1 = 1000;
	*p++ = '[';
	p = synth_coord(p, x0);
	p = synth_cpy(p, ", ");
	p = synth_coord(p, y0);
	p = synth_cpy(p, ", ");
	p = synth_coord(p, x1);
	p = synth_cpy(p, ", ");
	p = synth_coord(p, y1);
	*p++ = ']';
	*p = '\0';
	if (top != NULL)
		*top = y0;
}

/* Brand of a product kind: lower case into out (32 bytes). */
static void
synth_brand(const struct synth_run *r, unsigned key, char *out)
{
	uint64_t h = synth__h(r, T_PROD, key, 1);
	char *p = out;

	p = synth_cpy(p, synth__brand1[h % SYNTH_LEN(synth__brand1)]);
	p = synth_cpy(p, synth__brand2[(h >> 16) % SYNTH_LEN(synth__brand2)]);
	*p = '\0';
}

/* The product shown by Open Images image j: modifier m, product pr. */
static void
synth_product(const struct synth_run *r, uint64_t j, int *m, int *pr)
{
	uint64_t h = synth__h(r, T_PROD, j, 2);

	*m = (int)(h % SYNTH_NMOD);
	*pr = (int)((h >> 16) % SYNTH_NPROD);
}

/* OCR-VQA book j: title (unique for j), author and genre. */
static void
synth_book(const struct synth_run *r, uint64_t j, char *title, char *author,
    int *genre)
{
	uint64_t t = (j % SYNTH_NTITLE * 7919 + r->sm % SYNTH_NTITLE) %
	    SYNTH_NTITLE, vol = j / SYNTH_NTITLE;
	uint64_t h = synth__h(r, T_BOOK, j, 0);
	const char *a = synth__title_a[t % SYNTH_NTA];
	const char *b = synth__title_b[t / SYNTH_NTA % SYNTH_NTB];
	const char *c = synth__title_c[t / (SYNTH_NTA * SYNTH_NTB)];
	char *p = title;

	/* "A B of the C", "The A B and the C" or "The C of A B". */
	switch (h % 3) {
	case 0:
		p = synth_cpy(p, a);
		*p++ = ' ';
		p = synth_cpy(p, b);
		p = synth_cpy(p, " of the ");
		p = synth_cpy(p, c);
		break;
	case 1:
		p = synth_cpy(p, "The ");
		p = synth_cpy(p, a);
		*p++ = ' ';
		p = synth_cpy(p, b);
		p = synth_cpy(p, " and the ");
		p = synth_cpy(p, c);
		break;
	default:
		p = synth_cpy(p, "The ");
		p = synth_cpy(p, c);
		p = synth_cpy(p, " of ");
		p = synth_cpy(p, a);
		*p++ = ' ';
		p = synth_cpy(p, b);
		break;
	}
	if (vol > 0) {
		p = synth_cpy(p, ", Volume ");
		p = synth_fmtu(p, vol + 1);
	}
	*p = '\0';
	p = author;
	p = synth_cpy(p, synth__firstnames[(h >> 8) %
	    SYNTH_LEN(synth__firstnames)]);
	*p++ = ' ';
	p = synth_cpy(p, synth__lastnames[(h >> 24) %
	    SYNTH_LEN(synth__lastnames)]);
	*p = '\0';
	*genre = (int)((h >> 40) % SYNTH_LEN(synth__genres));
}

/*
 * nopt distinct option indices out of [0, npool), one of them correct:
 * the distractors are a function of key, their order a function of fact
 * and the set alone, so a question always shows the same options in the
 * same order (and the same set is never shown in two orders).  Returns
 * the correct option's position.
 */
static int
synth_options(const struct synth_run *r, uint64_t key, uint64_t fact,
    int npool, int correct, int nopt, int *opt)
{
	uint64_t h;
	int n = 1, i, j, t, pos = 0;

	opt[0] = correct;
	for (i = 0; n < nopt; i++) {
		int c = (int)(synth__h(r, T_OPT, key, (uint64_t)i) %
		    (uint64_t)npool);

		for (j = 0; j < n && opt[j] != c; j++)
			;
		if (j == n)
			opt[n++] = c;
	}
	/* Canonical order, then a permutation fixed by the set. */
	for (i = 1; i < nopt; i++)
		for (j = i; j > 0 && opt[j - 1] > opt[j]; j--) {
			t = opt[j];
			opt[j] = opt[j - 1];
			opt[j - 1] = t;
		}
	h = fact;
	for (i = 0; i < nopt; i++)
		h = h * 131 + (uint64_t)opt[i];
	h = synth__h(r, T_PERM, h, 0);
	for (i = nopt - 1; i > 0; i--) {
		j = (int)(h % (uint64_t)(i + 1));
		h /= (uint64_t)(i + 1);
		t = opt[i];
		opt[i] = opt[j];
		opt[j] = t;
	}
	for (i = 0; i < nopt; i++)
		if (opt[i] == correct)
			pos = i;
	return pos;
}

/* ---------------------------------------------------------------------
 * Images.
 */

static uint64_t
synth_coco_id(const struct synth_run *r, uint64_t j)
{
	return 9 + 7 * j + synth__h(r, T_COCOID, j, 0) % 7;
}

/* Local image index of item m of a range of n items over nimg images. */
static uint64_t
synth_local(uint64_t m, uint64_t n, uint64_t nimg)
{
	return m * nimg / n;
}

/* First item of local image jl. */
static uint64_t
synth_first(uint64_t jl, uint64_t n, uint64_t nimg)
{
	return (jl * n + nimg - 1) / nimg;
}

/* Local image index -> index in the space's image set (injective). */
static uint64_t
synth_spread(const struct synth_run *r, const struct synth_file *f,
    uint64_t jl)
{
	uint64_t base = r->f[synth_space_base[synth__ds[f->ds].space]].nimg;

	if (f->nimg >= base)
		return jl;
	return jl * base / f->nimg;
}

/* The width lowest hex digits of v. */
static char *
synth_hex(char *p, uint64_t v, int width)
{
	int i;

	for (i = width - 1; i >= 0; i--)
		*p++ = "0123456789abcdef"[(v >> (4 * i)) & 15];
	return p;
}

/* s in lower case. */
static char *
synth_cpy_lower(char *p, const char *s)
{
	for (; *s; s++)
		*p++ = (char)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
	return p;
}

/* Image j of the spaces only the later table has (see synth_imgpath()). */
static char *
synth_imgpath_later(const struct synth_run *r, int space, uint64_t j,
    char *p)
{
	uint64_t v;

	switch (space) {
	case SP_COCO17:		/* the same images, COCO 2017's names */
		p = synth_cpy(p, "coco_2017/");
		p = synth_fmtu_w(p, synth_coco_id(r, j), 12);
		return synth_cpy(p, ".jpg");
	case SP_DOC:		/* "ffbf0023_4.png": a document and its page */
		v = (uint32_t)(((uint32_t)j ^ (uint32_t)synth__h(r, T_DOC, 0, 0)) *
		    0x9e3779b1u);
		p = synth_cpy(p, "docvqa/");
		p = synth_hex(p, v ^ (v >> 16), 8);
		*p++ = '_';
		p = synth_fmtu(p, 1 + synth__h(r, T_DOC, j, 1) % 5);
		return synth_cpy(p, ".png");
	case SP_CHART:
		p = synth_cpy(p, "dvqa/bar_train_");
		p = synth_fmtu_w(p, j, 8);
		return synth_cpy(p, ".png");
	case SP_PRETRAIN:	/* LCS-558K: 00453/004539375.jpg */
		v = 1000 + 7 * j + synth__h(r, T_WEB, j, 1) % 7;
		p = synth_cpy(p, "llava/llava_pretrain/images/");
		p = synth_fmtu_w(p, v / 10000, 5);
		*p++ = '/';
		p = synth_fmtu_w(p, v, 9);
		return synth_cpy(p, ".jpg");
	case SP_SAM:
		p = synth_cpy(p, "sam/images/sa_");
		p = synth_fmtu(p, 1 + 13 * j + synth__h(r, T_WEB, j, 2) % 13);
		return synth_cpy(p, ".jpg");
	case SP_SHARETEXT:
		p = synth_cpy(p, "share_textvqa/images/");
		p = synth_hex(p, synth__mix(j ^ synth__h(r, T_WEB, 0, 3)), 16);
		return synth_cpy(p, ".jpg");
	case SP_CELEB:		/* a name and a number: 40 x 50 names */
		p = synth_cpy(p, "web-celebrity/images/");
		p = synth_cpy(p, synth__firstnames[j % 40]);
		*p++ = '_';
		p = synth_cpy(p, synth__lastnames[j / 40 % 50]);
		*p++ = '_';
		p = synth_fmtu(p, j / 2000 + 1);
		return synth_cpy(p, ".jpg");
	case SP_LANDMARK:
		p = synth_cpy(p, "web-landmark/images/");
		p = synth_fmtu_w(p, 3 * j + synth__h(r, T_WEB, j, 4) % 3, 7);
		return synth_cpy(p, ".jpg");
	default:		/* SP_WIKIART: "ada-hall_painting-3.jpg" */
		p = synth_cpy(p, "wikiart/images/");
		p = synth_cpy_lower(p, synth__firstnames[j % 40]);
		*p++ = '-';
		p = synth_cpy_lower(p, synth__lastnames[j / 40 % 50]);
		p = synth_cpy(p, "_painting-");
		p = synth_fmtu(p, j / 2000 + 1);
		return synth_cpy(p, ".jpg");
	}
}

/* The path of image j of a space (injective in j). */
static void
synth_imgpath(const struct synth_run *r, int space, uint64_t j, char *out)
{
	char *p = out;
	uint64_t v;

	switch (space) {
	case SP_COCO:
		p = synth_cpy(p, "coco/COCO_train2014_");
		p = synth_fmtu_w(p, synth_coco_id(r, j), 12);
		p = synth_cpy(p, ".jpg");
		break;
	case SP_FLICKR:
		p = synth_cpy(p, r->tab->flickr_dir);
		*p++ = '/';
		p = synth_fmtu(p, 1000 + 3400 * j +
		    synth__h(r, T_FLICKR, j, 0) % 3400);
		p = synth_cpy(p, ".jpg");
		break;
	case SP_OPEN:
		p = synth_cpy(p, "open_images/");
		v = synth__mix(j ^ synth__h(r, T_OPEN, 0, 0));
		p = synth_hex(p, v, 16);
		p = synth_cpy(p, ".jpg");
		break;
	case SP_OCR:
		p = synth_cpy(p, "ocrvqa/");
		p = synth_fmtu_w(p, 15000 * j +
		    synth__h(r, T_OCRIMG, j, 0) % 15000, 10);
		p = synth_cpy(p, ".jpg");
		break;
	case SP_VG:
		p = synth_cpy(p, "visual_genome/");
		p = synth_fmtu(p, j == 0 ? 1 :
		    1 + 22 * j + synth__h(r, T_VG, j, 0) % 22);
		p = synth_cpy(p, ".jpg");
		break;
	case SP_SCI:
		p = synth_cpy(p, "scienceqa/");
		p = synth_fmtu(p, 1 + 3 * j + synth__h(r, T_SCI, j, 0) % 3);
		p = synth_cpy(p, "/image.png");
		break;
	default:
		p = synth_imgpath_later(r, space, j, p);
		break;
	}
	*p = '\0';
}

/*
 * Image of item i of a mix f: its local image's space drawn from parts
 * (n of them), the image numbered by the local index in that space; or,
 * for LLaVA-v1.5's text-only items, none ("").  Returns the local index
 * and sets *space (-1 without an image).
 */
static uint64_t
synth_mix_image(const struct synth_run *r, const struct synth_file *f,
    uint64_t i, struct synth_item *it, int *space)
{
	const struct synth_mixpart *parts = f->ds == SD_SHARE4V ?
	    synth_mix_share4v : synth_mix_llava15;
	size_t k, n = f->ds == SD_SHARE4V ? SYNTH_LEN(synth_mix_share4v) :
	    SYNTH_LEN(synth_mix_llava15);
	uint64_t jl = synth_local(i, f->n, f->nimg), w;

	*space = -1;
	it->image[0] = '\0';
	if (f->ds == SD_LLAVA15 &&
	    synth__h(r, T_MIX, i, 1) % 1000 < SYNTH_TEXT_ONLY)
		return jl;
	w = synth__h(r, T_MIX, (uint64_t)f->ds, jl) % 1000;
	for (k = 0; k + 1 < n && w >= parts[k].permille; k++)
		w -= parts[k].permille;
	*space = parts[k].space;
	synth_imgpath(r, *space, jl, it->image);
	return jl;
}

/* Image of item i of file f (not SVIT): its space index and path. */
static uint64_t
synth_item_image(const struct synth_run *r, const struct synth_file *f,
    uint64_t i, struct synth_item *it)
{
	uint64_t j = synth_spread(r, f, synth_local(i, f->n, f->nimg));

	synth_imgpath(r, synth__ds[f->ds].space, j, it->image);
	return j;
}

/* ---------------------------------------------------------------------
 * IDs.
 */

static char *
synth_b62(char *p, uint64_t v)
{
	static const char digits[] =
	    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	int k;

	for (k = 0; k < 11; k++) {
		*p++ = digits[v % 62];
		v /= 62;
	}
	return p;
}

/* Questions per image, at most (VQAv2, OK-VQA number them). */
static uint64_t
synth_perimg(const struct synth_file *f)
{
	return (f->n + f->nimg - 1) / f->nimg;
}

static void
synth_id(const struct synth_run *r, const struct synth_file *f, uint64_t i,
    char *out)
{
	char *p = synth_cpy(out, synth__ds[f->ds].name);
	uint64_t jl, j, q;
	int k;

	*p++ = '_';
	switch (f->ds) {
	case SD_VQAV2:
	case SD_OKVQA:
		jl = synth_local(i, f->n, f->nimg);
		q = i - synth_first(jl, f->n, f->nimg);
		j = synth_spread(r, f, jl);
		if (f->ds == SD_VQAV2)
			p = synth_fmtu(p, synth_coco_id(r, j) * 1000 + q);
		else
			p = synth_fmtu(p, synth_coco_id(r, j) * 10 + q +
			    synth__h(r, T_OKDIGIT, jl, 0) %
			    (11 - synth_perimg(f)));
		break;
	case SD_GQA:
		p = synth_fmtu_w(p, i * 16 + synth__h(r, T_GQAID, i, 0) % 16,
		    8);
		break;
	case SD_AOKVQA:
		p = synth_b62(p, synth__mix(i ^ synth__h(r, T_AOKID, 0, 0)));
		p = synth_b62(p, synth__h(r, T_AOKID, i, 1));
		break;
	case SD_REC:
	case SD_REG:
		p = synth_fmtu(p, 2 * i + 1);
		break;
	case SD_SVIT:
		for (k = 3; k > 0 && i < f->kstart[k]; k--)
			;
		p = synth_cpy(p, synth_svit_kind[k]);
		*p++ = '_';
		p = synth_fmtu(p, i - f->kstart[k]);
		break;
	default:
		p = synth_fmtu(p, i);
		break;
	}
	*p = '\0';
}

/* ---------------------------------------------------------------------
 * Generators: one per dataset, each a pure function of (run, file, i).
 * QA datasets also say which val subtype the item can seed.
 */

/* Human: "<image>\n<question> Answer ... phrase."; gpt: the answer. */
static void
synth_open_qa(struct synth_item *it)
{
	synth_turn(it);
	buf_add(&it->txt, "<image>\n", 8);
	buf_add(&it->txt, it->vq.p, it->vq.len);
	buf_adds(&it->txt, SYNTH_VQA_SUFFIX);
	synth_turn(it);
	buf_add(&it->txt, it->va.p, it->va.len);
}

static void
synth_caption_prompt(struct synth_item *it, struct synth_rng *g)
{
	synth_turn(it);
	buf_add(&it->txt, "<image>\n", 8);
	buf_adds(&it->txt, synth__cap_prompts[synth_below(g,
	    SYNTH_LEN(synth__cap_prompts))]);
	synth_turn(it);
}

/* nsent sentences about the scene e[6]. */
static void
synth_para(const struct synth_run *r, struct buf *b, struct synth_rng *g,
    const int *e, int nsent)
{
	struct synth_ctx c;
	int s, ia, ib;

	for (s = 0; s < nsent; s++) {
		ia = (int)synth_below(g, 6);
		ib = (ia + 1 + (int)synth_below(g, 5)) % 6;
		synth_ctx_set(r, &c, e[ia], e[ib]);
		c.k = synth_count(r, e[ib], c.pb);	/* "%W %S are ..." */
		if (s > 0)
			buf_add(b, " ", 1);
		synth_tpl(r, b, synth__sents[synth_below(g,
		    SYNTH_LEN(synth__sents))], &c);
	}
}

static void
synth_mood(const struct synth_run *r, struct buf *b, struct synth_rng *g)
{
	struct synth_ctx c;
	uint32_t m1 = synth_below(g, SYNTH_LEN(synth__moods));
	uint32_t m2 = (m1 + 1 + synth_below(g, SYNTH_LEN(synth__moods) - 1)) %
	    SYNTH_LEN(synth__moods);

	synth_ctx_set(r, &c, 0, 0);
	c.x = synth__moods[m1];
	c.y = synth__moods[m2];
	synth_tpl(r, b, "Overall, the scene feels %x and %y.", &c);
}

static void
synth_gen_coco(const struct synth_run *r, const struct synth_file *f,
    struct synth_item *it, uint64_t i)
{
	struct synth_rng g;
	struct synth_ctx c;
	uint64_t j;
	int a, b;

	synth_rng_init(&g, r, SD_COCO, i);
	j = synth_item_image(r, f, i, it);
	a = synth_scene(r, SP_COCO, j, (int)(i % 6));
	b = synth_scene(r, SP_COCO, j, (int)((i + 1) % 6));
	synth_ctx_set(r, &c, a, b);
	synth_caption_prompt(it, &g);
	synth_tpl(r, &it->txt, synth__coco_caps[synth_below(&g,
	    SYNTH_LEN(synth__coco_caps))], &c);
}

static void
synth_gen_flickr(const struct synth_run *r, const struct synth_file *f,
    struct synth_item *it, uint64_t i)
{
	struct synth_rng g;
	struct synth_ctx c;
	uint64_t j;

	synth_rng_init(&g, r, SD_FLICKR, i);
	j = synth_item_image(r, f, i, it);
	synth_ctx_set(r, &c, synth_scene(r, SP_FLICKR, j, 0),
	    synth_scene(r, SP_FLICKR, j, (int)(i % 5) + 1));
	c.x = synth__persons[synth_below(&g, SYNTH_LEN(synth__persons))];
	c.y = synth__garments[synth_below(&g, SYNTH_LEN(synth__garments))];
	c.v = synth__colors[synth_below(&g, SYNTH_NCOLOR)];
	c.z = synth__actions[synth_below(&g, SYNTH_LEN(synth__actions))];
	synth_caption_prompt(it, &g);
	synth_tpl(r, &it->txt, synth__flickr_caps[synth_below(&g,
	    SYNTH_LEN(synth__flickr_caps))], &c);
}

static void
synth_gen_textcaps(const struct synth_run *r, const struct synth_file *f,
    struct synth_item *it, uint64_t i)
{
	struct synth_rng g;
	struct synth_ctx c;
	char brand[32];
	uint64_t j;
	int m, pr;

	synth_rng_init(&g, r, SD_TEXTCAPS, i);
	j = synth_item_image(r, f, i, it);
	synth_product(r, j, &m, &pr);
	synth_brand(r, (unsigned)(m * SYNTH_NPROD + pr), brand);
	brand[0] = (char)(brand[0] - 'a' + 'A');
	synth_ctx_set(r, &c, 0, synth_scene(r, SP_OPEN, j, (int)(i % 6)));
	c.x = synth__mods[m];
	c.y = synth__products[pr];
	c.z = brand;
	synth_caption_prompt(it, &g);
	synth_tpl(r, &it->txt, synth__textcaps_caps[synth_below(&g,
	    SYNTH_LEN(synth__textcaps_caps))], &c);
}

static void
synth_gen_vqav2(const struct synth_run *r, const struct synth_file *f,
    struct synth_item *it, uint64_t i)
{
	struct synth_rng g;
	struct synth_ctx c;
	uint64_t jl, j, q;
	uint32_t t;
	int a, p;

	synth_rng_init(&g, r, SD_VQAV2, i);
	jl = synth_local(i, f->n, f->nimg);
	q = i - synth_first(jl, f->n, f->nimg);
	j = synth_spread(r, f, jl);
	synth_imgpath(r, SP_COCO, j, it->image);
	a = synth_scene(r, SP_COCO, j, (int)(q % 6));
	synth_ctx_set(r, &c, a, a);
	t = synth_below(&g, 10);
	if (t < 4) {
		synth_tpl(r, &it->vq, "What color is the %m %n?", &c);
		buf_adds(&it->va, synth__colors[r->color[a]]);
		it->vkind = V_COLOR;
		it->vkey = (uint64_t)a;
	} else if (t < 7) {
		synth_tpl(r, &it->vq, "How many %s are %l?", &c);
		synth_u(&it->va, (uint64_t)c.k);
		it->vkind = V_COUNT;
		it->vkey = (uint64_t)(a % SYNTH_NNOUN) * SYNTH_NPLACE +
		    (uint64_t)c.pa;
	} else {
		p = synth_below(&g, 2) ? c.pa :
		    (int)synth_below(&g, SYNTH_NPLACE);
		buf_adds(&it->va, p == c.pa ? "yes" : "no");
		c.pa = p;
		synth_tpl(r, &it->vq, "Is the %m %n %l?", &c);
		it->vkind = V_YESNO;
		it->vkey = (uint64_t)a * SYNTH_NPLACE + (uint64_t)p;
	}
	synth_open_qa(it);
}

static void
synth_gen_okvqa(const struct synth_run *r, const struct synth_file *f,
    struct synth_item *it, uint64_t i)
{
	static const char *const tpl[3] = {
		"What meal would the %x %l usually be eaten at?",
		"What is the natural habitat of the %x seen %l?",
		"Which sport is the %x %l used for?",
	};
	const struct synth_fact *tab[3] = {
		synth__foods, synth__habitats, synth__sports,
	};
	struct synth_rng g;
	struct synth_ctx c;
	uint32_t t, x, p;

	_Static_assert(SYNTH_LEN(synth__foods) == 30, "foods");
	_Static_assert(SYNTH_LEN(synth__habitats) == 30, "habitats");
	_Static_assert(SYNTH_LEN(synth__sports) == 30, "sports");
	synth_rng_init(&g, r, SD_OKVQA, i);
	synth_item_image(r, f, i, it);
	t = synth_below(&g, 3);
	x = synth_below(&g, 30);
	p = synth_below(&g, SYNTH_NPLACE);
	synth_ctx_set(r, &c, 0, 0);
	c.x = tab[t][x].key;
	c.pa = (int)p;
	synth_tpl(r, &it->vq, tpl[t], &c);
	buf_adds(&it->va, tab[t][x].ans);
	it->vkind = V_KNOW;
	it->vkey = ((uint64_t)t * 30 + x) * SYNTH_NPLACE + p;
	synth_open_qa(it);
}

static void
synth_gen_ocrvqa(const struct synth_run *r, const struct synth_file *f,
    struct synth_item *it, uint64_t i)
{
	struct synth_rng g;
	struct synth_ctx c;
	char title[160], author[64];
	uint64_t jl, j;
	uint32_t t;
	int genre, g2;

	synth_rng_init(&g, r, SD_OCRVQA, i);
	jl = synth_local(i, f->n, f->nimg);
	j = synth_item_image(r, f, i, it);
	synth_book(r, j, title, author, &genre);
	synth_ctx_set(r, &c, 0, 0);
	c.x = title;
	/* The questions about one cover go round five kinds: author,
	 * genre, "related to" its genre, title, "related to" any genre. */
	t = (uint32_t)((i - synth_first(jl, f->n, f->nimg) +
	    synth__h(r, T_BOOK, j, 1)) % 5);
	switch (t) {
	case 0:
		synth_tpl(r, &it->vq, "Who is the author of the book titled "
		    "%x?", &c);
		buf_adds(&it->va, author);
		it->vkind = V_AUTHOR;
		it->vkey = j;
		break;
	case 1:
		synth_tpl(r, &it->vq, "What is the genre of the book titled "
		    "%x?", &c);
		buf_adds(&it->va, synth__genres[genre]);
		it->vkind = V_GENRE;
		it->vkey = j;
		break;
	case 3:
		buf_adds(&it->vq, "What is the title of this book?");
		buf_adds(&it->va, title);
		break;
	default:
		g2 = t == 2 ? genre :
		    (int)synth_below(&g, SYNTH_LEN(synth__genres));
		c.y = synth__genres[g2];
		synth_tpl(r, &it->vq, "Is the book titled %x related to %y?",
		    &c);
		buf_adds(&it->va, g2 == genre ? "Yes" : "No");
		break;
	}
	synth_open_qa(it);
}

static void
synth_gen_gqa(const struct synth_run *r, const struct synth_file *f,
    struct synth_item *it, uint64_t i)
{
	struct synth_rng g;
	struct synth_ctx c;
	uint64_t jl, j;
	uint32_t t;
	int a;

	synth_rng_init(&g, r, SD_GQA, i);
	jl = synth_local(i, f->n, f->nimg);
	j = synth_item_image(r, f, i, it);
	a = synth_scene(r, SP_VG, j,
	    (int)((i - synth_first(jl, f->n, f->nimg)) % 6));
	synth_ctx_set(r, &c, a, a);
	t = synth_below(&g, 20);
	if (t < 7) {
		synth_tpl(r, &it->vq, "What is the %m %n made of?", &c);
		buf_adds(&it->va, synth__materials[r->mat[a]]);
		it->vkind = V_MATERIAL;
		it->vkey = (uint64_t)a;
	} else if (t < 12) {
		synth_tpl(r, &it->vq, "What is the color of the %m %n?", &c);
		synth_tpl(r, &it->va, "The %m %n is %c.", &c);
	} else if (t < 16) {
		c.x = synth__persons[synth_below(&g,
		    SYNTH_LEN(synth__persons))];
		c.y = synth__garments[synth_below(&g,
		    SYNTH_LEN(synth__garments))];
		synth_tpl(r, &it->vq, "Who wears a %y?", &c);
		synth_tpl(r, &it->va, "The %x wears a %y.", &c);
	} else {
		synth_tpl(r, &it->vq, "What is %l?", &c);
		synth_tpl(r, &it->va, "The %m %n is %l.", &c);
	}
	synth_open_qa(it);
}

static uint64_t
synth_number(const struct synth_run *r, int ent)
{
	return 1 + synth__h(r, T_NUM, (uint64_t)ent, 0) % 99;
}

static void
synth_gen_textvqa(const struct synth_run *r, const struct synth_file *f,
    struct synth_item *it, uint64_t i)
{
	struct synth_rng g;
	struct synth_ctx c;
	char brand[32];
	uint64_t j;
	int m, pr, a;

	synth_rng_init(&g, r, SD_TEXTVQA, i);
	j = synth_item_image(r, f, i, it);
	if (synth_below(&g, 10) < 6) {
		synth_product(r, j, &m, &pr);
		synth_brand(r, (unsigned)(m * SYNTH_NPROD + pr), brand);
		synth_ctx_set(r, &c, 0, 0);
		c.x = synth__mods[m];
		c.y = synth__products[pr];
		synth_tpl(r, &it->vq, "what brand is the %x %y?", &c);
		buf_adds(&it->va, brand);
		it->vkind = V_BRAND;
		it->vkey = (uint64_t)(m * SYNTH_NPROD + pr);
	} else {
		a = synth_scene(r, SP_OPEN, j, (int)synth_below(&g, 6));
		synth_ctx_set(r, &c, a, a);
		synth_tpl(r, &it->vq, "what number is written on the %m %n?",
		    &c);
		synth_u(&it->va, synth_number(r, a));
		it->vkind = V_NUMBER;
		it->vkey = (uint64_t)a;
	}
	synth_open_qa(it);
}

static void
synth_gen_aokvqa(const struct synth_run *r, const struct synth_file *f,
    struct synth_item *it, uint64_t i)
{
	struct synth_rng g;
	struct synth_ctx c;
	const char *const *pool;
	uint64_t jl, j, key;
	int a, k, opt[4], pos;
	char *p;

	synth_rng_init(&g, r, SD_AOKVQA, i);
	jl = synth_local(i, f->n, f->nimg);
	if (synth__h(r, T_AOKVAL, jl, 0) % 4 == 0) {
		/* A-OKVQA also draws on COCO's val2014 images. */
		j = 42 + 7 * jl + synth__h(r, T_AOKVAL, jl, 1) % 7;
		p = synth_cpy(it->image, "coco/COCO_val2014_");
		p = synth_fmtu_w(p, j, 12);
		p = synth_cpy(p, ".jpg");
		*p = '\0';
	} else {
		j = synth_spread(r, f, jl);
		synth_imgpath(r, SP_COCO, j, it->image);
	}
	a = synth_scene(r, SP_COCO, j, (int)synth_below(&g, 6));
	synth_ctx_set(r, &c, a, a);
	if (synth_below(&g, 10) < 6) {
		key = (uint64_t)a;
		pos = synth_options(r, key, key, SYNTH_NUSE, SYNTH_NOUN(a)->use,
		    4, opt);
		pool = synth__uses;
		synth_tpl(r, &it->core, "What is the %m %n most likely used "
		    "for?", &c);
	} else {
		key = SYNTH_NENT + (uint64_t)a;
		pos = synth_options(r, key, key, SYNTH_NWHERE,
		    SYNTH_NOUN(a)->where, 4, opt);
		pool = synth__wheres;
		synth_tpl(r, &it->core, "Where would you most likely find a "
		    "%m %n?", &c);
	}
	for (k = 0; k < 4; k++) {
		char l[4] = {'\n', (char)('A' + k), '.', ' '};

		buf_add(&it->core, l, 4);
		buf_adds(&it->core, pool[opt[k]]);
	}
	synth_turn(it);
	buf_adds(&it->txt, "<image>\nChoose the correct option for the "
	    "following question: ");
	buf_add(&it->txt, it->core.p, it->core.len);
	buf_add(&it->txt, "\n", 1);
	synth_turn(it);
	buf_add(&it->txt, &"ABCD"[pos], 1);
	buf_add(&it->vq, it->core.p, it->core.len);
	buf_adds(&it->vq, SYNTH_CHOICE_SUFFIX);
	buf_add(&it->va, &"ABCD"[pos], 1);
	it->vkind = V_AOK;
	it->vkey = key;
}

static void
synth_gen_sciqa(const struct synth_run *r, const struct synth_file *f,
    struct synth_item *it, uint64_t i)
{
	struct synth_rng g;
	struct synth_ctx c;
	const char *const *pool = NULL;
	const char *ctx;
	uint64_t fact, key;
	uint32_t t, v, x, instr;
	int k, nopt, opt[4], pos;
	char l[5] = {' ', '(', 'A', ')', ' '};
	const char *capital[SYNTH_LEN(synth__capitals)];

	for (k = 0; k < (int)SYNTH_LEN(synth__capitals); k++)
		capital[k] = synth__capitals[k].ans;
	synth_rng_init(&g, r, SD_SCIENCEQA, i);
	synth_item_image(r, f, i, it);
	t = synth_below(&g, 3);
	v = synth_below(&g, 4);
	instr = synth_below(&g, SYNTH_LEN(synth__sci_instr));
	synth_ctx_set(r, &c, 0, 0);
	if (t == 0) {
		x = synth_below(&g, SYNTH_LEN(synth__animals));
		fact = (1u << 20) | x;
		key = fact * 4 + v;
		nopt = 4;
		pos = synth_options(r, key, fact, 6, synth__animals[x].ans,
		    nopt, opt);
		pool = synth__classes;
		c.x = synth__animals[x].key;
		synth_tpl(r, &it->core, "Which group of animals does the %x "
		    "belong to?", &c);
		ctx = "Scientists sort animals into groups based on the traits "
		    "they share.";
	} else if (t == 1) {
		x = synth_below(&g, SYNTH_LEN(synth__substances));
		fact = key = (2u << 20) | x;
		nopt = 3;
		pos = synth_options(r, key, fact, 3, synth__substances[x].ans,
		    nopt, opt);
		pool = synth__states;
		c.x = synth__substances[x].key;
		synth_tpl(r, &it->core, "Is %x a solid, a liquid, or a gas?",
		    &c);
		ctx = "Solids, liquids and gases are states of matter. Each "
		    "has its own shape and volume properties.";
	} else {
		x = synth_below(&g, SYNTH_LEN(synth__capitals));
		fact = (3u << 20) | x;
		key = fact * 4 + v;
		nopt = 4;
		pos = synth_options(r, key, fact, SYNTH_LEN(synth__capitals),
		    (int)x, nopt, opt);
		pool = capital;
		c.x = synth__capitals[x].key;
		synth_tpl(r, &it->core, "What is the capital of %x?", &c);
		ctx = "The map shows the United States with one state "
		    "highlighted.";
	}
	/* The val question: the question, its options, the prompt. */
	buf_add(&it->vq, it->core.p, it->core.len);
	buf_add(&it->vq, "\n", 1);
	for (k = 0; k < nopt; k++) {
		l[2] = (char)('A' + k);
		buf_add(&it->vq, l + (k == 0), 5 - (k == 0));
		buf_adds(&it->vq, pool[opt[k]]);
	}
	buf_adds(&it->vq, SYNTH_CHOICE_SUFFIX);
	synth_turn(it);
	buf_adds(&it->txt, "<image>\n");
	buf_adds(&it->txt, synth__sci_instr[instr]);
	buf_adds(&it->txt, "\nContext: ");
	buf_adds(&it->txt, ctx);
	buf_adds(&it->txt, "\nQuestion: ");
	buf_add(&it->txt, it->core.p, it->core.len);
	buf_adds(&it->txt, "\nOptions:");
	for (k = 0; k < nopt; k++) {
		l[2] = (char)('A' + k);
		buf_add(&it->txt, l, 5);
		buf_adds(&it->txt, pool[opt[k]]);
	}
	synth_turn(it);
	buf_adds(&it->txt, "The answer is ");
	buf_add(&it->txt, &"ABCD"[pos], 1);
	buf_adds(&it->txt, ".");
	buf_add(&it->va, &"ABCD"[pos], 1);
	it->vkind = V_SCI;
	it->vkey = key;
}

/* ref3rec_N and ref3reg_N are the same referring expression, asked both
 * ways (the ID number N = 2i + 1 reaches 287603 at scale 1). */
static void
synth_gen_ref(const struct synth_run *r, const struct synth_file *f,
    struct synth_item *it, uint64_t i)
{
	struct synth_rng g;
	struct synth_ctx c;
	char box[64];
	uint64_t j;
	uint32_t ef, trec, treg;
	int a, b;

	synth_rng_init(&g, r, SD_REC, i);
	j = synth_item_image(r, f, i, it);
	a = synth_scene(r, SP_COCO, j, (int)synth_below(&g, 6));
	b = synth_scene(r, SP_COCO, j, (int)synth_below(&g, 6));
	ef = synth_below(&g, SYNTH_LEN(synth__ref_expr));
	trec = synth_below(&g, SYNTH_LEN(synth__rec_tpl));
	treg = synth_below(&g, SYNTH_LEN(synth__reg_tpl));
	synth_box(synth__h(r, T_BOX, i, 0), box, NULL);
	synth_ctx_set(r, &c, a, b);
	synth_tpl(r, &it->core, synth__ref_expr[ef], &c);
	c.x = it->core.p;
	c.y = box;
	synth_turn(it);
	if (f->ds == SD_REC) {
		synth_tpl(r, &it->txt, synth__rec_tpl[trec], &c);
		synth_turn(it);
		buf_adds(&it->txt, box);
		buf_adds(&it->txt, ".");
	} else {
		synth_tpl(r, &it->txt, synth__reg_tpl[treg], &c);
		synth_turn(it);
		buf_add(&it->txt, it->core.p, it->core.len);
	}
}

static void
synth_gen_shikra(const struct synth_run *r, const struct synth_file *f,
    struct synth_item *it, uint64_t i)
{
	struct synth_rng g;
	struct synth_ctx c;
	char box[64];
	uint64_t j;
	uint32_t t;
	int a;

	synth_rng_init(&g, r, SD_SHIKRA, i);
	j = synth_item_image(r, f, i, it);
	a = synth_scene(r, SP_FLICKR, j, (int)synth_below(&g, 6));
	synth_ctx_set(r, &c, a, a);
	synth_box(synth__h(r, T_BOX, i, 1), box, NULL);
	c.x = box;
	t = synth_below(&g, 10);
	synth_turn(it);
	if (t < 3) {
		synth_tpl(r, &it->txt, "<image>\nAre there any %s in the "
		    "image?", &c);
		synth_turn(it);
		synth_tpl(r, &it->txt, "There are no %s mentioned in the "
		    "given context or visible in the image, so the answer is "
		    "no.", &c);
	} else if (t < 6) {
		synth_tpl(r, &it->txt, "<image>\nIs there a %m %n in this "
		    "picture?", &c);
		synth_turn(it);
		synth_tpl(r, &it->txt, "Yes, there is a %m %n %x %l, so the "
		    "answer is yes.", &c);
	} else {
		c.y = box;
		c.x = synth__persons[synth_below(&g,
		    SYNTH_LEN(synth__persons))];
		c.z = synth__actions[synth_below(&g,
		    SYNTH_LEN(synth__actions))];
		c.v = synth__moods[synth_below(&g, SYNTH_LEN(synth__moods))];
		synth_tpl(r, &it->txt, "<image>\nWhat is the %x %y doing?",
		    &c);
		synth_turn(it);
		synth_tpl(r, &it->txt, "The %x %y is %z. Judging from the "
		    "surroundings, the %x seems %v.", &c);
	}
}

/* Conversation exchanges k0.. about the scene e, from template start. */
static void
synth_conv(const struct synth_run *r, struct synth_item *it, const int *e,
    int start, int k0, int nex, int image_first, int with_image)
{
	struct synth_ctx c;
	const struct synth_qa *qa;
	int k;

	for (k = k0; k < k0 + nex; k++) {
		qa = &synth__conv_qa[(start + k) %
		    (int)SYNTH_LEN(synth__conv_qa)];
		synth_ctx_set(r, &c, e[k % 6], e[(k + 1) % 6]);
		synth_turn(it);
		if (with_image && k == k0 && image_first)
			buf_adds(&it->txt, "<image>\n");
		synth_tpl(r, &it->txt, qa->q, &c);
		if (with_image && k == k0 && !image_first)
			buf_adds(&it->txt, "\n<image>");
		synth_turn(it);
		synth_tpl(r, &it->txt, qa->a, &c);
	}
}

static void
synth_gen_llava(const struct synth_run *r, const struct synth_file *f,
    struct synth_item *it, uint64_t i)
{
	struct synth_rng g;
	struct synth_ctx c;
	const struct synth_qa *qa;
	uint64_t j;
	uint32_t t;
	int e[6], img_first;

	synth_rng_init(&g, r, SD_LLAVA, i);
	j = synth_item_image(r, f, i, it);
	synth_scene6(r, SP_COCO, j, e);
	t = synth_below(&g, 1000);
	img_first = (int)synth_below(&g, 2);
	if (t < 368) {
		synth_conv(r, it, e, (int)synth_below(&g,
		    SYNTH_LEN(synth__conv_qa)), 0, 2 + (int)synth_below(&g, 4),
		    img_first, 1);
		return;
	}
	synth_turn(it);
	if (img_first)
		buf_adds(&it->txt, "<image>\n");
	if (t < 514) {
		buf_adds(&it->txt, synth__llava_detail_q[synth_below(&g,
		    SYNTH_LEN(synth__llava_detail_q))]);
		if (!img_first)
			buf_adds(&it->txt, "\n<image>");
		synth_turn(it);
		synth_para(r, &it->txt, &g, e, 5 + (int)synth_below(&g, 4));
		buf_add(&it->txt, " ", 1);
		synth_mood(r, &it->txt, &g);
		return;
	}
	qa = &synth__complex_qa[synth_below(&g, SYNTH_LEN(synth__complex_qa))];
	synth_ctx_set(r, &c, e[0], e[1]);
	synth_tpl(r, &it->txt, qa->q, &c);
	if (!img_first)
		buf_adds(&it->txt, "\n<image>");
	synth_turn(it);
	synth_tpl(r, &it->txt, qa->a, &c);
	buf_add(&it->txt, " ", 1);
	synth_para(r, &it->txt, &g, e, 2 + (int)synth_below(&g, 3));
}

static void
synth_gen_svit(const struct synth_run *r, const struct synth_file *f,
    struct synth_item *it, uint64_t i)
{
	static const struct synth_qa refq[] = {
		{"Which object is located higher in the image, the %n %x or "
		    "the %N %y? Locate the objects with their coordinates.",
		    "The %n %x is located higher in the image compared to the "
		    "%N %y."},
		{"Which object is located higher in the image, the %N %y or "
		    "the %n %x? Locate the objects with their coordinates.",
		    "The %n %x is located higher in the image compared to the "
		    "%N %y."},
		{"What is the %m %n %x next to?",
		    "The %m %n %x is next to a %C %N %y."},
		{"Where is the %c %n in the image? Answer with its "
		    "coordinates.", "The %c %n is located at %x, %l."},
		{"Please locate the %M %N in the image and describe it.",
		    "The %M %N %y is %C and it is placed %L."},
	};
	struct synth_rng g;
	struct synth_ctx c;
	const struct synth_qa *qa;
	char box1[64], box2[64];
	uint64_t m, j;
	unsigned top1, top2;
	int k, e[6], p;

	for (k = 3; k > 0 && i < f->kstart[k]; k--)
		;
	m = i - f->kstart[k];
	synth_rng_init(&g, r, SD_SVIT * 4 + (uint64_t)k, m);
	j = synth_local(m, f->kn[k], f->nimg);
	synth_imgpath(r, SP_VG, j, it->image);
	synth_scene6(r, SP_VG, j, e);
	p = (int)synth_below(&g, 6);
	synth_turn(it);
	buf_adds(&it->txt, "<image>\n");
	switch (k) {
	case 0:
		buf_adds(&it->txt, synth__overview_q[synth_below(&g,
		    SYNTH_LEN(synth__overview_q))]);
		synth_turn(it);
		synth_para(r, &it->txt, &g, e, 3 + (int)synth_below(&g, 2));
		synth_conv(r, it, e, (int)synth_below(&g,
		    SYNTH_LEN(synth__conv_qa)), p, 1 + (int)synth_below(&g, 4),
		    1, 0);
		break;
	case 1:
		buf_adds(&it->txt, synth__svit_detail_q[synth_below(&g,
		    SYNTH_LEN(synth__svit_detail_q))]);
		synth_turn(it);
		for (p = 3 + (int)synth_below(&g, 3); p > 0; p--) {
			synth_para(r, &it->txt, &g, e,
			    3 + (int)synth_below(&g, 3));
			buf_add(&it->txt, "\n", 1);
		}
		synth_mood(r, &it->txt, &g);
		break;
	case 2:
		qa = &synth__complex_qa[synth_below(&g,
		    SYNTH_LEN(synth__complex_qa))];
		synth_ctx_set(r, &c, e[p], e[(p + 1) % 6]);
		synth_tpl(r, &it->txt, qa->q, &c);
		synth_turn(it);
		synth_tpl(r, &it->txt, qa->a, &c);
		break;
	default:
		qa = &refq[synth_below(&g, SYNTH_LEN(refq))];
		synth_box(synth__h(r, T_BOX, i, 2), box1, &top1);
		synth_box(synth__h(r, T_BOX, i, 3), box2, &top2);
		synth_ctx_set(r, &c, e[p], e[(p + 1) % 6]);
		/* %x is the higher box, as the first two answers say. */
		c.x = top1 <= top2 ? box1 : box2;
		c.y = top1 <= top2 ? box2 : box1;
		synth_tpl(r, &it->txt, qa->q, &c);
		synth_turn(it);
		synth_tpl(r, &it->txt, qa->a, &c);
		break;
	}
}

/* TextOCR-GPT4V: a caption prompt and a GPT-4V paragraph about the text
 * on an Open Images product. */
static void
synth_gen_textocr(const struct synth_run *r, const struct synth_file *f,
    struct synth_item *it, uint64_t i)
{
	struct synth_rng g;
	struct synth_ctx c;
	char brand[32];
	uint64_t j;
	int m, pr, e[6];

	synth_rng_init(&g, r, SD_TEXTOCR, i);
	j = synth_item_image(r, f, i, it);
	synth_product(r, j, &m, &pr);
	synth_brand(r, (unsigned)(m * SYNTH_NPROD + pr), brand);
	brand[0] = (char)(brand[0] - 'a' + 'A');
	synth_scene6(r, SP_OPEN, j, e);
	synth_ctx_set(r, &c, e[0], e[1]);
	c.x = synth__mods[m];
	c.y = synth__products[pr];
	c.z = brand;
	synth_caption_prompt(it, &g);
	synth_tpl(r, &it->txt, synth__textocr_caps[synth_below(&g,
	    SYNTH_LEN(synth__textocr_caps))], &c);
	buf_add(&it->txt, " ", 1);
	synth_para(r, &it->txt, &g, e, 3 + (int)synth_below(&g, 3));
}

/* VGQA: a short question on a Visual Genome scene. */
static void
synth_gen_vgqa(const struct synth_run *r, const struct synth_file *f,
    struct synth_item *it, uint64_t i)
{
	struct synth_rng g;
	struct synth_ctx c;
	const struct synth_qa *qa;
	uint64_t j;
	int e[6], k;

	synth_rng_init(&g, r, SD_VGQA, i);
	j = synth_item_image(r, f, i, it);
	synth_scene6(r, SP_VG, j, e);
	k = (int)synth_below(&g, 6);
	synth_ctx_set(r, &c, e[k], e[(k + 1) % 6]);
	qa = &synth__vgqa_qa[synth_below(&g, SYNTH_LEN(synth__vgqa_qa))];
	synth_tpl(r, &it->vq, qa->q, &c);
	synth_tpl(r, &it->va, qa->a, &c);
	synth_open_qa(it);
}

/* DocVQA: a question on a document's kind, date, company or amount. */
static void
synth_gen_docvqa(const struct synth_run *r, const struct synth_file *f,
    struct synth_item *it, uint64_t i)
{
	struct synth_rng g;
	struct synth_ctx c;
	const struct synth_qa *qa;
	char date[16], company[48], amount[32], *p;
	uint64_t j, h;

	synth_rng_init(&g, r, SD_DOCVQA, i);
	j = synth_item_image(r, f, i, it);
	h = synth__h(r, T_DOC, j, 2);
	synth_ctx_set(r, &c, 0, 0);
	c.x = synth__doc_kinds[h % SYNTH_LEN(synth__doc_kinds)];
	p = synth_fmtu_w(date, 1 + (h >> 8) % 12, 2);
	*p++ = '/';
	p = synth_fmtu_w(p, 1 + (h >> 16) % 28, 2);
	*p++ = '/';
	p = synth_fmtu(p, 1960 + (h >> 24) % 46);
	*p = '\0';
	synth_brand(r, (unsigned)((h >> 32) % 4096), company);
	company[0] = (char)(company[0] - 'a' + 'A');
	p = synth_cpy(company + strlen(company), " Inc.");
	*p = '\0';
	p = synth_cpy(amount, "$");
	p = synth_fmtu(p, (h >> 44) % 10000);
	*p++ = '.';
	p = synth_fmtu_w(p, (h >> 56) % 100, 2);
	*p = '\0';
	c.y = date;
	c.z = company;
	c.v = amount;
	qa = &synth__doc_qa[synth_below(&g, SYNTH_LEN(synth__doc_qa))];
	synth_tpl(r, &it->vq, qa->q, &c);
	synth_tpl(r, &it->va, qa->a, &c);
	synth_open_qa(it);
}

/* DVQA: a question on a bar chart of 2 to 9 labelled bars. */
static void
synth_gen_dvqa(const struct synth_run *r, const struct synth_file *f,
    struct synth_item *it, uint64_t i)
{
	struct synth_rng g;
	uint64_t j, h, v[9], top = 0;
	int nb, k, base, label;

	synth_rng_init(&g, r, SD_DVQA, i);
	j = synth_item_image(r, f, i, it);
	h = synth__h(r, T_CHART, j, 0);
	nb = 2 + (int)(h % 8);
	/* bar k's label: noun base + 7k, distinct (7 is coprime with 64) */
	base = (int)((h >> 8) % SYNTH_NNOUN);
	for (k = 0; k < nb; k++) {
		v[k] = synth__h(r, T_CHART, j, 1 + (uint64_t)k) % 10;
		if (v[k] > v[top])
			top = (uint64_t)k;
	}
	label = (int)synth_below(&g, (uint32_t)nb);
	switch (synth_below(&g, 4)) {
	case 0:
		buf_adds(&it->vq, "How many bars are there?");
		synth_u(&it->va, (uint64_t)nb);
		break;
	case 1:
		buf_adds(&it->vq, "What is the value of the largest bar?");
		synth_u(&it->va, v[top]);
		break;
	case 2:
		buf_adds(&it->vq, "Which bar has the largest value?");
		buf_adds(&it->va, synth__nouns[(base + 7 * (int)top) %
		    SYNTH_NNOUN].one);
		break;
	default:
		buf_adds(&it->vq, "What is the value of ");
		buf_adds(&it->vq, synth__nouns[(base + 7 * label) %
		    SYNTH_NNOUN].one);
		buf_adds(&it->vq, "?");
		synth_u(&it->va, v[label]);
		break;
	}
	synth_open_qa(it);
}

/* ShareGPT-4V: a detail prompt and a long description of a mix image. */
static void
synth_gen_share4v(const struct synth_run *r, const struct synth_file *f,
    struct synth_item *it, uint64_t i)
{
	struct synth_rng g;
	uint64_t jl;
	int e[6], space;

	synth_rng_init(&g, r, SD_SHARE4V, i);
	jl = synth_mix_image(r, f, i, it, &space);
	synth_scene6(r, space, jl, e);
	synth_turn(it);
	buf_adds(&it->txt, "<image>\n");
	buf_adds(&it->txt, synth__llava_detail_q[synth_below(&g,
	    SYNTH_LEN(synth__llava_detail_q))]);
	synth_turn(it);
	synth_para(r, &it->txt, &g, e, 6 + (int)synth_below(&g, 4));
	buf_add(&it->txt, " ", 1);
	synth_mood(r, &it->txt, &g);
}

/* LLaVA-v1.5's mix: short answers in its own format ("Answer the
 * question using a single word or phrase."), conversations, and chats
 * without an image. */
static void
synth_gen_llava15(const struct synth_run *r, const struct synth_file *f,
    struct synth_item *it, uint64_t i)
{
	struct synth_rng g;
	struct synth_ctx c;
	const struct synth_qa *qa;
	uint64_t jl;
	int e[6], space, k, n;

	synth_rng_init(&g, r, SD_LLAVA15, i);
	jl = synth_mix_image(r, f, i, it, &space);
	if (space < 0) {
		k = (int)(synth__h(r, T_MIX, i, 2) % SYNTH_NENT);
		synth_ctx_set(r, &c, k, k);
		c.x = synth__wheres[SYNTH_NOUN(k)->where];
		qa = &synth__llava15_text[synth_below(&g,
		    SYNTH_LEN(synth__llava15_text))];
		synth_turn(it);
		synth_tpl(r, &it->txt, qa->q, &c);
		synth_turn(it);
		synth_tpl(r, &it->txt, qa->a, &c);
		return;
	}
	synth_scene6(r, space, jl, e);
	if (synth_below(&g, 2)) {
		synth_conv(r, it, e, (int)synth_below(&g,
		    SYNTH_LEN(synth__conv_qa)), 0, 2 + (int)synth_below(&g, 3),
		    1, 1);
		return;
	}
	n = 1 + (int)synth_below(&g, 3);
	for (k = 0; k < n; k++) {
		qa = &synth__llava15_short[synth_below(&g,
		    SYNTH_LEN(synth__llava15_short))];
		synth_ctx_set(r, &c, e[k], e[k]);
		synth_turn(it);
		if (k == 0)
			buf_adds(&it->txt, "<image>\n");
		synth_tpl(r, &it->txt, qa->q, &c);
		buf_adds(&it->txt, "\nAnswer the question using a single word "
		    "or phrase.");
		synth_turn(it);
		synth_tpl(r, &it->txt, qa->a, &c);
	}
}

/* ---------------------------------------------------------------------
 * Output: a big buffer in front of the file, JSON escaping.
 */

void
synth__oflush(struct synth_out *o)
{
	if (o->len > 0 && o->failed == 0 &&
	    fwrite(o->buf, 1, o->len, o->fp) != o->len)
		o->failed = errno != 0 ? errno : EIO;
	o->len = 0;
}

void
synth__oraw(struct synth_out *o, const char *s, size_t n)
{
	if (o->cap - o->len < n) {
		synth__oflush(o);
		if (n > o->cap) {
			if (o->failed == 0 && fwrite(s, 1, n, o->fp) != n)
				o->failed = errno != 0 ? errno : EIO;
			return;
		}
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
}

/* s (n bytes) as the inside of a JSON string. */
static void
synth_oesc(struct synth_out *o, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t chunk, k;
	char *d;

	while (n > 0) {
		chunk = n < 4096 ? n : 4096;
		if (o->cap - o->len < 6 * chunk)
			synth__oflush(o);
		d = o->buf + o->len;
		for (k = 0; k < chunk; k++) {
			unsigned char ch = (unsigned char)s[k];

			if (ch >= 0x20 && ch != '"' && ch != '\\') {
				*d++ = (char)ch;
				continue;
			}
			*d++ = '\\';
			switch (ch) {
			case '"': *d++ = '"'; break;
			case '\\': *d++ = '\\'; break;
			case '\n': *d++ = 'n'; break;
			case '\t': *d++ = 't'; break;
			case '\r': *d++ = 'r'; break;
			default:
				*d++ = 'u', *d++ = '0', *d++ = '0';
				*d++ = hex[ch >> 4];
				*d++ = hex[ch & 15];
				break;
			}
		}
		o->len = (size_t)(d - o->buf);
		s += chunk;
		n -= chunk;
	}
}

void
synth__ostr(struct synth_out *o, const char *s)
{
	SYNTH_ORAW(o, "\"");
	synth_oesc(o, s, strlen(s));
	SYNTH_ORAW(o, "\"");
}

/* One compact item: {"id":..,"image":..,"conversations":[..]} (no
 * "image" for an item without one). */
static void
synth_emit(struct synth_out *o, const struct synth_item *it)
{
	size_t s, e;
	int k;

	SYNTH_ORAW(o, "{\"id\":");
	synth__ostr(o, it->id);
	if (it->image[0] != '\0') {
		SYNTH_ORAW(o, ",\"image\":");
		synth__ostr(o, it->image);
	}
	SYNTH_ORAW(o, ",\"conversations\":[");
	for (k = 0; k < it->nturns; k++) {
		s = it->turn[k];
		e = k + 1 < it->nturns ? it->turn[k + 1] : it->txt.len;
		if (k > 0)
			SYNTH_ORAW(o, ",");
		if (k % 2 == 0)
			SYNTH_ORAW(o, "{\"from\":\"human\",\"value\":\"");
		else
			SYNTH_ORAW(o, "{\"from\":\"gpt\",\"value\":\"");
		synth_oesc(o, it->txt.p + s, e - s);
		SYNTH_ORAW(o, "\"}");
	}
	SYNTH_ORAW(o, "]}");
}

/* ---------------------------------------------------------------------
 * Files.
 */

uint64_t
synth__round(double x)
{
	return (uint64_t)(x + 0.5);
}

static int
synth_is_example_of(int ex, const char *name)
{
	size_t nl = strlen(name);

	return strncmp(synth__examples[ex].id, name, nl) == 0 &&
	    synth__examples[ex].id[nl] == '_';
}

/* Sort the n tasks in r->order, heaviest first by weight[]. */
static void
synth_order(struct synth_run *r, const uint64_t *weight, int n)
{
	int d, k, t;

	for (d = 0; d < n; d++)
		r->order[d] = d;
	for (d = 1; d < n; d++)
		for (k = d; k > 0 && weight[r->order[k]] >
		    weight[r->order[k - 1]]; k--) {
			t = r->order[k];
			r->order[k] = r->order[k - 1];
			r->order[k - 1] = t;
		}
}

/* The world's fact tables, the size of every dataset of the table at this
 * scale and the share of its items each file holds. */
static void
synth_init(struct synth_run *r, const struct synth_table *tab,
    uint64_t seed, double scale)
{
	struct synth_file *f;
	struct synth_piece *pc;
	uint64_t n, nimg, floor, w;
	int d, e, k, nex;

	r->seed = seed;
	r->sm = synth__mix(seed ^ 0x64617461u);
	r->scale = scale;
	r->tab = tab;
	for (k = 0; k < tab->nfiles; k++)
		r->used[tab->files[k].ds] = 1;
	for (e = 0; e < SYNTH_NENT; e++) {
		r->color[e] = (uint8_t)(synth__h(r, T_COLOR, (uint64_t)e, 0) %
		    SYNTH_NCOLOR);
		r->mat[e] = (uint8_t)(synth__h(r, T_MAT, (uint64_t)e, 0) %
		    SYNTH_NMAT);
		r->at[e] = (uint8_t)(synth__h(r, T_AT, (uint64_t)e, 0) %
		    SYNTH_NPLACE);
	}
	for (e = 0; e < SYNTH_NNOUN * SYNTH_NPLACE; e++)
		r->cnt[e] = (uint8_t)(2 + synth__h(r, T_COUNT, (uint64_t)e, 0) %
		    6);
	for (d = 0; d < SD_N; d++) {
		if (!r->used[d])
			continue;
		f = &r->f[d];
		f->ds = d;
		for (nex = 0, e = 0; e < SYNTH_NEX; e++)
			nex += synth_is_example_of(e, synth__ds[d].name);
		/* Room for the examples and at least one generated item. */
		floor = nex > 0 ? (uint64_t)nex + 1 : 1;
		n = synth__round((double)synth__ds[d].count * scale);
		f->n = n < floor ? floor : n;
		nimg = synth__round((double)synth__ds[d].images * scale);
		nimg = nimg < 1 ? 1 : nimg > f->n ? f->n : nimg;
		/* VQAv2 numbers questions per image with 3 digits, OK-VQA
		 * with 1. */
		if (d == SD_VQAV2 && nimg < (f->n + 999) / 1000)
			nimg = (f->n + 999) / 1000;
		if (d == SD_OKVQA && nimg < (f->n + 9) / 10)
			nimg = (f->n + 9) / 10;
		if (d == SD_SCIENCEQA)
			nimg = f->n;
		f->nimg = nimg;
		if (d == SD_SVIT) {
			w = 0;
			for (k = 0; k < 4; k++) {
				if (k == 2)
					continue;
				f->kn[k] = synth__round((double)f->n *
				    (double)synth_svit_w[k] / 2992799.0);
				if (f->kn[k] < 1)
					f->kn[k] = 1;
				w += f->kn[k];
			}
			f->kn[2] = f->n - w;
			for (k = 1; k < 4; k++)
				f->kstart[k] = f->kstart[k - 1] + f->kn[k - 1];
		}
	}
	for (k = 0; k < tab->nfiles; k++) {
		pc = &r->pc[k];
		pc->lay = &tab->files[k];
		n = r->f[pc->lay->ds].n;
		pc->first = n * (uint64_t)pc->lay->part /
		    (uint64_t)pc->lay->nparts;
		pc->n = n * (uint64_t)(pc->lay->part + 1) /
		    (uint64_t)pc->lay->nparts - pc->first;
	}
}

/*
 * Decide where the examples of dataset f go: onto the item with the same
 * ID when this scale generates it, else onto the last free items.
 */
static void
synth_plan(const struct synth_run *r, struct synth_file *f)
{
	const char *name = synth__ds[f->ds].name;
	int ex[SYNTH_NEX], nex = 0, e, k, free_slot;
	int64_t at[SYNTH_NEX];
	size_t len[SYNTH_NEX];
	struct synth_repl t;
	char id[80];
	uint64_t i, slot;

	f->nrepl = 0;
	for (e = 0; e < SYNTH_NEX; e++)
		if (synth_is_example_of(e, name)) {
			at[nex] = -1;
			len[nex] = strlen(synth__examples[e].id);
			ex[nex++] = e;
		}
	if (nex == 0)
		return;
	for (i = 0; i < f->n; i++) {
		synth_id(r, f, i, id);
		for (k = 0; k < nex; k++)
			if (at[k] < 0 && id[len[k]] == '\0' &&
			    memcmp(id, synth__examples[ex[k]].id, len[k]) == 0)
				at[k] = (int64_t)i;
	}
	slot = f->n;
	for (k = 0; k < nex; k++) {
		if (at[k] < 0) {
			do {
				slot--;
				for (free_slot = 1, e = 0; e < nex; e++)
					if (at[e] == (int64_t)slot)
						free_slot = 0;
			} while (!free_slot);
			at[k] = (int64_t)slot;
		}
		f->repl[f->nrepl].idx = (uint64_t)at[k];
		f->repl[f->nrepl++].ex = ex[k];
	}
	for (k = 1; k < f->nrepl; k++)
		for (e = k; e > 0 && f->repl[e - 1].idx > f->repl[e].idx; e--) {
			t = f->repl[e];
			f->repl[e] = f->repl[e - 1];
			f->repl[e - 1] = t;
		}
}

int
synth__replaced(const struct synth_file *f, uint64_t i)
{
	int k;

	for (k = 0; k < f->nrepl; k++)
		if (f->repl[k].idx == i)
			return 1;
	return 0;
}

/* Write file pc of dataset f, planned (its afile is open): "[\n", items
 * joined by ",\n", "\n]\n". */
static void
synth_file_write(const struct synth_run *r, struct synth_piece *pc,
    struct synth_item *it, struct synth_out *o)
{
	const struct synth_file *f = &r->f[pc->lay->ds];
	uint64_t i;
	int ri = 0;

	o->fp = util_afile_fp(pc->af);
	o->len = 0;
	o->failed = 0;
	while (ri < f->nrepl && f->repl[ri].idx < pc->first)
		ri++;
	SYNTH_ORAW(o, "[\n");
	for (i = pc->first; i < pc->first + pc->n; i++) {
		if (i > pc->first)
			SYNTH_ORAW(o, ",\n");
		if (ri < f->nrepl && f->repl[ri].idx == i) {
			synth__oraw(o, synth__examples[f->repl[ri].ex].json,
			    strlen(synth__examples[f->repl[ri].ex].json));
			ri++;
			continue;
		}
		synth__item_reset(it);
		synth_id(r, f, i, it->id);
		synth__ds[f->ds].gen(r, f, it, i);
		synth_emit(o, it);
	}
	SYNTH_ORAW(o, "\n]\n");
	synth__oflush(o);
	if (o->failed != 0) {
		util_fmt(pc->err, sizeof(pc->err), "write %s: %s", pc->lay->path,
		    strerror(o->failed));
		pc->rc = -1;
	}
}

/* The two phases of a run, each a task per dataset or file: plan the
 * datasets (their files are then written independently), write the
 * files. */
enum { SYNTH_PLAN, SYNTH_WRITE };

struct synth_phase {
	struct synth_run *r;
	int what;		/* SYNTH_PLAN or SYNTH_WRITE */
};

static void *
synth_worker(void *arg)
{
	const struct synth_phase *ph = arg;
	struct synth_run *r = ph->r;
	struct synth_item it;
	struct synth_out o;
	int k;

	memset(&it, 0, sizeof(it));
	memset(&o, 0, sizeof(o));
	if (ph->what == SYNTH_WRITE) {
		o.cap = SYNTH_OUTBUF;
		o.buf = util_xmalloc(o.cap);
	}
	for (;;) {
		pthread_mutex_lock(&r->mu);
		k = r->next < r->ntasks ? r->order[r->next++] : -1;
		pthread_mutex_unlock(&r->mu);
		if (k < 0)
			break;
		if (ph->what == SYNTH_PLAN)
			synth_plan(r, &r->f[k]);
		else
			synth_file_write(r, &r->pc[k], &it, &o);
	}
	free(o.buf);
	synth__item_free(&it);
	return NULL;
}

/* Run one phase over the tasks in r->order[0, n) on up to nth threads
 * (here, if none starts). */
static void
synth_parallel(struct synth_run *r, int what, int n, int nth)
{
	struct synth_phase ph = { r, what };
	pthread_t th[SYNTH_MAXTHREADS];
	int k, started = 0;

	r->ntasks = n;
	r->next = 0;
	for (k = 0; k < nth; k++) {
		if (pthread_create(&th[k], NULL, synth_worker, &ph) != 0)
			break;
		started++;
	}
	if (started == 0)
		synth_worker(&ph);
	for (k = 0; k < started; k++)
		pthread_join(th[k], NULL);
}

/* ---------------------------------------------------------------------
 * Entry point.
 */

/* mkdir -p dir. */
static int
synth_mkdirs(const char *dir, char *err, size_t errlen)
{
	char p[4096];
	size_t k, n = strlen(dir);
	struct stat st;

	if (n == 0 || n >= sizeof(p)) {
		util_fmt(err, errlen, "bad output directory name");
		return -1;
	}
	memcpy(p, dir, n + 1);
	for (k = 1; k <= n; k++) {
		if (p[k] != '/' && p[k] != '\0')
			continue;
		p[k] = '\0';
		if (mkdir(p, 0755) != 0 && errno != EEXIST) {
			util_fmt(err, errlen, "mkdir %s: %s", p, strerror(errno));
			return -1;
		}
		p[k] = dir[k];
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		util_fmt(err, errlen, "%s: not a directory", dir);
		return -1;
	}
	return 0;
}

/* Open file pc for writing under outdir/data, making its folders. */
static int
synth_open_file(const char *outdir, struct synth_piece *pc, char *err,
    size_t errlen)
{
	char path[4400];
	char *slash;

	util_fmt(path, sizeof(path), "%s/data/%s", outdir, pc->lay->path);
	slash = strrchr(path, '/');
	*slash = '\0';
	if (synth_mkdirs(path, err, errlen) != 0)
		return -1;
	*slash = '/';
	/* opened here, not in the threads: util_afile_open is not
	 * thread-safe */
	return (pc->af = util_afile_open(path, err, errlen)) ? 0 : -1;
}

int
synth_pool_table(const char *outdir, const char *table, double scale,
    uint64_t seed, char *err, size_t errlen)
{
	const struct synth_table *tab = NULL;
	struct synth_run *r = NULL;
	uint64_t weight[SYNTH_MAXFILES];
	char path[4200];
	long ncpu;
	int d, k, nth, nused = 0, rc = -1;
	size_t t;

	for (t = 0; t < SYNTH_LEN(synth_tables); t++)
		if (strcmp(synth_tables[t].name, table) == 0)
			tab = &synth_tables[t];
	if (tab == NULL) {
		util_fmt(err, errlen, "unknown table '%s' (seed or later)",
		    table);
		return -1;
	}
	if (!(scale > 0 && scale <= SYNTH_MAX_SCALE)) {
		util_fmt(err, errlen, "scale must be in (0, %g], not %g",
		    SYNTH_MAX_SCALE, scale);
		return -1;
	}
	if (strlen(outdir) > 4000) {
		util_fmt(err, errlen, "output directory name too long");
		return -1;
	}
	util_fmt(path, sizeof(path), "%s/data", outdir);
	if (synth_mkdirs(path, err, errlen) != 0)
		return -1;
	r = util_xcalloc(1, sizeof(*r));
	synth_init(r, tab, seed, scale);
	pthread_mutex_init(&r->mu, NULL);
	for (k = 0; k < tab->nfiles; k++)
		if (synth_open_file(outdir, &r->pc[k], err, errlen) != 0)
			goto cleanup;
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	nth = ncpu < 1 ? 1 : ncpu > SYNTH_MAXTHREADS ? SYNTH_MAXTHREADS :
	    (int)ncpu;
	/* the datasets' plans, then the files, biggest first so the threads
	 * finish together */
	for (d = 0; d < SD_N; d++) {
		weight[d] = r->used[d] ? r->f[d].n : 0;
		nused += r->used[d];
	}
	synth_order(r, weight, SD_N);
	synth_parallel(r, SYNTH_PLAN, nused, nth);
	for (k = 0; k < tab->nfiles; k++)
		weight[k] = r->pc[k].n * synth__ds[r->pc[k].lay->ds].est;
	synth_order(r, weight, tab->nfiles);
	synth_parallel(r, SYNTH_WRITE, tab->nfiles, nth);
	for (k = 0; k < tab->nfiles; k++)
		if (r->pc[k].rc != 0) {
			util_fmt(err, errlen, "%s", r->pc[k].err);
			goto cleanup;
		}
	for (k = 0; k < tab->nfiles; k++) {
		d = util_afile_commit(r->pc[k].af, err, errlen);
		r->pc[k].af = NULL;
		if (d != 0)
			goto cleanup;
	}
	util_fmt(path, sizeof(path), "%s/val.json", outdir);
	if (synth__write_val(r, path, err, errlen) != 0)
		goto cleanup;
	rc = 0;
cleanup:
	for (k = 0; k < tab->nfiles; k++)
		util_afile_abort(r->pc[k].af);
	pthread_mutex_destroy(&r->mu);
	free(r);
	return rc;
}

int
synth_pool(const char *outdir, double scale, uint64_t seed, char *err,
    size_t errlen)
{
	return synth_pool_table(outdir, "seed", scale, seed, err, errlen);
}
