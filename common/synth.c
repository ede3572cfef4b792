/*
 * synth: a deterministic synthetic pool shaped like DataOptim's seed pool.
 *
 * The world model.  Every byte is a pure function of (seed, scale, dataset,
 * item index), so any item - and any fact it states - can be regenerated on
 * its own, in any order and on any thread, and one seed and scale always
 * give the same bytes.  The seed picks a world:
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
 * Sizes.  A file holds round(table count x scale) items, at least one, and
 * at least one more than the example items it carries.  Each example of
 * example-byod.json replaces the generated item with its ID, or, when this
 * scale does not generate that ID, the last free item of its file.
 */
#include "synth.h"
#include "util.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SYNTH_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define SYNTH_MAX_SCALE 4.0
#define SYNTH_MAXTURNS 16
#define SYNTH_MAXTHREADS 4
#define SYNTH_OUTBUF (4u << 20)
#define SYNTH_VAL_FULL 5000	/* val items at scale >= 0.1 */
#define SYNTH_VAL_MIN 300	/* val items at any scale */
#define SYNTH_VQA_SUFFIX \
	" Answer the question directly with a short sentence or phrase."
/* LLaVA's multiple-choice evaluation prompt, ending val choice questions. */
#define SYNTH_CHOICE_SUFFIX \
	"\nAnswer with the option's letter from the given choices directly."

/* ---------------------------------------------------------------------
 * Hashing and the per-item generator (splitmix64).
 */

static inline uint64_t
synth_mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Hash tags: one per kind of fact, so facts are independent. */
enum {
	T_COLOR = 1, T_MAT, T_AT, T_COUNT, T_NUM, T_COCOID,
	T_FLICKR, T_OPEN, T_OCRIMG, T_VG, T_SCI, T_GQAID, T_AOKID, T_AOKVAL,
	T_OKDIGIT, T_BOOK, T_PROD, T_OPT, T_PERM, T_VAL, T_BOX, T_SCENE,
	T_ITEM = 64
};

struct synth_rng {
	uint64_t s;
};

static inline uint64_t
synth_next(struct synth_rng *g)
{
	g->s += 0x9e3779b97f4a7c15ULL;
	return synth_mix(g->s);
}

/* Uniform-enough integer in [0, n). */
static inline uint32_t
synth_below(struct synth_rng *g, uint32_t n)
{
	return (uint32_t)(((synth_next(g) >> 32) * n) >> 32);
}

/* ---------------------------------------------------------------------
 * Vocabulary.  Modifiers and colours start with a consonant, so "a %m"
 * and "a %c" always read right.
 */

static const char *const synth_mods[] = {
	"small", "large", "tall", "short", "tiny", "huge", "new", "striped",
	"shiny", "dusty", "broken", "round", "square", "clean", "dirty",
	"folded", "closed", "wet", "dry", "soft", "heavy", "narrow", "wide",
	"vintage", "modern", "painted", "spotted", "curved", "flat", "bent",
	"polished", "worn", "cracked", "checkered", "crooked", "fancy",
	"plain", "long", "bright", "dark",
};
#define SYNTH_NMOD 40
_Static_assert(SYNTH_LEN(synth_mods) == SYNTH_NMOD, "synth_mods");

/* What an object is for (A-OKVQA purpose options), distinct strings. */
static const char *const synth_uses[] = {
	"flying", "sitting", "staying dry", "riding", "driving",
	"public transport", "hauling cargo", "sailing", "carrying passengers",
	"carrying books", "carrying belongings", "packing clothes",
	"playing catch", "skating", "surfing", "snowboarding", "playing games",
	"hitting balls", "holding drinks", "drinking coffee", "serving soup",
	"eating", "cutting food", "stirring", "serving food",
	"holding flowers", "telling time", "lighting a room", "relaxing",
	"eating meals", "sleeping", "working", "making calls", "typing",
	"reading", "giving directions", "keeping animals in",
	"resting the head", "keeping warm", "drying off", "shading the face",
	"protecting the head", "carrying fruit", "storing things",
	"checking appearance", "washing dishes", "baking",
	"keeping food cold", "watching shows", "boiling water",
	"serving tea", "cleaning teeth", "plowing fields", "climbing",
	"playing music", "taking photos", "moving soil", "digging",
	"watering plants",
};

/* Where an object is usually found (A-OKVQA location options). */
static const char *const synth_wheres[] = {
	"park", "street", "garage", "highway", "harbor", "station", "airport",
	"school", "store", "skate park", "beach", "mountain", "field",
	"kitchen", "dining room", "living room", "bedroom", "office",
	"library", "farm", "bathroom", "market", "music studio", "garden",
};

enum {
	U_FLY, U_SIT, U_DRY, U_RIDE, U_DRIVE, U_PUBLIC, U_HAUL, U_SAIL,
	U_PASS, U_BOOKS, U_BELONG, U_PACK, U_CATCH, U_SKATE, U_SURF, U_SNOW,
	U_GAMES, U_HIT, U_DRINKS, U_COFFEE, U_SOUP, U_EAT, U_CUT, U_STIR,
	U_SERVE, U_FLOWERS, U_TIME, U_LIGHT, U_RELAX, U_MEALS, U_SLEEP,
	U_WORK, U_CALL, U_TYPE, U_READ, U_DIRECT, U_ANIMALS, U_HEAD, U_WARM,
	U_DRYOFF, U_SHADE, U_PROTECT, U_FRUIT, U_STORE, U_LOOK, U_DISHES,
	U_BAKE, U_COLD, U_SHOWS, U_BOIL, U_TEA, U_TEETH, U_PLOW, U_CLIMB,
	U_MUSIC, U_PHOTO, U_SOIL, U_DIG, U_WATER, U_N
};
_Static_assert(SYNTH_LEN(synth_uses) == U_N, "synth_uses");

enum {
	W_PARK, W_STREET, W_GARAGE, W_HIGHWAY, W_HARBOR, W_STATION,
	W_AIRPORT, W_SCHOOL, W_STORE, W_SKATEPARK, W_BEACH, W_MOUNTAIN,
	W_FIELD, W_KITCHEN, W_DINING, W_LIVING, W_BEDROOM, W_OFFICE,
	W_LIBRARY, W_FARM, W_BATHROOM, W_MARKET, W_STUDIO, W_GARDEN, W_N
};
_Static_assert(SYNTH_LEN(synth_wheres) == W_N, "synth_wheres");

struct synth_noun {
	const char *one, *many;
	int use, where;
};

static const struct synth_noun synth_nouns[] = {
	{"kite", "kites", U_FLY, W_PARK},
	{"bench", "benches", U_SIT, W_PARK},
	{"umbrella", "umbrellas", U_DRY, W_STREET},
	{"bicycle", "bicycles", U_RIDE, W_STREET},
	{"car", "cars", U_DRIVE, W_GARAGE},
	{"bus", "buses", U_PUBLIC, W_STREET},
	{"truck", "trucks", U_HAUL, W_HIGHWAY},
	{"boat", "boats", U_SAIL, W_HARBOR},
	{"train", "trains", U_PASS, W_STATION},
	{"motorcycle", "motorcycles", U_RIDE, W_GARAGE},
	{"airplane", "airplanes", U_FLY, W_AIRPORT},
	{"backpack", "backpacks", U_BOOKS, W_SCHOOL},
	{"handbag", "handbags", U_BELONG, W_STORE},
	{"suitcase", "suitcases", U_PACK, W_AIRPORT},
	{"frisbee", "frisbees", U_CATCH, W_PARK},
	{"skateboard", "skateboards", U_SKATE, W_SKATEPARK},
	{"surfboard", "surfboards", U_SURF, W_BEACH},
	{"snowboard", "snowboards", U_SNOW, W_MOUNTAIN},
	{"ball", "balls", U_GAMES, W_FIELD},
	{"bat", "bats", U_HIT, W_FIELD},
	{"bottle", "bottles", U_DRINKS, W_KITCHEN},
	{"cup", "cups", U_COFFEE, W_KITCHEN},
	{"bowl", "bowls", U_SOUP, W_KITCHEN},
	{"fork", "forks", U_EAT, W_KITCHEN},
	{"knife", "knives", U_CUT, W_KITCHEN},
	{"spoon", "spoons", U_STIR, W_KITCHEN},
	{"plate", "plates", U_SERVE, W_DINING},
	{"vase", "vases", U_FLOWERS, W_LIVING},
	{"clock", "clocks", U_TIME, W_LIVING},
	{"lamp", "lamps", U_LIGHT, W_BEDROOM},
	{"chair", "chairs", U_SIT, W_OFFICE},
	{"couch", "couches", U_RELAX, W_LIVING},
	{"table", "tables", U_MEALS, W_DINING},
	{"bed", "beds", U_SLEEP, W_BEDROOM},
	{"laptop", "laptops", U_WORK, W_OFFICE},
	{"phone", "phones", U_CALL, W_OFFICE},
	{"keyboard", "keyboards", U_TYPE, W_OFFICE},
	{"book", "books", U_READ, W_LIBRARY},
	{"sign", "signs", U_DIRECT, W_STREET},
	{"fence", "fences", U_ANIMALS, W_FARM},
	{"pillow", "pillows", U_HEAD, W_BEDROOM},
	{"blanket", "blankets", U_WARM, W_BEDROOM},
	{"towel", "towels", U_DRYOFF, W_BATHROOM},
	{"hat", "hats", U_SHADE, W_STORE},
	{"helmet", "helmets", U_PROTECT, W_GARAGE},
	{"basket", "baskets", U_FRUIT, W_MARKET},
	{"box", "boxes", U_STORE, W_GARAGE},
	{"candle", "candles", U_LIGHT, W_DINING},
	{"mirror", "mirrors", U_LOOK, W_BATHROOM},
	{"sink", "sinks", U_DISHES, W_KITCHEN},
	{"oven", "ovens", U_BAKE, W_KITCHEN},
	{"refrigerator", "refrigerators", U_COLD, W_KITCHEN},
	{"television", "televisions", U_SHOWS, W_LIVING},
	{"kettle", "kettles", U_BOIL, W_KITCHEN},
	{"teapot", "teapots", U_TEA, W_KITCHEN},
	{"toothbrush", "toothbrushes", U_TEETH, W_BATHROOM},
	{"tractor", "tractors", U_PLOW, W_FARM},
	{"ladder", "ladders", U_CLIMB, W_GARAGE},
	{"guitar", "guitars", U_MUSIC, W_STUDIO},
	{"piano", "pianos", U_MUSIC, W_STUDIO},
	{"camera", "cameras", U_PHOTO, W_STORE},
	{"wheelbarrow", "wheelbarrows", U_SOIL, W_GARDEN},
	{"shovel", "shovels", U_DIG, W_GARDEN},
	{"hose", "hoses", U_WATER, W_GARDEN},
};
#define SYNTH_NNOUN 64
_Static_assert(SYNTH_LEN(synth_nouns) == SYNTH_NNOUN, "synth_nouns");
#define SYNTH_NENT (SYNTH_NMOD * SYNTH_NNOUN)

