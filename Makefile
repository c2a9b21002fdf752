# berth — one plain Makefile for every part.
#
#   make                 build everything that exists (zero warnings: -Werror)
#   make SANITIZE=1      the same with ASan+UBSan, into build-san/
#   make check           deps (if missing), unit tests, then integration tests (root)
#   make check-unit | check-integration | fuzz | bench | install | deps | clean

# The one version of berth: every program's --version and the daemon's hello.
VERSION     := 0.5.0

PREFIX      ?= /usr/local
SBINDIR     ?= $(PREFIX)/sbin
BINDIR      ?= $(PREFIX)/bin
LIBDIR      ?= $(PREFIX)/lib
LIBEXECDIR  ?= $(PREFIX)/libexec
MANDIR      ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DOCDIR      ?= $(PREFIX)/share/doc/berth
SYSCONFDIR  ?= /etc
# systemd's and PAM's own directories, as their .pc files say (multiarch-correct)
UNITDIR     ?= $(or $(shell pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null),/lib/systemd/system)
CATALOGDIR  ?= $(or $(shell pkg-config --variable=catalogdir systemd 2>/dev/null),/usr/lib/systemd/catalog)
SYSUSERSDIR ?= $(or $(shell pkg-config --variable=sysusersdir systemd 2>/dev/null),/usr/lib/sysusers.d)
TMPFILESDIR ?= $(or $(shell pkg-config --variable=tmpfilesdir systemd 2>/dev/null),/usr/lib/tmpfiles.d)
PAMDIR      ?= $(or $(shell pkg-config --variable=libdir pam 2>/dev/null),/lib/x86_64-linux-gnu)/security
DESTDIR     ?=

CC          ?= cc
CLANG       ?= clang
PKG_CONFIG  ?= pkg-config
PKGS        := libsystemd libcurl jansson libbsd-overlay inih numa libcrypto

ifeq ($(SANITIZE),1)
O           ?= build-san
SANFLAGS    := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
else
O           ?= build
SANFLAGS    :=
endif

# Warnings are errors for developers and CI (a git checkout); a packager's
# build from a release tarball, perhaps with a newer compiler, only warns.
# WERROR=1 or WERROR=0 says so explicitly.
WERROR ?= $(if $(wildcard .git),1,0)
WARNINGS := -Wall -Wextra $(if $(filter 1,$(WERROR)),-Werror) \
	-Werror=shadow -Werror=strict-prototypes -Werror=missing-prototypes \
	-Werror=missing-declarations -Werror=format=2 -Werror=format-security \
	-Werror=switch-default -Werror=implicit-function-declaration \
	-Werror=implicit-int -Werror=return-type -Werror=vla -Werror=pointer-arith \
	-Werror=init-self -Werror=undef -Werror=int-conversion \
	-Werror=incompatible-pointer-types -Werror=missing-include-dirs \
	-Werror=old-style-definition -Werror=redundant-decls -Werror=nested-externs \
	-Werror=write-strings -Wno-unused-parameter

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)
CHECK_CFLAGS := $(shell $(PKG_CONFIG) --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell $(PKG_CONFIG) --libs check 2>/dev/null)
SMARTCOLS_CFLAGS := $(shell $(PKG_CONFIG) --cflags smartcols 2>/dev/null)
SMARTCOLS_LIBS   := $(shell $(PKG_CONFIG) --libs smartcols 2>/dev/null)
PAM_CFLAGS   := $(shell $(PKG_CONFIG) --cflags pam 2>/dev/null)
PAM_LIBS     := $(shell $(PKG_CONFIG) --libs pam 2>/dev/null)

CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 $(WARNINGS) -fPIC -fstack-protector-strong \
	-D_FORTIFY_SOURCE=2 -D_GNU_SOURCE -DBERTH_VERSION='"$(VERSION)"' $(SANFLAGS) -Ilib $(PKG_CFLAGS)
LDFLAGS  += $(SANFLAGS) -Wl,-z,relro,-z,now
LDLIBS   += $(PKG_LIBS) -ldl -lpthread -lm

