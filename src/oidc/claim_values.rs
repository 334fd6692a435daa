//! The values of the claims released about a person: [`super::claims`] decides which claims
//! are wanted; this reads what they need (the profile, the person's groups) from the store,
//! only when wanted, for the ID token, UserInfo and introspection alike; and the client's
//! mapped claims (person attributes under the claim names the client's mapping gives).
//!
//! Mapped claims come with the `openid` scope: an administrator chose to release that
//! attribute to that client by mapping it. Their names never shadow a standard or
//! registered claim (the mapping is refused), and are inserted only where no claim of that
//! name is set.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::claims::{self, Sources};
use crate::store::users::User;
use crate::store::{Store, StoreResult};

/// The values of the `wanted` user claims the person has.
pub async fn user_claims(
    store: &Store,
    user: &User,
    wanted: &BTreeSet<&'static str>,
) -> StoreResult<Map<String, Value>> {
    let profile = if claims::needs_profile(wanted) {
        store.get_profile(&user.id).await?
    } else {
        None
    };
    let groups = if claims::needs_groups(wanted) {
        Some(store.groups_of_user(&user.id).await?)
    } else {
        None
    };
    let sources = Sources {
        profile: profile.as_ref(),
        groups: groups.as_deref(),
    };
    Ok(claims::release(user, sources, wanted))
}

/// Adds the client's mapped claims about the person to `claims` (string values), without
/// replacing a claim already there.
pub async fn add_mapped_claims(
    store: &Store,
    client_id: &str,
    user_id: &str,
    claims: &mut Map<String, Value>,
) -> StoreResult<()> {
    for (name, value) in store.mapped_claims(client_id, user_id).await? {
        claims.entry(name).or_insert(Value::String(value));
    }
    Ok(())
}
