//! `sesame webhooks …`: URLs subscribed to events about people and clients, signed and
//! delivered by the outbox (docs/admin.md, "Event webhooks").

use clap::Subcommand;

use super::output::{print_json, table, when, CliResult, Env};
use crate::admin::ops::webhooks::{self as ops, NewWebhook};
use crate::config::Config;

#[derive(Subcommand, Debug)]
pub enum WebhooksCommand {
    /// Subscribe a URL (https; http only on localhost) to events. Prints the signing secret
    /// once.
    Add {
        url: String,
        /// An event to send: person.created, person.signed_in, person.changed,
        /// person.disabled, person.deleted, client.changed, or `*` for all. Repeat the
        /// flag for several.
        #[arg(long = "event", value_name = "EVENT", required = true)]
        events: Vec<String>,
        #[arg(long)]
        json: bool,
    },
    /// List the webhooks (never their secrets).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove a webhook; events queued for it and not yet delivered are dropped.
    Remove {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(config: &Config, cmd: WebhooksCommand) -> CliResult {
    let env = Env::open(config).await?;
    let ctx = env.ctx();
    match cmd {
        WebhooksCommand::Add { url, events, json } => {
            let w = ops::create_webhook(&ctx, NewWebhook { url, events }).await?;
            if json {
                return print_json(&w);
            }
            out!(
                "Webhook {} created for {}.",
                w.webhook.id,
                w.webhook.events.join(", ")
            );
            out!("Signing secret (shown once; receivers check X-Sesame-Signature with it):");
            out!("{}", w.secret);
        }
        WebhooksCommand::List { json } => {
            let page = ops::list_webhooks(&ctx).await?;
            if json {
                return print_json(&page);
            }
            let rows: Vec<Vec<String>> = page
                .items
                .iter()
                .map(|w| {
                    vec![
                        w.id.clone(),
                        w.url.clone(),
                        w.events.join(" "),
                        when(Some(w.created_at)),
                    ]
                })
                .collect();
            table(&["ID", "URL", "EVENTS", "CREATED"], &rows);
        }
        WebhooksCommand::Remove { id, json } => {
            let existed = ops::remove_webhook(&ctx, &id).await?;
            if json {
                return print_json(&serde_json::json!({ "webhook": id, "removed": existed }));
            }
            if !existed {
                return Err(format!("no webhook {id}").into());
            }
            out!("Webhook {id} removed.");
        }
    }
    Ok(())
}
