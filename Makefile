# railgate -- one plain Makefile (see README.md).
#
#   make            build the programs into build/
#   make run        install what is missing, start PostgreSQL under var/ and the daemon
#   make check      install what is missing, build, lint and run every test
#   make test-unit  the unit tier alone (tests/unit/: no PostgreSQL, no daemon)
#   make test-system  the system tier alone (tests/system/: PostgreSQL, the daemon)
#   make check SANITIZE=1   the same under AddressSanitizer and UBSan (build-san/)
#   make bench      benchmarks (figures, not pass/fail)
#   make fuzz       libFuzzer targets for a bounded time
#   make lint       cppcheck and the layering check
#   make install    the programs, configuration, rule set, manual pages and
#                   unit (PREFIX, DESTDIR...; docs/operations.md "Installing")
#   make deb        the Debian package, build-deb/railgate_VERSION_ARCH.deb

SANITIZE ?=
ifeq ($(SANITIZE),1)
BUILD ?= build-san
SANFLAGS = -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
OPT ?= -O1
else
BUILD ?= build
SANFLAGS =
OPT ?= -O2
endif

CC ?= cc
PKGS = libevent libevent_openssl libevent_pthreads libpq libxml-2.0 openssl \
	zlib libdeflate jansson libutf8proc libargon2 icu-i18n icu-uc libsystemd
# Recursively expanded on purpose: pkg-config runs only when a recipe needs
# it, after scripts/deps.sh has installed what was missing.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS = $(shell pkg-config --libs $(PKGS))

# Warnings are errors.  Exceptions, each for a reason:
#  -Wno-unused-parameter: callbacks (libevent, CUnit, libxml2) have fixed
#   signatures whose arguments many implementations do not need;
#  -Wno-missing-field-initializers: { 0 } and designated initialisers of
#   tables are idiomatic and complete by definition.
WARN = -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wpointer-arith -Wformat=2 -Wvla \
	-Wno-unused-parameter -Wno-missing-field-initializers
CFLAGS ?= $(OPT) -g
ALL_CFLAGS = -std=c17 -D_GNU_SOURCE -pthread $(WARN) $(CFLAGS) $(SANFLAGS) \
	-I. $(PKG_CFLAGS) $(PATH_DEFS) $(CPPFLAGS) -MMD -MP
ALL_LDFLAGS = -pthread $(SANFLAGS) $(LDFLAGS)
LIBS = $(PKG_LIBS) -lm

