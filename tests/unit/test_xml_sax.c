/*
 * test_xml_sax.c -- the XML reader on libxml2's push parser with callbacks
 * (manifest/xml_sax.c) says what the reader on xmlTextReader said: the
 * checks building the tree made (xml:id, the 10 MB text node), lines as
 * 16-bit tree nodes kept them, nodes the reader never read before an
 * error, an '&' in a unit attribute; and it gives back a mapped file's
 * pages as it goes, once per pass; and a document past the prefault
 * threshold reads to the model its EDIFACT twin reads to, or is refused
 * when cut, with the prefault thread running.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edi/reader.h"
#include "edi/writer.h"
#include "manifest/gen.h"
#include "manifest/json.h"
#include "manifest/util.h"
#include "manifest/xml.h"

#include "unit.h"

/* The fixture with the first `from` replaced by `to` (caller frees). */
static char *
fixture_with(const char *from, const char *to, size_t *len)
{
	char		*data = test_read_fixture("xml/cuscar_s4_unoy.xml", len);
	char		*at = strstr(data, from);
	struct buf	 b = { 0 };

	CU_ASSERT_PTR_NOT_NULL_FATAL(at);
	buf_add(&b, data, (size_t)(at - data));
	buf_add_str(&b, to);
	buf_add_str(&b, at + strlen(from));
	free(data);
	return buf_steal(&b, len);
}

/* Parses data; the first diagnostic with code (NULL when none). */
static const struct diag *
parse_find(struct manifest_train *t, const char *data, size_t len, int want,
    const char *code)
{
	CU_ASSERT_EQUAL(xml_parse(data, len, NULL, t), want);
	return diag_list_find(&t->diags, code);
}

static void
t_xml_sax_xml_id(void)
{
	struct manifest_train	*t = manifest_train_new();
	const struct diag	*d;
	size_t			 len;
	char			*data;

	data = fixture_with("<Wagon>", "<Wagon xml:id=\"1bad\">", &len);
	d = parse_find(t, data, len, -1, "XML_MALFORMED");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_STRING_EQUAL(d->message,
	    "xml:id : attribute value 1bad is not an NCName");
	manifest_train_free(t);
	free(data);
	t = manifest_train_new();
	data = fixture_with("<Seal>", "<Seal xml:id=\"s1\"><Foo xml:id=\"s1\"/>",
	    &len);
	d = parse_find(t, data, len, -1, "XML_MALFORMED");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_STRING_EQUAL(d->message, "ID s1 already defined");
	manifest_train_free(t);
	free(data);
}

/* 11 CDATA sections of 1 MB in one value: libxml2's 10 MB text node
 * refusal; 5 of them: railgate's text limit. */
static void
t_xml_sax_text_node_limits(void)
{
	struct manifest_train	*t;
	const struct diag	*d;
	struct buf		 b = { 0 };
	size_t			 len, i, n;
	char			*data, *mb = malloc(1000000);

	CU_ASSERT_PTR_NOT_NULL_FATAL(mb);
	memset(mb, 'x', 1000000);
	for (n = 5; n <= 11; n += 6) {
		buf_reset(&b);
		buf_add_str(&b, "<Commodity><Description>");
		for (i = 0; i < n; i++) {
			buf_add_str(&b, "<![CDATA[");
			buf_add(&b, mb, 1000000);
			buf_add_str(&b, "]]>");
		}
		buf_add_str(&b, "</Description>");
		buf_add_char(&b, '\0');
		data = fixture_with("<Commodity>", b.data, &len);
		t = manifest_train_new();
		d = parse_find(t, data, len, -1, n == 5 ? "XML_LIMIT" :
		    "XML_MALFORMED");
		CU_ASSERT_PTR_NOT_NULL_FATAL(d);
		CU_ASSERT_PTR_NOT_NULL(strstr(d->message, n == 5 ?
		    "the text limit" : "huge text node"));
		manifest_train_free(t);
		free(data);
	}
	buf_free(&b);
	free(mb);
}

/* A value past line 65,535 is reported at 65535, as the reader's 16-bit
 * tree nodes told it. */
static void
t_xml_sax_line_past_16_bits(void)
{
	struct manifest_train	*t = manifest_train_new();
	const struct diag	*d;
	struct buf		 b = { 0 };
	char			*pad = malloc(70001), *data;
	size_t			 len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(pad);
	memset(pad, '\n', 70000);
	pad[70000] = '\0';
	buf_add_str(&b, pad);
	buf_add_str(&b, "<TareMassMeasure unitCode=\"KGM\">20,5");
	buf_add_char(&b, '\0');
	data = fixture_with("<TareMassMeasure unitCode=\"KGM\">20500", b.data,
	    &len);
	d = parse_find(t, data, len, 0, "BAD_NUMBER");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_EQUAL(d->loc.line, 65535);
	manifest_train_free(t);
	free(data);
	free(pad);
	buf_free(&b);
}

/* An unknown element the reader never read before libxml2's error is not
 * reported; an '&' of a unit attribute is read as one. */
