/*
 * harness.c -- starting PostgreSQL and railgated for integration tests.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "daemon/http/auth.h"
#include "manifest/util.h"

#include "harness.h"
#include "unit.h"

/* Runs a shell command, returning its first output line in out; 0 or -1. */
static int
run_capture(const char *cmd, char *out, size_t size)
{
	FILE	*p;
	int	 rc;

	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	out[0] = '\0';
	if (fgets(out, (int)size, p) != NULL)
		out[strcspn(out, "\n")] = '\0';
	rc = pclose(p);
	return rc == 0 && out[0] != '\0' ? 0 : -1;
}

/* Removes a directory tree. */
static void
remove_tree(const char *dir)
{
	char	cmd[600];

	if (dir[0] == '\0' || strncmp(dir, "/tmp/", 5) != 0)
		return;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "harness: could not remove %s\n", dir);
}

int
harness_pg_start(struct harness_pg *pg)
{
	char	cmd[600];

	memset(pg, 0, sizeof *pg);
	snprintf(pg->dir, sizeof pg->dir, "/tmp/railgate-pg.XXXXXX");
	if (mkdtemp(pg->dir) == NULL) {
		perror("harness: mkdtemp");
		return -1;
	}
	snprintf(cmd, sizeof cmd, "scripts/pgcluster.sh start '%s'", pg->dir);
	if (run_capture(cmd, pg->dsn, sizeof pg->dsn) < 0) {
		fprintf(stderr, "harness: PostgreSQL did not start in %s\n", pg->dir);
		return -1;
	}
	snprintf(pg->app_dsn, sizeof pg->app_dsn, "%.*suser=railgate_app%s",
	    (int)(strstr(pg->dsn, "user=postgres") - pg->dsn), pg->dsn,
	    strstr(pg->dsn, "user=postgres") + strlen("user=postgres"));
	snprintf(pg->conf, sizeof pg->conf, "[database]\ndsn = %s\n"
	    "admin_dsn = %s\nconnections = 2\n", pg->app_dsn, pg->dsn);
	return 0;
}

char *
harness_sql(const struct harness_pg *pg, const char *sql)
{
	PGconn		*c = PQconnectdb(pg->dsn);
	PGresult	*r;
	char		*v = NULL;

	if (PQstatus(c) == CONNECTION_OK) {
		r = PQexec(c, sql);
		if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0)
			v = xstrdup(PQgetvalue(r, 0, 0));
		else if (PQresultStatus(r) != PGRES_COMMAND_OK &&
		    PQresultStatus(r) != PGRES_TUPLES_OK)
			fprintf(stderr, "harness: %s: %s", sql,
			    PQresultErrorMessage(r));
		PQclear(r);
	}
	PQfinish(c);
	return v;
}

/*
 * The carriers of the fixtures and of `railgate gen`'s routes: an
 * operator token made by harness_token() is bound to all of them, so
 * that a suite's manifests are its operator's (issue 20: an operator
 * bound to no carrier can do nothing).
 */
#define HARNESS_OPERATOR_CARRIERS "{KZ-KTZE,CN-CRCT,MN-UBTZ,RU-RZD,VN-VNR}"

int
harness_token(const struct harness_pg *pg, const char *role,
    const char *principal, char *out)
{
	return harness_token_carriers(pg, role, principal,
	    strcmp(role, "operator") == 0 ? HARNESS_OPERATOR_CARRIERS : "{}",
	    out);
}

int
harness_token_carriers(const struct harness_pg *pg, const char *role,
    const char *principal, const char *carriers, char *out)
{
	PGconn		*c = PQconnectdb(pg->dsn);
	PGresult	*r;
	char		 hash[AUTH_TOKEN_HEX];
	const char	*p[4] = { hash, principal, role, carriers };
	int		 rc = -1;

	if (auth_token_generate(out) < 0)
		return -1;
	auth_token_hash(out, hash);
	if (PQstatus(c) == CONNECTION_OK) {
		r = PQexecParams(c, "INSERT INTO tokens (hash, principal, role, "
		    "carriers) VALUES ($1, $2, $3, $4::text[])", 4, NULL, p,
		    NULL, NULL, 0);
		rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : -1;
		if (rc < 0)
			fprintf(stderr, "harness: token: %s", PQresultErrorMessage(r));
		PQclear(r);
	}
	PQfinish(c);
	return rc;
}

