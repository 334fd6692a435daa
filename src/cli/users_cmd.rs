//! `sesame users …`: find people, disable, enable, delete; their sessions and grants;
//! review accounts. A USER is an id (`sub`), an email address or a phone number.

use clap::Subcommand;

use super::output::{fields, more, opt, print_json, table, when, CliResult, Env};
use crate::admin::ops::attributes::{self, AttributesView};
use crate::admin::ops::review::{self, NewReviewAccount};
use crate::admin::ops::users::{self as ops, Revoked, UserQuery, UserView};
use crate::config::Config;

#[derive(Subcommand, Debug)]
pub enum UsersCommand {
    /// List people (oldest first).
    List {
        /// Only those whose email address or phone number contains this.
        #[arg(long)]
        search: Option<String>,
        /// Only disabled accounts.
        #[arg(long, conflicts_with = "enabled")]
        disabled: bool,
        /// Only enabled accounts.
        #[arg(long)]
        enabled: bool,
        #[arg(long)]
        limit: Option<i64>,
        #[arg(long)]
        cursor: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Find people whose email address or phone number contains TEXT.
    Search {
        text: String,
        #[arg(long)]
        limit: Option<i64>,
        #[arg(long)]
        json: bool,
    },
    /// Show one person.
    Get {
        #[arg(allow_hyphen_values = true)]
        user: String,
        #[arg(long)]
        json: bool,
    },
    /// Disable an account: no more sign-ins; its sessions and grants end now.
    Disable {
        #[arg(allow_hyphen_values = true)]
        user: String,
        #[arg(long)]
        json: bool,
    },
    /// Enable a disabled account.
    Enable {
        #[arg(allow_hyphen_values = true)]
        user: String,
        #[arg(long)]
        json: bool,
    },
    /// Delete a person with their sessions, grants, codes and tokens.
    Delete {
        #[arg(allow_hyphen_values = true)]
        user: String,
        #[arg(long)]
        json: bool,
    },
    /// List a person's sign-in sessions and grants (refresh-token families).
    Sessions {
        #[arg(allow_hyphen_values = true)]
        user: String,
        /// Also show ended sessions and revoked or expired grants.
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// End sessions and revoke grants of a person.
    Revoke {
        #[arg(allow_hyphen_values = true)]
        user: String,
        /// A session id to end (repeat).
        #[arg(long = "session", allow_hyphen_values = true)]
        sessions: Vec<String>,
        /// A grant id to revoke (repeat).
        #[arg(long = "grant", allow_hyphen_values = true)]
        grants: Vec<String>,
        /// End every session.
        #[arg(long)]
        all_sessions: bool,
        /// Revoke every grant.
        #[arg(long)]
        all_grants: bool,
        /// End every session and revoke every grant.
        #[arg(long)]
        all: bool,
        #[arg(long)]
        json: bool,
    },
    /// Show a person's attributes (released only through a client's claim mapping).
    Attributes {
        #[arg(allow_hyphen_values = true)]
        user: String,
        #[arg(long)]
        json: bool,
    },
    /// Set a person's attribute NAME to VALUE (`sesame users set-attribute alice@example.com
    /// minio_policy readwrite`); a client receives it as the claim its mapping names.
    SetAttribute {
        #[arg(allow_hyphen_values = true)]
        user: String,
        name: String,
        #[arg(allow_hyphen_values = true)]
        value: String,
        #[arg(long)]
        json: bool,
    },
    /// Remove a person's attribute NAME.
    UnsetAttribute {
        #[arg(allow_hyphen_values = true)]
        user: String,
        name: String,
        #[arg(long)]
        json: bool,
    },
    /// Accounts that sign in with a fixed code, for app-store review.
    #[command(subcommand)]
    ReviewAccount(ReviewAccountCommand),
}

#[derive(Subcommand, Debug)]
pub enum ReviewAccountCommand {
    /// Let EMAIL_OR_PHONE sign in with a fixed code until a date; no message is sent to it.
    Add {
        identifier: String,
        /// The fixed 6-digit code.
        #[arg(long)]
        code: String,
        /// Last day it works (2027-01-31, through the end of that day UTC), or an RFC 3339 time.
        #[arg(long)]
        until: String,
        #[arg(long)]
        json: bool,
    },
    /// List review accounts.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Remove a review account.
    Remove {
        identifier: String,
        #[arg(long)]
        json: bool,
    },
}

fn user_rows(users: &[UserView]) -> Vec<Vec<String>> {
    users
        .iter()
        .map(|u| {
            vec![
                u.user_id.clone(),
                opt(&u.email).to_string(),
                opt(&u.phone).to_string(),
                if u.disabled { "disabled" } else { "enabled" }.into(),
                when(u.last_login_at),
            ]
        })
        .collect()
}

fn print_users(users: &[UserView]) {
    table(
        &["USER ID", "EMAIL", "PHONE", "STATUS", "LAST SIGN-IN"],
        &user_rows(users),
    );
}

fn print_user(u: &UserView) {
    let verified = |b: bool| if b { " (verified)" } else { "" };
    fields(&[
        ("user_id", u.user_id.clone()),
        (
            "email",
            format!("{}{}", opt(&u.email), verified(u.email_verified)),
        ),
        (
            "phone",
            format!("{}{}", opt(&u.phone), verified(u.phone_verified)),
        ),
        (
            "status",
            if u.disabled {
                format!("disabled since {}", when(u.disabled_at))
            } else {
                "enabled".into()
            },
        ),
        ("created", when(Some(u.created_at))),
        ("last sign-in", when(u.last_login_at)),
    ]);
}

fn print_attributes(v: &AttributesView, json: bool) -> CliResult {
    if json {
        return print_json(v);
    }
    let rows: Vec<Vec<String>> = v
        .attributes
        .iter()
        .map(|(k, val)| vec![k.clone(), val.clone()])
        .collect();
    table(&["ATTRIBUTE", "VALUE"], &rows);
    Ok(())
}

fn print_revoked(r: &Revoked) {
    out!(
        "{} session(s) ended, {} grant(s) revoked.",
        r.sessions_ended.len(),
        r.grants_revoked.len()
    );
}

pub async fn run(config: &Config, cmd: UsersCommand) -> CliResult {
    let env = Env::open(config).await?;
    let ctx = env.ctx();
    match cmd {
        UsersCommand::List {
            search,
            disabled,
            enabled,
            limit,
            cursor,
            json,
        } => {
            let q = UserQuery {
                search,
                disabled: if disabled {
                    Some(true)
                } else if enabled {
                    Some(false)
                } else {
                    None
                },
                limit,
                cursor,
            };
            let page = ops::list_users(&ctx, &q).await?;
            if json {
                return print_json(&page);
            }
            print_users(&page.items);
            more(&page.next_cursor);
        }
        UsersCommand::Search { text, limit, json } => {
            let q = UserQuery {
                search: Some(text),
                limit,
                ..Default::default()
            };
            let page = ops::list_users(&ctx, &q).await?;
            if json {
                return print_json(&page);
            }
            print_users(&page.items);
            more(&page.next_cursor);
        }
        UsersCommand::Get { user, json } => {
            let u = ops::get_user(&ctx, &user).await?;
            if json {
                return print_json(&u);
            }
            print_user(&u);
        }
        UsersCommand::Disable { user, json } => {
            let u = ops::disable_user(&ctx, &user).await?;
            if json {
                return print_json(&u);
            }
            out!("Account disabled; its sessions and grants have ended.");
            print_user(&u);
        }
        UsersCommand::Enable { user, json } => {
            let u = ops::enable_user(&ctx, &user).await?;
            if json {
                return print_json(&u);
            }
            out!("Account enabled.");
            print_user(&u);
        }
        UsersCommand::Delete { user, json } => {
            let existed = ops::delete_user(&ctx, &user).await?;
            if json {
                return print_json(&serde_json::json!({ "user": user, "deleted": existed }));
            }
            if !existed {
                return Err(format!("no user {user}").into());
            }
            out!("User {user} deleted with their sessions, grants and tokens.");
        }
        UsersCommand::Sessions { user, all, json } => {
            let sessions = ops::list_sessions(&ctx, &user, all).await?;
            let grants = ops::list_grants(&ctx, &user, all).await?;
            if json {
                return print_json(&serde_json::json!({
                    "sessions": sessions.items, "grants": grants.items,
                }));
            }
            out!("Sessions:");
            let rows: Vec<Vec<String>> = sessions
                .items
                .iter()
                .map(|s| {
                    vec![
                        s.session_id.clone(),
                        s.amr.join(","),
                        when(Some(s.created_at)),
                        when(Some(s.expires_at)),
                        if s.active {
                            "active".to_string()
                        } else {
                            format!("ended ({})", opt(&s.end_reason))
                        },
                    ]
                })
                .collect();
            table(
                &["SESSION ID", "AMR", "SIGNED IN", "EXPIRES", "STATUS"],
                &rows,
            );
            out!();
            out!("Grants (token families):");
            let rows: Vec<Vec<String>> = grants
                .items
                .iter()
                .map(|g| {
                    vec![
                        g.grant_id.clone(),
                        format!("{} ({})", opt(&g.client_name), g.client_id),
                        g.scope.clone(),
                        when(Some(g.created_at)),
                        g.live_refresh_tokens.to_string(),
                        if g.active { "active" } else { "inactive" }.into(),
                    ]
                })
                .collect();
            table(
                &[
                    "GRANT ID", "CLIENT", "SCOPE", "CREATED", "REFRESH", "STATUS",
                ],
                &rows,
            );
        }
        UsersCommand::Revoke {
            user,
            sessions,
            grants,
            all_sessions,
            all_grants,
            all,
            json,
        } => {
            if sessions.is_empty() && grants.is_empty() && !all_sessions && !all_grants && !all {
                return Err(
                    "say what to revoke: --session ID, --grant ID, --all-sessions, --all-grants or --all"
                        .into(),
                );
            }
            let mut out = Revoked::default();
            if all || all_sessions {
                out.sessions_ended = ops::end_all_sessions(&ctx, &user).await?.sessions_ended;
            }
            if all || all_grants {
                out.grants_revoked = ops::revoke_all_grants(&ctx, &user).await?.grants_revoked;
            }
            for s in sessions {
                ops::end_session(&ctx, &user, &s).await?;
                out.sessions_ended.push(s);
            }
            for g in grants {
                ops::revoke_grant(&ctx, &user, &g).await?;
                out.grants_revoked.push(g);
            }
            if json {
                return print_json(&out);
            }
            print_revoked(&out);
        }
        UsersCommand::Attributes { user, json } => {
            print_attributes(&attributes::list_attributes(&ctx, &user).await?, json)?;
        }
        UsersCommand::SetAttribute {
            user,
            name,
            value,
            json,
        } => {
            let v = attributes::set_attribute(&ctx, &user, &name, &value).await?;
            print_attributes(&v, json)?;
        }
        UsersCommand::UnsetAttribute { user, name, json } => {
            let v = attributes::unset_attribute(&ctx, &user, &name).await?;
            print_attributes(&v, json)?;
        }
        UsersCommand::ReviewAccount(r) => review_cmd(&env, r).await?,
    }
    Ok(())
}

async fn review_cmd(env: &Env<'_>, cmd: ReviewAccountCommand) -> CliResult {
    let ctx = env.ctx();
    match cmd {
        ReviewAccountCommand::Add {
            identifier,
            code,
            until,
            json,
        } => {
            let a = review::add_review_account(
                &ctx,
                NewReviewAccount {
                    identifier,
                    code,
                    until,
                },
            )
            .await?;
            if json {
                return print_json(&a);
            }
            out!(
                "Review account {} signs in with its fixed code until {}; no message is sent to it.",
                a.identifier,
                when(Some(a.expires_at))
            );
        }
        ReviewAccountCommand::List { json } => {
            let page = review::list_review_accounts(&ctx).await?;
            if json {
                return print_json(&page);
            }
            let rows: Vec<Vec<String>> = page
                .items
                .iter()
                .map(|a| {
                    vec![
                        a.identifier.clone(),
                        when(Some(a.expires_at)),
                        if a.active { "active" } else { "expired" }.into(),
                        a.uses.to_string(),
                        when(a.last_used_at),
                    ]
                })
                .collect();
            table(
                &["IDENTIFIER", "UNTIL", "STATUS", "USES", "LAST USED"],
                &rows,
            );
        }
        ReviewAccountCommand::Remove { identifier, json } => {
            let existed = review::remove_review_account(&ctx, &identifier).await?;
            if json {
                return print_json(
                    &serde_json::json!({ "identifier": identifier, "removed": existed }),
                );
            }
            if !existed {
                return Err(format!("{identifier} is not a review account").into());
            }
            out!("Review account {identifier} removed.");
        }
    }
    Ok(())
}