static const char *const synth_places[] = {
	"on the table", "on the sidewalk", "in the street", "near the fence",
	"on the grass", "in the kitchen", "on the beach", "by the window",
	"in the park", "on the shelf", "under the tree", "on the counter",
	"in the field", "on the bed", "near the water", "on the road",
	"at the station", "in the yard", "on the floor", "in the corner",
	"on the desk", "near the door", "in the snow", "on the rack",
};
#define SYNTH_NPLACE 24
_Static_assert(SYNTH_LEN(synth_places) == SYNTH_NPLACE, "synth_places");

static const char *const synth_colors[] = {
	"red", "blue", "green", "yellow", "white", "black", "brown", "gray",
	"pink", "purple", "silver", "beige",
};
#define SYNTH_NCOLOR 12
_Static_assert(SYNTH_LEN(synth_colors) == SYNTH_NCOLOR, "synth_colors");

static const char *const synth_materials[] = {
	"wood", "metal", "plastic", "glass", "leather", "cloth", "paper",
	"rubber", "stone", "ceramic",
};
#define SYNTH_NMAT 10
_Static_assert(SYNTH_LEN(synth_materials) == SYNTH_NMAT, "synth_materials");

static const char *const synth_numwords[] = {
	"zero", "one", "two", "three", "four", "five", "six", "seven",
	"eight", "nine",
};
static const char *const synth_numWords[] = {
	"Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven",
	"Eight", "Nine",
};

static const char *const synth_persons[] = {
	"man", "woman", "boy", "girl", "child", "player", "skier", "surfer",
	"cyclist", "chef", "worker", "student", "dancer", "musician",
	"tourist", "runner", "teenager", "toddler",
};

static const char *const synth_garments[] = {
	"shirt", "jacket", "hat", "dress", "sweater", "coat", "helmet",
	"scarf", "hoodie", "tunic", "cap", "vest",
};

static const char *const synth_actions[] = {
	"walking along the street", "riding a bicycle", "playing guitar",
	"sitting on a bench", "reading a book", "throwing a frisbee",
	"climbing a rock", "cooking in a kitchen", "talking on the phone",
	"jumping into the water", "running on the beach", "painting a wall",
	"skiing down a slope", "surfing a wave", "carrying a bag",
	"waiting for the bus", "dancing on a stage", "playing soccer",
	"feeding the birds", "pushing a stroller",
};

static const char *const synth_moods[] = {
	"calm", "busy", "cheerful", "quiet", "cozy", "lively", "orderly",
	"relaxed", "peaceful", "bustling",
};

/* TextCaps / TextVQA products and brand syllables. */
static const char *const synth_products[] = {
	"bottle", "can", "box", "jar", "carton", "packet", "tube", "bag",
	"sign", "poster", "label", "cup", "menu", "banner", "truck", "shirt",
	"mug", "flag", "billboard", "sticker",
};
#define SYNTH_NPROD 20
_Static_assert(SYNTH_LEN(synth_products) == SYNTH_NPROD, "synth_products");

static const char *const synth_brand1[] = {
	"zor", "mar", "ven", "kal", "tre", "lum", "sol", "bri", "dex", "nor",
	"quin", "vel", "rho", "tam", "gal", "fen", "cor", "pax", "lor", "sim",
	"bel", "dor", "hal", "kin",
};
static const char *const synth_brand2[] = {
	"vex", "ado", "ita", "ion", "ora", "ix", "una", "ent", "aro", "elle",
	"ico", "ux", "aza", "eon", "ira", "ost", "ana", "ero", "ium", "ava",
	"ola", "ina", "ard", "eto",
};

/* OCR-VQA books: title words (mixed radix, so titles are unique). */
static const char *const synth_title_a[] = {
	"Silent", "Hidden", "Golden", "Broken", "Secret", "Lost", "Final",
	"Wild", "Quiet", "Endless", "Bright", "Dark", "Forgotten", "Little",
	"Crimson", "Frozen", "Burning", "Gentle", "Restless", "Ancient",
	"Modern", "Practical", "Complete", "Essential", "Simple", "Hungry",
	"Curious", "Brave", "Lonely", "Distant", "Sacred", "Wandering",
	"Painted", "Stolen", "Sleeping", "Rising", "Fallen", "Hollow",
	"Wicked", "Honest", "Invisible", "Electric", "Northern", "Southern",
	"Eastern", "Western", "Midnight", "Morning", "Summer", "Winter",
	"Velvet", "Iron", "Silver", "Paper", "Glass", "Stone", "Salt",
	"Copper", "Emerald", "Scarlet",
};
static const char *const synth_title_b[] = {
	"Gardens", "Rivers", "Kitchen", "Empire", "Mountains", "Journey",
	"Harbor", "Letters", "Shadows", "Promise", "Recipes", "Island",
	"Kingdom", "Voices", "Secrets", "Road", "Forest", "City", "Tides",
	"Bridges", "Machines", "Stars", "Houses", "Windows", "Dreams", "Maps",
	"Seasons", "Lessons", "Notebook", "Atlas", "Orchard", "Village",
	"Lanterns", "Engines", "Songs", "Storms", "Horizons", "Castles",
	"Markets", "Footsteps", "Oceans", "Valleys", "Wolves", "Ravens",
	"Roses", "Clocks", "Mirrors", "Streets", "Towers", "Fields", "Rules",
	"Numbers", "Colors", "Codes", "Tales", "Hearts", "Hands", "Doors",
	"Keys", "Fires",
};
static const char *const synth_title_c[] = {
	"North", "Sea", "Past", "Future", "Heart", "Moon", "Sun", "Valley",
	"Desert", "Lake", "Coast", "Prairie", "Frontier", "Storm", "Harvest",
	"Dawn", "Dusk", "Night", "Island", "City", "Forest", "Garden", "Mind",
	"Soul", "World", "Earth", "Sky", "Wind", "Rain", "Fire", "Ice",
	"Road", "Bridge", "Market", "Empire", "Republic", "Cathedral",
	"Library", "Ocean", "Canyon", "Glacier", "Jungle", "Harbor", "Tower",
	"Village", "Machine", "Kitchen", "Mountain", "River", "Meadow",
};
#define SYNTH_NTA 60
#define SYNTH_NTB 60
#define SYNTH_NTC 50
_Static_assert(SYNTH_LEN(synth_title_a) == SYNTH_NTA, "title_a");
_Static_assert(SYNTH_LEN(synth_title_b) == SYNTH_NTB, "title_b");
_Static_assert(SYNTH_LEN(synth_title_c) == SYNTH_NTC, "title_c");
#define SYNTH_NTITLE (SYNTH_NTA * SYNTH_NTB * SYNTH_NTC)

static const char *const synth_firstnames[] = {
	"James", "Mary", "Robert", "Linda", "Michael", "Sarah", "David",
	"Karen", "Daniel", "Laura", "Thomas", "Emily", "Richard", "Anna",
	"Charles", "Grace", "Peter", "Helen", "George", "Alice", "Samuel",
	"Julia", "Henry", "Rachel", "Martin", "Clara", "Oliver", "Nora",
	"Victor", "Elena", "Hugo", "Irene", "Leo", "Maya", "Oscar", "Rosa",
	"Felix", "Vera", "Simon", "Ada",
};
static const char *const synth_lastnames[] = {
	"Smith", "Johnson", "Brown", "Garcia", "Miller", "Davis", "Wilson",
	"Moore", "Taylor", "Anderson", "Thomas", "Jackson", "White", "Harris",
	"Martin", "Thompson", "Clark", "Lewis", "Walker", "Hall", "Young",
	"King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson",
	"Hill", "Campbell", "Mitchell", "Carter", "Roberts", "Turner",
	"Phillips", "Parker", "Evans", "Edwards", "Collins", "Stewart",
	"Morris", "Rogers", "Reed", "Cook", "Morgan", "Bell", "Murphy",
	"Bailey", "Cooper", "Howard",
};

static const char *const synth_genres[] = {
	"Law", "Cookbooks, Food & Wine", "Travel", "History", "Romance",
	"Science & Math", "Business & Money", "Children's Books",
	"Computers & Technology", "Health, Fitness & Dieting",
	"Literature & Fiction", "Religion & Spirituality",
	"Arts & Photography", "Sports & Outdoors", "Biographies & Memoirs",
	"Crafts, Hobbies & Home", "Engineering & Transportation",
	"Medical Books", "Mystery, Thriller & Suspense",
	"Politics & Social Sciences", "Reference", "Self-Help",
	"Science Fiction & Fantasy", "Teen & Young Adult",
	"Parenting & Relationships", "Humor & Entertainment",
	"Comics & Graphic Novels", "Calendars", "Christian Books & Bibles",
	"Test Preparation", "Education & Teaching", "Crafts & Sewing",
};

/* A "key|answer" fact. */
struct synth_fact {
	const char *key, *ans;
};

