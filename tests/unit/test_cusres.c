/*
 * test_cusres.c -- the CUSRES release notice, read back with railgate's
 * own tokenizer: counts and references right, the wagons to set out and
 * to check listed with their codes and reasons.
 */
#include <stdlib.h>
#include <string.h>

#include "edi/cusres.h"
#include "edi/lexer.h"

#include "unit.h"

/* A partial release: wagon 2 inspected, wagon 3 at a document check. */
static struct decision *
partial(void)
{
	struct decision		*d = decision_new();
	struct decision_wagon	*w;
	struct decision_subject	 s = { 0 };

	d->train = decision_str(d, "X8024");
	d->manifest_ref = decision_str(d, "MF-2026-118834");
	d->border_station = decision_str(d, "CNAKA");
	d->outcome = DECISION_OUTCOME_PARTIAL_RELEASE;
	decision_wagon_add(d, 1, "315279550018");
	w = decision_wagon_add(d, 2, "315279550026");
	s.container = "MSKU4412090";
	decision_hit_add(d, w, "weight-variance", DECISION_INSPECT, &s,
	    "declared 24.1 t, weighbridge 27.9 t: variance 15.8% exceeds 5%", NULL);
	w = decision_wagon_add(d, 3, "335279521132");
	decision_hit_add(d, w, "phyto", DECISION_DOC_CHECK, &s,
	    "Fresh grapes (HS 080610) have no phytosanitary certificate (851)",
	    NULL);
	return d;
}

struct seen {
	unsigned	segments, unt_count, unz_count;
	char		unb_ref[32], unz_ref[32], unh_ref[16], unt_ref[16];
	char		gis[8][8];
	int		ngis;
	char		eqd[8][16];
	int		neqd;
	char		ftx[512];
};

/* Copies an unescaped value. */
static void
copy(const struct edi_lexer *lx, const struct edi_segment *s, int e, int c,
    char *out, size_t size)
{
	struct buf	b = { 0 };

	edi_view_unescape(&lx->syntax, edi_component(lx, s, e, c), &b);
	snprintf(out, size, "%s", b.data != NULL ? b.data : "");
	buf_free(&b);
}

/* Tokenises the interchange and collects what the test checks. */
static void
read_back(const struct buf *b, struct seen *v)
{
	struct diag_list	d;
	struct edi_lexer	lx;
	struct edi_segment	s;
	char			tmp[16];

	memset(v, 0, sizeof *v);
	diag_list_init(&d, 0);
	edi_lexer_init(&lx, b->data, b->len, &d);
	while (edi_lexer_next(&lx, &s) == 1) {
		if (strcmp(s.tag, "UNB") == 0)
			copy(&lx, &s, 4, 0, v->unb_ref, sizeof v->unb_ref);
		else if (strcmp(s.tag, "UNZ") == 0) {
			copy(&lx, &s, 0, 0, tmp, sizeof tmp);
			v->unz_count = (unsigned)atoi(tmp);
			copy(&lx, &s, 1, 0, v->unz_ref, sizeof v->unz_ref);
			continue;
		}
		if (strcmp(s.tag, "UNB") != 0)
			v->segments++;
		if (strcmp(s.tag, "UNH") == 0)
			copy(&lx, &s, 0, 0, v->unh_ref, sizeof v->unh_ref);
		else if (strcmp(s.tag, "UNT") == 0) {
			copy(&lx, &s, 0, 0, tmp, sizeof tmp);
			v->unt_count = (unsigned)atoi(tmp);
			copy(&lx, &s, 1, 0, v->unt_ref, sizeof v->unt_ref);
		} else if (strcmp(s.tag, "GIS") == 0 && v->ngis < 8)
			copy(&lx, &s, 0, 0, v->gis[v->ngis++], 8);
		else if (strcmp(s.tag, "EQD") == 0 && v->neqd < 8)
			copy(&lx, &s, 1, 0, v->eqd[v->neqd++], 16);
		else if (strcmp(s.tag, "FTX") == 0 && v->ftx[0] == '\0')
			copy(&lx, &s, 3, 0, v->ftx, sizeof v->ftx);
	}
	CU_ASSERT_EQUAL(d.n, 0);
	diag_list_clear(&d);
}

