/*
 * railgated.c -- the daemon: start-up, signals and the event loop.
 *
 * Start-up is blocking and in order: configuration; the database's
 * durability settings (refusing unsafe ones); schema migrations; then
 * the loop with its database pool, worker pool and HTTP server.  SIGHUP
 * reloads the configuration and the API's TLS certificate (a bad file
 * is rejected and the old one stays); SIGTERM and SIGINT stop accepting,
 * let work in progress finish, and exit 0.  A configuration error exits
 * 78 (EX_CONFIG); systemd hears of each step (readiness.c).
 */
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sysexits.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "db/db.h"
#include "db/migrate.h"
#include "db/store.h"
#include "manifest/util.h"
#include "manifest/xml.h"

#include "daemon/api/api.h"
#include "daemon/http/auth.h"
#include "daemon/autorelease.h"
#include "daemon/replays.h"
#include "daemon/clock.h"
#include "daemon/config.h"
#include "daemon/checkpoint.h"
#include "daemon/cycle.h"
#include "daemon/daemon.h"
#include "daemon/evaluate.h"
#include "daemon/hooks.h"
#include "engine/ruleset.h"
#include "daemon/dbloop.h"
#include "daemon/http/http.h"
#include "daemon/log.h"
#include "daemon/loopprio.h"
#include "daemon/paths.h"
#include "daemon/notice/notice.h"
#include "daemon/notice/sealing.h"
#include "daemon/notice/secretbox.h"
#include "daemon/peer/peer.h"
#include "daemon/pool.h"
#include "daemon/readiness.h"
#include "daemon/sign.h"
#include "daemon/spool.h"
#include "daemon/stream.h"
#include "daemon/tidy.h"
#include "daemon/version.h"

/* Prints usage to out. */
static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: railgated [-c FILE] [--check-config] [--print-parameters]\n"
	    "  -c, --config FILE     configuration (default " RAILGATE_CONFIG_FILE ")\n"
	    "      --check-config    check the configuration and its rule set, "
	    "then exit\n"
	    "      --print-parameters  the configuration parameters, as mdoc\n"
	    "  -h, --help            this text\n"
	    "      --version         the version\n");
}

/*
 * Raises the open files limit to its hard ceiling, and lowers
 * max_connections to what the limit leaves after the daemon's own files
 * (database connections, spool, notices, the peer link): FD_RESERVE.
 */
#define FD_RESERVE	256
static void
daemon_fit_fd_limit(struct config *cfg)
{
	struct rlimit	rl;
	rlim_t		room;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	room = rl.rlim_cur > FD_RESERVE + 16 ? rl.rlim_cur - FD_RESERVE : 16;
	if ((rlim_t)cfg->max_connections > room) {
		log_warnx("open files limit %llu: max_connections lowered from "
		    "%d to %llu", (unsigned long long)rl.rlim_cur,
		    cfg->max_connections, (unsigned long long)room);
		cfg->max_connections = (int)room;
	}
}

/* Applies the parts of cfg that take effect at once. */
static void
daemon_apply_config(const struct config *cfg)
{
	enum log_level	level;

	if (log_level_parse(cfg->log_level, &level) == 0)
		log_set_level(level);
}

/* Loads the configuration file over the defaults; 0 or -1 with *cause. */
static int
daemon_load_config(const char *path, struct config *cfg, char **cause)
{
	enum log_level	level;
	char		*warnings = NULL, *w = NULL, *next;

	config_defaults(cfg);
	if (config_load(cfg, path, &warnings, cause) < 0)
		goto fail;
	for (w = warnings; w != NULL; w = next) {
		if ((next = strchr(w, '\n')) != NULL)
			*next++ = '\0';
		log_warnx("%s", w);
	}
	free(warnings);
	if (log_level_parse(cfg->log_level, &level) < 0) {
		*cause = xasprintf("%s: log_level \"%s\" is not warn, info or debug",
		    path, cfg->log_level);
		goto fail;
	}
	if (config_check_listen(cfg, &w, cause) < 0) {
		w = *cause;
		*cause = xasprintf("%s: %s", path, w);
		free(w);
		goto fail;
	}
	if (w != NULL) {
		log_warnx("%s: %s", path, w);
		free(w);
	}
	if (cfg->dsn[0] == '\0') {
		*cause = xasprintf("%s: database.dsn is empty; railgated keeps "
		    "everything in PostgreSQL (`make run` starts a private "
		    "cluster and sets it)", path);
		goto fail;
	}
	return 0;
fail:
	config_free(cfg);
	return -1;
}

#define DRAIN_MAX_MS	30000