/* OK-VQA knowledge. */
static const struct synth_fact synth_foods[] = {
	{"pancakes", "breakfast"}, {"cereal", "breakfast"},
	{"omelette", "breakfast"}, {"waffles", "breakfast"},
	{"bagel", "breakfast"}, {"croissant", "breakfast"},
	{"toast", "breakfast"}, {"muffins", "breakfast"},
	{"sandwich", "lunch"}, {"salad", "lunch"}, {"soup", "lunch"},
	{"burger", "lunch"}, {"hot dog", "lunch"}, {"wrap", "lunch"},
	{"noodles", "lunch"}, {"steak", "dinner"}, {"lasagna", "dinner"},
	{"roast chicken", "dinner"}, {"spaghetti", "dinner"},
	{"salmon fillet", "dinner"}, {"curry", "dinner"}, {"pizza", "dinner"},
	{"tacos", "dinner"}, {"sushi", "dinner"}, {"cake", "dessert"},
	{"ice cream", "dessert"}, {"pie", "dessert"}, {"pudding", "dessert"},
	{"cookies", "dessert"}, {"brownies", "dessert"},
};
static const struct synth_fact synth_habitats[] = {
	{"zebra", "savanna"}, {"giraffe", "savanna"}, {"lion", "savanna"},
	{"elephant", "savanna"}, {"polar bear", "arctic"},
	{"penguin", "antarctica"}, {"camel", "desert"},
	{"kangaroo", "australia"}, {"panda", "bamboo forest"},
	{"monkey", "jungle"}, {"parrot", "rainforest"}, {"dolphin", "ocean"},
	{"shark", "ocean"}, {"whale", "ocean"}, {"cow", "farm"},
	{"sheep", "farm"}, {"horse", "farm"}, {"goat", "mountains"},
	{"deer", "forest"}, {"brown bear", "forest"}, {"wolf", "forest"},
	{"fox", "forest"}, {"owl", "forest"}, {"frog", "pond"},
	{"duck", "pond"}, {"beaver", "river"}, {"crocodile", "river"},
	{"seal", "coast"}, {"crab", "beach"}, {"lizard", "desert"},
};
static const struct synth_fact synth_sports[] = {
	{"tennis racket", "tennis"}, {"baseball bat", "baseball"},
	{"catcher's mitt", "baseball"}, {"hockey stick", "hockey"},
	{"puck", "hockey"}, {"surfboard", "surfing"},
	{"pair of skis", "skiing"},
	{"ski pole", "skiing"}, {"snowboard", "snowboarding"},
	{"golf club", "golf"}, {"golf ball", "golf"},
	{"shuttlecock", "badminton"}, {"skateboard", "skateboarding"},
	{"soccer ball", "soccer"}, {"football helmet", "football"},
	{"basketball hoop", "basketball"}, {"volleyball net", "volleyball"},
	{"bowling pin", "bowling"}, {"pair of boxing gloves", "boxing"},
	{"saddle", "horse riding"}, {"paddle", "kayaking"}, {"oar", "rowing"},
	{"cue stick", "billiards"}, {"dartboard", "darts"},
	{"wetsuit", "surfing"}, {"pair of cleats", "soccer"},
	{"balance beam", "gymnastics"}, {"fencing mask", "fencing"},
	{"cricket bat", "cricket"}, {"water polo ball", "water polo"},
};

/* ScienceQA facts. */
static const char *const synth_classes[] = {
	"mammal", "bird", "fish", "amphibian", "reptile", "insect",
};
struct synth_ifact {
	const char *key;
	int ans;
};
static const struct synth_ifact synth_animals[] = {
	{"lion", 0}, {"tiger", 0}, {"elephant", 0}, {"dolphin", 0},
	{"whale", 0}, {"bat", 0}, {"horse", 0}, {"rabbit", 0},
	{"kangaroo", 0}, {"otter", 0}, {"eagle", 1}, {"penguin", 1},
	{"ostrich", 1}, {"owl", 1}, {"parrot", 1}, {"flamingo", 1},
	{"robin", 1}, {"pelican", 1}, {"sparrow", 1}, {"hummingbird", 1},
	{"salmon", 2}, {"shark", 2}, {"tuna", 2}, {"goldfish", 2},
	{"clownfish", 2}, {"trout", 2}, {"catfish", 2}, {"seahorse", 2},
	{"frog", 3}, {"toad", 3}, {"salamander", 3}, {"newt", 3},
	{"axolotl", 3}, {"turtle", 4}, {"crocodile", 4}, {"snake", 4},
	{"lizard", 4}, {"iguana", 4}, {"tortoise", 4}, {"chameleon", 4},
	{"gecko", 4}, {"ant", 5}, {"bee", 5}, {"butterfly", 5},
	{"beetle", 5}, {"grasshopper", 5}, {"ladybug", 5}, {"dragonfly", 5},
	{"moth", 5}, {"cricket", 5},
};
static const char *const synth_states[] = {"a solid", "a liquid", "a gas"};
static const struct synth_ifact synth_substances[] = {
	{"water in a glass", 1}, {"milk", 1}, {"orange juice", 1},
	{"olive oil", 1}, {"vinegar", 1}, {"honey", 1}, {"coffee", 1},
	{"apple juice", 1}, {"lemonade", 1}, {"rain in a puddle", 1},
	{"maple syrup", 1}, {"shampoo", 1}, {"soy sauce", 1}, {"tea", 1},
	{"helium in a balloon", 2}, {"oxygen", 2}, {"the air in a tire", 2},
	{"carbon dioxide", 2}, {"nitrogen", 2}, {"neon in a sign", 2},
	{"water vapor", 2}, {"argon", 2}, {"hydrogen", 2},
	{"natural gas in a stove", 2}, {"a pebble", 0}, {"a coin", 0},
	{"a pencil", 0}, {"a brick", 0}, {"a seashell", 0}, {"a crayon", 0},
	{"a marble", 0}, {"an iron nail", 0}, {"a thimble", 0},
	{"a wooden ruler", 0}, {"a paperclip", 0}, {"a rubber eraser", 0},
	{"a brass doorknob", 0}, {"a ceramic tile", 0}, {"a silver ring", 0},
	{"a granite countertop", 0},
};
static const struct synth_fact synth_capitals[] = {
	{"Alabama", "Montgomery"}, {"Alaska", "Juneau"},
	{"Arizona", "Phoenix"}, {"Arkansas", "Little Rock"},
	{"California", "Sacramento"}, {"Colorado", "Denver"},
	{"Connecticut", "Hartford"}, {"Delaware", "Dover"},
	{"Florida", "Tallahassee"}, {"Georgia", "Atlanta"},
	{"Hawaii", "Honolulu"}, {"Idaho", "Boise"},
	{"Illinois", "Springfield"}, {"Indiana", "Indianapolis"},
	{"Iowa", "Des Moines"}, {"Kansas", "Topeka"},
	{"Kentucky", "Frankfort"}, {"Louisiana", "Baton Rouge"},
	{"Maine", "Augusta"}, {"Maryland", "Annapolis"},
	{"Massachusetts", "Boston"}, {"Michigan", "Lansing"},
	{"Minnesota", "Saint Paul"}, {"Mississippi", "Jackson"},
	{"Missouri", "Jefferson City"}, {"Montana", "Helena"},
	{"Nebraska", "Lincoln"}, {"Nevada", "Carson City"},
	{"New Hampshire", "Concord"}, {"New Jersey", "Trenton"},
	{"New Mexico", "Santa Fe"}, {"New York", "Albany"},
	{"North Carolina", "Raleigh"}, {"North Dakota", "Bismarck"},
	{"Ohio", "Columbus"}, {"Oklahoma", "Oklahoma City"},
	{"Oregon", "Salem"}, {"Pennsylvania", "Harrisburg"},
	{"Rhode Island", "Providence"}, {"South Carolina", "Columbia"},
	{"South Dakota", "Pierre"}, {"Tennessee", "Nashville"},
	{"Texas", "Austin"}, {"Utah", "Salt Lake City"},
	{"Vermont", "Montpelier"}, {"Virginia", "Richmond"},
	{"Washington", "Olympia"}, {"West Virginia", "Charleston"},
	{"Wisconsin", "Madison"}, {"Wyoming", "Cheyenne"},
};

/* ---------------------------------------------------------------------
 * Prompt templates.  Placeholders: %m %n %s %c %t %l %u = modifier,
 * noun, plural, colour, material, place and use of entity a; %M %N %S %C
 * %T %L %U the same for entity b; %k %w %W a count as digit, word, Word;
 * %x %y %z %v free strings; %% a percent sign.
 */

/* The seed README's five caption instructions. */
static const char *const synth_cap_prompts[] = {
	"Describe the image as simply as possible with a sentence or phrase.",
	"Give a brief summary of what you see.",
	"Provide a short description of the image.",
	"Write a short description for the image.",
	"Briefly describe the content of the image.",
};

static const char *const synth_coco_caps[] = {
	"A %m %n %l next to a %C %N.",
	"%W %s %l.",
	"A %c %n sitting %l",
	"There is a %m %n %l and a %C %N nearby.",
	"A %m %n and a %M %N %l.",
	"Close up of a %c %m %n %l.",
	"A %c %n and a %C %N",
	"A picture of a %m %n %l.",
};

/* %x person, %y garment, %v colour, %z action. */
static const char *const synth_flickr_caps[] = {
	"A %x in a %v %y is %z .",
	"A %x wearing a %v %y is %z .",
	"Two people are %z while a %x watches .",
	"A young %x %z .",
	"A %x in a %v %y is %z near a %M %N .",
	"A smiling %x is %z .",
};

/* %x modifier, %y product, %z Brand. */
static const char *const synth_textcaps_caps[] = {
	"A %x %y with the brand %z written on it",
	"%z %y on a store shelf",
	"A %x %y that says %z on the label.",
	"A %y from %z next to a %C %N.",
	"The word %z is printed on a %x %y",
};

/* Shikra-style grounding: %x expression, %y box. */
static const char *const synth_rec_tpl[] = {
	"Locate %x in <image> and provide its coordinates, please.",
	"<image>\nCan you point out %x in the image and give its coordinates?",
	"In <image>, where is %x? Answer with the bounding box coordinates.",
	"<image>\nPlease find %x and tell me its bounding box.",
	"Could you mark %x in the picture <image> with a bounding box?",
};
static const char *const synth_reg_tpl[] = {
	"For the given image <image>, can you provide a unique description "
	    "of the area %y?",
	"<image>\nWhat is in the region %y? Describe it so that it can be "
	    "told apart from the other objects.",
	"In <image>, give a short, distinguishing description of the object "
	    "at %y.",
	"<image>\nProvide a unique referring expression for the region %y.",
	"Describe the area %y of <image> in a few words.",
};
static const char *const synth_ref_expr[] = {
	"the %m %n", "the %c %n", "a %m %n %l", "the %c %m %n",
	"the %n next to the %N",
};

/* Sentences for descriptions and long answers. */
static const char *const synth_sents[] = {
	"A %m %n can be seen %l.",
	"The %m %n is %c, which makes it easy to spot.",
	"Next to it, there is a %C %N.",
	"%W %S are arranged %L.",
	"In the background, a %M %N is partly visible %L.",
	"The %m %n appears to be made of %t.",
	"Light falls on the %m %n, and its %c surface stands out against "
	    "the surroundings.",
	"Someone seems to have left a %M %N %L.",
	"The %n looks like it is mainly used for %u.",
	"A %C %N stands close to the %m %n.",
	"The %M %N, which looks %C, is placed %L.",
	"There is also a %c %n %l that catches the eye.",
};

/* Follow-up questions of LLaVA / SVIT conversations (other wording than
 * the VQA datasets, sentence answers). */
