/*
 * gen.c -- the train generator.
 *
 * A train is built wagon by wagon: each wagon carries one or two
 * containers (an empty one now and then) or, on a flat wagon, loose
 * goods; each loaded container or flat carries one consignment, and the
 * requested number of goods items is spread over them.  Everything lives
 * in the train's arena; the generator keeps no state between calls.
 * Goods are drawn from a table of real HS codes with shares close to what
 * crosses Alashankou and Horgos -- machinery, auto parts, electronics,
 * textiles, fruit and vegetables, chemicals, some dangerous goods -- or,
 * for e-commerce trains, from small parcels, each with the documents the
 * default rule set asks for.  Masses, values and seals are consistent
 * with each other.  Defects (a certificate left out, a damaged seal, a
 * listed party ...) come from the risk stream at the rates of the
 * options' struct gen_risk (gen_risk.c).
 */
#include <stdio.h>
#include <string.h>

#include "gen.h"
#include "gen_int.h"
#include "ident.h"
#include "util.h"
#include "value.h"

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
	{ "283620", "Disodium carbonate", 2, 10000, 24000, 1, "BG", "911", NULL },
	{ "950300", "Toys and scale models", 3, 500, 3000, 12, "CT", NULL, NULL },
	{ "940360", "Wooden furniture", 2, 1000, 5000, 6, "PK", NULL, NULL },
	{ "271019", "Lubricating oil, in drums", 1, 3000, 9000, 2, "DR", "890", "1202" },
	{ "360500", "Safety matches", 1, 500, 2000, 3, "CT", "890", "1944" },
	{ "280410", "Hydrogen in cylinders", 1, 1000, 4000, 5, "CY", "890", "1049" },
};

/* Loose goods on flat wagons, no container. */
static const struct goods loose[] = {
	{ "730630", "Welded steel pipes", 4, 8000, 20000, 1, "BE", "861", NULL },
	{ "440712", "Sawn coniferous timber", 3, 10000, 22000, 1, "BE", "851", NULL },
	{ "721049", "Galvanised steel sheet in coils", 3, 12000, 25000, 1, "CL", NULL, NULL },
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
	const char	*uic_country;	/* wagon keeper's UIC country code */
};

static const struct route routes[] = {
	{ "CNAKA", "KZDOS", "CNXIA", "KZ-KTZE", "АО «Қазақстан темір жолы»", "KZ", "X", "68" },
	{ "CNHGS", "KZALT", "CNLYG", "KZ-KTZE", "JSC Kazakhstan Temir Zholy", "KZ", "X", "68" },
	{ "CNERL", "MNZUU", "CNTSN", "MN-UBTZ", "Улаанбаатар төмөр зам ХНН", "MN", "E", "31" },
	{ "CNMZH", "RUZAB", "CNHRB", "RU-RZD", "ОАО «Российские железные дороги»", "RU", "M", "20" },
	{ "CNPXG", "VNDDG", "CNNNG", "VN-VNR", "Tổng công ty Đường sắt Việt Nam", "VN", "P", "32" },
};

/* Trading companies by country: Latin, Cyrillic, Chinese, Vietnamese. */
static const char *const names_kz[] = {
	"ТОО «Жетысу Фрукт Экспорт»", "TOO Kostanay Grain", "ТОО «Павлодар Металл»",
	"Almaty Machinery Trade LLP", "ТОО «Қазмыс Логистика»",
};
static const char *const names_ru[] = {
	"ООО «Сибирь Логистик»", "АО «Забайкальский лес»", "Getriebe Nord GmbH",
};
static const char *const names_mn[] = {
	"Erdenet Copper Trading LLC", "«Монгол Ноос» ХХК",
};
static const char *const names_vn[] = {
	"Công ty TNHH Nông sản Lạng Sơn", "Vietnam Fruit Export JSC",
};
static const char *const names_cn[] = {
	"新疆阿拉山口物流有限公司", "Xinjiang Heavy Equipment Import Co.",
	"西安电子科技进出口有限公司", "Lianyungang Port Grain Terminal Co.",
	"广西凭祥农产品贸易有限公司", "内蒙古二连浩特有色金属有限公司",
	"Urumqi Fresh Produce Trading Co. Ltd", "成都国际铁路港供应链有限公司",
};
static const char *const brokers_cn[] = {
	"阿拉山口中外运报关有限公司", "Horgos Customs Brokerage Co. Ltd",
	"凭祥市通关服务有限公司",
};
static const char *const origins[] = { "KZ", "CN", "DE", "RU", "VN", "MN", "UZ" };
static const char *const owners[] = { "CSQU", "MSKU", "TGHU", "CAIU", "BMOU",
    "TRHU", "CXDU", "FCIU", "TCNU", "SEGU" };