# Layers, lowest first: each may include only the ones before it.
MANIFEST_SRCS = $(wildcard manifest/*.c)
EDI_SRCS = $(wildcard edi/*.c)
RULES_SRCS = $(wildcard rules/*.c)
ENGINE_SRCS = $(wildcard engine/*.c)
DB_SRCS = $(wildcard db/*.c)
DAEMON_SRCS = $(filter-out daemon/railgated.c,$(wildcard daemon/*.c daemon/*/*.c))
CLI_SRCS = $(filter-out cli/railgate.c,$(wildcard cli/*.c))
CONSOLE_FILES = $(wildcard daemon/api/console/*)
CONSOLE_OBJS = $(patsubst daemon/api/console/%,$(BUILD)/daemon/api/console/%.o,$(CONSOLE_FILES))
# Two tiers of tests, each its own binary: a file joins a tier by being
# placed in its directory.  tests/driver.c (main) and tests/unit.h
# (registration) serve both.
UNIT_TEST_SRCS = tests/driver.c $(wildcard tests/unit/*.c)
SYSTEM_TEST_SRCS = tests/driver.c $(wildcard tests/system/*.c)
# A test file left in tests/ itself would belong to neither binary.
STRAY_TEST_SRCS = $(filter-out tests/driver.c,$(wildcard tests/*.c))
BENCH_SRCS = $(wildcard bench/*.c)

objs = $(patsubst %.c,$(BUILD)/%.o,$(1))
# Test objects under tests/obj/: build/tests/unit is a program, not a folder.
testobjs = $(patsubst tests/%.c,$(BUILD)/tests/obj/%.o,$(1))
LAYER_LIBS = $(BUILD)/libdaemon.a $(BUILD)/libdb.a $(BUILD)/libengine.a \
	$(BUILD)/librules.a $(BUILD)/libedi.a $(BUILD)/libmanifest.a

PROGRAMS = $(BUILD)/railgate $(BUILD)/railgated
TESTS = $(BUILD)/tests/unit $(BUILD)/tests/system
BENCH_PROGRAMS = $(patsubst %.c,$(BUILD)/%,$(BENCH_SRCS))

.PHONY: install install-build uninstall deb FORCE
.PHONY: all deps run check check-build test-unit test-system test-layout lint layers sizes bench fuzz torture clean demo-border
.DEFAULT_GOAL := all

all: $(PROGRAMS)

$(BUILD)/%.o: %.c $(BUILD)/paths.stamp
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

# The default paths (daemon/paths.h) the objects were compiled with: a
# build directory changing them compiles everything again.
$(BUILD)/paths.stamp: FORCE
	@mkdir -p $(dir $@)
	@echo '$(PATHS_KEY)' | cmp -s - $@ || echo '$(PATHS_KEY)' > $@

FORCE:

# Test files include unit.h (tests/) and their tier's own headers.
$(BUILD)/tests/obj/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests -c $< -o $@

$(BUILD)/libmanifest.a: $(call objs,$(MANIFEST_SRCS))
$(BUILD)/libedi.a: $(call objs,$(EDI_SRCS))
$(BUILD)/librules.a: $(call objs,$(RULES_SRCS))
$(BUILD)/libengine.a: $(call objs,$(ENGINE_SRCS))
$(BUILD)/libdb.a: $(call objs,$(DB_SRCS)) $(BUILD)/db/migrations_data.o
$(BUILD)/libdaemon.a: $(call objs,$(DAEMON_SRCS)) $(BUILD)/daemon/api/openapi_data.o \
	$(CONSOLE_OBJS)
$(BUILD)/libcli.a: $(call objs,$(CLI_SRCS))
# The schema migrations and the SQL functions, embedded in the programs.
MIGRATIONS = $(sort $(wildcard db/migrations/*.sql))
SQL_FUNCTIONS = $(sort $(wildcard db/functions/*.sql))
$(BUILD)/db/migrations_data.c: $(MIGRATIONS) $(SQL_FUNCTIONS) scripts/embed-sql.sh
	@mkdir -p $(dir $@)
	scripts/embed-sql.sh $@ $(MIGRATIONS) $(SQL_FUNCTIONS)
$(BUILD)/db/migrations_data.o: $(BUILD)/db/migrations_data.c
	$(CC) $(ALL_CFLAGS) -c $< -o $@
# The API's description, served at /openapi.json.
$(BUILD)/daemon/api/openapi_data.c: daemon/api/openapi.json scripts/embed-file.sh
	@mkdir -p $(dir $@)
	scripts/embed-file.sh $@ api_openapi_json daemon/api/openapi.json
$(BUILD)/daemon/api/openapi_data.o: $(BUILD)/daemon/api/openapi_data.c
	$(CC) $(ALL_CFLAGS) -c $< -o $@
# The officer console's files, served at / and /console/FILE:
# daemon/api/console/core.js becomes the string console_core_js,
# catalogue-zh-Hans.js console_catalogue_zh_Hans_js.
$(BUILD)/daemon/api/console/%.c: daemon/api/console/% scripts/embed-file.sh
	@mkdir -p $(dir $@)
	scripts/embed-file.sh $@ console_$(subst -,_,$(subst .,_,$*)) $<
$(BUILD)/daemon/api/console/%.o: $(BUILD)/daemon/api/console/%.c
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(BUILD)/lib%.a:
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

# The command line links its own library; the daemon never does.
$(BUILD)/railgate: $(call objs,cli/railgate.c) $(BUILD)/libcli.a $(LAYER_LIBS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/railgated: $(call objs,daemon/railgated.c) $(LAYER_LIBS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/tests/unit: $(call testobjs,$(UNIT_TEST_SRCS)) $(BUILD)/libcli.a $(LAYER_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) -lcunit

$(BUILD)/tests/system: $(call testobjs,$(SYSTEM_TEST_SRCS)) $(BUILD)/libcli.a $(LAYER_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS) -lcunit

# Each bench/NAME.c is a benchmark program linked with every layer.
$(BUILD)/bench/%: $(BUILD)/bench/%.o $(LAYER_LIBS)
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

deps:
	@scripts/deps.sh

# Lint and the unit tier first (seconds), then a short fuzzing run and
# the fault trials, the system tier last: CUnit's summary closes the
# output.
FUZZ_SMOKE_SECONDS ?= 10
check: deps
	@$(MAKE) --no-print-directory check-build
	@$(MAKE) --no-print-directory lint
	RAILGATE_BUILD=$(BUILD) $(BUILD)/tests/unit
	@scripts/fuzz.sh --seconds $(FUZZ_SMOKE_SECONDS)
	@sh scripts/notice-trials.sh $(BUILD) 1 3 50
	@sh scripts/torture-kill.sh $(BUILD) 10 2 40
	@sh scripts/torture-pg.sh $(BUILD) 6 2 15
	@sh scripts/torture-disk.sh $(BUILD) 10
	RAILGATE_BUILD=$(BUILD) $(BUILD)/tests/system

check-build: test-layout $(PROGRAMS) $(TESTS)

# The unit tier: no PostgreSQL, no daemon (cli_check runs build/railgate).
test-unit: test-layout $(BUILD)/railgate $(BUILD)/tests/unit
	RAILGATE_BUILD=$(BUILD) $(BUILD)/tests/unit

# The system tier: each suite its own PostgreSQL cluster and daemons.
test-system: deps test-layout $(PROGRAMS) $(BUILD)/tests/system
	RAILGATE_BUILD=$(BUILD) $(BUILD)/tests/system

test-layout:
	@test -z "$(STRAY_TEST_SRCS)" || { echo "$(STRAY_TEST_SRCS): move into \
	tests/unit/ (no PostgreSQL, no daemon) or tests/system/"; exit 1; }

lint: layers sizes $(BUILD)/railgated
	@scripts/lint.sh
	@sh scripts/man-conf.sh $(BUILD) | cmp -s - docs/man/railgate.conf.5 || \
	    { echo "docs/man/railgate.conf.5 is stale: sh scripts/man-conf.sh > docs/man/railgate.conf.5"; exit 1; }
	@echo "railgate.conf(5): matches the daemon's parameters"
	@! groff -mdoc -ww -z docs/man/railgate.1 docs/man/railgated.8 \
	    docs/man/railgate.conf.5 2>&1 | grep . || { echo "manual pages: groff warns"; exit 1; }
	@echo "manual pages: clean"

# The commit built, for railgate_build_info (daemon/metrics.c, version.h):
# "unknown" outside git.  The header is rewritten only when the commit
# changes, so metrics.o is compiled again only then.
COMMIT_HEADER = $(BUILD)/daemon/commit.h
$(COMMIT_HEADER): railgate-commit
	@mkdir -p $(dir $@)
	@c=$$(git rev-parse --short=12 HEAD 2>/dev/null) || c=unknown; \
	printf '#define RAILGATE_COMMIT "%s"\n' "$${c:-unknown}" > $@.new; \
	if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; fi
$(BUILD)/daemon/metrics.o: $(COMMIT_HEADER)
$(BUILD)/daemon/metrics.o: ALL_CFLAGS += -include $(COMMIT_HEADER)
.PHONY: railgate-commit

layers:
	@scripts/check-layers.sh

# File and function sizes (scripts/check-size.sh).
sizes:
	@sh scripts/check-size.sh

run: deps
	@$(MAKE) --no-print-directory all
	@scripts/run.sh $(BUILD)

# A `make run` left in the background (its terminal gone): the daemon,
# then its private PostgreSQL (Ctrl-C does both in the foreground).
stop:
	@scripts/run.sh stop
.PHONY: stop

bench: deps
	@$(MAKE) --no-print-directory all $(BENCH_PROGRAMS)
	@scripts/bench.sh $(BUILD)

# Two daemons, alashankou and dostyk, as each other's neighbour
# (docs/peer.md); DEMO_KEEP=1 leaves them running.
demo-border: deps
	@$(MAKE) --no-print-directory all
	@sh scripts/demo-border.sh $(BUILD)

fuzz: deps
	@scripts/fuzz.sh --seconds $${FUZZ_SECONDS:-60}

# The long runs of the reliability suite (issue 10): make check runs each
# of them short.
torture: deps
	@$(MAKE) --no-print-directory check-build
	@sh scripts/torture-kill.sh $(BUILD) 200 4 500
	@sh scripts/torture-pg.sh $(BUILD) 75 4 100
	@sh scripts/torture-disk.sh $(BUILD) 100
	RAILGATE_BUILD=$(BUILD) RAILGATE_TAMPER_TRIALS=1000 \
	    $(BUILD)/tests/system integration_tamper
	RAILGATE_BUILD=$(BUILD) RAILGATE_INDEX_QUERIES=2000 \
	    $(BUILD)/tests/unit names_index
	RAILGATE_BUILD=$(BUILD) RAILGATE_LOAD_SECONDS=600 \
	    RAILGATE_FLOOD_SECONDS=60 RAILGATE_FLOOD_SLOW=1000 \
	    $(BUILD)/tests/system integration_load

# Installing, by the GNU conventions (docs/operations.md "Installing").
# A daemon's configuration and state go under /etc and /var whatever the
# prefix (the unit's StateDirectory= is /var/lib/railgate): sysconfdir=
# and localstatedir= move them.
PREFIX ?= /usr/local
prefix ?= $(PREFIX)
exec_prefix ?= $(prefix)
bindir ?= $(exec_prefix)/bin
sbindir ?= $(exec_prefix)/sbin
datarootdir ?= $(prefix)/share
datadir ?= $(datarootdir)
mandir ?= $(datarootdir)/man
sysconfdir ?= /etc
localstatedir ?= /var
unitdir ?= $(prefix)/lib/systemd/system
INSTALL ?= install
CONF_DIR = $(sysconfdir)/railgate
RULES_DIR = $(datadir)/railgate/rules/default
STATE_DIR = $(localstatedir)/lib/railgate
# The installed programs are built apart, in INSTALL_BUILD, with the
# installed places as their defaults (daemon/paths.h); build/ keeps the
# tree's relative ones, for make run and make check.
INSTALL_BUILD ?= build-install
ifeq ($(INSTALLED_PATHS),1)
PATH_DEFS = -DRAILGATE_CONFIG_FILE='"$(CONF_DIR)/railgate.conf"' \
	-DRAILGATE_RULES_DIR='"$(RULES_DIR)"' \
	-DRAILGATE_STATE_DIR='"$(STATE_DIR)"' \
	-DRAILGATE_SCHEMA_FILE='"$(datadir)/railgate/schema/manifest.xsd"'
PATHS_KEY = $(CONF_DIR) $(RULES_DIR) $(STATE_DIR) $(datadir)
else
PATHS_KEY = tree
endif
# The installed configuration and unit name the installed places.
INSTALL_SED = -e 's|^state_dir = var$$|state_dir = $(STATE_DIR)|' \
	-e 's|^dir = etc/rules/default$$|dir = $(RULES_DIR)|' \
	-e 's|^dsn =$$|dsn = host=/run/postgresql dbname=railgate user=railgate_app\nadmin_dsn = host=/run/postgresql dbname=railgate user=railgate|' \
	-e 's|/usr/local/sbin/railgated|$(sbindir)/railgated|' \
	-e 's|/var/lib/railgate|$(STATE_DIR)|g' \
	-e 's@\(^\|[ (]\)etc/railgate\.conf@\1$(CONF_DIR)/railgate.conf@g' \
	-e 's@\(^\|[ (]\)etc/rules/default@\1$(RULES_DIR)@g'

install-build:
	@$(MAKE) --no-print-directory BUILD=$(INSTALL_BUILD) INSTALLED_PATHS=1 \
	    $(INSTALL_BUILD)/railgate $(INSTALL_BUILD)/railgated

# The configuration is not replaced when there is one (it is the
# station's); without DESTDIR it is made readable to the railgate group.
install: install-build
	$(INSTALL) -d $(DESTDIR)$(bindir) $(DESTDIR)$(sbindir) \
	    $(DESTDIR)$(CONF_DIR) $(DESTDIR)$(RULES_DIR) \
	    $(DESTDIR)$(datadir)/railgate/schema $(DESTDIR)$(unitdir) \
	    $(DESTDIR)$(mandir)/man1 $(DESTDIR)$(mandir)/man5 \
	    $(DESTDIR)$(mandir)/man8
	$(INSTALL) -d -m 0750 $(DESTDIR)$(STATE_DIR)
	$(INSTALL) -m 0755 $(INSTALL_BUILD)/railgate $(DESTDIR)$(bindir)/railgate
	$(INSTALL) -m 0755 $(INSTALL_BUILD)/railgated $(DESTDIR)$(sbindir)/railgated
	sed $(INSTALL_SED) etc/railgate.conf > $(INSTALL_BUILD)/railgate.conf
	test -e $(DESTDIR)$(CONF_DIR)/railgate.conf || $(INSTALL) -m 0640 \
	    $(INSTALL_BUILD)/railgate.conf $(DESTDIR)$(CONF_DIR)/railgate.conf
	test -n "$(DESTDIR)" || ! getent group railgate >/dev/null || \
	    chgrp railgate $(CONF_DIR)/railgate.conf $(STATE_DIR)
	cd etc/rules/default && find . -type f | sort | while read -r f; do \
	    $(INSTALL) -D -m 0644 "$$f" "$(DESTDIR)$(RULES_DIR)/$$f" || exit 1; done
	$(INSTALL) -m 0644 etc/schema/manifest.xsd $(DESTDIR)$(datadir)/railgate/schema/
	sed $(INSTALL_SED) etc/railgated.service > $(DESTDIR)$(unitdir)/railgated.service
	chmod 0644 $(DESTDIR)$(unitdir)/railgated.service
	sed $(INSTALL_SED) docs/man/railgate.1 > $(DESTDIR)$(mandir)/man1/railgate.1
	sed $(INSTALL_SED) docs/man/railgated.8 > $(DESTDIR)$(mandir)/man8/railgated.8
	sh scripts/man-conf.sh $(INSTALL_BUILD) | sed $(INSTALL_SED) \
	    > $(DESTDIR)$(mandir)/man5/railgate.conf.5
	chmod 0644 $(DESTDIR)$(mandir)/man1/railgate.1 \
	    $(DESTDIR)$(mandir)/man8/railgated.8 $(DESTDIR)$(mandir)/man5/railgate.conf.5

# The configuration and the state directory stay: they are the station's.
uninstall:
	rm -f $(DESTDIR)$(bindir)/railgate $(DESTDIR)$(sbindir)/railgated \
	    $(DESTDIR)$(unitdir)/railgated.service \
	    $(DESTDIR)$(mandir)/man1/railgate.1 \
	    $(DESTDIR)$(mandir)/man8/railgated.8 \
	    $(DESTDIR)$(mandir)/man5/railgate.conf.5
	rm -rf $(DESTDIR)$(datadir)/railgate
	@echo "left in place: $(DESTDIR)$(CONF_DIR) and $(DESTDIR)$(STATE_DIR)"

# The Debian package (debian/, dpkg-buildpackage), into DEB_OUT with its
# .changes and .buildinfo; DEB_BUILD_OPTIONS as usual (nocheck, parallel=N).
DEB_OUT ?= build-deb
deb: deps
	@mkdir -p $(DEB_OUT)
	DEB_OUT=$(abspath $(DEB_OUT)) dpkg-buildpackage -b -us -uc \
	    --buildinfo-option=-u$(abspath $(DEB_OUT)) \
	    --buildinfo-option=-O$(abspath $(DEB_OUT))/railgate.buildinfo \
	    --changes-option=-u$(abspath $(DEB_OUT)) \
	    --changes-option=-O$(abspath $(DEB_OUT))/railgate.changes
	@ls $(DEB_OUT)/*.deb

clean:
	rm -rf build build-san build-fuzz build-install build-deb

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
