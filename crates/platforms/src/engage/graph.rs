//! What the Graph engagers share, and Facebook Pages.
//!
//! [`GraphApi`] makes every call as the account (its token, its
//! rate-limit bucket, Graph's error dialect) and turns the Graph errors
//! that are platform rules into [`EngageRefusal`]s. Message texts travel
//! in form bodies, never in the query, so no one's words reach a log line.
//!
//! A Page answers comments under its posts (`POST /{comment-id}/comments`),
//! hides them (`POST /{comment-id}?is_hidden=`), deletes them (`DELETE
//! /{comment-id}`), and writes through Messenger (`POST
//! /{page-id}/messages`): a private reply with `recipient={"comment_id"}`,
//! or a message with `recipient={"id"}` and `messaging_type=RESPONSE`
//! within 24 hours of the person's last message.

use async_trait::async_trait;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::json;

use super::{
    Abilities, Acted, Action, CommentPage, EngageAccount, EngageError, EngageRefusal, Engager,
};
use crate::client::{Call, Method, PlatformClient};
use crate::meta::{GRAPH_VERSION, GraphDialect};
use crate::{AccountKind, Hosts, PlatformError, ProviderId};

/// One Graph host as one provider's app.
pub(super) struct GraphApi {
    hosts: Hosts,
    client: PlatformClient,
    provider: ProviderId,
    host: &'static str,
}

/// The answer of a call that creates something.
#[derive(Deserialize)]
struct IdReply {
    id: String,
}

/// The Send API's answer.
#[derive(Deserialize)]
struct SentReply {
    message_id: String,
}

/// The answer of an update or a delete.
#[derive(Deserialize)]
struct SuccessReply {
    #[serde(default)]
    success: bool,
}

impl GraphApi {
    pub(super) fn new(
        hosts: Hosts,
        client: PlatformClient,
        provider: ProviderId,
        host: &'static str,
    ) -> GraphApi {
        GraphApi {
            hosts,
            client,
            provider,
            host,
        }
    }

    /// A call to `path` (after the Graph version) as the account.
    pub(super) fn call(
        &self,
        account: &EngageAccount,
        endpoint: &'static str,
        method: Method,
        path: &str,
    ) -> Call {
        let url = self
            .hosts
            .url(self.host, &format!("/{GRAPH_VERSION}{path}"));
        Call::new(self.provider, endpoint, method, url)
            .bearer(&account.access_token)
            .bucket(account.account_id.clone())
    }

    async fn send<T: DeserializeOwned>(&self, call: Call) -> Result<T, EngageError> {
        let reply = self
            .client
            .send(&call, &GraphDialect(self.provider))
            .await
            .map_err(refused)?;
        Ok(reply.json(self.provider)?)
    }

    /// Creates a comment (never repeated blindly) and returns its id.
    pub(super) async fn create(&self, call: Call) -> Result<Acted, EngageError> {
        let reply: IdReply = self.send(call.idempotent(false)).await?;
        Ok(Acted {
            remote_id: Some(reply.id),
        })
    }

    /// Sends a message through `POST /{id}/messages` (never repeated
    /// blindly) and returns its id.
    pub(super) async fn message(
        &self,
        account: &EngageAccount,
        endpoint: &'static str,
        recipient: serde_json::Value,
        text: &str,
        messaging_type: Option<&str>,
    ) -> Result<Acted, EngageError> {
        let recipient = recipient.to_string();
        let message = json!({ "text": text }).to_string();
        let mut form = vec![
            ("recipient", recipient.as_str()),
            ("message", message.as_str()),
        ];
        if let Some(kind) = messaging_type {
            form.push(("messaging_type", kind));
        }
        let call = self
            .call(
                account,
                endpoint,
                Method::Post,
                &format!("/{}/messages", account.account_id),
            )
            .form(&form)
            .idempotent(false);
        let reply: SentReply = self.send(call).await?;
        Ok(Acted {
            remote_id: Some(reply.message_id),
        })
    }

    /// An update or a delete that answers `{"success": true}`.
    pub(super) async fn succeed(&self, call: Call) -> Result<Acted, EngageError> {
        let reply: SuccessReply = self.send(call).await?;
        if reply.success {
            Ok(Acted { remote_id: None })
        } else {
            Err(PlatformError::unexpected(self.provider, "no success in the answer").into())
        }
    }
}

/// A Graph error that is one of the platform's engagement rules, as its
/// refusal; anything else stays the classified platform error.
///
/// - `10/2018278`: the message is outside the 24-hour window.
/// - `10900` (already answered privately) and `10903` (cannot be answered
///   privately: older than 7 days).
/// - `100/33` (the object does not exist or the token cannot see it),
///   `100/2018001` (no such person to write to), `551` (the person is not
///   available).
/// - `200` without a subcode, "(#200) Permissions error": the account may
///   not do this to this comment (someone else's media or post). Graph
///   answers a missing moderation permission with the same code, so that
///   also reads as not allowed.
pub(super) fn refusal(error: &PlatformError) -> Option<EngageRefusal> {
    let code = error.code.as_deref()?;
    let (code, subcode) = match code.split_once('/') {
        Some((c, s)) => (c, Some(s)),
        None => (code, None),
    };
    Some(match (code, subcode) {
        ("10", Some("2018278")) => EngageRefusal::OutsideWindow,
        ("10900" | "10903", _) => EngageRefusal::PrivateReplyUsed,
        ("100", Some("33" | "2018001")) | ("551", _) => EngageRefusal::NotFound,
        ("200", None) => EngageRefusal::NotAllowed,
        _ => return None,
    })
}

