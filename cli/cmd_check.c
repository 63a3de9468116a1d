/*
 * cmd_check.c -- `railgate check [--rules DIR] [--events FILE]
 * [--neighbour FILE] [--format json|text] [--threads N] [--parcel-setaside]
 * FILE...`
 *
 * Evaluates manifests against a rule set without any database and
 * prints each decision document: json (decision_json_write, one
 * document per line) or text (a summary for people).  Exit status
 * (spec/decision.md): 0 RELEASE, 1 PARTIAL_RELEASE, 2 HOLD (the worst
 * over all files), 64 usage, 65 unreadable manifest, 66 file not
 * found, 78 rule set does not compile.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "manifest/decision.h"
#include "manifest/util.h"
#include "rules/context.h"
#include "rules/rules.h"

#include "cli/cmd.h"
#include "cli/cmd_usage.h"
#include "engine/check.h"
#include "daemon/paths.h"

#define CHECK_DEFAULT_RULES RAILGATE_RULES_DIR

/* Prints check usage. */
static void
check_usage(FILE *out)
{
	fprintf(out,
	    "usage: railgate check [--rules DIR] [--events FILE] "
	    "[--neighbour FILE]\n"
	    "                      [--format json|text] [--threads N]\n"
	    "                      [--parcel-setaside] FILE...\n"
	    "  --rules DIR       rule set (default " CHECK_DEFAULT_RULES ")\n"
	    "  --events FILE     events: weighbridge, scan, seal_check, "
	    "position, arrived\n"
	    "  --neighbour FILE  the neighbouring customs' seals and controls\n"
	    "  --format json     the decision document, one per line "
	    "(the default)\n"
	    "  --threads N       evaluation threads (default: every CPU)\n"
	    "  --parcel-setaside a hit on an e-commerce parcel sets the parcel\n"
	    "                    aside, not its wagon (docs/parcels.md)\n"
	    "Exit: 0 RELEASE, 1 PARTIAL_RELEASE, 2 HOLD, 64 usage, 65 "
	    "unreadable manifest,\n66 file not found, 78 rule set does not "
	    "compile.\n");
}

/* Prints a rule set's compile diagnostics on stderr. */
void
cmd_rules_print_diags(const struct diag_list *l)
{
	char	where[512];
	size_t	i;

	for (i = 0; i < l->n; i++)
		fprintf(stderr, "%s: %s\n", diag_format_where(&l->v[i].loc,
		    where, sizeof where), l->v[i].message);
}

/* The parcels set aside (docs/parcels.md): a line per container. */
static void
print_parcels(FILE *out, const struct decision *d)
{
	const struct decision_parcels	*p = &d->parcels;
	size_t				 i, k = 0;

	if (!p->present)
		return;
	fprintf(out, "  parcels: %zu, %zu set aside in %zu container%s\n",
	    p->parcels, p->nset_aside, p->nunload, p->nunload == 1 ? "" : "s");
	for (i = 0; i < p->nunload; i++) {
		fprintf(out, "    container %s on wagon %s at position %u: "
		    "%zu parcel%s%s\n", p->unload[i].container,
		    p->unload[i].wagon, p->unload[i].position,
		    p->unload[i].parcels, p->unload[i].parcels == 1 ? "" : "s",
		    p->unload[i].unloaded ? " (unloaded)" : "");
		for (; k < p->nset_aside && strcmp(p->set_aside[k].container,
		    p->unload[i].container) == 0; k++)
			fprintf(out, "      %s %s (%s): %s\n",
			    p->set_aside[k].tracking,
			    decision_action_name(p->set_aside[k].action),
			    p->set_aside[k].rule, p->set_aside[k].reason);
	}
}

/*
 * Decides one manifest file into *out; a sysexits status, with what went
 * wrong printed on stderr.
 */
static int
check_file(const struct rules_ruleset *rs, const char *path,
    const struct rules_context *ctx, const struct rules_eval_options *opt,
    struct decision **out)
{
	struct manifest_train	*t = NULL;

	switch (engine_check_file(rs, path, ctx, opt, out, &t)) {
	case ENGINE_CHECK_DECIDED:
		return 0;
	case ENGINE_CHECK_NOT_FOUND:
		cmd_warnx("check", "%s: %s", path, strerror(ENOENT));
		return EX_NOINPUT;
	case ENGINE_CHECK_UNREADABLE:
		cmd_warnx("check", "%s: %s", path, strerror(errno));
		return EX_IOERR;
	case ENGINE_CHECK_NOT_MANIFEST:
		break;
	}
	cmd_warnx("check", "%s: not read as a manifest", path);
	cmd_print_diags(stderr, &t->diags);
	manifest_train_free(t);
	return EX_DATAERR;
}

/* Prints one hit for people. */
static void
print_hit(FILE *out, const struct decision_hit *h)
{
	fprintf(out, "    %-9s %s", decision_action_name(h->action), h->rule);
	if (h->subject.container != NULL)
		fprintf(out, " (container %s)", h->subject.container);
	else if (h->subject.item != 0)
		fprintf(out, " (consignment %s item %u)", h->subject.consignment,
		    h->subject.item);
	else if (h->subject.consignment != NULL)
		fprintf(out, " (consignment %s)", h->subject.consignment);
	fprintf(out, ": %s\n", h->reason != NULL ? h->reason : "");
}

