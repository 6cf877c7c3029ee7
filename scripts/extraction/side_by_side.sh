#!/usr/bin/env bash
# Extraction quality, khabar and trafilatura side by side on the same pages, in one run.
#
#   scripts/extraction/side_by_side.sh [BENCHMARK_DIR]
#
# BENCHMARK_DIR defaults to the repository's data/eval/article-extraction. trafilatura is
# installed (pinned) into a venv under /tmp on first use; khabar never needs Python.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
dir="${1:-$repo/data/eval/article-extraction}"
venv="${TRAFILATURA_VENV:-/tmp/khabar-trafilatura-venv}"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import trafilatura" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "trafilatura==2.3.1" lxml_html_clean
fi
cd "$repo"
cargo build -q --release -p khabar-ingest --example eval_extraction
echo "pages: $dir"
target/release/examples/eval_extraction "$dir"
"$venv/bin/python" "$here/trafilatura_eval.py" "$dir"
