/*
 * unlist.c -- the UN Security Council Consolidated List (XML) as an
 * edition-3 list file: `railgate lists import`'s converter.
 *
 * The document is checked from its bytes first (size, a DOCTYPE or an
 * encoding libxml2 would decode unseen: manifest/xml_prescan.h), then
 * read into a tree by libxml2 with no network and no entity expansion
 * (XML_PARSE_NONET, never NOENT/DTDLOAD), its own parser context, and
 * errors kept, not printed.  Each INDIVIDUAL and ENTITY becomes one
 * entry, in document order; the file's meaning is docs/screening.md's
 * "Importing the UN list".  Every line written is one the edition-3
 * loader accepts: names are single-spaced, hold no '#' or '=' (the list
 * file gives them meaning) and only letters of the scripts railgate
 * compares; an identifier is written only when rules/ident.c accepts it.
 * Everything else the list says about a record is a comment.
 *
 * Owns the tree and buffers of one call; nothing survives it but the
 * returned text.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "manifest/util.h"
#include "manifest/xml_prescan.h"
#include "rules/ident.h"
#include "rules/script.h"
#include "rules/unlist.h"

#define INDENT		"    "
#define MAX_CODES	8	/* distinct countries remembered per record */
#define MAX_RUN		((size_t)1 << 20)	/* longest tag or text run */
#define MAX_ATTRS	64

/* What a name of a record is, in the order they are considered. */
enum role {
	ROLE_NAME,		/* FIRST_NAME .. FOURTH_NAME */
	ROLE_ALIAS,		/* QUALITY Good, a.k.a. or none */
	ROLE_LOW,		/* QUALITY Low */
	ROLE_FORMER,		/* QUALITY f.k.a. */
	ROLE_ORIGINAL,		/* NAME_ORIGINAL_SCRIPT */
};

static const char *const role_words[] = {
	"name", "alias", "low-quality alias", "former name",
	"original-script name",
};

/* One conversion. */
struct conv {
	struct buf		 out;	/* the records, after the header */
	struct unlist_counts	 c;
};

/* The record being written: its entry name, names already written, and the lines that follow the entry's. */
struct rec {
	const char	*prefix;	/* "INDIVIDUAL" or "ENTITY" */
	const char	*entry;		/* borrowed from names[] */
	char		**names;	/* names written, for duplicates */
	size_t		 nnames, capnames;
	unsigned	 seen;		/* names considered, written or not */
	struct buf	 attrs;
	const char	*codes[MAX_CODES];
	size_t		 ncodes;
	char		*unknown[MAX_CODES];	/* country names not in the table */
	size_t		 nunknown;
};

static int	is_el(const xmlNode *n, const char *name);
static xmlNode	*child(const xmlNode *p, const char *name);
static char	*clean(const char *in, int name);
static char	*node_text(const xmlNode *n, int name);
static char	*child_text(const xmlNode *p, const char *name, int as_name);

/* An element named name. */
static int
is_el(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	    strcmp((const char *)n->name, name) == 0;
}

/* The first child element of p named name, or NULL. */
static xmlNode *
child(const xmlNode *p, const char *name)
{
	xmlNode	*n;

	for (n = p->children; n != NULL; n = n->next)
		if (is_el(n, name))
			return n;
	return NULL;
}

/*
 * in with white space, controls and line separators collapsed to single
 * spaces and trimmed; for a name, '#' and '=' count as spaces too.  A new
 * string (caller frees), or NULL when nothing is left.
 */
static char *
clean(const char *in, int name)
{
	struct buf	 b = { 0 };
	int32_t		 i = 0, start, len = (int32_t)strlen(in);
	UChar32		 c;
	int		 space = 0;

	while (i < len) {
		start = i;
		U8_NEXT(in, i, len, c);
		if (c < 0)
			continue;	/* libxml2 hands out UTF-8: cannot happen */
		if (u_isUWhiteSpace(c) || u_iscntrl(c) ||
		    (name && (c == '#' || c == '='))) {
			space = 1;
			continue;
		}
		if (space && b.len > 0)
			buf_add_char(&b, ' ');
		space = 0;
		buf_add(&b, in + start, (size_t)(i - start));
	}
	if (b.len == 0) {
		buf_free(&b);
		return NULL;
	}
	return buf_steal(&b, NULL);
}

