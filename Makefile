# ngx_http_auth_jwt_module: every entry point.
#
#   make            build objs/ngx_http_auth_jwt_module.so for Debian's nginx
#   make NGINX_SRC=/path/to/nginx-1.x.y   ... against another source tree
#   make run        build, start nginx with examples/quickstart.conf on
#                   127.0.0.1:8080, print a token and a curl line
#   make stop       stop what "make run" started
#   make test       unit tests (ASan+UBSan) and integration tests (prove)
#   make unit       unit tests only
#   make integration  integration tests only
#   make check-memory  integration tests against an ASan+UBSan build, and
#                   under valgrind
#   make fuzz       libFuzzer targets of the core, 60 s each (FUZZ_SECONDS)
#   make bench      throughput against a no-auth baseline (wrk, loopback)
#   make soak       5-minute soak and 40 reloads under load (bench/soak)

SHELL      := /bin/bash
BUILD      ?= build
NGINX_SRC  ?=
NGINX_BIN  ?= /usr/sbin/nginx
MODULE     := objs/ngx_http_auth_jwt_module.so
CXX        ?= g++

BUILD_PACKAGES := g++ make nginx nginx-dev libssl-dev libjansson-dev \
                  libpcre2-dev zlib1g-dev
TEST_PACKAGES  := libgtest-dev libcrypt-jwt-perl perl openssl curl \
                  ca-certificates
RUN_PACKAGES   := libcrypt-jwt-perl curl

CORE_SRCS  := $(wildcard src/core/*.cpp)
CORE_HDRS  := $(wildcard src/core/*.hpp)
NGX_SRCS   := $(wildcard src/ngx/*.cpp src/ngx/*.hpp)
UNIT_SRCS  := $(wildcard t/unit/*_test.cpp)

UNIT_BIN   := $(BUILD)/unit/unit_tests
UNIT_FLAGS := -std=c++17 -g -O1 -Wall -Wextra -Werror \
              -fsanitize=address,undefined -fno-sanitize-recover=all \
              -fno-omit-frame-pointer -Isrc
UNIT_LIBS  := -lgtest -lgtest_main -pthread -lcrypto -ljansson

# The sanitizer build of the module, loaded into the stock nginx with the
# sanitizer runtimes preloaded.
ASAN_BUILD  := $(BUILD)/asan
ASAN_MODULE := $(ASAN_BUILD)/nginx/objs/ngx_http_auth_jwt_module.so
SAN_FLAGS   := -fsanitize=address,undefined -fno-sanitize-recover=all \
               -fno-omit-frame-pointer
SAN_PRELOAD  = $(shell $(CXX) -print-file-name=libasan.so) \
               $(shell $(CXX) -print-file-name=libubsan.so)

.PHONY: all module asan-module deps test-deps run stop test unit \
        integration check-memory check-asan check-valgrind fuzz fuzz-smoke bench soak \
        clean

all: module

# Against another nginx tree, Debian's nginx packages are not needed.
ifeq ($(NGINX_SRC),)
deps:
	@scripts/ensure-packages $(BUILD_PACKAGES)
else
deps:
	@scripts/ensure-packages g++ make libssl-dev libjansson-dev \
	    libpcre2-dev zlib1g-dev
endif

test-deps: deps
	@scripts/ensure-packages $(TEST_PACKAGES)

module: deps
	@scripts/build-module $(BUILD) $(NGINX_SRC)
	@mkdir -p objs
	@# replace, never overwrite in place: a running nginx maps the file
	@cp $(BUILD)/nginx/objs/ngx_http_auth_jwt_module.so $(MODULE).new
	@mv -f $(MODULE).new $(MODULE)
	@echo "built $(MODULE)"

UNIT_OBJS  := $(patsubst %.cpp,$(BUILD)/unit/%.o,$(CORE_SRCS) $(UNIT_SRCS))
NPROC      := $(shell nproc 2>/dev/null || echo 2)

$(BUILD)/unit/%.o: %.cpp $(CORE_HDRS) $(wildcard t/unit/*.hpp)
	@mkdir -p $(dir $@)
	$(CXX) $(UNIT_FLAGS) -c -o $@ $<

$(UNIT_BIN): $(UNIT_OBJS)
	$(CXX) $(UNIT_FLAGS) -o $@ $^ $(UNIT_LIBS)

unit: test-deps
	@$(MAKE) --no-print-directory -j$(NPROC) $(UNIT_BIN)
	ASAN_OPTIONS=detect_leaks=1 $(UNIT_BIN) --gtest_brief=1

integration: test-deps module
	NGINX_BIN=$(NGINX_BIN) MODULE_SO=$(CURDIR)/$(MODULE) \
	    prove -I t/lib t/

asan-module: deps
	@AUTH_JWT_EXTRA_CXXFLAGS="$(SAN_FLAGS)" \
	    AUTH_JWT_EXTRA_LDFLAGS="-fsanitize=address,undefined" \
	    scripts/build-module $(ASAN_BUILD) $(NGINX_SRC)

VALGRIND := valgrind -q --trace-children=yes --leak-check=full \
            --show-leak-kinds=definite --errors-for-leak-kinds=definite \
            --suppressions=$(CURDIR)/t/valgrind.supp

check-memory: check-asan check-valgrind

# Leaks are valgrind's job here: nginx never frees its configuration cycle
# at exit, so LeakSanitizer reports the cycle's pool (and the keys hanging
# off it) whenever no stale pointer to it happens to survive. valgrind's
# "definitely lost" reports only memory nothing points to, such as a
# request's leftovers once its pool is gone.
check-asan: test-deps asan-module
	NGINX_BIN=$(NGINX_BIN) MODULE_SO=$(CURDIR)/$(ASAN_MODULE) \
	    NGINX_PRELOAD="$(SAN_PRELOAD)" \
	    ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1 \
	    prove -I t/lib t/

check-valgrind: test-deps module
	@scripts/ensure-packages valgrind
	NGINX_BIN=$(NGINX_BIN) MODULE_SO=$(CURDIR)/$(MODULE) \
	    NGINX_VALGRIND="$(VALGRIND)" prove -j2 -I t/lib t/

FUZZ_SECONDS ?= 60

bench: module
	@scripts/ensure-packages wrk libcrypt-jwt-perl
	BENCH_MODULE=$(CURDIR)/$(MODULE) bench/run

soak: module
	@scripts/ensure-packages wrk libcrypt-jwt-perl
	BENCH_MODULE=$(CURDIR)/$(MODULE) bench/soak

fuzz:
	fuzz/run $(FUZZ_SECONDS)

# A short run of every fuzz target, as part of "make test".
fuzz-smoke:
	fuzz/run 15

test: unit fuzz-smoke integration check-memory

run: module
	@scripts/ensure-packages $(RUN_PACKAGES)
	@scripts/run-quickstart

stop:
	@scripts/run-quickstart stop

clean:
	rm -rf $(BUILD) objs run
