/*
 * test_edi.c -- the EDIFACT reader: the tokenizer on the syntax's edge
 * cases, the repertoires, every good fixture against its frozen
 * canonical JSON, every broken fixture's diagnostic code and location,
 * and (when ../shared is there) the real-world corpus as its README asks.
 */
#include <sys/mman.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "edi/codeset.h"
#include "edi/lexer.h"
#include "edi/reader.h"
#include "edi/writer.h"
#include "manifest/gen.h"
#include "manifest/json.h"
#include "manifest/util.h"

#include "unit.h"

/* The value of element e, component c of seg, unescaped, in a static buffer. */
static const char *
val(const struct edi_lexer *lx, const struct edi_segment *seg, int e, int c)
{
	static struct buf	b;

	buf_reset(&b);
	edi_view_unescape(&lx->syntax, edi_component(lx, seg, e, c), &b);
	return b.data != NULL ? b.data : "";
}

/* The corpus's release-character cases, reproduced. */
static void
t_edi_lexer_release_characters(void)
{
	static const char in[] =
	    "UNA:+.\? 'UNB+UNOC:3+A+B+260101:0000+1'"
	    "IFT+3+NO MORE FLIGHTS 2\?\?'"
	    "IFT+3+NO MORE \?' FLIGHTS 3'"
	    "IFT+3+NO MORE \?\?\?' FLIGHTS 3'"
	    "IFT+3+FIELD 1\?\?+FIELD 2'"
	    "IFT+3+FIELD 1\?\?\?+FIELD 2'"
	    "IFT+3+FIELD 1.1\?\?:FIELD 1.2'"
	    "IFT+3+FIELD 1.1\?\?\?:FIELD 1.2'";
	struct diag_list	d;
	struct edi_lexer	lx;
	struct edi_segment	s;

	diag_list_init(&d, 0);
	edi_lexer_init(&lx, in, sizeof in - 1, &d);
	CU_ASSERT_TRUE(lx.has_una);
	CU_ASSERT_EQUAL(edi_lexer_next(&lx, &s), 1);	/* UNB */
	CU_ASSERT_EQUAL(s.ordinal, 1);
	CU_ASSERT_EQUAL(edi_lexer_next(&lx, &s), 1);
	CU_ASSERT_STRING_EQUAL(val(&lx, &s, 1, 0), "NO MORE FLIGHTS 2?");
	CU_ASSERT_EQUAL(edi_lexer_next(&lx, &s), 1);
	CU_ASSERT_STRING_EQUAL(val(&lx, &s, 1, 0), "NO MORE ' FLIGHTS 3");
	CU_ASSERT_EQUAL(edi_lexer_next(&lx, &s), 1);
	CU_ASSERT_STRING_EQUAL(val(&lx, &s, 1, 0), "NO MORE ?' FLIGHTS 3");
	CU_ASSERT_EQUAL(edi_lexer_next(&lx, &s), 1);
	CU_ASSERT_EQUAL(s.nelements, 3);
	CU_ASSERT_STRING_EQUAL(val(&lx, &s, 1, 0), "FIELD 1?");
	CU_ASSERT_STRING_EQUAL(val(&lx, &s, 2, 0), "FIELD 2");
	CU_ASSERT_EQUAL(edi_lexer_next(&lx, &s), 1);
	CU_ASSERT_EQUAL(s.nelements, 2);
	CU_ASSERT_STRING_EQUAL(val(&lx, &s, 1, 0), "FIELD 1?+FIELD 2");
	CU_ASSERT_EQUAL(edi_lexer_next(&lx, &s), 1);
	CU_ASSERT_EQUAL(edi_component_count(&lx, &s, 1), 2);
	CU_ASSERT_STRING_EQUAL(val(&lx, &s, 1, 0), "FIELD 1.1?");
	CU_ASSERT_STRING_EQUAL(val(&lx, &s, 1, 1), "FIELD 1.2");
	CU_ASSERT_EQUAL(edi_lexer_next(&lx, &s), 1);
	CU_ASSERT_EQUAL(edi_component_count(&lx, &s, 1), 1);
	CU_ASSERT_STRING_EQUAL(val(&lx, &s, 1, 0), "FIELD 1.1?:FIELD 1.2");
	CU_ASSERT_EQUAL(edi_lexer_next(&lx, &s), 0);
	CU_ASSERT_EQUAL(d.n, 0);
	diag_list_clear(&d);
}

/* Segments and elements point into the input: nothing is copied. */
static void
t_edi_lexer_views_no_copy(void)
{
	static const char in[] = "UNB+UNOC:3+A+B+260101:0000+1'\r\n"
	    "TDT+20+X8024+2'\nUNZ+0+1'\n";
	struct diag_list	d;
	struct edi_lexer	lx;
	struct edi_segment	s;

	diag_list_init(&d, 0);
	edi_lexer_init(&lx, in, sizeof in - 1, &d);
	CU_ASSERT_EQUAL(edi_lexer_next(&lx, &s), 1);
	CU_ASSERT_EQUAL(edi_lexer_next(&lx, &s), 1);
	CU_ASSERT_STRING_EQUAL(s.tag, "TDT");
	CU_ASSERT_EQUAL(s.offset, 31);
	CU_ASSERT_EQUAL(s.ordinal, 2);
	CU_ASSERT_PTR_EQUAL(s.p, in + 31);
	CU_ASSERT_PTR_EQUAL(edi_element(&s, 1).p, in + 38);
	CU_ASSERT_EQUAL(edi_element(&s, 1).len, 5);
	CU_ASSERT_FALSE(s.escaped);
	CU_ASSERT_EQUAL(edi_lexer_next(&lx, &s), 1);
	CU_ASSERT_EQUAL(edi_lexer_next(&lx, &s), 0);
	diag_list_clear(&d);
}

