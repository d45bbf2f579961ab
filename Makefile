GO ?= go
PKGS := ./...

.PHONY: build test check bench example golden fmt vet

build:
	$(GO) build -o bin/meshc ./cmd/meshc

test:
	$(GO) test $(PKGS)

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

check: fmt vet test

example:
	$(GO) run ./cmd/meshc validate --config catalog-example/mesh.cue

golden:
	UPDATE_GOLDEN=1 $(GO) test ./...
