/*
 * cmd_bundle.c -- `railgate bundle TRAIN [--dsn DSN | -c CONF] [-o FILE]`:
 * one train run's evidence bundle from the database (train_bundle(),
 * docs/evidence.md), the same document GET /v1/trains/{id}/bundle
 * answers.  It signs nothing: the bundle ends at the first checkpoint the
 * daemon signed at or after the train's last record, and the command
 * refuses a train whose records no checkpoint covers yet.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "db/bundle.h"
#include "manifest/util.h"

#include "cli/cmd.h"
#include "cli/cmd_usage.h"

static void
bundle_usage(FILE *out)
{
	fprintf(out,
	    "usage: railgate bundle TRAIN [--dsn DSN | -c CONF] [-o FILE]\n"
	    "Writes train run TRAIN's evidence bundle (X8024: its latest run, "
	    "X8024@2)\nas one JSON file: manifests, rule sets, events, "
	    "decisions, officers'\nactions, the neighbour's messages and the "
	    "audit records up to a signed\ncheckpoint.  Check it with `railgate "
	    "verify FILE --key station.pub`.\n"
	    "The DSN: --dsn, else -c CONF's dsn, else $RAILGATE_DSN, else "
	    "libpq's own\nPGHOST, PGPORT, PGDATABASE, PGUSER or PGSERVICE when "
	    "one is set.\nExit: 66 no such train, 75 no checkpoint covers it "
	    "yet.\n");
}

/* The bundle written to path ("-" or NULL: stdout); 0 or -1. */
static int
bundle_write(const char *path, const char *text, size_t len)
{
	FILE	*f = path == NULL || strcmp(path, "-") == 0 ? stdout :
		    fopen(path, "w");
	int	 rc;

	if (f == NULL) {
		cmd_warnx("bundle", "%s: cannot write", path);
		return -1;
	}
	rc = fwrite(text, 1, len, f) == len && fputc('\n', f) != EOF ? 0 : -1;
	if (f != stdout && fclose(f) != 0)
		rc = -1;
	if (rc < 0)
		cmd_warnx("bundle", "%s: write failed", path != NULL ? path :
		    "stdout");
	return rc;
}

int
cmd_bundle(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dsn", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char	*dsn_arg = NULL, *conf = NULL, *out = NULL;
	char		*dsn, *text, *cause = NULL;
	size_t		 len = 0;
	int		 ch, not_found, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, ":d:c:o:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd': dsn_arg = optarg; break;
		case 'c': conf = optarg; break;
		case 'o': out = optarg; break;
		case 'h': bundle_usage(stdout); return 0;
		default: return usage_bad_option("bundle", ch, argv);
		}
	}
	if (optind == argc)
		return usage_error("bundle", NULL, "give a TRAIN (X8024 or "
		    "X8024@2)");
	if (optind != argc - 1)
		return usage_error("bundle", argv[optind + 1], "unexpected "
		    "argument: one train at a time");
	/* The configuration only when named: bundle never read a default. */
	if ((dsn = usage_dsn("bundle", dsn_arg, conf, conf != NULL, false,
	    &rc)) == NULL)
		return rc;
	text = bundle_db_fetch(dsn, argv[optind], &len, &not_found, &cause);
	if (text == NULL) {
		if (not_found) {
			cmd_warnx("bundle", "%s: no such train", argv[optind]);
			rc = EX_NOINPUT;
		} else
			rc = db_error("bundle", "cannot read the train's bundle",
			    dsn, cause);
		free(cause);
		free(dsn);
		return rc;
	}
	free(dsn);
	/* json_build_object writes "key" : value: the member is null when no
	 * checkpoint covers the train's records yet. */
	if (strstr(text, "\"checkpoint\" : null") != NULL) {
		cmd_warnx("bundle", "train %s: no signed checkpoint covers its "
		    "audit records yet; GET /v1/trains/%s/bundle makes one, or "
		    "wait for the daemon's next ([audit] checkpoint_interval_s)",
		    argv[optind], argv[optind]);
		free(text);
		return EX_TEMPFAIL;
	}
	rc = bundle_write(out, text, len) == 0 ? 0 : EX_CANTCREAT;
	free(text);
	return rc;
}
