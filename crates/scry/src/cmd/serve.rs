//! `scry serve` and `scry keys`.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;
use scry_server::{Scope, ServeOptions, keys};

use crate::cli::{Cli, KeysCmd, ServeArgs};
use crate::cmd::ingest::now;
use crate::{open, out};

pub(crate) fn serve(cli: &Cli, a: &ServeArgs) -> Result<ExitCode> {
    let opened = open::open(cli, true)?;
    let store: Arc<dyn scry_store::Store> = Arc::from(opened.store);
    let _dir = opened._dir;
    scry_server::serve(
        store,
        opened.state,
        &ServeOptions {
            listen: a.listen,
            rate_per_minute: a.rate_limit,
        },
        |addr| eprintln!("scry serve: listening on http://{addr}"),
    )?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn keys(cli: &Cli, c: &KeysCmd) -> Result<ExitCode> {
    let opened = open::open(cli, true)?;
    match c {
        KeysCmd::Create(a) => {
            let scope = Scope::parse(&a.scope).ok_or_else(|| {
                anyhow::anyhow!("--scope {:?}: expected read, write or admin", a.scope)
            })?;
            let (secret, info) = keys::create_key(&opened.state, scope, &a.name, now())?;
            println!("{secret}");
            eprintln!(
                "key {} ({}) created; it is not shown again",
                info.id,
                info.scope.as_str()
            );
        }
        KeysCmd::List(a) => {
            let all = keys::list_keys(&opened.state)?;
            if a.json {
                out::json(&all)?;
            } else {
                let rows: Vec<Vec<String>> = all
                    .iter()
                    .map(|k| {
                        vec![
                            k.id.clone(),
                            k.name.clone(),
                            k.scope.as_str().to_string(),
                            scry_model::format_time(k.created),
                            if k.revoked { "revoked" } else { "active" }.to_string(),
                        ]
                    })
                    .collect();
                out::table(&["id", "name", "scope", "created", "state"], &rows)?;
            }
        }
        KeysCmd::Revoke(a) => {
            if !keys::revoke_key(&opened.state, &a.id)? {
                anyhow::bail!("no key with id {}", a.id);
            }
            eprintln!("key {} revoked", a.id);
        }
    }
    Ok(ExitCode::SUCCESS)
}