static void
t_xml_sax_read_as_the_reader(void)
{
	struct manifest_train	*t = manifest_train_new();
	size_t			 len;
	char			*data;

	data = test_read_fixture("xml/hostile/truncated.xml", &len);
	CU_ASSERT_PTR_NOT_NULL(parse_find(t, data, len, -1, "XML_MALFORMED"));
	CU_ASSERT_PTR_NULL(diag_list_find(&t->diags, "UNKNOWN_ELEMENT"));
	manifest_train_free(t);
	free(data);
	t = manifest_train_new();
	data = fixture_with("unitCode=\"KGM\">20500", "unitCode=\"T&amp;E\">20500",
	    &len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(parse_find(t, data, len, 0, "BAD_UNIT"));
	CU_ASSERT_PTR_NOT_NULL(strstr(diag_list_find(&t->diags,
	    "BAD_UNIT")->message, "\"T&E\""));
	manifest_train_free(t);
	free(data);
}

struct told {
	size_t	calls, restarts, last, max;
};

static void
told_cb(void *arg, size_t upto)
{
	struct told	*w = arg;

	w->calls++;
	if (upto < w->last)
		w->restarts++;
	w->last = upto;
	if (upto > w->max)
		w->max = upto;
}

/* Two passes (the byte checks, libxml2), each telling how far it got. */
static void
t_xml_sax_consumed_per_pass(void)
{
	struct manifest_train	*t = manifest_train_new();
	struct xml_read_options	 ro = { NULL, NULL, 0 };
	struct told		 w = { 0 };
	struct buf		 b = { 0 };
	size_t			 len, i;
	char			*data = test_read_fixture("xml/cuscar_s4_unoy.xml",
				    &len), *at = strstr(data, "<Head>");

	CU_ASSERT_PTR_NOT_NULL_FATAL(at);
	buf_add(&b, data, (size_t)(at - data));
	for (i = 0; i < 60000; i++)	/* 3 MB of comments: several steps */
		buf_add_str(&b, "<!-- padding padding padding padding -->\n");
	buf_add_str(&b, at);
	ro.consumed = told_cb;
	ro.arg = &w;
	CU_ASSERT_EQUAL(xml_parse_with(b.data, b.len, NULL, &ro, t), 0);
	CU_ASSERT(w.calls >= 4);
	CU_ASSERT_EQUAL(w.restarts, 1);
	CU_ASSERT(w.max <= b.len);
	manifest_train_free(t);
	buf_free(&b);
	free(data);
}

/* A train over XML_PREFAULT_MIN_BYTES as XML, and as EDIFACT: one model. */
static void
t_xml_sax_prefaulted_model(void)
{
	struct gen_options	 g = { 55, 40000, 9, false };
	struct manifest_train	*src = gen_train(&g), *tx, *te;
	struct buf		 xml = { 0 }, edi = { 0 }, jx = { 0 }, je = { 0 };

	xml_write_manifest(src, &xml);
	edi_write_cuscar(src, NULL, &edi);
	manifest_train_free(src);
	CU_ASSERT_FATAL(xml.len > XML_PREFAULT_MIN_BYTES);
	tx = manifest_train_new();
	te = manifest_train_new();
	CU_ASSERT_EQUAL(xml_parse(xml.data, xml.len, NULL, tx), 0);
	CU_ASSERT_EQUAL(edi_read(edi.data, edi.len, te), 0);
	CU_ASSERT_EQUAL(tx->nitems, 40000);
	manifest_json_write(tx, 0, &jx);
	manifest_json_write(te, 0, &je);
	CU_ASSERT(jx.len == je.len && memcmp(jx.data, je.data, jx.len) == 0);
	manifest_train_free(tx);
	/* Cut short: refused, the thread stopped, nothing kept. */
	tx = manifest_train_new();
	CU_ASSERT_EQUAL(xml_parse(xml.data, xml.len - 100, NULL, tx), -1);
	CU_ASSERT_PTR_NOT_NULL(diag_list_find(&tx->diags, "XML_MALFORMED"));
	manifest_train_free(tx);
	manifest_train_free(te);
	buf_free(&xml);
	buf_free(&edi);
	buf_free(&jx);
	buf_free(&je);
}

static CU_TestInfo xml_sax_tests[] = {
	{ "t_xml_sax_prefaulted_model", t_xml_sax_prefaulted_model },
	{ "t_xml_sax_xml_id", t_xml_sax_xml_id },
	{ "t_xml_sax_text_node_limits", t_xml_sax_text_node_limits },
	{ "t_xml_sax_line_past_16_bits", t_xml_sax_line_past_16_bits },
	{ "t_xml_sax_read_as_the_reader", t_xml_sax_read_as_the_reader },
	{ "t_xml_sax_consumed_per_pass", t_xml_sax_consumed_per_pass },
	CU_TEST_INFO_NULL,
};

TEST_SUITE("xml_sax", NULL, NULL, xml_sax_tests)
