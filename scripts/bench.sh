#!/usr/bin/env bash
# End-to-end ingest throughput at 1k, 10k and 100k articles (BENCHMARKS.md): a release build, then
# `khabar bench ingest` for each size into a fresh temporary store. Each run prints its table and
# writes its JSON report to target/bench/ingest-N-per-day-D.json.
#
#   scripts/bench.sh                 # 1000 10000 100000
#   scripts/bench.sh 1000 10000      # only these sizes
#   TEXTS=path/to/pairs.jsonl scripts/bench.sh
#   PER_DAY=100000 scripts/bench.sh 100000   # a stream of 100k articles a day (default 1,000)
#
# The model and the gazetteer must be installed (`khabar model install`, `khabar data install`,
# or `khabar demo`); KHABAR_MODEL_DIR / KHABAR_GAZETTEER_DIR point elsewhere if needed.
set -euo pipefail
cd "$(dirname "$0")/.."

texts="${TEXTS:-data/eval/semeval22-pairs-dev.jsonl}"
per_day="${PER_DAY:-1000}"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000 100000)

cargo build --release -p khabar
mkdir -p target/bench
echo "machine: $(nproc) cores; $(lscpu | grep -m1 'Model name' | sed 's/ \{2,\}/ /g')"
for n in "${sizes[@]}"; do
    out="target/bench/ingest-$n-per-day-$per_day.json"
    echo "== bench ingest --articles $n --per-day $per_day"
    ./target/release/khabar bench ingest --articles "$n" --per-day "$per_day" --texts "$texts" \
        --split --json > "$out"
    python3 - "$out" <<'PY' 2>/dev/null || cat "$out"
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
recall = r.get("candidate_recall", {})
if recall.get("exact_candidates"):
    print(f"candidate search recall {recall['recall']:.3f} ({recall['found']} of "
          f"{recall['exact_candidates']} exact candidates, 1 search in {recall['sampled_every']}); "
          f"as near at each rank (within {recall['tolerance']:.2f}): "
          f"{recall['recall_within_tolerance']:.3f}")
split = r.get("analyse_embed_only")
if split:
    print(f"analyse + embed alone: {split['articles_per_second']:.1f} articles/s")
PY
done
