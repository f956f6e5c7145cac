//! Property tests: normalisation is idempotent and its parts fit together.