/* Leaves the loop once no request or job is in progress (or time is up). */
static void
daemon_drain_cb(evutil_socket_t fd, short what, void *arg)
{
	struct daemon	*d = arg;
	int		 requests = http_server_in_flight(d->http);
	size_t		 jobs = pool_pending(d->pool) +
			    (size_t)cycle_group_in_flight(d->cycles);

	if ((requests == 0 && jobs == 0) || daemon_now_ms() > d->drain_deadline_ms) {
		if (requests != 0 || jobs != 0)
			log_warnx("stopping with %d requests and %zu jobs unfinished",
			    requests, jobs);
		event_base_loopexit(d->base, NULL);
	}
}

/* SIGTERM, SIGINT: stop accepting, finish what is in progress, leave. */
static void
daemon_stop_cb(evutil_socket_t sig, short what, void *arg)
{
	struct daemon	*d = arg;
	struct timeval	 tick = { 0, 50000 };

	if (d->stopping) {
		log_info("signal %d again: stopping now", (int)sig);
		event_base_loopexit(d->base, NULL);
		return;
	}
	log_info("signal %d: stopping; finishing work in progress", (int)sig);
	readiness_stopping();
	d->stopping = 1;
	http_server_stop_accepting(d->http);
	cycle_group_stop(d->cycles);
	d->drain_deadline_ms = daemon_now_ms() + DRAIN_MAX_MS;
	d->drain = event_new(d->base, -1, EV_PERSIST, daemon_drain_cb, d);
	event_add(d->drain, &tick);
}

/* Reloads; the configuration in force stays if the new one is bad. */
static void
daemon_reload(struct daemon *d)
{
	struct config		 next;
	struct ruleset_load	 rl;
	struct secret_key	*secrets = NULL;
	json_t			*subs = NULL;
	SSL_CTX			*tls;
	const char		*which;
	char			*cause = NULL;

	if (daemon_load_config(d->config_path, &next, &cause) < 0) {
		log_warnx("reload rejected, configuration unchanged: %s", cause);
		free(cause);
		return;
	}
	/* The API's certificate, read again (its files are those of the start). */
	if ((tls = http_server_tls_load(d->http, &cause)) == NULL &&
	    cause != NULL) {
		log_warnx("reload rejected, configuration and certificate "
		    "unchanged: %s", cause);
		free(cause);
		config_free(&next);
		return;
	}
	/*
	 * Configuration, certificate, rule set and subscriptions go in
	 * together or not at all.
	 */
	if (next.subscriptions_file[0] != '\0' &&
	    (subs = subscriptions_read(&next, next.subscriptions_file,
	    &cause)) == NULL) {
		log_warnx("reload rejected, configuration unchanged: %s", cause);
		free(cause);
		SSL_CTX_free(tls);
		config_free(&next);
		return;
	}
	if ((secrets = notices_sealing_load(&next, &cause)) == NULL ||
	    ruleset_load(next.rules_dir, &rl, &cause) < 0) {
		log_warnx("reload rejected, configuration and rule set "
		    "unchanged: %s", cause);
		free(cause);
		secret_key_free(secrets);
		json_decref(subs);
		SSL_CTX_free(tls);
		config_free(&next);
		return;
	}
	evaluator_set_ruleset(d->eval, &rl);
	notices_set_secret_key(d->notices, secrets);	/* seals subs below */
	if (tls != NULL) {
		http_server_tls_use(d->http, tls);
		log_info("reload: the API's TLS certificate and key read "
		    "again; new connections use them");
	}
	if (subs != NULL) {
		subscriptions_apply(d, subs, next.subscriptions_file);
		json_decref(subs);
	}
	if (config_needs_restart(&d->cfg, &next, &which))
		log_warnx("reload: %s changed; it takes effect at the next restart",
		    which);
	config_free(&d->cfg);
	d->cfg = next;
	daemon_apply_config(&d->cfg);
	log_info("configuration reloaded from %s", d->config_path);
}

/* SIGHUP: a reload, with systemd told before and after. */
static void
daemon_reload_cb(evutil_socket_t sig, short what, void *arg)
{
	readiness_reloading();
	daemon_reload(arg);
	readiness_reloaded();
}

/*
 * --check-config: the file and the rule set it names (compiled and run
 * against its test trains) and the subscriptions file, without the
 * database; 0, or EX_CONFIG with the reason.
 */
static int
daemon_check_config(struct daemon *d)
{
	struct ruleset_load	 rl;
	json_t			*subs;
	char			*cause = NULL;

	if (ruleset_load(d->cfg.rules_dir, &rl, &cause) < 0)
		readiness_config_error(cause);
	ruleset_load_clear(&rl);
	if (d->cfg.subscriptions_file[0] != '\0') {
		if ((subs = subscriptions_read(&d->cfg, d->cfg.subscriptions_file,
		    &cause)) == NULL)
			readiness_config_error(cause);
		json_decref(subs);
	}
	printf("railgated: %s and the rule set %s are valid\n", d->config_path,
	    d->cfg.rules_dir);
	config_free(&d->cfg);
	return 0;
}

