/*
 * gen_risk.c -- the kinds of risk a generated train carries: their
 * names, default rates and --risk syntax, and the defects they put on a
 * consignment.
 *
 * A clean consignment declares everything etc/rules/default asks of its
 * goods (a phytosanitary or veterinary certificate, a dangerous goods
 * declaration) and has no party on the sanctions list; a defect turns
 * one goods item into goods that draw the rule (a certificate left out,
 * drones without a licence, R-22 refrigerant), or the consignor into a
 * listed party.  The goods and names here are chosen against that rule
 * set and its lists (tests/unit/test_gen_risk.c evaluates them): a
 * changed list that no longer matches shows there, not in a demo.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gen_int.h"
#include "util.h"

/* A kind of risk: its name, what it draws, and its default share. */
struct risk_kind {
	const char	*name;
	const char	*about;
	uint32_t	 share;		/* default, in millionths */
};

/* In enum gen_risk_kind order. */
static const struct risk_kind kinds[GEN_RISK_COUNT] = {
	{ "doc", "DOC_CHECK  phyto, veterinary: no certificate 851/853 "
	    "(of consignments)", 30000 },
	{ "value", "DOC_CHECK  ecommerce-value: a parcel over 5,000 CNY "
	    "(of e-commerce consignments)", 30000 },
	{ "seal", "INSPECT    seal-mismatch: a damaged seal (of containers "
	    "and flat wagons)", 5000 },
	{ "empty", "INSPECT    empty-container: declared empty, over 5 t (of "
	    "empty containers)", 20000 },
	{ "dangerous", "INSPECT    dangerous-goods: a UN number, no "
	    "declaration 890 (of consignments)", 3000 },
	{ "sanction", "HOLD       sanctions: a party on the sanctions list "
	    "(of consignments)", 3000 },
	{ "licence", "HOLD       licence: licensed goods, no licence 911 (of "
	    "consignments)", 2000 },
	{ "prohibited", "REFUSE     prohibited: goods on the prohibited list "
	    "(of consignments)", 1000 },
	{ "check-digit", "HOLD train blocking-diagnostic: a mistyped number "
	    "(of containers and flat wagons)", 0 },
};

/* Goods that need a certificate, declared without it. */
static const struct goods doc_goods[] = {
	{ "080810", "Fresh apples", 1, 0, 0, 1, "CT", "851", NULL },
	{ "070310", "Onions and shallots, fresh", 1, 0, 0, 1, "BG", "851", NULL },
	{ "120190", "Soya beans", 1, 0, 0, 1, "BG", "851", NULL },
	{ "030489", "Frozen fish fillets", 1, 0, 0, 4, "CT", "853", NULL },
};
static const struct goods doc_parcels[] = {
	{ "081350", "Dried fruit and nut mix", 1, 0, 0, 0, "PK", "851", NULL },
	{ "040690", "Cheese", 1, 0, 0, 0, "PK", "853", NULL },
};
/* Dangerous goods without their declaration (never UN 0001-0500: those
 * are explosives, a licence case). */
static const struct goods dangerous_goods[] = {
	{ "271019", "Lubricating oil, in drums", 1, 0, 0, 2, "DR", "890", "1202" },
	{ "360500", "Safety matches", 1, 0, 0, 3, "CT", "890", "1944" },
	{ "280410", "Hydrogen in cylinders", 1, 0, 0, 5, "CY", "890", "1049" },
};
static const struct goods dangerous_parcels[] = {
	{ "850650", "Lithium metal batteries", 1, 0, 0, 0, "PK", "890", "3090" },
};
/* On etc/rules/default/lists/licensed-hs.txt, without licence 911. */
static const struct goods licence_goods[] = {
	{ "880600", "Unmanned aircraft (civil drones)", 1, 0, 0, 400, "CT", "911", NULL },
	{ "930320", "Hunting rifles", 1, 0, 0, 300, "CS", "911", NULL },
};
/* On etc/rules/default/lists/prohibited-hs.txt. */
static const struct goods prohibited_goods[] = {
	{ "290371", "Chlorodifluoromethane (R-22) refrigerant", 1, 0, 0, 4, "CY", NULL, NULL },
	{ "852849", "Used CRT monitors", 1, 0, 0, 1, "PX", NULL, NULL },
	{ "970600", "Antiques over 100 years old", 1, 0, 0, 90, "CS", NULL, NULL },
};
static const struct goods prohibited_parcels[] = {
	{ "050710", "Ivory carving", 1, 0, 0, 0, "PK", NULL, NULL },
};

