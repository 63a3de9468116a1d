/*
 * test_gen.c -- the train generator and the EDIFACT writer: determinism,
 * valid identifiers, exact item counts, realistic goods, and the round
 * trip generator -> CUSCAR / IFCSUM -> reader -> the same canonical JSON.
 */
#include <stdlib.h>
#include <string.h>

#include "edi/lexer.h"
#include "edi/reader.h"
#include "edi/writer.h"
#include "manifest/gen.h"
#include "manifest/ident.h"
#include "manifest/json.h"
#include "manifest/strmap.h"
#include "manifest/util.h"

#include "unit.h"

/* Canonical JSON of a train (caller frees). */
static char *
json_of(const struct manifest_train *t)
{
	struct buf	b = { 0 };

	manifest_json_write(t, 0, &b);
	return buf_steal(&b, NULL);
}

/* Same seed, same bytes; another seed, another train. */
static void
t_gen_deterministic(void)
{
	struct gen_options	 o = { 10, 200, 42, false };
	struct manifest_train	*a = gen_train(&o), *b = gen_train(&o), *c;
	char			*ja = json_of(a), *jb = json_of(b), *jc;

	CU_ASSERT_STRING_EQUAL(ja, jb);
	o.seed = 43;
	c = gen_train(&o);
	jc = json_of(c);
	CU_ASSERT_STRING_NOT_EQUAL(ja, jc);
	free(ja), free(jb), free(jc);
	manifest_train_free(a), manifest_train_free(b), manifest_train_free(c);
}

/* With every kind of risk drawn, the same seed still gives the same bytes. */
static void
t_gen_deterministic_with_risk(void)
{
	struct gen_risk		 risk;
	struct gen_options	 o = { 55, 3000, 42, false, 0, &risk };
	struct manifest_train	*a, *b;
	char			*ja, *jb, *cause = NULL;

	CU_ASSERT_EQUAL_FATAL(gen_risk_parse(&risk, "0.2", &cause), 0);
	a = gen_train(&o);
	b = gen_train(&o);
	ja = json_of(a);
	jb = json_of(b);
	CU_ASSERT_STRING_EQUAL(ja, jb);
	free(ja), free(jb);
	manifest_train_free(a), manifest_train_free(b);
}

/* Every number valid, the item total exact, no structural diagnostics. */
static void
t_gen_valid_and_exact(void)
{
	static const uint64_t sizes[] = { 0, 1, 7, 55, 5000 };
	size_t			 i, k;

	for (i = 0; i < nitems(sizes); i++) {
		struct gen_options	 o = { 55, sizes[i], 1000 + i, i % 2 == 1 };
		struct manifest_train	*t = gen_train(&o);
		size_t			 bad = 0;

		CU_ASSERT_EQUAL(t->nwagons, 55);
		CU_ASSERT_EQUAL(t->nitems, sizes[i]);
		for (k = 0; k < t->nwagons; k++)
			bad += ident_uic_check(t->wagons[k]->number, NULL) != IDENT_OK;
		for (k = 0; k < t->ncontainers; k++)
			bad += ident_iso6346_check(t->containers[k]->number, NULL) !=
			    IDENT_OK;
		CU_ASSERT_EQUAL(bad, 0);
		CU_ASSERT_EQUAL(t->diags.errors, 0);
		CU_ASSERT(t->ncontainers >= t->nwagons);
		manifest_train_free(t);
	}
}

/* The items of chapters 06..08 of t without their certificate 851. */
static size_t
fruit_without_851(const struct manifest_train *t)
{
	size_t	i, k, d, n = 0;

	for (i = 0; i < t->nconsignments; i++)
		for (k = 0; k < t->consignments[i]->nitems; k++) {
			const struct manifest_item *it = t->consignments[i]->items[k];
			bool has851 = false;

			if (strncmp(it->hs, "06", 2) < 0 || strncmp(it->hs, "08", 2) > 0)
				continue;
			for (d = 0; d < it->ndocuments; d++)
				has851 |= strcmp(it->documents[d].type, "851") == 0;
			n += !has851;
		}
	return n;
}

/*
 * Goods in realistic shares; fruit carries its certificate but in the
 * few consignments the default rates leave without it, and in none of
 * a clean train.
 */