void
harness_pg_stop(struct harness_pg *pg)
{
	char	cmd[600];

	if (pg->dir[0] == '\0')
		return;
	snprintf(cmd, sizeof cmd, "scripts/pgcluster.sh stop '%s'", pg->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "harness: stopping PostgreSQL failed\n");
	remove_tree(pg->dir);
	pg->dir[0] = '\0';
}

long
harness_listen_backlog(int port)
{
	char	 cmd[128], line[256];
	FILE	*p;
	long	 recvq = -1, backlog = -1;

	snprintf(cmd, sizeof cmd, "ss -Hltn 'sport = :%d' 2>&1", port);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, p) != NULL)
		if (sscanf(line, "LISTEN %ld %ld", &recvq, &backlog) == 2)
			break;
	pclose(p);
	return backlog;
}

int
harness_free_port(void)
{
	struct sockaddr_in	sin;
	socklen_t		len = sizeof sin;
	int			fd, port;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) < 0) {
		close(fd);
		return -1;
	}
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

int
harness_connect(int port)
{
	struct sockaddr_in	sin;
	int			fd;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int
harness_daemon_write_conf(struct harness_daemon *d, const char *text)
{
	FILE	*f;

	if ((f = fopen(d->conf, "w")) == NULL)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* Milliseconds on the monotonic clock. */
static long long
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Prints the daemon's log to stderr, for a failing test. */
static void
dump_log(const struct harness_daemon *d)
{
	char	*data;
	size_t	 len;

	if (file_read_all(d->log, &data, &len) == 0) {
		fprintf(stderr, "--- railgated log (%s) ---\n%s---\n", d->log, data);
		free(data);
	}
}

int
harness_daemon_spawn(struct harness_daemon *d, const char *extra_conf)
{
	char	*conf;

	memset(d, 0, sizeof *d);
	d->exit_status = -1;
	snprintf(d->dir, sizeof d->dir, "/tmp/railgated-test.XXXXXX");
	if (mkdtemp(d->dir) == NULL || (d->port = harness_free_port()) < 0)
		return -1;
	snprintf(d->conf, sizeof d->conf, "%s/railgate.conf", d->dir);
	snprintf(d->log, sizeof d->log, "%s/railgated.log", d->dir);
	conf = xasprintf("[daemon]\nlisten = 127.0.0.1:%d\nstate_dir = %s\n%s",
	    d->port, d->dir, extra_conf != NULL ? extra_conf : "");
	if (harness_daemon_write_conf(d, conf) < 0) {
		free(conf);
		return -1;
	}
	free(conf);
	return harness_daemon_exec(d);
}

int
harness_daemon_exec(struct harness_daemon *d)
{
	char	bin[512];
	int	fd;

	snprintf(bin, sizeof bin, "%s/railgated", test_build_dir());
	d->exit_status = -1;
	if ((d->pid = fork()) < 0)
		return -1;
	if (d->pid == 0) {
		/* Appended: a restarted daemon's log follows the first one's. */
		fd = open(d->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			dup2(fd, STDERR_FILENO);
			dup2(fd, STDOUT_FILENO);
		}
		execl(bin, "railgated", "-c", d->conf, (char *)NULL);
		_exit(127);
	}
	return 0;
}

bool
harness_wait_sql(const struct harness_pg *pg, const char *sql,
    const char *want, int timeout_ms)
{
	char	*v = NULL;
	int	 waited;
	bool	 ok = false;

	for (waited = 0; !ok && waited <= timeout_ms; waited += 50) {
		if (waited > 0)
			usleep(50000);
		free(v);
		v = harness_sql(pg, sql);
		ok = v != NULL && (want != NULL ? strcmp(v, want) == 0 :
		    strcmp(v, "0") != 0);
	}
	if (!ok)
		fprintf(stderr, "\nharness: %s: %s, not %s\n", sql,
		    v != NULL ? v : "NULL", want != NULL ? want : "non-zero");
	free(v);
	return ok;
}

int
harness_submit_fixture(int port, const char *token, const char *rel)
{
	struct harness_response	 r;
	char			*data, hdr[128];
	size_t			 len;
	int			 status;

	data = test_read_fixture(rel, &len);
	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n", token);
	status = harness_http(port, "POST", "/v1/manifests", hdr, data, len,
	    &r) < 0 ? -1 : r.status;
	if (status >= 0)
		harness_response_free(&r);
	free(data);
	return status;
}

int
harness_submit_edifact(int port, const char *token, const char *body,
    size_t len, char *id, size_t idsize)
{
	struct harness_response	 r;
	char			 hdr[160], loc[128];
	int			 status;

	snprintf(hdr, sizeof hdr, "Authorization: Bearer %s\r\n"
	    "Content-Type: application/EDIFACT\r\n", token);
	id[0] = '\0';
	if (harness_http(port, "POST", "/v1/manifests", hdr, body, len,
	    &r) < 0)
		return -1;
	status = r.status;
	if (harness_header(&r, "Location", loc, sizeof loc) != NULL &&
	    strncmp(loc, "/v1/trains/", 11) == 0)
		snprintf(id, idsize, "%s", loc + 11);
	harness_response_free(&r);
	return status;
}

char *
harness_pq_value(PGconn *c, const char *sql)
{
	PGresult	*r = PQexec(c, sql);
	char		*v = NULL;

	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0 &&
	    !PQgetisnull(r, 0, 0))
		v = xstrdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	return v;
}

int
harness_pq_run(PGconn *c, const char *sql)
{
	PGresult	*r = PQexec(c, sql);
	int		 ok = PQresultStatus(r) == PGRES_COMMAND_OK ||
			    PQresultStatus(r) == PGRES_TUPLES_OK;

	if (!ok)
		fprintf(stderr, "harness: %.80s: %s", sql,
		    PQresultErrorMessage(r));
	PQclear(r);
	return ok ? 0 : -1;
}

/* 0 once GET path answers 200 before deadline, -1 otherwise. */
static int
wait_status_200(struct harness_daemon *d, const char *path,
    long long deadline)
{
	struct harness_response	 r;

	while (now_ms() < deadline && harness_daemon_alive(d)) {
		if (harness_http(d->port, "GET", path, NULL, NULL, 0, &r) == 0) {
			int ok = r.status == 200;

			harness_response_free(&r);
			if (ok)
				return 0;
		}
		usleep(20000);
	}
	return -1;
}

#define READY_GRACE_MS	5000

/*
 * Alive (/healthz) within timeout_ms, then given up to READY_GRACE_MS
 * more to reach its database (/readyz): the listener opens before the
 * pool's connections are made, and on a loaded machine a request sent
 * in between is a 503.  A daemon started with its database down on
 * purpose is still "ready" here after the grace.
 */
int
harness_daemon_wait_ready(struct harness_daemon *d, int timeout_ms)
{
	long long	deadline = now_ms() + timeout_ms;

	if (wait_status_200(d, "/healthz", deadline) < 0) {
		dump_log(d);
		return -1;
	}
	(void)wait_status_200(d, "/readyz", now_ms() + READY_GRACE_MS);
	return 0;
}

int
harness_daemon_start(struct harness_daemon *d, const char *extra_conf)
{
	if (harness_daemon_spawn(d, extra_conf) < 0)
		return -1;
	return harness_daemon_wait_ready(d, 15000);
}

/* Records how a reaped process ended. */
static void
record_exit(struct harness_daemon *d, int status)
{
	d->pid = 0;
	d->exit_status = WIFEXITED(status) ? WEXITSTATUS(status) :
	    128 + WTERMSIG(status);
}

int
harness_daemon_alive(struct harness_daemon *d)
{
	int	status;

	if (d->pid <= 0)
		return 0;
	if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
		record_exit(d, status);
		return 0;
	}
	return 1;
}

