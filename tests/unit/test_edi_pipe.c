/*
 * test_edi_pipe.c -- the EDIFACT reader with its lexer on a second thread
 * (edi/lexpipe.c) gives what the one-thread reader gives: the same model,
 * the same diagnostics in the same order and places, the same return,
 * on damaged inputs above the two-thread threshold -- bad tags between
 * the segments (more of them than a batch holds, and more than the
 * diagnostics' limit), bad release characters, a segment past the
 * lexer's element and component limits, the input cut inside a segment;
 * and with the model's chunks prefaulted, on a train above that
 * threshold; the lexer thread does the reader's idle work while its
 * ring is full.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "edi/lexpipe.h"
#include "edi/reader.h"
#include "edi/writer.h"
#include "manifest/arena.h"
#include "manifest/gen.h"
#include "manifest/json.h"
#include "manifest/util.h"

#include "unit.h"

/* A clean CUSCAR train of about 3 MB (over EDI_PIPE_MIN_BYTES). */
static void
clean_train(struct buf *edi)
{
	struct gen_options	 g = { 20, 15000, 3, false };
	struct manifest_train	*src = gen_train(&g);

	edi_write_cuscar(src, NULL, edi);
	manifest_train_free(src);
	CU_ASSERT_FATAL(edi->len > 2 * EDI_PIPE_MIN_BYTES);
}

/* Inserts s before the segment that starts at or after offset at. */
static void
insert_at_segment(struct buf *b, size_t at, const char *s, size_t n)
{
	const char	*q = memchr(b->data + at, '\'', b->len - at);
	size_t		 pos;

	CU_ASSERT_FATAL(q != NULL);
	pos = (size_t)(q - b->data) + 1;
	while (pos < b->len && (b->data[pos] == '\r' || b->data[pos] == '\n'))
		pos++;
	buf_reserve(b, n);
	memmove(b->data + pos + n, b->data + pos, b->len - pos);
	memcpy(b->data + pos, s, n);
	b->len += n;
}

/* Reads data on threads threads: the train as JSON with its diagnostics. */
static int
read_json(const struct buf *edi, unsigned threads, struct buf *json,
    struct diag_list *counts)
{
	struct edi_read_options	 ro = { NULL, NULL, threads };
	struct manifest_train	*t = manifest_train_new();
	int			 rc;

	rc = edi_read_with(edi->data, edi->len, &ro, t);
	manifest_json_write(t, MANIFEST_JSON_DIAGNOSTICS, json);
	*counts = t->diags;
	counts->v = NULL;
	manifest_train_free(t);
	return rc;
}

/* One and two threads agree on edi; returns the diagnostics' counts. */
static struct diag_list
agree(const struct buf *edi, int want_rc)
{
	struct buf		 j1 = { 0 }, j2 = { 0 };
	struct diag_list	 c1, c2;
	int			 r1, r2;

	r1 = read_json(edi, 1, &j1, &c1);
	r2 = read_json(edi, 2, &j2, &c2);
	CU_ASSERT_EQUAL(r1, want_rc);
	CU_ASSERT_EQUAL(r1, r2);
	CU_ASSERT_EQUAL(c1.n, c2.n);
	CU_ASSERT_EQUAL(c1.errors, c2.errors);
	CU_ASSERT_EQUAL(c1.warnings, c2.warnings);
	CU_ASSERT_EQUAL(c1.dropped, c2.dropped);
	CU_ASSERT_EQUAL(j1.len, j2.len);
	CU_ASSERT(j1.len == j2.len && memcmp(j1.data, j2.data, j1.len) == 0);
	buf_free(&j1);
	buf_free(&j2);
	return c1;
}

/* Bad tags, bad release characters and an oversized segment, spread out. */
static void
t_edi_pipe_damaged_agrees(void)
{
	struct buf		 edi = { 0 }, junk = { 0 };
	struct diag_list	 c;
	int			 i;

	clean_train(&edi);
	/* 200 bad tags in a row: more than one batch's events. */
	for (i = 0; i < 200; i++)
		buf_add(&junk, "!x#+1'", 6);
	insert_at_segment(&edi, edi.len / 3, junk.data, junk.len);
	insert_at_segment(&edi, 1000, "12+3'\xff\xfe'", 8);
	/* A bad tag just before a segment the mapper warns about: each in
	 * its place, the lexer's diagnostic first. */
	insert_at_segment(&edi, edi.len / 2,
	    "!x#+1'FTX+AAA+++Bad ?release ?x'", 32);
	buf_reset(&junk);
	buf_add(&junk, "FTX+AAA", 7);
	for (i = 0; i < 60; i++)
		buf_add(&junk, "+a:b:c:d", 8);
	buf_add(&junk, "'", 1);
	insert_at_segment(&edi, edi.len * 2 / 3, junk.data, junk.len);
	c = agree(&edi, 0);
	CU_ASSERT(c.errors >= 202);
	buf_free(&junk);
	buf_free(&edi);
}

/* More bad tags than the diagnostics' limit: the same ones kept, the same dropped. */
static void
t_edi_pipe_diag_limit_agrees(void)
{
	struct buf		 edi = { 0 }, junk = { 0 };
	struct diag_list	 c;
	int			 i;

	clean_train(&edi);
	for (i = 0; i < 3000; i++)
		buf_add(&junk, "?!'", 3);
	insert_at_segment(&edi, edi.len / 4, junk.data, junk.len);
	c = agree(&edi, 0);
	CU_ASSERT(c.dropped >= 2000);
	buf_free(&junk);
	buf_free(&edi);
}

