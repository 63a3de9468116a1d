/*
 * test_json_escape.c -- manifest/jsonw.c's json_escape, which skips plain
 * text eight bytes at a time, escapes exactly as the byte-by-byte rules
 * (reference() here): every control, '"', '\\', valid UTF-8 kept,
 * invalid bytes as U+FFFD, wherever they fall in a word; and
 * manifest/json.c's goods item, written in one reservation when its
 * strings are plain, writes the bytes the writer writes member by
 * member: every item of generated trains, and items with every field
 * absent, empty, negative or needing an escape; and the strings it
 * recalls by address write what measuring them anew writes.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/arena.h"
#include "manifest/gen.h"
#include "manifest/json.h"
#include "manifest/jsonw.h"
#include "manifest/model.h"
#include "manifest/util.h"

#include "unit.h"

/* The rules one byte at a time. */
static void
reference(struct buf *b, const char *s, size_t len)
{
	size_t	i, k;

	buf_add_char(b, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80 && (k = utf8_sequence(s + i, len - i)) != 0) {
			buf_add(b, s + i, k);
			i += k - 1;
		} else if (c >= 0x80)
			buf_add_str(b, "\\ufffd");
		else if (c == '"' || c == '\\') {
			buf_add_char(b, '\\');
			buf_add_char(b, (char)c);
		} else if (c == '\b' || c == '\f' || c == '\n' || c == '\r' ||
		    c == '\t') {
			buf_add_char(b, '\\');
			buf_add_char(b, c == '\b' ? 'b' : c == '\f' ? 'f' :
			    c == '\n' ? 'n' : c == '\r' ? 'r' : 't');
		} else if (c < 0x20)
			buf_printf(b, "\\u%04x", c);
		else
			buf_add_char(b, (char)c);
	}
	buf_add_char(b, '"');
}

static void
t_json_escape_as_byte_by_byte(void)
{
	static const char *const pieces[] = { "a", "Zz09 ~", "\x7f", "\"",
	    "\\", "\n", "\x01", "\x1f", "\xc3\xa9", "\xe4\xb8\xad", "\xf0\x9f\x9a\x82",
	    "\xff", "\xc3", "\xe4\xb8", "\x80", "plain text of a wagon " };
	struct buf	 s = { 0 }, got = { 0 }, want = { 0 };
	unsigned	 seed = 7, n, k;
	int		 bad = 0;

	for (n = 0; n < 20000; n++) {
		s.len = 0;
		for (k = seed % 9; k > 0; k--) {
			seed = seed * 1103515245u + 12345u;
			buf_add_str(&s, pieces[(seed >> 16) %
			    (sizeof pieces / sizeof *pieces)]);
		}
		seed = seed * 1103515245u + 12345u;
		got.len = want.len = 0;
		json_escape(&got, s.data != NULL ? s.data : "", s.len);
		reference(&want, s.data != NULL ? s.data : "", s.len);
		bad += got.len != want.len || memcmp(got.data, want.data,
		    got.len) != 0;
	}
	CU_ASSERT_EQUAL(bad, 0);
	buf_free(&s);
	buf_free(&got);
	buf_free(&want);
}

/* it's members both ways, after another member or first: the same. */
static bool
item_both_ways(const struct manifest_item *it)
{
	struct buf	a = { 0 }, b = { 0 };
	struct jsonw	wa, wb;
	bool		same;
	int		first;

	for (first = 0; first < 2; first++) {
		jsonw_init(&wa, &a);
		jsonw_init(&wb, &b);
		jsonw_object_begin(&wa);
		jsonw_object_begin(&wb);
		if (!first) {
			jsonw_kv_int(&wa, "before", 1);
			jsonw_kv_int(&wb, "before", 1);
		}
		manifest_item_write_members(&wa, it);
		manifest_item_write_members_escaped(&wb, it);
		jsonw_kv_int(&wa, "after", 2);
		jsonw_kv_int(&wb, "after", 2);
		jsonw_object_end(&wa);
		jsonw_object_end(&wb);
	}
	same = a.len == b.len && memcmp(a.data, b.data, a.len) == 0 &&
	    strlen(a.data) == a.len;
	if (!same)
		fprintf(stderr, "\n%s\n%s\n", a.data, b.data);
	buf_free(&a);
	buf_free(&b);
	return same;
}