/// A platform error as the engagement error it is.
fn refused(error: PlatformError) -> EngageError {
    match refusal(&error) {
        Some(refusal) => EngageError::Refused(refusal),
        None => EngageError::Platform(error),
    }
}

/// Engages as a Facebook Page, with the Page token.
pub struct FacebookPageEngager {
    api: GraphApi,
}

impl FacebookPageEngager {
    pub fn new(hosts: Hosts, client: PlatformClient) -> Self {
        FacebookPageEngager {
            api: GraphApi::new(hosts, client, ProviderId::Facebook, "graph.facebook.com"),
        }
    }
}

#[async_trait]
impl Engager for FacebookPageEngager {
    fn kind(&self) -> AccountKind {
        AccountKind::FacebookPage
    }

    fn abilities(&self) -> Abilities {
        Abilities {
            reply: true,
            private_reply: true,
            message: true,
            hide: true,
            delete: true,
        }
    }

    async fn act(&self, account: &EngageAccount, action: &Action) -> Result<Acted, EngageError> {
        let api = &self.api;
        match action {
            Action::ReplyToComment { comment_id, text } => {
                let call = api
                    .call(
                        account,
                        "facebook.comment_reply",
                        Method::Post,
                        &format!("/{comment_id}/comments"),
                    )
                    .form(&[("message", text.as_str())]);
                api.create(call).await
            }
            Action::PrivateReply { comment_id, text } => {
                api.message(
                    account,
                    "facebook.private_reply",
                    json!({ "comment_id": comment_id }),
                    text,
                    None,
                )
                .await
            }
            Action::SendMessage { recipient_id, text } => {
                api.message(
                    account,
                    "facebook.message",
                    json!({ "id": recipient_id }),
                    text,
                    Some("RESPONSE"),
                )
                .await
            }
            Action::HideComment { comment_id, hidden } => {
                let call = api
                    .call(
                        account,
                        "facebook.comment_hide",
                        Method::Post,
                        &format!("/{comment_id}"),
                    )
                    .query("is_hidden", hidden.to_string())
                    .idempotent(true);
                api.succeed(call).await
            }
            Action::DeleteComment { comment_id } => {
                let call = api.call(
                    account,
                    "facebook.comment_delete",
                    Method::Delete,
                    &format!("/{comment_id}"),
                );
                api.succeed(call).await
            }
        }
    }

    async fn comments(
        &self,
        _account: &EngageAccount,
        _page: Option<&str>,
    ) -> Result<CommentPage, EngageError> {
        // Page comments arrive by webhook (`feed`).
        Err(EngageError::Refused(EngageRefusal::Unsupported))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn error(code: &str) -> PlatformError {
        PlatformError::new(ProviderId::Facebook, ErrorKind::BadRequest, "m").with_code(code)
    }

    #[test]
    fn graph_rules_become_refusals() {
        for (code, refusal_) in [
            ("10/2018278", EngageRefusal::OutsideWindow),
            ("10900", EngageRefusal::PrivateReplyUsed),
            ("10903", EngageRefusal::PrivateReplyUsed),
            ("100/33", EngageRefusal::NotFound),
            ("100/2018001", EngageRefusal::NotFound),
            ("551", EngageRefusal::NotFound),
            ("551/1545041", EngageRefusal::NotFound),
            ("200", EngageRefusal::NotAllowed),
        ] {
            assert_eq!(refusal(&error(code)), Some(refusal_), "{code}");
        }
    }

    #[test]
    fn other_graph_errors_stay_platform_errors() {
        for code in ["10", "190/463", "100", "200/1", "4", "2", "9007/2207027"] {
            assert_eq!(refusal(&error(code)), None, "{code}");
            assert!(matches!(refused(error(code)), EngageError::Platform(_)));
        }
        let uncoded = PlatformError::new(ProviderId::Facebook, ErrorKind::Unavailable, "down");
        assert_eq!(refusal(&uncoded), None);
    }
}

/// Property tests: whatever code a Graph error carries, reading it as a
/// refusal never panics, and only the documented rule codes become one.
#[cfg(test)]
mod props {
    use proptest::prelude::*;

    use super::*;
    use crate::ErrorKind;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn any_code_reads_as_a_rule_or_stays_a_platform_error(
            code in prop_oneof![
                "[0-9]{0,7}(/[0-9]{0,8})?",
                ".{0,16}",
                prop::sample::select(vec!["10/2018278", "10900", "10903", "100/33", "100/2018001", "551", "200"])
                    .prop_map(str::to_owned),
            ],
        ) {
            let error = PlatformError::new(ProviderId::Instagram, ErrorKind::BadRequest, "m")
                .with_code(code.clone());
            let rule = ["10/2018278", "10900", "10903", "100/33", "100/2018001", "200"]
                .contains(&code.as_str())
                || code == "551"
                || code.starts_with("551/")
                || code.starts_with("10900/")
                || code.starts_with("10903/");
            prop_assert_eq!(refusal(&error).is_some(), rule, "{}", code);
        }
    }
}