int
harness_daemon_signal_wait(struct harness_daemon *d, int sig, int timeout_ms)
{
	long long	deadline = now_ms() + timeout_ms;
	int		status;

	if (d->pid <= 0)
		return d->exit_status;
	if (sig != 0)
		kill(d->pid, sig);
	while (now_ms() < deadline) {
		if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
			record_exit(d, status);
			return d->exit_status;
		}
		usleep(10000);
	}
	return -1;
}

void
harness_daemon_stop(struct harness_daemon *d)
{
	char	*log;
	size_t	 len;

	if (d->pid > 0 && harness_daemon_signal_wait(d, SIGTERM, 10000) < 0) {
		kill(d->pid, SIGKILL);
		waitpid(d->pid, NULL, 0);
		d->pid = 0;
	}
	/* Under SANITIZE=1 the daemon reports into its log: any is a failure. */
	if (d->log[0] != '\0' && file_read_all(d->log, &log, &len) == 0) {
		if (strstr(log, "ERROR: AddressSanitizer") != NULL ||
		    strstr(log, "ERROR: LeakSanitizer") != NULL ||
		    strstr(log, "runtime error:") != NULL) {
			fprintf(stderr, "\nharness: sanitizer report from the "
			    "daemon:\n");
			dump_log(d);
			test_outside_failures++;
		}
		free(log);
	}
	remove_tree(d->dir);
	d->dir[0] = '\0';
}

