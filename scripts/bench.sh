#!/usr/bin/env bash
# End-to-end ingest throughput at 1k, 10k and 100k articles (BENCHMARKS.md): a release build, then
# `khabar bench ingest` for each size into a fresh temporary store. Each run prints its table and
# writes its JSON report to target/bench/ingest-N.json.
#
#   scripts/bench.sh                 # 1000 10000 100000
#   scripts/bench.sh 1000 10000      # only these sizes
#   TEXTS=path/to/pairs.jsonl scripts/bench.sh
#
# The model and the gazetteer must be installed (`khabar model install`, `khabar data install`,
# or `khabar demo`); KHABAR_MODEL_DIR / KHABAR_GAZETTEER_DIR point elsewhere if needed.
set -euo pipefail
cd "$(dirname "$0")/.."

texts="${TEXTS:-../shared/eval/semeval22-pairs-dev.jsonl}"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)

cargo build --release -p khabar
mkdir -p target/bench
echo "machine: $(nproc) cores; $(lscpu | grep -m1 'Model name' | sed 's/ \{2,\}/ /g')"
for n in "${sizes[@]}"; do
    echo "== bench ingest --articles $n"
    ./target/release/khabar bench ingest --articles "$n" --texts "$texts" --split --json \
        > "target/bench/ingest-$n.json"
    python3 - "target/bench/ingest-$n.json" <<'PY' 2>/dev/null || cat "target/bench/ingest-$n.json"
import json, sys
r = json.load(open(sys.argv[1]))
print(f"{r['articles']} articles: {r['articles_per_second']:.1f} articles/s end to end "
      f"({r['seconds']:.1f} s), peak RSS {r['peak_rss_mb']:.0f} MB, store {r['store_mb']:.1f} MB, "
      f"{r['events']} events")
print("per 10% slice (articles/s):", " ".join(f"{s['articles_per_second']:.0f}" for s in r["slices"]))
print("per 10% slice (CPU ms per article):",
      " ".join(f"{1000 * s['cpu_seconds'] / s['articles']:.1f}" for s in r["slices"]))
last = r["slices"][-1]
print(f"last slice, seconds per stage ({last['candidates_scored']} candidate pairs scored):")
for name, secs in last.get("stage_seconds", {}).items():
    print(f"  {secs:7.2f}  {name}")
split = r.get("analyse_embed_only")
if split:
    print(f"analyse + embed alone: {split['articles_per_second']:.1f} articles/s")
PY
done