static void
t_json_item_members_as_the_writer(void)
{
	struct gen_options	 o = { 5, 3000, 11, true, 0, NULL };
	struct manifest_train	*t;
	struct manifest_consignment *c;
	struct manifest_item	*it;
	struct manifest_document *d;
	struct manifest_placement *pl;
	size_t			 i, k, bad = 0;
	int			 ecommerce;

	for (ecommerce = 0; ecommerce < 2; ecommerce++) {
		o.ecommerce = ecommerce;
		t = gen_train(&o);
		for (i = 0; i < t->nconsignments; i++)
			for (k = 0; k < t->consignments[i]->nitems; k++)
				bad += !item_both_ways(
				    t->consignments[i]->items[k]);
		manifest_train_free(t);
	}
	CU_ASSERT_EQUAL(bad, 0);

	t = manifest_train_new();
	c = manifest_consignment_add(t);
	it = manifest_item_add(t, c);		/* every number absent */
	CU_ASSERT_TRUE(item_both_ways(it));
	it->seq = 4294967295u;
	it->hs = "";
	it->description = "";
	it->packages = -3;
	it->gross_kg = -1500;
	it->net_kg = 1;
	it->value = INT64_MAX;
	it->currency = "USD";
	it->tracking = "";
	d = manifest_item_add_document(t, it);	/* no type, no id */
	d = manifest_item_add_document(t, it);
	d->type = "380";
	d->id = "INV 1/2";
	pl = manifest_item_add_placement(t, it);	/* no equipment */
	pl = manifest_item_add_placement(t, it);
	manifest_placement_set_number(pl, "MSCU1234565");
	pl->packages = 0;
	CU_ASSERT_TRUE(item_both_ways(it));
	it->description = "Tyres \"R17\", 4\\set";	/* escapes: the writer's way */
	CU_ASSERT_TRUE(item_both_ways(it));
	it->description = "Шины";
	CU_ASSERT_TRUE(item_both_ways(it));
	it->description = "ok";
	d->id = "tab\there";
	CU_ASSERT_TRUE(item_both_ways(it));
	manifest_train_free(t);
}

/*
 * The string the k-th use draws from pool: the pool's own copy (the same
 * address at every use, as the model's shared strings), or a fresh one.
 */
static const char *
drawn(struct manifest_train *t, const char *const *pool, size_t n,
    unsigned k, bool fresh)
{
	const char	*s = pool[(k * 37u + k / 100) % n];

	return fresh ? arena_strndup(t->arena, s, strlen(s)) : s;
}

/*
 * A train of 600 items on one wagon whose strings come from a pool of 100
 * -- more than the writer recalls at once, some needing an escape, some
 * not ASCII -- at the same addresses again and again, or (fresh) each use
 * a copy of its own, which the writer can only measure.
 */
static struct manifest_train *
pooled_train(bool fresh)
{
	static char		 pool_text[100][40];
	static const char	*pool[100];
	struct manifest_train	*t = manifest_train_new();
	struct manifest_consignment *c = manifest_consignment_add(t);
	struct manifest_item	*it;
	struct manifest_document *d;
	unsigned		 i, k = 0;

	for (i = 0; i < 100; i++) {
		snprintf(pool_text[i], sizeof pool_text[i], i % 10 == 3 ?
		    "Tyres \"R%u\"" : i % 10 == 7 ? "tab\there %u" :
		    i % 10 == 5 ? "Шины %u" : "plain goods %u", i);
		pool[i] = pool_text[i];
	}
	manifest_wagon_add(t, "W1");
	t->id = "T1";
	for (i = 0; i < 600; i++) {
		it = manifest_item_add(t, c);
		it->seq = i + 1;
		it->hs = drawn(t, pool, 100, k++, fresh);
		it->description = drawn(t, pool, 100, k++, fresh);
		it->package_type = drawn(t, pool, 100, k++, fresh);
		it->currency = drawn(t, pool, 100, k++, fresh);
		it->origin = drawn(t, pool, 100, k++, fresh);
		it->tracking = drawn(t, pool, 100, k++, fresh);
		d = manifest_item_add_document(t, it);
		d->type = drawn(t, pool, 100, k++, fresh);
		d->id = drawn(t, pool, 100, k++, fresh);
		manifest_placement_set_number(manifest_item_add_placement(t, it),
		    fresh ? arena_strndup(t->arena, "W1", 2) : "W1");
	}
	manifest_train_finish(t);
	return t;
}

/*
 * The item writer recalls the strings it met (json.c, struct item_seen):
 * a train whose items share their strings' addresses is written, whole
 * and as its wagon's contents, byte for byte as one whose every string
 * is a copy of its own.
 */
static void
t_json_items_recalled_as_measured(void)
{
	struct manifest_train	*a = pooled_train(false);
	struct manifest_train	*b = pooled_train(true);
	struct buf		 ja = { 0 }, jb = { 0 };

	CU_ASSERT_EQUAL_FATAL(a->nwagons, 1);
	CU_ASSERT_EQUAL(a->wagons[0]->nitems, 600);
	manifest_json_write(a, 0, &ja);
	manifest_json_write(b, 0, &jb);
	CU_ASSERT_TRUE(ja.len == jb.len &&
	    memcmp(ja.data, jb.data, ja.len) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(ja.data, "\"Tyres \\\"R3\\\"\""));
	ja.len = jb.len = 0;
	manifest_wagon_contents_write(a->wagons[0], &ja);
	manifest_wagon_contents_write(b->wagons[0], &jb);
	CU_ASSERT_TRUE(ja.len == jb.len &&
	    memcmp(ja.data, jb.data, ja.len) == 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(ja.data, "tab\\there"));
	buf_free(&ja);
	buf_free(&jb);
	manifest_train_free(a);
	manifest_train_free(b);
}

static CU_TestInfo json_escape_tests[] = {
	{ "t_json_escape_as_byte_by_byte", t_json_escape_as_byte_by_byte },
	{ "t_json_item_members_as_the_writer",
	  t_json_item_members_as_the_writer },
	{ "t_json_items_recalled_as_measured",
	  t_json_items_recalled_as_measured },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("json_escape", NULL, NULL, json_escape_tests)
