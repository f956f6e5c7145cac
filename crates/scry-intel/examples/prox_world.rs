//! Builds a store for timing the proximity pass at scale: `N` registrable
//! domains with 5 attributes each (two name servers, an address, a mail
//! server, a registrant e-mail), bulk-loaded into an empty data dir, and a
//! feed listing a third of the campaign domains plus a few unrelated ones.
//!
//! ```text
//! cargo run --release -p scry-intel --example prox_world -- DATA_DIR DOMAINS [SEED [CHUNK]]
//! /usr/bin/time -v scry --data-dir DATA_DIR rescore --full --json
//! ```
//!
//! `CHUNK` (default: all) is the number of domains per bulk load: the
//! first goes into the empty store, the next ones merge into it, so the
//! bulk load's sorted runs on disk stay the size of one chunk's.
//!
//! What the store holds (deterministic for a seed), per domain:
//! * 1 in 97 is in a campaign of 25 (sharing a registrant e-mail, a
//!   name-server pair of their own, one address), every third listed;
//! * otherwise: 60 % on one of 20 big DNS providers' pairs (too common to
//!   weigh), 40 % on a small account's pair (about 8 domains per account);
//!   an address shared by about 10 domains; half on one of 5 big mail
//!   providers, half on a mail server of their own; 70 % behind one of 10
//!   privacy e-mails, 30 % with an e-mail of their own; 1 in 1,000 listed.
//!
//! It prints one JSON line: domains, facts, listed, seconds.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::time::Instant;

