//! The values of the claims released about a person: [`super::claims`] decides which claims
//! are wanted; this reads what they need (the profile, the person's groups) from the store,
//! only when wanted, for the ID token, UserInfo and introspection alike.

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