/*
 * Writes the station's public key beside its private key, for operators
 * to verify notices with (railgate notices listen --public-key).
 */
static void
daemon_publish_key(struct daemon *d)
{
	char	 path[1024], *pem = sign_key_public_pem(d->station_key), id[17];
	FILE	*f;

	sign_key_id(d->station_key, id);
	snprintf(path, sizeof path, "%s/station-ed25519.pub.pem",
	    d->cfg.state_dir);
	if ((f = fopen(path, "w")) == NULL)
		log_warn("%s", path);
	else if ((fputs(pem, f) == EOF) | (fclose(f) != 0))
		log_warn("%s", path);
	else
		log_info("station key %s, public key in %s", id, path);
	free(pem);
}

/* Durability check and migrations, before anything is accepted. */
static void
daemon_prepare_database(struct daemon *d)
{
	const char	*admin = d->cfg.admin_dsn[0] != '\0' ? d->cfg.admin_dsn :
			    d->cfg.dsn;
	unsigned	 applied, version;
	char		*cause = NULL;

	if (db_check_durability(admin, &cause) < 0)
		fatalx("refusing to start: %s", cause);
	if (db_migrate(admin, &applied, &version, &cause) < 0)
		fatalx("schema migration failed: %s", cause);
	log_info("database schema at version %u (%u applied now)", version,
	    applied);
}

/* Signal events. */
static void
daemon_signals(struct daemon *d)
{
	signal(SIGPIPE, SIG_IGN);
	d->sigterm = evsignal_new(d->base, SIGTERM, daemon_stop_cb, d);
	d->sigint = evsignal_new(d->base, SIGINT, daemon_stop_cb, d);
	d->sighup = evsignal_new(d->base, SIGHUP, daemon_reload_cb, d);
	if (d->sigterm == NULL || d->sigint == NULL || d->sighup == NULL ||
	    evsignal_add(d->sigterm, NULL) < 0 || evsignal_add(d->sigint, NULL) < 0 ||
	    evsignal_add(d->sighup, NULL) < 0)
		fatalx("cannot install signal handlers");
}

/*
 * Parses the command line; returns -1 to continue, else an exit status.
 * *check: --check-config was given.
 */
static int
daemon_options(struct daemon *d, int argc, char **argv, bool *check)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "print-parameters", no_argument, NULL, 'P' },
		{ "check-config", no_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	int	ch;

	d->config_path = RAILGATE_CONFIG_FILE;
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			d->config_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("railgated %s\n", RAILGATE_VERSION);
			return 0;
		case 'P':
			config_print_parameters(stdout);
			return 0;
		case 'C':
			*check = true;
			break;
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EX_USAGE;
	}
	return -1;
}

/* http_app.is_up: a request behind a token needs the database. */
static bool
daemon_db_is_up(void *arg)
{
	struct daemon	*d = arg;

	return db_is_up(d->db);
}

/* http_app.token_lookup: tokens are in the database. */
static void
daemon_token_lookup(void *arg, const char *hash, http_token_cb cb,
    void *cb_arg)
{
	struct daemon	*d = arg;

	store_token_lookup(d->db, hash, cb, cb_arg);
}

/* http_app.session_lookup: sessions are in the database. */
static void
daemon_session_lookup(void *arg, const char *hash, http_token_cb cb,
    void *cb_arg)
{
	struct daemon	*d = arg;

	store_session_lookup(d->db, hash, cb, cb_arg);
}

bool
daemon_deciding(const struct daemon *d)
{
	struct evaluator_stats	 es;

	if (d->ingests > 0)
		return true;
	if (d->eval == NULL)
		return false;
	evaluator_get_stats(d->eval, &es);
	return es.in_flight > 0;
}

/* http_app.deciding: the reads then go at a bounded rate (http_reads.c). */
static bool
http_deciding_cb(void *arg)
{
	return daemon_deciding(arg);
}

/* The HTTP server, serving the API's routes (api.c). */
static struct http_server *
daemon_http_start(struct daemon *d, char **cause)
{
	const struct http_app	app = {
		.routes = api_routes,
		.route_count = api_route_count,
		.is_up = daemon_db_is_up,
		.token_lookup = daemon_token_lookup,
		.session_lookup = daemon_session_lookup,
		.deciding = http_deciding_cb,
		.arg = d,
	};

	return http_server_new(d, &app, cause);
}

/*
 * After the loop: the workers finish, then the database fails whatever
 * is still queued, and only then are the callbacks' owners freed.
 */
