# Darkroom: `make run` serves on http://127.0.0.1:8080; `make test` runs every test against a fresh local stack.
SHELL := /bin/bash
.DEFAULT_GOAL := help
SWIFT ?= swift
DEVSTACK := scripts/devstack

.PHONY: help bootstrap build run stop test test-unit bench stack-up stack-down stack-status clean

help:
	@echo "make run    - install what is missing, start the local stack, migrate, serve on http://127.0.0.1:8080"
	@echo "make test   - install what is missing, start a fresh test stack, run all tests, stop the stack"
	@echo "make bench  - benchmarks against the peers (see README)"
	@echo "make stop   - stop the local stack of 'make run'"

bootstrap:
	@scripts/bootstrap

build: bootstrap
	$(SWIFT) build --product darkroom

# Migrations are idempotent, so every `make run` applies what is missing and nothing else.
run: build
	@$(DEVSTACK) up run
	@eval "$$($(DEVSTACK) env run)" && .build/debug/darkroom migrate && exec .build/debug/darkroom serve

stop:
	@$(DEVSTACK) down run

# The stack is brought down whatever the tests did; the exit code is the tests'.
test: bootstrap
	@scripts/run-tests

test-unit:
	$(SWIFT) test --skip IntegrationTests

bench: bootstrap
	@bench/run
	@BENCH_SKIP_BUILD=1 bench/social
	@BENCH_SKIP_BUILD=1 bench/origin

stack-up:
	@$(DEVSTACK) up run
stack-down:
	@$(DEVSTACK) down run
stack-status:
	@$(DEVSTACK) status run

clean:
	rm -rf .build
