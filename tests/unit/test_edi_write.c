/*
 * test_edi_write.c -- the EDIFACT writer read with the tokenizer: control
 * counts and references, the split into messages and the equipment each
 * message lists, syntax versions 3 and 4, character sets, release
 * characters.
 */
#include <stdlib.h>
#include <string.h>

#include "edi/lexer.h"
#include "edi/reader.h"
#include "edi/writer.h"
#include "manifest/gen.h"
#include "manifest/json.h"
#include "manifest/strmap.h"

#include "unit.h"

/* Canonical JSON of a train (caller frees). */
static char *
json_of(const struct manifest_train *t)
{
	struct buf	b = { 0 };

	manifest_json_write(t, 0, &b);
	return buf_steal(&b, NULL);
}

/* What one walk over an interchange found. */
struct walk {
	unsigned	messages;	/* UNH seen */
	unsigned	bad_unt;	/* UNT count or reference wrong */
	unsigned	unz_count;	/* UNZ 0036 */
	bool		unz_ref_ok;	/* UNZ 0020 = UNB 0020 */
	unsigned	missing;	/* SGP on equipment its message lacks */
	unsigned	repeated_unused; /* EQD CN again in a message not using it */
	unsigned	first_msg_cn;	/* EQD CN in message 1 */
};

/* Number of a view (digits only). */
static unsigned
view_uint(struct edi_view v)
{
	unsigned	n = 0;
	size_t		i;

	for (i = 0; i < v.len; i++)
		n = n * 10 + (unsigned)(v.p[i] - '0');
	return n;
}

/* Checks message 's equipment against its SGPs at UNT; resets both maps. */
static void
walk_message_end(struct walk *wk, struct strmap **eqd, struct strmap **sgp,
    const struct strmap *seen_before, const struct manifest_train *t)
{
	size_t	i;

	for (i = 0; i < t->ncontainers; i++) {
		const char *n = t->containers[i]->number;

		if (strmap_get(*sgp, n) != NULL && strmap_get(*eqd, n) == NULL)
			wk->missing++;
		if (strmap_get(*eqd, n) != NULL && strmap_get(*sgp, n) == NULL &&
		    strmap_get(seen_before, n) != NULL)
			wk->repeated_unused++;
	}
	strmap_free(*eqd), strmap_free(*sgp);
	*eqd = strmap_new(), *sgp = strmap_new();
}

/* Walks an interchange written for t, checking what struct walk records. */
static void
walk_interchange(const struct buf *b, const struct manifest_train *t,
    struct walk *wk)
{
	struct strmap		*numbers = strmap_new(), *eqd = strmap_new();
	struct strmap		*sgp = strmap_new(), *seen = strmap_new();
	struct strmap		*seen_before = strmap_new();
	struct edi_lexer	 lx;
	struct edi_segment	 s;
	struct edi_view		 unb_ref = { "", 0 }, unh_ref = { "", 0 }, v;
	unsigned		 in_msg = 0;
	size_t			 i;

	memset(wk, 0, sizeof *wk);
	for (i = 0; i < t->ncontainers; i++)
		strmap_put(numbers, t->containers[i]->number,
		    (void *)t->containers[i]->number);
	edi_lexer_init(&lx, b->data, b->len, NULL);
	while (edi_lexer_next(&lx, &s) == 1) {
		in_msg++;
		if (strcmp(s.tag, "UNB") == 0)
			unb_ref = edi_element(&s, 4);
		else if (strcmp(s.tag, "UNH") == 0) {
			in_msg = 1;
			wk->messages++;
			unh_ref = edi_element(&s, 0);
		} else if (strcmp(s.tag, "UNT") == 0) {
			v = edi_element(&s, 1);
			if (view_uint(edi_element(&s, 0)) != in_msg ||
			    v.len != unh_ref.len || memcmp(v.p, unh_ref.p, v.len))
				wk->bad_unt++;
			walk_message_end(wk, &eqd, &sgp, seen_before, t);
			/* What this message listed is "seen before" for the next. */
			for (i = 0; i < t->ncontainers; i++)
				if (strmap_get(seen, t->containers[i]->number))
					strmap_put(seen_before,
					    t->containers[i]->number, seen);
		} else if (strcmp(s.tag, "UNZ") == 0) {
			wk->unz_count = view_uint(edi_element(&s, 0));
			v = edi_element(&s, 1);
			wk->unz_ref_ok = v.len == unb_ref.len && v.len > 0 &&
			    memcmp(v.p, unb_ref.p, v.len) == 0;
		} else if (strcmp(s.tag, "EQD") == 0 &&
		    edi_view_is(edi_element(&s, 0), "CN")) {
			v = edi_element(&s, 1);
			const char *n = strmap_getn(numbers, v.p, v.len);

			if (n != NULL) {
				strmap_put(eqd, n, numbers);
				strmap_put(seen, n, numbers);
			}
			if (wk->messages == 1)
				wk->first_msg_cn++;
		} else if (strcmp(s.tag, "SGP") == 0) {
			v = edi_element(&s, 0);
			const char *n = strmap_getn(numbers, v.p, v.len);

			if (n != NULL)
				strmap_put(sgp, n, numbers);
		}
	}
	strmap_free(numbers), strmap_free(eqd), strmap_free(sgp);
	strmap_free(seen), strmap_free(seen_before);
}

