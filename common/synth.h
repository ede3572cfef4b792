/*
 * synth: a deterministic synthetic data pool shaped like DataOptim's seed
 * pool (14 datasets of the seed README) or its later one (20 datasets of
 * the later README): real ID schemes and image paths, the README's prompt
 * templates, the 17 items of example-byod.json verbatim; plus a
 * validation set in the benchmark's format.
 */
#ifndef DO_SYNTH_H
#define DO_SYNTH_H

#include <stddef.h>
#include <stdint.h>

/*
 * Write the files of a table under outdir/data, with round(table count *
 * scale) samples per dataset (at least 1, and 1 more than the examples it
 * carries), and outdir/val.json.  table "seed": the seed README's 14
 * datasets as <prefix>.json (RefCOCO as ref3rec.json and ref3reg.json);
 * "later": the later README's 20 (21 ID prefixes), in subfolders under
 * names that are not their prefixes, the biggest split over several
 * files, with that README's image folders (Flickr30K's spelt "filckr30k"
 * as its tree spells it; the example items keep example-byod.json's
 * "flickr30k/").  Same table, seed and scale: byte-identical output.
 * Returns 0, or -1 with a message in err.  synth_pool() is the seed table.
 */
int synth_pool_table(const char *outdir, const char *table, double scale,
    uint64_t seed, char *err, size_t errlen);
int synth_pool(const char *outdir, double scale, uint64_t seed, char *err,
    size_t errlen);

#endif