/* Level B separators; a line break inside an element becomes a space. */
static void
t_edi_lexer_level_b_and_line_breaks(void)
{
	static const char lb[] = "UNB\x1dUNOB\x1f" "3\x1d" "A\x1c" "FTX\x1d" "AAA"
	    "\x1d\x1d\x1dONE\x1fTWO\x1c";
	static const char ml[] = "UNB+UNOC:3+A'FTX+AAA+++FIRST LINE\r\nSECOND:X'";
	struct diag_list	d;
	struct edi_lexer	lx;
	struct edi_segment	s;

	diag_list_init(&d, 0);
	edi_lexer_init(&lx, lb, sizeof lb - 1, &d);
	CU_ASSERT_TRUE(lx.level_b);
	CU_ASSERT_EQUAL(edi_lexer_next(&lx, &s), 1);
	CU_ASSERT_EQUAL(edi_lexer_next(&lx, &s), 1);
	CU_ASSERT_STRING_EQUAL(val(&lx, &s, 3, 1), "TWO");
	edi_lexer_init(&lx, ml, sizeof ml - 1, &d);
	CU_ASSERT_EQUAL(edi_lexer_next(&lx, &s), 1);
	CU_ASSERT_EQUAL(edi_lexer_next(&lx, &s), 1);
	CU_ASSERT_TRUE(s.escaped);
	CU_ASSERT_STRING_EQUAL(val(&lx, &s, 3, 0), "FIRST LINE SECOND");
	CU_ASSERT_STRING_EQUAL(val(&lx, &s, 3, 1), "X");
	diag_list_clear(&d);
}

/* Input ending inside a segment: -1 and the byte offset of the end. */
static void
t_edi_lexer_truncated(void)
{
	static const char in[] = "UNB+UNOC:3+A'EQD+CN+MRKU71780";
	struct diag_list	d;
	struct edi_lexer	lx;
	struct edi_segment	s;

	diag_list_init(&d, 0);
	edi_lexer_init(&lx, in, sizeof in - 1, &d);
	CU_ASSERT_EQUAL(edi_lexer_next(&lx, &s), 1);
	CU_ASSERT_EQUAL(edi_lexer_next(&lx, &s), -1);
	CU_ASSERT_EQUAL_FATAL(d.n, 1);
	CU_ASSERT_STRING_EQUAL(d.v[0].code, "TRUNCATED");
	CU_ASSERT_EQUAL(d.v[0].loc.offset, sizeof in - 1);
	CU_ASSERT_EQUAL(d.v[0].loc.segment, 2);
	CU_ASSERT_STRING_EQUAL(d.v[0].loc.tag, "EQD");
	diag_list_clear(&d);
}

/* ISO 8859-5, 8859-2 and 8859-1 to UTF-8; UTF-8 under UNOC is flagged. */
static void
t_edi_codeset_conversions(void)
{
	struct buf	b = { 0 };

	/* "ТОО" and "№" in ISO 8859-5. */
	CU_ASSERT_EQUAL(edi_codeset_to_utf8(EDI_CODESET_UNOE, "\xc2\xbe\xbe \xf0",
	    5, &b), 0);
	CU_ASSERT_STRING_EQUAL(b.data, "ТОО №");
	buf_reset(&b);
	CU_ASSERT_EQUAL(edi_codeset_to_utf8(EDI_CODESET_UNOD, "\xa3\xf3\xd3", 3,
	    &b), 0);
	CU_ASSERT_STRING_EQUAL(b.data, "ŁóÓ");
	buf_reset(&b);
	CU_ASSERT_EQUAL(edi_codeset_to_utf8(EDI_CODESET_UNOC, "Caf\xe9", 4, &b), 0);
	CU_ASSERT_STRING_EQUAL(b.data, "Café");
	buf_reset(&b);
	CU_ASSERT_EQUAL(edi_codeset_to_utf8(EDI_CODESET_UNOC, "MUNCI\xc3\x8b", 7,
	    &b), EDI_CODESET_READ_AS_UTF8);
	CU_ASSERT_STRING_EQUAL(b.data, "MUNCIË");
	buf_reset(&b);
	CU_ASSERT_EQUAL(edi_codeset_to_utf8(EDI_CODESET_UNOY, "\xe4\xb8\xad\xff",
	    4, &b), EDI_CODESET_REPLACED);
	CU_ASSERT_STRING_EQUAL(b.data, "中\xef\xbf\xbd");
	buf_reset(&b);
	CU_ASSERT_EQUAL(edi_codeset_from_utf8(EDI_CODESET_UNOE, "ТОО 中", 10, &b), 1);
	CU_ASSERT_STRING_EQUAL(b.data, "\xc2\xbe\xbe ?");
	buf_free(&b);
}

/* Reads a fixture whole; parses it; returns the train (caller frees). */
static struct manifest_train *
read_fixture(const char *rel, int *rc)
{
	struct manifest_train	*t = manifest_train_new();
	char			*data;
	size_t			 len;

	data = test_read_fixture(rel, &len);
	*rc = edi_read(data, len, t);
	free(data);
	return t;
}