struct synth_qa {
	const char *q, *a;
};
static const struct synth_qa synth_conv_qa[] = {
	{"Can you tell me the color of the %m %n?", "Sure, the %m %n is %c."},
	{"How many %s can you see %l?", "I can see %w %s %l."},
	{"Where is the %m %n?", "The %m %n is %l, not far from a %C %N."},
	{"What material does the %m %n seem to be made from?",
	    "It looks like the %m %n is made of %t."},
	{"What might the %m %n be used for?",
	    "The %m %n is most likely used for %u."},
	{"Is there anything next to the %m %n?",
	    "Yes, there is a %C %N next to the %m %n."},
	{"What else can be seen %L?",
	    "Besides other things, a %M %N can be seen %L."},
	{"Could you describe the %m %n briefly?",
	    "It is a %c %m %n, placed %l."},
};
static const char *const synth_overview_q[] = {
	"Can you describe the overall scene in the image?",
	"What is happening in this image?",
	"Could you give me an overview of the scene?",
	"What do you notice first in this picture?",
};
static const struct synth_qa synth_complex_qa[] = {
	{"What color is the %n that is %l?", "The %n %l is %c."},
	{"Why might the %m %n be placed %l?",
	    "The %m %n is probably placed %l because it is used for %u, and "
	    "keeping it there makes it easy to reach when needed."},
	{"What is the relationship between the %m %n and the %M %N?",
	    "The %m %n is %l, while the %M %N is %L, so they share the same "
	    "scene without touching each other."},
	{"How many %s are %l, and what do they look like?",
	    "There are %w %s %l, and the one in front looks %m and %c."},
	{"What could someone do with the %m %n in this scene?",
	    "Someone could use the %m %n for %u, since it sits %l within "
	    "easy reach."},
	{"What challenges might someone face when moving the %m %n?",
	    "The %m %n is %l and seems to be made of %t, so moving it might "
	    "require some care to avoid damaging it or the %M %N nearby."},
};
static const char *const synth_llava_detail_q[] = {
	"Describe the following image.",
	"What do you see happening in this image?",
	"Can you elaborate on the elements of the picture provided?",
	"Explain the visual content of the image in great detail.",
	"What are the key elements in this image?",
	"Analyze the image in a comprehensive and detailed manner.",
	"Write a detailed description of the given image.",
	"What is this photo about?",
};
static const char *const synth_svit_detail_q[] = {
	"Kindly provide a meticulous commentary on the image.",
	"Describe the image in detail.",
	"Give an elaborate explanation of the image you see.",
	"Could you provide a comprehensive description of the picture?",
	"Write an exhaustive depiction of the given image.",
};
static const char *const synth_sci_instr[] = {
	"Use the image and the context to answer the question. Pick the "
	    "correct option.",
	"Look at the image, read the context and choose the right answer to "
	    "the question.",
	"Answer the science question based on the image and the context by "
	    "selecting one of the options.",
	"Given the image, the context and the question, select the correct "
	    "option.",
	"Study the picture and the context below, then answer the "
	    "multiple-choice question.",
};

/* ---------------------------------------------------------------------
 * The 17 items of example-byod.json, re-serialized compactly.  Each one
 * is in the pool at every scale: it replaces the generated item with its
 * ID, or, when this scale does not generate that ID, the last generated
 * item of its file.
 */
struct synth_example {
	const char *id, *json;
};

static const struct synth_example synth_examples[] = {
	{"coco_0",
	    "{\"id\":\"coco_0\",\"image\":\"coco/COCO_train2014_000000318556.jpg"
	    "\",\"conversations\":[{\"from\":\"human\",\"value\":\"<image>\\nBriefly"
	    " describe the content of the image.\"},{\"from\":\"gpt\",\"value\":"
	    "\"A very clean and well decorated empty bathroom\"}]}"},
	{"flickr30k_0",
	    "{\"id\":\"flickr30k_0\",\"image\":\"flickr30k/1000092795.jpg\",\"conv"
	    "ersations\":[{\"from\":\"human\",\"value\":\"<image>\\nBriefly descri"
	    "be the content of the image.\"},{\"from\":\"gpt\",\"value\":\"Two yo"
	    "ung guys with shaggy hair look at their hands while hanging "
	    "out in the yard .\"}]}"},
	{"textcaps_0",
	    "{\"id\":\"textcaps_0\",\"image\":\"open_images/011e7e629fb9ae7b.jpg"
	    "\",\"conversations\":[{\"from\":\"human\",\"value\":\"<image>\\nGive a "
	    "brief summary of what you see.\"},{\"from\":\"gpt\",\"value\":\"Five"
	    " Listerine Zero mouthwash bottles on a store shelf\"}]}"},
	{"vqav2_524286005",
	    "{\"id\":\"vqav2_524286005\",\"image\":\"coco/COCO_train2014_0000005"
	    "24286.jpg\",\"conversations\":[{\"from\":\"human\",\"value\":\"<image>"
	    "\\nIs that a laptop? Answer the question directly with a shor"
	    "t sentence or phrase.\"},{\"from\":\"gpt\",\"value\":\"yes\"}]}"},
	{"okvqa_5227415",
	    "{\"id\":\"okvqa_5227415\",\"image\":\"coco/COCO_train2014_000000522"
	    "741.jpg\",\"conversations\":[{\"from\":\"human\",\"value\":\"<image>\\n"
	    "For what meal is the food consumed? Answer the question dire"
	    "ctly with a short sentence or phrase.\"},{\"from\":\"gpt\",\"value"
	    "\":\"breakfast\"}]}"},
	{"ocrvqa_801672",
	    "{\"id\":\"ocrvqa_801672\",\"image\":\"ocrvqa/1400013011.jpg\",\"conve"
	    "rsations\":[{\"from\":\"human\",\"value\":\"<image>\\nIs this book re"
	    "lated to Law? Answer the question directly with a short sent"
	    "ence or phrase.\"},{\"from\":\"gpt\",\"value\":\"No\"}]}"},
	{"gqa_05145757",
	    "{\"id\":\"gqa_05145757\",\"image\":\"visual_genome/2327022.jpg\",\"co"
	    "nversations\":[{\"from\":\"human\",\"value\":\"<image>\\nWho wears a "
	    "shirt? Answer the question directly with a short sentence or"
	    " phrase.\"},{\"from\":\"gpt\",\"value\":\"The player wears a shirt.\""
	    "}]}"},
	{"textvqa_34601",
	    "{\"id\":\"textvqa_34601\",\"image\":\"open_images/03b2dbb7dff0e32d."
	    "jpg\",\"conversations\":[{\"from\":\"human\",\"value\":\"<image>\\nwhat"
	    " brand of wine is this? Answer the question directly with a "
	    "short sentence or phrase.\"},{\"from\":\"gpt\",\"value\":\"chateau g"
	    "arraud\"}]}"},
	{"aokvqa_dQbC9HGBPG3RCvpPWE4cWG",
	    "{\"id\":\"aokvqa_dQbC9HGBPG3RCvpPWE4cWG\",\"image\":\"coco/COCO_val"
	    "2014_000000133042.jpg\",\"conversations\":[{\"from\":\"human\",\"val"
	    "ue\":\"<image>\\nChoose the correct option for the following qu"
	    "estion: Which player has the higher jersey number?\\nA. baser"
	    "unner\\nB. pitcher\\nC. goalie\\nD. quarterback\\n\"},{\"from\":\"gp"
	    "t\",\"value\":\"The correct option is B.\"}]}"},
	{"ref3reg_287603",
	    "{\"id\":\"ref3reg_287603\",\"image\":\"coco/COCO_train2014_00000054"
	    "4238.jpg\",\"conversations\":[{\"from\":\"human\",\"value\":\"For the "
	    "given image <image>, can you provide a unique description of"
	    " the area [0.0, 0.106, 0.827, 1.0]?\"},{\"from\":\"gpt\",\"value\":"
	    "\"a girl baseball player\"}]}"},
	{"ref3rec_287603",
	    "{\"id\":\"ref3rec_287603\",\"image\":\"coco/COCO_train2014_00000054"
	    "4238.jpg\",\"conversations\":[{\"from\":\"human\",\"value\":\"Locate a"
	    " girl baseball player in <image> and provide its coordinates"
	    ", please.\"},{\"from\":\"gpt\",\"value\":\"[0.0, 0.106, 0.827, 1.0]."
	    "\"}]}"},
	{"shikra_5921",
	    "{\"id\":\"shikra_5921\",\"image\":\"flickr30k/918545497.jpg\",\"conve"
	    "rsations\":[{\"from\":\"human\",\"value\":\"<image>\\nAre there any t"
	    "rees in the image?\"},{\"from\":\"gpt\",\"value\":\"There are no tre"
	    "es mentioned in the given context or visible in the image, s"
	    "o the answer is no.\"}]}"},
	{"llava_157711",
	    "{\"id\":\"llava_157711\",\"image\":\"coco/COCO_train2014_0000001639"
	    "17.jpg\",\"conversations\":[{\"from\":\"human\",\"value\":\"How could "
	    "someone make a similar arrangement for a simple and refreshi"
	    "ng table centerpiece?\\n<image>\"},{\"from\":\"gpt\",\"value\":\"To c"
	    "reate a similar arrangement for a simple and refreshing tabl"
	    "e centerpiece, one could follow these steps:\\n\\n1. Select a "
	    "few fresh flowers, preferably in soft and soothing colors su"
	    "ch as pink, white, or lavender tulips in this case.\\n2. Choo"
	    "se a clean, minimalist vase or glass container to hold the f"
	    "lowers. The vase's height and width should be proportionate "
	    "to the flowers' stem length and the number of flowers you'll"
	    " be using.\\n3. Cut the stems of the flowers to the desired l"
	    "ength, ensuring that the flowers' heads are slightly above t"
	    "he vase's rim.\\n4. Carefully place the flowers in the vase, "
	    "distributing them evenly to create a balanced appearance.\\n5"
	    ". Fill the vase with water to keep the flowers fresh and hea"
	    "lthy.\\n6. Find a suitable bottle of water or mineral water t"
	    "hat complements the overall aesthetic you're aiming for. In "
	    "this case, a green bottle matches the flowers' natural vibe."
	    "\\n7. Arrange the bottle of water next to the vase, placing b"
	    "oth items on a table, preferably near a window or another so"
	    "urce of natural light.\\n\\nBy following these steps, you'll h"
	    "ave a simple and refreshing centerpiece that combines the na"
	    "tural beauty of flowers and the clean, minimalist appeal of "
	    "a bottle of water, creating a pleasant atmosphere for your t"
	    "able.\"}]}"},
	{"svit_conversation_0",
	    "{\"id\":\"svit_conversation_0\",\"image\":\"visual_genome/1.jpg\",\"c"
	    "onversations\":[{\"from\":\"human\",\"value\":\"<image>\\nCan you des"
	    "cribe the overall scene in the image?\"},{\"from\":\"gpt\",\"value"
	    "\":\"This appears to be an urban scene, with two men conversin"
	    "g on a brick sidewalk. There are various objects nearby such"
	    " as a green clock on a pole, a parking meter, and bicycles p"
	    "arked on the sidewalk. A white work truck and other vehicles"
	    " are parked along the street. Trees line the edge of the roa"
	    "d and buildings, including a white brick building, form the "
	    "backdrop.\"},{\"from\":\"human\",\"value\":\"What are the men wearin"
	    "g?\"},{\"from\":\"gpt\",\"value\":\"One man is wearing a red shirt, "
	    "black pants, and sneakers, while the other man is dressed in"
	    " a grey jacket, grey pants, and brown shoes. One of the men "
	    "also wears glasses.\"},{\"from\":\"human\",\"value\":\"Where are the"
	    " bicycles located?\"},{\"from\":\"gpt\",\"value\":\"The bicycles are"
	    " parked on the sidewalk, near a tree and towards the far edg"
	    "e of the image.\"},{\"from\":\"human\",\"value\":\"Could you tell me"
	    " more about the green clock?\"},{\"from\":\"gpt\",\"value\":\"The gr"
	    "een clock is located on a pole along the sidewalk. It is tal"
	    "l and quite distinct in the scene.\"}]}"},
	{"svit_detail_0",
	    "{\"id\":\"svit_detail_0\",\"image\":\"visual_genome/1.jpg\",\"convers"
	    "ations\":[{\"from\":\"human\",\"value\":\"<image>\\nKindly provide a "
	    "meticulous commentary on the image.\"},{\"from\":\"gpt\",\"value\":"
	    "\"The image captures a bustling city street during the day, b"
	    "athed in sunlight and speckled with shadows cast by the surr"
	    "ounding urban environment. On the right side of the street, "
	    "cars are parked along the curb, including a white work truck"
	    " and a white sedan, their headlights are off, suggesting the"
	    "y've been parked there for some time.\\nTwo men, engaged in c"
	    "onversation, command the center of the frame. The man on the"
	    " left sports glasses, a red shirt, and black pants, along wi"
	    "th a pair of sneakers. His companion, on the right, dons a g"
	    "rey hoodie and grey pants, offset by brown shoes. Both of th"
	    "em appear to be having a relaxed chat, one of them even hold"
	    "ing his chin thoughtfully.\\nNearby, a green pole supports a "
	    "large, green clock, adding a pop of color to the otherwise m"
	    "uted urban palette. The clock's ornate design offers a vinta"
	    "ge charm that contrasts with the modernity of the surroundin"
	    "g area.\\nFlanking the street are buildings made of bricks, o"
	    "ne of them painted white with a black sign on the facade. An"
	    " interesting feature is the tall brick building with multipl"
	    "e windows and a white canopy above the entrance. The buildin"
	    "g appears to be quite old, with visible moss and wear.\\nThe "
	    "sidewalk is paved with bricks and houses a yellow-topped par"
	    "king meter and a brown street lamp with a glass top. An olde"
	    "r-style coin-fed parking meter also makes an appearance, rei"
	    "nforcing the retro vibe of the scene.\\nThe street and sidewa"
	    "lk are lined with trees, some with sparse foliage, perhaps h"
	    "inting at early spring. Under one such tree, a couple of bic"
	    "ycles are securely parked, waiting for their owners to retur"
	    "n.\\nIn the background, the street continues on, dotted with "
	    "more parked cars and street lamps that lead the eye towards "
	    "more distant buildings. Despite the bustle, the street is im"
	    "maculate, reflecting a well-maintained urban area.\\nOverall,"
	    " the scene portrays a typical day in the city, filled with e"
	    "veryday activities like casual conversations, parking, and t"
	    "he quiet waiting of bicycles. The mix of retro and modern el"
	    "ements adds character to the streetscape, while the bare tre"
	    "es give a sense of season and time.\"}]}"},
	{"svit_complex_0",
	    "{\"id\":\"svit_complex_0\",\"image\":\"visual_genome/1.jpg\",\"conver"
	    "sations\":[{\"from\":\"human\",\"value\":\"<image>\\nWhat color is th"
	    "e shirt of the man who's holding his chin?\"},{\"from\":\"gpt\",\""
	    "value\":\"The man holding his chin is wearing a red shirt.\"}]}"},
	{"svit_referring_0",
	    "{\"id\":\"svit_referring_0\",\"image\":\"visual_genome/1.jpg\",\"conv"
	    "ersations\":[{\"from\":\"human\",\"value\":\"<image>\\nWhich object i"
	    "s located higher in the image, the clock [0.526, 0.152, 0.62"
	    "5, 0.717] or the sign [0.147, 0.022, 0.258, 0.325]? Locate t"
	    "he objects with their coordinates.\"},{\"from\":\"gpt\",\"value\":\""
	    "The sign [0.147, 0.022, 0.258, 0.325] is located higher in t"
	    "he image compared to the clock [0.526, 0.152, 0.625, 0.717]."
	    "\"}]}"},
};
#define SYNTH_NEX ((int)SYNTH_LEN(synth_examples))