static void
t_gen_goods_mix(void)
{
	struct gen_risk		 clean;
	struct gen_options	 o = { 55, 20000, 7, false };
	struct manifest_train	*t = gen_train(&o), *cl;
	size_t			 i, k, fruit = 0, fruit_no_851 = 0, dg = 0,
				 machinery = 0, ch[100] = { 0 };

	for (i = 0; i < t->nconsignments; i++) {
		const struct manifest_consignment *c = t->consignments[i];

		for (k = 0; k < c->nitems; k++) {
			const struct manifest_item *it = c->items[k];
			int chap = (it->hs[0] - '0') * 10 + (it->hs[1] - '0');
			size_t d;
			bool has851 = false;

			ch[chap]++;
			if (chap >= 6 && chap <= 8) {
				fruit++;
				for (d = 0; d < it->ndocuments; d++)
					has851 |= strcmp(it->documents[d].type,
					    "851") == 0;
				fruit_no_851 += !has851;
			}
			dg += it->un_number != NULL;
			machinery += chap == 84;
		}
	}
	CU_ASSERT(machinery > 20000 / 20);
	CU_ASSERT(ch[85] > 20000 / 20);
	CU_ASSERT(ch[87] > 20000 / 20);
	CU_ASSERT(fruit > 20000 / 20);
	/* One item each in about 3% of ~80 consignments, not a fifth of
	 * every fruit item as the generator once did. */
	CU_ASSERT(fruit_no_851 > 0 && fruit_no_851 <= t->nconsignments / 10);
	CU_ASSERT(dg > 0 && dg < 20000 / 10);
	gen_risk_clean(&clean);
	o.risk = &clean;
	cl = gen_train(&o);
	CU_ASSERT_EQUAL(fruit_without_851(cl), 0);
	CU_ASSERT_EQUAL(fruit_without_851(t), fruit_no_851);
	manifest_train_free(cl);
	manifest_train_free(t);
}

/* Parcels of t worth more than 5,000 CNY (or as many USD). */
static size_t
parcels_over_5000(const struct manifest_train *t)
{
	size_t	i, k, n = 0;

	for (i = 0; i < t->nconsignments; i++)
		for (k = 0; k < t->consignments[i]->nitems; k++)
			n += t->consignments[i]->items[k]->value > (strcmp(
			    t->consignments[i]->currency, "CNY") == 0 ? 5000 :
			    5000 * 1000 / 7100) * MANIFEST_SCALE;
	return n;
}

/*
 * E-commerce: small parcels, procedure ecommerce, many consignments;
 * an expensive parcel in about 3% of them by default, in every one at
 * value=1, in none of a clean train.
 */
static void
t_gen_ecommerce(void)
{
	struct gen_risk		 risk;
	struct gen_options	 o = { 40, 30000, 9, true };
	struct manifest_train	*t = gen_train(&o), *v;
	size_t			 i, over;

	CU_ASSERT_EQUAL(t->nitems, 30000);
	CU_ASSERT(t->nconsignments > 30000 / 400);
	for (i = 0; i < t->nconsignments; i++)
		CU_ASSERT_EQUAL_FATAL(t->consignments[i]->procedure,
		    MANIFEST_PROC_ECOMMERCE);
	over = parcels_over_5000(t);
	CU_ASSERT(over >= 1 && over <= t->nconsignments / 10);
	gen_risk_clean(&risk);
	risk.share[GEN_RISK_VALUE] = GEN_RISK_ONE;
	o.risk = &risk;
	v = gen_train(&o);
	CU_ASSERT_EQUAL(parcels_over_5000(v), v->nconsignments);
	manifest_train_free(v);
	risk.share[GEN_RISK_VALUE] = 0;
	v = gen_train(&o);
	CU_ASSERT_EQUAL(parcels_over_5000(v), 0);
	manifest_train_free(v);
	manifest_train_free(t);
}

/* Writes t, reads it back, compares canonical JSON; returns 1 if equal. */
static int
round_trip(const struct manifest_train *t, const struct edi_write_options *w)
{
	struct manifest_train	*back = manifest_train_new();
	struct buf		 edi = { 0 };
	char			*a, *b;
	int			 same;

	edi_write_manifest(t, w, &edi);
	if (edi_read(edi.data, edi.len, back) != 0 || back->diags.n != 0) {
		char line[512];

		if (back->diags.n > 0)
			fprintf(stderr, "\n%s\n", diag_format(&back->diags.v[0],
			    line, sizeof line));
		buf_free(&edi);
		manifest_train_free(back);
		return 0;
	}
	a = json_of(t);
	b = json_of(back);
	same = strcmp(a, b) == 0;
	if (!same)
		fprintf(stderr, "\nround trip differs:\n%.300s\n%.300s\n", a, b);
	free(a), free(b);
	buf_free(&edi);
	manifest_train_free(back);
	return same;
}