use scry_model::{DomainName, Email, Entity, Ip, Observation, Predicate, Window};
use scry_store::feeds::{FeedIndex, FeedKind, FeedVersion};
use scry_store::{DataDir, StateStore, Store, WriteBatch};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// splitmix64: one deterministic draw per (seed, domain, attribute).
fn draw(seed: u64, i: u64, k: u64) -> u64 {
    let mut z = seed
        .wrapping_add(i.wrapping_mul(0x9e37_79b9_7f4a_7c15))
        .wrapping_add(k.wrapping_mul(0xbf58_476d_1ce4_e5b9));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn name(s: &str) -> Entity {
    Entity::Domain(DomainName::parse(s).expect("valid generated name"))
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(n)) = (args.next(), args.next()) else {
        eprintln!("usage: prox_world DATA_DIR DOMAINS [SEED [CHUNK]]");
        std::process::exit(2);
    };
    let n: u64 = n.parse().expect("DOMAINS is a number");
    let seed: u64 = args
        .next()
        .map_or(1, |s| s.parse().expect("SEED is a number"));
    let chunk: u64 = args
        .next()
        .map_or(n, |s| s.parse().expect("CHUNK is a number"))
        .max(1);
    let started = Instant::now();
    let dd = DataDir::open(std::path::Path::new(&dir), true).expect("data dir");
    let store = scry_store::embedded::EmbeddedStore::open(&dd).expect("store");
    let state = StateStore::open(&dd).expect("state");
    let mut bulk = store
        .bulk_load()
        .expect("bulk load")
        .expect("an empty store");
    let t0: i64 = 1_767_225_600; // 2026-01-01
    let win = |day: u64| {
        let t = t0 + (day as i64) * 86_400;
        Window {
            first_seen: t,
            last_seen: t0 + 7 * 86_400,
            count: 1,
        }
    };
    let big_ns: Vec<(Entity, Entity)> = (0..20)
        .map(|k| {
            (
                name(&format!("ns1.bigdns{k}.net")),
                name(&format!("ns2.bigdns{k}.net")),
            )
        })
        .collect();
    let big_mx: Vec<Entity> = (0..5)
        .map(|k| name(&format!("mx.bigmail{k}.com")))
        .collect();
    let privacy: Vec<Entity> = (0..10)
        .map(|k| {
            Entity::Email(Email::parse(&format!("privacy@proxy{k}.example")).expect("valid e-mail"))
        })
        .collect();
    let tlds = ["com", "net", "org", "top", "xyz"];
    let accounts = (n / 20).max(1);
    let addresses = (n / 10).max(1);
    let mut listed: Vec<String> = Vec::new();
    let mut batch: Vec<Observation> = Vec::with_capacity(500_000);
    let mut facts = 0u64;
    for i in 0..n {
        let dom = format!(
            "d{i:08x}{}.{}",
            draw(seed, i, 0) % 1000,
            tlds[(i % 5) as usize]
        );
        let subject = name(&dom);
        let mut push = |p: Predicate, o: Entity, day: u64| {
            batch.push(Observation {
                subject: subject.clone(),
                predicate: p,
                object: o,
                window: win(day),
                source: "bench".into(),
            });
        };
        let day = draw(seed, i, 1) % 7;
        if i.is_multiple_of(97) {
            let c = i / 97 / 25;
            let member = (i / 97) % 25;
            push(
                Predicate::REGISTRANT_EMAIL,
                Entity::Email(Email::parse(&format!("actor{c}@mail{c}.example")).expect("e-mail")),
                day,
            );
            push(
                Predicate::NAMESERVER_HOST,
                name(&format!("ns1.c{c}.dns.example")),
                day,
            );
            push(
                Predicate::NAMESERVER_HOST,
                name(&format!("ns2.c{c}.dns.example")),
                day,
            );
            let ip = format!("10.{}.{}.{}", (c >> 16) & 255, (c >> 8) & 255, c & 255);
            push(Predicate::IP, Entity::Ip(Ip::parse(&ip).expect("ip")), day);
            push(
                Predicate::MAILSERVER_HOST,
                big_mx[(c % 5) as usize].clone(),
                day,
            );
            if member.is_multiple_of(3) {
                listed.push(dom.clone());
            }
        } else {
            let r = draw(seed, i, 2);
            if r % 10 < 6 {
                let (a, b) = &big_ns[(r / 10 % 20) as usize];
                push(Predicate::NAMESERVER_HOST, a.clone(), 0);
                push(Predicate::NAMESERVER_HOST, b.clone(), 0);
            } else {
                let a = draw(seed, i, 3) % accounts;
                push(
                    Predicate::NAMESERVER_HOST,
                    name(&format!("ns1.a{a}.dns{}.net", a % 50)),
                    day,
                );
                push(
                    Predicate::NAMESERVER_HOST,
                    name(&format!("ns2.a{a}.dns{}.net", a % 50)),
                    day,
                );
            }
            let a = draw(seed, i, 4) % addresses;
            let ip = format!(
                "172.{}.{}.{}",
                16 + ((a >> 16) & 15),
                (a >> 8) & 255,
                a & 255
            );
            push(Predicate::IP, Entity::Ip(Ip::parse(&ip).expect("ip")), 0);
            let r = draw(seed, i, 5);
            if r.is_multiple_of(2) {
                push(
                    Predicate::MAILSERVER_HOST,
                    big_mx[(r / 2 % 5) as usize].clone(),
                    0,
                );
            } else {
                push(Predicate::MAILSERVER_HOST, name(&format!("mx.{dom}")), 0);
            }
            let r = draw(seed, i, 6);
            if r % 10 < 7 {
                push(
                    Predicate::REGISTRANT_EMAIL,
                    privacy[(r / 10 % 10) as usize].clone(),
                    0,
                );
            } else {
                push(
                    Predicate::REGISTRANT_EMAIL,
                    Entity::Email(Email::parse(&format!("owner@{dom}")).expect("e-mail")),
                    0,
                );
            }
            if draw(seed, i, 7).is_multiple_of(1000) {
                listed.push(dom.clone());
            }
        }
        if (i + 1) % chunk == 0 && i + 1 < n {
            facts += batch.len() as u64;
            bulk.add(WriteBatch {
                observations: std::mem::take(&mut batch),
                ..Default::default()
            })
            .expect("bulk add");
            bulk.finish(None).expect("bulk finish");
            eprintln!(
                "{} domains loaded, {:.0} s",
                i + 1,
                started.elapsed().as_secs_f64()
            );
            bulk = store
                .bulk_load()
                .expect("bulk load")
                .expect("a bulk load into the store");
        }
        if batch.len() >= 500_000 {
            facts += batch.len() as u64;
            bulk.add(WriteBatch {
                observations: std::mem::take(&mut batch),
                ..Default::default()
            })
            .expect("bulk add");
        }
    }
    facts += batch.len() as u64;
    bulk.add(WriteBatch {
        observations: batch,
        ..Default::default()
    })
    .expect("bulk add");
    bulk.finish(None).expect("bulk finish");
    FeedIndex::new(&state)
        .apply_version(
            "bench",
            FeedKind::Phishing,
            FeedVersion {
                time: t0 + 7 * 86_400,
                ledger_key: "bench".into(),
                input: "bench".into(),
                entries: listed.len() as u64,
                added: listed.len() as u64,
                removed: 0,
            },
            &listed,
            &[],
        )
        .expect("feed");
    println!(
        "{{\"domains\":{n},\"facts\":{facts},\"listed\":{},\"seconds\":{:.1}}}",
        listed.len(),
        started.elapsed().as_secs_f64()
    );
}