/* Counts, references, the set-out and document-check wagons. */
static void
t_cusres_partial_release(void)
{
	struct decision		*d = partial();
	struct cusres_options	 o = { "NTC-7781", "CN-ALK-CUSTOMS", "KZ-KTZE",
				    "N7781", 1795338900 };
	struct buf		 b = { 0 };
	struct seen		 v;

	edi_write_cusres(d, &o, &b);
	read_back(&b, &v);
	CU_ASSERT_EQUAL(v.unt_count, v.segments);
	CU_ASSERT_STRING_EQUAL(v.unt_ref, v.unh_ref);
	CU_ASSERT_EQUAL(v.unz_count, 1);
	CU_ASSERT_STRING_EQUAL(v.unz_ref, v.unb_ref);
	CU_ASSERT_STRING_EQUAL(v.unb_ref, "N7781");
	/* Train released, then per wagon: inspection (5), documents (6). */
	CU_ASSERT_EQUAL_FATAL(v.ngis, 3);
	CU_ASSERT_STRING_EQUAL(v.gis[0], "4");
	CU_ASSERT_STRING_EQUAL(v.gis[1], "5");
	CU_ASSERT_STRING_EQUAL(v.gis[2], "6");
	/* Header list of both wagons, then one EQD per SG6 group. */
	CU_ASSERT_EQUAL_FATAL(v.neqd, 4);
	CU_ASSERT_STRING_EQUAL(v.eqd[0], "315279550026");
	CU_ASSERT_STRING_EQUAL(v.eqd[1], "335279521132");
	CU_ASSERT_STRING_EQUAL(v.ftx, "weight-variance: declared 24.1 t, "
	    "weighbridge 27.9 t: variance 15.8% exceeds 5%");
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "BGM+961+NTC-7781+9'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "RFF+AFB:MF-2026-118834'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "DTM+137:20261122091500:204'"));
	buf_free(&b);
	decision_free(d);
}

/* A held train: GIS+7 and the train-level reason in the header. */
static void
t_cusres_hold(void)
{
	struct decision		*d = decision_new();
	struct decision_subject	 s = { 0 };
	struct cusres_options	 o = { "NTC-1", NULL, NULL, NULL, 0 };
	struct buf		 b = { 0 };
	struct seen		 v;

	d->train = decision_str(d, "X8060");
	d->outcome = DECISION_OUTCOME_HOLD;
	decision_wagon_add(d, 1, "335279521132");
	decision_hit_add(d, NULL, "blocking-diagnostic", DECISION_HOLD, &s,
	    "the manifest was cancelled (message function 1)", NULL);
	edi_write_cusres(d, &o, &b);
	read_back(&b, &v);
	CU_ASSERT_EQUAL(v.unt_count, v.segments);
	CU_ASSERT_EQUAL_FATAL(v.ngis, 1);
	CU_ASSERT_STRING_EQUAL(v.gis[0], "7");
	CU_ASSERT_EQUAL(v.neqd, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(v.ftx, "cancelled"));
	buf_free(&b);
	decision_free(d);
}

/* 1,200 wagons held: 999 in the header (its limit), a DOC group each. */
static void
t_cusres_many_wagons(void)
{
	struct decision		*d = decision_new();
	struct decision_subject	 s = { 0 };
	struct cusres_options	 o = { "NTC-2", NULL, NULL,
				    "A-REFERENCE-LONGER-THAN-14", 0 };
	struct buf		 b = { 0 };
	struct diag_list	 dl;
	struct edi_lexer	 lx;
	struct edi_segment	 sg;
	struct seen		 v;
	unsigned		 i, header_eqd = 0, docs = 0, in_doc = 0;
	char			 num[16];

	d->train = decision_str(d, "X0001");
	d->outcome = DECISION_OUTCOME_HOLD;
	for (i = 0; i < 1200; i++) {
		snprintf(num, sizeof num, "3152795%05u", i);
		decision_hit_add(d, decision_wagon_add(d, i + 1, num), "seal",
		    DECISION_HOLD, &s, "seal damaged", NULL);
	}
	edi_write_cusres(d, &o, &b);
	read_back(&b, &v);
	CU_ASSERT_EQUAL(v.unt_count, v.segments);
	CU_ASSERT_STRING_EQUAL(v.unb_ref, "A-REFERENCE-LO");
	CU_ASSERT_STRING_EQUAL(v.unz_ref, v.unb_ref);
	diag_list_init(&dl, 0);
	edi_lexer_init(&lx, b.data, b.len, &dl);
	while (edi_lexer_next(&lx, &sg) == 1) {
		if (strcmp(sg.tag, "DOC") == 0)
			docs++, in_doc = 1;
		else if (strcmp(sg.tag, "EQD") == 0 && !in_doc)
			header_eqd++;
	}
	diag_list_clear(&dl);
	CU_ASSERT_EQUAL(header_eqd, 999);
	CU_ASSERT_EQUAL(docs, 1200);
	buf_free(&b);
	decision_free(d);
}

static CU_TestInfo cusres_tests[] = {
	{ "t_cusres_many_wagons", t_cusres_many_wagons },
	{ "t_cusres_partial_release", t_cusres_partial_release },
	{ "t_cusres_hold", t_cusres_hold },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("cusres", NULL, NULL, cusres_tests)
