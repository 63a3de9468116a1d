/*
 * test_model.c -- the train model: construction, strings, finishing
 * checks, and its canonical JSON.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "manifest/arena.h"
#include "manifest/json.h"
#include "manifest/jsonw.h"
#include "manifest/model.h"
#include "manifest/strmap.h"
#include "manifest/util.h"
#include "manifest/value.h"

#include "unit.h"

#define S(t, lit) manifest_str((t), (lit), strlen(lit))

/* A small import train at Alashankou, built by hand. */
static struct manifest_train *
build_train(void)
{
	struct manifest_train		*t = manifest_train_new();
	struct manifest_wagon		*w1, *w2;
	struct manifest_container	*c1;
	struct manifest_consignment	*k;
	struct manifest_item		*it;
	struct manifest_seal		*s;
	struct manifest_document	*d;
	struct manifest_placement	*p;

	t->id = S(t, "X8024");
	t->direction = MANIFEST_IMPORT;
	t->border_station = S(t, "CNAKA");
	t->departure_station = S(t, "KZDOS");
	t->destination_station = S(t, "CNXIA");
	value_time_parse("2026-11-22T09:15:00Z", 20, &t->eta);
	t->carrier.id = S(t, "KZ-KTZE");
	t->carrier.name = S(t, "АО «Қазақстан темір жолы»");
	t->carrier.country = S(t, "KZ");
	t->manifest_ref = S(t, "MF-2026-118834");
	t->function = MANIFEST_ORIGINAL;
	value_time_parse("2026-11-22T07:40:00Z", 20, &t->issued);

	w1 = manifest_wagon_add(t, S(t, "218124712173"));
	w1->type = S(t, "Sgns");
	w1->tare_kg = 20500000;
	s = manifest_wagon_add_seal(t, w1);
	s->number = S(t, "KZ1234567");
	c1 = manifest_container_add(t, w1, S(t, "CSQU3054383"));
	c1->size_type = S(t, "45G1");
	c1->gross_kg = 24310500;
	s = manifest_container_add_seal(t, c1);
	s->number = S(t, "CN0099812");
	s->sealed_by = MANIFEST_SEALER_CUSTOMS;
	w2 = manifest_wagon_add(t, S(t, "518008430010"));
	w2->type = S(t, "Lgns");

	k = manifest_consignment_add(t);
	k->ref = S(t, "SMGS 24170088");
	k->consignor.name = S(t, "Getriebe \"Nord\" GmbH\\Werk 2");
	k->consignor.country = S(t, "DE");
	k->consignee.id = S(t, "91650200MA77X1234Q");
	k->consignee.name = S(t, "新疆阿拉山口物流有限公司");
	k->consignee.country = S(t, "CN");
	k->consignee.aeo = S(t, "CN123456789");
	k->value = 182000000;
	k->currency = S(t, "USD");

	it = manifest_item_add(t, k);
	it->seq = 1;
	it->hs = S(t, "870840");
	it->description = S(t, "Auto parts: gearboxes");
	it->packages = 40;
	it->package_type = S(t, "PK");
	it->gross_kg = 19800000;
	it->net_kg = 18900000;
	it->value = 182000000;
	it->origin = S(t, "DE");
	d = manifest_item_add_document(t, it);
	d->type = S(t, "861");
	d->id = S(t, "DE-CO-55120");
	p = manifest_item_add_placement(t, it);
	manifest_placement_set_number(p, S(t, "CSQU3054383"));
	p->packages = 40;

	it = manifest_item_add(t, k);
	it->seq = 2;
	it->hs = S(t, "080810");
	it->description = S(t, "Fresh apples");
	it->gross_kg = 500;
	p = manifest_item_add_placement(t, it);
	manifest_placement_set_number(p, S(t, "518008430010"));
	manifest_train_finish(t);
	return t;
}

