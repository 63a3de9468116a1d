/*
 * test_contents.c -- what a replacement is compared by (manifest/json.c,
 * manifest_wagon_contents_write() and manifest_train_contents_write();
 * issue 18, item 6): every change to a wagon's goods, containers or
 * seals changes that wagon's contents and no other's; a change to the
 * train around the wagons changes the train's; the message's own fields
 * change nothing.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/input.h"
#include "manifest/gen.h"
#include "manifest/json.h"
#include "manifest/model.h"
#include "manifest/util.h"

#include "unit.h"

#define NWAGONS	3

/* The contents of the fixture's wagons and train, after one edit. */
struct contents {
	char	*wagon[NWAGONS];
	char	*train;
};

/* Replaces from (after the first after) by to, in a copy of data. */
static char *
edited(const char *data, const char *after, const char *from, const char *to)
{
	struct buf	 b = { 0 };
	const char	*p = after != NULL ? strstr(data, after) : data;

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	p = strstr(p, from);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	buf_add(&b, data, (size_t)(p - data));
	buf_add_str(&b, to);
	buf_add_str(&b, p + strlen(from));
	buf_add(&b, "", 1);
	return b.data;
}

static void
contents_of(const char *data, struct contents *c)
{
	struct input_options	 opt = { 0 };
	struct manifest_train	*t = NULL;
	struct buf		 b;
	size_t			 i;

	CU_ASSERT_EQUAL_FATAL(input_parse(data, strlen(data), &opt, &t), 0);
	CU_ASSERT_EQUAL_FATAL(t->nwagons, NWAGONS);
	for (i = 0; i < NWAGONS; i++) {
		memset(&b, 0, sizeof b);
		manifest_wagon_contents_write(t->wagons[i], &b);
		buf_add(&b, "", 1);
		c->wagon[i] = b.data;
	}
	memset(&b, 0, sizeof b);
	manifest_train_contents_write(t, &b);
	buf_add(&b, "", 1);
	c->train = b.data;
	manifest_train_free(t);
}

static void
contents_free(struct contents *c)
{
	size_t	i;

	for (i = 0; i < NWAGONS; i++)
		free(c->wagon[i]);
	free(c->train);
}

/*
 * The edit (after, from, to) changes exactly the wagons in want ("2",
 * "23", "" for none) and the train's contents if train.
 */
static void
expect(const char *data, const struct contents *base, const char *after,
    const char *from, const char *to, const char *want, bool train)
{
	struct contents	 c;
	char		*e = edited(data, after, from, to), got[NWAGONS + 1];
	size_t		 i, n = 0;

	contents_of(e, &c);
	for (i = 0; i < NWAGONS; i++)
		if (strcmp(c.wagon[i], base->wagon[i]) != 0)
			got[n++] = (char)('1' + i);
	got[n] = '\0';
	if (strcmp(got, want) != 0 || (strcmp(c.train, base->train) != 0) !=
	    train)
		fprintf(stderr, "\n%s -> %s: wagons \"%s\" changed, want "
		    "\"%s\"; train %s\n", from, to, got, want,
		    strcmp(c.train, base->train) != 0 ? "changed" : "same");
	CU_ASSERT_STRING_EQUAL(got, want);
	CU_ASSERT_EQUAL(strcmp(c.train, base->train) != 0, train);
	contents_free(&c);
	free(e);
}

static void
t_contents_follow_every_change(void)
{
	struct contents	 base;
	size_t		 len;
	char		*data = test_read_fixture(
			    "xml/cuscar_s3_alashankou.xml", &len);

	contents_of(data, &base);
	/* The goods on wagon 2: mass, value, HS code, description, origin,
	 * a document, the consignor. */
	expect(data, &base, "Fresh table grapes", ">8700<", ">8701<", "2",
	    false);
	expect(data, &base, "Fresh table grapes", ">15100<", ">15101<", "2",
	    false);
	expect(data, &base, NULL, ">080610<", ">080611<", "2", false);
	expect(data, &base, NULL, "Fresh table grapes", "Fresh table grapez",
	    "2", false);
	expect(data, &base, "Fresh table grapes", ">KZ<", ">UZ<", "2", false);
	expect(data, &base, NULL, "KZ-PHY-2026-3381", "KZ-PHY-2026-3382", "2",
	    false);
	expect(data, &base, NULL, "KZ050940001234", "KZ050940001235", "2",
	    false);
	/* Seals: a container's on wagon 1, wagon 1's own. */
	expect(data, &base, NULL, "CN0099812", "CN0099813", "1", false);
	expect(data, &base, NULL, "KZ1234567", "KZ1234568", "1", false);
	/* A container's mass on wagon 3. */
	expect(data, &base, "BMOU5330120", ">2200<", ">2300<", "3", false);
	/* Goods moved from wagon 2 to wagon 3: both changed. */
	expect(data, &base, "Fresh table grapes", "MSKU4412090", "BMOU5330120",
	    "23", false);
	/* The train around the wagons. */
	expect(data, &base, NULL, ">CNXIA<", ">CNURC<", "", true);
	/* The message's own fields: nothing. */
	expect(data, &base, NULL, "<FunctionCode>9<", "<FunctionCode>5<", "",
	    false);
	expect(data, &base, NULL, "KZ-KTZE-20261122-0007",
	    "KZ-KTZE-20261122-0008", "", false);
	contents_free(&base);
	free(data);
}

/* The streamed hash is the hash of the written bytes, wagon by wagon. */
static void
expect_streamed_hash(const struct manifest_train *t)
{
	struct buf	 b = { 0 };
	char		 want[65], got[65];
	size_t		 i;

	for (i = 0; i < t->nwagons; i++) {
		b.len = 0;
		manifest_wagon_contents_write(t->wagons[i], &b);
		sha256_hex(b.data, b.len, want);
		manifest_wagon_contents_sha256(t->wagons[i], got);
		CU_ASSERT_STRING_EQUAL(got, want);
	}
	buf_free(&b);
}

/*
 * manifest_wagon_contents_sha256() (what the daemon stores) hashes the
 * same bytes as manifest_wagon_contents_write(): on the fixture, and on
 * wagons of 2,000 parcels, whose JSON is flushed into the hash many
 * times over.
 */
static void
t_contents_sha256_streamed(void)
{
	struct gen_options	 go = { .wagons = 3, .items = 6000, .seed = 7,
				    .ecommerce = true };
	struct input_options	 opt = { 0 };
	struct manifest_train	*t = NULL;
	size_t			 len;
	char			*data = test_read_fixture(
				    "xml/cuscar_s3_alashankou.xml", &len);

	CU_ASSERT_EQUAL_FATAL(input_parse(data, len, &opt, &t), 0);
	expect_streamed_hash(t);
	manifest_train_free(t);
	free(data);
	t = gen_train(&go);
	CU_ASSERT_EQUAL(t->nitems, 6000);
	expect_streamed_hash(t);
	manifest_train_free(t);
}

static CU_TestInfo contents_tests[] = {
	{ "t_contents_follow_every_change", t_contents_follow_every_change },
	{ "t_contents_sha256_streamed", t_contents_sha256_streamed },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("contents", NULL, NULL, contents_tests)