/* The cleaned text of n, or NULL when empty. */
static char *
node_text(const xmlNode *n, int name)
{
	xmlChar	*t = xmlNodeGetContent(n);
	char	*s;

	if (t == NULL)
		return NULL;
	s = clean((const char *)t, name);
	xmlFree(t);
	return s;
}

/* The cleaned text of p's first child element named name, or NULL. */
static char *
child_text(const xmlNode *p, const char *name, int as_name)
{
	const xmlNode	*n = child(p, name);

	return n != NULL ? node_text(n, as_name) : NULL;
}

/* 1 when rec has written name already (as its entry or an alias). */
static int
rec_has(const struct rec *r, const char *name)
{
	size_t	i;

	for (i = 0; i < r->nnames; i++)
		if (strcmp(r->names[i], name) == 0)
			return 1;
	return 0;
}

/* Considers one name of the record (consumes it): entry, aka or comment. */
static void
rec_name(struct conv *cv, struct rec *r, char *name, enum role role)
{
	const char	*script = script_uncompared(name, strlen(name));

	r->seen++;
	if (script != NULL) {
		buf_printf(&r->attrs, INDENT "# skipped %s (%s script, not "
		    "compared): %s\n", role_words[role], script, name);
		cv->c.names_skipped++;
		free(name);
		return;
	}
	if (rec_has(r, name)) {
		free(name);
		return;
	}
	if (r->nnames == r->capnames) {
		r->capnames = r->capnames == 0 ? 8 : r->capnames * 2;
		r->names = xreallocarray(r->names, r->capnames,
		    sizeof(*r->names));
	}
	r->names[r->nnames++] = name;
	if (r->entry == NULL) {
		r->entry = name;
		if (role != ROLE_NAME)
			buf_printf(&r->attrs, INDENT "# the entry's name is its "
			    "%s: its own is missing or in a script railgate "
			    "does not compare\n", role_words[role]);
		return;
	}
	if (role == ROLE_LOW) {
		buf_printf(&r->attrs, INDENT "# low quality: %s\n", name);
		cv->c.low_quality++;
	} else if (role == ROLE_FORMER)
		buf_printf(&r->attrs, INDENT "# former name: %s\n", name);
	buf_printf(&r->attrs, INDENT "aka %s\n", name);
	cv->c.aliases++;
}

/* FIRST_NAME .. FOURTH_NAME joined by single spaces, or NULL. */
static char *
full_name(const xmlNode *rec)
{
	static const char *const parts[] = { "FIRST_NAME", "SECOND_NAME",
	    "THIRD_NAME", "FOURTH_NAME" };
	struct buf	 b = { 0 };
	size_t		 i;
	char		*s;

	for (i = 0; i < nitems(parts); i++) {
		if ((s = child_text(rec, parts[i], 1)) == NULL)
			continue;
		if (b.len > 0)
			buf_add_char(&b, ' ');
		buf_add_str(&b, s);
		free(s);
	}
	if (b.len == 0)
		return NULL;
	return buf_steal(&b, NULL);
}

/* The role an alias's QUALITY gives it. */
static enum role
alias_role(const xmlNode *alias)
{
	char		*q = child_text(alias, "QUALITY", 0);
	enum role	 role = ROLE_ALIAS;

	if (q != NULL && strcasecmp(q, "low") == 0)
		role = ROLE_LOW;
	else if (q != NULL && strcasecmp(q, "f.k.a.") == 0)
		role = ROLE_FORMER;
	free(q);
	return role;
}