static const char expected_json[] =
    "{\"id\":\"X8024\",\"direction\":\"import\",\"border_station\":\"CNAKA\","
    "\"departure_station\":\"KZDOS\",\"destination_station\":\"CNXIA\","
    "\"eta\":\"2026-11-22T09:15:00Z\",\"carrier\":{\"id\":\"KZ-KTZE\","
    "\"name\":\"АО «Қазақстан темір жолы»\",\"country\":\"KZ\"},"
    "\"manifest_ref\":\"MF-2026-118834\",\"function\":\"original\","
    "\"issued\":\"2026-11-22T07:40:00Z\",\"wagons\":[{\"position\":1,"
    "\"number\":\"218124712173\",\"type\":\"Sgns\",\"tare_kg\":20500,"
    "\"seals\":[{\"number\":\"KZ1234567\",\"sealed_by\":\"carrier\","
    "\"condition\":\"intact\"}],\"containers\":[{\"number\":\"CSQU3054383\","
    "\"size_type\":\"45G1\",\"full\":true,\"gross_kg\":24310.5,\"seals\":"
    "[{\"number\":\"CN0099812\",\"sealed_by\":\"customs\",\"condition\":"
    "\"intact\"}]}]},{\"position\":2,\"number\":\"518008430010\",\"type\":"
    "\"Lgns\",\"seals\":[],\"containers\":[]}],\"consignments\":[{\"ref\":"
    "\"SMGS 24170088\",\"consignor\":{\"name\":\"Getriebe \\\"Nord\\\" "
    "GmbH\\\\Werk 2\",\"country\":\"DE\"},\"consignee\":{\"id\":"
    "\"91650200MA77X1234Q\",\"name\":\"新疆阿拉山口物流有限公司\","
    "\"country\":\"CN\",\"aeo\":\"CN123456789\"},\"procedure\":\"import\","
    "\"value\":182000,\"currency\":\"USD\",\"items\":[{\"seq\":1,\"hs\":"
    "\"870840\",\"description\":\"Auto parts: gearboxes\",\"packages\":40,"
    "\"package_type\":\"PK\",\"gross_kg\":19800,\"net_kg\":18900,\"value\":"
    "182000,\"currency\":\"USD\",\"origin\":\"DE\",\"documents\":[{\"type\":"
    "\"861\",\"id\":\"DE-CO-55120\"}],\"placement\":[{\"equipment\":"
    "\"CSQU3054383\",\"packages\":40}]},{\"seq\":2,\"hs\":\"080810\","
    "\"description\":\"Fresh apples\",\"gross_kg\":0.5,\"documents\":[],"
    "\"placement\":[{\"equipment\":\"518008430010\"}]}]}]}";

/* The hand-built train prints exactly the expected bytes, twice. */
static void
t_model_json_byte_stable(void)
{
	struct manifest_train	*t = build_train();
	struct buf		 a = { 0 }, b = { 0 };

	manifest_json_write(t, 0, &a);
	manifest_json_write(t, 0, &b);
	CU_ASSERT_STRING_EQUAL(a.data, expected_json);
	CU_ASSERT_EQUAL(a.len, b.len);
	CU_ASSERT_EQUAL(memcmp(a.data, b.data, a.len), 0);
	buf_free(&a);
	buf_free(&b);
	manifest_train_free(t);
}

/* jansson reads the output back and writes the same bytes. */
static void
t_model_json_roundtrip(void)
{
	struct manifest_train	*t = build_train();
	struct buf		 out = { 0 };
	json_error_t		 err;
	json_t			*root, *w, *it;
	char			*again;

	manifest_json_write(t, 0, &out);
	root = json_loadb(out.data, out.len, 0, &err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	CU_ASSERT_STRING_EQUAL(json_string_value(json_object_get(root, "id")),
	    "X8024");
	w = json_array_get(json_object_get(root, "wagons"), 0);
	CU_ASSERT_EQUAL(json_integer_value(json_object_get(w, "position")), 1);
	it = json_array_get(json_object_get(json_array_get(
	    json_object_get(root, "consignments"), 0), "items"), 1);
	CU_ASSERT_DOUBLE_EQUAL(json_number_value(json_object_get(it, "gross_kg")),
	    0.5, 1e-9);
	again = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(15));
	CU_ASSERT_PTR_NOT_NULL_FATAL(again);
	CU_ASSERT_STRING_EQUAL(again, out.data);
	free(again);
	json_decref(root);
	buf_free(&out);
	manifest_train_free(t);
}

/* Control characters, quotes and backslashes are escaped; UTF-8 is kept. */
static void
t_model_json_escapes(void)
{
	struct buf	b = { 0 };

	json_escape(&b, "a\"b\\c\n\t\x01\x1f" "\xd0\x96", 11);
	CU_ASSERT_STRING_EQUAL(b.data, "\"a\\\"b\\\\c\\n\\t\\u0001\\u001f\xd0\x96\"");
	buf_free(&b);
}

/* Strings are trimmed, NFC-normalised, empty ones absent, bad UTF-8 replaced. */
static void
t_model_str_normalises(void)
{
	struct manifest_train	*t = manifest_train_new();
	const char		*s;

	CU_ASSERT_STRING_EQUAL(S(t, "  X8024 \r\n"), "X8024");
	CU_ASSERT_PTR_NULL(S(t, "   "));
	CU_ASSERT_PTR_NULL(manifest_str(t, "", 0));
	/* "e" + combining acute becomes the precomposed é. */
	s = S(t, "Caf\x65\xcc\x81");
	CU_ASSERT_STRING_EQUAL(s, "Caf\xc3\xa9");
	/* Cyrillic Й decomposed (И + breve) composes back. */
	CU_ASSERT_STRING_EQUAL(S(t, "\xd0\x98\xcc\x86"), "\xd0\x99");
	CU_ASSERT_STRING_EQUAL(manifest_str(t, "ab\xff" "c", 4), "ab\xef\xbf\xbd" "c");
	manifest_train_free(t);
}

