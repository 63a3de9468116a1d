/*
 * sealing.c -- the notice secret key at start and reload (sealing.h).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/secrets.h"
#include "manifest/util.h"

#include "daemon/config.h"
#include "daemon/log.h"
#include "daemon/notice/notice.h"
#include "daemon/notice/sealing.h"
#include "daemon/notice/secretbox.h"

/* The key cfg names; made only at the default place, never elsewhere:
 * a key file named but missing is a mistake to report, not to paper over
 * with a new key no sealed secret opens with. */
static struct secret_key *
sealing_key(const struct config *cfg, char **cause)
{
	struct secret_key	*k;
	bool			 is_default;
	char			*path = secret_key_path(cfg, &is_default), *why;

	if ((k = secret_key_load(path, is_default, &why)) == NULL) {
		*cause = xasprintf("notice secret key: %s", why);
		free(why);
	}
	free(path);
	return k;
}

/* Seals one secret found in clear. */
static char *
seal_clear_cb(const char *name, const char *stored, void *arg, char **cause)
{
	return secret_seal(arg, name, stored, cause);
}

/*
 * Warns, once per start, of each subscription bound to no carrier, and of
 * each whose secret this daemon's key does not open (another daemon's
 * key, or a key file replaced): their notices would fail.
 */
static void
sealing_warn(const char *dsn, const char *key_id)
{
	char	*unbound = NULL, *foreign = NULL, *cause = NULL, *p, *line;

	if (db_subscriptions_unbound(dsn, &unbound, &cause) < 0 ||
	    db_secrets_foreign(dsn, key_id, &foreign, &cause) < 0) {
		log_warnx("subscriptions not checked: %s", cause);
		free(cause);
		free(unbound);
		return;
	}
	for (p = unbound; (line = strsep(&p, "\n")) != NULL;)
		if (*line != '\0')
			log_warnx("subscription %s is bound to no carrier: it "
			    "receives no release or provisional notice until "
			    "an admin names its carriers (docs/notices.md)",
			    line);
	for (p = foreign; (line = strsep(&p, "\n")) != NULL;)
		if (*line != '\0')
			log_warnx("subscription %s: secret sealed with another "
			    "notice key than this daemon's (%s); its notices "
			    "fail until [notices] secret_key_file names that "
			    "key (daemons sharing a database share it)", line,
			    key_id);
	free(unbound);
	free(foreign);
}

int
notices_sealing_start(struct notices *n, const struct config *cfg,
    char **cause)
{
	struct secret_key	*k;
	const char		*dsn = cfg->admin_dsn[0] != '\0' ?
				    cfg->admin_dsn : cfg->dsn;
	int			 sealed;

	if ((k = sealing_key(cfg, cause)) == NULL)
		return -1;
	sealed = db_secrets_rewrite(dsn, false, "subscription.secret_sealed",
	    "system:notices", secret_key_id(k), seal_clear_cb, k, cause);
	if (sealed < 0) {
		secret_key_free(k);
		return -1;
	}
	if (sealed > 0)
		log_info("%d webhook secret(s) found in clear sealed with notice "
		    "key %s", sealed, secret_key_id(k));
	log_info("notice secret key %s", secret_key_id(k));
	notices_set_secret_key(n, k);
	sealing_warn(dsn, secret_key_id(k));
	return 0;
}

struct secret_key *
notices_sealing_load(const struct config *next, char **cause)
{
	return sealing_key(next, cause);
}
