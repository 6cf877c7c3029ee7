//! Scoring against gold annotations (see `tests/gold/README.md`).