/* finish() links placements to wagons and reports what does not fit. */
static void
t_model_finish_links_and_checks(void)
{
	struct manifest_train		*t = build_train();
	struct manifest_consignment	*k = t->consignments[0];
	const struct diag		*d;

	CU_ASSERT_EQUAL(t->nwagons, 2);
	CU_ASSERT_EQUAL(t->wagons[0]->nitems, 1);
	CU_ASSERT_PTR_EQUAL(t->wagons[0]->items[0], k->items[0]);
	CU_ASSERT_PTR_EQUAL(manifest_placement_container(
	    &k->items[0]->placements[0]), t->wagons[0]->containers[0]);
	CU_ASSERT_EQUAL(t->wagons[1]->nitems, 1);
	CU_ASSERT_PTR_EQUAL(manifest_placement_wagon(&k->items[1]->placements[0]),
	    t->wagons[1]);
	/* Item currency defaults to the consignment's only when it has a value. */
	CU_ASSERT_STRING_EQUAL(k->items[0]->currency, "USD");
	CU_ASSERT_PTR_NULL(k->items[1]->currency);
	CU_ASSERT_EQUAL(k->procedure, MANIFEST_PROC_IMPORT);
	CU_ASSERT_FALSE(diag_list_has_errors(&t->diags));
	d = diag_list_find(&t->diags, "HS_MISSING");
	CU_ASSERT_PTR_NULL(d);
	manifest_train_free(t);
}

/*
 * Every shape check of an item is said, each once, for the item it is
 * about; an item with none of them wrong is said nothing of.
 */
static void
t_model_item_shapes_said(void)
{
	static const char *const codes[] = { "HS_MISSING", "COUNTRY_CODE",
	    "CURRENCY_CODE", "UN_NUMBER", "ITEM_NOT_PLACED" };
	struct manifest_train		*t = manifest_train_new();
	struct manifest_wagon		*w;
	struct manifest_consignment	*c = manifest_consignment_add(t);
	struct manifest_item		*bad, *good;
	size_t				 i, k, n;

	w = manifest_wagon_add(t, S(t, "218124712173"));
	bad = manifest_item_add(t, c);
	bad->seq = 1;
	bad->origin = S(t, "ZZZ");
	bad->currency = S(t, "US");
	bad->un_number = S(t, "12");
	good = manifest_item_add(t, c);
	good->seq = 2;
	good->hs = S(t, "851712");
	good->origin = S(t, "CN");
	good->currency = S(t, "USD");
	good->un_number = S(t, "1203");
	manifest_placement_set_number(manifest_item_add_placement(t, good),
	    w->number);
	manifest_train_finish(t);
	for (k = 0; k < nitems(codes); k++) {
		for (n = i = 0; i < t->diags.n; i++)
			if (strcmp(t->diags.v[i].code, codes[k]) == 0) {
				n++;
				CU_ASSERT_PTR_NOT_NULL(strstr(t->diags.v[i].message,
				    "goods item 1 "));
			}
		CU_ASSERT_EQUAL(n, 1);
	}
	manifest_train_free(t);
}

/* Bad check digits, unknown equipment, a loose container, an empty train. */
static void
t_model_finish_diagnostics(void)
{
	struct manifest_train	*t = manifest_train_new();
	struct manifest_wagon	*w;
	struct manifest_item	*it;
	struct manifest_placement *p;
	const struct diag	*d;
	char			 where[128];

	t->source = MANIFEST_SOURCE_EDIFACT;
	w = manifest_wagon_add(t, S(t, "218124712174"));
	w->src.index = 12;
	w->src.offset = 400;
	memcpy(w->src.tag, "EQD", 4);
	manifest_container_add(t, w, S(t, "CSQU3054384"));
	manifest_container_add(t, NULL, S(t, "MWCU6059784"));
	it = manifest_item_add(t, manifest_consignment_add(t));
	it->seq = 7;
	p = manifest_item_add_placement(t, it);
	manifest_placement_set_number(p, S(t, "TGHU0000000"));
	it->src = (struct manifest_src){ 1100, 29, "GID" };
	manifest_placement_set_src(it, p, &(struct manifest_src){ 1200, 30,
	    "SGP" });
	manifest_train_finish(t);

	d = diag_list_find(&t->diags, "WAGON_CHECK_DIGIT");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->severity, DIAG_ERROR);
	CU_ASSERT_STRING_EQUAL(diag_format_where(&d->loc, where, sizeof where),
	    "segment 12 (EQD), byte 400");
	CU_ASSERT_PTR_NOT_NULL(strstr(d->message, "expected 3"));
	CU_ASSERT_PTR_NOT_NULL(diag_list_find(&t->diags, "CONTAINER_CHECK_DIGIT"));
	CU_ASSERT_PTR_NOT_NULL(diag_list_find(&t->diags, "CONTAINER_NO_WAGON"));
	d = diag_list_find(&t->diags, "UNKNOWN_EQUIPMENT");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->loc.segment, 30);
	CU_ASSERT_EQUAL(d->loc.offset, 1200);
	CU_ASSERT_STRING_EQUAL(d->loc.tag, "SGP");
	CU_ASSERT_PTR_NOT_NULL(strstr(d->message, "TGHU0000000"));
	CU_ASSERT_PTR_NOT_NULL(diag_list_find(&t->diags, "HS_MISSING"));
	CU_ASSERT_PTR_NULL(diag_list_find(&t->diags, "EMPTY_TRAIN"));
	manifest_train_free(t);

	t = manifest_train_new();
	manifest_train_finish(t);
	CU_ASSERT_PTR_NOT_NULL(diag_list_find(&t->diags, "EMPTY_TRAIN"));
	manifest_train_free(t);
}