struct wagon_type {
	const char	*type;
	const char	*code;		/* UIC digits 1-2 */
	const char	*series;	/* UIC digits 5-6 */
	unsigned	 tare_min, tare_max;	/* kg */
};

/* Container wagons (and the flat wagon for loose goods, last). */
static const struct wagon_type wagon_types[] = {
	{ "Sgns", "31", "45", 19500, 20800 },
	{ "Sgmmns", "31", "45", 18500, 19900 },
	{ "Lgns", "21", "44", 10500, 11900 },
	{ "Sgnss", "31", "45", 20000, 21500 },
	{ "Rgs", "31", "39", 24000, 25500 },
};
#define GEN_FLAT_WAGON (nitems(wagon_types) - 1)

/* Where a consignment's goods go: a loaded container or a flat wagon. */
struct slot {
	const char			*equipment;	/* its number */
	struct manifest_container	*container;	/* NULL: loose on a wagon */
};

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

/*
 * A UIC number: type code, keeper's country, series, serial, check digit
 * (a wrong one when mistyped).  Serials step by a number prime to 10^5,
 * so no two wagons of a train (up to 100,000) share a number.
 */
static const char *
wagon_number(struct manifest_train *t, const struct wagon_type *wt,
    const char *country, uint64_t base, unsigned index, bool mistyped)
{
	char	num[13];

	snprintf(num, sizeof num, "%s%s%s%05llu", wt->code, country, wt->series,
	    (unsigned long long)((base + (uint64_t)index * 7919) % 100000));
	num[11] = (char)('0' + (ident_uic_check_digit(num) + mistyped) % 10);
	num[12] = '\0';
	return S(t, num);
}

/*
 * An ISO 6346 number: owner, U, serial (unique in the train), check digit
 * (a wrong one when mistyped).
 */
static const char *
container_number(struct manifest_train *t, struct rng *r, uint64_t base,
    unsigned index, bool mistyped)
{
	char	num[12];

	snprintf(num, sizeof num, "%s%06llu", owners[rng_below(r, nitems(owners))],
	    (unsigned long long)((base + (uint64_t)index * 7919) % 1000000));
	num[10] = (char)('0' + (ident_iso6346_check_digit(num) + mistyped) % 10);
	num[11] = '\0';
	return S(t, num);
}

/* A Chinese unified social credit code: 17 characters and the GB 32100 check. */
static void
uscc(struct rng *r, char out[19])
{
	static const char	 alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	static const unsigned	 weight[17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20,
				    29, 25, 13, 8, 24, 10, 30, 28 };
	unsigned		 sum = 0, i, v;

	out[0] = '9', out[1] = '1';	/* enterprise, company */
	snprintf(out + 2, 7, "%06llu", (unsigned long long)(650000 +
	    rng_below(r, 5000)));	/* a Xinjiang-style region code */
	for (i = 8; i < 17; i++)
		out[i] = alphabet[rng_below(r, 31)];
	for (i = 0; i < 17; i++) {
		v = (unsigned)(strchr(alphabet, out[i]) - alphabet);
		sum += v * weight[i];
	}
	out[17] = alphabet[(31 - sum % 31) % 31];
	out[18] = '\0';
}

/* The names of companies in country (two letters). */
static const char *const *
names_of(const char *country, size_t *n)
{
	if (strcmp(country, "CN") == 0)
		return *n = nitems(names_cn), names_cn;
	if (strcmp(country, "RU") == 0)
		return *n = nitems(names_ru), names_ru;
	if (strcmp(country, "MN") == 0)
		return *n = nitems(names_mn), names_mn;
	if (strcmp(country, "VN") == 0)
		return *n = nitems(names_vn), names_vn;
	return *n = nitems(names_kz), names_kz;
}

/*
 * A party in country: Chinese companies by their USCC, Kazakh ones by
 * their 12-digit BIN, others by a 10-digit tax number; names, when given,
 * replace the country's trading companies (customs brokers).
 */
