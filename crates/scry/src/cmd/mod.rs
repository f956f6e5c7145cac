//! Command implementations.

mod demo;
mod evalprox;
pub(crate) mod generate;
pub(crate) mod ingest;
mod lookalike;
mod lookup;
mod monitor;
mod name;
mod notify;
mod pdns;
pub(crate) mod query;
mod risk;
mod sensor;
mod serve;
mod store;
pub(crate) mod train;
mod whois;

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{Cli, Command};

pub(crate) fn run(cli: Cli) -> Result<ExitCode> {
    match &cli.command {
        Command::Name(a) => name::run(a),
        Command::Ingest(c) => ingest::run(&cli, c),
        Command::Profile(a) => query::profile(&cli, a),
        Command::Lookup(a) => lookup::run(&cli, a),
        Command::Pivot(a) => query::pivot(&cli, a),
        Command::Search(a) => query::search(&cli, a),
        Command::Fields(a) => query::fields(a),
        Command::Store(c) => store::run(&cli, c),
        Command::Demo(a) => demo::run(&cli, a),
        Command::Parse(c) => whois::parse(c),
        Command::Whois(a) => whois::whois(&cli, a),
        Command::ReverseWhois(a) => whois::reverse(&cli, a),
        Command::Zone(c) => ingest::zone_cmd(&cli, c),
        Command::Pdns(c) => pdns::run(&cli, c),
        Command::Sensor(c) => sensor::run(&cli, c),
        Command::Lookalike(c) => lookalike::run(c),
        Command::Generate(a) => generate::run(a),
        Command::Monitor(c) => monitor::monitor(&cli, c),
        Command::Alerts(c) => monitor::alerts(&cli, c),
        Command::Train(a) => train::train(a),
        Command::Evaluate(a) => train::evaluate(a),
        Command::Risk(a) => risk::risk(&cli, a),
        Command::Rescore(a) => risk::rescore(&cli, a),
        Command::Feeds(a) => risk::feeds(&cli, a),
        Command::Graph(a) => serve::graph(&cli, a),
        Command::Export(a) => serve::export(&cli, a),
        Command::Serve(a) => serve::serve(&cli, a),
        Command::Keys(c) => serve::keys(&cli, c),
    }
}