/* An item on two containers of one wagon counts once there, and on both wagons. */
static void
t_model_item_on_two_wagons(void)
{
	struct manifest_train	*t = manifest_train_new();
	struct manifest_wagon	*w1, *w2;
	struct manifest_item	*it;

	w1 = manifest_wagon_add(t, S(t, "218124712173"));
	w2 = manifest_wagon_add(t, S(t, "518008430010"));
	manifest_container_add(t, w1, S(t, "CSQU3054383"));
	manifest_container_add(t, w1, S(t, "MWCU6059784"));
	it = manifest_item_add(t, manifest_consignment_add(t));
	manifest_placement_set_number(manifest_item_add_placement(t, it),
	    S(t, "CSQU3054383"));
	manifest_placement_set_number(manifest_item_add_placement(t, it),
	    S(t, "MWCU6059784"));
	manifest_placement_set_number(manifest_item_add_placement(t, it),
	    S(t, "518008430010"));
	manifest_train_finish(t);
	CU_ASSERT_EQUAL(w1->nitems, 1);
	CU_ASSERT_EQUAL(w2->nitems, 1);
	CU_ASSERT_PTR_EQUAL(w2->items[0], it);
	manifest_train_free(t);
}

/* A million small allocations live in one arena and go in one free. */
static void
t_model_arena_bulk(void)
{
	struct arena	*a = arena_new();
	size_t		 i, misaligned = 0;
	char		*p = NULL, *big;

	for (i = 0; i < 1000000; i++) {
		p = arena_alloc(a, 24);
		memset(p, (int)(i & 0xff), 24);
		misaligned += ((uintptr_t)p) % sizeof(void *) != 0;
	}
	CU_ASSERT_EQUAL(misaligned, 0);
	CU_ASSERT_EQUAL((unsigned char)p[23], (999999 & 0xff));
	big = arena_zalloc(a, 10 << 20);
	CU_ASSERT_EQUAL(big[(10 << 20) - 1], 0);
	CU_ASSERT(arena_bytes(a) >= 24000000 + (10 << 20));
	CU_ASSERT(arena_bytes(a) < 2 * (24000000 + (10 << 20)));
	arena_free(a);
}

/* The string map finds what it stored, across growth. */
static void
t_model_strmap(void)
{
	struct strmap	*m = strmap_new();
	char		 keys[5000][16];
	int		 i;

	for (i = 0; i < 5000; i++) {
		snprintf(keys[i], sizeof keys[i], "W%011d", i);
		strmap_put(m, keys[i], &keys[i]);
	}
	CU_ASSERT_EQUAL(strmap_count(m), 5000);
	for (i = 0; i < 5000; i++)
		CU_ASSERT_PTR_EQUAL(strmap_get(m, keys[i]), &keys[i]);
	CU_ASSERT_PTR_NULL(strmap_get(m, "W99999999999"));
	CU_ASSERT_PTR_EQUAL(strmap_getn(m, "W00000000042xyz", 12), &keys[42]);
	strmap_put(m, keys[1], NULL);
	CU_ASSERT_PTR_NULL(strmap_get(m, keys[1]));
	CU_ASSERT_EQUAL(strmap_count(m), 5000);
	strmap_free(m);
}

/*
 * Keys of every length up to 48, and for each one a key differing in a
 * single byte at every position: the hash reads short keys in
 * overlapping words, and no byte may be left out of it or of the
 * comparison.
 */
static void
t_model_strmap_every_byte(void)
{
	struct strmap	*m = strmap_new();
	static char	 keys[49][49][49];
	size_t		 len, pos, n = 0;

	for (len = 0; len <= 48; len++)
		for (pos = 0; pos <= len; pos++) {
			char *k = keys[len][pos];

			memset(k, 'a', len);
			k[len] = '\0';
			if (pos < len)
				k[pos] = 'b';	/* pos == len: all 'a' */
			strmap_put(m, k, k);
			n++;
		}
	CU_ASSERT_EQUAL(strmap_count(m), n);
	for (len = 0; len <= 48; len++)
		for (pos = 0; pos <= len; pos++)
			CU_ASSERT_PTR_EQUAL(strmap_getn(m, keys[len][pos], len),
			    keys[len][pos]);
	CU_ASSERT_PTR_NULL(strmap_getn(m, "c", 1));
	CU_ASSERT_PTR_NULL(strmap_getn(m, "aaaaaaaaaaaaaaaaaaac", 20));
	strmap_free(m);
}

