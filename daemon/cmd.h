/*
 * cmd.h -- the subcommands of `railgate` (interfaces.md, "Command line").
 *
 * Each takes the arguments after its name (argv[0] is the command name),
 * prints data on stdout and diagnostics on stderr, and returns a
 * sysexits(3) status.  They run on the main thread of the CLI only.
 */
#ifndef DAEMON_CMD_H
#define DAEMON_CMD_H

#include <stdio.h>

int cmd_parse(int argc, char **argv);
int cmd_db(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_submit(int argc, char **argv);
int cmd_notices(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_report(int argc, char **argv);

struct decision;
struct diag_list;
struct rules_context;
struct rules_ruleset;
/* Parses and evaluates one manifest file into *out (caller frees); sysexits. */
int cmd_check_file(const struct rules_ruleset *rs, const char *path,
    const struct rules_context *ctx, unsigned threads, struct decision **out);
/*
 * Runs the test trains of the rule set in dir (dir/tests/ *.test) against
 * rs, a line per test on out; returns how many failed, *run how many ran.
 */
int rules_selftest(const struct rules_ruleset *rs, const char *dir, FILE *out,
    int *run);
/* Prints rule set compile diagnostics as "file:line:col: message". */
void cmd_rules_print_diags(const struct diag_list *l);

/* Prints "railgate CMD: message" on stderr. */
void cmd_warnx(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