/* Every good fixture gives exactly its frozen canonical JSON. */
static void
t_edi_fixtures_canonical_json(void)
{
	DIR		*dp = opendir("fixtures/edifact");
	struct dirent	*e;
	int		 checked = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dp);
	while ((e = readdir(dp)) != NULL) {
		struct manifest_train	*t;
		struct buf		 out = { 0 };
		char			 rel[512], *want;
		size_t			 n = strlen(e->d_name), wlen;
		int			 rc;

		if (n < 5 || strcmp(e->d_name + n - 4, ".edi") != 0)
			continue;
		snprintf(rel, sizeof rel, "edifact/%s", e->d_name);
		t = read_fixture(rel, &rc);
		CU_ASSERT_EQUAL(rc, 0);
		manifest_json_write(t, MANIFEST_JSON_DIAGNOSTICS, &out);
		buf_add_char(&out, '\n');
		snprintf(rel, sizeof rel, "edifact/%.*s.json", (int)(n - 4),
		    e->d_name);
		want = test_read_fixture(rel, &wlen);
		if (out.len != wlen || memcmp(out.data, want, wlen) != 0) {
			fprintf(stderr, "\n%s differs from its .json\n", e->d_name);
			CU_FAIL("canonical JSON differs");
		}
		checked++;
		free(want);
		buf_free(&out);
		manifest_train_free(t);
	}
	closedir(dp);
	CU_ASSERT(checked >= 12);
}

struct broken_case {
	const char	*file;
	int		 rc;		/* edi_read's result */
	const char	*code;
	uint32_t	 segment;	/* 0: no segment */
	uint64_t	 offset;
};

static const struct broken_case broken[] = {
	{ "truncated.edi", -1, "TRUNCATED", 23, 564 },
	{ "unt_count.edi", 0, "UNT_COUNT", 26, 604 },
	{ "unt_reference.edi", 0, "UNT_REFERENCE", 26, 604 },
	{ "unz_count_reference.edi", 0, "UNZ_COUNT", 27, 614 },
	{ "unz_count_reference.edi", 0, "UNZ_REFERENCE", 27, 614 },
	{ "bad_release.edi", 0, "BAD_RELEASE", 20, 492 },
	{ "escaped_terminator.edi", 0, "UNT_COUNT", 25, 605 },
	{ "unknown_segment.edi", 0, "UNKNOWN_SEGMENT", 19, 479 },
	{ "container_before_wagon.edi", 0, "CONTAINER_NO_WAGON", 10, 209 },
	{ "check_digits.edi", 0, "WAGON_CHECK_DIGIT", 10, 209 },
	{ "check_digits.edi", 0, "CONTAINER_CHECK_DIGIT", 12, 255 },
	{ "not_rail.edi", 0, "TRANSPORT_MODE", 6, 140 },
	{ "wrong_message_type.edi", -1, "UNSUPPORTED_MESSAGE", 2, 60 },
	{ "two_trains.edi", -1, "MULTIPLE_TRAINS", 31, 694 },
	{ "unknown_equipment.edi", 0, "UNKNOWN_EQUIPMENT", 23, 556 },
	{ "duplicate_wagon.edi", 0, "DUPLICATE_WAGON", 15, 322 },
};

/* Each broken fixture: the documented code at the documented place. */
static void
t_edi_broken_fixtures(void)
{
	size_t	i;

	for (i = 0; i < nitems(broken); i++) {
		const struct broken_case *b = &broken[i];
		struct manifest_train	*t;
		const struct diag	*d;
		char			 rel[256];
		int			 rc;

		snprintf(rel, sizeof rel, "edifact/broken/%s", b->file);
		t = read_fixture(rel, &rc);
		d = diag_list_find(&t->diags, b->code);
		if (rc != b->rc || d == NULL || d->loc.segment != b->segment ||
		    d->loc.offset != b->offset) {
			fprintf(stderr, "\n%s: rc %d, %s at segment %u byte %llu\n",
			    b->file, rc, b->code, d != NULL ? d->loc.segment : 0,
			    d != NULL ? (unsigned long long)d->loc.offset : 0ULL);
			CU_FAIL("broken fixture");
		}
		manifest_train_free(t);
	}
}

/* Inputs the fuzzer once crashed on: read now without harm. */
static void
t_edi_fuzz_regressions(void)
{
	DIR		*dp = opendir("fixtures/edifact/fuzz");
	struct dirent	*e;
	int		 n = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dp);
	while ((e = readdir(dp)) != NULL) {
		struct manifest_train	*t;
		char			 rel[512];
		int			 rc;

		if (e->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof rel, "edifact/fuzz/%s", e->d_name);
		t = read_fixture(rel, &rc);
		CU_ASSERT(rc == 0 || rc == -1);
		CU_ASSERT(t->diags.n > 0);	/* each is broken somehow */
		manifest_train_free(t);
		n++;
	}
	closedir(dp);
	CU_ASSERT(n >= 1);
}