/*
 * Shared strings: equal text is one copy however it is reached -- through
 * the cache of recent strings or the train's map -- and strings the cache
 * cannot tell apart by length and end bytes stay distinct.
 */
static void
t_model_str_shared_recent(void)
{
	struct manifest_train	*t = manifest_train_new();
	const char		*first[200], *s;
	char			 text[16];
	int			 i, round;

	for (round = 0; round < 2; round++)
		for (i = 0; i < 200; i++) {
			/* Same length, first and last byte: "A000Z" to "A199Z". */
			snprintf(text, sizeof text, "A%03dZ", i);
			s = manifest_str(t, text, strlen(text));
			CU_ASSERT_STRING_EQUAL(s, text);
			if (round == 0)
				first[i] = s;
			else
				CU_ASSERT_PTR_EQUAL(s, first[i]);
		}
	/* Trimmed text is the same string as the untrimmed one. */
	CU_ASSERT_PTR_EQUAL(manifest_str(t, " A007Z\t", 7), first[7]);
	/* Long shared text (past the words the cache compares). */
	s = manifest_str_shared(t, "Refined copper cathodes, grade A", 32);
	CU_ASSERT_PTR_EQUAL(manifest_str_shared(t,
	    "Refined copper cathodes, grade A", 32), s);
	CU_ASSERT_PTR_NOT_EQUAL(manifest_str_shared(t,
	    "Refined copper cathodes, grade B", 32), s);
	/* One to three bytes: every byte counts. */
	CU_ASSERT_STRING_EQUAL(manifest_str(t, "ABC", 3), "ABC");
	CU_ASSERT_STRING_EQUAL(manifest_str(t, "AXC", 3), "AXC");
	CU_ASSERT_PTR_EQUAL(manifest_str(t, "ABC", 3), manifest_str(t, "ABC", 3));
	manifest_train_free(t);
}

/* The diagnostic list caps what it keeps but counts everything. */
static void
t_model_diag_limit(void)
{
	struct diag_list	l, copy;
	struct diag_loc		loc = diag_loc_line("r.rules", 3, 14);
	char			line[256];
	int			i;

	diag_list_init(&l, 10);
	for (i = 0; i < 25; i++)
		diag_add(&l, i % 2 ? DIAG_WARNING : DIAG_ERROR, "X", &loc, "n%d", i);
	CU_ASSERT_EQUAL(l.n, 10);
	CU_ASSERT_EQUAL(l.dropped, 15);
	CU_ASSERT_EQUAL(l.errors, 13);
	CU_ASSERT_EQUAL(l.warnings, 12);
	CU_ASSERT_STRING_EQUAL(diag_format(&l.v[1], line, sizeof line),
	    "warning X at r.rules:3:14: n1");
	diag_list_init(&copy, 0);
	diag_list_append(&copy, &l);
	CU_ASSERT_EQUAL(copy.n, 10);
	CU_ASSERT_EQUAL(copy.errors, 13);
	CU_ASSERT_EQUAL(copy.warnings, 12);
	CU_ASSERT_EQUAL(copy.dropped, 15);
	diag_list_clear(&copy);
	diag_list_clear(&l);
	CU_ASSERT_EQUAL(l.n, 0);
	CU_ASSERT_FALSE(diag_list_has_errors(&l));
	/* Rewound to a mark: what came after it is taken back, counts too
	 * (the XML reader takes back a batch libxml2 failed in). */
	diag_add(&l, DIAG_WARNING, "A", &loc, "kept");
	copy = l;
	for (i = 0; i < 25; i++)
		diag_add(&l, DIAG_ERROR, "B", &loc, "taken back %d", i);
	diag_list_rewind(&l, &copy);
	CU_ASSERT_EQUAL(l.n, 1);
	CU_ASSERT_EQUAL(l.dropped, 0);
	CU_ASSERT_EQUAL(l.warnings, 1);
	CU_ASSERT_FALSE(diag_list_has_errors(&l));
	diag_add(&l, DIAG_ERROR, "C", &loc, "after");
	CU_ASSERT_EQUAL(l.n, 2);
	CU_ASSERT_STRING_EQUAL(l.v[1].code, "C");
	diag_list_clear(&l);
}

/* A NUL inside a value is U+FFFD, not the end of the string. */
static void
t_model_str_nul_not_truncated(void)
{
	struct manifest_train	*t = manifest_train_new();

	CU_ASSERT_STRING_EQUAL(manifest_str(t, "X92\0 06", 7),
	    "X92\xef\xbf\xbd 06");
	CU_ASSERT_STRING_EQUAL(manifest_str_shared(t, "\0AB", 3),
	    "\xef\xbf\xbd" "AB");
	CU_ASSERT_STRING_EQUAL(manifest_str(t, " A\0\xff ", 5),
	    "A\xef\xbf\xbd\xef\xbf\xbd");
	manifest_train_free(t);
}