/* 100 small trains and an e-commerce one, CUSCAR and IFCSUM, syntax 3 and 4. */
static void
t_gen_round_trip(void)
{
	struct edi_write_options	 w = { 0 };
	int				 seed, same = 0, total = 0;

	for (seed = 1; seed <= 100; seed++) {
		struct gen_options o = { (unsigned)(1 + seed % 12),
		    (uint64_t)(seed * 7 % 60), (uint64_t)seed, seed % 5 == 0 };
		struct manifest_train *t = gen_train(&o);

		w.kind = seed % 2 ? EDI_MSG_CUSCAR : EDI_MSG_IFCSUM;
		w.syntax = seed % 3 == 0 ? 3 : 4;
		w.charset = "UNOY";
		w.max_items = 1 + seed % 20;	/* many messages per train */
		same += round_trip(t, &w);
		total++;
		manifest_train_free(t);
	}
	CU_ASSERT_EQUAL(same, total);
	{
		struct gen_options o = { 55, 20000, 77, true };
		struct manifest_train *t = gen_train(&o);

		memset(&w, 0, sizeof w);
		w.max_items = 5000;
		CU_ASSERT_TRUE(round_trip(t, &w));
		w.kind = EDI_MSG_IFCSUM;
		CU_ASSERT_TRUE(round_trip(t, &w));
		manifest_train_free(t);
	}
}

/* Separators and release characters in text survive the trip. */
static void
t_gen_writer_escapes(void)
{
	struct gen_options		 o = { 1, 1, 5, false };
	struct manifest_train		*t = gen_train(&o);
	struct edi_write_options	 w = { 0 };
	struct manifest_item		*it = t->consignments[0]->items[0];

	it->description = manifest_str(t, "Cu 28%: grade A+B, 'dry' ?*", 27);
	t->consignments[0]->consignor.name = manifest_str(t,
	    "O'Neill + Partners: Customs? Services", 37);
	CU_ASSERT_TRUE(round_trip(t, &w));
	w.syntax = 3;
	w.charset = "UNOY";	/* UNOC cannot carry the carrier's Cyrillic name */
	CU_ASSERT_TRUE(round_trip(t, &w));
	manifest_train_free(t);
}

/* A USCC's check character per GB 32100 is right. */
static bool
uscc_valid(const char *s)
{
	static const char	 alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	static const unsigned	 weight[17] = { 1, 3, 9, 27, 19, 26, 16, 17, 20,
				    29, 25, 13, 8, 24, 10, 30, 28 };
	unsigned		 sum = 0, i;
	const char		*p;

	if (strlen(s) != 18)
		return false;
	for (i = 0; i < 17; i++) {
		if ((p = strchr(alphabet, s[i])) == NULL || s[i] == '\0')
			return false;
		sum += (unsigned)(p - alphabet) * weight[i];
	}
	return s[17] == alphabet[(31 - sum % 31) % 31];
}

/* Party ids by country; declarants, AEO numbers and currencies vary. */
static void
t_gen_parties_and_money(void)
{
	struct gen_options	 o = { 55, 3000, 11, false };
	struct manifest_train	*t = gen_train(&o);
	size_t			 i, bad_id = 0, declarants = 0, aeo = 0;
	size_t			 usd = 0, cny = 0, eur = 0;

	for (i = 0; i < t->nconsignments; i++) {
		const struct manifest_consignment *c = t->consignments[i];
		const struct manifest_party *p[3] = { &c->consignor,
		    &c->consignee, &c->declarant };
		int k;

		for (k = 0; k < 3; k++) {
			if (p[k]->id == NULL)
				continue;
			if (strcmp(p[k]->country, "CN") == 0)
				bad_id += !uscc_valid(p[k]->id);
			else if (strcmp(p[k]->country, "KZ") == 0)
				bad_id += strlen(p[k]->id) != 12 ||
				    strspn(p[k]->id, "0123456789") != 12;
			aeo += p[k]->aeo != NULL;
		}
		declarants += c->declarant.id != NULL;
		usd += strcmp(c->currency, "USD") == 0;
		cny += strcmp(c->currency, "CNY") == 0;
		eur += strcmp(c->currency, "EUR") == 0;
	}
	CU_ASSERT_EQUAL(bad_id, 0);
	CU_ASSERT(declarants > 0 && declarants < t->nconsignments);
	CU_ASSERT(aeo > 0);
	CU_ASSERT(usd > cny && cny > 0 && eur > 0);
	manifest_train_free(t);
}

