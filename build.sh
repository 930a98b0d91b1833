#!/usr/bin/env bash
# build.sh is the one entry point for building, serving and testing wasmcnn.
#
#   ./build.sh serve   build the site and serve it on http://127.0.0.1:8080/ (PORT overrides)
#   ./build.sh test    run every test, installing what the tests need if it is missing
#   ./build.sh site    build the deployable static site into dist/site
#   ./build.sh package build the npm package into dist/npm/wasmcnn and pack it (dist/npm/wasmcnn-<version>.tgz)
#   ./build.sh worker  build the edge worker and serve it under workerd on http://127.0.0.1:8787/ (PORT overrides)
#   ./build.sh bench   compare wasmcnn with TensorFlow.js and ONNX Runtime Web in headless Chromium
#   ./build.sh size    sizes of main.wasm, lib/wasmcnn.wasm, lib/wasmcnn-train.wasm and the worker's app.wasm (raw, gzip, brotli, per package)
#   ./build.sh bench-worker  measure the edge worker under workerd: one Go instance per isolate
#                            against a new instance per request (flags of `wasmcnn worker -bench` pass through)
set -euo pipefail
cd "$(dirname "$0")"

SITE=dist/site

log() { printf '==> %s\n' "$*" >&2; }

build_site() {
	log "building the static site into $SITE"
	go run ./cmd/wasmcnn site -out "$SITE"
}

# cmd_package writes the npm package's folder and packs it: what `npm publish`
# would send, and what it weighs.
cmd_package() {
	log "building the npm package into dist/npm/wasmcnn"
	go run ./cmd/wasmcnn package -out dist/npm/wasmcnn
	rm -f dist/npm/wasmcnn-*.tgz
	(cd dist/npm && npm pack ./wasmcnn)
}

cmd_serve() {
	build_site
	exec go run ./cmd/wasmcnn serve -dir "$SITE"
}

check_format() {
	log "gofmt and go vet"
	local unformatted
	unformatted=$(find . -name '*.go' -not -path './node_modules/*' -not -path './dist/*' -print0 | xargs -0 gofmt -l)
	if [ -n "$unformatted" ]; then
		echo "gofmt would change:" >&2
		echo "$unformatted" >&2
		return 1
	fi
	go vet ./...
	GOOS=js GOARCH=wasm go vet ./wasm/... ./core/... ./worker ./internal/wasmsimd/... ./internal/convbench ./internal/archs
	GOOS=js GOARCH=wasm go vet -tags wasmcnn_faults ./worker
}

# ensure_node_packages installs the pinned Node packages of package-lock.json
# (onnxruntime-node, the reference the conformance tests compare with).
# Install scripts are skipped: they only fetch optional GPU binaries.
ensure_node_packages() {
	if ! cmp -s package-lock.json node_modules/.installed-lock.json 2>/dev/null; then
		log "installing Node packages (npm ci)"
		npm ci --ignore-scripts --no-audit --no-fund
		cp package-lock.json node_modules/.installed-lock.json
	fi
}

# ensure_chromium installs Debian's Chromium for the browser tests.
ensure_chromium() {
	if [ ! -x /usr/lib/chromium/chromium ] && ! command -v chromium >/dev/null 2>&1; then
		log "installing Chromium (apt-get install chromium)"
		SUDO=""
		[ "$(id -u)" = 0 ] || SUDO="sudo"
		$SUDO apt-get update -qq
		DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
	fi
}

cmd_test() {
	check_format
	ensure_node_packages
	ensure_chromium
	log "native tests (browser tests drive headless Chromium)"
	WASMCNN_REQUIRE_ORT=1 WASMCNN_REQUIRE_BROWSER=1 WASMCNN_REQUIRE_WORKERD=1 WASMCNN_REQUIRE_NPM=1 go test -timeout 45m ./...
	log "wasm tests under Node ($(node --version))"
	# tools/go_js_wasm_exec is Go's runner plus the memory hook the SIMD kernel needs.
	GOOS=js GOARCH=wasm go test -exec="$PWD/tools/go_js_wasm_exec" ./core/... ./wasm/... ./internal/wasmsimd/simdjs ./internal/convbench ./internal/archs
	log "all tests passed"
}

cmd_bench() {
	ensure_node_packages
	ensure_chromium
	mkdir -p dist/bench
	exec go run ./cmd/wasmcnn bench -json dist/bench/bench.json -chart dist/bench/bench.png "$@"
}

cmd_size() {
	mkdir -p dist/size
	exec go run ./cmd/wasmcnn size -json dist/size/size.json "$@"
}

cmd_worker() {
	ensure_node_packages
	exec go run ./cmd/wasmcnn worker
}

cmd_bench_worker() {
	ensure_node_packages
	mkdir -p dist/bench
	exec go run ./cmd/wasmcnn worker -bench -json dist/bench/worker.json "$@"
}

case "${1:-}" in
serve) cmd_serve ;;
worker) cmd_worker ;;
bench) shift; cmd_bench "$@" ;;
size) shift; cmd_size "$@" ;;
bench-worker) shift; cmd_bench_worker "$@" ;;
test) cmd_test ;;
site) build_site ;;
package) cmd_package ;;
*)
	sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
	;;
esac
