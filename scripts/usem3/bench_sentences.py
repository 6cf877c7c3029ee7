#!/usr/bin/env python3
"""Write the benchmark's 2,000 news sentences (one per line) taken from the SemEval-2022 dev pairs.

Sentences are split at . ! ? ؟ followed by whitespace, kept when 20..400 characters long,
deduplicated, in file order, so the Rust and Python sides of scripts/usem3/bench.sh embed the
same text. Usage: bench_sentences.py DEV_PAIRS.jsonl OUT.txt [N]
"""
import json
import re
import sys


def main():
    src, dst = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    out, seen = [], set()
    with open(src, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            for text in (d["text1"], d["text2"]):
                for s in re.split(r"(?<=[.!?؟])\s+", text):
                    s = " ".join(s.split())
                    if 20 <= len(s) <= 400 and s not in seen:
                        seen.add(s)
                        out.append(s)
    # Interleave by stride so every language of the file is represented, not just the first pairs.
    step = max(1, len(out) // n)
    picked = out[::step][:n]
    with open(dst, "w", encoding="utf-8") as f:
        for s in picked:
            f.write(s + "\n")
    print(f"{len(picked)} sentences of {len(out)} -> {dst}", file=sys.stderr)


if __name__ == "__main__":
    main()