/* Printable text: UTF-8 with no C0, DEL or C1; the rest as \xNN. */
static void
t_model_text_printable(void)
{
	static const struct { const char *in; size_t len; const char *out; } v[] = {
		{ "plain", 5, "plain" },
		{ "\xd0\x96\xe2\x82\xac\xf0\x9f\x9a\x82", 9,
		    "\xd0\x96\xe2\x82\xac\xf0\x9f\x9a\x82" },
		{ "a\nb\r\tc", 6, "a\\x0Ab\\x0D\\x09c" },
		{ "\x1b[2J\x7f", 5, "\\x1B[2J\\x7F" },
		{ "\xff\xfe\xfd", 3, "\\xFF\\xFE\\xFD" },
		{ "U\xffOC", 4, "U\\xFFOC" },
		{ "\xc3\x28", 2, "\\xC3(" },
		{ "\xc2\x85|\xc2\xa0", 5, "\\xC2\\x85|\xc2\xa0" },	/* C1 NEL, NBSP */
		{ "\xc0\xaf", 2, "\\xC0\\xAF" },			/* overlong '/' */
		{ "\xed\xa0\x80", 3, "\\xED\\xA0\\x80" },		/* a surrogate */
		{ "\xf4\x90\x80\x80", 4, "\\xF4\\x90\\x80\\x80" },	/* past U+10FFFF */
		{ "\xe2\x82", 2, "\\xE2\\x82" },			/* cut short */
		{ "a\0b", 3, "a\\x00b" },
		{ "\\x41", 4, "\\x41" },				/* text as it is */
	};
	struct buf	b = { 0 };
	size_t		i;
	char		*s;

	for (i = 0; i < nitems(v); i++) {
		buf_reset(&b);
		buf_add_printable(&b, v[i].in, v[i].len);
		CU_ASSERT_STRING_EQUAL(b.data, v[i].out);
		CU_ASSERT_EQUAL(text_printable_span(b.data, b.len), b.len);
		CU_ASSERT_EQUAL(text_printable_span(v[i].in, v[i].len) == v[i].len,
		    strcmp(v[i].in, v[i].out) == 0 && strlen(v[i].in) == v[i].len);
	}
	buf_free(&b);
	s = xstrdup_printable("");
	CU_ASSERT_STRING_EQUAL(s, "");
	free(s);
	CU_ASSERT_TRUE(text_is_printable("X8024 \xd0\x96"));
	CU_ASSERT_FALSE(text_is_printable("X8024\n"));
	CU_ASSERT_EQUAL(utf8_sequence("\xf0\x9f\x9a\x82", 4), 4);
	CU_ASSERT_EQUAL(utf8_sequence("\xf0\x9f\x9a", 3), 0);
	CU_ASSERT_EQUAL(utf8_sequence("\x80", 1), 0);
}

/* Every string a diagnostic keeps is printable, whatever the caller gave. */
static void
t_model_diag_printable(void)
{
	struct diag_list	l;
	struct diag_loc		loc = diag_loc_segment(4, NULL, 107);
	char			line[256];

	loc.field = "F\xff";
	loc.file = "r\n.rules";
	diag_list_init(&l, 0);
	diag_add(&l, DIAG_ERROR, "BAD_TAG", &loc, "tag \"%.*s\"", 6,
	    "\xff\xfe\xfd+1'");
	CU_ASSERT_STRING_EQUAL(l.v[0].message, "tag \"\\xFF\\xFE\\xFD+1'\"");
	CU_ASSERT_STRING_EQUAL(l.v[0].loc.field, "F\\xFF");
	CU_ASSERT_STRING_EQUAL(l.v[0].loc.file, "r\\x0A.rules");
	CU_ASSERT_STRING_EQUAL(diag_format(&l.v[0], line, sizeof line),
	    "error BAD_TAG at r\\x0A.rules, segment 4, byte 107, F\\xFF: tag "
	    "\"\\xFF\\xFE\\xFD+1'\"");
	/* Printable text is kept as it is. */
	diag_add(&l, DIAG_WARNING, "X", NULL, "\xd0\x96 ok");
	CU_ASSERT_STRING_EQUAL(l.v[1].message, "\xd0\x96 ok");
	diag_list_clear(&l);
}

/* A byte of no UTF-8 sequence is U+FFFD in JSON: JSON text is UTF-8. */
static void
t_model_json_not_utf8(void)
{
	struct buf	b = { 0 };

	json_escape(&b, "a\xff" "b\xc3\x28\xe2\x82\xac\xed\xa0\x80", 11);
	CU_ASSERT_STRING_EQUAL(b.data, "\"a\\ufffdb\\ufffd(\xe2\x82\xac"
	    "\\ufffd\\ufffd\\ufffd\"");
	buf_free(&b);
}