/* Writes all of buf; 0 or -1. */
static int
write_all(int fd, const char *buf, size_t len)
{
	ssize_t	n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Splits a raw response into status, headers and body. */
static int
parse_response(struct buf *raw, struct harness_response *r)
{
	char	*end, *sp;

	if (raw->len == 0 || (end = strstr(raw->data, "\r\n\r\n")) == NULL)
		return -1;
	if (strncmp(raw->data, "HTTP/1.", 7) != 0 ||
	    (sp = strchr(raw->data, ' ')) == NULL)
		return -1;
	r->status = atoi(sp + 1);
	r->headers = xstrndup(raw->data, (size_t)(end - raw->data) + 2);
	r->body_len = raw->len - (size_t)(end + 4 - raw->data);
	r->body = xmalloc(r->body_len + 1);
	memcpy(r->body, end + 4, r->body_len);
	r->body[r->body_len] = '\0';
	return 0;
}

int
harness_http(int port, const char *method, const char *path,
    const char *headers, const char *body, size_t body_len,
    struct harness_response *r)
{
	struct buf		 raw = { 0 };
	char			*head;
	ssize_t			 n;
	int			 fd, rc;

	memset(r, 0, sizeof *r);
	if ((fd = harness_connect(port)) < 0)
		return -1;
	head = xasprintf("%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
	    "Connection: close\r\nContent-Length: %zu\r\n%s\r\n", method, path,
	    port, body_len, headers != NULL ? headers : "");
	rc = write_all(fd, head, strlen(head));
	free(head);
	if (rc == 0 && body_len > 0)
		rc = write_all(fd, body, body_len);
	while (rc == 0) {
		buf_reserve(&raw, 65536);
		n = read(fd, raw.data + raw.len, raw.cap - raw.len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		raw.len += (size_t)n;
		raw.data[raw.len] = '\0';
	}
	close(fd);
	if (rc == 0)
		rc = parse_response(&raw, r);
	buf_free(&raw);
	return rc;
}

void
harness_response_free(struct harness_response *r)
{
	free(r->headers);
	free(r->body);
	memset(r, 0, sizeof *r);
}

char *
harness_header(const struct harness_response *r, const char *name, char *out,
    size_t size)
{
	const char	*p = r->headers;
	size_t		 n = strlen(name);

	while (p != NULL && (p = strstr(p, "\r\n")) != NULL) {
		p += 2;
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			p += n + 1;
			while (*p == ' ')
				p++;
			snprintf(out, size, "%.*s", (int)strcspn(p, "\r\n"), p);
			return out;
		}
	}
	return NULL;
}

int
harness_secret_key_file(const char *dir, const char *name, char *out,
    size_t size)
{
	unsigned char	key[32];
	FILE		*r;
	int		 fd, rc = -1;

	snprintf(out, size, "%s/%s", dir, name);
	if ((r = fopen("/dev/urandom", "r")) == NULL)
		return -1;
	if (fread(key, 1, sizeof key, r) == sizeof key &&
	    (fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0) {
		rc = write(fd, key, sizeof key) == (ssize_t)sizeof key ? 0 : -1;
		close(fd);
	}
	fclose(r);
	return rc;
}

char *
harness_railgate(const char *args, bool with_stderr, int *status)
{
	struct buf	 out = { 0 };
	char		*cmd, chunk[4096];
	size_t		 n;
	FILE		*p;

	cmd = xasprintf("%s/railgate %s%s", test_build_dir(), args,
	    with_stderr ? " 2>&1" : "");
	p = popen(cmd, "r");
	free(cmd);
	if (p == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
		buf_add(&out, chunk, n);
	buf_add(&out, "", 1);
	*status = WEXITSTATUS(pclose(p));
	return buf_steal(&out, NULL);
}
