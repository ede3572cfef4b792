# DataOptim server: dataoptimd, dataoptim-worker and the dataoptim CLI.
# Plain make: explicit source lists, objects under $(BUILD), programs in $(BIN).
# `make SAN=1 ...` builds the same with AddressSanitizer + UBSan under build/san.

CC      ?= cc
SAN     ?=
ifeq ($(SAN),1)
BUILD   := build/san
BIN     := build/san/bin
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
OPT     := -O1 -g
else
BUILD   := build/rel
BIN     := bin
SANFLAGS :=
OPT     := -O2 -g
endif

# Quiet by default: errors and one line per program; `make V=1` shows all.
ifeq ($(V),1)
Q       :=
else
Q       := @
endif

# The libraries' flags come from pkg-config, read into build/flags.mk by a
# rule that first installs what is missing (deploy/deps.sh): make reads no
# pkg-config output before the -dev packages are there, so the first
# `make run` on a new machine links.  Rebuilt when this file or deps.sh
# changes; `make clean` and `make deps` never need it.
PKGS     := jansson libcrypto libxxhash libutf8proc
SRV_PKGS := libmicrohttpd sqlite3 libargon2 inih
WK_PKGS  := libuv libcurl
FLAGS_MK := build/flags.mk
ifneq ($(filter-out clean deps,$(or $(MAKECMDGOALS),all)),)
include $(FLAGS_MK)
endif

CFLAGS  := -std=c11 -D_GNU_SOURCE $(OPT) -Wall -Wextra -Werror -Wshadow \
           -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter \
           -Icommon $(SANFLAGS) $(PKG_CFLAGS)
LDFLAGS := $(SANFLAGS)
LDLIBS  := $(PKG_LIBS) -lm

COMMON_SRC := common/util.c common/buf.c common/utf8.c common/csv.c \
              common/vresult.c common/jsonlex.c common/pool_build.c \
              common/pool_walk.c common/pool.c common/stdval.c common/byod.c \
              common/materialize.c common/synth.c common/synth_tables.c \
              common/synth_val.c common/extsort.c common/score.c \
              common/score_evalai.c common/proxy_tok.c common/proxy_train.c \
              common/proxy_eval.c common/conf.c common/opt.c
CLI_SRC    := server/cli/main.c server/cli/parse.c server/cli/cmd_pool.c \
              server/cli/cmd_validate.c server/cli/cmd_db.c \
              server/cli/cmd_score.c
# the participant CLI, on libcurl (its unit-tested cred.o and
# table.o go into test_unit: see that rule)
CLI_SRC    += server/cli/client.c server/cli/cred.c server/cli/table.c server/cli/remote.c server/cli/cmd_login.c server/cli/cmd_submit.c server/cli/cmd_client.c
$(BIN)/dataoptim: LDLIBS += $(CURL_LIBS)
# The unit tests: one program, test_unit, runs the groups that
# tests/unit/test-list.h lists (one group per file; tests/run.sh runs each
# group as a test of its own).
UNIT_SRC   := $(sort $(wildcard tests/unit/test_*.c)) tests/server/test_server.c \
              tests/unit/runner.c tests/unit/testutil.c

COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ    := $(CLI_SRC:%.c=$(BUILD)/%.o)
TEST_BINS  := $(BUILD)/tests/test_unit

# ---- server: dataoptimd, and the data layer the CLI shares with it ----
LDLIBS     += $(SRV_LIBS) -lpthread
SRVDB_SRC  := server/db.c server/db_acct.c server/db_sub.c server/db_job.c \
              server/db_lb.c server/db_admin.c server/db_admin_sub.c \
              server/db_admin_job.c server/db_hook.c server/db_jobstate.c \
              server/vocab.c server/auth.c server/cfg.c server/lb_rank.c
SERVER_SRC := server/main.c server/srv.c server/http.c server/route.c \
              server/upload.c server/lb.c server/metrics.c server/static.c \
              server/api_session.c server/api_sub.c server/api_job.c \
              server/api_misc.c server/api_admin.c server/api_admin_sub.c \
              server/hook.c server/throttle.c server/guard.c \
              server/pcache.c server/jcache.c server/dbpool.c \
              server/field.c
# sign-up and teams
SRVDB_SRC  += server/db_team.c
SERVER_SRC += server/api_team.c
# account
SRVDB_SRC  += server/db_account.c
SERVER_SRC += server/api_account.c
# self service (reports, job logs)
SERVER_SRC += server/api_self.c server/report.c server/joblog.c \
    server/prune.c
