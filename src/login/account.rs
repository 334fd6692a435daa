//! The person's own profile page (`/account/profile`): the OIDC profile claims they may
//! set (all empty by default), released to apps only with the `profile` (and `address`)
//! scope. It needs the browser's single sign-on session.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use serde_json::json;
use tower_sessions::Session;

use crate::audit::AuditEvent;
use crate::csrf::{self, CsrfForm, CsrfProtected};
use crate::error::PageError;
use crate::forms::PageQuery;
use crate::i18n::web::PageLang;
use crate::i18n::{Msg, Tr};
use crate::state::AppState;
use crate::store::profile::Profile;

pub const PROFILE_PATH: &str = "/account/profile";

pub fn routes() -> Router<AppState> {
    Router::new().route(PROFILE_PATH, get(show).post(save))
}

/// The form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    pub name: String,
    pub given_name: String,
    pub family_name: String,
    pub middle_name: String,
    pub nickname: String,
    pub preferred_username: String,
    pub profile: String,
    pub picture: String,
    pub website: String,
    pub gender: String,
    pub birthdate: String,
    pub zoneinfo: String,
    pub locale: String,
    pub address: String,
    pub country: String,
}

impl ProfileForm {
    fn from_profile(p: &Profile) -> ProfileForm {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        let address: serde_json::Value = p
            .address
            .as_deref()
            .and_then(|a| serde_json::from_str(a).ok())
            .unwrap_or_default();
        let part = |k: &str| address[k].as_str().unwrap_or("").to_string();
        ProfileForm {
            name: s(&p.name),
            given_name: s(&p.given_name),
            family_name: s(&p.family_name),
            middle_name: s(&p.middle_name),
            nickname: s(&p.nickname),
            preferred_username: s(&p.preferred_username),
            profile: s(&p.profile),
            picture: s(&p.picture),
            website: s(&p.website),
            gender: s(&p.gender),
            birthdate: s(&p.birthdate),
            zoneinfo: s(&p.zoneinfo),
            locale: s(&p.locale),
            address: part("formatted"),
            country: part("country"),
        }
    }
}

/// `what` is the catalog key of the field's label.
fn text(v: &str, what: &str, max: usize) -> Result<Option<String>, Msg> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if v.chars().count() > max || v.chars().any(char::is_control) {
        return Err(Msg::new("profile-error-length")
            .arg("field", Msg::new(what))
            .arg("max", i64::try_from(max).unwrap_or(i64::MAX)));
    }
    Ok(Some(v.to_string()))
}

fn https_url(v: &str, what: &str) -> Result<Option<String>, Msg> {
    let Some(v) = text(v, what, 500)? else {
        return Ok(None);
    };
    match url::Url::parse(&v) {
        Ok(u) if u.scheme() == "https" && u.host().is_some() => Ok(Some(v)),
        _ => Err(Msg::new("profile-error-url").arg("field", Msg::new(what))),
    }
}

/// `YYYY-MM-DD`, `YYYY`, or `0000-MM-DD` when the year is withheld (OIDC Core 5.1).
pub fn birthdate_is_valid(v: &str) -> bool {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    match v.split('-').collect::<Vec<_>>()[..] {
        [y] => digits(y, 4),
        [y, m, d] if digits(y, 4) && digits(m, 2) && digits(d, 2) => {
            let (m, d): (u32, u32) = (m.parse().unwrap_or(0), d.parse().unwrap_or(0));
            (1..=12).contains(&m) && (1..=31).contains(&d)
        }
        _ => false,
    }
}

/// Checks and normalises a profile form (pure; tested without HTTP).
pub fn validate(f: &ProfileForm) -> Result<Profile, Vec<Msg>> {
    let mut errors = Vec::new();
    let mut take = |r: Result<Option<String>, Msg>| match r {
        Ok(v) => v,
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let birthdate = take(text(&f.birthdate, "profile-birthdate", 10));
    let zoneinfo = take(text(&f.zoneinfo, "profile-zoneinfo", 64));
    let locale = take(text(&f.locale, "profile-locale", 35));
    let p = Profile {
        name: take(text(&f.name, "profile-name", 200)),
        given_name: take(text(&f.given_name, "profile-given-name", 100)),
        family_name: take(text(&f.family_name, "profile-family-name", 100)),
        middle_name: take(text(&f.middle_name, "profile-middle-name", 100)),
        nickname: take(text(&f.nickname, "profile-nickname", 100)),
        preferred_username: take(text(&f.preferred_username, "profile-username", 100)),
        profile: take(https_url(&f.profile, "profile-profile")),
        picture: take(https_url(&f.picture, "profile-picture")),
        website: take(https_url(&f.website, "profile-website")),
        gender: take(text(&f.gender, "profile-gender", 50)),
        birthdate: None,
        zoneinfo: None,
        locale: None,
        address: None,
        updated_at: 0,
    };
    let formatted = take(text(&f.address, "profile-address", 300));
    let country = take(text(&f.country, "profile-country", 64));
    let mut p = p;
    if let Some(b) = birthdate {
        if birthdate_is_valid(&b) {
            p.birthdate = Some(b);
        } else {
            errors.push(Msg::new("profile-error-birthdate"));
        }
    }
    if let Some(z) = zoneinfo {
        if z.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'_' | b'-' | b'+'))
        {
            p.zoneinfo = Some(z);
        } else {
            errors.push(Msg::new("profile-error-zoneinfo"));
        }
    }
    if let Some(l) = locale {
        let ok = l.split(['-', '_']).enumerate().all(|(i, part)| {
            let n = part.len();
            part.bytes().all(|b| b.is_ascii_alphanumeric())
                && if i == 0 {
                    (2..=3).contains(&n)
                } else {
                    (2..=8).contains(&n)
                }
        });
        if ok {
            p.locale = Some(l);
        } else {
            errors.push(Msg::new("profile-error-locale"));
        }
    }
    if formatted.is_some() || country.is_some() {
        let mut a = serde_json::Map::new();
        if let Some(f) = formatted {
            a.insert("formatted".into(), json!(f));
        }
        if let Some(c) = country {
            a.insert("country".into(), json!(c));
        }
        p.address = Some(serde_json::Value::Object(a).to_string());
    }
    if errors.is_empty() {
        Ok(p)
    } else {
        Err(errors)
    }
}