/* Every name of the record: its own, its aliases, its original script. */
static void
rec_names(struct conv *cv, struct rec *r, const xmlNode *node)
{
	char		 el[32];
	const xmlNode	*n;
	char		*s;

	if ((s = full_name(node)) != NULL)
		rec_name(cv, r, s, ROLE_NAME);
	snprintf(el, sizeof(el), "%s_ALIAS", r->prefix);
	for (n = node->children; n != NULL; n = n->next)
		if (is_el(n, el) && (s = child_text(n, "ALIAS_NAME", 1)) != NULL)
			rec_name(cv, r, s, alias_role(n));
	if ((s = child_text(node, "NAME_ORIGINAL_SCRIPT", 1)) != NULL)
		rec_name(cv, r, s, ROLE_ORIGINAL);
}

/* Notes one country the record names (consumes name). */
static void
rec_country(struct conv *cv, struct rec *r, char *name)
{
	const char	*code = unlist_country_code(name);
	size_t		 i;

	if (code == NULL) {
		for (i = 0; i < r->nunknown; i++)
			if (strcmp(r->unknown[i], name) == 0)
				break;
		if (i == r->nunknown && r->nunknown < MAX_CODES) {
			buf_printf(&r->attrs, INDENT "# country \"%s\" is not "
			    "in the importer's table: no country line\n", name);
			cv->c.countries_unknown++;
			r->unknown[r->nunknown++] = name;
			return;
		}
		free(name);
		return;
	}
	free(name);
	for (i = 0; i < r->ncodes; i++)
		if (strcmp(r->codes[i], code) == 0)
			return;
	if (r->ncodes < MAX_CODES)
		r->codes[r->ncodes++] = code;
}

/* The countries of NATIONALITY values and addresses; a country line when exactly one is clear. */
static void
rec_countries(struct conv *cv, struct rec *r, const xmlNode *node)
{
	char		 el[32];
	const xmlNode	*n, *v;
	char		*s;
	size_t		 i;

	snprintf(el, sizeof(el), "%s_ADDRESS", r->prefix);
	for (n = node->children; n != NULL; n = n->next) {
		if (is_el(n, "NATIONALITY") || is_el(n, "INDIVIDUAL_NATIONALITY")) {
			for (v = n->children; v != NULL; v = v->next)
				if (is_el(v, "VALUE") &&
				    (s = node_text(v, 0)) != NULL)
					rec_country(cv, r, s);
		} else if (is_el(n, el) &&
		    (s = child_text(n, "COUNTRY", 0)) != NULL)
			rec_country(cv, r, s);
	}
	if (r->nunknown > 0 || r->ncodes == 0)
		return;
	if (r->ncodes == 1) {
		buf_printf(&r->attrs, INDENT "country %s\n", r->codes[0]);
		cv->c.countries++;
		return;
	}
	buf_printf(&r->attrs, INDENT "# several countries (");
	for (i = 0; i < r->ncodes; i++)
		buf_printf(&r->attrs, "%s%s", i > 0 ? ", " : "", r->codes[i]);
	buf_printf(&r->attrs, "): no country line\n");
}

/* ASCII letter or digit (isalnum depends on the locale). */
static int
is_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z');
}

/* 1 when the lower-case text t holds w as a whole word. */
static int
has_word(const char *t, const char *w)
{
	size_t		 n = strlen(w);
	const char	*p;

	for (p = t; (p = strstr(p, w)) != NULL; p++) {
		if ((p == t || !is_alnum(p[-1])) &&
		    !is_alnum(p[n]))
			return 1;
	}
	return 0;
}

/* The identifier scheme of a country's own registrations (CN, KZ, RU), or NULL. */
static const char *
national_scheme(const char *cc, int tax)
{
	if (cc == NULL)
		return NULL;
	if (strcmp(cc, "CN") == 0)
		return "uscc";
	if (strcmp(cc, "KZ") == 0)
		return "kz-bin";
	/* A Russian registration number (OGRN) is not an INN. */
	return tax && strcmp(cc, "RU") == 0 ? "inn" : NULL;
}

/*
 * The schemes a document of this type may be, most specific first
 * (docs/screening.md, "Importing the UN list"); how many.
 */
