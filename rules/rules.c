/*
 * rules.c -- rule sets: loading a directory, compiling its files,
 * hashing them, and the reference count (see rules.h).
 *
 * The hash is SHA-256 over every file that makes the rule set, in name
 * order: for each, its name, a NUL, its length as 8 big-endian bytes and
 * its bytes.  A changed rule, list entry, test train or file name changes
 * the hash.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "manifest/util.h"

#include "lang.h"
#include "names_index.h"
#include "rules.h"

/* Orders files by name. */
static int
file_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rules_file *)a)->name,
	    ((const struct rules_file *)b)->name);
}

/* True if name ends in ".rules". */
static bool
is_rules_file(const char *name)
{
	size_t	n = strlen(name);

	return n > 6 && strcmp(name + n - 6, ".rules") == 0;
}

/* Fills rs->hash with the SHA-256 of the sorted files. */
static void
ruleset_hash(struct rules_ruleset *rs, const struct rules_file *files,
    size_t n)
{
	EVP_MD_CTX	*md = EVP_MD_CTX_new();
	unsigned char	 out[32], len[8];
	unsigned int	 outlen;
	size_t		 i, k;

	EVP_DigestInit_ex(md, EVP_sha256(), NULL);
	for (i = 0; i < n; i++) {
		EVP_DigestUpdate(md, files[i].name, strlen(files[i].name) + 1);
		for (k = 0; k < 8; k++)
			len[k] = (unsigned char)((uint64_t)files[i].len >>
			    (56 - 8 * k));
		EVP_DigestUpdate(md, len, sizeof len);
		EVP_DigestUpdate(md, files[i].text, files[i].len);
	}
	EVP_DigestFinal_ex(md, out, &outlen);
	EVP_MD_CTX_free(md);
	hex_encode(out, sizeof out, rs->hash);
}

/* Frees a rule set whose last reference went. */
static void
ruleset_free(struct rules_ruleset *rs)
{
	size_t	i, k;

	for (i = 0; i < rs->nlists; i++) {
		struct rules_list *l = rs->lists[i];

		strmap_free(l->entries);
		if (l->by_id != NULL)
			strmap_free(l->by_id);
		for (k = 0; k < l->nsn; k++)
			names_keys_free(&l->sn[k].keys);
		if (l->index != NULL)
			names_index_free(l->index);
	}
	if (rs->forms != NULL) {
		names_forms_free(rs->forms);
		free(rs->forms);
	}
	if (rs->generic != NULL) {
		names_generic_free(rs->generic);
		free(rs->generic);
	}
	arena_free(rs->arena);
	free(rs);
}

/* Compiles a rule set from files; NULL with diagnostics on failure. */
struct rules_ruleset *
rules_ruleset_compile(const char *dir_name, const struct rules_file *files,
    size_t nfiles, struct diag_list *diags)
{
	struct rules_ruleset	*rs = xcalloc(1, sizeof *rs);
	struct rules_file	*sorted = xcalloc(nfiles + 1, sizeof *sorted);
	size_t			 i, errors = 0, nrules_files = 0;
	struct diag_loc		 loc;

	atomic_init(&rs->refs, 1);
	rs->arena = arena_new();
	memcpy(sorted, files, nfiles * sizeof *files);
	qsort(sorted, nfiles, sizeof *sorted, file_cmp);
	ruleset_hash(rs, sorted, nfiles);
	for (i = 0; i < nfiles; i++) {
		if (!is_rules_file(sorted[i].name))
			continue;
		nrules_files++;
		errors += rules_lang_compile(rs, &sorted[i], sorted, nfiles,
		    diags);
	}
	errors += rules_lang_finish(rs, sorted, nfiles, diags);
	free(sorted);
	if (nrules_files == 0) {
		loc = diag_loc_line(dir_name, 0, 0);
		diag_add(diags, DIAG_ERROR, "RULES_EMPTY", &loc,
		    "no .rules file in the rule set");
		errors++;
	}
	if (errors > 0) {
		ruleset_free(rs);
		return NULL;
	}
	if (rs->name == NULL)
		rs->name = arena_strdup(rs->arena, dir_name);
	return rs;
}

/* Appends file dir/rel to the array; -1 with a diagnostic if unreadable. */
static int
load_file(const char *dir, const char *rel, struct rules_file **v, size_t *n,
    struct diag_list *diags)
{
	char		*path = xasprintf("%s/%s", dir, rel), *data;
	size_t		 len;
	struct diag_loc	 loc;

	if (file_read_all(path, &data, &len) == -1) {
		loc = diag_loc_line(path, 0, 0);
		diag_add(diags, DIAG_ERROR, "RULES_READ", &loc, "%s",
		    strerror(errno));
		free(path);
		return -1;
	}
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[*n].name = xstrdup(rel);
	(*v)[*n].path = path;
	(*v)[*n].text = data;
	(*v)[*n].len = len;
	(*n)++;
	return 0;
}

