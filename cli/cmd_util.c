/*
 * cmd_util.c -- what the subcommands share: their error messages.
 *
 * Separate from railgate.c (the command table and main) so that the
 * daemon can link the pieces of subcommands it reuses, such as a rule
 * set's self-test on reload.
 */
#include <stdarg.h>
#include <stdio.h>

#include "manifest/diag.h"

#include "cli/cmd.h"

/* Each diagnostic of l on its own line, indented two spaces. */
void
cmd_print_diags(FILE *out, const struct diag_list *l)
{
	char	line[1024];
	size_t	i;

	for (i = 0; i < l->n; i++)
		fprintf(out, "  %s\n", diag_format(&l->v[i], line, sizeof line));
}

/* Message on stderr, prefixed with the command. */
void
cmd_warnx(const char *cmd, const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "railgate %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

