//! Who is calling (docs/safety.md, "HTTP tokens"): on stdio, the user's own AI client,
//! which sees every profile the endpoint exposes; on HTTP, the token the request carried,
//! which sees only its profiles and writes only with the `write` scope (and then still
//! only where the profile's own AI access allows).
//!
//! The HTTP layer puts the caller into the request; the server scopes each request's
//! handling with it, so every lookup of a profile below sees it without being passed it.

use std::sync::Arc;

use dbdock_core::{Access, TokenInfo, TokenScope};
use rmcp::RoleServer;
use rmcp::service::RequestContext;

#[derive(Debug, Clone)]
pub(crate) enum Caller {
    /// The client on stdio, or code that runs outside any request.
    Local,
    /// A request that carried this token.
    Token(Arc<TokenInfo>),
    /// An HTTP request that reached the server without a token (which the HTTP layer
    /// never lets through): it sees nothing.
    Nobody,
}

tokio::task_local! {
    static CALLER: Caller;
}

impl Caller {
    /// The caller of the request `ctx` belongs to, on a server of `transport`.
    pub(crate) fn of(ctx: &RequestContext<RoleServer>, transport: &str) -> Caller {
        let carried = ctx.extensions.get::<http::request::Parts>().and_then(|p| p.extensions.get::<Caller>());
        match carried {
            Some(caller) => caller.clone(),
            // Every HTTP request passes the token check, which puts its caller in.
            None if transport == "http" => Caller::Nobody,
            None => Caller::Local,
        }
    }

    /// The caller of the request being served on this task ([`Caller::Local`] outside one).
    pub(crate) fn current() -> Caller {
        CALLER.try_with(Caller::clone).unwrap_or(Caller::Local)
    }

    /// Runs `work` as this caller.
    pub(crate) async fn scope<F: Future>(self, work: F) -> F::Output {
        CALLER.scope(self, work).await
    }

    /// Whether this caller may see the profile `name` at all.
    pub(crate) fn sees(&self, name: &str) -> bool {
        match self {
            Caller::Local => true,
            Caller::Token(token) => token.sees(name),
            Caller::Nobody => false,
        }
    }

    /// A profile's AI access as this caller has it: without the `write` scope a token
    /// reads only, whatever the profile allows.
    pub(crate) fn access(&self, profile: Access) -> Access {
        match self {
            Caller::Token(token) if !token.has(TokenScope::Write) && profile != Access::None => Access::ReadOnly,
            Caller::Nobody => Access::None,
            _ => profile,
        }
    }

    /// The token's name, for the audit log and the metrics.
    pub(crate) fn token_name(&self) -> Option<&str> {
        match self {
            Caller::Token(token) => Some(&token.name),
            _ => None,
        }
    }
}
