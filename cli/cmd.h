/*
 * cmd.h -- the subcommands of `railgate` (interfaces.md, "Command line").
 *
 * Each takes the arguments after its name (argv[0] is the command name),
 * prints data on stdout and diagnostics on stderr, and returns a
 * sysexits(3) status.  They run on the main thread of the CLI only.
 */
#ifndef CLI_CMD_H
#define CLI_CMD_H

#include <stdbool.h>
#include <stdio.h>

int cmd_parse(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_officer(int argc, char **argv);
int cmd_session(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_submit(int argc, char **argv);
int cmd_notices(int argc, char **argv);
/* railgate notices rotate-key (cmd_rotate.c); argv[0] is "rotate-key". */
int cmd_notices_rotate_key(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_lists(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_bundle(int argc, char **argv);
int cmd_verify(int argc, char **argv);

struct diag_list;
/* Prints rule set compile diagnostics as "file:line:col: message". */
void cmd_rules_print_diags(const struct diag_list *l);

/* Prints each diagnostic of l on out, one per line, indented. */
void cmd_print_diags(FILE *out, const struct diag_list *l);
/* Prints "railgate CMD: message" on stderr. */
void cmd_warnx(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
