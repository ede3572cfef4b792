/*
 * synth_tables: the synthetic pool's data tables (vocabulary, knowledge,
 * prompt templates, the examples of example-byod.json), defined in
 * synth_tables.c.  Private to the synth module.
 *
 * Every table is declared with its size, so SYNTH_LEN() works on it in
 * any file; synth_tables.c includes this header after its definitions,
 * so the compiler checks each size and type against the definition.
 */
#ifndef DO_SYNTH_TABLES_H
#define DO_SYNTH_TABLES_H

#include "synth_int.h"

/* Vocabulary: entity modifiers and objects, their uses and locations. */
extern const char *const synth__mods[SYNTH_NMOD];
extern const char *const synth__uses[SYNTH_NUSE];
extern const char *const synth__wheres[SYNTH_NWHERE];
extern const struct synth_noun synth__nouns[SYNTH_NNOUN];
extern const char *const synth__places[SYNTH_NPLACE];
extern const char *const synth__colors[SYNTH_NCOLOR];
extern const char *const synth__materials[SYNTH_NMAT];
extern const char *const synth__numwords[10];
extern const char *const synth__numWords[10];
extern const char *const synth__persons[18];
extern const char *const synth__garments[12];
extern const char *const synth__actions[20];
extern const char *const synth__moods[10];
extern const char *const synth__products[SYNTH_NPROD];
extern const char *const synth__brand1[24];
extern const char *const synth__brand2[24];
extern const char *const synth__title_a[SYNTH_NTA];
extern const char *const synth__title_b[SYNTH_NTB];
extern const char *const synth__title_c[SYNTH_NTC];
extern const char *const synth__firstnames[40];
extern const char *const synth__lastnames[50];
extern const char *const synth__genres[32];

/* Knowledge: OK-VQA's and ScienceQA's facts. */
extern const struct synth_fact synth__foods[30];
extern const struct synth_fact synth__habitats[30];
extern const struct synth_fact synth__sports[30];
extern const char *const synth__classes[6];
extern const struct synth_ifact synth__animals[50];
extern const char *const synth__states[3];
extern const struct synth_ifact synth__substances[40];
extern const struct synth_fact synth__capitals[50];

/* Prompt templates (placeholders: see synth_tables.c). */
extern const char *const synth__cap_prompts[5];
extern const char *const synth__coco_caps[8];
extern const char *const synth__flickr_caps[6];
extern const char *const synth__textcaps_caps[5];
extern const char *const synth__rec_tpl[5];
extern const char *const synth__reg_tpl[5];
extern const char *const synth__ref_expr[5];
extern const char *const synth__sents[12];
extern const struct synth_qa synth__conv_qa[8];
extern const char *const synth__overview_q[4];
extern const struct synth_qa synth__complex_qa[6];
extern const char *const synth__llava_detail_q[8];
extern const char *const synth__svit_detail_q[5];
extern const char *const synth__sci_instr[5];

/* The later README's datasets (placeholders: see synth_tables.c). */
extern const char *const synth__textocr_caps[3];
extern const struct synth_qa synth__vgqa_qa[4];
extern const char *const synth__doc_kinds[6];
extern const struct synth_qa synth__doc_qa[4];
extern const struct synth_qa synth__llava15_short[3];
extern const struct synth_qa synth__llava15_text[3];

/* The items of example-byod.json. */
extern const struct synth_example synth__examples[SYNTH_NEX];

#endif