/* Names on etc/rules/default/lists/sanctioned-parties.txt, by country. */
struct listed {
	const char	*country;	/* NULL: an entry of no country */
	const char	*name;
};
static const struct listed listed[] = {
	{ "KZ", "Timur Trading House" }, { "KZ", "Тимур Трейдинг Хаус" },
	{ "KZ", "ТОО Восточная Звезда" }, { "KZ", "Zhetysu Arms Supply" },
	{ "CN", "红星机械进出口有限公司" }, { "CN", "Dalian Ocean Harvest Co Ltd" },
	{ "RU", "Vympel Technologies" }, { "RU", "Северный Путь Логистик ООО" },
	{ "VN", "Hanoi Lotus Chemical Trading" },
	{ "VN", "Công ty Hoa Sen Hóa Chất" },
	{ NULL, "Golden Crescent Import Export" },
	{ NULL, "Arctic Route Logistics" },
};

/* The default rates (see gen.h). */
void
gen_risk_default(struct gen_risk *r)
{
	size_t	i;

	for (i = 0; i < GEN_RISK_COUNT; i++)
		r->share[i] = kinds[i].share;
}

/* No defect at all (see gen.h). */
void
gen_risk_clean(struct gen_risk *r)
{
	memset(r, 0, sizeof *r);
}

/* A kind's name (see gen.h). */
const char *
gen_risk_name(enum gen_risk_kind k)
{
	return (unsigned)k < GEN_RISK_COUNT ? kinds[k].name : NULL;
}

/* What a kind draws (see gen.h). */
const char *
gen_risk_about(enum gen_risk_kind k)
{
	return (unsigned)k < GEN_RISK_COUNT ? kinds[k].about : NULL;
}

/* The share written at s (to its end), in millionths; -1: not one. */
static long
parse_share(const char *s)
{
	char	*end;
	double	 v;

	if (*s == '\0' || strpbrk(s, "xXpP") != NULL)
		return -1;	/* no hex float */
	v = strtod(s, &end);
	if (*end != '\0' || !isfinite(v))
		return -1;
	if (v < 0 || v > 1)
		return -2;
	return lround(v * GEN_RISK_ONE);
}

/* The kind named by the n bytes at s; -1: none. */
static int
kind_of(const char *s, size_t n)
{
	size_t	i;

	for (i = 0; i < GEN_RISK_COUNT; i++)
		if (strlen(kinds[i].name) == n && memcmp(kinds[i].name, s, n) == 0)
			return (int)i;
	return -1;
}

/* "doc, value, ..." (owned by the caller). */
static char *
kind_names(void)
{
	struct buf	b = { 0 };
	size_t		i;

	for (i = 0; i < GEN_RISK_COUNT; i++)
		buf_printf(&b, "%s%s", i > 0 ? ", " : "", kinds[i].name);
	return buf_steal(&b, NULL);
}

/* Applies one part (KIND=SHARE or SHARE) to r; 0, or -1 with *cause. */
static int
parse_part(struct gen_risk *r, const char *part, char **cause)
{
	const char	*eq = strchr(part, '=');
	long		 v = parse_share(eq != NULL ? eq + 1 : part);
	int		 k = eq != NULL ? kind_of(part, (size_t)(eq - part)) : -1;
	size_t		 i;
	char		*names;

	if (eq != NULL && k < 0) {
		names = kind_names();
		*cause = xasprintf("\"%s\" names no kind of risk (%s)", part, names);
		free(names);
		return -1;
	}
	if (v == -2) {
		*cause = xasprintf("\"%s\" share must be from 0 to 1", part);
		return -1;
	}
	if (v < 0) {
		*cause = xasprintf(eq != NULL ? "\"%s\" share must be a number "
		    "from 0 to 1" : "\"%s\" is not KIND=SHARE or SHARE", part);
		return -1;
	}
	if (k >= 0)
		r->share[k] = (uint32_t)v;
	else
		for (i = 0; i < GEN_RISK_COUNT; i++)
			r->share[i] = (uint32_t)v;
	return 0;
}

/* Parses one --risk argument (see gen.h). */
int
gen_risk_parse(struct gen_risk *r, const char *arg, char **cause)
{
	struct gen_risk	 next = *r;
	char		*copy = xstrdup(arg), *part, *save = NULL;
	int		 rc = 0;

	if (*arg == '\0' || arg[strlen(arg) - 1] == ',' || strstr(arg, ",,") != NULL
	    || *arg == ',') {
		*cause = xasprintf("\"%s\" is not KIND=SHARE[,KIND=SHARE...]", arg);
		free(copy);
		return -1;
	}
	for (part = strtok_r(copy, ",", &save); part != NULL && rc == 0;
	    part = strtok_r(NULL, ",", &save))
		rc = parse_part(&next, part, cause);
	free(copy);
	if (rc == 0)
		*r = next;
	return rc;
}

/* An index below n not yet in used[0..nused), when n allows. */
static size_t
pick_item(struct gen_draw *d, size_t n, const size_t *used, size_t nused)
{
	size_t	j = (size_t)rng_below(&d->rng, n), tries, u;

	for (tries = 0; tries < n; tries++, j = (j + 1) % n) {
		for (u = 0; u < nused && used[u] != j; u++)
			;
		if (u == nused)
			break;
	}
	return j;
}