static void
daemon_free(struct daemon *d)
{
	cycle_group_stop(d->cycles);
	pool_free(d->pool);
	replays_join(d->replays);
	dbloop_free(d->dbloop);
	stream_hub_free(d->stream);	/* no query of its out now */
	cycle_group_free(d->cycles);
	sign_key_free(d->station_key);
	http_server_free(d->http);
	auth_cache_free(d->auth);
	if (d->drain != NULL)
		event_free(d->drain);
	event_free(d->sigterm);
	event_free(d->sigint);
	event_free(d->sighup);
	readiness_free();
	event_base_free(d->base);
	config_free(&d->cfg);
}

/* The modules that claim work on a timer (d->cycles owns their cycles). */
static void
daemon_start_cycles(struct daemon *d, struct ruleset_load *rl)
{
	d->eval = evaluator_new(d, rl);
	d->clock = clock_watch_new(d);
	(void)auto_release_new(d);
	(void)tidier_new(d);
	d->replays = replays_new(d);
}

int
main(int argc, char **argv)
{
	struct daemon		 d = { 0 };
	struct ruleset_load	 rl;
	json_t			*subs;
	char			*cause = NULL, host[64], spooldir[1024];
	char			 keypath[1024];
	int			 rc;
	bool			 check = false;

	if ((rc = daemon_options(&d, argc, argv, &check)) >= 0)
		return rc;
	log_init("railgated", LOG_LEVEL_INFO);
	xml_init();	/* before the workers parse manifests */
	if (daemon_load_config(d.config_path, &d.cfg, &cause) < 0)
		readiness_config_error(cause);
	if (check)
		return daemon_check_config(&d);
	daemon_apply_config(&d.cfg);
	if (gethostname(host, sizeof host) != 0)
		snprintf(host, sizeof host, "localhost");
	host[sizeof host - 1] = '\0';
	snprintf(d.instance, sizeof d.instance, "%s:%ld", host, (long)getpid());
	log_route_libevent();
	daemon_prepare_database(&d);

	if ((d.base = loopprio_base_new()) == NULL)
		fatalx("event_base_new failed");
	d.dbloop = dbloop_new(d.base, d.cfg.dsn, d.cfg.connections);
	d.db = dbloop_db(d.dbloop);
	db_set_reserve(d.db, d.cfg.decision_connections);
	d.pool = pool_new(d.base, 0);
	d.cycles = cycle_group_new();
	d.auth = auth_cache_new(d.cfg.token_cache_s);
	hook_subscribe(HOOK_TRAINS_CHANGED, api_trains_changed); /* its lists */
	if (ruleset_load(d.cfg.rules_dir, &rl, &cause) < 0)
		readiness_config_error(cause);
	daemon_start_cycles(&d, &rl);
	snprintf(keypath, sizeof keypath, "%s/station-ed25519.pem",
	    d.cfg.state_dir);
	if ((d.station_key = sign_key_load(keypath, 1, &cause)) == NULL)
		fatalx("station key: %s", cause);
	daemon_publish_key(&d);
	d.notices = notices_new(&d, d.station_key);
	if (notices_sealing_start(d.notices, &d.cfg, &cause) < 0)
		fatalx("%s", cause);
	if (d.cfg.subscriptions_file[0] != '\0') {
		if ((subs = subscriptions_read(&d.cfg, d.cfg.subscriptions_file,
		    &cause)) == NULL)
			readiness_config_error(cause);
		subscriptions_apply(&d, subs, d.cfg.subscriptions_file);
		json_decref(subs);
	}
	if ((d.peer = peer_link_new(&d, &cause)) == NULL && cause != NULL)
		fatalx("%s", cause);
	/* The link's key and name when there is a link: the neighbour
	 * verifies our checkpoints with the key it verifies our messages. */
	d.checkpoints = checkpointer_new(&d, d.peer != NULL ?
	    peer_link_signing_key(d.peer) : d.station_key, d.peer != NULL ?
	    peer_link_name(d.peer) : "railgate");
	daemon_fit_fd_limit(&d.cfg);
	if ((d.http = daemon_http_start(&d, &cause)) == NULL)
		fatalx("%s", cause);
	d.stream = stream_hub_new(&d);
	snprintf(spooldir, sizeof spooldir, "%s/spool", d.cfg.state_dir);
	if ((d.spool = spool_new(&d, spooldir, &cause)) == NULL)
		fatalx("%s", cause);
	daemon_signals(&d);
	readiness_start(d.base, d.db);

	log_info("railgated %s started as %s (configuration %s, %d workers)",
	    RAILGATE_VERSION, d.instance, d.config_path, pool_threads(d.pool));
	if (loopprio_nice_thread(d.cfg.loop_nice) < 0)
		log_warn("[daemon] loop_nice = %d not applied", d.cfg.loop_nice);
	event_base_dispatch(d.base);
	/* The loop ended idle (or past the drain deadline). */
	daemon_free(&d);
	log_info("stopped");
	return 0;
}
