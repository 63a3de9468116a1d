/*
 * gen.c -- the train generator.
 *
 * A train is built wagon by wagon: each wagon carries one or two
 * containers (an empty one now and then), each loaded container carries
 * one consignment, and the requested number of goods items is spread over
 * the loaded containers.  Goods are drawn from a table of real HS codes
 * with shares close to what crosses Alashankou and Horgos -- machinery,
 * auto parts, electronics, textiles, fruit and vegetables (some without
 * their phytosanitary certificate), chemicals, some dangerous goods -- or,
 * for e-commerce trains, from small parcels.  Masses, values and seals
 * are consistent with each other.
 */
#include <stdio.h>
#include <string.h>

#include "gen.h"
#include "ident.h"
#include "util.h"
#include "value.h"

struct rng {
	uint64_t	s[4];
};

/* splitmix64: seeds the generator state from one number. */
static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t	z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
rng_seed(struct rng *r, uint64_t seed)
{
	int	i;

	for (i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static uint64_t
rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* xoshiro256**. */
static uint64_t
rng_next(struct rng *r)
{
	uint64_t	result = rotl(r->s[1] * 5, 7) * 9, t = r->s[1] << 17;

	r->s[2] ^= r->s[0];
	r->s[3] ^= r->s[1];
	r->s[1] ^= r->s[2];
	r->s[0] ^= r->s[3];
	r->s[2] ^= t;
	r->s[3] = rotl(r->s[3], 45);
	return result;
}

/* Uniform in [0, n). */
static uint64_t
rng_below(struct rng *r, uint64_t n)
{
	return n == 0 ? 0 : rng_next(r) % n;
}

/* True with probability pct percent. */
static bool
rng_pct(struct rng *r, unsigned pct)
{
	return rng_below(r, 100) < pct;
}

struct goods {
	const char	*hs;
	const char	*description;
	unsigned	 weight;	/* share, out of the table's total */
	unsigned	 kg_min, kg_max;	/* gross per item */
	unsigned	 usd_per_kg;
	const char	*package;
	const char	*doc;		/* document it normally carries */
	const char	*un;		/* dangerous goods */
};

static const struct goods freight[] = {
	{ "847130", "Portable automatic data processing machines", 8, 800, 4000, 60, "CS", "861", NULL },
	{ "842952", "Hydraulic excavator parts", 6, 3000, 12000, 9, "PK", "861", NULL },
	{ "848180", "Industrial valves and taps", 5, 1000, 6000, 12, "CS", NULL, NULL },
	{ "870840", "Auto parts: gearboxes", 8, 2000, 9000, 11, "PK", "861", NULL },
	{ "870899", "Auto parts: brake assemblies", 7, 1500, 7000, 10, "PK", NULL, NULL },
	{ "851713", "Mobile phones, smartphones", 6, 500, 2500, 210, "CT", "861", NULL },
	{ "854140", "Photovoltaic cells and modules", 6, 3000, 12000, 8, "PX", NULL, NULL },
	{ "852872", "Television receivers", 4, 1500, 6000, 25, "CT", NULL, NULL },
	{ "610910", "T-shirts of cotton, knitted", 5, 1000, 5000, 14, "BL", "861", NULL },
	{ "520512", "Cotton yarn, single, uncombed", 4, 4000, 15000, 3, "BL", NULL, NULL },
	{ "640399", "Footwear with leather uppers", 3, 800, 4000, 30, "CT", NULL, NULL },
	{ "080810", "Fresh apples", 4, 6000, 14000, 1, "CT", "851", NULL },
	{ "070310", "Onions and shallots, fresh", 3, 8000, 18000, 1, "BG", "851", NULL },
	{ "080610", "Fresh table grapes", 2, 5000, 12000, 2, "CT", "851", NULL },
	{ "081090", "Fresh durian and lychee", 2, 4000, 10000, 3, "CT", "851", NULL },
	{ "100199", "Wheat, other than durum", 3, 15000, 30000, 1, "BG", "851", NULL },
	{ "120190", "Soya beans", 2, 15000, 30000, 1, "BG", "851", NULL },
	{ "030489", "Frozen fish fillets", 1, 8000, 20000, 4, "CT", "853", NULL },
	{ "720221", "Ferro-silicon", 4, 15000, 26000, 2, "PE", "861", NULL },
	{ "740311", "Refined copper cathodes", 3, 15000, 26000, 9, "PE", "861", NULL },
	{ "260300", "Copper ores and concentrates", 2, 15000, 26000, 2, "PE", NULL, NULL },
	{ "390110", "Polyethylene granules", 3, 10000, 24000, 1, "BG", NULL, NULL },
	{ "283620", "Disodium carbonate", 2, 10000, 24000, 1, "BG", NULL, NULL },
	{ "950300", "Toys and scale models", 3, 500, 3000, 12, "CT", NULL, NULL },
	{ "940360", "Wooden furniture", 2, 1000, 5000, 6, "PK", NULL, NULL },
	{ "271019", "Lubricating oil, in drums", 1, 3000, 9000, 2, "DR", "890", "1202" },
	{ "360500", "Safety matches", 1, 500, 2000, 3, "CT", "890", "1944" },
	{ "280410", "Hydrogen in cylinders", 1, 1000, 4000, 5, "CY", "890", "1049" },
};

static const struct goods parcels[] = {
	{ "851713", "Smartphone", 15, 1, 3, 0, "PK", NULL, NULL },
	{ "610910", "Cotton T-shirt", 20, 1, 2, 0, "PK", NULL, NULL },
	{ "640399", "Leather shoes", 12, 1, 3, 0, "PK", NULL, NULL },
	{ "950300", "Toy set", 12, 1, 4, 0, "PK", NULL, NULL },
	{ "330499", "Cosmetics set", 10, 1, 2, 0, "PK", NULL, NULL },
	{ "847130", "Tablet computer", 8, 1, 3, 0, "PK", NULL, NULL },
	{ "420222", "Handbag", 10, 1, 2, 0, "PK", NULL, NULL },
	{ "852852", "Computer monitor", 6, 4, 9, 0, "PK", NULL, NULL },
	{ "901910", "Massage apparatus", 7, 1, 5, 0, "PK", NULL, NULL },
};

struct route {
	const char	*border, *departure, *destination;
	const char	*carrier_id, *carrier_name, *carrier_country;
	const char	*prefix;	/* train number letter */
};

static const struct route routes[] = {
	{ "CNAKA", "KZDOS", "CNXIA", "KZ-KTZE", "АО «Қазақстан темір жолы»", "KZ", "X" },
	{ "CNHGS", "KZALT", "CNLYG", "KZ-KTZE", "JSC Kazakhstan Temir Zholy", "KZ", "X" },
	{ "CNERL", "MNZUU", "CNTSN", "MN-UBTZ", "Улаанбаатар төмөр зам ХНН", "MN", "E" },
	{ "CNMZH", "RUZAB", "CNHRB", "RU-RZD", "ОАО «Российские железные дороги»", "RU", "M" },
	{ "CNPXG", "VNDDG", "CNNNG", "VN-VNR", "Tổng công ty Đường sắt Việt Nam", "VN", "P" },
};

static const char *const shippers_kz[] = {
	"ТОО «Жетысу Фрукт Экспорт»", "TOO Kostanay Grain", "ТОО «Павлодар Металл»",
	"Getriebe Nord GmbH", "Almaty Machinery Trade LLP", "ООО «Сибирь Логистик»",
	"Công ty TNHH Nông sản Lạng Sơn", "Erdenet Copper Trading LLC",
};
static const char *const receivers_cn[] = {
	"新疆阿拉山口物流有限公司", "Xinjiang Heavy Equipment Import Co.",
	"西安电子科技进出口有限公司", "Lianyungang Port Grain Terminal Co.",
	"广西凭祥农产品贸易有限公司", "内蒙古二连浩特有色金属有限公司",
	"Urumqi Fresh Produce Trading Co. Ltd", "成都国际铁路港供应链有限公司",
};
static const char *const origins[] = { "KZ", "CN", "DE", "RU", "VN", "MN", "UZ" };
static const char *const owners[] = { "CSQU", "MSKU", "TGHU", "CAIU", "BMOU",
    "TRHU", "CXDU", "FCIU", "TCNU", "SEGU" };
static const char *const wagon_types[] = { "Sgns", "Sgmmns", "Lgns", "Sgnss" };

/* Picks a goods line by its weight. */
static const struct goods *
pick_goods(struct rng *r, const struct goods *table, size_t n)
{
	unsigned	total = 0, x;
	size_t		i;

	for (i = 0; i < n; i++)
		total += table[i].weight;
	x = (unsigned)rng_below(r, total);
	for (i = 0; i < n; i++) {
		if (x < table[i].weight)
			return &table[i];
		x -= table[i].weight;
	}
	return &table[0];
}

/* A model string of a C string (a function: its argument is evaluated once). */
static const char *
S(struct manifest_train *t, const char *s)
{
	return manifest_str(t, s, strlen(s));
}

/* A UIC number: 2-digit type code, 9 serial digits, check digit. */
static const char *
wagon_number(struct manifest_train *t, struct rng *r, unsigned index)
{
	char	num[13];

	snprintf(num, sizeof num, "%02u%09llu", rng_pct(r, 70) ? 31u : 33u,
	    (unsigned long long)(rng_below(r, 900000) * 1000 + index % 1000));
	num[11] = (char)('0' + ident_uic_check_digit(num));
	num[12] = '\0';
	return S(t, num);
}

/* An ISO 6346 number: owner, U, serial, check digit. */
static const char *
container_number(struct manifest_train *t, struct rng *r, unsigned index)
{
	char	num[12];

	snprintf(num, sizeof num, "%s%06u", owners[rng_below(r, nitems(owners))],
	    (unsigned)((rng_below(r, 900) * 1000 + index % 1000) % 1000000));
	num[10] = (char)('0' + ident_iso6346_check_digit(num));
	num[11] = '\0';
	return S(t, num);
}

/* A party of a consignment. */
static void
make_party(struct manifest_train *t, struct rng *r, struct manifest_party *p,
    const char *const *names, size_t n, const char *country, bool aeo)
{
	char	id[24];
	size_t	k = rng_below(r, n);

	snprintf(id, sizeof id, "%s%012llu", country,
	    (unsigned long long)rng_below(r, 1000000000000ULL));
	p->id = S(t, id);
	p->name = S(t, names[k]);
	p->country = S(t, country);
	if (aeo) {
		snprintf(id, sizeof id, "%sAEO%07llu", country,
		    (unsigned long long)rng_below(r, 10000000));
		p->aeo = S(t, id);
	}
}

/* A goods item of line g, placed on c. */
static struct manifest_item *
make_item(struct manifest_train *t, struct rng *r, struct manifest_consignment *k,
    const struct goods *g, const struct manifest_container *c, bool parcel)
{
	struct manifest_item		*it = manifest_item_add(t, k);
	struct manifest_placement	*p;
	struct manifest_document	*d;
	char				 id[32];
	int64_t				 kg;

	it->seq = (uint32_t)k->nitems;
	it->hs = S(t, g->hs);
	it->description = S(t, g->description);
	kg = (int64_t)(g->kg_min + rng_below(r, g->kg_max - g->kg_min + 1));
	it->gross_kg = kg * MANIFEST_SCALE + (int64_t)rng_below(r, 10) * 100;
	it->net_kg = it->gross_kg - it->gross_kg / 20;
	it->packages = parcel ? 1 : (int64_t)(1 + kg / 500);
	it->package_type = S(t, g->package);
	if (parcel) {
		/* Most parcels are cheap; one in a hundred is not. */
		it->value = rng_pct(r, 1) ? (int64_t)(6000 + rng_below(r, 9000)) *
		    MANIFEST_SCALE : (int64_t)(20 + rng_below(r, 900)) * MANIFEST_SCALE;
		it->currency = S(t, "CNY");
	} else
		it->value = kg * g->usd_per_kg * MANIFEST_SCALE;
	it->origin = S(t, parcel ? "CN" : origins[rng_below(r, nitems(origins))]);
	if (g->un != NULL)
		it->un_number = S(t, g->un);
	/* Phytosanitary certificates go missing now and then. */
	if (g->doc != NULL && (strcmp(g->doc, "851") != 0 || rng_pct(r, 80))) {
		d = manifest_item_add_document(t, it);
		d->type = S(t, g->doc);
		snprintf(id, sizeof id, "%s-%s-%06llu", it->origin, g->doc,
		    (unsigned long long)rng_below(r, 1000000));
		d->id = S(t, id);
	}
	p = manifest_item_add_placement(t, it);
	p->equipment = c->number;
	p->packages = it->packages;
	return it;
}

/* The train's header: route, number, times, carrier. */
static void
make_header(struct manifest_train *t, struct rng *r, const struct gen_options *o)
{
	const struct route	*rt = &routes[rng_below(r, nitems(routes))];
	char			 s[64];
	int64_t			 base = value_time_from_civil(2026, 11, 22, 0, 0, 0);

	snprintf(s, sizeof s, "%s%04llu", rt->prefix,
	    (unsigned long long)(o->seed % 10000));
	t->id = S(t, s);
	t->direction = rng_pct(r, 85) ? MANIFEST_IMPORT : MANIFEST_EXPORT;
	t->border_station = S(t, rt->border);
	t->departure_station = S(t, rt->departure);
	t->destination_station = S(t, rt->destination);
	t->issued = base + (int64_t)rng_below(r, 86400 / 60) * 60;
	t->eta = t->issued + 3600 + (int64_t)rng_below(r, 240) * 60;
	t->carrier.id = S(t, rt->carrier_id);
	t->carrier.name = S(t, rt->carrier_name);
	t->carrier.country = S(t, rt->carrier_country);
	snprintf(s, sizeof s, "MF-2026-%06llu", (unsigned long long)(o->seed % 1000000));
	t->manifest_ref = S(t, s);
	t->function = MANIFEST_ORIGINAL;
}

/* A seal on an array via the model's constructors. */
static void
add_seal(struct manifest_train *t, struct rng *r, struct manifest_seal *s,
    const char *country, enum manifest_sealer by)
{
	char	num[24];

	snprintf(num, sizeof num, "%s%07llu", country,
	    (unsigned long long)rng_below(r, 10000000));
	s->number = S(t, num);
	s->sealed_by = by;
	s->condition = rng_pct(r, 1) ? MANIFEST_SEAL_DAMAGED : MANIFEST_SEAL_INTACT;
}

/* Wagons and containers; returns the loaded containers in *loaded. */
static size_t
make_equipment(struct manifest_train *t, struct rng *r, const struct gen_options *o,
    struct manifest_container ***loaded)
{
	struct manifest_container	**v;
	size_t				  n = 0, cap = (size_t)o->wagons * 2;
	unsigned			  i, k, nc, serial = 0;

	v = arena_alloc(t->arena, cap * sizeof *v);
	for (i = 0; i < o->wagons; i++) {
		struct manifest_wagon *w = manifest_wagon_add(t,
		    wagon_number(t, r, i));

		w->type = S(t, wagon_types[rng_below(r, nitems(wagon_types))]);
		w->tare_kg = (int64_t)(18000 + rng_below(r, 5000)) * MANIFEST_SCALE;
		if (rng_pct(r, 30))
			add_seal(t, r, manifest_wagon_add_seal(t, w),
			    t->carrier.country, MANIFEST_SEALER_CARRIER);
		nc = o->ecommerce || rng_pct(r, 45) ? 2 : 1;
		for (k = 0; k < nc; k++) {
			struct manifest_container *c = manifest_container_add(t, w,
			    container_number(t, r, serial++));

			c->size_type = S(t, nc == 2 ? "22G1" : rng_pct(r, 15) ?
			    "45R1" : "45G1");
			c->full = !(i > 0 && rng_pct(r, 4));
			c->gross_kg = (int64_t)(nc == 2 ? 2200 : 3800) * MANIFEST_SCALE;
			add_seal(t, r, manifest_container_add_seal(t, c),
			    t->carrier.country, MANIFEST_SEALER_CARRIER);
			if (rng_pct(r, 40))
				add_seal(t, r, manifest_container_add_seal(t, c),
				    "CN", MANIFEST_SEALER_CUSTOMS);
			if (c->full)
				v[n++] = c;
		}
	}
	*loaded = v;
	return n;
}

/* One consignment per loaded container, items spread evenly. */
static void
make_freight(struct manifest_train *t, struct rng *r, const struct gen_options *o,
    struct manifest_container **loaded, size_t n)
{
	uint64_t	left = o->items;
	size_t		i;

	for (i = 0; i < n && left > 0; i++) {
		struct manifest_consignment *k = manifest_consignment_add(t);
		uint64_t share = left / (n - i) + (rng_below(r, 3) == 0 &&
		    left / (n - i) > 1 ? 1 : 0);
		const struct goods *g = pick_goods(r, freight, nitems(freight));
		char ref[32];
		uint64_t j;

		if (share == 0)
			share = 1;
		if (share > left)
			share = left;
		snprintf(ref, sizeof ref, "SMGS %08llu",
		    (unsigned long long)(24000000 + rng_below(r, 1000000)));
		k->ref = S(t, ref);
		make_party(t, r, &k->consignor, shippers_kz, nitems(shippers_kz),
		    "KZ", false);
		make_party(t, r, &k->consignee, receivers_cn, nitems(receivers_cn),
		    "CN", rng_pct(r, 25));
		k->currency = S(t, "USD");
		k->value = 0;
		for (j = 0; j < share; j++) {
			struct manifest_item *it;

			/* Mostly one kind of goods per container, sometimes mixed. */
			if (j > 0 && rng_pct(r, 30))
				g = pick_goods(r, freight, nitems(freight));
			it = make_item(t, r, k, g, loaded[i], false);
			loaded[i]->gross_kg += it->gross_kg;
			k->value += it->value;
		}
		left -= share;
	}
}

/* Parcels in consignments of 50 to 400, over the loaded containers. */
static void
make_parcels(struct manifest_train *t, struct rng *r, const struct gen_options *o,
    struct manifest_container **loaded, size_t n)
{
	uint64_t	left = o->items, per_container = (o->items + n - 1) / n;
	size_t		i;

	for (i = 0; i < n && left > 0; i++) {
		uint64_t here = per_container < left ? per_container : left;

		left -= here;
		while (here > 0) {
			struct manifest_consignment *k = manifest_consignment_add(t);
			uint64_t size = 50 + rng_below(r, 351), j;
			char ref[32];

			if (size > here)
				size = here;
			snprintf(ref, sizeof ref, "CIM/EC %09llu",
			    (unsigned long long)rng_below(r, 1000000000));
			k->ref = S(t, ref);
			k->procedure = MANIFEST_PROC_ECOMMERCE;
			make_party(t, r, &k->consignor, receivers_cn,
			    nitems(receivers_cn), "CN", true);
			make_party(t, r, &k->consignee, shippers_kz,
			    nitems(shippers_kz), "KZ", false);
			k->currency = S(t, "CNY");
			k->value = 0;
			for (j = 0; j < size; j++) {
				struct manifest_item *it = make_item(t, r, k,
				    pick_goods(r, parcels, nitems(parcels)),
				    loaded[i], true);

				loaded[i]->gross_kg += it->gross_kg;
				k->value += it->value;
			}
			here -= size;
		}
	}
}

struct manifest_train *
gen_train(const struct gen_options *opt)
{
	struct gen_options		 o = *opt;
	struct manifest_train		*t = manifest_train_new();
	struct manifest_container	**loaded;
	struct rng			 r;
	size_t				 n;

	if (o.wagons == 0)
		o.wagons = 1;
	rng_seed(&r, o.seed);
	make_header(t, &r, &o);
	n = make_equipment(t, &r, &o, &loaded);
	if (o.ecommerce)
		make_parcels(t, &r, &o, loaded, n);
	else
		make_freight(t, &r, &o, loaded, n);
	manifest_train_finish(t);
	return t;
}
