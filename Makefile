# ICE Studio — the two commands are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := run

BIN      := build/bin/ice-studio
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X github.com/ice-studio/ice-studio/backend/buildinfo.Version=$(VERSION)
PREFIX   ?= $(HOME)/.local
export CGO_ENABLED := 1
# SQLite's FTS5 module (the workspace text index) is compiled into go-sqlite3
# only with this tag; every go command below gets it.
export GOFLAGS := -tags=sqlite_fts5

.PHONY: run serve test setup build frontend bindings test-go test-frontend test-e2e test-desktop test-ollama ollama-prebuild test-s3 weed-prebuild check-bindings install uninstall clean bench

## setup: install whatever is missing (Debian packages, npm packages, Go modules)
setup:
	@scripts/setup

## build: the desktop binary (frontend embedded) at build/bin/ice-studio
build: setup
	@mkdir -p build/bin
	@go tool wails build -s -m -nosyncgomod -nocolour -tags sqlite_fts5 -o ice-studio -ldflags "$(LDFLAGS)" >build/bin/wails-build.log 2>&1 \
	  || { cat build/bin/wails-build.log; exit 1; }
	@echo "built $(BIN) ($(VERSION))"

# The frontend first (wails build -s skips it), so a failure shows npm's own output.
build: frontend
frontend: setup
	@cd frontend && npm run --silent build >/dev/null

## run: build and start the Studio window; without a display, serve it to a browser
run: build
	@if [[ -z "$$DISPLAY" && -z "$$WAYLAND_DISPLAY" ]]; then \
	  echo "No display found: serving the Studio to your browser instead (Ctrl+C to stop)."; \
	  exec $(BIN) serve $(ARGS); \
	else exec $(BIN) $(ARGS); fi

## serve: build and serve the UI on loopback (ADDR=127.0.0.1:PORT to fix the port)
serve: build
	@exec $(BIN) serve $(if $(ADDR),--addr $(ADDR)) $(ARGS)

## test: every test — Go (vet, race), frontend unit, browser end-to-end, desktop smoke, real Ollama, real S3 server
# The real Ollama and the real S3 server are built in the background from
# the start (minutes the first time), so their builds overlap the other suites.
test: setup ollama-prebuild weed-prebuild test-go test-frontend build check-bindings test-e2e test-desktop test-ollama test-s3
	@echo "make test: all suites passed"

ollama-prebuild:
	@scripts/real-ollama prebuild

weed-prebuild:
	@scripts/real-seaweedfs prebuild

test-go: setup frontend
	go vet ./...
	go test -race -count=1 ./...

test-frontend: setup
	cd frontend && npm run --silent typecheck && npx vitest run

test-e2e: build
	cd frontend && ICE_BIN=$(CURDIR)/$(BIN) npm run --silent e2e

test-desktop: build
	scripts/desktop-smoke $(BIN)

## test-ollama: the model provider and agent runs against a real Ollama (v0.6.5, built once into build/ollama) with a tiny random-weight model
test-ollama:
	@scripts/real-ollama build
	ICE_OLLAMA_BIN=$(CURDIR)/build/ollama/bin/ollama go test -count=1 -run 'Real' ./backend/...

## test-s3: log replication to a real S3-compatible server (SeaweedFS's weed server -s3, built once into build/seaweedfs); the file and sftp (OpenSSH sshd) replicas need no build and run in test-go
test-s3:
	@scripts/real-seaweedfs build
	ICE_WEED_BIN=$(CURDIR)/build/seaweedfs/weed go test -race -count=1 -run 'RealS3|RealSeaweed' ./backend/replica ./backend/internal/realseaweed

## check-bindings: the committed Wails bindings match the Go API
check-bindings: build
	@git diff --quiet -- frontend/wailsjs || { \
	  echo "frontend/wailsjs is out of date with the Go API: commit the regenerated bindings"; \
	  git --no-pager diff --stat -- frontend/wailsjs; exit 1; }

## bench: event log, kernel, workspace scan, change latency and search benchmarks, each beside its baseline (the README's Benchmarks table)
bench: setup
	@scripts/bench

## install: the binary, icon and desktop entry under ~/.local (PREFIX=… to change)
install: build
	install -Dm755 $(BIN) $(PREFIX)/bin/ice-studio
	install -Dm644 build/appicon.png $(PREFIX)/share/icons/hicolor/512x512/apps/ice-studio.png
	sed 's|@BIN@|$(PREFIX)/bin/ice-studio|' build/linux/ice-studio.desktop \
	  | install -Dm644 /dev/stdin $(PREFIX)/share/applications/ice-studio.desktop
	@if command -v update-desktop-database >/dev/null; then update-desktop-database $(PREFIX)/share/applications; fi
	@echo "installed: start ICE Studio from your desktop menu, or run $(PREFIX)/bin/ice-studio"

uninstall:
	rm -f $(PREFIX)/bin/ice-studio $(PREFIX)/share/icons/hicolor/512x512/apps/ice-studio.png \
	  $(PREFIX)/share/applications/ice-studio.desktop

clean:
	rm -rf build/bin build/test-artifacts
	find frontend/dist -mindepth 1 ! -name .gitkeep -delete
