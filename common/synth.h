/*
 * synth: a deterministic synthetic data pool shaped like DataOptim's seed
 * pool (14 datasets of the seed README, real ID schemes and image paths,
 * the README's prompt templates, the 17 items of example-byod.json
 * verbatim) plus a validation set in the benchmark's format.
 */
#ifndef DO_SYNTH_H
#define DO_SYNTH_H

#include <stddef.h>
#include <stdint.h>

/*
 * Write outdir/data/<dataset>.json for every dataset, with
 * round(table count * scale) samples each (at least 1 per file), and
 * outdir/val.json.  Same seed, same scale: byte-identical output.
 * Returns 0, or -1 with a message in err.
 */
int synth_pool(const char *outdir, double scale, uint64_t seed, char *err,
    size_t errlen);

#endif
