//! One function per scenario: what it prepares, and the unit of work it measures.

use std::sync::{Arc, Mutex};

use crate::args::Scenario;
use crate::flows::{Ctx, Tokens};
use crate::server::{Backend, Server};
use crate::{measure, prepare, report, Args, Sample, EXHAUSTED};

/// What every scenario of one backend's run needs.
pub struct Run<'a> {
    pub server: &'a Server,
    pub backend: Backend,
    pub args: &'a Args,
    pub ctx: &'a Ctx,
}

impl Run<'_> {
    /// Every scenario the arguments ask for, at concurrency `c`. `first`: the first run,
    /// which says why a scenario is skipped.
    pub async fn all(&self, c: usize, first: bool) -> Vec<Sample> {
        let mut out = Vec::new();
        let mut keep = |s: Option<Sample>| {
            if let Some(s) = s {
                report::progress(&s);
                out.push(s);
            }
        };
        if self.args.has(Scenario::Login) {
            keep(Some(self.login(c).await));
        }
        if self.args.has(Scenario::Exchange) {
            keep(Some(self.exchange(c).await));
        }
        let need_tokens = self.args.has(Scenario::Refresh)
            || self.args.has(Scenario::Userinfo)
            || self.args.has(Scenario::Introspection);
        let tokens = if need_tokens {
            self.tokens(c).await
        } else {
            Vec::new()
        };
        if self.args.has(Scenario::Refresh) {
            keep(self.refresh(c, &tokens, first).await);
        }
        if self.args.has(Scenario::ClientCredentials) {
            keep(self.client_credentials(c, first).await);
        }
        let ats: Vec<String> = tokens.iter().map(|t| t.access_token.clone()).collect();
        if self.args.has(Scenario::Userinfo) && !ats.is_empty() {
            keep(Some(self.userinfo(c, ats.clone()).await));
        }
        if self.args.has(Scenario::Introspection) && !ats.is_empty() {
            keep(self.introspection(c, ats, first).await);
        }
        if self.args.has(Scenario::Discovery) {
            keep(Some(self.discovery(c).await));
        }
        out
    }

    /// The full sign-in, from `/authorize` to userinfo.
    async fn login(&self, c: usize) -> Sample {
        let ctx = self.ctx.clone();
        measure(
            self.server,
            self.backend,
            Scenario::Login,
            c,
            self.args,
            vec![(); c],
            move |_| {
                let ctx = ctx.clone();
                async move { ((), ctx.full_login().await.map(|_| ())) }
            },
        )
        .await
    }

    /// The code grant alone, on codes prepared by the sign-in steps.
    async fn exchange(&self, c: usize) -> Sample {
        let want = ((750.0 * self.args.duration) as usize)
            .min(self.args.max_requests)
            .max(c);
        let c2 = self.ctx.clone();
        let codes = prepare(want, 32, move || {
            let ctx = c2.clone();
            async move { ctx.sign_in_to_code("openid email").await }
        })
        .await;
        let pool = Arc::new(Mutex::new(codes));
        let ctx = self.ctx.clone();
        measure(
            self.server,
            self.backend,
            Scenario::Exchange,
            c,
            self.args,
            vec![(); c],
            move |_| {
                let ctx = ctx.clone();
                let pool = pool.clone();
                async move {
                    let next = pool.lock().ok().and_then(|mut p| p.pop());
                    let Some((code, verifier)) = next else {
                        return ((), Err(EXHAUSTED.to_string()));
                    };
                    ((), ctx.exchange(&code, &verifier).await.map(|_| ()))
                }
            },
        )
        .await
    }

    /// One set of tokens per worker (with a refresh token when `offline_access` exists).
    async fn tokens(&self, c: usize) -> Vec<Tokens> {
        let offline = self.ctx.scopes.iter().any(|s| s == "offline_access");
        let scope = if offline {
            "openid email offline_access"
        } else {
            "openid email"
        };
        let c2 = self.ctx.clone();
        prepare(c, 16, move || {
            let ctx = c2.clone();
            async move {
                let (code, v) = ctx.sign_in_to_code(scope).await?;
                ctx.exchange(&code, &v).await
            }
        })
        .await
    }

    /// The refresh grant with rotation: each worker follows its own chain.
    async fn refresh(&self, c: usize, tokens: &[Tokens], first: bool) -> Option<Sample> {
        let rts: Vec<Option<String>> = tokens.iter().map(|t| t.refresh_token.clone()).collect();
        if !self.ctx.grant_types.iter().any(|g| g == "refresh_token")
            || !rts.iter().all(Option::is_some)
        {
            if first {
                eprintln!("  refresh: not advertised or no refresh token issued; skipped");
            }
            return None;
        }
        let ctx = self.ctx.clone();
        Some(
            measure(
                self.server,
                self.backend,
                Scenario::Refresh,
                c,
                self.args,
                rts,
                move |rt| {
                    let ctx = ctx.clone();
                    async move {
                        let Some(cur) = rt else {
                            return (None, Err("no refresh token".to_string()));
                        };
                        match ctx.refresh(&cur).await {
                            Ok(t) => (t.refresh_token.or(Some(cur)), Ok(())),
                            Err(e) => (Some(cur), Err(e)),
                        }
                    }
                },
            )
            .await,
        )
    }

    async fn client_credentials(&self, c: usize, first: bool) -> Option<Sample> {
        if !self
            .ctx
            .grant_types
            .iter()
            .any(|g| g == "client_credentials")
        {
            if first {
                eprintln!("  client_credentials: not advertised; skipped");
            }
            return None;
        }
        let ctx = self.ctx.clone();
        Some(
            measure(
                self.server,
                self.backend,
                Scenario::ClientCredentials,
                c,
                self.args,
                vec![(); c],
                move |_| {
                    let ctx = ctx.clone();
                    async move { ((), ctx.client_credentials().await.map(|_| ())) }
                },
            )
            .await,
        )
    }

    async fn userinfo(&self, c: usize, ats: Vec<String>) -> Sample {
        let ctx = self.ctx.clone();
        measure(
            self.server,
            self.backend,
            Scenario::Userinfo,
            c,
            self.args,
            ats,
            move |at| {
                let ctx = ctx.clone();
                async move {
                    let r = ctx.userinfo(&at).await;
                    (at, r)
                }
            },
        )
        .await
    }

    async fn introspection(&self, c: usize, ats: Vec<String>, first: bool) -> Option<Sample> {
        if self.ctx.introspection_endpoint.is_none() {
            if first {
                eprintln!("  introspection: not advertised; skipped");
            }
            return None;
        }
        let ctx = self.ctx.clone();
        Some(
            measure(
                self.server,
                self.backend,
                Scenario::Introspection,
                c,
                self.args,
                ats,
                move |at| {
                    let ctx = ctx.clone();
                    async move {
                        let r = ctx.introspect(&at).await;
                        (at, r)
                    }
                },
            )
            .await,
        )
    }

    /// The discovery document and the JWKS, alternating.
    async fn discovery(&self, c: usize) -> Sample {
        let ctx = self.ctx.clone();
        measure(
            self.server,
            self.backend,
            Scenario::Discovery,
            c,
            self.args,
            vec![0u64; c],
            move |i| {
                let ctx = ctx.clone();
                async move {
                    let path = if i % 2 == 0 {
                        "/.well-known/openid-configuration"
                    } else {
                        "/jwks"
                    };
                    (i + 1, ctx.get_ok(path).await)
                }
            },
        )
        .await
    }
}