/* The real-world corpus, when ../shared is beside the project. */
static void
t_edi_corpus_when_present(void)
{
	static const struct {
		const char	*file;
		int		 rc;
		const char	*codes[3];
	} corpus[] = {
		{ "chrishumphreys_cuscar_d95b_simple.edi", 0,
		    { "UNT_COUNT", "TRANSPORT_MODE", NULL } },
		{ "apimeister-edicli_cuscar_d96b_fragment.edi", -1,
		    { "TRUNCATED", NULL, NULL } },
		{ "apimeister_d00b_iftsta.edi", -1, { "UNZ_REFERENCE",
		    "CONTAINER_CHECK_DIGIT", "UNSUPPORTED_MESSAGE" } },
		{ "edifactls_cuscar-violation.edi", -1, { "STRUCTURE", "UNT_COUNT",
		    NULL } },
		{ "edifactls_envelope-count-mismatch.edi", -1, { "UNT_COUNT",
		    NULL, NULL } },
		{ "phpedifact_example_release_character.edi", -1, { "UNT_COUNT",
		    NULL, NULL } },
		{ "phpedifact_example_utf8.edi", -1, { "CHARSET_UTF8_UNDECLARED",
		    NULL, NULL } },
		{ "phpedifact_example_wrapped.edi", -1, { "UNSUPPORTED_MESSAGE",
		    NULL, NULL } },
		{ "phpedifact_example_multiline.edi", -1, { "UNT_COUNT", NULL,
		    NULL } },
	};
	size_t	i, k;

	if (access("../shared/corpus/edifact", R_OK) != 0)
		return;		/* a user's clone has no corpus */
	for (i = 0; i < nitems(corpus); i++) {
		struct manifest_train	*t = manifest_train_new();
		char			 path[512], *data;
		size_t			 len;
		int			 rc;

		snprintf(path, sizeof path, "../shared/corpus/edifact/%s",
		    corpus[i].file);
		CU_ASSERT_EQUAL_FATAL(file_read_all(path, &data, &len), 0);
		rc = edi_read(data, len, t);
		CU_ASSERT_EQUAL(rc, corpus[i].rc);
		for (k = 0; k < 3 && corpus[i].codes[k] != NULL; k++)
			if (diag_list_find(&t->diags, corpus[i].codes[k]) == NULL) {
				fprintf(stderr, "\n%s: no %s\n", corpus[i].file,
				    corpus[i].codes[k]);
				CU_FAIL("corpus diagnostic missing");
			}
		free(data);
		manifest_train_free(t);
	}
}

/* The consumed hook: offsets rise, stay inside the input, and a caller
 * dropping the pages of a mapped file behind the reader gets the same
 * train as one reading from memory. */
struct consumed_log {
	char	*base;
	size_t	 last, calls, len;
	bool	 monotonic;
};

static void
consumed_drop(void *arg, size_t upto)
{
	struct consumed_log	*c = arg;
	size_t			 page = (size_t)sysconf(_SC_PAGESIZE);

	if (upto < c->last || upto > c->len)
		c->monotonic = false;
	if (upto / page * page > c->last / page * page)
		CU_ASSERT_EQUAL(madvise(c->base + c->last / page * page,
		    upto / page * page - c->last / page * page,
		    MADV_DONTNEED), 0);
	c->last = upto;
	c->calls++;
}