static size_t
doc_schemes(const char *type, const char *cc, const char *out[2])
{
	char	t[128];
	size_t	i, n = 0;

	for (i = 0; type[i] != '\0' && i + 1 < sizeof(t); i++)
		t[i] = (type[i] >= 'A' && type[i] <= 'Z') ?
		    (char)(type[i] - 'A' + 'a') : type[i];
	t[i] = '\0';
	if (strstr(t, "social credit") != NULL || has_word(t, "uscc"))
		out[n++] = "uscc";
	else if (has_word(t, "eori"))
		out[n++] = "eori";
	else if (has_word(t, "bin") || has_word(t, "iin") ||
	    strstr(t, "business identification") != NULL)
		out[n++] = "kz-bin";
	else if (has_word(t, "inn"))
		out[n++] = "inn";
	else if (strstr(t, "tax") != NULL || has_word(t, "tin")) {
		if ((out[n] = national_scheme(cc, 1)) != NULL)
			n++;
		out[n++] = "tin";
	} else if (strstr(t, "registration") != NULL ||
	    strstr(t, "national identification") != NULL) {
		if ((out[n] = national_scheme(cc, 0)) != NULL)
			n++;
	}
	return n;
}

/* One *_DOCUMENT: an id line when its type maps to a scheme and its number fits, else a comment naming it. */
static void
rec_document(struct conv *cv, struct rec *r, const xmlNode *doc)
{
	char		*type = child_text(doc, "TYPE_OF_DOCUMENT", 0);
	char		*num = child_text(doc, "NUMBER", 0);
	char		*issuer = child_text(doc, "ISSUING_COUNTRY", 0);
	const char	*schemes[2], *cc;
	char		 norm[IDENT_MAX + 1], why[128] = "";
	size_t		 i, n;

	if (issuer == NULL)
		issuer = child_text(doc, "COUNTRY_OF_ISSUE", 0);
	cc = issuer != NULL ? unlist_country_code(issuer) : NULL;
	n = type != NULL && num != NULL ? doc_schemes(type, cc, schemes) : 0;
	if (num != NULL)
		ident_normalise(num, norm, sizeof(norm));
	for (i = 0; i < n; i++) {
		if (norm[0] != '\0' && ident_check(schemes[i], norm, why,
		    sizeof(why)) == 0) {
			buf_printf(&r->attrs, INDENT "id %s %s\n", schemes[i],
			    norm);
			cv->c.ids++;
			goto done;
		}
		if (i == 0 && norm[0] == '\0')
			snprintf(why, sizeof(why), "%s: value too long",
			    schemes[i]);
	}
	buf_printf(&r->attrs, INDENT "# document %s %s%s%s%s: ",
	    type != NULL ? type : "(no type)", num != NULL ? num : "(no number)",
	    issuer != NULL ? " (" : "", issuer != NULL ? issuer : "",
	    issuer != NULL ? ")" : "");
	if (n == 0)
		buf_printf(&r->attrs, "no identifier scheme for it\n");
	else
		buf_printf(&r->attrs, "fits no scheme (%s)\n", why);
	cv->c.documents_kept++;
done:
	free(type);
	free(num);
	free(issuer);
}

/* The record's documents. */
static void
rec_documents(struct conv *cv, struct rec *r, const xmlNode *node)
{
	char		 el[32];
	const xmlNode	*n;

	snprintf(el, sizeof(el), "%s_DOCUMENT", r->prefix);
	for (n = node->children; n != NULL; n = n->next)
		if (is_el(n, el))
			rec_document(cv, r, n);
}

/* The comment line that opens a record: where it is in the UN list. */
static void
rec_opening(struct conv *cv, const xmlNode *node, const char *kind)
{
	char	*id = child_text(node, "DATAID", 0);
	char	*ref = child_text(node, "REFERENCE_NUMBER", 0);
	char	*list = child_text(node, "UN_LIST_TYPE", 0);

	buf_printf(&cv->out, "\n# DATAID %s: %s%s%s%s, %s\n",
	    id != NULL ? id : "(none)", ref != NULL ? ref : "(no reference)",
	    list != NULL ? " (" : "", list != NULL ? list : "",
	    list != NULL ? ")" : "", kind);
	free(id);
	free(ref);
	free(list);
}