/* The text summary: decision, set-out list, hits, diagnostics. */
static void
print_text(FILE *out, const char *path, const struct decision *d)
{
	size_t	i, k;

	fprintf(out, "%s: train %s: %s (rule set %s %.12s)\n", path,
	    d->train != NULL ? d->train : "?",
	    decision_outcome_name(d->outcome), d->ruleset_name,
	    d->ruleset_sha256);
	for (i = 0; i < d->nwagons; i++) {
		const struct decision_wagon *w = &d->wagons[i];

		if (w->nhits == 0)
			continue;
		fprintf(out, "  wagon %s at position %u: %s%s\n", w->wagon,
		    w->position, decision_action_name(w->action),
		    decision_action_sets_out(w->action) ? " (set out)" : "");
		for (k = 0; k < w->nhits; k++)
			print_hit(out, &w->hits[k]);
	}
	if (d->ntrain_hits > 0)
		fprintf(out, "  train:\n");
	for (k = 0; k < d->ntrain_hits; k++)
		print_hit(out, &d->train_hits[k]);
	print_parcels(out, d);
	cmd_print_diags(out, &d->diags);
}

/* Loads a context file with loader; a sysexits status. */
static int
check_load(struct rules_context *ctx, const char *path,
    int (*loader)(struct rules_context *, const char *, size_t,
    const char *, char **))
{
	char	*data, *cause = NULL;
	size_t	 len;
	int	 rc;

	if (path == NULL)
		return 0;
	if (file_read_all(path, &data, &len) == -1) {
		cmd_warnx("check", "%s: %s", path, strerror(errno));
		return errno == ENOENT ? EX_NOINPUT : EX_IOERR;
	}
	rc = loader(ctx, data, len, path, &cause);
	free(data);
	if (rc == -1) {
		cmd_warnx("check", "%s", cause);
		free(cause);
		return EX_DATAERR;
	}
	return 0;
}

/* Evaluates every file and prints its document; the exit status. */
static int
check_files(const struct rules_ruleset *rs, const struct rules_context *ctx,
    const struct rules_eval_options *opt, bool json, int argc, char **argv)
{
	struct decision	*d;
	struct buf	 b = { 0 };
	int		 i, rc, worst = 0, error = 0;

	for (i = 0; i < argc; i++) {
		if ((rc = check_file(rs, argv[i], ctx, opt, &d)) != 0) {
			if (error == 0)
				error = rc;
			continue;
		}
		if (json) {
			buf_reset(&b);
			decision_json_write(d, 0, &b);
			fwrite(b.data, 1, b.len, stdout);
			putchar('\n');
		} else
			print_text(stdout, argv[i], d);
		if ((int)d->outcome > worst)
			worst = (int)d->outcome;
		decision_free(d);
	}
	buf_free(&b);
	return error != 0 ? error : worst;
}

/* railgate check */
int
cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "rules", required_argument, NULL, 'r' },
		{ "events", required_argument, NULL, 'e' },
		{ "neighbour", required_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'f' },
		{ "threads", required_argument, NULL, 't' },
		{ "parcel-setaside", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char		*rules = CHECK_DEFAULT_RULES, *events = NULL;
	const char		*neighbour = NULL;
	struct rules_ruleset	*rs;
	struct rules_context	*ctx;
	struct diag_list	 diags;
	bool			 json = true;
	struct rules_eval_options opt = { 0 };
	long			 threads = 0;
	int			 ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, ":r:e:n:f:t:h", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'r': rules = optarg; break;
		case 'e': events = optarg; break;
		case 'n': neighbour = optarg; break;
		case 'f':
			if (strcmp(optarg, "text") == 0)
				json = false;
			else if (strcmp(optarg, "json") != 0)
				return usage_error("check", "--format", "\"%s\" is "
				    "not a format (json or text)", optarg);
			break;
		case 't':
			if ((rc = usage_number("check", "--threads", optarg, 0,
			    1024, &threads)) != 0)
				return rc;
			break;
		case 'p':
			opt.parcel_setaside = true;
			break;
		case 'h':
			check_usage(stdout);
			return 0;
		default:
			return usage_bad_option("check", ch, argv);
		}
	}
	if (optind == argc)
		return usage_error("check", NULL, "give at least one manifest "
		    "FILE");
	diag_list_init(&diags, 0);
	if ((rs = rules_ruleset_load(rules, &diags)) == NULL) {
		cmd_rules_print_diags(&diags);
		diag_list_clear(&diags);
		return EX_CONFIG;
	}
	diag_list_clear(&diags);
	ctx = rules_context_new();
	rules_context_set_edition(ctx, rules_ruleset_edition(rs));
	if ((rc = check_load(ctx, events, rules_context_load_events)) == 0 &&
	    (rc = check_load(ctx, neighbour, rules_context_load_neighbour)) ==
	    0)
	{
		opt.threads = (unsigned)threads;
		rc = check_files(rs, ctx, &opt, json,
		    argc - optind, argv + optind);
	}
	rules_context_free(ctx);
	rules_ruleset_unref(rs);
	return rc;
}
