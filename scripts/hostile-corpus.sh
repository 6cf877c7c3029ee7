#!/usr/bin/env bash
# Writes the hostile-input corpus into directory $1 (crates/cli/tests/hostile.rs ingests each
# file and checks its documented outcome). Generated, never committed: the gzip bomb alone is a
# gigabyte when inflated. Needs bash, gzip, head, truncate, sed, iconv.
set -euo pipefail
out=${1:?usage: hostile-corpus.sh DIR}
mkdir -p "$out"
cd "$out"

good='Kuwaiti Foreign Minister Abdullah Al-Yahya met Russian Foreign Minister Sergei Lavrov in Moscow on Friday to discuss the war in Gaza.'

# billion laughs: ten levels of ten references, a billion "lol"s if expanded
laughs='<!DOCTYPE r [<!ENTITY lol "lol">'
prev=lol
for i in 1 2 3 4 5 6 7 8 9; do
  laughs+="<!ENTITY lol$i \"$(printf "&$prev;%.0s" {1..10})\">"
  prev=lol$i
done
laughs+=']>'
printf '<?xml version="1.0"?>\n%s\n<rss version="2.0"><channel><title>t</title><item><title>Laughs</title><link>https://example.org/laughs</link><description>&%s; %s</description></item></channel></rss>\n' \
  "$laughs" "$prev" "$good" > laughs.rss
printf '<!DOCTYPE html>\n%s\n<html><head><title>Laughs</title></head><body><article><p>&%s;</p><p>%s</p></article></body></html>\n' \
  "${laughs#<!DOCTYPE r }" "$prev" "$good" > laughs.html

# XXE: an external entity naming a local file, which must never be read into an article
xxe='<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
printf '<?xml version="1.0"?>\n%s\n<rss version="2.0"><channel><title>t</title><item><title>XXE</title><link>https://example.org/xxe</link><description>&xxe; %s</description></item></channel></rss>\n' \
  "$xxe" "$good" > xxe.rss
printf '%s\n<html><head><title>XXE</title></head><body><article><p>&xxe;</p><p>%s</p></article></body></html>\n' \
  "$xxe" "$good" > xxe.html

# a gzip bomb: 1 GiB of zeros, 1 MB gzipped; read as a stream or it costs a gigabyte
head -c 1073741824 /dev/zero | gzip -1 > bomb.warc.gz

# over the size limit (sparse: costs no disk)
truncate -s 200M huge.txt

# a WARC.gz and a gzipped page cut short
body="<html><head><title>Cut</title></head><body><article><p>$good</p><p>$good</p></article></body></html>"
http=$(printf 'HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n%s' "$body")
len=$(printf '%s' "$http" | wc -c)
printf 'WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://example.org/cut\r\nWARC-Date: 2023-11-03T10:00:00Z\r\nContent-Length: %s\r\n\r\n%s\r\n\r\n' "$len" "$http" \
  | gzip -9 > whole.warc.gz
head -c $(( $(wc -c < whole.warc.gz) / 2 )) whole.warc.gz > cut.warc.gz
rm whole.warc.gz
printf '%s' "$body" | gzip -9 > whole.html.gz
head -c $(( $(wc -c < whole.html.gz) / 2 )) whole.html.gz > cut.html.gz
rm whole.html.gz

# binary and empty files
printf '\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0>\0' > binary.txt
head -c 4096 /dev/zero >> binary.txt
: > empty.txt

# JSONL: broken lines among good ones, deeply nested JSON, a line over the line limit
{
  printf '{"id": "good-1", "text": "%s"}\n' "$good"
  printf '{"id": "broken", "text": "no end\n'
  printf '{"id": "nested", "text": "deep", "x": %s%s}\n' "$(head -c 100000 /dev/zero | tr '\0' '[')" "$(head -c 100000 /dev/zero | tr '\0' ']')"
  printf '{"id": "huge", "text": "'; head -c 33000000 /dev/zero | tr '\0' 'a'; printf '"}\n'
  printf '{"id": "good-2", "text": "Lavrov said in Moscow on Friday that talks on Gaza would go on."}\n'
} > mixed.jsonl

# one huge line: 4 MB of words without a sentence end (analysed up to the token bound)
{ printf '%s ' "$good"; head -c 4000000 /dev/zero | tr '\0' 'w' | fold -w 4 | tr '\n' ' '; } > oneline.txt

# a million short lines in one record
{
  printf '{"id": "million", "title": "A million lines", "text": "%s' "$good"
  for _ in $(seq 1000); do printf 'war\\n'; done > kilo.tmp
  for _ in $(seq 1000); do cat kilo.tmp; done
  rm kilo.tmp
  printf '"}\n'
} > million.jsonl

# markup that made html5ever quadratic: 100k attributes on one element, 100k nested <div>s
{
  printf '<html><head><title>Attributes</title></head><body><p'
  for i in $(seq 100000); do printf ' a%d=x' "$i"; done
  printf '>%s</p></body></html>\n' "$good"
} > attributes.html
{
  printf '<html><head><title>Nesting</title></head><body>'
  head -c 100000 /dev/zero | sed 's/\x0/<div>/g'
  printf '<p>%s</p></body></html>\n' "$good"
} > nested.html

# Arabic in windows-1256 with no charset declaration (iconv from glibc)
printf 'التقى وزير الخارجية الكويتي الشيخ سالم عبدالله الجابر الصباح نظيره الروسي سيرغي لافروف في موسكو يوم الجمعة.\nوبحث الوزيران العلاقات الثنائية بين البلدين والتطورات في قطاع غزة والحرب الدائرة هناك.\n' | iconv -f UTF-8 -t WINDOWS-1256 > undeclared-1256.txt

# a title that would retitle and clear the terminal, and reorder it with bidi controls
printf '{"id": "escapes", "title": "Talks\\u001b]0;owned\\u0007\\u001b[2J\\u202e in Moscow", "text": "%s"}\n' "$good" > escapes.jsonl