static void
make_party(struct manifest_train *t, struct rng *r, struct manifest_party *p,
    const char *country, const char *const *names, size_t n, bool aeo)
{
	char	id[32];

	if (names == NULL)
		names = names_of(country, &n);
	if (strcmp(country, "CN") == 0)
		uscc(r, id);
	else
		snprintf(id, sizeof id, "%0*llu", strcmp(country, "KZ") == 0 ?
		    12 : 10, (unsigned long long)rng_below(r, 10000000000ULL));
	p->id = S(t, id);
	p->name = S(t, names[rng_below(r, n)]);
	p->country = S(t, country);
	if (aeo) {
		/* China's AEO codes are AEOCN + 10 digits; others alike. */
		snprintf(id, sizeof id, "AEO%s%010llu", country,
		    (unsigned long long)rng_below(r, 10000000000ULL));
		p->aeo = S(t, id);
	}
}

/*
 * A goods item of line g in the consignment's currency, placed on
 * equipment, at most about max_kg gross so that a container stays within
 * its permitted gross mass however many items share it.
 */
static struct manifest_item *
make_item(struct manifest_train *t, struct rng *r, struct manifest_consignment *k,
    const struct goods *g, const char *equipment, int64_t max_kg)
{
	bool				 parcel = g->usd_per_kg == 0;
	struct manifest_item		*it = manifest_item_add(t, k);
	struct manifest_placement	*p;
	struct manifest_document	*d;
	char				 id[32];
	int64_t				 kg;

	it->seq = (uint32_t)k->nitems;
	it->hs = S(t, g->hs);
	it->description = S(t, g->description);
	kg = (int64_t)(g->kg_min + rng_below(r, g->kg_max - g->kg_min + 1));
	if (kg > max_kg)
		kg = max_kg * (int64_t)(70 + rng_below(r, 31)) / 100;
	if (kg < 1)
		kg = 1;
	it->gross_kg = kg * MANIFEST_SCALE + (int64_t)rng_below(r, 10) * 100;
	it->net_kg = it->gross_kg - it->gross_kg / 20;
	it->packages = parcel ? 1 : (int64_t)(1 + kg / 500);
	it->package_type = S(t, g->package);
	if (parcel) {
		/* Parcels are cheap; the expensive one is a defect (value). */
		it->value = (int64_t)(20 + rng_below(r, 900)) * MANIFEST_SCALE;
		/* Parcel prices are set in CNY; cents at most in other currencies. */
		if (strcmp(k->currency, "CNY") != 0)
			it->value = it->value * gen_rate_of(k->currency) / 7100 / 10 * 10;
	} else
		it->value = kg * g->usd_per_kg * gen_rate_of(k->currency);
	it->currency = k->currency;
	it->origin = S(t, parcel ? "CN" : origins[rng_below(r, nitems(origins))]);
	if (g->un != NULL)
		it->un_number = S(t, g->un);
	/* Declared: a missing certificate is a defect (doc, gen_risk.c). */
	if (g->doc != NULL) {
		d = manifest_item_add_document(t, it);
		d->type = S(t, g->doc);
		snprintf(id, sizeof id, "%s-%s-%06llu", it->origin, g->doc,
		    (unsigned long long)rng_below(r, 1000000));
		d->id = S(t, id);
	}
	p = manifest_item_add_placement(t, it);
	manifest_placement_set_number(p, equipment);
	p->packages = it->packages;
	return it;
}

/* The train's header: route, number, times, carrier. */
static const struct route *
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
	return rt;
}

/* A seal, intact, via the model's constructors. */
static void
add_seal(struct manifest_train *t, struct rng *r, struct manifest_seal *s,
    const char *country, enum manifest_sealer by)
{
	char	num[24];

	snprintf(num, sizeof num, "%s%07llu", country,
	    (unsigned long long)rng_below(r, 10000000));
	s->number = S(t, num);
	s->sealed_by = by;
	s->condition = MANIFEST_SEAL_INTACT;
}

/* Where the equipment being built goes, and the risk it draws from. */
struct equipment {
	const struct gen_options	*o;
	struct gen_draw			*d;
	uint64_t			 cbase;		/* container serials */
	unsigned			 serial;	/* containers so far */
	struct slot			*v;		/* loaded ones */
	size_t				 n;
};

/*
 * Containers of wagon w (position i): one 40/45-foot or two 20-foot,
 * loaded ones to e's slots.  Each draws a mistyped number, a damaged
 * seal and, when empty, a heavy load (the risk stream, three draws).
 */
