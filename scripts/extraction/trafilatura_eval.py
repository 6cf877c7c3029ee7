#!/usr/bin/env python3
"""Scores trafilatura on an article-extraction benchmark directory with khabar's metric.

Same metric as `khabar eval extraction` (khabar_ingest::extract::evaluate): \\w+ tokens, 4-token
shingle multisets per page, precision and recall averaged over pages, F1 from the two means.

    python3 scripts/extraction/trafilatura_eval.py DIR [--json]

Needs `pip install trafilatura` (in a venv: scripts/extraction/side_by_side.sh makes one under
/tmp). khabar itself never needs Python.
"""
import gzip
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

TOKEN = re.compile(r"\w+", re.UNICODE)


def shingles(text):
    tokens = TOKEN.findall(text or "")
    if not tokens:
        return Counter()
    if len(tokens) < 4:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3))


def score(truth, pred):
    t, p = shingles(truth), shingles(pred)
    tp = sum((t & p).values())
    fp = sum((p - t).values())
    fn = sum((t - p).values())
    return tp, fp, fn


def ratio(tp, other, fp, fn):
    if tp + other == 0:
        return None
    if fp == 0 and fn == 0:
        return 1.0
    return tp / (tp + other)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    as_json = "--json" in sys.argv
    if not args:
        sys.exit("usage: trafilatura_eval.py DIR [--json]")
    import trafilatura

    root = Path(args[0])
    truth = json.loads((root / "ground-truth.json").read_text())
    pages = []
    for key in sorted(truth):
        path = root / "html" / f"{key}.html.gz"
        html = gzip.open(path).read() if path.exists() else (root / "html" / f"{key}.html").read_bytes()
        pages.append((key, html, truth[key]["articleBody"]))
    precisions, recalls = [], []
    start = time.perf_counter()
    predictions = [trafilatura.extract(html) or "" for _, html, _ in pages]
    elapsed = time.perf_counter() - start
    for (_, _, body), pred in zip(pages, predictions):
        tp, fp, fn = score(body, pred)
        p, r = ratio(tp, fp, fp, fn), ratio(tp, fn, fp, fn)
        if p is not None:
            precisions.append(p)
        if r is not None:
            recalls.append(r)
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    result = {
        "extractor": f"trafilatura {trafilatura.__version__}",
        "f1": f1,
        "precision": p,
        "recall": r,
        "pages": len(pages),
        "pages_per_second": len(pages) / elapsed,
    }
    if as_json:
        print(json.dumps(result))
    else:
        print(
            f"{result['extractor']:<24} F1 {f1:.3f}  P {p:.3f}  R {r:.3f}  "
            f"pages {len(pages)}  {result['pages_per_second']:.1f} pages/s"
        )


if __name__ == "__main__":
    main()