#[derive(askama::Template)]
#[template(path = "account_profile.html")]
struct ProfilePage<'a> {
    t: Tr<'a>,
    /// Who is signed in, as the pages say it.
    who: &'a str,
    csrf: &'a str,
    f: &'a ProfileForm,
    errors: Vec<String>,
    saved: bool,
}

#[derive(Deserialize)]
struct SavedQuery {
    #[serde(default)]
    saved: Option<String>,
}

/// The page for a browser with no single sign-on session (the account pages need one).
pub(super) fn not_signed_in() -> PageError {
    PageError::keyed(StatusCode::UNAUTHORIZED, "error-not-signed-in")
}

async fn show(
    State(state): State<AppState>,
    session: Session,
    PageLang(lang): PageLang,
    PageQuery(q): PageQuery<SavedQuery>,
) -> Result<Response, PageError> {
    let sso = crate::sso::current(&session)
        .await?
        .ok_or_else(not_signed_in)?;
    let profile = state
        .store
        .get_profile(&sso.user_id)
        .await?
        .ok_or_else(not_signed_in)?;
    let csrf = csrf::token(&session).await?;
    let t = state.i18n.tr(lang);
    let who = super::consent::who(&state, &sso.user_id, &t).await?;
    crate::error::render(&ProfilePage {
        t,
        who: &who,
        csrf: &csrf,
        f: &ProfileForm::from_profile(&profile),
        errors: vec![],
        saved: q.saved.is_some(),
    })
}

#[derive(Deserialize)]
struct SaveForm {
    csrf: String,
    #[serde(flatten)]
    profile: ProfileForm,
}

impl CsrfProtected for SaveForm {
    fn csrf(&self) -> &str {
        &self.csrf
    }
}

async fn save(
    State(state): State<AppState>,
    session: Session,
    PageLang(lang): PageLang,
    CsrfForm(form): CsrfForm<SaveForm>,
) -> Result<Response, PageError> {
    let sso = crate::sso::current(&session)
        .await?
        .ok_or_else(not_signed_in)?;
    match validate(&form.profile) {
        Ok(p) => {
            if !state
                .store
                .set_profile(&sso.user_id, &p, state.now())
                .await?
            {
                return Err(not_signed_in());
            }
            state
                .audit(AuditEvent::ProfileUpdated {}, Some(&sso.user_id), None)
                .await;
            Ok(Redirect::to(&format!("{PROFILE_PATH}?saved=1")).into_response())
        }
        Err(errors) => {
            let t = state.i18n.tr(lang);
            let who = super::consent::who(&state, &sso.user_id, &t).await?;
            let errors = errors.iter().map(|e| t.msg(e)).collect();
            let html = askama::Template::render(&ProfilePage {
                t,
                who: &who,
                csrf: &form.csrf,
                f: &form.profile,
                errors,
                saved: false,
            })?;
            Ok((StatusCode::BAD_REQUEST, Html(html)).into_response())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_valid_form_becomes_a_profile_and_empty_fields_stay_empty() {
        let f = ProfileForm {
            name: " Ada Lovelace ".into(),
            website: "https://ada.example".into(),
            birthdate: "1815-12-10".into(),
            locale: "en-GB".into(),
            zoneinfo: "Europe/London".into(),
            country: "GB".into(),
            ..ProfileForm::default()
        };
        let p = validate(&f).unwrap();
        assert_eq!(p.name.as_deref(), Some("Ada Lovelace"));
        assert_eq!(p.given_name, None);
        assert_eq!(p.address.as_deref(), Some(r#"{"country":"GB"}"#));
        assert_eq!(
            validate(&ProfileForm::default()).unwrap(),
            Profile::default()
        );
    }

    #[test]
    fn bad_values_are_each_explained() {
        let f = ProfileForm {
            website: "http://insecure.example".into(),
            picture: "javascript:alert(1)".into(),
            birthdate: "10/12/1815".into(),
            locale: "english please".into(),
            zoneinfo: "Mars Base".into(),
            name: "x".repeat(201),
            ..ProfileForm::default()
        };
        let errors = validate(&f).unwrap_err();
        assert_eq!(errors.len(), 6, "{errors:?}");
    }

    #[test]
    fn birthdates_follow_oidc_core() {
        for ok in ["1815-12-10", "1815", "0000-12-10"] {
            assert!(birthdate_is_valid(ok), "{ok}");
        }
        for bad in ["1815-13-10", "15-12-10", "1815-12", "18151210", ""] {
            assert!(!birthdate_is_valid(bad), "{bad}");
        }
    }
}