/* Cut inside a segment, at several places: TRUNCATED in its place. */
static void
t_edi_pipe_truncated_agrees(void)
{
	struct buf	 edi = { 0 };
	size_t		 full, cut[] = { 0, 0, 0 };
	unsigned	 k;

	clean_train(&edi);
	full = edi.len;
	cut[0] = full - 7;
	cut[1] = full / 2 + 5;
	cut[2] = EDI_PIPE_MIN_BYTES + 3;
	for (k = 0; k < 3; k++) {
		edi.len = cut[k];
		/* In a segment, not at its end: the byte before is no terminator. */
		while (edi.data[edi.len - 1] == '\'' || edi.data[edi.len - 1] == '\n')
			edi.len--;
		(void)agree(&edi, -1);
	}
	/* And garbage after the cut: no terminator until the end. */
	edi.len = full / 2;
	buf_add(&edi, "\x01\x02\x03 not edifact at all", 23);
	(void)agree(&edi, -1);
	buf_free(&edi);
}

/*
 * A train over EDI_PREFAULT_MIN_BYTES, read on one thread and with the
 * lexer's thread prefaulting (threads 0): the same JSON, diagnostics and
 * model size -- a chunk taken ready counts as one mapped in place.
 */
static void
t_edi_pipe_prefaulted_agrees(void)
{
	struct gen_options	 g = { 55, 60000, 5, false };
	struct manifest_train	*src = gen_train(&g), *t[2];
	struct edi_read_options	 ro[2] = { { NULL, NULL, 1 }, { NULL, NULL, 0 } };
	struct buf		 edi = { 0 }, json[2] = { { 0 }, { 0 } };
	int			 k, rc[2];

	edi_write_cuscar(src, NULL, &edi);
	manifest_train_free(src);
	CU_ASSERT_FATAL(edi.len > EDI_PREFAULT_MIN_BYTES);
	for (k = 0; k < 2; k++) {
		t[k] = manifest_train_new();
		rc[k] = edi_read_with(edi.data, edi.len, &ro[k], t[k]);
		manifest_json_write(t[k], MANIFEST_JSON_DIAGNOSTICS, &json[k]);
	}
	CU_ASSERT_EQUAL(rc[0], 0);
	CU_ASSERT_EQUAL(rc[1], 0);
	CU_ASSERT_EQUAL(t[0]->nitems, 60000);
	CU_ASSERT_EQUAL(arena_bytes(t[0]->arena), arena_bytes(t[1]->arena));
	CU_ASSERT(json[0].len == json[1].len &&
	    memcmp(json[0].data, json[1].data, json[0].len) == 0);
	for (k = 0; k < 2; k++) {
		manifest_train_free(t[k]);
		buf_free(&json[k]);
	}
	buf_free(&edi);
}

/* Idle work of 40 slices: one done a call, false once none is left. */
static bool
idle_slice(void *arg)
{
	int	*left = arg;

	if (*left == 0)
		return false;
	--*left;
	return true;
}

/*
 * A reader slower than the lexer (1 ms a batch): the lexer thread, its
 * ring full, does all the idle work; every segment still comes through,
 * in order, as many as the lexer on its own finds.
 */
static void
t_edi_pipe_idle_work(void)
{
	struct buf		 edi = { 0 };
	struct edi_lexer	*lx = aligned_alloc(64,
				    (sizeof *lx + 63) / 64 * 64);
	struct diag_list	 dl;
	struct edi_segment	 seg;
	struct edi_lexpipe	*p;
	const struct edi_batch	*b;
	size_t			 n1 = 0, n2 = 0;
	uint64_t		 last = 0;
	bool			 ordered = true;
	int			 left = 40;

	clean_train(&edi);
	diag_list_init(&dl, 0);
	edi_lexer_init(lx, edi.data, edi.len, &dl);
	while (edi_lexer_next(lx, &seg) == 1)
		n1++;
	edi_lexer_init(lx, edi.data, edi.len, &dl);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p = edi_lexpipe_start(lx, idle_slice,
	    &left));
	while ((b = edi_lexpipe_next(p)) != NULL) {
		for (unsigned i = 0; i < b->nseg; i++, n2++) {
			ordered = ordered && (n2 == 0 ||
			    b->seg[i].offset > last);
			last = b->seg[i].offset;
		}
		usleep(1000);
		edi_lexpipe_done(p);
	}
	edi_lexpipe_free(p);
	CU_ASSERT_EQUAL(left, 0);
	CU_ASSERT_EQUAL(n1, n2);
	CU_ASSERT_TRUE(ordered);
	free(lx);
	diag_list_clear(&dl);
	buf_free(&edi);
}

static CU_TestInfo edi_pipe_tests[] = {
	{ "t_edi_pipe_idle_work", t_edi_pipe_idle_work },
	{ "t_edi_pipe_prefaulted_agrees", t_edi_pipe_prefaulted_agrees },
	{ "t_edi_pipe_damaged_agrees", t_edi_pipe_damaged_agrees },
	{ "t_edi_pipe_diag_limit_agrees", t_edi_pipe_diag_limit_agrees },
	{ "t_edi_pipe_truncated_agrees", t_edi_pipe_truncated_agrees },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("edi_pipe", NULL, NULL, edi_pipe_tests)