static void
make_containers(struct manifest_train *t, struct rng *r, struct equipment *e,
    struct manifest_wagon *w, unsigned i)
{
	unsigned	k, nc = e->o->ecommerce || rng_pct(r, 45) ? 2 : 1;
	unsigned	pick;

	for (k = 0; k < nc; k++) {
		bool mistyped = gen_draw(e->d, GEN_RISK_CHECK_DIGIT);
		struct manifest_container *c = manifest_container_add(t, w,
		    container_number(t, r, e->cbase, e->serial++, mistyped));

		pick = (unsigned)rng_below(r, 100);
		c->size_type = S(t, nc == 2 ? "22G1" : pick < 15 ? "45R1" :
		    pick < 45 ? "42G1" : "45G1");
		c->full = !(i > 0 && rng_pct(r, 4));
		c->gross_kg = (int64_t)(nc == 2 ? 2200 : 3800) * MANIFEST_SCALE;
		add_seal(t, r, manifest_container_add_seal(t, c),
		    t->carrier.country, MANIFEST_SEALER_CARRIER);
		if (rng_pct(r, 40))
			add_seal(t, r, manifest_container_add_seal(t, c),
			    "CN", MANIFEST_SEALER_CUSTOMS);
		if (gen_draw(e->d, GEN_RISK_SEAL))
			c->seals[0].condition = MANIFEST_SEAL_DAMAGED;
		/* Declared empty, yet 6 to 18 t of something inside. */
		if (gen_draw(e->d, GEN_RISK_EMPTY) && !c->full)
			c->gross_kg += (int64_t)(6000 + e->serial * 7919 % 12000) *
			    MANIFEST_SCALE;
		if (c->full) {
			e->v[e->n].equipment = c->number;
			e->v[e->n++].container = c;
		}
	}
}

/* Wagons and containers; returns the slots goods can go to in *slots. */
static size_t
make_equipment(struct manifest_train *t, struct rng *r, struct gen_draw *d,
    const struct gen_options *o, const struct route *rt, struct slot **slots)
{
	struct equipment e = { o, d, 0, 0, NULL, 0 };
	unsigned	 i;
	uint64_t	 wbase = rng_below(r, 100000);

	e.cbase = rng_below(r, 1000000);
	e.v = arena_alloc(t->arena, (size_t)o->wagons * 2 * sizeof *e.v);
	for (i = 0; i < o->wagons; i++) {
		/* One wagon in twenty of a freight train is a flat with loose goods. */
		bool flat = !o->ecommerce && i > 0 && rng_pct(r, 5);
		bool mistyped = flat && gen_draw(d, GEN_RISK_CHECK_DIGIT);
		const struct wagon_type *wt = &wagon_types[flat ? GEN_FLAT_WAGON :
		    rng_below(r, GEN_FLAT_WAGON)];
		struct manifest_wagon *w = manifest_wagon_add(t, wagon_number(t,
		    wt, rng_pct(r, 80) ? rt->uic_country : "33", wbase, i,
		    mistyped));

		w->type = S(t, wt->type);
		w->tare_kg = (int64_t)(wt->tare_min + rng_below(r,
		    wt->tare_max - wt->tare_min + 1)) * MANIFEST_SCALE;
		if (flat || rng_pct(r, 30))
			add_seal(t, r, manifest_wagon_add_seal(t, w),
			    t->carrier.country, MANIFEST_SEALER_CARRIER);
		if (flat && gen_draw(d, GEN_RISK_SEAL))
			w->seals[0].condition = MANIFEST_SEAL_DAMAGED;
		if (flat) {
			e.v[e.n].equipment = w->number;
			e.v[e.n++].container = NULL;
		} else
			make_containers(t, r, &e, w, i);
	}
	*slots = e.v;
	return e.n;
}

/* Payload in kg a slot takes: a 20-foot box 21 t, a 40/45-foot 26 t, a flat 60 t. */
static int64_t
payload_kg(const struct slot *sl)
{
	if (sl->container == NULL)
		return 60000;
	return sl->container->size_type[0] == '2' ? 21000 : 26000;
}

/* The mass of each of n items sharing a slot's payload. */
static int64_t
payload_share_kg(const struct slot *sl, uint64_t n)
{
	return n == 0 ? 0 : payload_kg(sl) / (int64_t)n;
}

