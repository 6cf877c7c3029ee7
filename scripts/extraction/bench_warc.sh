#!/usr/bin/env bash
# WARC.gz throughput: builds a WARC.gz of the benchmark pages repeated to SIZE_MB (default
# 1024) under /tmp, reads it with khabar (pages/s, MB/s, RSS sampled as it reads, peak RSS),
# then times trafilatura on the same pages for a pages/s figure side by side.
#
#   scripts/extraction/bench_warc.sh [SIZE_MB] [BENCHMARK_DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
size="${1:-1024}"
dir="${2:-$repo/data/eval/article-extraction}"
out="/tmp/khabar-bench-${size}.warc.gz"
venv="${TRAFILATURA_VENV:-/tmp/khabar-trafilatura-venv}"
[ -f "$out" ] || python3 "$here/build_warc.py" "$dir" "$out" --size-mb "$size"
cd "$repo"
cargo build -q --release -p khabar-ingest --example bench_warc
echo "khabar:"
target/release/examples/bench_warc "$out"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import trafilatura" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "trafilatura==2.3.1" lxml_html_clean
fi
echo "trafilatura on the same pages (extraction only, one core):"
"$venv/bin/python" "$here/trafilatura_eval.py" "$dir" --json