SRV_CURL   := $(CURL_LIBS)
MIGRATIONS := $(sort $(wildcard migrations/[0-9]*.sql))

# ---- worker: dataoptim-worker (libuv loop, libcurl multi-socket) ----
WK_LDLIBS  := $(WK_LIBS)
WORKER_SRC := worker/main.c worker/wk.c worker/job.c worker/job_beat.c \
              worker/job_result.c worker/stage.c worker/tmpl.c \
              worker/wkhttp.c worker/wkcfg.c worker/wkfs.c worker/shim.c \
              worker/preflight.c worker/trainlog.c worker/subproc.c \
              worker/slurm.c
WORKER_OBJ := $(WORKER_SRC:%.c=$(BUILD)/%.o)
SRVDB_OBJ  := $(SRVDB_SRC:%.c=$(BUILD)/%.o) $(BUILD)/server/migrations.o
SERVER_OBJ := $(SERVER_SRC:%.c=$(BUILD)/%.o)

.PHONY: all deps deps-run build tests test run bench fuzz clean
# keep the objects of the test programs (no "rm ..." after a build)
.SECONDARY:
all: build
build: $(BIN)/dataoptim $(BIN)/dataoptimd $(BIN)/dataoptim-worker
tests: build $(TEST_BINS)

# make deps: everything the build, make run and the tests need
deps:
	@sh deploy/deps.sh --test

deps-run:
	@sh deploy/deps.sh

$(FLAGS_MK): Makefile deploy/deps.sh
	@sh deploy/deps.sh
	@mkdir -p $(dir $@)
	@c=$$(pkg-config --cflags $(PKGS) $(SRV_PKGS) $(WK_PKGS)) && \
	 l=$$(pkg-config --libs $(PKGS)) && s=$$(pkg-config --libs $(SRV_PKGS)) && \
	 u=$$(pkg-config --libs $(WK_PKGS)) && k=$$(pkg-config --libs libcurl) && \
	 printf 'PKG_CFLAGS := %s\nPKG_LIBS := %s\nSRV_LIBS := %s\nWK_LIBS := %s\nCURL_LIBS := %s\n' \
	     "$$c" "$$l" "$$s" "$$u" "$$k" >$@.tmp && mv $@.tmp $@

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libcommon.a: $(COMMON_OBJ)
	$(Q)ar rcs $@ $^

$(BIN)/dataoptim: $(CLI_OBJ) $(BUILD)/libsrvdb.a $(BUILD)/libcommon.a
	@mkdir -p $(dir $@)
	@echo "  LD  $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The schema travels inside the binaries: migrations/*.sql become a C table.
$(BUILD)/server/migrations.c: $(MIGRATIONS) server/gen_migrations.sh
	@mkdir -p $(dir $@)
	$(Q)sh server/gen_migrations.sh $@ $(MIGRATIONS)

$(BUILD)/server/migrations.o: $(BUILD)/server/migrations.c
	$(Q)$(CC) $(CFLAGS) -Iserver -MMD -MP -c $< -o $@

$(BUILD)/libsrvdb.a: $(SRVDB_OBJ)
	$(Q)ar rcs $@ $^

$(BIN)/dataoptimd: $(SERVER_OBJ) $(BUILD)/libsrvdb.a $(BUILD)/libcommon.a
	@mkdir -p $(dir $@)
	@echo "  LD  $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(SRV_CURL)

$(BIN)/dataoptim-worker: $(WORKER_OBJ) $(BUILD)/libcommon.a
	@mkdir -p $(dir $@)
	@echo "  LD  $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(WK_LDLIBS)

# The unit tests link what they test: the common library, the data layer,
# the server (without its main), the CLI's option parser and the worker's
# preflight, train-log and Slurm modules.
$(BUILD)/tests/unit/test_preflight.o $(BUILD)/tests/unit/test_trainlog.o \
    $(BUILD)/tests/unit/test_slurm.o: CFLAGS += -Iworker
$(BUILD)/tests/test_unit: $(UNIT_SRC:%.c=$(BUILD)/%.o) \
    $(filter-out $(BUILD)/server/main.o,$(SERVER_OBJ)) \
    $(BUILD)/server/cli/parse.o $(BUILD)/worker/preflight.o \
    $(BUILD)/worker/trainlog.o $(BUILD)/worker/slurm.o \
    $(BUILD)/worker/subproc.o $(BUILD)/worker/wkfs.o \
    $(BUILD)/libsrvdb.a $(BUILD)/libcommon.a
	@mkdir -p $(dir $@)
	@echo "  LD  $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(SRV_CURL) $(WK_LDLIBS) \
	    -lcmocka
