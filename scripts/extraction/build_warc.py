#!/usr/bin/env python3
"""Builds a WARC.gz benchmark file from the article-extraction pages, repeated until the file
reaches a size, written as Common Crawl writes CC-NEWS: one gzip member per WARC/1.0 response
record (HTTP 200, text/html), each record with its own target URI and WARC-Date.

    python3 scripts/extraction/build_warc.py DIR OUT.warc.gz [--size-mb 1024]

Standard library only. Write OUT under /tmp, never into the repository.
"""
import argparse
import gzip
import json
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path


def record(uri, date, html):
    http = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
        + b"Content-Length: %d\r\n\r\n" % len(html)
        + html
    )
    head = (
        "WARC/1.0\r\nWARC-Type: response\r\n"
        f"WARC-Date: {date}\r\nWARC-Record-ID: <urn:uuid:{uuid.uuid4()}>\r\n"
        f"WARC-Target-URI: {uri}\r\nContent-Type: application/http; msgtype=response\r\n"
        f"Content-Length: {len(http)}\r\n\r\n"
    ).encode()
    return head + http + b"\r\n\r\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("out")
    ap.add_argument("--size-mb", type=float, default=1024)
    args = ap.parse_args()
    root = Path(args.dir)
    truth = json.loads((root / "ground-truth.json").read_text())
    pages = []
    for key in sorted(truth):
        pages.append((truth[key].get("url") or f"https://example.com/{key}", gzip.open(root / "html" / f"{key}.html.gz").read()))
    limit = int(args.size_mb * 1e6)
    crawl = datetime(2019, 11, 21, tzinfo=timezone.utc)
    written, records, rep = 0, 0, 0
    with open(args.out, "wb") as out:
        warcinfo = b"WARC/1.0\r\nWARC-Type: warcinfo\r\nContent-Type: application/warc-fields\r\nContent-Length: 22\r\n\r\nsoftware: khabar-bench\r\n\r\n"
        out.write(gzip.compress(warcinfo, compresslevel=6))
        while written < limit:
            for url, html in pages:
                sep = "&" if "?" in url else "?"
                date = (crawl + timedelta(seconds=records)).strftime("%Y-%m-%dT%H:%M:%SZ")
                member = gzip.compress(record(f"{url}{sep}rep={rep}", date, html), compresslevel=6)
                out.write(member)
                written += len(member)
                records += 1
            rep += 1
    print(json.dumps({"out": args.out, "mb": round(written / 1e6, 1), "records": records, "repetitions": rep}))


if __name__ == "__main__":
    main()
