#!/bin/sh
# sidebyside.sh times the full-size networks of BenchmarkArchitectures
# before and after a change in one run: natively (and onnxruntime-node on
# one thread beside them) and in wasm under Node, rounds interleaved so
# that the shared machine's load falls on both alike; it prints each
# network's median and the ratios. Run it under the heavy-job lock:
#
#   internal/archs/sidebyside.sh [BASE [ROUNDS [WASM_ROUNDS]]]
#
# BASE is the git revision of "before" (default main), written to a
# temporary tree with this tree's benchmark files copied in (they use
# only archs.Build, onnx.LoadModel and Model.Run, and orttest's timer,
# copied too).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
base=${1:-main}
rounds=${2:-5}
wrounds=${3:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/before"
git -C "$root" archive "$base" | tar -x -C "$tmp/before"
cp "$root"/internal/archs/bench_test.go "$root"/internal/archs/bench_other_test.go "$root"/internal/archs/bench_js_test.go "$tmp/before/internal/archs/"
cp "$root"/internal/orttest/bench.go "$tmp/before/internal/orttest/"
(cd "$tmp/before" && go test -c -o "$tmp/before.test" ./internal/archs && GOOS=js GOARCH=wasm go test -c -o "$tmp/before.wasm" ./internal/archs)
(cd "$root" && go test -c -o "$tmp/after.test" ./internal/archs && GOOS=js GOARCH=wasm go test -c -o "$tmp/after.wasm" ./internal/archs)
wexec="$root/tools/go_js_wasm_exec"
bench() { # label, command…
	label=$1
	shift
	"$@" -test.run '^$' -test.bench "$bench_re" -test.benchtime "$benchtime" 2>&1 |
		awk -v l="$label" '/^Benchmark/ { n = $1; sub(/^Benchmark[A-Za-z]*\//, "", n); sub(/-[0-9]+$/, "", n); print l, n, $3 / 1e6 }' >>"$tmp/times"
}
cd "$root/internal/archs"
bench_re='Architectures$'
for r in $(seq "$rounds"); do
	benchtime=5x
	bench native-before "$tmp/before.test"
	bench native-after "$tmp/after.test"
	bench_re='ArchitecturesORT$'
	bench ort-node "$tmp/after.test"
	bench_re='Architectures$'
done
for r in $(seq "$wrounds"); do
	benchtime=2x
	bench wasm-before "$wexec" "$tmp/before.wasm"
	bench wasm-after "$wexec" "$tmp/after.wasm"
done
# Medians per (label, network), then one row per network.
sort -k1,1 -k2,2 -k3,3g "$tmp/times" | awk '
	{ k = $1 " " $2; v[k, ++c[k]] = $3; nets[$2] = 1; labels[$1] = 1 }
	END {
		for (k in c) { n = c[k]; m[k] = (n % 2) ? v[k, (n + 1) / 2] : (v[k, n / 2] + v[k, n / 2 + 1]) / 2 }
		printf "%-18s %10s %10s %10s %8s %8s %10s %10s %8s\n", "network (ms)", "before", "after", "ort-node", "aft/bef", "aft/ort", "wasm-bef", "wasm-aft", "aft/bef"
		for (net in nets) {
			b = m["native-before " net]; a = m["native-after " net]; o = m["ort-node " net]
			wb = m["wasm-before " net]; wa = m["wasm-after " net]
			printf "%-18s %10.1f %10.1f %10.1f %8.2f %8.2f %10.1f %10.1f %8.2f\n", net, b, a, o, (b ? a / b : 0), (o ? a / o : 0), wb, wa, (wb ? wa / wb : 0)
		}
	}' | (read -r h; echo "$h"; sort)