# the participant CLI's credentials file and tables, unit-tested
$(BUILD)/tests/test_unit: $(BUILD)/server/cli/cred.o $(BUILD)/server/cli/table.o

$(BUILD)/bench_pool: $(BUILD)/tests/bench/bench_pool.o $(BUILD)/libcommon.a
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/bench/bench_preflight.o: CFLAGS += -Iworker
$(BUILD)/bench_preflight: $(BUILD)/tests/bench/bench_preflight.o \
    $(BUILD)/worker/preflight.o $(BUILD)/libcommon.a
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(WK_LDLIBS)

# make test: every unit test, then the same under ASan+UBSan; one total line.
test: deps
	@$(MAKE) --no-print-directory -j$$(nproc) tests
	@$(MAKE) --no-print-directory -j$$(nproc) SAN=1 tests
	@sh tests/run.sh

run: deps-run build
	@sh deploy/run.sh

bench: deps build
	@sh tests/bench/run.sh

# make fuzz: libFuzzer (clang) on the validators, the base library (UTF-8,
# CSV) and the server's whole request handling (fuzz_http: real
# libmicrohttpd, router, handlers and database), FUZZ_SECONDS each; a
# finding stops it with its reproducer.
FUZZ_SECONDS ?= 60
FUZZ_FLAGS := -std=c11 -D_GNU_SOURCE -O1 -g -Icommon -Iserver -fsanitize=fuzzer,address,undefined
# reports with function names and lines (llvm-14's symbolizer); findings
# (crash-*, timeout-*, slow-unit-* ...) are written under build/fuzz/
FUZZ_ENV   := ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-14/bin/llvm-symbolizer
FUZZ_RUN   := -max_total_time=$(FUZZ_SECONDS) -artifact_prefix=build/fuzz/
FUZZ_SRV   := $(SRVDB_SRC) $(filter-out server/main.c,$(SERVER_SRC)) build/rel/server/migrations.c
fuzz: build/rel/server/migrations.c
	@sh deploy/deps.sh clang libclang-rt-14-dev llvm-14
	@mkdir -p build/fuzz/corpus-byod build/fuzz/corpus-stdval build/fuzz/corpus-http \
	    build/fuzz/corpus-base
	@echo "  CC  build/fuzz/fuzz_byod build/fuzz/fuzz_stdval build/fuzz/fuzz_base build/fuzz/fuzz_http"
	$(Q)clang $(FUZZ_FLAGS) tests/fuzz/fuzz_byod.c $(COMMON_SRC) -o build/fuzz/fuzz_byod $(LDLIBS)
	$(Q)clang $(FUZZ_FLAGS) tests/fuzz/fuzz_stdval.c $(COMMON_SRC) -o build/fuzz/fuzz_stdval $(LDLIBS)
	$(Q)clang $(FUZZ_FLAGS) tests/fuzz/fuzz_base.c $(COMMON_SRC) -o build/fuzz/fuzz_base $(LDLIBS)
	$(Q)clang $(FUZZ_FLAGS) tests/fuzz/fuzz_http.c $(FUZZ_SRV) $(COMMON_SRC) -o build/fuzz/fuzz_http $(LDLIBS) $(SRV_CURL)
	@cp ../shared/dataoptim/example-byod.json build/fuzz/corpus-byod/ 2>/dev/null || true
	@cp ../shared/dataoptim/example-standard.txt build/fuzz/corpus-stdval/ 2>/dev/null || true
	@cp tests/fuzz/http-seeds/*.txt build/fuzz/corpus-http/
	$(FUZZ_ENV) build/fuzz/fuzz_byod $(FUZZ_RUN) -max_len=65536 -timeout=5 \
	    -dict=tests/fuzz/byod.dict build/fuzz/corpus-byod
	$(FUZZ_ENV) build/fuzz/fuzz_stdval $(FUZZ_RUN) -timeout=5 build/fuzz/corpus-stdval
	$(FUZZ_ENV) build/fuzz/fuzz_base $(FUZZ_RUN) -max_len=4096 -timeout=5 build/fuzz/corpus-base
	$(FUZZ_ENV) build/fuzz/fuzz_http $(FUZZ_RUN) -max_len=16384 -timeout=10 \
	    -dict=tests/fuzz/http.dict build/fuzz/corpus-http

clean:
	rm -rf build bin

-include $(sort $(shell find build $(BUILD) -name '*.d' 2>/dev/null))