static void
t_edi_read_consumed_pages_dropped(void)
{
	struct gen_options	 g = { 20, 60000, 5, false };
	struct manifest_train	*src, *a, *b;
	struct buf		 edi = { 0 }, ja = { 0 }, jb = { 0 };
	struct consumed_log	 log = { NULL, 0, 0, 0, true };
	struct edi_read_options	 ro = { consumed_drop, &log };
	char			 path[] = "/tmp/railgate-consumed-XXXXXX";
	int			 fd;
	void			*map;

	src = gen_train(&g);
	edi_write_cuscar(src, NULL, &edi);
	manifest_train_free(src);
	CU_ASSERT_FATAL(edi.len > 2 * EDI_CONSUMED_STEP);
	CU_ASSERT_FATAL((fd = mkstemp(path)) >= 0);
	CU_ASSERT_EQUAL_FATAL(write(fd, edi.data, edi.len), (ssize_t)edi.len);
	map = mmap(NULL, edi.len, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	unlink(path);
	CU_ASSERT_FATAL(map != MAP_FAILED);
	log.base = map;
	log.len = edi.len;

	a = manifest_train_new();
	CU_ASSERT_EQUAL(edi_read(edi.data, edi.len, a), 0);
	b = manifest_train_new();
	CU_ASSERT_EQUAL(edi_read_with(map, edi.len, &ro, b), 0);
	CU_ASSERT(log.calls >= 2);
	CU_ASSERT(log.monotonic);
	manifest_json_write(a, MANIFEST_JSON_DIAGNOSTICS, &ja);
	manifest_json_write(b, MANIFEST_JSON_DIAGNOSTICS, &jb);
	CU_ASSERT_EQUAL(ja.len, jb.len);
	CU_ASSERT(ja.len == jb.len && memcmp(ja.data, jb.data, ja.len) == 0);
	munmap(map, edi.len);
	manifest_train_free(a);
	manifest_train_free(b);
	buf_free(&edi);
	buf_free(&ja);
	buf_free(&jb);
}

/* The consumed hook taking the pages away altogether: a look back faults. */
static void
consumed_protect(void *arg, size_t upto)
{
	struct consumed_log	*c = arg;
	size_t			 page = (size_t)sysconf(_SC_PAGESIZE);

	if (upto / page * page > c->last / page * page)
		CU_ASSERT_EQUAL(mprotect(c->base + c->last / page * page,
		    upto / page * page - c->last / page * page, PROT_NONE), 0);
	c->last = upto;
	c->calls++;
}

/*
 * The reader keeps its word: below a consumed offset it never reads
 * again, not for the references UNT and UNZ compare with UNH and UNB,
 * nor for the values it met before (several messages, repeated codes).
 */
static void
t_edi_read_never_looks_back(void)
{
	struct gen_options	 g = { 20, 60000, 9, false };
	struct manifest_train	*src, *a, *b;
	struct buf		 edi = { 0 }, ja = { 0 }, jb = { 0 };
	struct consumed_log	 log = { NULL, 0, 0, 0, true };
	struct edi_read_options	 ro = { consumed_protect, &log };
	void			*map;

	src = gen_train(&g);
	edi_write_cuscar(src, NULL, &edi);
	manifest_train_free(src);
	CU_ASSERT_FATAL(edi.len > 2 * EDI_CONSUMED_STEP);
	map = mmap(NULL, edi.len, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS, -1, 0);
	CU_ASSERT_FATAL(map != MAP_FAILED);
	memcpy(map, edi.data, edi.len);
	CU_ASSERT_EQUAL_FATAL(mprotect(map, edi.len, PROT_READ), 0);
	log.base = map;
	log.len = edi.len;

	a = manifest_train_new();
	CU_ASSERT_EQUAL(edi_read(edi.data, edi.len, a), 0);
	b = manifest_train_new();
	CU_ASSERT_EQUAL(edi_read_with(map, edi.len, &ro, b), 0);
	CU_ASSERT(log.calls >= 2);
	manifest_json_write(a, MANIFEST_JSON_DIAGNOSTICS, &ja);
	manifest_json_write(b, MANIFEST_JSON_DIAGNOSTICS, &jb);
	CU_ASSERT(ja.len == jb.len && memcmp(ja.data, jb.data, ja.len) == 0);
	munmap(map, edi.len);
	manifest_train_free(a);
	manifest_train_free(b);
	buf_free(&edi);
	buf_free(&ja);
	buf_free(&jb);
}

/* Number of diagnostics of t with the given code. */
static size_t
count_diags(const struct manifest_train *t, const char *code)
{
	size_t	i, n = 0;

	for (i = 0; i < t->diags.n; i++)
		n += strcmp(t->diags.v[i].code, code) == 0;
	return n;
}

/*
 * Item fields that repeat are served from the mapper's recent strings:
 * the same raw text gives the same string, text with a release character
 * is read (and warned about) every time, and text the model trims or
 * converts is never taken for raw text that merely looks alike.
 */
static void
t_edi_map_repeated_fields(void)
{
	static const char head[] =
	    "UNB+UNOC:3+S:ZZZ+R:ZZZ+261122:1200+R1'"
	    "UNH+1+CUSCAR:D:96B:UN'BGM+85+MF-1+9'TDT+20+X1+2'LOC+22+CNERL'"
	    "EQD+RR+335279521132+Lgns'EQD+CN+BMOU5330120+22G1+++5'"
	    "CNI+1+C1'";
	/* Origin, package type and description of each item. */
	static const char *items[][3] = {
		{ "MN", "PE", "Copper" },
		{ "M?N", " PE", "Copper" },
		{ "M?N", "PE ", "Copper " },
		{ "MN", "PE", "Copper" },
		{ "\xc9S", "PE", "Caf\xe9" },
		{ "\xc9S", "PE", "Caf\xe9" },
		{ "DE", "CT", "Toys" },
	};
	struct manifest_train	*t = manifest_train_new();
	struct manifest_consignment *c;
	struct buf		 b = { 0 };
	size_t			 i, nseg;

	buf_add_str(&b, head);
	for (i = 0; i < nitems(items); i++)
		buf_printf(&b, "GID+%zu+1:%s'FTX+AAA+++%s'SGP+BMOU5330120+1'"
		    "LOC+27+%s'", i + 1, items[i][1], items[i][2], items[i][0]);
	nseg = 7 + 4 * nitems(items) + 1;	/* UNH to UNT */
	buf_printf(&b, "UNT+%zu+1'UNZ+1+R1'", nseg);
	CU_ASSERT_EQUAL_FATAL(edi_read(b.data, b.len, t), 0);
	CU_ASSERT_EQUAL_FATAL(t->nconsignments, 1);
	c = t->consignments[0];
	CU_ASSERT_EQUAL_FATAL(c->nitems, nitems(items));
	CU_ASSERT_STRING_EQUAL(c->items[0]->origin, "MN");
	CU_ASSERT_PTR_EQUAL(c->items[3]->origin, c->items[0]->origin);
	CU_ASSERT_STRING_EQUAL(c->items[1]->origin, "MN");
	CU_ASSERT_STRING_EQUAL(c->items[2]->origin, "MN");
	/* "?N" releases a letter: warned at each of the two items. */
	CU_ASSERT_EQUAL(count_diags(t, "BAD_RELEASE"), 2);
	for (i = 0; i < 4; i++) {
		CU_ASSERT_STRING_EQUAL(c->items[i]->package_type, "PE");
		CU_ASSERT_STRING_EQUAL(c->items[i]->description, "Copper");
	}
	/* Latin-1 under UNOC, converted each time to the same UTF-8. */
	CU_ASSERT_STRING_EQUAL(c->items[4]->origin, "\xc3\x89S");
	CU_ASSERT_STRING_EQUAL(c->items[5]->origin, "\xc3\x89S");
	CU_ASSERT_STRING_EQUAL(c->items[5]->description, "Caf\xc3\xa9");
	CU_ASSERT_STRING_EQUAL(c->items[6]->origin, "DE");
	CU_ASSERT_STRING_EQUAL(c->items[6]->package_type, "CT");
	CU_ASSERT_STRING_EQUAL(c->items[6]->description, "Toys");
	CU_ASSERT_EQUAL(count_diags(t, "UNT_COUNT"), 0);
	manifest_train_free(t);
	buf_free(&b);
}

/*
 * Values kept by their raw text (an escaped description, lines of a
 * description joined, a whole NAD) come back equal for equal text, and
 * text whose reading raised a diagnostic is read, and reported, again.
 */
static void
t_edi_map_kept_raw_values(void)
{
	static const char head[] =
	    "UNB+UNOC:3+S:ZZZ+R:ZZZ+261122:1200+R1'"
	    "UNH+1+CUSCAR:D:96B:UN'BGM+85+MF-1+9'TDT+20+X1+2'LOC+22+CNERL'"
	    "EQD+RR+335279521132+Lgns'EQD+CN+BMOU5330120+22G1+++5'";
	/* Per consignment: consignor NAD's name; item description. */
	static const char *rows[][2] = {
		{ "Soci\xe9t\xe9 d?'Ouest", "Men?'s shirts" },
		{ "Soci\xe9t\xe9 d?'Ouest", "Men?'s shirts" },
		{ "Bad ?X release", "Tyres:for cars" },
		{ "Bad ?X release", "Tyres:for cars" },
		{ "Plain", "Bad ?Y release" },
		{ "Plain", "Bad ?Y release" },
	};
	struct manifest_train	*t = manifest_train_new();
	struct manifest_consignment **c;
	struct buf		 b = { 0 };
	size_t			 i, nseg = 6;	/* UNH to the second EQD */

	buf_add_str(&b, head);
	for (i = 0; i < nitems(rows); i++) {
		buf_printf(&b, "CNI+%zu+C%zu'NAD+CZ+ID1::ZZZ++%s+Street 1+City++1+FR'"
		    "GID+1+1:PE'FTX+AAA+++%s'SGP+BMOU5330120+1'", i + 1, i + 1,
		    rows[i][0], rows[i][1]);
		nseg += 5;
	}
	buf_printf(&b, "UNT+%zu+1'UNZ+1+R1'", nseg + 1);
	CU_ASSERT_EQUAL_FATAL(edi_read(b.data, b.len, t), 0);
	CU_ASSERT_EQUAL_FATAL(t->nconsignments, nitems(rows));
	c = t->consignments;
	CU_ASSERT_STRING_EQUAL(c[0]->consignor.name, "Soci\xc3\xa9t\xc3\xa9 d'Ouest");
	CU_ASSERT_STRING_EQUAL(c[1]->consignor.name, c[0]->consignor.name);
	CU_ASSERT_STRING_EQUAL(c[1]->consignor.id, "ID1");
	CU_ASSERT_STRING_EQUAL(c[1]->consignor.country, "FR");
	CU_ASSERT_STRING_EQUAL(c[0]->items[0]->description, "Men's shirts");
	CU_ASSERT_STRING_EQUAL(c[1]->items[0]->description, "Men's shirts");
	CU_ASSERT_STRING_EQUAL(c[2]->items[0]->description, "Tyres for cars");
	CU_ASSERT_STRING_EQUAL(c[3]->items[0]->description, "Tyres for cars");
	CU_ASSERT_STRING_EQUAL(c[3]->consignor.name, "Bad X release");
	CU_ASSERT_STRING_EQUAL(c[5]->items[0]->description, "Bad Y release");
	/* Each bad release reported where it stands: two NADs, two FTXs. */
	CU_ASSERT_EQUAL(count_diags(t, "BAD_RELEASE"), 4);
	for (i = 0; i < t->diags.n; i++)
		if (strcmp(t->diags.v[i].code, "BAD_RELEASE") == 0)
			CU_ASSERT_TRUE(strcmp(t->diags.v[i].loc.tag, "NAD") == 0 ||
			    strcmp(t->diags.v[i].loc.tag, "FTX") == 0);
	CU_ASSERT_EQUAL(count_diags(t, "UNT_COUNT"), 0);
	manifest_train_free(t);
	buf_free(&b);
}

/*
 * The AVX2 classifier, when the CPU has one, and the SSE2 or byte-table
 * one find the same segments, elements and components.
 */
static void
t_edi_lexer_classifiers_agree(void)
{
	struct diag_list	 d;
	struct edi_lexer	 fast, slow;
	struct edi_segment	*a = malloc(sizeof *a), *s = malloc(sizeof *s);
	char			*data;
	size_t			 len;
	int			 ra, rs, e, c;

	CU_ASSERT_FATAL(a != NULL && s != NULL);
	CU_ASSERT_EQUAL_FATAL(file_read_all(test_fixture(
	    "edifact/cuscar_multiline_release.edi"), &data, &len), 0);
	diag_list_init(&d, 0);
	edi_lexer_init(&fast, data, len, &d);
	edi_lexer_init(&slow, data, len, &d);
	slow.avx2 = false;
	slow.mbase = SIZE_MAX / 2;	/* a window past the input: restarted */
	do {
		ra = edi_lexer_next(&fast, a);
		rs = edi_lexer_next(&slow, s);
		CU_ASSERT_EQUAL_FATAL(ra, rs);
		if (ra != 1)
			break;
		CU_ASSERT_EQUAL(a->offset, s->offset);
		CU_ASSERT_EQUAL(a->len, s->len);
		CU_ASSERT_EQUAL(a->escaped, s->escaped);
		CU_ASSERT_EQUAL_FATAL(a->nelements, s->nelements);
		for (e = 0; e < a->nelements; e++) {
			CU_ASSERT_EQUAL_FATAL(edi_component_count(&fast, a, e),
			    edi_component_count(&slow, s, e));
			for (c = 0; c < edi_component_count(&fast, a, e); c++) {
				CU_ASSERT_PTR_EQUAL(edi_component(&fast, a, e, c).p,
				    edi_component(&slow, s, e, c).p);
				CU_ASSERT_EQUAL(edi_component(&fast, a, e, c).len,
				    edi_component(&slow, s, e, c).len);
			}
		}
	} while (ra == 1);
	diag_list_clear(&d);
	free(data);
	free(a);
	free(s);
}

/* A reference splitter, a byte at a time: element e, component c of the
 * segment at p (tag included) up to its terminator. */
static struct edi_view
naive_component(const char *p, int e, int c)
{
	struct edi_view	v = { "", 0 };
	int		ce = -1, cc = 0;
	const char	*start = NULL;

	for (; ; p++) {
		if (*p == '?') {
			p++;
			continue;
		}
		if (*p == '+' || *p == ':' || *p == '\'') {
			if (start != NULL && ce == e && cc == c) {
				v.p = start;
				v.len = (size_t)(p - start);
				return v;
			}
			if (*p == '\'')
				return v;
			if (*p == '+') {
				ce++;
				cc = 0;
			} else
				cc++;
			start = p + 1;
		}
	}
}

/* Elements and components agree with the reference splitter whatever
 * the alignment of separators and release characters against the
 * scanner's 64-byte windows. */
static void
t_edi_lexer_window_boundaries(void)
{
	static const char	 alphabet[] = "AB+:?x";
	struct diag_list	 d;
	struct edi_lexer	 lx;
	struct edi_segment	 seg;
	struct buf		 b = { 0 };
	unsigned		 x = 12345;
	int			 shift, round, e, c;

	diag_list_init(&d, 0);
	for (shift = 0; shift < 140; shift++) {
		for (round = 0; round < 4; round++) {
			size_t	n, seglen = 60 + (size_t)round * 37, at;

			buf_reset(&b);
			buf_add_str(&b, "UNA:+.? '\nUNB+UNOC:3+S+R+260101:0000+1'\n");
			for (n = 0; n < (size_t)shift; n++)
				buf_add_char(&b, '\n');
			at = b.len;
			buf_add_str(&b, "FTX+");
			for (n = 0; n < seglen; n++) {
				x = x * 1103515245u + 12345u;
				buf_add_char(&b, alphabet[(x >> 16) % 6]);
			}
			/* Never end on a lone release character. */
			buf_add_str(&b, "x'\nUNZ+1+1'");
			edi_lexer_init(&lx, b.data, b.len, &d);
			CU_ASSERT_EQUAL_FATAL(edi_lexer_next(&lx, &seg), 1);
			CU_ASSERT_EQUAL_FATAL(edi_lexer_next(&lx, &seg), 1);
			CU_ASSERT_EQUAL_FATAL(seg.offset, at);
			CU_ASSERT_STRING_EQUAL(seg.tag, "FTX");
			for (e = 0; e < seg.nelements; e++)
				for (c = 0; c < edi_component_count(&lx, &seg, e); c++) {
					struct edi_view	got = edi_component(&lx,
					    &seg, e, c);
					struct edi_view	want = naive_component(
					    b.data + at, e, c);

					CU_ASSERT_EQUAL(got.len, want.len);
					CU_ASSERT(got.p == want.p || got.len == 0);
				}
			CU_ASSERT_EQUAL(edi_lexer_next(&lx, &seg), 1);
			CU_ASSERT_STRING_EQUAL(seg.tag, "UNZ");
			CU_ASSERT_EQUAL(edi_lexer_next(&lx, &seg), 0);
		}
	}
	CU_ASSERT_EQUAL(d.errors, 0);
	diag_list_clear(&d);
	buf_free(&b);
}

/* An interchange of one CUSCAR message around body (UNT counted). */
static void
parcel_interchange(struct buf *b, const char *body)
{
	static const char head[] =
	    "UNH+1+CUSCAR:D:96B:UN'BGM+85+MF-1+9'TDT+20+X1+2'LOC+22+CNERL'"
	    "EQD+RR+335279521132+Lgns'EQD+CN+BMOU5330120+22G1+++5'";
	size_t	i, nseg = 1;

	buf_add_str(b, "UNB+UNOC:3+S:ZZZ+R:ZZZ+261122:1200+R1'");
	buf_add_str(b, head);
	buf_add_str(b, body);
	for (i = 0; head[i] != '\0'; i++)
		nseg += head[i] == '\'';
	for (i = 0; body[i] != '\0'; i++)
		nseg += body[i] == '\'';
	buf_printf(b, "UNT+%zu+1'UNZ+1+R1'", nseg);
}

/* The first diagnostic of code, or fails. */
static const struct diag *
find_diag(const struct manifest_train *t, const char *code)
{
	const struct diag	*d = diag_list_find(&t->diags, code);

	CU_ASSERT_PTR_NOT_NULL(d);
	return d;
}

/*
 * Parcels: PCI+18 is the tracking number, PCI+24 a shipping mark left
 * alone, a second PCI+18 reported and the first kept; GIS 9610, 9710,
 * 9810, 1210 and 1239 are e-commerce; a number twice in the train is
 * TRACKING_DUPLICATE at the second PCI naming the first; e-commerce
 * items without a number one TRACKING_MISSING per consignment.
 */
static void
t_edi_parcels(void)
{
	static const char body[] =
	    "CNI+1+C1'GIS+9610'"
	    "GID+1+1:PK'SGP+BMOU5330120+1'PCI+18+LX123456785CN'"
	    "GID+2+1:PK'SGP+BMOU5330120+1'PCI+24+SHIP1234'"
	    "GID+3+1:PK'SGP+BMOU5330120+1'PCI+18+AB000000000CN'PCI+18+ZZ1'"
	    "CNI+2+C2'GIS+1239'"
	    "GID+1+1:PK'SGP+BMOU5330120+1'"
	    "GID+2+1:PK'SGP+BMOU5330120+1'PCI+18+LX123456785CN'"
	    "GID+3+1:PK'SGP+BMOU5330120+1'"
	    "CNI+3+C3'GIS+9710'GID+1+1:PK'SGP+BMOU5330120+1'PCI+18+A1'"
	    "CNI+4+C4'GIS+9810'GID+1+1:PK'SGP+BMOU5330120+1'PCI+18+A2'"
	    "CNI+5+C5'GIS+1210'GID+1+1:PK'SGP+BMOU5330120+1'PCI+18+A3'"
	    "CNI+6+C6'GIS+23'GID+1+1:PK'SGP+BMOU5330120+1'"
	    "CNI+7+C7'GIS+9611'GID+1+1:PK'SGP+BMOU5330120+1'";
	struct manifest_train	*t = manifest_train_new();
	const struct diag	*d;
	struct manifest_src	 src;
	struct buf		 b = { 0 };
	char			 want[160];
	size_t			 i;

	parcel_interchange(&b, body);
	CU_ASSERT_EQUAL_FATAL(edi_read(b.data, b.len, t), 0);
	CU_ASSERT_EQUAL_FATAL(t->nconsignments, 7);
	CU_ASSERT_STRING_EQUAL(t->consignments[0]->items[0]->tracking,
	    "LX123456785CN");
	src = manifest_item_tracking_src(t, t->consignments[0]->items[0]);
	CU_ASSERT_STRING_EQUAL(src.tag, "PCI");
	CU_ASSERT_EQUAL(src.offset, (uint64_t)(strstr(b.data, "PCI+18+LX") -
	    b.data));
	CU_ASSERT_PTR_NULL(t->consignments[0]->items[1]->tracking);
	CU_ASSERT_STRING_EQUAL(t->consignments[0]->items[2]->tracking,
	    "AB000000000CN");
	for (i = 0; i < 5; i++)
		CU_ASSERT_EQUAL(t->consignments[i]->procedure,
		    MANIFEST_PROC_ECOMMERCE);
	CU_ASSERT_EQUAL(t->consignments[5]->procedure, MANIFEST_PROC_IMPORT);
	CU_ASSERT_EQUAL(t->consignments[6]->procedure, MANIFEST_PROC_IMPORT);
	/* The repeated PCI+18, at its own segment. */
	CU_ASSERT_EQUAL(count_diags(t, "TRACKING_REPEATED"), 1);
	d = find_diag(t, "TRACKING_REPEATED");
	CU_ASSERT_EQUAL(d->loc.offset, (uint64_t)(strstr(b.data, "PCI+18+ZZ1") -
	    b.data));
	/* The duplicate: where is the second PCI, the message names the first. */
	CU_ASSERT_EQUAL(count_diags(t, "TRACKING_DUPLICATE"), 1);
	d = find_diag(t, "TRACKING_DUPLICATE");
	CU_ASSERT_EQUAL(d->severity, DIAG_WARNING);
	CU_ASSERT_STRING_EQUAL(d->loc.tag, "PCI");
	CU_ASSERT_EQUAL(d->loc.offset, (uint64_t)(strstr(strstr(b.data,
	    "CNI+2"), "PCI+18+LX") - b.data));
	snprintf(want, sizeof want, "also on goods item 1 of C1 at segment 12 "
	    "(PCI), byte %zu", (size_t)(strstr(b.data, "PCI+18+LX") - b.data));
	CU_ASSERT_PTR_NOT_NULL(strstr(d->message, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(d->message, "LX123456785CN"));
	/* One warning per e-commerce consignment with items lacking one. */
	CU_ASSERT_EQUAL(count_diags(t, "TRACKING_MISSING"), 2);
	d = find_diag(t, "TRACKING_MISSING");
	CU_ASSERT_PTR_NOT_NULL(strstr(d->message, "1 of the 3 goods items"));
	CU_ASSERT_EQUAL(d->severity, DIAG_WARNING);
	CU_ASSERT_EQUAL(count_diags(t, "TRACKING_NUMBER"), 0);
	CU_ASSERT_EQUAL(count_diags(t, "UNKNOWN_SEGMENT"), 0);
	CU_ASSERT_EQUAL(count_diags(t, "UNT_COUNT"), 0);
	buf_free(&b);
	manifest_train_free(t);
}

static CU_TestInfo edi_tests[] = {
	{ "t_edi_map_kept_raw_values", t_edi_map_kept_raw_values },
	{ "t_edi_parcels", t_edi_parcels },
	{ "t_edi_lexer_window_boundaries", t_edi_lexer_window_boundaries },
	{ "t_edi_read_consumed_pages_dropped", t_edi_read_consumed_pages_dropped },
	{ "t_edi_read_never_looks_back", t_edi_read_never_looks_back },
	{ "t_edi_map_repeated_fields", t_edi_map_repeated_fields },
	{ "t_edi_lexer_classifiers_agree", t_edi_lexer_classifiers_agree },
	{ "t_edi_lexer_release_characters", t_edi_lexer_release_characters },
	{ "t_edi_lexer_views_no_copy", t_edi_lexer_views_no_copy },
	{ "t_edi_lexer_level_b_and_line_breaks", t_edi_lexer_level_b_and_line_breaks },
	{ "t_edi_lexer_truncated", t_edi_lexer_truncated },
	{ "t_edi_codeset_conversions", t_edi_codeset_conversions },
	{ "t_edi_fixtures_canonical_json", t_edi_fixtures_canonical_json },
	{ "t_edi_broken_fixtures", t_edi_broken_fixtures },
	{ "t_edi_fuzz_regressions", t_edi_fuzz_regressions },
	{ "t_edi_corpus_when_present", t_edi_corpus_when_present },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("edi", NULL, NULL, edi_tests)
