/*
 * lang_list.c -- list files and legal forms, read once every .rules file
 * of a rule set is compiled, when its edition is known.
 *
 * Editions 1 and 2 read a list file as they always did: one entry a line,
 * `#` comments, leading and trailing white space trimmed, `entry = number`
 * for lookup lists; names are normalised for rules/fuzzy.c.  Edition 3
 * (docs/screening.md) adds attribute lines -- a line starting with white
 * space belongs to the entry above (`aka`, `country`, `id`) -- refuses a
 * name in a script the keys do not compare and an identifier of the wrong
 * shape, and computes every name's comparison keys (rules/names.h) with
 * the legal forms stripped, once, at load.
 *
 * Everything lives in the rule set's arena except the keys (names.h heap
 * strings) and the forms, which the rule set frees (rules.c).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/model.h"
#include "manifest/strmap.h"
#include "manifest/util.h"
#include "manifest/value.h"

#include "fuzzy.h"
#include "ident.h"
#include "lang_int.h"
#include "names.h"
#include "names_index.h"
#include "script.h"

/* What reading one file needs: where errors go and the line being read. */
struct reader {
	struct rules_ruleset	*rs;
	struct diag_list	*diags;
	const char		*file;
	uint32_t		 line;
	size_t			 errors;
};

static void
list_error(struct reader *r, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* An error at the reader's line, column col. */
static void
list_error(struct reader *r, uint32_t col, const char *fmt, ...)
{
	struct diag_loc	 loc = diag_loc_line(r->file, r->line, col);
	va_list		 ap;
	char		*msg;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	diag_add(r->diags, DIAG_ERROR, "RULES_LIST", &loc, "%s", msg);
	free(msg);
	r->errors++;
}

/* Adds an entry line (`name` or `name = number`) to l; -1 if malformed. */
static int
list_line(struct reader *r, struct rules_list *l, const char *s, size_t len)
{
	const char	*eq = memchr(s, '=', len);
	size_t		 klen = eq != NULL ? (size_t)(eq - s) : len, cap = l->n;
	int64_t		*v = arena_alloc(r->rs->arena, sizeof *v);
	char		*key;

	*v = MANIFEST_ABSENT;
	if (eq != NULL) {
		const char *p = eq + 1, *e = s + len;

		while (p < e && isspace((unsigned char)*p))
			p++;
		if (value_decimal_parse(p, (size_t)(e - p), v) != VALUE_OK) {
			list_error(r, (uint32_t)(p - s) + 1, "expected a number "
			    "after '=', found '%.*s'", (int)(e - p), p);
			return -1;
		}
	}
	while (klen > 0 && isspace((unsigned char)s[klen - 1]))
		klen--;
	key = arena_strndup(r->rs->arena, s, klen);
	strmap_put(l->entries, key, v);
	l->names = arena_grow(r->rs->arena, l->names, &cap, l->n + 1,
	    sizeof *l->names);
	l->names[l->n++] = key;
	if (klen < sizeof l->lengths)
		l->lengths[klen] = 1;
	return 0;
}

/* Normalises every entry of l for rules/fuzzy.c (arena copies). */
static void
list_fold(struct reader *r, struct rules_list *l)
{
	int32_t	*cp;
	size_t	 i, n;

	l->folded = arena_zalloc(r->rs->arena, (l->n + 1) * sizeof *l->folded);
	l->nfolded = arena_zalloc(r->rs->arena, (l->n + 1) * sizeof(size_t));
	for (i = 0; i < l->n; i++) {
		n = rules_fuzzy_normalise(l->names[i], &cp);
		l->folded[i] = arena_alloc(r->rs->arena, (n + 1) * sizeof *cp);
		if (n > 0)
			memcpy(l->folded[i], cp, n * sizeof *cp);
		l->nfolded[i] = n;
		free(cp);
	}
}

/* A name of an entry (its own or an alias) in a script the keys compare. */
static int
name_check(struct reader *r, const char *name, uint32_t col)
{
	const char	*script = script_uncompared(name, strlen(name));

	if (script == NULL)
		return 0;
	list_error(r, col, "'%s': a letter of the %s script, which railgate "
	    "does not compare (Latin, Cyrillic and Han only)", name, script);
	return -1;
}

/* A new edition-3 entry from its name line. */
static void
entry_add(struct reader *r, struct rules_list *l, const char *s, size_t len)
{
	struct rules_entry	*e;

	if (list_line(r, l, s, len) == -1)
		return;
	l->ent = arena_grow(r->rs->arena, l->ent, &l->ent_cap, l->nent + 1,
	    sizeof *l->ent);
	e = &l->ent[l->nent++];
	memset(e, 0, sizeof *e);
	e->name = l->names[l->n - 1];
	e->line = r->line;
	(void)name_check(r, e->name, 1);
}

/* `id SCHEME VALUE` of entry e: shape checked, indexed by value. */
static void
entry_id(struct reader *r, struct rules_list *l, struct rules_entry *e,
    const char *v, uint32_t col)
{
	const char	*sp = strchr(v, ' ');
	char		 why[160], norm[64], *scheme;
	size_t		*idx;

	if (sp == NULL) {
		list_error(r, col, "expected 'id SCHEME VALUE', e.g. 'id uscc "
		    "91110000100000000R'");
		return;
	}
	scheme = arena_strndup(r->rs->arena, v, (size_t)(sp - v));
	while (*sp == ' ')
		sp++;
	if (ident_check(scheme, sp, why, sizeof why) == -1) {
		list_error(r, col, "identifier '%s %s': %s", scheme, sp, why);
		return;
	}
	ident_normalise(sp, norm, sizeof norm);
	e->ids = arena_grow(r->rs->arena, e->ids, &e->ids_cap, e->nids + 1,
	    sizeof *e->ids);
	e->ids[e->nids].scheme = scheme;
	e->ids[e->nids].value = arena_strdup(r->rs->arena, norm);
	if (strmap_get(l->by_id, e->ids[e->nids].value) == NULL) {
		idx = arena_alloc(r->rs->arena, sizeof *idx);
		*idx = (size_t)(e - l->ent);
		strmap_put(l->by_id, e->ids[e->nids].value, idx);
	}
	e->nids++;
}

/* An attribute line (`aka`, `country`, `id`) of the entry above. */
static void
entry_attribute(struct reader *r, struct rules_list *l, const char *s,
    size_t len, uint32_t col)
{
	struct rules_entry	*e;
	const char		*v;
	size_t			 kw = 0;
	char			*text;

	if (l->nent == 0) {
		list_error(r, col, "an attribute line (starting with white "
		    "space) before any entry");
		return;
	}
	e = &l->ent[l->nent - 1];
	while (kw < len && !isspace((unsigned char)s[kw]))
		kw++;
	text = arena_strndup(r->rs->arena, s + kw, len - kw);
	for (v = text; isspace((unsigned char)*v); v++)
		;
	if (*v == '\0') {
		list_error(r, col, "'%.*s' needs a value", (int)kw, s);
		return;
	}
	if (kw == 3 && memcmp(s, "aka", 3) == 0) {
		if (name_check(r, v, col) == -1)
			return;
		e->aka = arena_grow(r->rs->arena, e->aka, &e->aka_cap,
		    e->naka + 1, sizeof *e->aka);
		e->aka[e->naka++] = v;
	} else if (kw == 7 && memcmp(s, "country", 7) == 0) {
		if (strlen(v) != 2 || !isupper((unsigned char)v[0]) ||
		    !isupper((unsigned char)v[1]))
			list_error(r, col, "country '%s' is not an ISO 3166 "
			    "code of two capital letters", v);
		else
			e->country = v;
	} else if (kw == 2 && memcmp(s, "id", 2) == 0)
		entry_id(r, l, e, v, col);
	else
		list_error(r, col, "unknown attribute '%.*s': an entry takes "
		    "'aka NAME', 'country CC' and 'id SCHEME VALUE'", (int)kw, s);
}

/*
 * Reads list file text into l, line by line: `#` starts a comment; in
 * edition 3 a line starting with white space is an attribute.
 */
static void
list_read(struct reader *r, struct rules_list *l, const struct rules_file *f)
{
	const char	*p = f->text, *e = f->text + f->len, *nl, *hash;
	const char	*s, *t;
	bool		 attr;

	r->line = 0;
	while (p < e) {
		r->line++;
		nl = memchr(p, '\n', (size_t)(e - p));
		t = nl != NULL ? nl : e;
		hash = memchr(p, '#', (size_t)(t - p));
		s = p;
		if (hash != NULL)
			t = hash;
		attr = s < t && (*s == ' ' || *s == '\t');
		while (s < t && isspace((unsigned char)*s))
			s++;
		while (t > s && isspace((unsigned char)t[-1]))
			t--;
		if (t > s && r->rs->edition < 3)
			(void)list_line(r, l, s, (size_t)(t - s));
		else if (t > s && attr)
			entry_attribute(r, l, s, (size_t)(t - s),
			    (uint32_t)(s - p) + 1);
		else if (t > s)
			entry_add(r, l, s, (size_t)(t - s));
		p = nl != NULL ? nl + 1 : e;
	}
	list_fold(r, l);
}

/* One name to screen: its keys with the legal forms stripped. */
static int
screen_add(struct reader *r, struct rules_list *l, size_t entry, long alias,
    const char *name)
{
	struct rules_screen_name	*sn = &l->sn[l->nsn];
	char				 err[160];

	if (names_keys(name, r->rs->forms, &sn->keys, err, sizeof err) != 0) {
		r->line = l->ent[entry].line;
		list_error(r, 1, "'%s': %s", name, err);
		return -1;
	}
	sn->entry = entry;
	sn->alias = alias;
	l->nsn++;
	return 0;
}

/* The names of every entry of l, own and aliases, keyed (edition 3). */
static void
list_keys(struct reader *r, struct rules_list *l)
{
	size_t	i, k, n = 0;

	for (i = 0; i < l->nent; i++)
		n += 1 + l->ent[i].naka;
	l->sn = arena_zalloc(r->rs->arena, (n + 1) * sizeof *l->sn);
	for (i = 0; i < l->nent; i++) {
		if (screen_add(r, l, i, -1, l->ent[i].name) == -1)
			return;
		for (k = 0; k < l->ent[i].naka; k++)
			if (screen_add(r, l, i, (long)k, l->ent[i].aka[k]) == -1)
				return;
	}
	/* Candidate selection: each screen name is its own index entry. */
	l->index = names_index_new(r->rs->generic);
	for (i = 0; i < l->nsn; i++)
		names_index_add(l->index, (uint32_t)i, &l->sn[i].keys);
	names_index_build(l->index);
}

/* The lines of a words file (`#` comments, blank lines skipped). */
static size_t
words_read(struct reader *r, const struct rules_file *f, const char ***out)
{
	const char	**v = NULL, *p = f->text, *e = f->text + f->len;
	const char	 *nl, *hash, *s, *t;
	size_t		  n = 0, cap = 0;

	r->line = 0;
	while (p < e) {
		r->line++;
		nl = memchr(p, '\n', (size_t)(e - p));
		t = nl != NULL ? nl : e;
		if ((hash = memchr(p, '#', (size_t)(t - p))) != NULL)
			t = hash;
		for (s = p; s < t && isspace((unsigned char)*s); s++)
			;
		while (t > s && isspace((unsigned char)t[-1]))
			t--;
		if (t > s) {
			v = arena_grow(r->rs->arena, v, &cap, n + 1, sizeof *v);
			v[n] = arena_strndup(r->rs->arena, s, (size_t)(t - s));
			if (name_check(r, v[n], (uint32_t)(s - p) + 1) == 0)
				n++;
		}
		p = nl != NULL ? nl + 1 : e;
	}
	*out = v;
	return n;
}

/* The rule set's legal forms (`legal forms from`). */
static void
forms_read(struct reader *r, const struct rules_file *f)
{
	const char	**v;
	size_t		  n = words_read(r, f, &v);
	char		  err[160];

	r->rs->forms = xcalloc(1, sizeof *r->rs->forms);
	if (names_forms_init(r->rs->forms, v, n, err, sizeof err) != 0) {
		r->line = 0;
		list_error(r, 0, "%s", err);
	}
}

/* The rule set's generic words (`generic words from`). */
static void
generic_read(struct reader *r, const struct rules_file *f)
{
	const char	**v;
	size_t		  n = words_read(r, f, &v);
	char		  err[160];

	r->rs->generic = xcalloc(1, sizeof *r->rs->generic);
	if (names_generic_init(r->rs->generic, v, n, err, sizeof err) != 0) {
		r->line = 0;
		list_error(r, 0, "%s", err);
	}
}

/* The file named name among files, or NULL. */
static const struct rules_file *
file_named(const struct rules_file *files, size_t nfiles, const char *name)
{
	size_t	i;

	for (i = 0; i < nfiles; i++)
		if (strcmp(files[i].name, name) == 0)
			return &files[i];
	return NULL;
}

size_t
rules_lang_finish(struct rules_ruleset *rs, const struct rules_file *files,
    size_t nfiles, struct diag_list *diags)
{
	struct reader			 r = { rs, diags, NULL, 0, 0 };
	const struct rules_file		*f;
	size_t				 i;

	if (rs->edition == 0)
		rs->edition = 1;	/* none declared: today's semantics */
	if (rs->e3_used && rs->edition < 3) {
		diag_add(diags, DIAG_ERROR, "RULES_SYNTAX", &rs->e3_at,
		    "%s needs edition 3: declare 'edition 3' (docs/rules.md, "
		    "\"Editions\")", rs->e3_what);
		return 1;
	}
	if (rs->forms_file != NULL &&
	    (f = file_named(files, nfiles, rs->forms_file)) != NULL) {
		r.file = f->path != NULL ? f->path : f->name;
		forms_read(&r, f);
	}
	if (rs->generic_file != NULL &&
	    (f = file_named(files, nfiles, rs->generic_file)) != NULL) {
		r.file = f->path != NULL ? f->path : f->name;
		generic_read(&r, f);
	}
	for (i = 0; i < rs->nlists; i++) {
		struct rules_list	*l = rs->lists[i];
		size_t			 before = r.errors;

		f = &files[l->file_index];
		r.file = l->file;
		if (rs->edition >= 3)
			l->by_id = strmap_new();
		list_read(&r, l, f);
		if (rs->edition >= 3 && r.errors == before)
			list_keys(&r, l);
	}
	return r.errors;
}