/* A consignment's currency: mostly USD, EUR for some, CNY for some. */
static const char *
pick_currency(struct rng *r)
{
	unsigned	x = (unsigned)rng_below(r, 100);

	return x < 75 ? "USD" : x < 87 ? "CNY" : "EUR";
}

/* Consignor, consignee and (often) a customs broker as declarant. */
static void
make_parties(struct manifest_train *t, struct rng *r,
    struct manifest_consignment *k, const struct route *rt)
{
	const char	*foreign = rt->carrier_country;
	bool		 imp = t->direction != MANIFEST_EXPORT;

	make_party(t, r, &k->consignor, imp ? foreign : "CN", NULL, 0,
	    rng_pct(r, 15));
	make_party(t, r, &k->consignee, imp ? "CN" : foreign, NULL, 0,
	    rng_pct(r, 25));
	if (rng_pct(r, 60))
		make_party(t, r, &k->declarant, "CN", brokers_cn,
		    nitems(brokers_cn), rng_pct(r, 50));
}

/* One consignment per slot, items spread evenly. */
static void
make_freight(struct manifest_train *t, struct rng *r, struct gen_draw *d,
    const struct gen_options *o, const struct route *rt, struct slot *slots,
    size_t n)
{
	uint64_t	left = o->items;
	size_t		i;

	for (i = 0; i < n && left > 0; i++) {
		struct manifest_consignment *k = manifest_consignment_add(t);
		uint64_t share = left / (n - i) + (rng_below(r, 3) == 0 &&
		    left / (n - i) > 1 ? 1 : 0);
		bool is_loose = slots[i].container == NULL;
		const struct goods *table = is_loose ? loose : freight;
		size_t ntable = is_loose ? nitems(loose) : nitems(freight);
		const struct goods *g = pick_goods(r, table, ntable);
		char ref[32];
		uint64_t j;
		int64_t each_kg;

		/* At least one item, never more than are left (left > 0). */
		share = share < 1 ? 1 : share > left ? left : share;
		snprintf(ref, sizeof ref, "SMGS %08llu",
		    (unsigned long long)(24000000 + rng_below(r, 1000000)));
		k->ref = S(t, ref);
		make_parties(t, r, k, rt);
		/* Now and then goods cross China in transit (to Vietnam, say). */
		if (rng_pct(r, 5))
			k->procedure = MANIFEST_PROC_TRANSIT;
		k->currency = S(t, pick_currency(r));
		k->value = 0;
		each_kg = payload_share_kg(&slots[i], share);
		for (j = 0; j < share; j++) {
			struct manifest_item *it;

			/* Mostly one kind of goods per container, sometimes mixed. */
			if (j > 0 && rng_pct(r, 30))
				g = pick_goods(r, table, ntable);
			it = make_item(t, r, k, g, slots[i].equipment, each_kg);
			if (slots[i].container != NULL)
				slots[i].container->gross_kg += it->gross_kg;
			k->value += it->value;
		}
		gen_risk_consignment(t, d, k);
		left -= share;
	}
}

/*
 * The k-th distinct person's name: surname, first name and patronymic
 * initial, in Cyrillic (four in five) or Latin letters, by mixed radix
 * of k so that k < 20 * 10 * 40 * 30 * 2 names are all different.
 */
