/*
 * paths.h -- where the programs look when no option names a file: the
 * configuration, the default rule set, the state directory and the XML
 * schema.
 *
 * One place for them, so an installed build and the tree's own build
 * differ here only.  The tree's build (make, make run, make check) keeps
 * the defaults relative to the top of the repository; `make install` and
 * `make deb` build into build-install/ with the installed places, passed
 * by the Makefile as -D flags from PREFIX, sysconfdir, datadir and
 * localstatedir (docs/operations.md, "Installing").
 */
#ifndef DAEMON_PATHS_H
#define DAEMON_PATHS_H

/* railgated -c, and the command line's -c (db, officer, notices...). */
#ifndef RAILGATE_CONFIG_FILE
#define RAILGATE_CONFIG_FILE	"etc/railgate.conf"
#endif
/* [rules] dir, and `railgate check`'s rule set. */
#ifndef RAILGATE_RULES_DIR
#define RAILGATE_RULES_DIR	"etc/rules/default"
#endif
/* [daemon] state_dir. */
#ifndef RAILGATE_STATE_DIR
#define RAILGATE_STATE_DIR	"var"
#endif
/* `railgate parse --validate`'s schema. */
#ifndef RAILGATE_SCHEMA_FILE
#define RAILGATE_SCHEMA_FILE	"etc/schema/manifest.xsd"
#endif

#endif
