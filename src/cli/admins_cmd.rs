//! `sesame admins …`: who may sign in to the admin console in the browser. A USER is an
//! id (`sub`), an email address or a phone number.

use clap::Subcommand;

use super::output::{opt, print_json, table, when, CliResult, Env};
use crate::admin::ops::admins as ops;
use crate::config::Config;

#[derive(Subcommand, Debug)]
pub enum AdminsCommand {
    /// Make a person an admin of the console. An address nobody has yet becomes a person
    /// (verified at their first sign-in).
    Add {
        #[arg(allow_hyphen_values = true)]
        user: String,
        #[arg(long)]
        json: bool,
    },
    /// List the console's admins.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Take a person's console access away (their account stays).
    Remove {
        #[arg(allow_hyphen_values = true)]
        user: String,
        #[arg(long)]
        json: bool,
    },
}

pub async fn run(config: &Config, cmd: AdminsCommand) -> CliResult {
    let env = Env::open(config).await?;
    let ctx = env.ctx();
    match cmd {
        AdminsCommand::Add { user, json } => {
            let c = ops::add_admin(&ctx, &user).await?;
            if json {
                return print_json(&c);
            }
            if c.changed {
                out!("User {} is now an admin of the console.", c.user_id);
            } else {
                out!("User {} was already an admin of the console.", c.user_id);
            }
        }
        AdminsCommand::List { json } => {
            let page = ops::list_admins(&ctx).await?;
            if json {
                return print_json(&page);
            }
            let rows: Vec<Vec<String>> = page
                .items
                .iter()
                .map(|a| {
                    vec![
                        a.user_id.clone(),
                        opt(&a.email).to_string(),
                        opt(&a.phone).to_string(),
                        if a.disabled { "disabled" } else { "-" }.into(),
                        when(Some(a.added_at)),
                        a.added_by
                            .get("type")
                            .and_then(|t| t.as_str())
                            .unwrap_or("-")
                            .to_string(),
                    ]
                })
                .collect();
            table(
                &["USER", "EMAIL", "PHONE", "DISABLED", "ADDED", "ADDED BY"],
                &rows,
            );
        }
        AdminsCommand::Remove { user, json } => {
            let c = ops::remove_admin(&ctx, &user).await?;
            if json {
                return print_json(&c);
            }
            if c.changed {
                out!("User {} is no longer an admin of the console.", c.user_id);
            } else {
                out!("User {} was not an admin of the console.", c.user_id);
            }
        }
    }
    Ok(())
}
