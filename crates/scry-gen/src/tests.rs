use crate::names::{DGA_FAMILIES, LOOK_FORMS, Lexicon, is_ldh};
use crate::rng::Rng;

#[test]
fn every_name_generator_gives_ldh_labels() {
    let lex = Lexicon::new(&[]);
    let mut r = Rng::new(9);
    let mut s = String::new();
    for _ in 0..5_000 {
        lex.benign(&mut r, &mut s);
        assert!(is_ldh(&s), "{s}");
        for form in LOOK_FORMS {
            lex.lookalike("paypal", form, &["login"], &mut r, &mut s);
            assert!(is_ldh(&s), "{s}");
        }
        for (_, style) in DGA_FAMILIES {
            lex.dga(*style, &mut r, &mut s);
            assert!(is_ldh(&s), "{s}");
        }
        lex.spam(&["cheap"], &mut r, &mut s);
        assert!(is_ldh(&s), "{s}");
    }
}

#[test]
fn addresses_stay_inside_their_network() {
    use crate::tables::NETWORKS;
    use crate::world::{in_net, net_v4};
    for n in 0..NETWORKS.len() {
        for k in 0..2_000 {
            let ip = net_v4(n, k);
            assert!(in_net(n, ip), "network {n} address {k}");
            assert!(!matches!(ip & 0xff, 0 | 255));
        }
    }
}

#[test]
fn name_server_hosts_are_in_generated_tlds_and_their_networks() {
    use crate::tables::{DNS_OPS, TLDS};
    use crate::world::{World, in_net};
    let w = World::new(&crate::GenConfig::new(100, 2, 3), &[]);
    for (op, sets) in w.op_sets.iter().enumerate() {
        assert!(!sets.is_empty());
        for set in sets {
            assert!(set.len() >= 2, "operator {op} set {set:?}");
            for &h in set {
                let host = &w.hosts[h];
                assert!(
                    host.name.ends_with(&format!(".{}", TLDS[host.tld].name)),
                    "{}",
                    host.name
                );
                assert!(in_net(DNS_OPS[op].net, host.v4), "{}", host.name);
            }
        }
    }
    // Every host's registrable domain is an infrastructure domain.
    for h in &w.hosts {
        let reg = crate::world::registrable(&h.name, h.tld);
        assert!(w.infra.iter().any(|i| i.fqdn == reg), "{reg}");
    }
}

#[test]
fn campaign_members_share_their_infrastructure_block() {
    use crate::world::{BLOCK, BlockKind, World};
    let w = World::new(&crate::GenConfig::new(200_000, 7, 5), &[]);
    let mut campaigns = 0;
    let mut reused = 0;
    for b in 0..w.blocks() {
        let block = w.block(b);
        if block.kind == BlockKind::Benign {
            continue;
        }
        campaigns += 1;
        assert!(block.size >= 4 && block.size <= BLOCK);
        assert!(block.infra <= b);
        if block.infra != b {
            reused += 1;
            let lender = w.block(block.infra);
            assert_eq!(lender.kind, block.kind);
            assert_eq!(lender.actor, block.actor);
            assert!(lender.burst <= block.burst, "the lender exists first");
            assert_eq!(
                (lender.net, lender.servers, lender.own_ns, lender.ns_op),
                (block.net, block.servers, block.own_ns, block.ns_op)
            );
        }
        let d0 = w.domain(&block, b * BLOCK, None);
        for i in b * BLOCK + 1..b * BLOCK + block.size {
            let d = w.domain(&block, i, None);
            assert_eq!(d.campaign, d0.campaign);
            assert!(
                d.first_day >= d0.first_day,
                "the first member registers first"
            );
            if d.class != crate::world::Class::Sinkhole {
                assert_eq!(d.ns, d0.ns);
            }
        }
        assert!(
            d0.del_day.is_none(),
            "the name-server carrier is never deleted"
        );
    }
    assert!(
        campaigns > 300 && reused > 30,
        "{campaigns} campaigns, {reused} reuse"
    );
}

#[test]
fn lifecycle_days_are_ordered() {
    use crate::world::{BLOCK, World};
    let w = World::new(&crate::GenConfig::new(20_000, 10, 8), &[]);
    for b in 0..w.blocks() {
        let block = w.block(b);
        for i in b * BLOCK..((b + 1) * BLOCK).min(w.domains) {
            let d = w.domain(&block, i, Some("x.example"));
            assert!(d.first_day < 10);
            assert!(
                d.created < w.day_start(i64::from(d.first_day)),
                "{}",
                d.fqdn
            );
            if let Some(x) = d.del_day {
                assert!(x > d.first_day && x < 10);
            }
            for x in [d.ns_day, d.transfer_day, d.ip_day].into_iter().flatten() {
                assert!(x > d.first_day && x < 10);
            }
            if let Some(l) = d.listed {
                assert!(l >= d.first_day && l < 10);
            }
            assert!(d.alive(d.first_day));
        }
    }
}