LIB_SRCS := $(sort $(wildcard lib/*/*.c))
LIB_OBJS := $(LIB_SRCS:%.c=$(O)/%.o)
LIBBERTH := $(O)/libberth.a

# Programs: every directory under cmds/ but common/ is one program made of
# its *.c and the commands' framework in cmds/common/.
CMD_DIRS := $(filter-out cmds/common,$(sort $(patsubst %/,%,$(dir $(wildcard cmds/*/*.c)))))
CMD_COMMON_OBJS := $(patsubst %.c,$(O)/%.o,$(sort $(wildcard cmds/common/*.c)))
CMDS     := $(foreach d,$(CMD_DIRS),$(O)/$(notdir $(d)))
SLICEMGR_SRCS := $(sort $(wildcard slicemgr/*.c))
SLICEMGR := $(if $(SLICEMGR_SRCS),$(O)/berth-slicemgr)
GATE_SRCS := $(sort $(wildcard gate/*.c))
GATE     := $(if $(wildcard gate/main.c),$(O)/berth-gate)
WRAPPER_SRCS := $(filter-out wrapper/front.c wrapper/musl-compat.c,$(sort $(wildcard wrapper/*.c)))
WRAPPER  := $(if $(WRAPPER_SRCS),$(O)/berth-docker $(O)/berth-docker-policy $(O)/wrapper/docker)
PAM_SRCS := $(sort $(wildcard pam/*.c))
PAM_MOD  := $(if $(PAM_SRCS),$(O)/pam_berth.so)
FAKE_NVML_SRCS := $(sort $(wildcard tests/fakes/nvml/*.c))
FAKE_NVML := $(if $(FAKE_NVML_SRCS),$(O)/fakes/libnvidia-ml.so.1)

UNIT_SRCS := $(sort $(wildcard tests/unit/test-*.c))
UNIT      := $(O)/unit-tests
HELPER_SRCS := $(sort $(wildcard tests/helpers/*.c))
HELPERS   := $(HELPER_SRCS:tests/helpers/%.c=$(O)/helpers/%)
BENCH_SRCS := $(sort $(wildcard bench/*.c))
BENCHES   := $(BENCH_SRCS:bench/%.c=$(O)/bench/%)
FUZZ_SRCS := $(sort $(wildcard tests/fuzz/fuzz-*.c))
FUZZERS   := $(FUZZ_SRCS:tests/fuzz/%.c=build-fuzz/%)

PROGRAMS := $(CMDS) $(SLICEMGR) $(GATE) $(WRAPPER) $(PAM_MOD) $(FAKE_NVML)

.PHONY: FORCE all programs promtool check check-package check-layers check-install check-unit check-integration check-man fuzz fuzz-smoke bench \
	install uninstall deb deps deps-build deps-test deps-if-missing clean demo need-root
.DELETE_ON_ERROR:

all: $(LIBBERTH) $(PROGRAMS) $(UNIT) $(HELPERS) $(BENCHES)

# What is installed, and nothing the tests need (no check, no fakes): a
# package builds only this.
programs: $(CMDS) $(SLICEMGR) $(GATE) $(WRAPPER) $(PAM_MOD)

$(O)/%.o: %.c $(wildcard lib/*/*.h wrapper/*.h pam/*.h slicemgr/*.h gate/*.h cmds/*/*.h) | $(O)/
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(O)/:
	@mkdir -p $@

$(LIBBERTH): $(LIB_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

define cmd_rule
$(O)/$(notdir $(1)): $(patsubst %.c,$(O)/%.o,$(wildcard $(1)/*.c)) $(CMD_COMMON_OBJS) $(LIBBERTH)
	$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LDLIBS) $$(SMARTCOLS_LIBS)
endef
$(foreach d,$(CMD_DIRS),$(eval $(call cmd_rule,$(d))))

# berth-gate frames HTTP with libhttp-parser (Debian ships no .pc file), and
# so does berth-slicemgr's metrics endpoint.
HTTP_PARSER_LIBS := -lhttp_parser
$(O)/berth-slicemgr: $(SLICEMGR_SRCS:%.c=$(O)/%.o) $(LIBBERTH)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(HTTP_PARSER_LIBS)

$(O)/berth-gate: $(GATE_SRCS:%.c=$(O)/%.o) $(LIBBERTH)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(HTTP_PARSER_LIBS)

# The docker command is two programs.  berth-docker-policy polices; it
# loads no libcurl and no libsystemd (wrapper/journal.c loads that when
# auditing), with jansson, inih and libbsd linked in statically.
WRAPPER_LIBS := -Wl,-Bstatic -ljansson -linih -lbsd -lmd -Wl,-Bdynamic -ldl -lm
$(O)/berth-docker-policy: $(WRAPPER_SRCS:%.c=$(O)/%.o) $(LIBBERTH)
	$(CC) $(LDFLAGS) -Wl,--as-needed -o $@ $^ $(WRAPPER_LIBS)

# berth-docker, the front every docker command starts in, names the command
# and execs the real docker or the policy half.  It is linked statically
# against musl where musl-gcc is installed (make deps installs it): glibc's
# start-up costs ~0.3 ms of CPUID exits on a VM (see wrapper/front.c).  With
# SANITIZE=1, or without musl, it is built like everything else.
FRONT_SRCS := wrapper/common.c lib/policy/dockercli.c lib/policy/dockercli-tables.c lib/basic/strv.c \
	lib/basic/error.c lib/basic/time-util.c lib/core/names.c lib/core/config-dir.c lib/core/owner-answer.c \
	lib/system/slicemgr-client.c
MUSL_GCC   := $(shell command -v musl-gcc 2>/dev/null)
ifneq ($(and $(MUSL_GCC),$(if $(filter 1,$(SANITIZE)),,yes)),)
FRONT_SRCS    += wrapper/musl-compat.c
FRONT_CC      := $(MUSL_GCC)
FRONT_CFLAGS  := -O2 -g -std=gnu11 $(WARNINGS) -fstack-protector-strong -D_GNU_SOURCE \
	-ffunction-sections -fdata-sections -Ilib -idirafter /usr/include
FRONT_LDFLAGS := -static -Wl,--gc-sections -Wl,-z,relro,-z,now -Wl,--build-id
FRONT_LIBS    := $(addprefix $(shell $(PKG_CONFIG) --variable=libdir inih 2>/dev/null)/,libinih.a libjansson.a)
else
FRONT_CC      := $(CC)
FRONT_CFLAGS  := $(CFLAGS)
FRONT_LDFLAGS := $(LDFLAGS) -Wl,--as-needed
FRONT_LIBS    := $(LIBBERTH) $(LDLIBS)
endif
FRONT_OBJS := $(FRONT_SRCS:%.c=$(O)/front/%.o)
$(O)/front/%.o: %.c $(wildcard lib/*/*.h wrapper/*.h)
	@mkdir -p $(dir $@)
	$(FRONT_CC) $(FRONT_CFLAGS) -c -o $@ $<
# Where the front finds the policy half: next to it in the build tree, and
# LIBEXECDIR/berth once installed (relative to BINDIR, so DESTDIR trees work).
$(O)/front/front-build.o: wrapper/front.c $(wildcard lib/*/*.h wrapper/*.h)
	@mkdir -p $(dir $@)
	$(FRONT_CC) $(FRONT_CFLAGS) -DBERTH_POLICY_REL='"berth-docker-policy"' \
		-DBERTH_POLICY_ABS='"$(abspath $(O))/berth-docker-policy"' -c -o $@ $<
# (rebuilt when BINDIR or LIBEXECDIR change: the paths are kept in a stamp)
FRONT_PATHS := $(BINDIR) $(LIBEXECDIR)
$(O)/front/paths.stamp: FORCE
	@mkdir -p $(dir $@)
	@[ "$$(cat $@ 2>/dev/null)" = "$(FRONT_PATHS)" ] || echo "$(FRONT_PATHS)" > $@
$(O)/front/front-install.o: wrapper/front.c $(wildcard lib/*/*.h wrapper/*.h) $(O)/front/paths.stamp
	@mkdir -p $(dir $@)
	$(FRONT_CC) $(FRONT_CFLAGS) \
		-DBERTH_POLICY_REL='"$(shell realpath -m --relative-to=$(BINDIR) $(LIBEXECDIR)/berth/berth-docker-policy)"' \
		-DBERTH_POLICY_ABS='"$(LIBEXECDIR)/berth/berth-docker-policy"' -c -o $@ $<
$(O)/berth-docker: $(O)/front/front-build.o $(FRONT_OBJS) $(filter $(LIBBERTH),$(FRONT_LIBS))
	$(FRONT_CC) $(FRONT_LDFLAGS) -o $@ $(O)/front/front-build.o $(FRONT_OBJS) $(FRONT_LIBS)
$(O)/wrapper/docker: $(O)/front/front-install.o $(FRONT_OBJS) $(filter $(LIBBERTH),$(FRONT_LIBS))
	@mkdir -p $(dir $@)
	$(FRONT_CC) $(FRONT_LDFLAGS) -o $@ $(O)/front/front-install.o $(FRONT_OBJS) $(FRONT_LIBS)

$(O)/cmds/%.o $(O)/tests/%.o: CFLAGS += -Icmds $(SMARTCOLS_CFLAGS)
$(O)/tests/%.o: CFLAGS += -I.
$(O)/pam/%.o: CFLAGS += $(PAM_CFLAGS)
$(O)/pam_berth.so: $(PAM_SRCS:%.c=$(O)/%.o) $(LIBBERTH)
	$(CC) $(LDFLAGS) -shared -Wl,--version-script=pam/pam_berth.sym -o $@ $^ $(LDLIBS) $(PAM_LIBS)

$(O)/fakes/libnvidia-ml.so.1: $(FAKE_NVML_SRCS:%.c=$(O)/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -shared -Wl,-soname,libnvidia-ml.so.1 -o $@ $^ -ljansson

# Unit tests: one check runner; every "Suite *X_suite(void)" in
# tests/unit/test-*.c is found here and run.
$(O)/tests/unit/suites.inc: $(UNIT_SRCS)
	@mkdir -p $(dir $@)
	sed -n 's/^Suite \*\([a-z0-9_]*_suite\)(void).*/SUITE(\1)/p' $^ > $@.tmp && mv $@.tmp $@

$(O)/tests/unit/main.o: CFLAGS += $(CHECK_CFLAGS) -I$(O)/tests/unit
$(O)/tests/unit/main.o: $(O)/tests/unit/suites.inc
$(O)/tests/unit/test-%.o: CFLAGS += $(CHECK_CFLAGS) -I$(O)/tests/unit -include tests/unit/suites.h
$(UNIT_SRCS:%.c=$(O)/%.o): $(wildcard tests/unit/*.h)
$(UNIT_SRCS:%.c=$(O)/%.o): $(O)/tests/unit/suites.inc
# The unit tests also link the programs' own files, so slicemgr's ops, the
# wrapper's argv rewriting and the commands' framework are unit-tested too;
# each program's main() is made local to its object so the runner's wins.
# (berthctl's doctor lends its pure judgements, doctor-rules.c.)
UNIT_PROG_OBJS := $(patsubst $(O)/%,$(O)/unit-objs/%,$(SLICEMGR_SRCS:%.c=$(O)/%.o) $(WRAPPER_SRCS:%.c=$(O)/%.o) \
	$(GATE_SRCS:%.c=$(O)/%.o)) \
	$(CMD_COMMON_OBJS) $(O)/cmds/berthctl/doctor-rules.o
$(O)/unit-objs/%.o: $(O)/%.o
	@mkdir -p $(dir $@)
	objcopy --localize-symbol=main $< $@
$(UNIT): $(O)/tests/unit/main.o $(UNIT_SRCS:%.c=$(O)/%.o) $(UNIT_PROG_OBJS) $(LIBBERTH)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(CHECK_LIBS) $(SMARTCOLS_LIBS) $(HTTP_PARSER_LIBS)
# test-gpu dlopens the fake NVML; order-only, so it is built but not linked.
$(UNIT): | $(FAKE_NVML)

$(O)/helpers/%: $(O)/tests/helpers/%.o $(LIBBERTH)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
# the PAM test application (pam_berth's tests) links libpam
$(O)/helpers/berth-pam: LDLIBS += $(PAM_LIBS)

$(O)/bench/%: $(O)/bench/%.o $(LIBBERTH)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(O)/bench/httplat: LDLIBS += $(HTTP_PARSER_LIBS)

# --- tests -------------------------------------------------------------------

# Recursive so pkg-config runs again after deps-if-missing installed things.
check:
	@$(MAKE) --no-print-directory deps-if-missing
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory check-layers check-man check-install check-unit check-integration check-package

# lib/ in layers (DESIGN §1), no circles inside a program; then proof that
# the check refuses a wrong include.
check-layers:
	@tests/check-layers.sh
	@tests/check-layers.sh --self-test

# make install/uninstall into throw-away DESTDIR trees
check-install: all
	@O=$(O) tests/check-install.sh

check-unit: $(UNIT)
	CK_FORK=yes $(UNIT)

check-man: all
	@tests/check-man.sh
	@tests/check-catalog.sh
	@BUILD=$(O) tests/check-completion.sh

need-root:
	@if [ "$$(id -u)" != 0 ]; then \
		echo "berth: integration tests need root (they boot a sandboxed systemd and dockerd, create test users); run 'sudo make check'." >&2; \
		exit 1; fi

check-integration: need-root all $(PROMTOOL)
	BUILD=$(abspath $(O)) PROMTOOL=$(abspath $(PROMTOOL)) tests/sandbox/sandbox check

# the .deb built and lintian-clean, then installed, used and purged on a
# throw-away overlay root in the sandbox (tests/package/)
check-package: need-root all deb
	BUILD=$(abspath $(O)) tests/sandbox/sandbox package

# promtool, which the integration tests run over `berthctl metrics`.  Debian
# 12 has it only in the prometheus package, and installing that starts a
# Prometheus server; so the package is fetched (apt-get download, no root,
# nothing installed) and promtool alone is unpacked into the build tree.
# PROMTOOL=path uses another one instead.
PROMTOOL ?= $(O)/tools/promtool
promtool: $(PROMTOOL)
$(O)/tools/promtool:
	@mkdir -p $(O)/tools/deb
	cd $(O)/tools/deb && rm -f prometheus_*.deb && apt-get download -q prometheus
	dpkg-deb -x $(O)/tools/deb/prometheus_*.deb $(O)/tools/deb/root
	install -m 0755 $(O)/tools/deb/root/usr/bin/promtool $@
	rm -rf $(O)/tools/deb

# --- fuzzing (libFuzzer, clang) ----------------------------------------------

FUZZ_CFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -D_GNU_SOURCE -Ilib $(PKG_CFLAGS)
FUZZ_TIME ?= 60

build-fuzz/%: tests/fuzz/%.c $(LIB_SRCS) $(wildcard lib/*/*.h)
	@mkdir -p build-fuzz
	$(CLANG) $(FUZZ_CFLAGS) -o $@ $< $(LIB_SRCS) $(PKG_LIBS) -ldl -lpthread -lm

# The gate's route table is pure code outside lib/; its fuzzer takes it along.
build-fuzz/fuzz-gate-route: tests/fuzz/fuzz-gate-route.c gate/route.c gate/route.h $(LIB_SRCS) $(wildcard lib/*/*.h)
	@mkdir -p build-fuzz
	$(CLANG) $(FUZZ_CFLAGS) -Igate -o $@ $< gate/route.c $(LIB_SRCS) $(PKG_LIBS) -ldl -lpthread -lm
# and the request framing: libhttp-parser with the head limits and framing rules
build-fuzz/fuzz-gate-http: tests/fuzz/fuzz-gate-http.c gate/http-head.c gate/http-head.h gate/route.c gate/route.h $(LIB_SRCS) $(wildcard lib/*/*.h)
	@mkdir -p build-fuzz
	$(CLANG) $(FUZZ_CFLAGS) -Igate -o $@ $< gate/http-head.c gate/route.c $(LIB_SRCS) $(PKG_LIBS) -lhttp_parser -ldl -lpthread -lm

# the metrics renderer and the metrics endpoint's request parser, together
build-fuzz/fuzz-metrics: tests/fuzz/fuzz-metrics.c slicemgr/metrics-http.c slicemgr/metrics-http.h $(LIB_SRCS) $(wildcard lib/*/*.h)
	@mkdir -p build-fuzz
	$(CLANG) $(FUZZ_CFLAGS) -Islicemgr -o $@ $< slicemgr/metrics-http.c $(LIB_SRCS) $(PKG_LIBS) -lhttp_parser -ldl -lpthread -lm

fuzz: $(FUZZERS)
	@for f in $(FUZZERS); do \
		n=$$(basename $$f); mkdir -p build-fuzz/corpus-$$n; \
		seeds=; [ -d tests/fuzz/corpus/$$n ] && seeds=tests/fuzz/corpus/$$n; \
		echo "== $$n ($(FUZZ_TIME)s)"; \
		if $$f -max_total_time=$(FUZZ_TIME) -timeout=10 -rss_limit_mb=2048 \
			build-fuzz/corpus-$$n $$seeds > build-fuzz/$$n.log 2>&1; then \
			tail -n 1 build-fuzz/$$n.log; \
		else tail -n 40 build-fuzz/$$n.log; echo "fuzz: $$n FAILED"; exit 1; fi; \
	done; echo "fuzz: $(words $(FUZZERS)) passed, 0 failed"

fuzz-smoke:
	$(MAKE) fuzz FUZZ_TIME=15

# The README's first command: berth installed into a throw-away sandbox and
# a narrated scenario played in it; everything is removed afterwards.
demo: need-root deps-if-missing
	@$(MAKE) --no-print-directory all
	BUILD=$(abspath $(O)) tests/sandbox/sandbox demo

bench: need-root all
	BUILD=$(abspath $(O)) tests/sandbox/sandbox bench

# --- install -----------------------------------------------------------------

# Installs every part under PREFIX (and DESTDIR).  It never overwrites a
# live configuration (/etc/berth is only made when absent, from the minimal
# default in etc/default/; the examples go to DOCDIR/examples), nor a docker
# that is not berth's own front: installing into the engine CLI's own
# directory (PREFIX=/usr) is refused, since the wrapper would then run
# itself (see berth-docker(1) for the Debian package's diversion).
#
# MOVE_DOCKER_SOCKET=1 also moves dockerd's socket: the docker.socket drop-in goes into
# UNITDIR/docker.socket.d (not only DOCDIR), and a configuration written
# here says where dockerd and the gate listen.  REAL_DOCKER=PATH writes
# real_docker = PATH into it (the package's diverted engine CLI).
INSTALLED_FRONT = $(DESTDIR)$(BINDIR)/docker
MOVE_DOCKER_SOCKET ?=
REAL_DOCKER ?=
DEFAULT_CONF = $(DESTDIR)$(SYSCONFDIR)/berth/berth.conf
install: programs
	@if [ -e "$(INSTALLED_FRONT)" ] && ! grep -q berth-docker-policy "$(INSTALLED_FRONT)" 2>/dev/null; then \
		echo "berth: $(INSTALLED_FRONT) is another program (the engine's CLI?); not overwriting it." >&2; \
		echo "berth: install with PREFIX=/usr/local (the default), or divert the engine's CLI first." >&2; exit 1; fi
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBEXECDIR)/berth \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(PAMDIR) $(DESTDIR)$(CATALOGDIR) $(DESTDIR)$(SYSUSERSDIR) \
		$(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(DOCDIR)/examples
	for p in $(CMDS); do install -m 0755 $$p $(DESTDIR)$(BINDIR)/; done
	install -m 0755 $(SLICEMGR) $(GATE) $(DESTDIR)$(SBINDIR)/
	install -m 0755 $(O)/wrapper/docker $(INSTALLED_FRONT)
	install -m 0755 $(O)/berth-docker-policy $(DESTDIR)$(LIBEXECDIR)/berth/
	install -m 0644 $(PAM_MOD) $(DESTDIR)$(PAMDIR)/
	for m in man/*.[1578]; do install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$${m##*.}/; done
	for u in systemd/*.slice systemd/*.service systemd/*.socket; do [ -e "$$u" ] || continue; \
		sed 's|/usr/local/sbin/|$(SBINDIR)/|g; s|/usr/local/bin/|$(BINDIR)/|g' $$u > $(DESTDIR)$(UNITDIR)/$${u##*/}; \
		chmod 0644 $(DESTDIR)$(UNITDIR)/$${u##*/}; done
	install -m 0644 systemd/berth.catalog $(DESTDIR)$(CATALOGDIR)/berth.catalog
	install -m 0644 systemd/berth.tmpfiles $(DESTDIR)$(TMPFILESDIR)/berth.conf
	install -m 0644 systemd/berth.sysusers $(DESTDIR)$(SYSUSERSDIR)/berth.conf
	for p in container image berthctl; do install -m 0644 completions/berth.bash $(DESTDIR)$(BASHCOMPDIR)/$$p; done
	cp -r etc/berth/. $(DESTDIR)$(DOCDIR)/examples/
	install -D -m 0644 systemd/docker.socket.d/berth.conf $(DESTDIR)$(DOCDIR)/systemd/docker.socket.d/berth.conf
	$(if $(filter 1,$(MOVE_DOCKER_SOCKET)),install -D -m 0644 systemd/docker.socket.d/berth.conf $(DESTDIR)$(UNITDIR)/docker.socket.d/berth.conf)
	install -m 0644 README.md SECURITY.md NEWS LICENSE $(DESTDIR)$(DOCDIR)/
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/berth/berth.conf ]; then \
		echo "berth: $(DESTDIR)$(SYSCONFDIR)/berth has a configuration; leaving it as it is."; \
	else \
		install -d $(DESTDIR)$(SYSCONFDIR)/berth/groups.d $(DESTDIR)$(SYSCONFDIR)/berth/users.d && \
		install -m 0644 etc/default/berth.conf $(DESTDIR)$(SYSCONFDIR)/berth/ && \
		install -m 0644 etc/default/groups.d/default.conf $(DESTDIR)$(SYSCONFDIR)/berth/groups.d/ && \
		if [ -n "$(REAL_DOCKER)$(filter 1,$(MOVE_DOCKER_SOCKET))" ]; then \
			printf '\n# written by make install%s\n[daemon]\n' "$(if $(filter 1,$(MOVE_DOCKER_SOCKET)), MOVE_DOCKER_SOCKET=1: dockerd listens on the drop-in's socket)" >> $(DEFAULT_CONF); \
			$(if $(filter 1,$(MOVE_DOCKER_SOCKET)),echo 'docker_socket = /run/berth/dockerd.sock' >> $(DEFAULT_CONF);) \
			$(if $(REAL_DOCKER),echo 'real_docker = $(REAL_DOCKER)' >> $(DEFAULT_CONF);) \
			$(if $(filter 1,$(MOVE_DOCKER_SOCKET)),printf '\n[gate]\nsocket = /run/docker.sock\n' >> $(DEFAULT_CONF);) \
		fi && \
		echo "berth: wrote a minimal configuration to $(DESTDIR)$(SYSCONFDIR)/berth (examples in $(DOCDIR)/examples)"; fi
	@[ -n "$(DESTDIR)" ] || echo "berth: now run: systemd-sysusers; systemd-tmpfiles --create; journalctl --update-catalog; systemctl daemon-reload"

# Removes what install put there, but the configuration in /etc/berth
# (an admin's policy is theirs to delete).
uninstall:
	@if [ -e "$(INSTALLED_FRONT)" ] && ! grep -q berth-docker-policy "$(INSTALLED_FRONT)" 2>/dev/null; then \
		echo "berth: $(INSTALLED_FRONT) is not berth's; leaving it." >&2; else rm -f "$(INSTALLED_FRONT)"; fi
	for p in $(notdir $(CMDS)); do rm -f $(DESTDIR)$(BINDIR)/$$p $(DESTDIR)$(BASHCOMPDIR)/$$p; done
	rm -f $(DESTDIR)$(SBINDIR)/berth-slicemgr $(DESTDIR)$(SBINDIR)/berth-gate $(DESTDIR)$(PAMDIR)/pam_berth.so
	rm -rf $(DESTDIR)$(LIBEXECDIR)/berth $(DESTDIR)$(DOCDIR)
	for m in man/*.[1578]; do rm -f $(DESTDIR)$(MANDIR)/man$${m##*.}/$${m##*/}; done
	for u in systemd/*.slice systemd/*.service systemd/*.socket; do [ -e "$$u" ] || continue; \
		rm -f $(DESTDIR)$(UNITDIR)/$${u##*/}; done
	rm -f $(DESTDIR)$(CATALOGDIR)/berth.catalog $(DESTDIR)$(TMPFILESDIR)/berth.conf $(DESTDIR)$(SYSUSERSDIR)/berth.conf
	rm -f $(DESTDIR)$(UNITDIR)/docker.socket.d/berth.conf
	-rmdir $(DESTDIR)$(UNITDIR)/docker.socket.d 2>/dev/null
	@[ ! -d $(DESTDIR)$(SYSCONFDIR)/berth ] || echo "berth: kept the configuration in $(DESTDIR)$(SYSCONFDIR)/berth"

# --- the Debian package ------------------------------------------------------

# Builds berth_$(VERSION)_<arch>.deb in $(O)/deb from a copy of the source
# (dpkg-buildpackage cleans the tree it builds in), then runs lintian on it.
DEB_ARCH = $(shell dpkg-architecture -qDEB_HOST_ARCH 2>/dev/null)
DEB_FILE = $(O)/deb/berth_$(VERSION)_$(DEB_ARCH).deb
deb:
	@command -v dpkg-buildpackage >/dev/null || { echo "berth: 'make deb' needs dpkg-dev and debhelper (make deps-test)" >&2; exit 1; }
	rm -rf $(O)/deb && mkdir -p $(O)/deb/berth-$(VERSION)
	if [ -d .git ]; then git ls-files -z --cached --others --exclude-standard | xargs -0 tar -cf - --; \
		else tar --exclude=./build --exclude=./build-san --exclude=./build-fuzz -cf - .; fi | tar -C $(O)/deb/berth-$(VERSION) -xf -
	cd $(O)/deb/berth-$(VERSION) && dpkg-buildpackage -us -uc -b
	lintian --fail-on error --suppress-tags-from-file /dev/null $(DEB_FILE)
	@echo "berth: built $(DEB_FILE)"

# --- dependencies (Debian 12) ------------------------------------------------

# What building needs (make deps-build), and what the tests add on top
# (make deps-test: a sandboxed systemd and dockerd, fuzzers, test tools).
# 'make deps' is both.  A Docker engine is added only where none is
# installed, so docker-ce on a lab server is never replaced by docker.io.
DEB_BUILD := build-essential pkg-config musl-tools \
	libsystemd-dev libcurl4-openssl-dev libjansson-dev libbsd-dev libinih-dev \
	libpam0g-dev libnuma-dev libsmartcols-dev libssl-dev libhttp-parser-dev
DEB_TEST := clang libclang-rt-14-dev check systemd dbus libpam-systemd busybox-static pamtester \
	mandoc valgrind util-linux procps passwd perl jq sudo ca-certificates \
	curl docker-compose python3-docker dpkg-dev debhelper fakeroot lintian
DEB_ENGINE := $(if $(shell command -v dockerd 2>/dev/null),,docker.io)
DEB_PACKAGES := $(DEB_BUILD) $(DEB_TEST) $(DEB_ENGINE)

define apt_install
	@if [ "$$(id -u)" != 0 ]; then echo "berth: 'make $@' installs Debian packages; run it as root (sudo make $@)." >&2; exit 1; fi
	DEBIAN_FRONTEND=noninteractive apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $(1)
endef

deps:
	$(call apt_install,$(DEB_PACKAGES))
deps-build:
	$(call apt_install,$(DEB_BUILD))
deps-test:
	$(call apt_install,$(DEB_TEST) $(DEB_ENGINE))

# Only reach for apt when something is really missing, so 'make check' on a
# prepared machine needs no network.
deps-if-missing:
	@missing=$$(dpkg-query -W -f='$${Package} $${Status}\n' $(DEB_PACKAGES) 2>/dev/null | grep -v ' installed$$' | cut -d' ' -f1; \
		for p in $(DEB_PACKAGES); do dpkg-query -W $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then echo "berth: installing missing packages:" $$missing; $(MAKE) deps; fi

clean:
	rm -rf build build-san build-fuzz
