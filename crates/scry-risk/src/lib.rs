//! Threat-profile classifiers: score a bare domain name 0..=99 for
//! phishing, malware (DGA) and spam from lexical features, with evidence.
//!
//! * [`Model`] holds three logistic regressions over one sparse feature
//!   vector (see `features`: length, entropy, digits, hyphens, character
//!   runs, character n-grams, likelihood under a character trigram and a
//!   4-gram model of benign names, the share of the label made of words of
//!   benign names, how rare its suffix is among them, brand terms,
//!   phishing keywords, look-alike similarity to brands from
//!   `scry-lookalike`, public suffix), each followed by gradient-boosted
//!   shallow trees over the dense features and its log-odds where the
//!   validation chose them (`boost`). [`Model::builtin`] is the model
//!   committed in `model/lexical-v4.bin`, embedded in the binary;
//!   [`Model::from_bytes`] validates a model file and never panics.
//! * [`train()`] rebuilds that model from the real labelled lists of
//!   `shared/data` (and the synthetic world for spam) with the label
//!   hygiene described in `data`; [`evaluate()`] measures it on held-out real
//!   names (whole DGA families held out) and on a synthetic world never
//!   used for training, with bootstrap confidence intervals ([`metrics`]).
//!
//! The crate reads no store: registration and hosting features are the
//! caller's (scry-intel) business. Training and evaluation read files; the
//! scoring path does no IO and never prints.

#![warn(missing_docs)]

mod boost;
mod data;
mod error;
mod eval;
mod features;
mod lexicon;
pub mod metrics;
mod model;
mod train;

pub use data::DataStats;
pub use error::{Error, Result};
pub use eval::{
    EVAL_SYNTHETIC_SEED, EvalConfig, EvalReport, FamilyRow, MetricRow, WithCi, evaluate,
    held_out_names,
};
pub use lexicon::lookalike_of;
pub use model::{Evidence, FORMAT_VERSION, Lookalike, MODEL_NAME, Model, Threat, ThreatProfile};
pub use train::{
    CALIBRATION_QUANTILE, DEFAULT_SEED, ModelTrainReport, TRAIN_SYNTHETIC_SEED, TrainConfig,
    TrainReport, train,
};