/* One INDIVIDUAL or ENTITY: an entry with its attributes, or a comment. */
static void
record(struct conv *cv, const xmlNode *node, const char *prefix,
    const char *kind)
{
	struct rec	r;
	size_t		i;

	memset(&r, 0, sizeof(r));
	r.prefix = prefix;
	rec_opening(cv, node, kind);
	rec_names(cv, &r, node);
	if (r.entry != NULL) {
		rec_countries(cv, &r, node);
		rec_documents(cv, &r, node);
		buf_printf(&cv->out, "%s\n", r.entry);
		cv->c.entries++;
	} else {
		buf_printf(&cv->out, "# skipped: %s\n", r.seen > 0 ? "no name in "
		    "a script railgate compares" : "the record has no name");
		cv->c.records_skipped++;
	}
	buf_add(&cv->out, r.attrs.data, r.attrs.len);
	buf_free(&r.attrs);
	for (i = 0; i < r.nnames; i++)
		free(r.names[i]);
	free(r.names);
	for (i = 0; i < r.nunknown; i++)
		free(r.unknown[i]);
}

/* Every record under the group element named group (INDIVIDUALS, ENTITIES). */
static int
group(struct conv *cv, const xmlNode *root, const char *grp,
    const char *item, const char *kind, unsigned *count)
{
	const xmlNode	*g = child(root, grp), *n;

	if (g == NULL)
		return 0;
	for (n = g->children; n != NULL; n = n->next) {
		if (!is_el(n, item))
			continue;
		record(cv, n, item, kind);
		(*count)++;
	}
	return 1;
}

