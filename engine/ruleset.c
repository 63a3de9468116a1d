/*
 * ruleset.c -- loading a rule set to put it in force, and compiling a
 * stored one back (ruleset.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/diag.h"
#include "manifest/util.h"
#include "rules/lang.h"
#include "rules/rules.h"

#include "engine/check.h"
#include "engine/ruleset.h"
#include "engine/ruleset_pack.h"

int
ruleset_load(const char *dir, struct ruleset_load *out, char **cause)
{
	struct diag_list	 diags;
	struct rules_file	*files = NULL;
	struct buf		 why = { 0 };
	size_t			 n = 0, i;
	char			*report = NULL, line[512];
	size_t			 rlen = 0;
	FILE			*f;
	struct engine_selftest	 res;

	memset(out, 0, sizeof *out);
	diag_list_init(&diags, 0);
	if (rules_files_read(dir, &files, &n, &diags) == 0)
		out->rs = rules_ruleset_compile_dir(dir, files, n, &diags);
	if (out->rs == NULL) {
		buf_printf(&why, "rule set %s does not compile:", dir);
		for (i = 0; i < diags.n && i < 10; i++)
			buf_printf(&why, " %s;", diag_format(&diags.v[i], line,
			    sizeof line));
		goto fail;
	}
	/*
	 * Edition 1 releases goods placed on no wagon: kept for replaying the
	 * decisions it made, never put in force again.
	 */
	if (rules_ruleset_edition(out->rs) < RULESET_MIN_EDITION) {
		buf_printf(&why, "rule set %s is written in edition %d, which "
		    "does not judge goods placed on no wagon: add `edition %d` "
		    "and check its tests (docs/rules.md, \"Editions\")", dir,
		    rules_ruleset_edition(out->rs), RULESET_MIN_EDITION);
		goto fail;
	}
	/* A rule set that fails its own test trains is not put in force. */
	if ((f = open_memstream(&report, &rlen)) == NULL) {
		buf_printf(&why, "rule set %s: no memory for its test report",
		    dir);
		goto fail;
	}
	engine_selftest(out->rs, dir, f, &res);
	fclose(f);
	if (res.failed > 0) {
		buf_printf(&why, "rule set %s fails %d of its %d tests: %s", dir,
		    res.failed, res.run, report);
		goto fail;
	}
	if (res.unproven > 0) {
		buf_printf(&why, "rule set %s does not prove every rule both "
		    "ways (%d missing): %s", dir, res.unproven, report);
		goto fail;
	}
	/* As `railgate rules test`: a rule set nothing proves is not trusted. */
	if (res.run == 0) {
		buf_printf(&why, "rule set %s has no test trains (%s/tests/"
		    "NAME.test): a rule set is put in force only once its own "
		    "tests pass", dir, dir);
		goto fail;
	}
	ruleset_pack(files, n, &out->files_z, &out->files_z_len);
	free(report);
	rules_files_free(files, n);
	diag_list_clear(&diags);
	return 0;
fail:
	*cause = buf_steal(&why, NULL);
	free(report);
	rules_files_free(files, n);
	diag_list_clear(&diags);
	ruleset_load_clear(out);
	return -1;
}

void
ruleset_load_clear(struct ruleset_load *l)
{
	rules_ruleset_unref(l->rs);
	free(l->files_z);
	memset(l, 0, sizeof *l);
}

/* Unpacks stored files (name NUL size NUL bytes..., zlib) and compiles. */
struct rules_ruleset *
ruleset_compile_stored(const char *name, const unsigned char *z, size_t zlen,
    char **why)
{
	struct rules_file	*files = NULL;
	struct rules_ruleset	*rs = NULL;
	struct diag_list	 diags;
	char			*data = NULL, line[512];
	size_t			 n = 0;

	if (ruleset_unpack(z, zlen, &data, &files, &n) < 0) {
		*why = xstrdup("its stored files are damaged");
		return NULL;
	}
	diag_list_init(&diags, 0);
	if ((rs = rules_ruleset_compile(name, files, n, &diags)) == NULL)
		*why = xasprintf("its stored files do not compile: %s",
		    diags.n > 0 ? diag_format(&diags.v[0], line, sizeof line) :
		    "?");
	diag_list_clear(&diags);
	free(files);
	free(data);
	return rs;
}

/* List list of rs, or NULL. */
static const struct rules_list *
list_named(const struct rules_ruleset *rs, const char *list)
{
	size_t	i;

	for (i = 0; i < rs->nlists; i++)
		if (strcmp(rs->lists[i]->name, list) == 0)
			return rs->lists[i];
	return NULL;
}

/* The edition-3 entry named entry of list, or NULL. */
static const struct rules_entry *
entry_named(const struct rules_ruleset *rs, const char *list,
    const char *entry)
{
	const struct rules_list	*l = list_named(rs, list);
	size_t			 i;

	for (i = 0; l != NULL && i < l->nent; i++)
		if (strcmp(l->ent[i].name, entry) == 0)
			return &l->ent[i];
	return NULL;
}

enum ruleset_entry
ruleset_list_entry(const struct rules_ruleset *rs, const char *list,
    const char *entry)
{
	const struct rules_list	*l = list_named(rs, list);
	size_t			 i;

	if (l == NULL)
		return RULESET_NO_LIST;
	/* Own names only: an alias is not what a clearance names. */
	for (i = 0; i < l->n; i++)
		if (strcmp(l->names[i], entry) == 0)
			return RULESET_ENTRY;
	return RULESET_NO_ENTRY;
}

size_t
ruleset_entry_aliases(const struct rules_ruleset *rs, const char *list,
    const char *entry, const char *const **aka)
{
	const struct rules_entry	*e = entry_named(rs, list, entry);

	*aka = e != NULL ? e->aka : NULL;
	return e != NULL ? e->naka : 0;
}

bool
ruleset_entry_has_id(const struct rules_ruleset *rs, const char *list,
    const char *entry, const char *id)
{
	const struct rules_entry	*e = entry_named(rs, list, entry);
	size_t				 i;

	for (i = 0; e != NULL && i < e->nids; i++)
		if (strcmp(e->ids[i].value, id) == 0)
			return true;
	return false;
}
