/*
 * cmd_rotate.c -- `railgate notices rotate-key --new-key FILE [-c CONFIG]
 * [--dsn DSN]`: every subscription's webhook secret opened with the
 * notice key the configuration names and sealed again with the new one,
 * in one transaction (all or nothing), each with an audit record.  Then
 * the admin points [notices] secret_key_file at FILE and reloads the
 * daemon (docs/notices.md "Secrets at rest").  Blocking; run by people.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "db/secrets.h"
#include "manifest/util.h"

#include "cli/cmd.h"
#include "cli/cmd_usage.h"
#include "daemon/config.h"
#include "daemon/paths.h"
#include "daemon/notice/secretbox.h"

struct rotation {
	struct secret_key	*old, *new;
};

static void
rotate_usage(FILE *out)
{
	fprintf(out, "usage: railgate notices rotate-key --new-key FILE "
	    "[-c CONFIG] [--dsn DSN]\n"
	    "Seals every webhook secret again with the key in FILE (made, 32 "
	    "random\nbytes, mode 0600, when absent), opening each with the "
	    "configuration's\n[notices] secret_key_file; one transaction.  "
	    "Then set secret_key_file = FILE\nand reload the daemon.\n"
	    CMD_DSN_HELP_ADMIN);
}

/* One secret: opened with the old key (or found in clear), sealed anew. */
static char *
rotate_cb(const char *name, const char *stored, void *arg, char **cause)
{
	struct rotation	*r = arg;
	char		*plain, *why = NULL, *sealed;

	if (!secret_is_sealed(stored))
		plain = xstrdup(stored);
	else if ((plain = secret_open(r->old, name, stored, &why)) == NULL) {
		*cause = xasprintf("subscription %s: %s", name, why);
		free(why);
		return NULL;
	}
	sealed = secret_seal(r->new, name, plain, cause);
	free(plain);
	return sealed;
}

/* The configured (old) key; NULL after saying why. */
static struct secret_key *
rotate_old_key(const char *conf)
{
	struct config		 cfg;
	struct secret_key	*k;
	bool			 is_default;
	char			*path, *cause = NULL, *warnings = NULL;

	config_defaults(&cfg);
	if (config_load(&cfg, conf, &warnings, &cause) < 0) {
		cmd_warnx("notices", "%s", cause);
		free(cause);
		config_free(&cfg);
		return NULL;
	}
	free(warnings);
	path = secret_key_path(&cfg, &is_default);
	if ((k = secret_key_load(path, 0, &cause)) == NULL) {
		cmd_warnx("notices", "the configured key: %s", cause);
		free(cause);
	}
	free(path);
	config_free(&cfg);
	return k;
}

/* Rotates; the exit status. */
static int
rotate(const char *conf, bool given_conf, const char *dsn_opt,
    const char *newfile)
{
	struct rotation	 r = { NULL, NULL };
	char		*dsn = NULL, *cause = NULL, num[64];
	int		 n, rc = EX_SOFTWARE;

	if ((r.old = rotate_old_key(conf)) == NULL)
		return EX_CONFIG;
	if ((r.new = secret_key_load(newfile, 1, &cause)) == NULL) {
		cmd_warnx("notices", "the new key: %s", cause);
		rc = EX_NOINPUT;
		goto out;
	}
	if (strcmp(secret_key_id(r.old), secret_key_id(r.new)) == 0) {
		rc = usage_error("notices rotate-key", "--new-key", "%s is the "
		    "key in use (%s)", newfile, secret_key_id(r.old));
		goto out;
	}
	if ((dsn = usage_dsn("notices rotate-key", dsn_opt, conf, given_conf,
	    true, &rc)) == NULL)
		goto out;
	n = db_secrets_rewrite(dsn, true, "subscription.secret_rotated",
	    "cli:rotate-key", secret_key_id(r.new), rotate_cb, &r, &cause);
	if (n < 0) {
		rc = db_error("notices rotate-key", "nothing changed", dsn,
		    cause);
		goto out;
	}
	printf("%s sealed with key %s (was %s); now set [notices] "
	    "secret_key_file = %s and reload the daemon\n", plural(num,
	    sizeof num, n, "secret", "secrets"), secret_key_id(r.new),
	    secret_key_id(r.old), newfile);
	rc = 0;
out:
	free(cause);
	free(dsn);
	secret_key_free(r.old);
	secret_key_free(r.new);
	return rc;
}

int
cmd_notices_rotate_key(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "new-key", required_argument, NULL, 'n' },
		{ "config", required_argument, NULL, 'c' },
		{ "dsn", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char	*conf = RAILGATE_CONFIG_FILE, *dsn = NULL;
	bool		 given_conf = false;
	const char	*newfile = NULL;
	int		 ch;

	optind = 1;
	while ((ch = getopt_long(argc, argv, ":n:c:d:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n': newfile = optarg; break;
		case 'c': conf = optarg; given_conf = true; break;
		case 'd': dsn = optarg; break;
		case 'h': rotate_usage(stdout); return 0;
		default:
			return usage_bad_option("notices rotate-key", ch, argv);
		}
	}
	if (optind != argc)
		return usage_error("notices rotate-key", argv[optind],
		    "unexpected argument");
	if (newfile == NULL)
		return usage_error("notices rotate-key", NULL, "--new-key FILE "
		    "is required");
	return rotate(conf, given_conf, dsn, newfile);
}
