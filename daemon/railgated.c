/*
 * railgated.c -- the daemon: start-up, signals and the event loop.
 *
 * Owns the event base, the configuration in force and the servers built
 * from it.  SIGHUP reloads the configuration (a bad file is rejected and
 * the old one stays); SIGTERM and SIGINT stop the loop, letting requests
 * in progress finish.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <event2/event.h>

#include "manifest/util.h"

#include "config.h"
#include "http.h"
#include "log.h"
#include "version.h"

struct daemon {
	struct event_base	*base;
	struct config		 cfg;
	const char		*config_path;
	struct http_server	*http;
	struct event		*sigterm, *sigint, *sighup;
};

/* Prints usage to out. */
static void
usage(FILE *out)
{
	fprintf(out,
	    "usage: railgated [-c FILE] [--print-parameters]\n"
	    "  -c, --config FILE     configuration (default etc/railgate.conf)\n"
	    "      --print-parameters  the configuration parameters, as mdoc\n"
	    "  -h, --help            this text\n"
	    "      --version         the version\n");
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

	config_defaults(cfg);
	if (config_load(cfg, path, cause) < 0) {
		config_free(cfg);
		return -1;
	}
	if (log_level_parse(cfg->log_level, &level) < 0) {
		*cause = xasprintf("%s: log_level \"%s\" is not warn, info or debug",
		    path, cfg->log_level);
		config_free(cfg);
		return -1;
	}
	return 0;
}

/* SIGTERM, SIGINT: stop accepting and leave the loop. */
static void
daemon_stop_cb(evutil_socket_t sig, short what, void *arg)
{
	struct daemon	*d = arg;

	log_info("signal %d: stopping", (int)sig);
	event_base_loopexit(d->base, NULL);
}

/* SIGHUP: reload; the configuration in force stays if the new one is bad. */
static void
daemon_reload_cb(evutil_socket_t sig, short what, void *arg)
{
	struct daemon	*d = arg;
	struct config	 next;
	const char	*which;
	char		*cause = NULL;

	if (daemon_load_config(d->config_path, &next, &cause) < 0) {
		log_warnx("reload rejected, configuration unchanged: %s", cause);
		free(cause);
		return;
	}
	if (config_needs_restart(&d->cfg, &next, &which))
		log_warnx("reload: %s changed; it takes effect at the next restart",
		    which);
	config_free(&d->cfg);
	d->cfg = next;
	daemon_apply_config(&d->cfg);
	log_info("configuration reloaded from %s", d->config_path);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "print-parameters", no_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	struct daemon	 d = { 0 };
	char		*cause = NULL;
	int		 ch;

	d.config_path = "etc/railgate.conf";
	while ((ch = getopt_long(argc, argv, "c:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			d.config_path = optarg;
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
		default:
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EX_USAGE;
	}

	log_init("railgated", LOG_LEVEL_INFO);
	if (daemon_load_config(d.config_path, &d.cfg, &cause) < 0)
		fatalx("%s", cause);
	daemon_apply_config(&d.cfg);
	signal(SIGPIPE, SIG_IGN);
	log_route_libevent();

	if ((d.base = event_base_new()) == NULL)
		fatalx("event_base_new failed");
	if ((d.http = http_server_new(d.base, &d.cfg, &cause)) == NULL)
		fatalx("%s", cause);
	d.sigterm = evsignal_new(d.base, SIGTERM, daemon_stop_cb, &d);
	d.sigint = evsignal_new(d.base, SIGINT, daemon_stop_cb, &d);
	d.sighup = evsignal_new(d.base, SIGHUP, daemon_reload_cb, &d);
	if (d.sigterm == NULL || d.sigint == NULL || d.sighup == NULL ||
	    evsignal_add(d.sigterm, NULL) < 0 || evsignal_add(d.sigint, NULL) < 0 ||
	    evsignal_add(d.sighup, NULL) < 0)
		fatalx("cannot install signal handlers");

	log_info("railgated %s started (configuration %s)", RAILGATE_VERSION,
	    d.config_path);
	event_base_dispatch(d.base);

	http_server_free(d.http);
	event_free(d.sigterm);
	event_free(d.sigint);
	event_free(d.sighup);
	event_base_free(d.base);
	config_free(&d.cfg);
	log_info("stopped");
	return 0;
}