/* True when item it's goods need a certificate under the default rules. */
static bool
needs_certificate(const struct manifest_item *it)
{
	int	chap = (it->hs[0] - '0') * 10 + (it->hs[1] - '0');

	return (chap >= 1 && chap <= 8) || chap == 10 || chap == 12;
}

/* Turns item it of k into goods g, declared with no document. */
static void
convert(struct manifest_train *t, struct manifest_consignment *k,
    struct manifest_item *it, const struct goods *g)
{
	int64_t	old = it->value;

	it->hs = manifest_str(t, g->hs, strlen(g->hs));
	it->description = manifest_str(t, g->description,
	    strlen(g->description));
	it->package_type = manifest_str(t, g->package, strlen(g->package));
	it->un_number = g->un != NULL ? manifest_str(t, g->un, strlen(g->un)) :
	    NULL;
	it->ndocuments = 0;
	if (g->usd_per_kg > 0)
		it->value = it->gross_kg / MANIFEST_SCALE * g->usd_per_kg *
		    gen_rate_of(k->currency);
	k->value += it->value - old;
}

/* A parcel of k worth 6,000 to 14,999 CNY, in k's currency. */
static void
expensive(struct gen_draw *d, struct manifest_consignment *k,
    struct manifest_item *it)
{
	int64_t	old = it->value;

	it->value = (int64_t)(6000 + rng_below(&d->rng, 9000)) * MANIFEST_SCALE;
	if (strcmp(k->currency, "CNY") != 0)
		it->value = it->value * gen_rate_of(k->currency) / 7100 / 10 * 10;
	k->value += it->value - old;
}

/* k's consignor renamed to a listed party of its country (or of none). */
static void
listed_party(struct manifest_train *t, struct gen_draw *d,
    struct manifest_consignment *k)
{
	const char	*c = k->consignor.country;
	size_t		 i, n = 0, pick[nitems(listed)];

	for (i = 0; i < nitems(listed); i++)
		if (c != NULL && listed[i].country != NULL &&
		    strcmp(listed[i].country, c) == 0)
			pick[n++] = i;
	for (i = 0; n == 0 && i < nitems(listed); i++)
		if (listed[i].country == NULL)
			pick[n++] = i;
	i = pick[rng_below(&d->rng, n)];
	k->consignor.name = manifest_str(t, listed[i].name,
	    strlen(listed[i].name));
}

/* The defects of consignment k (see gen_int.h). */
void
gen_risk_consignment(struct manifest_train *t, struct gen_draw *stream,
    struct manifest_consignment *k)
{
	struct gen_draw			 own = { .risk = stream->risk }, *d = &own;
	bool				 parcel = k->procedure == MANIFEST_PROC_ECOMMERCE;
	bool				 hit[GEN_RISK_COUNT];
	size_t				 used[GEN_RISK_COUNT], nused = 0, j;
	size_t				 i;
	struct manifest_item		*it;
	static const enum gen_risk_kind	 goods_kinds[] = { GEN_RISK_DOC,
		GEN_RISK_VALUE, GEN_RISK_DANGEROUS, GEN_RISK_LICENCE,
		GEN_RISK_PROHIBITED };

	rng_seed(&own.rng, rng_next(&stream->rng));
	for (i = 0; i < GEN_RISK_COUNT; i++)
		hit[i] = gen_draw(d, (enum gen_risk_kind)i);
	if (hit[GEN_RISK_SANCTION])
		listed_party(t, d, k);
	if (k->nitems == 0)
		return;
	for (i = 0; i < nitems(goods_kinds); i++) {
		enum gen_risk_kind kind = goods_kinds[i];

		if (!hit[kind] || (kind == GEN_RISK_VALUE && !parcel))
			continue;
		j = pick_item(d, k->nitems, used, nused);
		used[nused++] = j;
		it = k->items[j];
		switch (kind) {
		case GEN_RISK_DOC:
			if (needs_certificate(it) && !parcel)
				it->ndocuments = 0;
			else
				convert(t, k, it, parcel ? &doc_parcels[rng_below(
				    &d->rng, nitems(doc_parcels))] : &doc_goods[
				    rng_below(&d->rng, nitems(doc_goods))]);
			break;
		case GEN_RISK_VALUE:
			expensive(d, k, it);
			break;
		case GEN_RISK_DANGEROUS:
			convert(t, k, it, parcel ? &dangerous_parcels[0] :
			    &dangerous_goods[rng_below(&d->rng,
			    nitems(dangerous_goods))]);
			break;
		case GEN_RISK_LICENCE:
			convert(t, k, it, &licence_goods[rng_below(&d->rng,
			    nitems(licence_goods))]);
			break;
		default:
			convert(t, k, it, parcel ? &prohibited_parcels[0] :
			    &prohibited_goods[rng_below(&d->rng,
			    nitems(prohibited_goods))]);
			break;
		}
	}
}