/* Sets *err (line, message) and returns -1. */
static int
refuse(struct unlist_error *err, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int
refuse(struct unlist_error *err, unsigned line, const char *fmt, ...)
{
	va_list	ap;

	size_t	i = 0, k, n;

	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	/* A long message is cut at the buffer's end, maybe inside a
	 * character: end it at the last whole one. */
	n = strlen(err->msg);
	while (i < n && (k = utf8_sequence(err->msg + i, n - i)) > 0)
		i += k;
	err->msg[i] = '\0';
	return -1;
}

/* What the bytes alone show is not to be parsed: 0, or -1 with *err. */
static int
prescan(const char *xml, size_t len, struct unlist_error *err)
{
	struct xml_prolog	pr;
	uint32_t		at;
	bool			long_run;
	size_t			i;

	if (len > UNLIST_MAX_BYTES)
		return refuse(err, 0, "larger than %zu MB: not the UN list",
		    UNLIST_MAX_BYTES >> 20);
	for (i = 0; i < len && (xml[i] == ' ' || xml[i] == '\t' ||
	    xml[i] == '\r' || xml[i] == '\n'); i++)
		;
	if (i == len)
		return refuse(err, 1, "the document is empty");
	xml_prolog_check(xml, len, &pr);
	if (pr.fault == XML_PROLOG_DOCTYPE)
		return refuse(err, pr.line, "a DOCTYPE is not accepted: the UN "
		    "list carries no DTD and no entities");
	if (pr.fault != XML_PROLOG_OK)
		return refuse(err, pr.line, "not readable XML: an unterminated "
		    "prolog, or an encoding other than UTF-8 or ASCII-based");
	at = xml_tag_scan(xml, len, MAX_ATTRS, MAX_RUN, &long_run);
	if (at != 0)
		return refuse(err, at, long_run ? "a tag or text longer than "
		    "1 MB" : "a tag with more than %d attributes", MAX_ATTRS);
	return 0;
}

/* Parses xml into a tree: the document, or NULL with *err (libxml2's message and line). */
static xmlDoc *
parse(const char *xml, size_t len, struct unlist_error *err)
{
	xmlParserCtxt	*ctx = xmlNewParserCtxt();
	xmlDoc		*doc;
	const xmlError	*e;
	char		*msg;

	if (ctx == NULL) {
		refuse(err, 0, "out of memory");
		return NULL;
	}
	doc = xmlCtxtReadMemory(ctx, xml, (int)len, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
	    XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES);
	if (doc == NULL || !ctx->wellFormed) {
		e = xmlCtxtGetLastError(ctx);
		msg = e != NULL && e->message != NULL ? clean(e->message, 0) :
		    NULL;
		refuse(err, e != NULL && e->line > 0 ? (unsigned)e->line : 0,
		    "not well-formed XML: %s", msg != NULL ? msg : "unreadable");
		free(msg);
		xmlFreeDoc(doc);
		doc = NULL;
	} else if (doc->intSubset != NULL || doc->extSubset != NULL) {
		refuse(err, 1, "a DOCTYPE is not accepted");
		xmlFreeDoc(doc);
		doc = NULL;
	}
	xmlFreeParserCtxt(ctx);
	return doc;
}

/* The header comment: what was read, from where, and what became of it. */
static void
header(struct buf *b, const char *source, const char *date,
    const struct unlist_counts *c)
{
	const char	*slash = strrchr(source, '/');

	buf_printf(b, "# The UN Security Council Consolidated List as an "
	    "edition-3 list file\n# (docs/screening.md), written by `railgate "
	    "lists import`.\n");
	buf_printf(b, "# source: %s, dateGenerated %s\n",
	    slash != NULL ? slash + 1 : source, date != NULL ? date : "(none)");
	buf_printf(b, "# records: individuals %u, entities %u, skipped %u\n",
	    c->individuals, c->entities, c->records_skipped);
	buf_printf(b, "# written: entries %u, aliases %u (low quality %u), "
	    "countries %u, identifiers %u\n", c->entries, c->aliases,
	    c->low_quality, c->countries, c->ids);
	buf_printf(b, "# comments only: names in other scripts %u, documents "
	    "%u, unknown country names %u\n", c->names_skipped,
	    c->documents_kept, c->countries_unknown);
}

int
unlist_convert(const char *xml, size_t len, const char *source,
    char **text, size_t *textlen, struct unlist_counts *counts,
    struct unlist_error *err)
{
	struct conv	 cv;
	struct buf	 all = { 0 };
	xmlDoc		*doc;
	xmlNode		*root;
	xmlChar		*date;
	char		*d;
	int		 any;

	memset(&cv, 0, sizeof(cv));
	memset(err, 0, sizeof(*err));
	if (prescan(xml, len, err) < 0 || (doc = parse(xml, len, err)) == NULL)
		return -1;
	root = xmlDocGetRootElement(doc);
	/* Names are compared without their namespace, should one appear. */
	if (root == NULL || strcmp((const char *)root->name,
	    "CONSOLIDATED_LIST") != 0) {
		refuse(err, root != NULL ? (unsigned)xmlGetLineNo(root) : 1,
		    "the root element is <%s>, not <CONSOLIDATED_LIST>: not "
		    "the UN Consolidated List", root != NULL ?
		    (const char *)root->name : "");
		xmlFreeDoc(doc);
		return -1;
	}
	any = group(&cv, root, "INDIVIDUALS", "INDIVIDUAL", "individual",
	    &cv.c.individuals);
	any |= group(&cv, root, "ENTITIES", "ENTITY", "entity",
	    &cv.c.entities);
	if (!any) {
		refuse(err, (unsigned)xmlGetLineNo(root), "<CONSOLIDATED_LIST> "
		    "holds neither <INDIVIDUALS> nor <ENTITIES>");
		buf_free(&cv.out);
		xmlFreeDoc(doc);
		return -1;
	}
	date = xmlGetProp(root, (const xmlChar *)"dateGenerated");
	d = date != NULL ? clean((const char *)date, 0) : NULL;
	header(&all, source, d, &cv.c);
	buf_add(&all, cv.out.data, cv.out.len);
	free(d);
	xmlFree(date);
	buf_free(&cv.out);
	xmlFreeDoc(doc);
	*counts = cv.c;
	*text = buf_steal(&all, textlen);
	return 0;
}
