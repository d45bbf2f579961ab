GO ?= go
PKGS := ./...

.PHONY: build install test check bench bench-full bench-merge bench-usage example golden fmt vet

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

# Cold and warm validate of 1k, 5k and 10k products in three shapes (50 per
# domain, 10 big domains, domains of 5), with peak RSS and the ratio to the
# JSON decode of the same data; one run each (~10 minutes on 2 cores).
bench:
	$(GO) test -run '^$$' -bench BenchmarkValidate -benchtime 1x -timeout 60m ./internal/meshgen/
	$(GO) test -run '^$$' -bench BenchmarkBuild10k -benchtime 1x ./pkg/site/

# The full table: medians of 3 runs, and the peer, cue vet of each domain
# two at a time (needs cue on PATH: go install cuelang.org/go/cmd/cue@v0.17.1).
# MESHC_BENCH_SIZES=1000,5000,10000,20000 for other sizes.
bench-full:
	MESHC_BENCH_CUE=1 $(GO) test -run '^$$' -bench BenchmarkValidate -benchtime 3x -timeout 180m ./internal/meshgen/

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