/* Diagnostics of code in t. */
static size_t
count_code(const struct manifest_train *t, const char *code)
{
	size_t	i, n = 0;

	for (i = 0; i < t->diags.n; i++)
		n += strcmp(t->diags.v[i].code, code) == 0;
	return n;
}

/*
 * Tracking numbers: bad shapes are TRACKING_NUMBER errors; 100 e-commerce
 * consignments of 1,000 items without numbers give 100 TRACKING_MISSING
 * (one each, with the count), not 100,000; a number on two items of
 * different consignments is one TRACKING_DUPLICATE at the second, and
 * it is written last in the item's canonical JSON.
 */
static void
t_model_tracking_checks(void)
{
	static const char *bad[] = { "LX 123", "LX\t1", "123456789012345678901234567890123456",
	    "Ж123" };
	struct manifest_train		*t = manifest_train_new();
	struct manifest_consignment	*k;
	struct manifest_item		*it;
	const struct diag		*d;
	struct buf			 b = { 0 };
	size_t				 i, j;

	manifest_wagon_add(t, S(t, "335279521132"));
	for (i = 0; i < 100; i++) {
		k = manifest_consignment_add(t);
		k->procedure = MANIFEST_PROC_ECOMMERCE;
		for (j = 0; j < 1000; j++)
			manifest_item_add(t, k)->seq = (uint32_t)j + 1;
	}
	k = manifest_consignment_add(t);
	k->ref = S(t, "C-TRACK");
	for (i = 0; i < nitems(bad); i++)
		manifest_item_add(t, k)->tracking = S(t, bad[i]);
	it = manifest_item_add(t, k);
	it->seq = 7;
	it->tracking = S(t, "LX123456785CN");
	it = manifest_item_add(t, t->consignments[0]);
	it->seq = 1001;
	it->tracking = S(t, "AB1");
	it = manifest_item_add(t, k);
	it->seq = 9;
	it->tracking = S(t, "AB1");
	manifest_train_finish(t);
	CU_ASSERT_EQUAL(count_code(t, "TRACKING_NUMBER"), nitems(bad));
	CU_ASSERT_EQUAL(count_code(t, "TRACKING_MISSING"), 100);
	d = diag_list_find(&t->diags, "TRACKING_MISSING");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_PTR_NOT_NULL(strstr(d->message, "1000 of the 1001 goods items"));
	CU_ASSERT_EQUAL(count_code(t, "TRACKING_DUPLICATE"), 1);
	d = diag_list_find(&t->diags, "TRACKING_DUPLICATE");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->severity, DIAG_WARNING);
	CU_ASSERT_PTR_NOT_NULL(strstr(d->message, "goods item 9 of C-TRACK: "
	    "tracking number AB1 also on goods item 1001 of (no reference)"));
	manifest_json_write(t, 0, &b);
	CU_ASSERT_PTR_NOT_NULL(strstr(b.data, "\"placement\":[],"
	    "\"tracking\":\"LX123456785CN\"}"));
	buf_free(&b);
	manifest_train_free(t);
}

/*
 * A million-parcel train holds a million goods items: the item's layout
 * has no hole (model.h), and the tracking place round-trips through its
 * 8-byte form.
 */
static void
t_model_item_size_and_tracking_src(void)
{
	struct manifest_train		*t = manifest_train_new();
	struct manifest_item		*it;
	struct manifest_src		 at = { 1000, 7, "GID" }, src;

	if (sizeof(void *) == 8) {
		CU_ASSERT(sizeof(struct manifest_item) <= 152);
		CU_ASSERT(sizeof(struct manifest_placement) <= 24);
	}
	t->source = MANIFEST_SOURCE_EDIFACT;
	it = manifest_item_add(t, manifest_consignment_add(t));
	src = manifest_item_tracking_src(t, it);
	CU_ASSERT_EQUAL(src.index, 0);
	CU_ASSERT_EQUAL(src.offset, DIAG_NO_OFFSET);
	it->src = at;
	at.offset = 1040;
	at.index = 9;
	manifest_item_set_tracking_src(it, &at);
	src = manifest_item_tracking_src(t, it);
	CU_ASSERT_EQUAL(src.index, 9);
	CU_ASSERT_EQUAL(src.offset, 1040);
	CU_ASSERT_STRING_EQUAL(src.tag, "PCI");
	/* Before the item, or unknown: the segment is still named. */
	at.offset = 10;
	manifest_item_set_tracking_src(it, &at);
	src = manifest_item_tracking_src(t, it);
	CU_ASSERT_EQUAL(src.index, 9);
	CU_ASSERT_EQUAL(src.offset, DIAG_NO_OFFSET);
	manifest_train_free(t);
}

/*
 * A placement's number, place and resolution share 24 bytes: its byte
 * offset and what it holds are packed in one word, and neither
 * overwrites the other -- set before or after manifest_train_finish()
 * resolves it to a container, a wagon, or neither.  An offset a
 * gigabyte past its item's is not known rather than wrong.
 */
