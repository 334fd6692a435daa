//! `sesame groups …`: groups of people, released to clients allowed the `groups` scope in
//! the `groups` claim. A USER is an id (`sub`), an email address or a phone number.

use clap::Subcommand;

use super::output::{opt, print_json, table, when, CliResult, Env};
use crate::admin::ops::groups::{self as ops, Membership, NewGroup};
use crate::config::Config;

#[derive(Subcommand, Debug)]
pub enum GroupsCommand {
    /// Create a group. NAME: a lowercase letter or digit, then up to 63 lowercase letters,
    /// digits, `.`, `_` or `-`.
    Add {
        name: String,
        /// What the group is for (shown to admins only).
        #[arg(long)]
        description: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show a group.
    Get {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// List groups.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Delete a group (its memberships go with it).
    Remove {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// List the people in a group.
    Members {
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Put a person in a group.
    AddMember {
        name: String,
        #[arg(allow_hyphen_values = true)]
        user: String,
        #[arg(long)]
        json: bool,
    },
    /// Take a person out of a group.
    RemoveMember {
        name: String,
        #[arg(allow_hyphen_values = true)]
        user: String,
        #[arg(long)]
        json: bool,
    },
}

fn print_membership(m: &Membership) {
    let what = match (m.member, m.changed) {
        (true, true) => "is now in",
        (true, false) => "was already in",
        (false, true) => "is no longer in",
        (false, false) => "was not in",
    };
    out!("User {} {what} group {}.", m.user_id, m.group);
}

pub async fn run(config: &Config, cmd: GroupsCommand) -> CliResult {
    let env = Env::open(config).await?;
    let ctx = env.ctx();
    match cmd {
        GroupsCommand::Add {
            name,
            description,
            json,
        } => {
            let g = ops::create_group(&ctx, NewGroup { name, description }).await?;
            if json {
                return print_json(&g);
            }
            out!("Group {} created.", g.name);
        }
        GroupsCommand::Get { name, json } => {
            let g = ops::get_group(&ctx, &name).await?;
            if json {
                return print_json(&g);
            }
            table(
                &["NAME", "MEMBERS", "CREATED", "UPDATED", "DESCRIPTION"],
                &[vec![
                    g.name.clone(),
                    g.members.to_string(),
                    when(Some(g.created_at)),
                    when(Some(g.updated_at)),
                    opt(&g.description).to_string(),
                ]],
            );
        }
        GroupsCommand::List { json } => {
            let page = ops::list_groups(&ctx).await?;
            if json {
                return print_json(&page);
            }
            let rows: Vec<Vec<String>> = page
                .items
                .iter()
                .map(|g| {
                    vec![
                        g.name.clone(),
                        g.members.to_string(),
                        when(Some(g.created_at)),
                        opt(&g.description).to_string(),
                    ]
                })
                .collect();
            table(&["NAME", "MEMBERS", "CREATED", "DESCRIPTION"], &rows);
        }
        GroupsCommand::Remove { name, json } => {
            let existed = ops::remove_group(&ctx, &name).await?;
            if json {
                return print_json(&serde_json::json!({ "group": name, "removed": existed }));
            }
            if !existed {
                return Err(format!("no group {name}").into());
            }
            out!("Group {name} removed with its memberships.");
        }
        GroupsCommand::Members { name, json } => {
            let page = ops::list_members(&ctx, &name).await?;
            if json {
                return print_json(&page);
            }
            let rows: Vec<Vec<String>> = page
                .items
                .iter()
                .map(|u| {
                    vec![
                        u.user_id.clone(),
                        opt(&u.email).to_string(),
                        opt(&u.phone).to_string(),
                        if u.disabled { "disabled" } else { "enabled" }.into(),
                    ]
                })
                .collect();
            table(&["USER ID", "EMAIL", "PHONE", "STATUS"], &rows);
        }
        GroupsCommand::AddMember { name, user, json } => {
            let m = ops::add_member(&ctx, &name, &user).await?;
            if json {
                return print_json(&m);
            }
            print_membership(&m);
        }
        GroupsCommand::RemoveMember { name, user, json } => {
            let m = ops::remove_member(&ctx, &name, &user).await?;
            if json {
                return print_json(&m);
            }
            print_membership(&m);
        }
    }
    Ok(())
}