/* Split into messages: counts, references, each message's own equipment. */
static void
t_edi_write_messages(void)
{
	struct gen_options		 o = { 12, 3000, 41, true };
	struct manifest_train		*t = gen_train(&o);
	struct edi_write_options	 w = { 0 };
	struct buf			 b = { 0 };
	struct walk			 wk;

	w.max_items = 400;
	w.reference = "IC0001";
	edi_write_manifest(t, &w, &b);
	walk_interchange(&b, t, &wk);
	CU_ASSERT_TRUE(wk.messages >= 3000 / 400);
	CU_ASSERT_EQUAL(wk.bad_unt, 0);
	CU_ASSERT_EQUAL(wk.unz_count, wk.messages);
	CU_ASSERT_TRUE(wk.unz_ref_ok);
	CU_ASSERT_EQUAL(wk.missing, 0);
	CU_ASSERT_EQUAL(wk.repeated_unused, 0);
	/* The first message does not list the whole train. */
	CU_ASSERT_TRUE(wk.first_msg_cn > 0 && wk.first_msg_cn < t->ncontainers);
	buf_free(&b);
	manifest_train_free(t);
}

/* Consignments out of train order still read back in train order. */
static void
t_edi_write_order_kept(void)
{
	struct gen_options		 o = { 6, 40, 9, false };
	struct manifest_train		*t = gen_train(&o), *back = manifest_train_new();
	struct edi_write_options	 w = { 0 };
	struct buf			 b = { 0 };
	struct manifest_consignment	*k;
	size_t				 i;

	CU_ASSERT_FATAL(t->nconsignments >= 3);
	/* Reverse the consignments: the last wagon's goods come first. */
	for (i = 0; i < t->nconsignments / 2; i++) {
		k = t->consignments[i];
		t->consignments[i] = t->consignments[t->nconsignments - 1 - i];
		t->consignments[t->nconsignments - 1 - i] = k;
	}
	w.max_items = 1;
	edi_write_manifest(t, &w, &b);
	CU_ASSERT_EQUAL(edi_read(b.data, b.len, back), 0);
	CU_ASSERT_EQUAL(back->diags.n, 0);
	CU_ASSERT_EQUAL_FATAL(back->nwagons, t->nwagons);
	for (i = 0; i < t->nwagons; i++)
		CU_ASSERT_STRING_EQUAL(back->wagons[i]->number,
		    t->wagons[i]->number);
	buf_free(&b);
	manifest_train_free(back);
	manifest_train_free(t);
}

/* Version 4 opens with UNA and declares UNOY:4; version 3 has no UNA. */
static void
t_edi_write_syntax(void)
{
	struct gen_options		 o = { 2, 5, 3, false };
	struct manifest_train		*t = gen_train(&o);
	struct edi_write_options	 w = { 0 };
	struct buf			 b = { 0 };

	edi_write_manifest(t, &w, &b);
	CU_ASSERT_EQUAL(strncmp(b.data, "UNA:+.?*'", 9), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "UNB+UNOY:4+"));
	buf_reset(&b);
	w.syntax = 3;
	edi_write_manifest(t, &w, &b);
	CU_ASSERT_EQUAL(strncmp(b.data, "UNB+UNOC:3+", 11), 0);
	CU_ASSERT_PTR_NULL(strstr(b.data, "UNA"));
	buf_free(&b);
	manifest_train_free(t);
}

