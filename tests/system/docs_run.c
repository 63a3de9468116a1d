/*
 * docs_run.c -- runs the examples of a documentation page (harness.h):
 * every fenced block opened with ```sh, in order, each in a shell of its
 * own (`sh -eu`), with the page's environment.  A page's examples are
 * promises to a user on their first day; a test that runs them keeps them.
 *
 * A block asserts its own result (grep -q, test); its output, stdout and
 * stderr together, is kept to explain a failure.  Each block has
 * DOCS_BLOCK_TIMEOUT_S seconds; the build under test comes first in PATH
 * so that `railgate` is the one being tested.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "unit.h"

#define DOCS_BLOCK_TIMEOUT_S	60
#define DOCS_OUTPUT_MAX		4000	/* of a failing block's output, kept */

extern char **environ;

/* The whole file, NUL-terminated, or NULL. */
static char *
docs_slurp(const char *path)
{
	FILE	*f = fopen(path, "r");
	char	*s = NULL;
	long	 n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (s = malloc((size_t)n + 1)) != NULL) {
		if (fread(s, 1, (size_t)n, f) != (size_t)n) {
			free(s);
			s = NULL;
		} else
			s[n] = '\0';
	}
	fclose(f);
	return s;
}

/* The child's environment: ours, PATH with the build first, then env. */
static char **
docs_environment(const char *const *env, char **pathvar)
{
	size_t		 n = 0, m = 0, i;
	char		**out;
	const char	*path = getenv("PATH");
	char		*p;

	while (environ[n] != NULL)
		n++;
	while (env != NULL && env[m] != NULL)
		m++;
	if ((out = calloc(n + m + 2, sizeof *out)) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		out[i] = environ[i];
	if (asprintf(&p, "PATH=%s:%s", test_build_dir(),
	    path != NULL ? path : "/usr/bin:/bin") < 0)
		p = NULL;
	*pathvar = p;		/* owned by the caller */
	out[n] = p;	/* later entries win: env may set PATH again */
	for (i = 0; i < m; i++)
		out[n + 1 + i] = (char *)env[i];
	return out;
}

/* The entries of envp with duplicates dropped (the last one wins). */
static void
docs_env_dedup(char **envp)
{
	size_t	i, j, k;

	for (i = 0; envp[i] != NULL; i++) {
		size_t	len = strcspn(envp[i], "=");

		for (j = i + 1; envp[j] != NULL; j++)
			if (strncmp(envp[i], envp[j], len + 1) == 0)
				break;
		if (envp[j] == NULL)
			continue;
		for (k = i; envp[k] != NULL; k++)
			envp[k] = envp[k + 1];
		i--;
	}
}

/*
 * Runs one block with sh -eu; its output (at most DOCS_OUTPUT_MAX bytes)
 * into out.  0 when it exits 0.
 */
static int
docs_run_block(const char *script, char **envp, char *out, size_t outlen)
{
	char	 path[] = "/tmp/railgate-docs-XXXXXX";
	int	 fd, pipefd[2], status = 0;
	pid_t	 pid;
	size_t	 got = 0;
	ssize_t	 n;
	time_t	 deadline = time(NULL) + DOCS_BLOCK_TIMEOUT_S;

	out[0] = '\0';
	if ((fd = mkstemp(path)) < 0)
		return -1;
	if (write(fd, script, strlen(script)) != (ssize_t)strlen(script) ||
	    pipe(pipefd) < 0) {
		close(fd);
		unlink(path);
		return -1;
	}
	close(fd);
	if ((pid = fork()) == 0) {
		dup2(pipefd[1], 1);
		dup2(pipefd[1], 2);
		close(pipefd[0]);
		close(pipefd[1]);
		execle("/bin/sh", "sh", "-eu", path, (char *)NULL, envp);
		_exit(127);
	}
	close(pipefd[1]);
	fcntl(pipefd[0], F_SETFL, O_NONBLOCK);
	for (;;) {
		char	buf[512];

		n = read(pipefd[0], buf, sizeof buf);
		if (n > 0) {
			size_t	take = (size_t)n;

			if (got + take >= outlen)
				take = outlen - 1 - got;
			memcpy(out + got, buf, take);
			got += take;
			out[got] = '\0';
			continue;
		}
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			break;
		if (time(NULL) > deadline) {
			kill(pid, SIGKILL);
			snprintf(out + got, outlen - got, "\n[timed out after %d s]",
			    DOCS_BLOCK_TIMEOUT_S);
			break;
		}
		usleep(20000);
	}
	close(pipefd[0]);
	while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	unlink(path);
	return pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* The next ```sh block from *p on, owned, with the line it starts at. */
static char *
docs_next_block(const char **p, int *line, int *start)
{
	const char	*s = *p, *end;
	char		*block;

	for (;;) {
		if (*s == '\0')
			return NULL;
		if (strncmp(s, "```sh", 5) == 0 && (s[5] == '\n' ||
		    s[5] == ' ' || s[5] == '\r'))
			break;
		if ((s = strchr(s, '\n')) == NULL)
			return NULL;
		s++;
		(*line)++;
	}
	*start = *line;
	s = strchr(s, '\n');
	if (s == NULL)
		return NULL;
	s++;
	(*line)++;
	for (end = s; *end != '\0' && strncmp(end, "```", 3) != 0;) {
		const char	*nl = strchr(end, '\n');

		(*line)++;
		end = nl != NULL ? nl + 1 : end + strlen(end);
	}
	block = strndup(s, (size_t)(end - s));
	*p = *end != '\0' ? end + 3 : end;
	return block;
}

int
harness_docs_run(const char *md_path, const char *const *env, char **failure)
{
	char		*text = docs_slurp(md_path), *block, **envp, *pathvar;
	char		 out[DOCS_OUTPUT_MAX];
	const char	*p;
	int		 line = 1, start = 0, blocks = 0, rc = 0;

	*failure = NULL;
	if (text == NULL) {
		if (asprintf(failure, "%s: cannot read it", md_path) < 0)
			*failure = NULL;
		return -1;
	}
	if ((envp = docs_environment(env, &pathvar)) == NULL) {
		free(text);
		return -1;
	}
	docs_env_dedup(envp);
	for (p = text; rc == 0 &&
	    (block = docs_next_block(&p, &line, &start)) != NULL; free(block)) {
		blocks++;
		if (docs_run_block(block, envp, out, sizeof out) == 0)
			continue;
		if (asprintf(failure, "%s:%d: the example starting \"%.*s\" "
		    "failed:\n%s", md_path, start,
		    (int)strcspn(block, "\n"), block, out) < 0)
			*failure = NULL;
		rc = -1;
	}
	if (rc == 0 && blocks == 0 && asprintf(failure, "%s: no ```sh "
	    "example in it", md_path) >= 0)
		rc = -1;
	free(text);
	free(envp);
	free(pathvar);
	return rc;
}
