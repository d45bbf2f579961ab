GO ?= go
PKGS := ./...

.PHONY: build install test check bench bench-merge bench-usage example golden fmt vet

build:
	$(GO) build -o bin/meshc ./cmd/meshc

# meshc on your PATH: $(go env GOPATH)/bin.
install:
	$(GO) install ./cmd/meshc

test:
	$(GO) test $(PKGS)

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

check: fmt vet test

bench:
	$(GO) test -run '^$$' -bench BenchmarkValidate -benchtime 1x -timeout 30m ./internal/meshgen/
	$(GO) test -run '^$$' -bench BenchmarkBuild10k -benchtime 1x ./pkg/site/

# Ingest 1,000,000 generated OpenLineage events into the file backend.
bench-usage:
	$(GO) test -run '^$$' -bench BenchmarkIngest -benchtime 1x -timeout 30m ./pkg/usage/

# A one-domain merge apply against a 10,000-product live catalog, on every
# backend.
bench-merge:
	$(GO) test -run '^$$' -bench BenchmarkMergeApply -benchtime 3x -timeout 30m ./internal/meshgen/

# The README's main job: plan and apply catalog-example/ into its live
# catalog (the file backend, catalog-example/.meshc/catalog.json), then show it.
example:
	$(GO) build -o bin/meshc ./cmd/meshc
	bin/meshc apply --auto-approve --config catalog-example/mesh.cue
	bin/meshc catalog show --config catalog-example/mesh.cue

golden:
	UPDATE_GOLDEN=1 $(GO) test ./...