/* UNOE carries Cyrillic as ISO 8859-5 and reads back to the same train. */
static void
t_edi_write_charsets(void)
{
	struct gen_options		 o = { 2, 4, 1, false };
	struct manifest_train		*t = gen_train(&o), *back = manifest_train_new();
	struct edi_write_options	 w = { 0 };
	struct buf			 b = { 0 };
	char				*a, *c;
	size_t				 i;

	t->carrier.name = manifest_str(t, "АО Жол", strlen("АО Жол"));
	/* Only Latin and Cyrillic: 8859-5 has no Chinese or Vietnamese. */
	for (i = 0; i < t->nconsignments; i++) {
		t->consignments[i]->consignor.name = manifest_str(t,
		    "ТОО Арман", strlen("ТОО Арман"));
		t->consignments[i]->consignee.name = manifest_str(t, "Alma", 4);
		if (t->consignments[i]->declarant.name != NULL)
			t->consignments[i]->declarant.name = manifest_str(t,
			    "Broker", 6);
	}
	w.charset = "UNOE";
	edi_write_manifest(t, &w, &b);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "UNB+UNOE:4+"));
	/* "АО" in ISO 8859-5 is 0xB0 0xBE. */
	CU_ASSERT_PTR_NOT_NULL(memmem(b.data, b.len, "\xb0\xbe", 2));
	CU_ASSERT_PTR_NULL(memmem(b.data, b.len, "\xd0\x90", 2));
	CU_ASSERT_EQUAL(edi_read(b.data, b.len, back), 0);
	a = json_of(t), c = json_of(back);
	CU_ASSERT_STRING_EQUAL(a, c);
	free(a), free(c);
	/* UNOC cannot carry Cyrillic: each letter becomes '?', released. */
	buf_reset(&b);
	w.charset = "UNOC";
	edi_write_manifest(t, &w, &b);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "????"));
	CU_ASSERT_PTR_NULL(memmem(b.data, b.len, "\xb0\xbe", 2));
	buf_free(&b);
	manifest_train_free(back);
	manifest_train_free(t);
}

/* Every separator in text is released; nothing else is. */
static void
t_edi_write_release(void)
{
	struct gen_options		 o = { 1, 1, 2, false };
	struct manifest_train		*t = gen_train(&o);
	struct edi_write_options	 w = { 0 };
	struct buf			 b = { 0 };

	t->consignments[0]->items[0]->description = manifest_str(t,
	    "a+b:c'd?e*f", 11);
	edi_write_manifest(t, &w, &b);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "FTX+AAA+++a?+b?:c?'d??e?*f'"));
	buf_reset(&b);
	w.syntax = 3;	/* '*' is reserved in version 3: written as is */
	w.charset = "UNOY";
	edi_write_manifest(t, &w, &b);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "FTX+AAA+++a?+b?:c?'d??e*f'"));
	buf_free(&b);
	manifest_train_free(t);
}

/* edi_write_cuscar/edi_write_ifcsum pick the message whatever o->kind says. */
static void
t_edi_write_kinds(void)
{
	struct gen_options		 o = { 3, 9, 4, false };
	struct manifest_train		*t = gen_train(&o), *back = manifest_train_new();
	struct edi_write_options	 w = { 0 };
	struct buf			 b = { 0 };
	struct walk			 wk;

	w.kind = EDI_MSG_CUSCAR;
	edi_write_ifcsum(t, &w, &b);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "+IFCSUM:D:96B:UN'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "\nBGM+785+"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "\nEQA+CN+"));
	CU_ASSERT_PTR_NULL(strstr(b.data, "CUSCAR"));
	walk_interchange(&b, t, &wk);
	CU_ASSERT_EQUAL(wk.messages, 1);
	CU_ASSERT_EQUAL(wk.bad_unt, 0);
	CU_ASSERT_TRUE(wk.unz_ref_ok);
	CU_ASSERT_EQUAL(edi_read(b.data, b.len, back), 0);
	CU_ASSERT_EQUAL(back->nitems, 9);
	buf_reset(&b);
	edi_write_cuscar(t, NULL, &b);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "+CUSCAR:D:96B:UN'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "\nBGM+85+"));
	buf_free(&b);
	manifest_train_free(back);
	manifest_train_free(t);
}

static CU_TestInfo edi_write_tests[] = {
	{ "t_edi_write_kinds", t_edi_write_kinds },
	{ "t_edi_write_messages", t_edi_write_messages },
	{ "t_edi_write_order_kept", t_edi_write_order_kept },
	{ "t_edi_write_syntax", t_edi_write_syntax },
	{ "t_edi_write_charsets", t_edi_write_charsets },
	{ "t_edi_write_release", t_edi_write_release },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("edi_write", NULL, NULL, edi_write_tests)