/* ---------------------------------------------------------------------
 * Datasets, files and image spaces.
 */

enum {
	SD_COCO, SD_FLICKR, SD_TEXTCAPS, SD_VQAV2, SD_OKVQA, SD_OCRVQA,
	SD_GQA, SD_TEXTVQA, SD_AOKVQA, SD_SCIENCEQA, SD_REC, SD_REG,
	SD_SHIKRA, SD_LLAVA, SD_SVIT, SD_N
};

/* Image spaces; the base dataset's images are the space's image set. */
enum { SP_COCO, SP_FLICKR, SP_OPEN, SP_OCR, SP_VG, SP_SCI, SP_N };
static const int synth_space_base[SP_N] = {
	SD_COCO, SD_FLICKR, SD_TEXTCAPS, SD_OCRVQA, SD_SVIT, SD_SCIENCEQA,
};

/* SVIT's four kinds: samples at scale 1 (sum 2,992,799). */
static const char *const synth_svit_kind[4] = {
	"conversation", "detail", "complex", "referring",
};
static const uint64_t synth_svit_w[4] = {216152, 106274, 1670373, 1000000};

struct synth_run;
struct synth_file;
struct synth_item;

typedef void synth_gen_fn(const struct synth_run *, const struct synth_file *,
    struct synth_item *, uint64_t);

struct synth_dsdef {
	const char *name;	/* file name and ID prefix */
	uint64_t count;		/* samples at scale 1 */
	uint64_t images;	/* distinct images at scale 1 */
	int space;		/* image space */
	unsigned est;		/* rough bytes per item, for scheduling */
	synth_gen_fn *gen;
};

static synth_gen_fn synth_gen_coco, synth_gen_flickr, synth_gen_textcaps,
    synth_gen_vqav2, synth_gen_okvqa, synth_gen_ocrvqa, synth_gen_gqa,
    synth_gen_textvqa, synth_gen_aokvqa, synth_gen_sciqa, synth_gen_ref,
    synth_gen_shikra, synth_gen_llava, synth_gen_svit;

static const struct synth_dsdef synth_ds[SD_N] = {
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
};

/* Where an example item goes: item index -> example. */
struct synth_repl {
	uint64_t idx;
	int ex;
};

struct synth_file {
	int ds;
	uint64_t n;		/* items */
	uint64_t nimg;		/* distinct images (before examples) */
	uint64_t kstart[4], kn[4];	/* SVIT kinds: first index, count */
	struct synth_repl repl[4];	/* sorted by idx */
	int nrepl;
	struct util_afile *af;
	int rc;			/* 0, or -1 with err */
	char err[256];
	uint64_t bytes;
};

struct synth_run {
	uint64_t seed, sm;	/* seed and its hash */
	double scale;
	struct synth_file f[SD_N];
	uint8_t color[SYNTH_NENT], mat[SYNTH_NENT], at[SYNTH_NENT];
	uint8_t cnt[SYNTH_NNOUN * SYNTH_NPLACE];
	int order[SD_N];	/* files, biggest first */
	int next;		/* next file to take, under mu */
	pthread_mutex_t mu;
};

static inline uint64_t
synth_h(const struct synth_run *r, uint64_t tag, uint64_t a, uint64_t b)
{
	return synth_mix(synth_mix(synth_mix(r->sm ^ tag) ^ a) ^ b);
}

static void
synth_rng_init(struct synth_rng *g, const struct synth_run *r, uint64_t tag,
    uint64_t i)
{
	g->s = synth_h(r, T_ITEM + tag, i, 0x5eed);
}

/* ---------------------------------------------------------------------
 * Growing strings and the item being built.
 */

struct synth_sb {
	char *p;
	size_t len, cap;
};

static void
synth_sb_grow(struct synth_sb *b, size_t n)
{
	size_t cap = b->cap ? b->cap : 256;

	while (cap < b->len + n + 1)
		cap *= 2;
	b->p = util_xrealloc(b->p, cap);
	b->cap = cap;
}

