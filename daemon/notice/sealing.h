/*
 * sealing.h -- the notice secret key's life in the daemon: loaded (made
 * at first start when the configuration names none) and handed to the
 * notices' sender, the subscriptions' secrets still in clear sealed with
 * it at start, the subscriptions bound to no carrier warned of at start,
 * and a new key taken on reload (after `railgate notices rotate-key`).
 * Blocking on the database at start only.  Loop thread.
 */
#ifndef DAEMON_NOTICE_SEALING_H
#define DAEMON_NOTICE_SEALING_H

struct config;
struct notices;
struct secret_key;

/* At start: key, sealing, warnings; 0 or -1 with *cause (do not start). */
int notices_sealing_start(struct notices *n, const struct config *cfg,
    char **cause);
/*
 * On reload: the key next names (caller owns it; notices_set_secret_key()
 * once the reload is accepted), or NULL with *cause: the reload is
 * refused and the old key stays.
 */
struct secret_key *notices_sealing_load(const struct config *next,
    char **cause);

#endif
