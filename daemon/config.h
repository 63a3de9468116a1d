/*
 * config.h -- the daemon's configuration: one table of parameters.
 *
 * The table in config.c (section, name, type, where it is stored,
 * whether SIGHUP may change it, default, description) is the single
 * source for parsing etc/railgate.conf, for defaults, and for the
 * parameter list of railgate.conf(5) (`railgated --print-parameters`).
 * A struct config owns its strings; config_free() releases them.  Loaded
 * and read on the main thread.
 */
#ifndef DAEMON_CONFIG_H
#define DAEMON_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

struct config {
	/* [daemon] */
	char	*listen;		/* host:port of the HTTP API */
	char	*tls_cert_file;		/* the API's certificate chain; empty: no TLS */
	char	*tls_key_file;		/* its private key (mode 0600) */
	bool	 allow_plaintext_http;	/* non-loopback listen without TLS */
	char	*log_level;
	char	*state_dir;		/* var/: spool, keys, private cluster */
	int	 loop_nice;		/* the event loop thread's nice */
	int	 parse_threads;		/* 0: readers' own threads; 1: none */
	/* [database] */
	char	*dsn;			/* libpq connection string of the daemon's role */
	char	*admin_dsn;		/* for migrations at start; empty: dsn */
	int	 connections;		/* pool size */
	int	 decision_connections;	/* of them, kept for decisions */
	/* [rules] */
	char	*rules_dir;
	char	*time_zone;		/* [station] time_zone: IANA name */
	bool	 parcel_setaside;	/* [station]: parcels set aside, docs/parcels.md */
	int	 lease_s;		/* [evaluation] lease_s */
	/* [notices] */
	int	 notice_retry_ms;
	int	 notice_retry_max_s;
	int	 notice_max_attempts;
	char	*notice_ca_file;		/* extra CAs for https:// endpoints */
	char	*subscriptions_file;		/* JSON: operators' subscriptions */
	bool	 notice_allow_private;		/* endpoints on non-public addresses */
	char	*notice_client_cert_dir;	/* client certificates live here */
	char	*notice_secret_key_file;	/* seals webhook secrets; "": state_dir */
	/* [peer] the neighbouring customs link; off while name is empty */
	char	*peer_name;		/* this service's name, as the neighbour knows it */
	char	*peer_neighbour;	/* the neighbour's name: its TLS identity and sender */
	char	*peer_url;		/* https://host:port of the neighbour's link */
	char	*peer_listen;		/* host:port of our link; empty: send only */
	char	*peer_cert_file;
	char	*peer_key_file;
	char	*peer_ca_file;		/* the neighbour's CA, pinned */
	char	*peer_public_key;	/* the neighbour's Ed25519 key (PEM) */
	char	*peer_signing_key;	/* ours; empty: the station key */
	int	 peer_max_skew_s;
	int	 peer_retry_ms;
	int	 peer_retry_max_s;
	/* [audit] */
	int	 checkpoint_interval_s;	/* signs the chain's head this often */
	/* [spool] */
	int	 spool_retry_ms;
	int	 spool_retry_max_s;
	int	 spool_max_attempts;
	/* [clearance] */
	int	 target_minutes;
	int	 amber_left_s;		/* time left at which a clock turns amber */
	int	 red_left_s;		/* ... red */
	int	 arrival_past_max_s;	/* bounds of an arrived event's "at" */
	int	 arrival_future_max_s;
	int	 warn_percent;		/* obsolete; 0: not set */
	/* [screening] */
	int	 clearance_days;	/* a confirmed clearance's life */
	/* [decision] */
	char	*auto_release;		/* off | green */
	int	 auto_release_delay_s;
	/* [http] */
	int	 max_body_mb;
	int	 request_timeout_s;
	int	 request_min_rate;
	int	 max_connections;
	int	 max_connections_per_client;
	int	 max_body_memory_mb;
	int	 token_cache_s;
	int	 auth_failures_per_client;
	int	 auth_failures_window_s;
	int	 session_idle_s;
	int	 session_max_s;
	bool	 session_cookie_secure;
	int	 signin_failures_per_name;
	int	 signin_failures_per_client;
	int	 signin_failures_window_s;
	/* [stream] pushed changes (daemon/stream.c) */
	int	 stream_max_clients;
	int	 stream_max_pending_kb;
	int	 stream_heartbeat_s;
	int	 stream_catch_up_max;
};

/* Fills cfg with every default; the caller frees with config_free(). */
void config_defaults(struct config *cfg);
/*
 * Reads an INI file over the defaults already in cfg.  0, or -1 with
 * *cause ("file:line: ...", owned by the caller).  *warnings: NULL, or
 * what the file should change though it was read (a parameter named by
 * its old name), one "file:line: ..." per line, owned by the caller.
 */
int config_load(struct config *cfg, const char *path, char **warnings,
    char **cause);
/*
 * Whether the API may listen as configured: TLS needs both tls_cert_file
 * and tls_key_file; without TLS, listen must be a loopback address
 * (127.0.0.0/8, ::1, localhost) unless allow_plaintext_http says yes.
 * 0, with *warning (caller frees) when plain HTTP is allowed on a
 * non-loopback address, else NULL; -1 with *cause (caller frees).
 */
int config_check_listen(const struct config *cfg, char **warning,
    char **cause);
/* True when host (a listen address's host part) is a loopback one. */
bool config_host_is_loopback(const char *host);
/* Frees the strings of cfg; accepts a zeroed struct. */
void config_free(struct config *cfg);
/* True when changing from a to b needs a restart (a parameter not reloadable differs). */
bool config_needs_restart(const struct config *a, const struct config *b,
    const char **which);
/* Writes the parameter table as a manual-page section (mdoc). */
void config_print_parameters(FILE *out);

#endif