static inline void
synth_sn(struct synth_sb *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap)
		synth_sb_grow(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static inline void
synth_s(struct synth_sb *b, const char *s)
{
	synth_sn(b, s, strlen(s));
}

static void
synth_sb_clear(struct synth_sb *b)
{
	b->len = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

static void
synth_sb_free(struct synth_sb *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

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
synth_u(struct synth_sb *b, uint64_t v)
{
	char t[24];

	synth_sn(b, t, (size_t)(synth_fmtu(t, v) - t));
}

/* The item being generated: turns back to back in txt. */
struct synth_item {
	char id[80];
	char image[96];
	struct synth_sb txt;
	size_t turn[SYNTH_MAXTURNS];
	int nturns;
	int vkind;		/* val subtype this item can seed, or -1 */
	uint64_t vkey;		/* the fact it states, for deduplication */
	struct synth_sb vq, va;	/* val question and answer */
	struct synth_sb core;	/* scratch */
};

static void
synth_item_reset(struct synth_item *it)
{
	synth_sb_clear(&it->txt);
	synth_sb_clear(&it->vq);
	synth_sb_clear(&it->va);
	synth_sb_clear(&it->core);
	it->nturns = 0;
	it->vkind = -1;
	it->vkey = 0;
}

static void
synth_item_free(struct synth_item *it)
{
	synth_sb_free(&it->txt);
	synth_sb_free(&it->vq);
	synth_sb_free(&it->va);
	synth_sb_free(&it->core);
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

#define SYNTH_MOD(e) synth_mods[(e) / SYNTH_NNOUN]
#define SYNTH_NOUN(e) (&synth_nouns[(e) % SYNTH_NNOUN])

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
synth_tpl(const struct synth_run *r, struct synth_sb *b, const char *t,
    const struct synth_ctx *c)
{
	const char *p, *w;
	int e;

	for (;;) {
		if ((p = strchr(t, '%')) == NULL) {
			synth_s(b, t);
			return;
		}
		synth_sn(b, t, (size_t)(p - t));
		e = (p[1] >= 'A' && p[1] <= 'Z') ? c->b : c->a;
		switch (p[1]) {
		case 'm': case 'M': w = SYNTH_MOD(e); break;
		case 'n': case 'N': w = SYNTH_NOUN(e)->one; break;
		case 's': case 'S': w = SYNTH_NOUN(e)->many; break;
		case 'c': case 'C': w = synth_colors[r->color[e]]; break;
		case 't': case 'T': w = synth_materials[r->mat[e]]; break;
		case 'u': case 'U': w = synth_uses[SYNTH_NOUN(e)->use]; break;
		case 'l': w = synth_places[c->pa]; break;
		case 'L': w = synth_places[c->pb]; break;
		case 'k': w = NULL; synth_u(b, (uint64_t)c->k); break;
		case 'w': w = synth_numwords[c->k % 10]; break;
		case 'W': w = synth_numWords[c->k % 10]; break;
		case 'x': w = c->x; break;
		case 'y': w = c->y; break;
		case 'z': w = c->z; break;
		case 'v': w = c->v; break;
		case '%': w = "%"; break;
		default:
			synth_sn(b, "%", 1);
			t = p + 1;
			continue;
		}
		if (w != NULL)
			synth_s(b, w);
		t = p + 2;
	}
}

/* Entity k (0..5) of image j of a space. */
static int
synth_scene(const struct synth_run *r, int space, uint64_t j, int k)
{
	return (int)(synth_h(r, T_SCENE + (uint64_t)space, j, (uint64_t)k) %
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
	uint64_t h = synth_h(r, T_PROD, key, 1);
	char *p = out;

	p = synth_cpy(p, synth_brand1[h % SYNTH_LEN(synth_brand1)]);
	p = synth_cpy(p, synth_brand2[(h >> 16) % SYNTH_LEN(synth_brand2)]);
	*p = '\0';
}

/* The product shown by Open Images image j: modifier m, product pr. */
static void
synth_product(const struct synth_run *r, uint64_t j, int *m, int *pr)
{
	uint64_t h = synth_h(r, T_PROD, j, 2);

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
	uint64_t h = synth_h(r, T_BOOK, j, 0);
	const char *a = synth_title_a[t % SYNTH_NTA];
	const char *b = synth_title_b[t / SYNTH_NTA % SYNTH_NTB];
	const char *c = synth_title_c[t / (SYNTH_NTA * SYNTH_NTB)];
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
	p = synth_cpy(p, synth_firstnames[(h >> 8) % SYNTH_LEN(synth_firstnames)]);
	*p++ = ' ';
	p = synth_cpy(p, synth_lastnames[(h >> 24) % SYNTH_LEN(synth_lastnames)]);
	*p = '\0';
	*genre = (int)((h >> 40) % SYNTH_LEN(synth_genres));
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
		int c = (int)(synth_h(r, T_OPT, key, (uint64_t)i) %
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
	h = synth_h(r, T_PERM, h, 0);
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
	return 9 + 7 * j + synth_h(r, T_COCOID, j, 0) % 7;
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
	uint64_t base = r->f[synth_space_base[synth_ds[f->ds].space]].nimg;

	if (f->nimg >= base)
		return jl;
	return jl * base / f->nimg;
}

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
		p = synth_cpy(p, "flickr30k/");
		p = synth_fmtu(p, 1000 + 3400 * j +
		    synth_h(r, T_FLICKR, j, 0) % 3400);
		p = synth_cpy(p, ".jpg");
		break;
	case SP_OPEN:
		p = synth_cpy(p, "open_images/");
		v = synth_mix(j ^ synth_h(r, T_OPEN, 0, 0));
		for (int i = 15; i >= 0; i--)
			p[15 - i] = "0123456789abcdef"[(v >> (4 * i)) & 15];
		p = synth_cpy(p + 16, ".jpg");
		break;
	case SP_OCR:
		p = synth_cpy(p, "ocrvqa/");
		p = synth_fmtu_w(p, 15000 * j +
		    synth_h(r, T_OCRIMG, j, 0) % 15000, 10);
		p = synth_cpy(p, ".jpg");
		break;
	case SP_VG:
		p = synth_cpy(p, "visual_genome/");
		p = synth_fmtu(p, j == 0 ? 1 :
		    1 + 22 * j + synth_h(r, T_VG, j, 0) % 22);
		p = synth_cpy(p, ".jpg");
		break;
	default:
		p = synth_cpy(p, "scienceqa/");
		p = synth_fmtu(p, 1 + 3 * j + synth_h(r, T_SCI, j, 0) % 3);
		p = synth_cpy(p, "/image.png");
		break;
	}
	*p = '\0';
}

/* Image of item i of file f (not SVIT): its space index and path. */
static uint64_t
synth_item_image(const struct synth_run *r, const struct synth_file *f,
    uint64_t i, struct synth_item *it)
{
	uint64_t j = synth_spread(r, f, synth_local(i, f->n, f->nimg));

	synth_imgpath(r, synth_ds[f->ds].space, j, it->image);
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
	char *p = synth_cpy(out, synth_ds[f->ds].name);
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
			    synth_h(r, T_OKDIGIT, jl, 0) %
			    (11 - synth_perimg(f)));
		break;
	case SD_GQA:
		p = synth_fmtu_w(p, i * 16 + synth_h(r, T_GQAID, i, 0) % 16, 8);
		break;
	case SD_AOKVQA:
		p = synth_b62(p, synth_mix(i ^ synth_h(r, T_AOKID, 0, 0)));
		p = synth_b62(p, synth_h(r, T_AOKID, i, 1));
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

enum {
	V_COLOR, V_YESNO, V_MATERIAL, V_COUNT, V_AUTHOR, V_GENRE, V_BRAND,
	V_NUMBER, V_KNOW, V_AOK, V_SCI, V_N
};

/* Human: "<image>\n<question> Answer ... phrase."; gpt: the answer. */
static void
synth_open_qa(struct synth_item *it)
{
	synth_turn(it);
	synth_sn(&it->txt, "<image>\n", 8);
	synth_sn(&it->txt, it->vq.p, it->vq.len);
	synth_s(&it->txt, SYNTH_VQA_SUFFIX);
	synth_turn(it);
	synth_sn(&it->txt, it->va.p, it->va.len);
}

static void
synth_caption_prompt(struct synth_item *it, struct synth_rng *g)
{
	synth_turn(it);
	synth_sn(&it->txt, "<image>\n", 8);
	synth_s(&it->txt, synth_cap_prompts[synth_below(g,
	    SYNTH_LEN(synth_cap_prompts))]);
	synth_turn(it);
}

/* nsent sentences about the scene e[6]. */
static void
synth_para(const struct synth_run *r, struct synth_sb *b, struct synth_rng *g,
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
			synth_sn(b, " ", 1);
		synth_tpl(r, b, synth_sents[synth_below(g,
		    SYNTH_LEN(synth_sents))], &c);
	}
}

static void
synth_mood(const struct synth_run *r, struct synth_sb *b, struct synth_rng *g)
{
	struct synth_ctx c;
	uint32_t m1 = synth_below(g, SYNTH_LEN(synth_moods));
	uint32_t m2 = (m1 + 1 + synth_below(g, SYNTH_LEN(synth_moods) - 1)) %
	    SYNTH_LEN(synth_moods);

	synth_ctx_set(r, &c, 0, 0);
	c.x = synth_moods[m1];
	c.y = synth_moods[m2];
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
	synth_tpl(r, &it->txt, synth_coco_caps[synth_below(&g,
	    SYNTH_LEN(synth_coco_caps))], &c);
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
	c.x = synth_persons[synth_below(&g, SYNTH_LEN(synth_persons))];
	c.y = synth_garments[synth_below(&g, SYNTH_LEN(synth_garments))];
	c.v = synth_colors[synth_below(&g, SYNTH_NCOLOR)];
	c.z = synth_actions[synth_below(&g, SYNTH_LEN(synth_actions))];
	synth_caption_prompt(it, &g);
	synth_tpl(r, &it->txt, synth_flickr_caps[synth_below(&g,
	    SYNTH_LEN(synth_flickr_caps))], &c);
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
	c.x = synth_mods[m];
	c.y = synth_products[pr];
	c.z = brand;
	synth_caption_prompt(it, &g);
	synth_tpl(r, &it->txt, synth_textcaps_caps[synth_below(&g,
	    SYNTH_LEN(synth_textcaps_caps))], &c);
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
		synth_s(&it->va, synth_colors[r->color[a]]);
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
		synth_s(&it->va, p == c.pa ? "yes" : "no");
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
		synth_foods, synth_habitats, synth_sports,
	};
	struct synth_rng g;
	struct synth_ctx c;
	uint32_t t, x, p;

	_Static_assert(SYNTH_LEN(synth_foods) == 30, "foods");
	_Static_assert(SYNTH_LEN(synth_habitats) == 30, "habitats");
	_Static_assert(SYNTH_LEN(synth_sports) == 30, "sports");
	synth_rng_init(&g, r, SD_OKVQA, i);
	synth_item_image(r, f, i, it);
	t = synth_below(&g, 3);
	x = synth_below(&g, 30);
	p = synth_below(&g, SYNTH_NPLACE);
	synth_ctx_set(r, &c, 0, 0);
	c.x = tab[t][x].key;
	c.pa = (int)p;
	synth_tpl(r, &it->vq, tpl[t], &c);
	synth_s(&it->va, tab[t][x].ans);
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
	    synth_h(r, T_BOOK, j, 1)) % 5);
	switch (t) {
	case 0:
		synth_tpl(r, &it->vq, "Who is the author of the book titled "
		    "%x?", &c);
		synth_s(&it->va, author);
		it->vkind = V_AUTHOR;
		it->vkey = j;
		break;
	case 1:
		synth_tpl(r, &it->vq, "What is the genre of the book titled "
		    "%x?", &c);
		synth_s(&it->va, synth_genres[genre]);
		it->vkind = V_GENRE;
		it->vkey = j;
		break;
	case 3:
		synth_s(&it->vq, "What is the title of this book?");
		synth_s(&it->va, title);
		break;
	default:
		g2 = t == 2 ? genre :
		    (int)synth_below(&g, SYNTH_LEN(synth_genres));
		c.y = synth_genres[g2];
		synth_tpl(r, &it->vq, "Is the book titled %x related to %y?",
		    &c);
		synth_s(&it->va, g2 == genre ? "Yes" : "No");
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
		synth_s(&it->va, synth_materials[r->mat[a]]);
		it->vkind = V_MATERIAL;
		it->vkey = (uint64_t)a;
	} else if (t < 12) {
		synth_tpl(r, &it->vq, "What is the color of the %m %n?", &c);
		synth_tpl(r, &it->va, "The %m %n is %c.", &c);
	} else if (t < 16) {
		c.x = synth_persons[synth_below(&g, SYNTH_LEN(synth_persons))];
		c.y = synth_garments[synth_below(&g,
		    SYNTH_LEN(synth_garments))];
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
	return 1 + synth_h(r, T_NUM, (uint64_t)ent, 0) % 99;
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
		c.x = synth_mods[m];
		c.y = synth_products[pr];
		synth_tpl(r, &it->vq, "what brand is the %x %y?", &c);
		synth_s(&it->va, brand);
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
	if (synth_h(r, T_AOKVAL, jl, 0) % 4 == 0) {
		/* A-OKVQA also draws on COCO's val2014 images. */
		j = 42 + 7 * jl + synth_h(r, T_AOKVAL, jl, 1) % 7;
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
		pos = synth_options(r, key, key, U_N, SYNTH_NOUN(a)->use, 4,
		    opt);
		pool = synth_uses;
		synth_tpl(r, &it->core, "What is the %m %n most likely used "
		    "for?", &c);
	} else {
		key = SYNTH_NENT + (uint64_t)a;
		pos = synth_options(r, key, key, W_N, SYNTH_NOUN(a)->where, 4,
		    opt);
		pool = synth_wheres;
		synth_tpl(r, &it->core, "Where would you most likely find a "
		    "%m %n?", &c);
	}
	for (k = 0; k < 4; k++) {
		char l[4] = {'\n', (char)('A' + k), '.', ' '};

		synth_sn(&it->core, l, 4);
		synth_s(&it->core, pool[opt[k]]);
	}
	synth_turn(it);
	synth_s(&it->txt, "<image>\nChoose the correct option for the "
	    "following question: ");
	synth_sn(&it->txt, it->core.p, it->core.len);
	synth_sn(&it->txt, "\n", 1);
	synth_turn(it);
	synth_sn(&it->txt, &"ABCD"[pos], 1);
	synth_sn(&it->vq, it->core.p, it->core.len);
	synth_s(&it->vq, SYNTH_CHOICE_SUFFIX);
	synth_sn(&it->va, &"ABCD"[pos], 1);
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
	const char *capital[SYNTH_LEN(synth_capitals)];

	for (k = 0; k < (int)SYNTH_LEN(synth_capitals); k++)
		capital[k] = synth_capitals[k].ans;
	synth_rng_init(&g, r, SD_SCIENCEQA, i);
	synth_item_image(r, f, i, it);
	t = synth_below(&g, 3);
	v = synth_below(&g, 4);
	instr = synth_below(&g, SYNTH_LEN(synth_sci_instr));
	synth_ctx_set(r, &c, 0, 0);
	if (t == 0) {
		x = synth_below(&g, SYNTH_LEN(synth_animals));
		fact = (1u << 20) | x;
		key = fact * 4 + v;
		nopt = 4;
		pos = synth_options(r, key, fact, 6, synth_animals[x].ans,
		    nopt, opt);
		pool = synth_classes;
		c.x = synth_animals[x].key;
		synth_tpl(r, &it->core, "Which group of animals does the %x "
		    "belong to?", &c);
		ctx = "Scientists sort animals into groups based on the traits "
		    "they share.";
	} else if (t == 1) {
		x = synth_below(&g, SYNTH_LEN(synth_substances));
		fact = key = (2u << 20) | x;
		nopt = 3;
		pos = synth_options(r, key, fact, 3, synth_substances[x].ans,
		    nopt, opt);
		pool = synth_states;
		c.x = synth_substances[x].key;
		synth_tpl(r, &it->core, "Is %x a solid, a liquid, or a gas?",
		    &c);
		ctx = "Solids, liquids and gases are states of matter. Each "
		    "has its own shape and volume properties.";
	} else {
		x = synth_below(&g, SYNTH_LEN(synth_capitals));
		fact = (3u << 20) | x;
		key = fact * 4 + v;
		nopt = 4;
		pos = synth_options(r, key, fact, SYNTH_LEN(synth_capitals),
		    (int)x, nopt, opt);
		pool = capital;
		c.x = synth_capitals[x].key;
		synth_tpl(r, &it->core, "What is the capital of %x?", &c);
		ctx = "The map shows the United States with one state "
		    "highlighted.";
	}
	/* The val question: the question, its options, the prompt. */
	synth_sn(&it->vq, it->core.p, it->core.len);
	synth_sn(&it->vq, "\n", 1);
	for (k = 0; k < nopt; k++) {
		l[2] = (char)('A' + k);
		synth_sn(&it->vq, l + (k == 0), 5 - (k == 0));
		synth_s(&it->vq, pool[opt[k]]);
	}
	synth_s(&it->vq, SYNTH_CHOICE_SUFFIX);
	synth_turn(it);
	synth_s(&it->txt, "<image>\n");
	synth_s(&it->txt, synth_sci_instr[instr]);
	synth_s(&it->txt, "\nContext: ");
	synth_s(&it->txt, ctx);
	synth_s(&it->txt, "\nQuestion: ");
	synth_sn(&it->txt, it->core.p, it->core.len);
	synth_s(&it->txt, "\nOptions:");
	for (k = 0; k < nopt; k++) {
		l[2] = (char)('A' + k);
		synth_sn(&it->txt, l, 5);
		synth_s(&it->txt, pool[opt[k]]);
	}
	synth_turn(it);
	synth_s(&it->txt, "The answer is ");
	synth_sn(&it->txt, &"ABCD"[pos], 1);
	synth_s(&it->txt, ".");
	synth_sn(&it->va, &"ABCD"[pos], 1);
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
	ef = synth_below(&g, SYNTH_LEN(synth_ref_expr));
	trec = synth_below(&g, SYNTH_LEN(synth_rec_tpl));
	treg = synth_below(&g, SYNTH_LEN(synth_reg_tpl));
	synth_box(synth_h(r, T_BOX, i, 0), box, NULL);
	synth_ctx_set(r, &c, a, b);
	synth_tpl(r, &it->core, synth_ref_expr[ef], &c);
	c.x = it->core.p;
	c.y = box;
	synth_turn(it);
	if (f->ds == SD_REC) {
		synth_tpl(r, &it->txt, synth_rec_tpl[trec], &c);
		synth_turn(it);
		synth_s(&it->txt, box);
		synth_s(&it->txt, ".");
	} else {
		synth_tpl(r, &it->txt, synth_reg_tpl[treg], &c);
		synth_turn(it);
		synth_sn(&it->txt, it->core.p, it->core.len);
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
	synth_box(synth_h(r, T_BOX, i, 1), box, NULL);
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
		c.x = synth_persons[synth_below(&g, SYNTH_LEN(synth_persons))];
		c.z = synth_actions[synth_below(&g, SYNTH_LEN(synth_actions))];
		c.v = synth_moods[synth_below(&g, SYNTH_LEN(synth_moods))];
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
		qa = &synth_conv_qa[(start + k) % (int)SYNTH_LEN(synth_conv_qa)];
		synth_ctx_set(r, &c, e[k % 6], e[(k + 1) % 6]);
		synth_turn(it);
		if (with_image && k == k0 && image_first)
			synth_s(&it->txt, "<image>\n");
		synth_tpl(r, &it->txt, qa->q, &c);
		if (with_image && k == k0 && !image_first)
			synth_s(&it->txt, "\n<image>");
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
		    SYNTH_LEN(synth_conv_qa)), 0, 2 + (int)synth_below(&g, 4),
		    img_first, 1);
		return;
	}
	synth_turn(it);
	if (img_first)
		synth_s(&it->txt, "<image>\n");
	if (t < 514) {
		synth_s(&it->txt, synth_llava_detail_q[synth_below(&g,
		    SYNTH_LEN(synth_llava_detail_q))]);
		if (!img_first)
			synth_s(&it->txt, "\n<image>");
		synth_turn(it);
		synth_para(r, &it->txt, &g, e, 5 + (int)synth_below(&g, 4));
		synth_sn(&it->txt, " ", 1);
		synth_mood(r, &it->txt, &g);
		return;
	}
	qa = &synth_complex_qa[synth_below(&g, SYNTH_LEN(synth_complex_qa))];
	synth_ctx_set(r, &c, e[0], e[1]);
	synth_tpl(r, &it->txt, qa->q, &c);
	if (!img_first)
		synth_s(&it->txt, "\n<image>");
	synth_turn(it);
	synth_tpl(r, &it->txt, qa->a, &c);
	synth_sn(&it->txt, " ", 1);
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
	synth_s(&it->txt, "<image>\n");
	switch (k) {
	case 0:
		synth_s(&it->txt, synth_overview_q[synth_below(&g,
		    SYNTH_LEN(synth_overview_q))]);
		synth_turn(it);
		synth_para(r, &it->txt, &g, e, 3 + (int)synth_below(&g, 2));
		synth_conv(r, it, e, (int)synth_below(&g,
		    SYNTH_LEN(synth_conv_qa)), p, 1 + (int)synth_below(&g, 4),
		    1, 0);
		break;
	case 1:
		synth_s(&it->txt, synth_svit_detail_q[synth_below(&g,
		    SYNTH_LEN(synth_svit_detail_q))]);
		synth_turn(it);
		for (p = 3 + (int)synth_below(&g, 3); p > 0; p--) {
			synth_para(r, &it->txt, &g, e,
			    3 + (int)synth_below(&g, 3));
			synth_sn(&it->txt, "\n", 1);
		}
		synth_mood(r, &it->txt, &g);
		break;
	case 2:
		qa = &synth_complex_qa[synth_below(&g,
		    SYNTH_LEN(synth_complex_qa))];
		synth_ctx_set(r, &c, e[p], e[(p + 1) % 6]);
		synth_tpl(r, &it->txt, qa->q, &c);
		synth_turn(it);
		synth_tpl(r, &it->txt, qa->a, &c);
		break;
	default:
		qa = &refq[synth_below(&g, SYNTH_LEN(refq))];
		synth_box(synth_h(r, T_BOX, i, 2), box1, &top1);
		synth_box(synth_h(r, T_BOX, i, 3), box2, &top2);
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

/* ---------------------------------------------------------------------
 * Output: a big buffer in front of the file, JSON escaping.
 */

struct synth_out {
	FILE *fp;
	char *buf;
	size_t len, cap;
	int failed;		/* errno of the first failed write, or 0 */
	uint64_t bytes;
};

#define SYNTH_ORAW(o, lit) synth_oraw((o), (lit), sizeof(lit) - 1)

static void
synth_oflush(struct synth_out *o)
{
	if (o->len > 0 && o->failed == 0 &&
	    fwrite(o->buf, 1, o->len, o->fp) != o->len)
		o->failed = errno != 0 ? errno : EIO;
	o->bytes += o->len;
	o->len = 0;
}

static void
synth_oraw(struct synth_out *o, const char *s, size_t n)
{
	if (o->cap - o->len < n) {
		synth_oflush(o);
		if (n > o->cap) {
			if (o->failed == 0 && fwrite(s, 1, n, o->fp) != n)
				o->failed = errno != 0 ? errno : EIO;
			o->bytes += n;
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
			synth_oflush(o);
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

static void
synth_ostr(struct synth_out *o, const char *s)
{
	SYNTH_ORAW(o, "\"");
	synth_oesc(o, s, strlen(s));
	SYNTH_ORAW(o, "\"");
}

/* One compact item: {"id":..,"image":..,"conversations":[..]}. */
static void
synth_emit(struct synth_out *o, const struct synth_item *it)
{
	size_t s, e;
	int k;

	SYNTH_ORAW(o, "{\"id\":");
	synth_ostr(o, it->id);
	SYNTH_ORAW(o, ",\"image\":");
	synth_ostr(o, it->image);
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

static uint64_t
synth_round(double x)
{
	return (uint64_t)(x + 0.5);
}

static int
synth_is_example_of(int ex, const char *name)
{
	size_t nl = strlen(name);

	return strncmp(synth_examples[ex].id, name, nl) == 0 &&
	    synth_examples[ex].id[nl] == '_';
}

/* Rough bytes of file d, for scheduling. */
static uint64_t
synth_weight(const struct synth_run *r, int d)
{
	return r->f[d].n * synth_ds[d].est;
}

/* The world's fact tables and the size of every file at this scale. */
static void
synth_init(struct synth_run *r, uint64_t seed, double scale)
{
	struct synth_file *f;
	uint64_t n, nimg, floor, w;
	int d, e, k, nex, t;

	r->seed = seed;
	r->sm = synth_mix(seed ^ 0x64617461u);
	r->scale = scale;
	for (e = 0; e < SYNTH_NENT; e++) {
		r->color[e] = (uint8_t)(synth_h(r, T_COLOR, (uint64_t)e, 0) %
		    SYNTH_NCOLOR);
		r->mat[e] = (uint8_t)(synth_h(r, T_MAT, (uint64_t)e, 0) %
		    SYNTH_NMAT);
		r->at[e] = (uint8_t)(synth_h(r, T_AT, (uint64_t)e, 0) %
		    SYNTH_NPLACE);
	}
	for (e = 0; e < SYNTH_NNOUN * SYNTH_NPLACE; e++)
		r->cnt[e] = (uint8_t)(2 + synth_h(r, T_COUNT, (uint64_t)e, 0) %
		    6);
	for (d = 0; d < SD_N; d++) {
		f = &r->f[d];
		f->ds = d;
		for (nex = 0, e = 0; e < SYNTH_NEX; e++)
			nex += synth_is_example_of(e, synth_ds[d].name);
		/* Room for the examples and at least one generated item. */
		floor = nex > 0 ? (uint64_t)nex + 1 : 1;
		n = synth_round((double)synth_ds[d].count * scale);
		f->n = n < floor ? floor : n;
		nimg = synth_round((double)synth_ds[d].images * scale);
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
				f->kn[k] = synth_round((double)f->n *
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
	/* Biggest files first, so the threads finish together. */
	for (d = 0; d < SD_N; d++)
		r->order[d] = d;
	for (d = 1; d < SD_N; d++)
		for (k = d; k > 0 && synth_weight(r, r->order[k]) >
		    synth_weight(r, r->order[k - 1]); k--) {
			t = r->order[k];
			r->order[k] = r->order[k - 1];
			r->order[k - 1] = t;
		}
}

/*
 * Decide where the examples of file f go: onto the item with the same ID
 * when this scale generates it, else onto the last free items.
 */
static void
synth_plan(const struct synth_run *r, struct synth_file *f)
{
	const char *name = synth_ds[f->ds].name;
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
			len[nex] = strlen(synth_examples[e].id);
			ex[nex++] = e;
		}
	if (nex == 0)
		return;
	for (i = 0; i < f->n; i++) {
		synth_id(r, f, i, id);
		for (k = 0; k < nex; k++)
			if (at[k] < 0 && id[len[k]] == '\0' &&
			    memcmp(id, synth_examples[ex[k]].id, len[k]) == 0)
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

static int
synth_replaced(const struct synth_file *f, uint64_t i)
{
	int k;

	for (k = 0; k < f->nrepl; k++)
		if (f->repl[k].idx == i)
			return 1;
	return 0;
}

/* Write file f (its afile is open): "[\n" items joined by ",\n" "\n]\n". */
static void
synth_file_write(const struct synth_run *r, struct synth_file *f,
    struct synth_item *it, struct synth_out *o)
{
	uint64_t i;
	int ri = 0;

	o->fp = util_afile_fp(f->af);
	o->len = 0;
	o->failed = 0;
	o->bytes = 0;
	synth_plan(r, f);
	SYNTH_ORAW(o, "[\n");
	for (i = 0; i < f->n; i++) {
		if (i > 0)
			SYNTH_ORAW(o, ",\n");
		if (ri < f->nrepl && f->repl[ri].idx == i) {
			synth_oraw(o, synth_examples[f->repl[ri].ex].json,
			    strlen(synth_examples[f->repl[ri].ex].json));
			ri++;
			continue;
		}
		synth_item_reset(it);
		synth_id(r, f, i, it->id);
		synth_ds[f->ds].gen(r, f, it, i);
		synth_emit(o, it);
	}
	SYNTH_ORAW(o, "\n]\n");
	synth_oflush(o);
	f->bytes = o->bytes;
	if (o->failed != 0) {
		util_fmt(f->err, sizeof(f->err), "write %s.json: %s",
		    synth_ds[f->ds].name, strerror(o->failed));
		f->rc = -1;
	}
}

static void *
synth_worker(void *arg)
{
	struct synth_run *r = arg;
	struct synth_item it;
	struct synth_out o;
	int d;

	memset(&it, 0, sizeof(it));
	memset(&o, 0, sizeof(o));
	o.cap = SYNTH_OUTBUF;
	o.buf = util_xmalloc(o.cap);
	for (;;) {
		pthread_mutex_lock(&r->mu);
		d = r->next < SD_N ? r->order[r->next++] : -1;
		pthread_mutex_unlock(&r->mu);
		if (d < 0)
			break;
		synth_file_write(r, &r->f[d], &it, &o);
	}
	free(o.buf);
	synth_item_free(&it);
	return NULL;
}

/* ---------------------------------------------------------------------
 * The validation set.
 */

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
	uint64_t h = synth_mix(key) & (SYNTH_SEEN - 1);

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
static int
synth_write_val(const struct synth_run *r, const char *path, char *err,
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
		acc[v] = util_xmalloc(synth_vdefs[v].weight * sizeof(**acc));
		nacc[v] = 0;
		memset(seen, 0, SYNTH_SEEN * sizeof(*seen));
		step = synth_step(n);
		idx = synth_h(r, T_VAL, (uint64_t)v, 0) % n;
		for (k = 0; k < n && nacc[v] < synth_vdefs[v].weight; k++) {
			if (!synth_replaced(f, idx)) {
				synth_item_reset(&it);
				synth_ds[f->ds].gen(r, f, &it, idx);
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
	    synth_round(SYNTH_VAL_FULL * r->scale / 0.1);
	if (total < SYNTH_VAL_MIN)
		total = SYNTH_VAL_MIN;
	for (v = 0; v < V_N; v++) {
		quota[v] = nacc[v] == 0 ? 0 :
		    synth_round((double)synth_vdefs[v].weight * (double)total /
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
			synth_item_reset(&it);
			synth_ds[f->ds].gen(r, f, &it, acc[v][q % nacc[v]]);
			if (seq > 0)
				SYNTH_ORAW(&o, ",\n");
			util_fmt(name, sizeof(name), "%s/%06llu",
			    synth_vdefs[v].task, (unsigned long long)seq++);
			SYNTH_ORAW(&o, "{\"question\":");
			synth_ostr(&o, it.vq.p);
			SYNTH_ORAW(&o, ",\"image_id\":");
			synth_ostr(&o, name);
			SYNTH_ORAW(&o, ",\"answer\":");
			synth_ostr(&o, it.va.p);
			SYNTH_ORAW(&o, "}");
		}
	}
	SYNTH_ORAW(&o, "\n]\n");
	synth_oflush(&o);
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
	synth_item_free(&it);
	return rc;
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

int
synth_pool(const char *outdir, double scale, uint64_t seed, char *err,
    size_t errlen)
{
	struct synth_run *r = NULL;
	pthread_t th[SYNTH_MAXTHREADS];
	char path[4200];
	long ncpu;
	int d, k, nth, started = 0, rc = -1;

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
	synth_init(r, seed, scale);
	pthread_mutex_init(&r->mu, NULL);
	/* Opened here, not in the threads: util_afile_open is not
	 * thread-safe. */
	for (d = 0; d < SD_N; d++) {
		util_fmt(path, sizeof(path), "%s/data/%s.json", outdir,
		    synth_ds[d].name);
		if ((r->f[d].af = util_afile_open(path, err, errlen)) == NULL)
			goto cleanup;
	}
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	nth = ncpu < 1 ? 1 : ncpu > SYNTH_MAXTHREADS ? SYNTH_MAXTHREADS :
	    (int)ncpu;
	for (k = 0; k < nth; k++) {
		if (pthread_create(&th[k], NULL, synth_worker, r) != 0)
			break;
		started++;
	}
	if (started == 0)
		synth_worker(r);
	for (k = 0; k < started; k++)
		pthread_join(th[k], NULL);
	for (d = 0; d < SD_N; d++)
		if (r->f[d].rc != 0) {
			util_fmt(err, errlen, "%s", r->f[d].err);
			goto cleanup;
		}
	for (d = 0; d < SD_N; d++) {
		k = util_afile_commit(r->f[d].af, err, errlen);
		r->f[d].af = NULL;
		if (k != 0)
			goto cleanup;
	}
	util_fmt(path, sizeof(path), "%s/val.json", outdir);
	if (synth_write_val(r, path, err, errlen) != 0)
		goto cleanup;
	rc = 0;
cleanup:
	for (d = 0; d < SD_N; d++)
		util_afile_abort(r->f[d].af);
	pthread_mutex_destroy(&r->mu);
	free(r);
	return rc;
}
