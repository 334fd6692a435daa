//! `sesame clients …`: register, list, show, change, rotate the secret, remove.

use clap::{Args, Subcommand, ValueEnum};

use super::output::{fields, more, opt, print_json, table, when, CliResult, Env};
use crate::admin::ops::clients::{self as ops, ClientPatch, ClientView, NewClientRequest};
use crate::admin::ops::PageParams;
use crate::config::Config;

#[derive(Subcommand, Debug)]
pub enum ClientsCommand {
    /// Register a client; prints its id and (confidential clients) its secret, once.
    Add(Box<AddClient>),
    /// List registered clients.
    List {
        #[arg(long)]
        limit: Option<i64>,
        #[arg(long)]
        cursor: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Show one client.
    Get {
        #[arg(allow_hyphen_values = true)]
        client_id: String,
        #[arg(long)]
        json: bool,
    },
    /// Change a client's name, redirect URIs, metadata or policy.
    Update(Box<UpdateClient>),
    /// Issue a new secret (the old one stops working at once); prints it, once.
    RotateSecret {
        #[arg(allow_hyphen_values = true)]
        client_id: String,
        #[arg(long)]
        json: bool,
    },
    /// Delete a client and everything issued to it.
    Remove {
        #[arg(allow_hyphen_values = true)]
        client_id: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
pub enum PkcePolicy {
    Required,
    Optional,
}

impl From<PkcePolicy> for ops::PkcePolicy {
    fn from(p: PkcePolicy) -> Self {
        match p {
            PkcePolicy::Required => ops::PkcePolicy::Required,
            PkcePolicy::Optional => ops::PkcePolicy::Optional,
        }
    }
}

/// Metadata and policy options shared by `add` and `update`.
#[derive(Args, Debug, Default)]
pub struct MetaArgs {
    /// An https URL of the client's logo, shown on the sign-in pages.
    #[arg(long)]
    pub logo_uri: Option<String>,
    /// The client's home page, linked from the sign-in pages.
    #[arg(long, alias = "homepage")]
    pub client_uri: Option<String>,
    /// The client's privacy policy, linked from the sign-in pages.
    #[arg(long, alias = "privacy-uri")]
    pub policy_uri: Option<String>,
    /// The client's terms of service, linked from the sign-in pages.
    #[arg(long, alias = "terms-uri")]
    pub tos_uri: Option<String>,
    /// Accent colour of the sign-in pages, #rrggbb.
    #[arg(long)]
    pub brand_color: Option<String>,
    /// A scope the client may obtain (repeat); others are dropped at /authorize.
    #[arg(long = "allowed-scope", value_name = "SCOPE")]
    pub allowed_scopes: Vec<String>,
    /// Access-token lifetime in seconds (default: the server's).
    #[arg(long)]
    pub access_token_ttl: Option<i64>,
    /// ID-token lifetime in seconds (default: the server's).
    #[arg(long)]
    pub id_token_ttl: Option<i64>,
    /// Refresh-token lifetime in seconds (default: the server's).
    #[arg(long)]
    pub refresh_token_ttl: Option<i64>,
    /// Where the client is told, server to server, that a sign-in ended (OpenID Connect
    /// Back-Channel Logout): https, http only on localhost.
    #[arg(long, value_name = "URL")]
    pub backchannel_logout_uri: Option<String>,
    /// Whether the client needs the `sid` claim in its logout tokens (true or false;
    /// alone: true).
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub backchannel_logout_session_required: Option<bool>,
    /// Release the person attribute ATTRIBUTE as the claim CLAIM to this client (repeat),
    /// e.g. `--claim policy=minio_policy`.
    #[arg(long = "claim", value_name = "CLAIM=ATTRIBUTE", value_parser = parse_claim)]
    pub claims: Vec<(String, String)>,
}

/// `CLAIM=ATTRIBUTE`.
fn parse_claim(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((c, a)) if !c.is_empty() && !a.is_empty() => Ok((c.to_string(), a.to_string())),
        _ => Err("expected CLAIM=ATTRIBUTE, e.g. policy=minio_policy".into()),
    }
}

#[derive(Args, Debug)]
pub struct AddClient {
    /// Name shown on the sign-in pages.
    #[arg(long)]
    pub name: String,
    /// An exact redirect URI; repeat for several (none for a client without the
    /// authorization_code grant: a machine or device client).
    #[arg(long = "redirect-uri")]
    pub redirect_uris: Vec<String>,
    /// A public client (SPA, mobile app): no secret, PKCE always required.
    #[arg(long)]
    pub public: bool,
    /// PKCE policy of a confidential client.
    #[arg(long, value_enum, default_value = "required")]
    pub pkce: PkcePolicy,
    /// Mark the client third-party (its users will be asked for consent).
    #[arg(long)]
    pub third_party: bool,
    /// ID token signature algorithm (default: the server's tokens.default_id_token_alg).
    #[arg(long)]
    pub id_token_alg: Option<String>,
    #[command(flatten)]
    pub meta: MetaArgs,
    /// An exact URI RP-initiated logout may return to; repeat for several.
    #[arg(long = "post-logout-redirect-uri")]
    pub post_logout_redirect_uris: Vec<String>,
    /// A grant type (authorization_code, refresh_token, client_credentials,
    /// urn:ietf:params:oauth:grant-type:device_code); repeat for several. Default:
    /// authorization_code and refresh_token.
    #[arg(long = "grant-type")]
    pub grant_types: Vec<String>,
    /// Issue refresh tokens on every code exchange, even without offline_access.
    #[arg(long)]
    pub always_refresh: bool,
    /// Extra (API) scopes the client may request, space-separated (what a
    /// client_credentials client gets).
    #[arg(long, default_value = "")]
    pub scope: String,
    /// Print the client as JSON, with client_secret.
    #[arg(long)]
    pub json: bool,
}

/// Optional fields `update --clear` can reset.
#[derive(Clone, Copy, Debug, ValueEnum, PartialEq, Eq)]
#[value(rename_all = "snake_case")]
pub enum Clearable {
    LogoUri,
    ClientUri,
    PolicyUri,
    TosUri,
    BrandColor,
    AllowedScopes,
    AccessTokenTtl,
    IdTokenTtl,
    RefreshTokenTtl,
    BackchannelLogoutUri,
    /// Every mapped claim.
    Claims,
}

#[derive(Args, Debug)]
pub struct UpdateClient {
    #[arg(allow_hyphen_values = true)]
    pub client_id: String,
    #[arg(long)]
    pub name: Option<String>,
    /// Replace the redirect URIs with these (repeat).
    #[arg(long = "redirect-uri")]
    pub redirect_uris: Vec<String>,
    /// Add a redirect URI (repeat).
    #[arg(long = "add-redirect-uri")]
    pub add_redirect_uris: Vec<String>,
    /// Remove a redirect URI (repeat).
    #[arg(long = "remove-redirect-uri")]
    pub remove_redirect_uris: Vec<String>,
    #[arg(long, value_enum)]
    pub pkce: Option<PkcePolicy>,
    /// First-party: no consent page.
    #[arg(long, conflicts_with = "third_party")]
    pub first_party: bool,
    /// Third-party: its users are asked for consent.
    #[arg(long)]
    pub third_party: bool,
    #[arg(long)]
    pub id_token_alg: Option<String>,
    #[command(flatten)]
    pub meta: MetaArgs,
    /// Stop releasing the mapped claim CLAIM (repeat).
    #[arg(long = "remove-claim", value_name = "CLAIM")]
    pub remove_claims: Vec<String>,
    /// Reset an optional field to its default (repeat).
    #[arg(long, value_enum)]
    pub clear: Vec<Clearable>,
    #[arg(long)]
    pub json: bool,
}

fn print_client(c: &ClientView) {
    let ttl = |v: Option<i64>| {
        v.map(|n| format!("{n} s"))
            .unwrap_or_else(|| "default".into())
    };
    fields(&[
        ("client_id", c.client_id.clone()),
        ("name", c.name.clone()),
        (
            "type",
            if c.public { "public" } else { "confidential" }.into(),
        ),
        ("pkce", format!("{:?}", c.pkce).to_lowercase()),
        (
            "consent",
            if c.first_party {
                "first-party (no consent page)"
            } else {
                "third-party (consent page)"
            }
            .into(),
        ),
        ("id_token_alg", c.id_token_alg.clone()),
        ("redirect_uris", c.redirect_uris.join(" ")),
        (
            "allowed_scopes",
            c.allowed_scopes
                .as_ref()
                .map(|s| s.join(" "))
                .unwrap_or_else(|| "all supported".into()),
        ),
        ("access_token_ttl", ttl(c.access_token_ttl_seconds)),
        ("id_token_ttl", ttl(c.id_token_ttl_seconds)),
        ("refresh_token_ttl", ttl(c.refresh_token_ttl_seconds)),
        (
            "claims",
            if c.claims.is_empty() {
                "-".into()
            } else {
                c.claims
                    .iter()
                    .map(|(c, a)| format!("{c}={a}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            },
        ),
        ("logo_uri", opt(&c.logo_uri).into()),
        ("client_uri", opt(&c.client_uri).into()),
        ("policy_uri", opt(&c.policy_uri).into()),
        ("tos_uri", opt(&c.tos_uri).into()),
        ("brand_color", opt(&c.brand_color).into()),
        (
            "backchannel_logout_uri",
            opt(&c.backchannel_logout_uri).into(),
        ),
        (
            "backchannel_logout_session_required",
            c.backchannel_logout_session_required.to_string(),
        ),
        ("created", when(Some(c.created_at))),
        ("updated", when(Some(c.updated_at))),
    ]);
}

fn scopes(list: Vec<String>) -> Option<Vec<String>> {
    (!list.is_empty()).then_some(list)
}

pub async fn run(config: &Config, cmd: ClientsCommand) -> CliResult {
    let env = Env::open(config).await?;
    let ctx = env.ctx();
    match cmd {
        ClientsCommand::Add(a) => {
            let a = *a;
            let m = a.meta;
            let created = ops::create_client(
                &ctx,
                NewClientRequest {
                    name: a.name,
                    redirect_uris: a.redirect_uris,
                    public: a.public,
                    pkce: Some(a.pkce.into()),
                    first_party: Some(!a.third_party),
                    id_token_alg: a.id_token_alg,
                    logo_uri: m.logo_uri,
                    client_uri: m.client_uri,
                    policy_uri: m.policy_uri,
                    tos_uri: m.tos_uri,
                    brand_color: m.brand_color,
                    allowed_scopes: scopes(m.allowed_scopes),
                    access_token_ttl_seconds: m.access_token_ttl,
                    id_token_ttl_seconds: m.id_token_ttl,
                    refresh_token_ttl_seconds: m.refresh_token_ttl,
                    backchannel_logout_uri: m.backchannel_logout_uri,
                    backchannel_logout_session_required: m.backchannel_logout_session_required,
                    post_logout_redirect_uris: Some(a.post_logout_redirect_uris),
                    grant_types: Some(a.grant_types),
                    always_issue_refresh_token: Some(a.always_refresh),
                    scope: Some(a.scope),
                    claims: Some(m.claims.into_iter().collect()),
                },
            )
            .await?;
            if a.json {
                return print_json(&created);
            }
            out!("Client registered.");
            out!("  client_id:     {}", created.client.client_id);
            match &created.client_secret {
                Some(s) => {
                    out!("  client_secret: {s}");
                    out!("The secret is shown only now; Sesame stores only a keyed hash of it.");
                }
                None => out!("  (public client: no secret; PKCE with S256 is required)"),
            }
        }
        ClientsCommand::List {
            limit,
            cursor,
            json,
        } => {
            let page = ops::list_clients(&ctx, &PageParams { limit, cursor }, None).await?;
            if json {
                return print_json(&page);
            }
            let rows: Vec<Vec<String>> = page
                .items
                .iter()
                .map(|c| {
                    vec![
                        c.client_id.clone(),
                        c.name.chars().take(24).collect(),
                        if c.public { "public" } else { "confidential" }.into(),
                        match c.pkce {
                            ops::PkcePolicy::Required => "yes",
                            ops::PkcePolicy::Optional => "opt",
                        }
                        .into(),
                        c.redirect_uris.join(" "),
                    ]
                })
                .collect();
            table(
                &["CLIENT ID", "NAME", "TYPE", "PKCE", "REDIRECT URIS"],
                &rows,
            );
            more(&page.next_cursor);
        }
        ClientsCommand::Get { client_id, json } => {
            let c = ops::get_client(&ctx, &client_id).await?;
            if json {
                return print_json(&c);
            }
            print_client(&c);
        }
        ClientsCommand::Update(u) => {
            let json = u.json;
            let id = u.client_id.clone();
            let patch = patch_of(&env, *u).await?;
            let c = ops::update_client(&ctx, &id, patch).await?;
            if json {
                return print_json(&c);
            }
            out!("Client updated.");
            print_client(&c);
        }
        ClientsCommand::RotateSecret { client_id, json } => {
            let s = ops::rotate_secret(&ctx, &client_id).await?;
            if json {
                return print_json(&s);
            }
            out!("New secret for {}:", s.client_id);
            out!("  client_secret: {}", s.client_secret);
            out!("The old secret no longer works. This one is shown only now.");
        }
        ClientsCommand::Remove { client_id, json } => {
            let existed = ops::delete_client(&ctx, &client_id).await?;
            if json {
                return print_json(
                    &serde_json::json!({ "client_id": client_id, "deleted": existed }),
                );
            }
            if !existed {
                return Err(format!("no client with id {client_id}").into());
            }
            out!("Client {client_id} removed.");
        }
    }
    Ok(())
}

/// Turns `update`'s options into the merge patch the API takes.
async fn patch_of(
    env: &Env<'_>,
    u: UpdateClient,
) -> Result<ClientPatch, Box<dyn std::error::Error>> {
    let mut p = ClientPatch {
        name: u.name,
        pkce: u.pkce.map(Into::into),
        first_party: if u.first_party {
            Some(true)
        } else if u.third_party {
            Some(false)
        } else {
            None
        },
        id_token_alg: u.id_token_alg,
        ..Default::default()
    };
    if !u.redirect_uris.is_empty() {
        p.redirect_uris = Some(u.redirect_uris);
    }
    if !u.add_redirect_uris.is_empty() || !u.remove_redirect_uris.is_empty() {
        let current = env
            .store
            .get_client(&u.client_id)
            .await?
            .ok_or_else(|| format!("no client with id {}", u.client_id))?;
        let mut uris = p.redirect_uris.take().unwrap_or(current.redirect_uris);
        for add in u.add_redirect_uris {
            if !uris.contains(&add) {
                uris.push(add);
            }
        }
        uris.retain(|x| !u.remove_redirect_uris.contains(x));
        p.redirect_uris = Some(uris);
    }
    let m = u.meta;
    let set = |v: Option<String>| v.map(Some);
    p.logo_uri = set(m.logo_uri);
    p.client_uri = set(m.client_uri);
    p.policy_uri = set(m.policy_uri);
    p.tos_uri = set(m.tos_uri);
    p.brand_color = set(m.brand_color);
    p.allowed_scopes = scopes(m.allowed_scopes).map(Some);
    p.access_token_ttl_seconds = m.access_token_ttl.map(Some);
    p.id_token_ttl_seconds = m.id_token_ttl.map(Some);
    p.refresh_token_ttl_seconds = m.refresh_token_ttl.map(Some);
    p.backchannel_logout_uri = set(m.backchannel_logout_uri);
    p.backchannel_logout_session_required = m.backchannel_logout_session_required;
    if !m.claims.is_empty() || !u.remove_claims.is_empty() {
        let mut claims: std::collections::BTreeMap<String, Option<String>> =
            u.remove_claims.into_iter().map(|c| (c, None)).collect();
        claims.extend(m.claims.into_iter().map(|(c, a)| (c, Some(a))));
        p.claims = Some(Some(claims));
    }
    for c in u.clear {
        match c {
            Clearable::LogoUri => p.logo_uri = Some(None),
            Clearable::ClientUri => p.client_uri = Some(None),
            Clearable::PolicyUri => p.policy_uri = Some(None),
            Clearable::TosUri => p.tos_uri = Some(None),
            Clearable::BrandColor => p.brand_color = Some(None),
            Clearable::AllowedScopes => p.allowed_scopes = Some(None),
            Clearable::AccessTokenTtl => p.access_token_ttl_seconds = Some(None),
            Clearable::IdTokenTtl => p.id_token_ttl_seconds = Some(None),
            Clearable::RefreshTokenTtl => p.refresh_token_ttl_seconds = Some(None),
            Clearable::BackchannelLogoutUri => p.backchannel_logout_uri = Some(None),
            Clearable::Claims => p.claims = Some(None),
        }
    }
    Ok(p)
}
