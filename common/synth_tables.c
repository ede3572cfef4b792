/*
 * synth_tables: the synthetic pool's data tables: the vocabulary the
 * world is made of, small real knowledge tables, the prompt templates and
 * the items of example-byod.json.  Data only; declared in synth_tables.h,
 * which is included at the end so the compiler checks every definition
 * against its declaration.
 */
#include "synth_int.h"

/* ---------------------------------------------------------------------
 * Vocabulary.  Modifiers and colours start with a consonant, so "a %m"
 * and "a %c" always read right.
 */

const char *const synth__mods[] = {
	"small", "large", "tall", "short", "tiny", "huge", "new", "striped",
	"shiny", "dusty", "broken", "round", "square", "clean", "dirty",
	"folded", "closed", "wet", "dry", "soft", "heavy", "narrow", "wide",
	"vintage", "modern", "painted", "spotted", "curved", "flat", "bent",
	"polished", "worn", "cracked", "checkered", "crooked", "fancy",
	"plain", "long", "bright", "dark",
};

/* What an object is for (A-OKVQA purpose options), distinct strings. */
const char *const synth__uses[] = {
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
const char *const synth__wheres[] = {
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

enum {
	W_PARK, W_STREET, W_GARAGE, W_HIGHWAY, W_HARBOR, W_STATION,
	W_AIRPORT, W_SCHOOL, W_STORE, W_SKATEPARK, W_BEACH, W_MOUNTAIN,
	W_FIELD, W_KITCHEN, W_DINING, W_LIVING, W_BEDROOM, W_OFFICE,
	W_LIBRARY, W_FARM, W_BATHROOM, W_MARKET, W_STUDIO, W_GARDEN, W_N
};

const struct synth_noun synth__nouns[] = {
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

const char *const synth__places[] = {
	"on the table", "on the sidewalk", "in the street", "near the fence",
	"on the grass", "in the kitchen", "on the beach", "by the window",
	"in the park", "on the shelf", "under the tree", "on the counter",
	"in the field", "on the bed", "near the water", "on the road",
	"at the station", "in the yard", "on the floor", "in the corner",
	"on the desk", "near the door", "in the snow", "on the rack",
};

const char *const synth__colors[] = {
	"red", "blue", "green", "yellow", "white", "black", "brown", "gray",
	"pink", "purple", "silver", "beige",
};

const char *const synth__materials[] = {
	"wood", "metal", "plastic", "glass", "leather", "cloth", "paper",
	"rubber", "stone", "ceramic",
};

const char *const synth__numwords[] = {
	"zero", "one", "two", "three", "four", "five", "six", "seven",
	"eight", "nine",
};
const char *const synth__numWords[] = {
	"Zero", "One", "Two", "Three", "Four", "Five", "Six", "Seven",
	"Eight", "Nine",
};

const char *const synth__persons[] = {
	"man", "woman", "boy", "girl", "child", "player", "skier", "surfer",
	"cyclist", "chef", "worker", "student", "dancer", "musician",
	"tourist", "runner", "teenager", "toddler",
};

const char *const synth__garments[] = {
	"shirt", "jacket", "hat", "dress", "sweater", "coat", "helmet",
	"scarf", "hoodie", "tunic", "cap", "vest",
};

const char *const synth__actions[] = {
	"walking along the street", "riding a bicycle", "playing guitar",
	"sitting on a bench", "reading a book", "throwing a frisbee",
	"climbing a rock", "cooking in a kitchen", "talking on the phone",
	"jumping into the water", "running on the beach", "painting a wall",
	"skiing down a slope", "surfing a wave", "carrying a bag",
	"waiting for the bus", "dancing on a stage", "playing soccer",
	"feeding the birds", "pushing a stroller",
};

const char *const synth__moods[] = {
	"calm", "busy", "cheerful", "quiet", "cozy", "lively", "orderly",
	"relaxed", "peaceful", "bustling",
};

/* TextCaps / TextVQA products and brand syllables. */
const char *const synth__products[] = {
	"bottle", "can", "box", "jar", "carton", "packet", "tube", "bag",
	"sign", "poster", "label", "cup", "menu", "banner", "truck", "shirt",
	"mug", "flag", "billboard", "sticker",
};

const char *const synth__brand1[] = {
	"zor", "mar", "ven", "kal", "tre", "lum", "sol", "bri", "dex", "nor",
	"quin", "vel", "rho", "tam", "gal", "fen", "cor", "pax", "lor", "sim",
	"bel", "dor", "hal", "kin",
};
const char *const synth__brand2[] = {
	"vex", "ado", "ita", "ion", "ora", "ix", "una", "ent", "aro", "elle",
	"ico", "ux", "aza", "eon", "ira", "ost", "ana", "ero", "ium", "ava",
	"ola", "ina", "ard", "eto",
};

/* OCR-VQA books: title words (mixed radix, so titles are unique). */
const char *const synth__title_a[] = {
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
const char *const synth__title_b[] = {
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
const char *const synth__title_c[] = {
	"North", "Sea", "Past", "Future", "Heart", "Moon", "Sun", "Valley",
	"Desert", "Lake", "Coast", "Prairie", "Frontier", "Storm", "Harvest",
	"Dawn", "Dusk", "Night", "Island", "City", "Forest", "Garden", "Mind",
	"Soul", "World", "Earth", "Sky", "Wind", "Rain", "Fire", "Ice",
	"Road", "Bridge", "Market", "Empire", "Republic", "Cathedral",
	"Library", "Ocean", "Canyon", "Glacier", "Jungle", "Harbor", "Tower",
	"Village", "Machine", "Kitchen", "Mountain", "River", "Meadow",
};

const char *const synth__firstnames[] = {
	"James", "Mary", "Robert", "Linda", "Michael", "Sarah", "David",
	"Karen", "Daniel", "Laura", "Thomas", "Emily", "Richard", "Anna",
	"Charles", "Grace", "Peter", "Helen", "George", "Alice", "Samuel",
	"Julia", "Henry", "Rachel", "Martin", "Clara", "Oliver", "Nora",
	"Victor", "Elena", "Hugo", "Irene", "Leo", "Maya", "Oscar", "Rosa",
	"Felix", "Vera", "Simon", "Ada",
};
const char *const synth__lastnames[] = {
	"Smith", "Johnson", "Brown", "Garcia", "Miller", "Davis", "Wilson",
	"Moore", "Taylor", "Anderson", "Thomas", "Jackson", "White", "Harris",
	"Martin", "Thompson", "Clark", "Lewis", "Walker", "Hall", "Young",
	"King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson",
	"Hill", "Campbell", "Mitchell", "Carter", "Roberts", "Turner",
	"Phillips", "Parker", "Evans", "Edwards", "Collins", "Stewart",
	"Morris", "Rogers", "Reed", "Cook", "Morgan", "Bell", "Murphy",
	"Bailey", "Cooper", "Howard",
};

const char *const synth__genres[] = {
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

/* OK-VQA knowledge. */
const struct synth_fact synth__foods[] = {
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
const struct synth_fact synth__habitats[] = {
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
const struct synth_fact synth__sports[] = {
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
const char *const synth__classes[] = {
	"mammal", "bird", "fish", "amphibian", "reptile", "insect",
};
const struct synth_ifact synth__animals[] = {
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
const char *const synth__states[] = {"a solid", "a liquid", "a gas"};
const struct synth_ifact synth__substances[] = {
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
const struct synth_fact synth__capitals[] = {
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
const char *const synth__cap_prompts[] = {
	"Describe the image as simply as possible with a sentence or phrase.",
	"Give a brief summary of what you see.",
	"Provide a short description of the image.",
	"Write a short description for the image.",
	"Briefly describe the content of the image.",
};

const char *const synth__coco_caps[] = {
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
const char *const synth__flickr_caps[] = {
	"A %x in a %v %y is %z .",
	"A %x wearing a %v %y is %z .",
	"Two people are %z while a %x watches .",
	"A young %x %z .",
	"A %x in a %v %y is %z near a %M %N .",
	"A smiling %x is %z .",
};

/* %x modifier, %y product, %z Brand. */
const char *const synth__textcaps_caps[] = {
	"A %x %y with the brand %z written on it",
	"%z %y on a store shelf",
	"A %x %y that says %z on the label.",
	"A %y from %z next to a %C %N.",
	"The word %z is printed on a %x %y",
};

/* Shikra-style grounding: %x expression, %y box. */
const char *const synth__rec_tpl[] = {
	"Locate %x in <image> and provide its coordinates, please.",
	"<image>\nCan you point out %x in the image and give its coordinates?",
	"In <image>, where is %x? Answer with the bounding box coordinates.",
	"<image>\nPlease find %x and tell me its bounding box.",
	"Could you mark %x in the picture <image> with a bounding box?",
};
const char *const synth__reg_tpl[] = {
	"For the given image <image>, can you provide a unique description "
	    "of the area %y?",
	"<image>\nWhat is in the region %y? Describe it so that it can be "
	    "told apart from the other objects.",
	"In <image>, give a short, distinguishing description of the object "
	    "at %y.",
	"<image>\nProvide a unique referring expression for the region %y.",
	"Describe the area %y of <image> in a few words.",
};
const char *const synth__ref_expr[] = {
	"the %m %n", "the %c %n", "a %m %n %l", "the %c %m %n",
	"the %n next to the %N",
};

/* Sentences for descriptions and long answers. */
const char *const synth__sents[] = {
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
const struct synth_qa synth__conv_qa[] = {
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
const char *const synth__overview_q[] = {
	"Can you describe the overall scene in the image?",
	"What is happening in this image?",
	"Could you give me an overview of the scene?",
	"What do you notice first in this picture?",
};
const struct synth_qa synth__complex_qa[] = {
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
const char *const synth__llava_detail_q[] = {
	"Describe the following image.",
	"What do you see happening in this image?",
	"Can you elaborate on the elements of the picture provided?",
	"Explain the visual content of the image in great detail.",
	"What are the key elements in this image?",
	"Analyze the image in a comprehensive and detailed manner.",
	"Write a detailed description of the given image.",
	"What is this photo about?",
};
const char *const synth__svit_detail_q[] = {
	"Kindly provide a meticulous commentary on the image.",
	"Describe the image in detail.",
	"Give an elaborate explanation of the image you see.",
	"Could you provide a comprehensive description of the picture?",
	"Write an exhaustive depiction of the given image.",
};
const char *const synth__sci_instr[] = {
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
 * The later README's datasets.
 */

/* TextOCR-GPT4V: long captions; %x modifier, %y product, %z Brand. */
const char *const synth__textocr_caps[] = {
	"The image shows a %x %y with the word \"%z\" printed across it in "
	    "large letters.",
	"In this picture, a %x %y is the main subject; its label reads "
	    "\"%z\".",
	"A close-up photograph of a %x %y. The text \"%z\" is clearly "
	    "visible on its front.",
};

/* VGQA: short questions on Visual Genome (%M %N: another entity). */
const struct synth_qa synth__vgqa_qa[] = {
	{"Where is the %m %n?", "%l"},
	{"What is the %m %n made of?", "%t"},
	{"What is next to the %m %n?", "a %M %N"},
	{"What is the %m %n used for?", "%u"},
};

/* DocVQA: document kinds; %x kind, %y date, %z company, %v amount. */
const char *const synth__doc_kinds[] = {
	"letter", "invoice", "memo", "report", "form", "receipt",
};
const struct synth_qa synth__doc_qa[] = {
	{"What type of document is this?", "%x"},
	{"What is the date on this %x?", "%y"},
	{"Which company is named at the top of the %x?", "%z"},
	{"What is the total amount shown on the %x?", "%v"},
};

/* LLaVA-v1.5: short answers with its own suffix, and text-only chats
 * (%x: where the object is usually found). */
const struct synth_qa synth__llava15_short[] = {
	{"What color is the %m %n?", "%c"},
	{"What is the %m %n made of?", "%t"},
	{"How many %s are %l?", "%k"},
};
const struct synth_qa synth__llava15_text[] = {
	{"What is a %n usually used for?",
	    "A %n is usually used for %u. You will most often find one in a "
	    "%x."},
	{"Where would I usually find a %n?",
	    "A %n is usually found in a %x, where it is used for %u."},
	{"Can you tell me something about %s?",
	    "Sure. In general, %s are used for %u, and they are common in a "
	    "%x."},
};

/* ---------------------------------------------------------------------
 * The 17 items of example-byod.json, re-serialized compactly.  Each one
 * is in the pool at every scale: it replaces the generated item with its
 * ID, or, when this scale does not generate that ID, the last generated
 * item of its file.
 */
const struct synth_example synth__examples[] = {
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
_Static_assert(U_N == SYNTH_NUSE, "synth__uses");
_Static_assert(W_N == SYNTH_NWHERE, "synth__wheres");

#include "synth_tables.h"
