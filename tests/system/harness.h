/*
 * harness.h -- integration-test harness: a private PostgreSQL cluster,
 * the real daemon on a loopback port, and a small blocking HTTP client.
 *
 * The cluster is made by scripts/pgcluster.sh (initdb into a temporary
 * directory, Unix socket only, run as `postgres` when the tests run as
 * root); the daemon is the railgated binary of the build under test.
 * Each struct is owned by the test that starts it and released by the
 * matching stop function.  Used from the test thread only.
 */
#ifndef TESTS_HARNESS_H
#define TESTS_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <libpq-fe.h>

struct harness_pg {
	char	dir[256];	/* temporary directory of the cluster */
	char	dsn[512];	/* the cluster owner's connection string */
	char	app_dsn[512];	/* the same as the daemon's role, railgate_app */
	char	conf[1200];	/* a [database] section naming both */
};

struct harness_daemon {
	pid_t	pid;		/* 0 once reaped */
	int	exit_status;	/* valid once reaped: status, or 128+signal */
	int	port;
	char	dir[256];	/* temporary directory: config, log */
	char	conf[300];	/* path of its configuration */
	char	log[300];	/* path of its stderr */
};

struct harness_response {
	int	 status;
	char	*headers;	/* raw header block, owned */
	char	*body;		/* NUL-terminated, owned */
	size_t	 body_len;
};

/* Starts a new private cluster; 0 or -1 (with a message on stderr). */
int harness_pg_start(struct harness_pg *pg);
/* Stops the cluster and removes its directory. */
void harness_pg_stop(struct harness_pg *pg);
/* Runs one SQL statement as the owner; returns the first value (owned) or NULL. */
char *harness_sql(const struct harness_pg *pg, const char *sql);
/*
 * Runs `BUILD/railgate ARGS` through sh (ARGS may redirect); its stdout,
 * and its stderr too when with_stderr (caller frees; NULL when it could
 * not run), and its exit status in *status.
 */
char *harness_railgate(const char *args, bool with_stderr, int *status);
/*
 * Creates a token with role and principal directly in the database (the
 * schema must exist); writes the token to out (AUTH_TOKEN_LEN bytes).
 */
int harness_token(const struct harness_pg *pg, const char *role,
    const char *principal, char *out);
/*
 * The same with the token's carriers, an array literal ("{KZ-KTZE}",
 * "{}"); harness_token() binds an operator to every carrier of the
 * fixtures and of `railgate gen` (KZ-KTZE, CN-CRCT, MN-UBTZ, RU-RZD,
 * VN-VNR), any other role to none.
 */
int harness_token_carriers(const struct harness_pg *pg, const char *role,
    const char *principal, const char *carriers, char *out);

/*
 * Writes a notice secret key (32 random bytes, mode 0600) to dir/name and
 * its path to out: for daemons that share a database, and so must share
 * the key that seals webhook secrets ([notices] secret_key_file).  0 or -1.
 */
int harness_secret_key_file(const char *dir, const char *name, char *out,
    size_t size);
/*
 * Runs the examples of a documentation page (docs_run.c): every block
 * opened with ```sh, in order, each by `sh -eu` with the extra
 * environment env (NULL-terminated "NAME=value"; the build directory
 * first in PATH).  0 when every block exits 0; else -1 with *failure
 * (caller frees) naming the page, the block's line and its output.
 */
int harness_docs_run(const char *md_path, const char *const *env,
    char **failure);

/* A free TCP port on 127.0.0.1, or -1. */
int harness_free_port(void);
/*
 * The listen backlog of the socket listening on port, from the kernel
 * (ss shows it as the listening socket's Send-Q), or -1.
 */
long harness_listen_backlog(int port);
/* A TCP connection to 127.0.0.1:port (blocking), or -1. */
int harness_connect(int port);
/*
 * Writes a configuration (listen on a free port + extra_conf, INI text
 * that may be NULL) and starts railgated without waiting; 0 or -1.
 */
int harness_daemon_spawn(struct harness_daemon *d, const char *extra_conf);
/* Starts the daemon again on its configuration, directory and port (after
 * it stopped); its log goes on. */
int harness_daemon_exec(struct harness_daemon *d);
/*
 * Polls sql on pg until its first value is want (NULL: a value other than
 * "0") or timeout_ms passes; true when it was.  On a timeout the last
 * value goes to stderr, to say what was there instead.
 */
bool harness_wait_sql(const struct harness_pg *pg, const char *sql,
    const char *want, int timeout_ms);
/* Posts fixtures/rel to /v1/manifests as token: the HTTP status, -1 when
 * there was no answer. */
int harness_submit_fixture(int port, const char *token, const char *rel);
/*
 * Posts len bytes of EDIFACT to /v1/manifests as token: the HTTP status
 * (-1: no answer), the train id its Location names into id ("" when
 * none).
 */
int harness_submit_edifact(int port, const char *token, const char *body,
    size_t len, char *id, size_t idsize);
/* The first value of sql on c (owned); NULL on an error, no row or NULL. */
char *harness_pq_value(PGconn *c, const char *sql);
/* Runs sql on c: 0, or -1 with the server's message on stderr. */
int harness_pq_run(PGconn *c, const char *sql);
/* Waits until /healthz answers; 0, or -1 with the daemon's log on stderr. */
int harness_daemon_wait_ready(struct harness_daemon *d, int timeout_ms);
/* spawn + wait_ready. */
int harness_daemon_start(struct harness_daemon *d, const char *extra_conf);
/* Sends sig and waits; returns the exit status (or 128+signal), -1 on timeout. */
int harness_daemon_signal_wait(struct harness_daemon *d, int sig, int timeout_ms);
/* Stops the daemon if running and removes its directory. */
void harness_daemon_stop(struct harness_daemon *d);
/* True while the process runs; reaps it (recording exit_status) when not. */
int harness_daemon_alive(struct harness_daemon *d);
/* Rewrites the daemon's configuration file. */
int harness_daemon_write_conf(struct harness_daemon *d, const char *text);

/*
 * One HTTP/1.1 request to 127.0.0.1:port (Connection: close).  headers
 * is extra header lines ("Name: value\r\n"...) or NULL.  0, or -1 on a
 * connection failure.  Free the response with harness_response_free().
 */
int harness_http(int port, const char *method, const char *path,
    const char *headers, const char *body, size_t body_len,
    struct harness_response *r);
void harness_response_free(struct harness_response *r);
/* The value of header name in r (case-insensitive), copied into out; NULL if absent. */
char *harness_header(const struct harness_response *r, const char *name,
    char *out, size_t size);

#endif
