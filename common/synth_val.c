/*
 * synth_val: the validation set of the synthetic pool (val.json).  Each
 * val item is derived from one generated sample of the dataset that
 * teaches its subtype, deduplicated by the fact it states; see synth.c
 * for who answers what.
 */
#include "synth_int.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define SYNTH_VAL_FULL 5000	/* val items at scale >= 0.1 */
#define SYNTH_VAL_MIN 300	/* val items at any scale */

struct synth_vdef {
	const char *task;
	int ds;			/* the dataset whose samples teach it */
	unsigned weight;	/* items out of SYNTH_VAL_FULL */
};

static const struct synth_vdef synth_vdefs[V_N] = {
	[V_COLOR] = {"vqa", SD_VQAV2, 500},
	[V_YESNO] = {"vqa", SD_VQAV2, 350},
	[V_MATERIAL] = {"vqa", SD_GQA, 350},
	[V_COUNT] = {"count", SD_VQAV2, 800},
	[V_AUTHOR] = {"ocr", SD_OCRVQA, 350},
	[V_GENRE] = {"ocr", SD_OCRVQA, 250},
	[V_BRAND] = {"ocr", SD_TEXTVQA, 250},
	[V_NUMBER] = {"ocr", SD_TEXTVQA, 150},
	[V_KNOW] = {"knowledge", SD_OKVQA, 800},
	[V_AOK] = {"choice", SD_AOKVQA, 850},
	[V_SCI] = {"choice", SD_SCIENCEQA, 350},
};

#define SYNTH_SEEN 8192		/* > 2 x the largest weight */

/* Add key to the set; 0 if it was there. */
static int
synth_seen_add(uint64_t *set, uint64_t key)
{
	uint64_t h = synth__mix(key) & (SYNTH_SEEN - 1);

	key++;
	while (set[h] != 0) {
		if (set[h] == key)
			return 0;
		h = (h + 1) & (SYNTH_SEEN - 1);
	}
	set[h] = key;
	return 1;
}

/* A step coprime with n, to visit [0, n) in a scattered order. */
static uint64_t
synth_step(uint64_t n)
{
	static const uint64_t primes[] = {7919, 104729, 1299709, 15485863};
	size_t k;

	for (k = 0; k < SYNTH_LEN(primes); k++)
		if (n % primes[k] != 0)
			return primes[k] % n;
	return 1;
}

/*
 * Collect up to weight distinct-fact items of each subtype from the
 * generated (not replaced) samples of its dataset, size the set for this
 * scale over the subtypes that have any, and write it.
 */
int
synth__write_val(const struct synth_run *r, const char *path, char *err,
    size_t errlen)
{
	uint64_t *acc[V_N] = {NULL}, *seen, total, wavail = 0, sum = 0;
	uint64_t quota[V_N], nacc[V_N], n, idx, step, k, q, seq = 0;
	const struct synth_file *f;
	struct util_afile *af = NULL;
	struct synth_item it;
	struct synth_out o;
	char name[32];
	int v, first = -1, rc = -1;

	memset(&it, 0, sizeof(it));
	memset(&o, 0, sizeof(o));
	seen = util_xcalloc(SYNTH_SEEN, sizeof(*seen));
	for (v = 0; v < V_N; v++) {
		f = &r->f[synth_vdefs[v].ds];
		n = f->n;
		acc[v] = util_xreallocarray(NULL, synth_vdefs[v].weight,
		    sizeof(**acc));
		nacc[v] = 0;
		memset(seen, 0, SYNTH_SEEN * sizeof(*seen));
		step = synth_step(n);
		idx = synth__h(r, T_VAL, (uint64_t)v, 0) % n;
		for (k = 0; k < n && nacc[v] < synth_vdefs[v].weight; k++) {
			if (!synth__replaced(f, idx)) {
				synth__item_reset(&it);
				synth__ds[f->ds].gen(r, f, &it, idx);
				if (it.vkind == v && synth_seen_add(seen, it.vkey))
					acc[v][nacc[v]++] = idx;
			}
			idx = (idx + step) % n;
		}
		if (nacc[v] > 0) {
			wavail += synth_vdefs[v].weight;
			if (first < 0)
				first = v;
		}
	}
	if (first < 0) {
		util_fmt(err, errlen, "val: no sample can seed a question");
		goto cleanup;
	}
	total = r->scale >= 0.1 ? SYNTH_VAL_FULL :
	    synth__round(SYNTH_VAL_FULL * r->scale / 0.1);
	if (total < SYNTH_VAL_MIN)
		total = SYNTH_VAL_MIN;
	for (v = 0; v < V_N; v++) {
		quota[v] = nacc[v] == 0 ? 0 :
		    synth__round((double)synth_vdefs[v].weight * (double)total /
		    (double)wavail);
		sum += quota[v];
	}
	if (sum < total)
		quota[first] += total - sum;
	else if (sum - total < quota[first])
		quota[first] -= sum - total;

	if ((af = util_afile_open(path, err, errlen)) == NULL)
		goto cleanup;
	o.fp = util_afile_fp(af);
	o.cap = SYNTH_OUTBUF;
	o.buf = util_xmalloc(o.cap);
	SYNTH_ORAW(&o, "[\n");
	for (v = 0; v < V_N; v++) {
		f = &r->f[synth_vdefs[v].ds];
		for (q = 0; q < quota[v]; q++) {
			synth__item_reset(&it);
			synth__ds[f->ds].gen(r, f, &it, acc[v][q % nacc[v]]);
			if (seq > 0)
				SYNTH_ORAW(&o, ",\n");
			util_fmt(name, sizeof(name), "%s/%06llu",
			    synth_vdefs[v].task, (unsigned long long)seq++);
			SYNTH_ORAW(&o, "{\"question\":");
			synth__ostr(&o, it.vq.p);
			SYNTH_ORAW(&o, ",\"image_id\":");
			synth__ostr(&o, name);
			SYNTH_ORAW(&o, ",\"answer\":");
			synth__ostr(&o, it.va.p);
			SYNTH_ORAW(&o, "}");
		}
	}
	SYNTH_ORAW(&o, "\n]\n");
	synth__oflush(&o);
	if (o.failed != 0) {
		util_fmt(err, errlen, "write %s: %s", path,
		    strerror(o.failed));
		goto cleanup;
	}
	rc = util_afile_commit(af, err, errlen);
	af = NULL;
cleanup:
	util_afile_abort(af);
	free(o.buf);
	for (v = 0; v < V_N; v++)
		free(acc[v]);
	free(seen);
	synth__item_free(&it);
	return rc;
}