static void
person_name(uint64_t k, char *out, size_t len)
{
	static const char *const cy_root[] = { "Ахмет", "Бекмурат", "Жумаб",
	    "Кенжеб", "Нурл", "Серик", "Тулеген", "Ермек", "Иван", "Петр",
	    "Смирн", "Кузнец", "Соколь", "Попл", "Лебед", "Морозь", "Волк",
	    "Орл", "Сагынб", "Абдулл" };
	static const char *const cy_suf[] = { "ов", "ев", "ин", "енко",
	    "аев", "улы", "ский", "ович", "ко", "бай" };
	static const char *const cy_first[] = { "Ерлан", "Айгуль", "Данияр",
	    "Асель", "Нурлан", "Жанар", "Бауыржан", "Динара", "Марат",
	    "Алия", "Сергей", "Ольга", "Андрей", "Наталья", "Дмитрий",
	    "Елена", "Арман", "Гульнара", "Тимур", "Мадина", "Руслан",
	    "Светлана", "Ержан", "Камила", "Азамат", "Ирина", "Максим",
	    "Анна", "Берик", "Сауле", "Алексей", "Татьяна", "Канат",
	    "Асем", "Виктор", "Мария", "Даурен", "Жулдыз", "Олжас",
	    "Айжан" };
	static const char *const cy_init[] = { "А", "Б", "В", "Г", "Д", "Е",
	    "Ж", "З", "И", "К", "Л", "М", "Н", "О", "П", "Р", "С", "Т", "У",
	    "Ф", "Х", "Ш", "Э", "Ю", "Я", "Ә", "Қ", "Ө", "Ұ", "Ү" };
	static const char *const la_root[] = { "Akhmet", "Bekmurat", "Zhumab",
	    "Kenzheb", "Nurl", "Serik", "Tulegen", "Ermek", "Ivan", "Petr",
	    "Smirn", "Kuznets", "Sokol", "Popl", "Lebed", "Moroz", "Volk",
	    "Orl", "Sagynb", "Abdull" };
	static const char *const la_suf[] = { "ov", "ev", "in", "enko",
	    "aev", "uly", "skiy", "ovich", "ko", "bay" };
	static const char *const la_first[] = { "Erlan", "Aigul", "Daniyar",
	    "Assel", "Nurlan", "Zhanar", "Baurzhan", "Dinara", "Marat",
	    "Aliya", "Sergey", "Olga", "Andrey", "Natalya", "Dmitry",
	    "Elena", "Arman", "Gulnara", "Timur", "Madina", "Ruslan",
	    "Svetlana", "Erzhan", "Kamila", "Azamat", "Irina", "Maksim",
	    "Anna", "Berik", "Saule", "Aleksey", "Tatyana", "Kanat",
	    "Asem", "Viktor", "Mariya", "Dauren", "Zhuldyz", "Olzhas",
	    "Aizhan" };
	static const char la_init[] = "ABVGDEZIKLMNOPRSTUFHSEYYAKOUUX";
	size_t	root = k % 20, suf = k / 20 % 10, first = k / 200 % 40,
		init = k / 8000 % 30;
	bool	latin = k / 240000 % 2 == 1 || k % 5 == 4;

	if (latin)
		snprintf(out, len, "%s%s %s %c.", la_root[root], la_suf[suf],
		    la_first[first], la_init[init]);
	else
		snprintf(out, len, "%s%s %s %s.", cy_root[root], cy_suf[suf],
		    cy_first[first], cy_init[init]);
}

/*
 * Parcels to o->consignees distinct persons: consignments of 1 to about
 * twice items/consignees parcels, the k-th to the k-th person.
 */
static void
make_person_parcels(struct manifest_train *t, struct rng *r, struct gen_draw *d,
    const struct gen_options *o, struct slot *slots, size_t n)
{
	uint64_t	total = o->items, avg = o->items / o->consignees, k = 0;
	uint64_t	per_container = (o->items + n - 1) / n, here, size, j;
	size_t		i;
	char		ref[32], name[96];

	if (avg == 0)
		avg = 1;
	for (i = 0; i < n && total > 0; i++) {
		here = per_container < total ? per_container : total;
		total -= here;
		for (; here > 0; here -= size) {
			struct manifest_consignment *cs = manifest_consignment_add(t);

			size = 1 + rng_below(r, 2 * avg - 1);
			if (size > here)
				size = here;
			snprintf(ref, sizeof ref, "CIM/EC %09llu",
			    (unsigned long long)rng_below(r, 1000000000));
			cs->ref = S(t, ref);
			cs->procedure = MANIFEST_PROC_ECOMMERCE;
			make_party(t, r, &cs->consignor, "CN", NULL, 0, true);
			person_name(k++ % o->consignees, name, sizeof name);
			cs->consignee.name = S(t, name);
			cs->consignee.country = t->carrier.country;
			cs->currency = S(t, "CNY");
			for (j = 0; j < size; j++) {
				struct manifest_item *it = make_item(t, r, cs,
				    pick_goods(r, parcels, nitems(parcels)),
				    slots[i].equipment, payload_kg(&slots[i]) /
				    (int64_t)per_container);

				slots[i].container->gross_kg += it->gross_kg;
				cs->value += it->value;
			}
			gen_risk_consignment(t, d, cs);
		}
	}
}

