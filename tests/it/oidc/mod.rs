//! The protocol endpoints: authorize, token, refresh, revocation, userinfo, discovery, registration, logout.

mod acr;
mod authorize_errors;
mod backchannel_logout;
mod backchannel_recovery;
mod client_credentials;
mod core_flow;
mod device;
mod discovery;
mod form_post;
mod groups_claim;
mod key_rotation;
mod logout;
mod mapped_claims;
mod refresh;
mod registration;
mod revocation;
mod token_errors;
mod userinfo;