/* No container above its permitted gross mass; loose goods on flat wagons. */
static void
t_gen_masses_and_loose(void)
{
	static const struct gen_options opts[] = {
		{ 55, 20000, 7, false }, { 30, 60000, 8, true }, { 55, 40, 3, false },
	};
	size_t	 i, k, heavy = 0, loose = 0;

	for (i = 0; i < nitems(opts); i++) {
		struct manifest_train *t = gen_train(&opts[i]);

		for (k = 0; k < t->ncontainers; k++)
			heavy += t->containers[k]->gross_kg > 32500 * MANIFEST_SCALE;
		for (k = 0; k < t->nwagons; k++)
			if (t->wagons[k]->ncontainers == 0 &&
			    t->wagons[k]->nitems > 0) {
				loose++;
				CU_ASSERT_STRING_EQUAL(t->wagons[k]->type, "Rgs");
			}
		manifest_train_free(t);
	}
	CU_ASSERT_EQUAL(heavy, 0);
	CU_ASSERT(loose > 0);
}

/* True when s is an S10 number: 2 letters, 8 digits, check digit, "CN". */
static bool
is_s10(const char *s)
{
	static const unsigned	w[8] = { 8, 6, 4, 2, 3, 5, 9, 7 };
	unsigned		i, sum = 0, check;

	if (strlen(s) != 13 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' ||
	    s[1] > 'Z' || strcmp(s + 11, "CN") != 0)
		return false;
	for (i = 0; i < 9; i++)
		if (s[2 + i] < '0' || s[2 + i] > '9')
			return false;
	for (i = 0; i < 8; i++)
		sum += (unsigned)(s[2 + i] - '0') * w[i];
	check = 11 - sum % 11;
	check = check == 10 ? 0 : check == 11 ? 5 : check;
	return (unsigned)(s[10] - '0') == check;
}

/*
 * 100,000 parcels: every one a unique, valid S10 tracking number, the
 * same for the seed; without them the train is byte for byte the one
 * the generator made before tracking numbers (its SHA-256, taken then);
 * freight gets none.
 */
static void
t_gen_tracking(void)
{
	struct gen_options	 o = { 55, 100000, 3, true };
	struct manifest_train	*t = gen_train(&o), *again = gen_train(&o);
	struct strmap		*seen = strmap_new();
	size_t			 i, j, valid = 0, n = 0;
	char			*a, *b, sha[65];

	for (i = 0; i < t->nconsignments; i++)
		for (j = 0; j < t->consignments[i]->nitems; j++) {
			struct manifest_item *it = t->consignments[i]->items[j];

			CU_ASSERT_PTR_NOT_NULL_FATAL(it->tracking);
			valid += is_s10(it->tracking);
			if (strmap_get(seen, it->tracking) == NULL)
				strmap_put(seen, it->tracking, it);
			n++;
		}
	CU_ASSERT_EQUAL(n, 100000);
	CU_ASSERT_EQUAL(valid, n);
	CU_ASSERT_EQUAL(strmap_count(seen), n);
	CU_ASSERT_EQUAL(t->diags.n, 0);
	a = json_of(t);
	b = json_of(again);
	CU_ASSERT_STRING_EQUAL(a, b);
	free(a), free(b);
	for (i = 0; i < t->nconsignments; i++)
		for (j = 0; j < t->consignments[i]->nitems; j++)
			t->consignments[i]->items[j]->tracking = NULL;
	a = json_of(t);
	sha256_hex(a, strlen(a), sha);
	CU_ASSERT_STRING_EQUAL(sha, "b12b9c27b4f6c4ff5afbb36905908027"
	    "f58045b98b9be30a2c292ce1ebe6ea03");
	free(a);
	strmap_free(seen);
	manifest_train_free(t), manifest_train_free(again);
	o.ecommerce = false;
	o.items = 3000;
	t = gen_train(&o);
	for (i = 0; i < t->nconsignments; i++)
		for (j = 0; j < t->consignments[i]->nitems; j++)
			CU_ASSERT_PTR_NULL(t->consignments[i]->items[j]->tracking);
	manifest_train_free(t);
}

static CU_TestInfo gen_tests[] = {
	{ "t_gen_tracking", t_gen_tracking },
	{ "t_gen_deterministic", t_gen_deterministic },
	{ "t_gen_deterministic_with_risk", t_gen_deterministic_with_risk },
	{ "t_gen_valid_and_exact", t_gen_valid_and_exact },
	{ "t_gen_goods_mix", t_gen_goods_mix },
	{ "t_gen_ecommerce", t_gen_ecommerce },
	{ "t_gen_parties_and_money", t_gen_parties_and_money },
	{ "t_gen_masses_and_loose", t_gen_masses_and_loose },
	{ "t_gen_round_trip", t_gen_round_trip },
	{ "t_gen_writer_escapes", t_gen_writer_escapes },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("gen", NULL, NULL, gen_tests)