/* Parcels in consignments of 50 to 400, over the loaded containers. */
static void
make_parcels(struct manifest_train *t, struct rng *r, struct gen_draw *d,
    const struct gen_options *o, struct slot *slots, size_t n)
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
			make_party(t, r, &k->consignor, "CN", NULL, 0, true);
			make_party(t, r, &k->consignee, t->carrier.country, NULL,
			    0, false);
			k->currency = S(t, rng_pct(r, 80) ? "CNY" : "USD");
			k->value = 0;
			for (j = 0; j < size; j++) {
				struct manifest_item *it = make_item(t, r, k,
				    pick_goods(r, parcels, nitems(parcels)),
				    slots[i].equipment, payload_kg(&slots[i]) /
				    (int64_t)per_container);

				slots[i].container->gross_kg += it->gross_kg;
				k->value += it->value;
			}
			gen_risk_consignment(t, d, k);
			here -= size;
		}
	}
}

/* S10 serials: 26 x 26 two-letter prefixes of 10^8 serial numbers each. */
#define GEN_S10_SPACE	(676ULL * 100000000ULL)

/*
 * The UPU S10 tracking number of serial v (< GEN_S10_SPACE): two letters,
 * eight digits, the check digit (weights 8 6 4 2 3 5 9 7; 11 - sum mod
 * 11, 10 giving 0 and 11 giving 5), the country of posting "CN".
 */
static void
s10_format(uint64_t v, char out[14])
{
	static const unsigned	weight[8] = { 8, 6, 4, 2, 3, 5, 9, 7 };
	uint64_t		serial = v % 100000000ULL, prefix = v / 100000000ULL;
	unsigned		i, sum = 0, check;

	snprintf(out, 14, "%c%c%08llu", (char)('A' + prefix / 26),
	    (char)('A' + prefix % 26), (unsigned long long)serial);
	for (i = 0; i < 8; i++)
		sum += (unsigned)(out[2 + i] - '0') * weight[i];
	check = 11 - sum % 11;
	check = check == 10 ? 0 : check == 11 ? 5 : check;
	out[10] = (char)('0' + check);
	memcpy(out + 11, "CN", 3);
}

/*
 * Gives every item of an e-commerce consignment a tracking number: the
 * n-th parcel of the train the serial (a * n + b) mod GEN_S10_SPACE, a
 * bijection (a is prime to 2, 5 and 13, the space's factors) seeded from
 * the seed alone.  So the numbers are unique without a lookup, the same
 * for a seed, and the train's random streams are never drawn: the goods
 * stay what they were without tracking numbers.
 */
static void
make_tracking(struct manifest_train *t, uint64_t seed)
{
	uint64_t	x = seed ^ 0x7472616b696e6721ULL, a, b, n = 0;
	size_t		i, j;
	char		no[14];

	a = splitmix64(&x) % GEN_S10_SPACE | 1;
	while (a % 5 == 0 || a % 13 == 0)
		a += 2;
	b = splitmix64(&x) % GEN_S10_SPACE;
	for (i = 0; i < t->nconsignments; i++) {
		struct manifest_consignment *c = t->consignments[i];

		if (c->procedure != MANIFEST_PROC_ECOMMERCE)
			continue;
		for (j = 0; j < c->nitems; j++, n++) {
			s10_format((uint64_t)(((unsigned __int128)a * n + b) %
			    GEN_S10_SPACE), no);
			c->items[j]->tracking = manifest_str(t, no, strlen(no));
		}
	}
}

/* The train for opt (see gen.h). */
struct manifest_train *
gen_train(const struct gen_options *opt)
{
	struct gen_options	 o = *opt;
	struct manifest_train	*t = manifest_train_new();
	const struct route	*rt;
	struct slot		*slots;
	struct rng		 r;
	struct gen_risk		 defaults;
	struct gen_draw		 d;
	size_t			 n;

	if (o.wagons == 0)
		o.wagons = 1;
	if (o.risk == NULL) {
		gen_risk_default(&defaults);
		o.risk = &defaults;
	}
	rng_seed(&r, o.seed);
	/* The risk stream: its own seed, so --risk moves only the defects. */
	rng_seed(&d.rng, o.seed ^ 0x7269736b7269736bULL);
	d.risk = o.risk;
	rt = make_header(t, &r, &o);
	n = make_equipment(t, &r, &d, &o, rt, &slots);
	if (o.ecommerce && o.consignees > 0)
		make_person_parcels(t, &r, &d, &o, slots, n);
	else if (o.ecommerce)
		make_parcels(t, &r, &d, &o, slots, n);
	else
		make_freight(t, &r, &d, &o, rt, slots, n);
	make_tracking(t, o.seed);
	manifest_train_finish(t);
	return t;
}
