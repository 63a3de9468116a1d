/*
 * cmd_verify.c -- `railgate verify BUNDLE --key station.pub`: checks an
 * evidence bundle with no database and no network (cli/bundle.h,
 * docs/evidence.md).  Exit 0 only when everything holds; 1 with one line
 * per failure naming the part; 65 (EX_DATAERR) for a file that is not a
 * bundle, saying what and where.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "manifest/util.h"

#include "cli/bundle.h"
#include "cli/cmd.h"
#include "cli/cmd_usage.h"
#include "daemon/sign.h"

static void
verify_usage(FILE *out)
{
	fprintf(out,
	    "usage: railgate verify BUNDLE --key STATION_PUB\n"
	    "Checks an evidence bundle offline: every part's SHA-256, every "
	    "decision\nmade again from the bundle's manifests and rule sets, "
	    "the audit records\nlinked up to the checkpoint, and the "
	    "checkpoint's signature with the\nstation's Ed25519 public key "
	    "(PEM).  Exit 0 when everything holds,\n1 naming each part that "
	    "does not, 65 for a file that is not a bundle.\n");
}

/* Reads, loads and verifies; the exit status. */
static int
verify_file(const char *path, const struct sign_key *key)
{
	struct bundle_report	 r = { 0 };
	json_t			*b;
	char			*text = NULL, *cause = NULL, id[17];
	char			 n1[32], n2[32], n3[40];
	size_t			 len = 0;
	int			 rc;

	if (file_read_all(path, &text, &len) < 0) {
		cmd_warnx("verify", "%s: cannot read", path);
		return EX_NOINPUT;
	}
	b = bundle_load(text, len, &cause);
	free(text);
	if (b == NULL) {
		cmd_warnx("verify", "%s: %s", path, cause);
		free(cause);
		return EX_DATAERR;
	}
	rc = bundle_verify(b, key, &r);
	if (rc == 0) {
		sign_key_id(key, id);
		printf("%s: verified: %s, %s made again, %s linked to "
		    "checkpoint seq %lld signed by key %s\n", path,
		    plural(n1, sizeof n1, r.parts, "part", "parts"),
		    plural(n2, sizeof n2, r.decided, "decision", "decisions"),
		    plural(n3, sizeof n3, r.records, "audit record",
		    "audit records"), r.checkpoint_seq, id);
	} else {
		fwrite(r.failures.data, 1, r.failures.len, stdout);
		printf("%s: NOT verified: %d %s\n", path, r.nfailures,
		    r.nfailures == 1 ? "failure" : "failures");
	}
	bundle_report_clear(&r);
	json_decref(b);
	return rc == 0 ? 0 : 1;
}

int
cmd_verify(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "key", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char	*keypath = NULL;
	struct sign_key	*key;
	char		*cause = NULL;
	int		 ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, ":k:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'k': keypath = optarg; break;
		case 'h': verify_usage(stdout); return 0;
		default: return usage_bad_option("verify", ch, argv);
		}
	}
	if (optind == argc)
		return usage_error("verify", NULL, "give the BUNDLE file");
	if (optind != argc - 1)
		return usage_error("verify", argv[optind + 1], "unexpected "
		    "argument: one bundle at a time");
	if (keypath == NULL)
		return usage_error("verify", NULL, "--key STATION_PUB is "
		    "required");
	if ((key = sign_key_load_public(keypath, &cause)) == NULL) {
		cmd_warnx("verify", "%s", cause);
		free(cause);
		return EX_NOINPUT;
	}
	rc = verify_file(argv[optind], key);
	sign_key_free(key);
	return rc;
}