static void
t_model_placement_packed(void)
{
	struct manifest_train		*t = manifest_train_new();
	struct manifest_consignment	*cs = manifest_consignment_add(t);
	struct manifest_wagon		*w = manifest_wagon_add(t, "518008430010");
	struct manifest_container	*c = manifest_container_add(t, w,
					    "CSQU3054383");
	struct manifest_item		*it = manifest_item_add(t, cs);
	struct manifest_placement	*p[3];
	struct manifest_src		 at = { 1000, 7, "GID" }, src;
	const char			*num[3] = { "CSQU3054383", "518008430010",
					    "TGHU0000000" };
	int				 k;

	t->source = MANIFEST_SOURCE_EDIFACT;
	t->id = "X1";
	it->src = at;
	for (k = 0; k < 3; k++) {
		p[k] = manifest_item_add_placement(t, it);
		at.offset = 1000 + 40 * (uint64_t)(k + 1);
		at.index = (uint32_t)(8 + k);
		manifest_placement_set_src(it, p[k], &at);
		manifest_placement_set_number(p[k], num[k]);
	}
	CU_ASSERT_EQUAL(manifest_placement_on(p[0]), MANIFEST_ON_NUMBER);
	manifest_train_finish(t);
	CU_ASSERT_EQUAL(manifest_placement_on(p[0]), MANIFEST_ON_CONTAINER);
	CU_ASSERT_PTR_EQUAL(manifest_placement_container(p[0]), c);
	CU_ASSERT_PTR_EQUAL(manifest_placement_wagon(p[0]), w);
	CU_ASSERT_EQUAL(manifest_placement_on(p[1]), MANIFEST_ON_WAGON);
	CU_ASSERT_PTR_NULL(manifest_placement_container(p[1]));
	CU_ASSERT_PTR_EQUAL(manifest_placement_wagon(p[1]), w);
	CU_ASSERT_EQUAL(manifest_placement_on(p[2]), MANIFEST_ON_NUMBER);
	CU_ASSERT_PTR_NULL(manifest_placement_wagon(p[2]));
	CU_ASSERT_PTR_NOT_NULL(diag_list_find(&t->diags, "UNKNOWN_EQUIPMENT"));
	for (k = 0; k < 3; k++) {
		CU_ASSERT_STRING_EQUAL(manifest_placement_equipment(p[k]), num[k]);
		src = manifest_placement_src(t, it, p[k]);
		CU_ASSERT_EQUAL(src.offset, 1000 + 40 * (uint64_t)(k + 1));
		CU_ASSERT_EQUAL(src.index, (uint32_t)(8 + k));
		CU_ASSERT_STRING_EQUAL(src.tag, "SGP");
	}
	/* A place set after the resolution keeps it; too far is unknown. */
	at.offset = 1000 + ((uint64_t)1 << 30);
	manifest_placement_set_src(it, p[0], &at);
	CU_ASSERT_PTR_EQUAL(manifest_placement_container(p[0]), c);
	CU_ASSERT_EQUAL(manifest_placement_src(t, it, p[0]).offset,
	    DIAG_NO_OFFSET);
	at.offset = 1000 + ((uint64_t)1 << 30) - 2;
	manifest_placement_set_src(it, p[1], &at);
	CU_ASSERT_EQUAL(manifest_placement_src(t, it, p[1]).offset, at.offset);
	CU_ASSERT_PTR_EQUAL(manifest_placement_wagon(p[1]), w);
	manifest_train_free(t);
}

static CU_TestInfo model_tests[] = {
	{ "t_model_placement_packed", t_model_placement_packed },
	{ "t_model_tracking_checks", t_model_tracking_checks },
	{ "t_model_item_size_and_tracking_src", t_model_item_size_and_tracking_src },
	{ "t_model_json_byte_stable", t_model_json_byte_stable },
	{ "t_model_json_roundtrip", t_model_json_roundtrip },
	{ "t_model_json_escapes", t_model_json_escapes },
	{ "t_model_str_normalises", t_model_str_normalises },
	{ "t_model_finish_links_and_checks", t_model_finish_links_and_checks },
	{ "t_model_item_shapes_said", t_model_item_shapes_said },
	{ "t_model_finish_diagnostics", t_model_finish_diagnostics },
	{ "t_model_item_on_two_wagons", t_model_item_on_two_wagons },
	{ "t_model_arena_bulk", t_model_arena_bulk },
	{ "t_model_strmap", t_model_strmap },
	{ "t_model_strmap_every_byte", t_model_strmap_every_byte },
	{ "t_model_str_shared_recent", t_model_str_shared_recent },
	{ "t_model_diag_limit", t_model_diag_limit },
	{ "t_model_str_nul_not_truncated", t_model_str_nul_not_truncated },
	{ "t_model_text_printable", t_model_text_printable },
	{ "t_model_diag_printable", t_model_diag_printable },
	{ "t_model_json_not_utf8", t_model_json_not_utf8 },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("model", NULL, NULL, model_tests)