/* Appends the regular files of dir/sub matching (or all if !only_rules). */
static int
load_dir(const char *dir, const char *sub, bool only_rules,
    struct rules_file **v, size_t *n, struct diag_list *diags)
{
	char		*path = sub == NULL ? xstrdup(dir) :
			    xasprintf("%s/%s", dir, sub), *rel;
	DIR		*d = opendir(path);
	struct dirent	*de;
	struct stat	 st;
	char		*full;
	int		 rc = 0;

	if (d == NULL) {
		free(path);
		return sub == NULL ? -1 : 0;	/* no lists/: no lists */
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		full = xasprintf("%s/%s", path, de->d_name);
		if (stat(full, &st) == 0 && S_ISREG(st.st_mode) &&
		    (!only_rules || is_rules_file(de->d_name))) {
			rel = sub == NULL ? xstrdup(de->d_name) :
			    xasprintf("%s/%s", sub, de->d_name);
			rc |= load_file(dir, rel, v, n, diags);
			free(rel);
		}
		free(full);
	}
	closedir(d);
	free(path);
	return rc;
}

/* The last component of a directory path (for the default name). */
static char *
dir_basename(const char *dir)
{
	size_t		 n = strlen(dir);
	const char	*s;

	while (n > 1 && dir[n - 1] == '/')
		n--;
	for (s = dir + n; s > dir && s[-1] != '/'; s--)
		;
	return xstrndup(s, (size_t)(dir + n - s));
}

/*
 * Reads the files of the rule set in dir: *.rules, lists/ and tests/ (any
 * file).  The test trains are read too, so that they count in the hash
 * and are stored with the rule set: what proved a rule set is part of
 * it.  The compiler reads only the *.rules files and the lists they name.
 */
int
rules_files_read(const char *dir, struct rules_file **files, size_t *n,
    struct diag_list *diags)
{
	struct diag_loc	loc;

	*files = NULL;
	*n = 0;
	if (load_dir(dir, NULL, true, files, n, diags) == -1) {
		if (*n == 0 && !diag_list_has_errors(diags)) {
			loc = diag_loc_line(dir, 0, 0);
			diag_add(diags, DIAG_ERROR, "RULES_READ", &loc,
			    "cannot read the rule set directory: %s",
			    strerror(errno));
		}
		return -1;
	}
	if (load_dir(dir, "lists", false, files, n, diags) == -1)
		return -1;
	return load_dir(dir, "tests", false, files, n, diags) == 0 ? 0 : -1;
}

/* Frees what rules_files_read() returned. */
void
rules_files_free(struct rules_file *files, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		free((char *)files[i].name);
		free((char *)files[i].path);
		free((char *)files[i].text);
	}
	free(files);
}

/* Compiles files read from dir, named after dir unless a line names it. */
struct rules_ruleset *
rules_ruleset_compile_dir(const char *dir, const struct rules_file *files,
    size_t n, struct diag_list *diags)
{
	struct rules_ruleset	*rs;
	char			*base = dir_basename(dir);

	rs = rules_ruleset_compile(base, files, n, diags);
	free(base);
	return rs;
}

/* Reads and compiles the rule set in directory dir. */
struct rules_ruleset *
rules_ruleset_load(const char *dir, struct diag_list *diags)
{
	struct rules_file	*files;
	struct rules_ruleset	*rs = NULL;
	size_t			 n;

	if (rules_files_read(dir, &files, &n, diags) == 0)
		rs = rules_ruleset_compile_dir(dir, files, n, diags);
	rules_files_free(files, n);
	return rs;
}

/* Takes another reference; returns rs. */
struct rules_ruleset *
rules_ruleset_ref(struct rules_ruleset *rs)
{
	atomic_fetch_add(&rs->refs, 1);
	return rs;
}

/* Drops a reference; the last one frees the rule set. */
void
rules_ruleset_unref(struct rules_ruleset *rs)
{
	if (rs != NULL && atomic_fetch_sub(&rs->refs, 1) == 1)
		ruleset_free(rs);
}

/* The rule set's name; borrowed. */
const char *
rules_ruleset_name(const struct rules_ruleset *rs)
{
	return rs->name;
}

/* The rule set's SHA-256 in hex; borrowed. */
const char *
rules_ruleset_hash(const struct rules_ruleset *rs)
{
	return rs->hash;
}

/* The number of rule blocks. */
size_t
rules_ruleset_count(const struct rules_ruleset *rs)
{
	return rs->nrules;
}

/* The name of rule block i; borrowed. */
const char *
rules_ruleset_rule_name(const struct rules_ruleset *rs, size_t i)
{
	return rs->rules[i].name;
}

/* The edition the rule set declares, 1 if none. */
int
rules_ruleset_edition(const struct rules_ruleset *rs)
{
	return rs->edition;
}
