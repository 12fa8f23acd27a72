//! Engaging as an Instagram professional account: the same calls on
//! graph.facebook.com (business accounts reached through their Page, with
//! the Page token) and graph.instagram.com (Instagram Login).
//!
//! Reply `POST /{ig-comment-id}/replies` (a reply to a reply joins the
//! top-level comment), hide `POST /{ig-comment-id}?hide=`, delete `DELETE
//! /{ig-comment-id}`, and `POST /{ig-user-id}/messages`: a private reply
//! with `recipient={"comment_id"}` (once per comment, within 7 days of
//! it), a message with `recipient={"id"}` (within 24 hours of the
//! person's last message). Comments arrive by webhook, so there is no
//! listing.

use async_trait::async_trait;
use serde_json::json;

use super::graph::GraphApi;
use super::{
    Abilities, Acted, Action, CommentPage, EngageAccount, EngageError, EngageRefusal, Engager,
};
use crate::client::{Method, PlatformClient};
use crate::publish::instagram::InstagramApi;
use crate::{AccountKind, Hosts};

/// Engages as an Instagram account of one flavour.
pub struct InstagramEngager {
    api: InstagramApi,
    graph: GraphApi,
}

impl InstagramEngager {
    pub fn new(hosts: Hosts, api: InstagramApi, client: PlatformClient) -> Self {
        InstagramEngager {
            api,
            graph: GraphApi::new(hosts, client, api.provider(), api.host()),
        }
    }
}

#[async_trait]
impl Engager for InstagramEngager {
    fn kind(&self) -> AccountKind {
        self.api.account_kind()
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
        let graph = &self.graph;
        match action {
            Action::ReplyToComment { comment_id, text } => {
                let call = graph
                    .call(
                        account,
                        "instagram.comment_reply",
                        Method::Post,
                        &format!("/{comment_id}/replies"),
                    )
                    .form(&[("message", text.as_str())]);
                graph.create(call).await
            }
            Action::PrivateReply { comment_id, text } => {
                graph
                    .message(
                        account,
                        "instagram.private_reply",
                        json!({ "comment_id": comment_id }),
                        text,
                        None,
                    )
                    .await
            }
            Action::SendMessage { recipient_id, text } => {
                graph
                    .message(
                        account,
                        "instagram.message",
                        json!({ "id": recipient_id }),
                        text,
                        None,
                    )
                    .await
            }
            Action::HideComment { comment_id, hidden } => {
                let call = graph
                    .call(
                        account,
                        "instagram.comment_hide",
                        Method::Post,
                        &format!("/{comment_id}"),
                    )
                    .query("hide", hidden.to_string())
                    .idempotent(true);
                graph.succeed(call).await
            }
            Action::DeleteComment { comment_id } => {
                let call = graph.call(
                    account,
                    "instagram.comment_delete",
                    Method::Delete,
                    &format!("/{comment_id}"),
                );
                graph.succeed(call).await
            }
        }
    }

    async fn comments(
        &self,
        _account: &EngageAccount,
        _page: Option<&str>,
    ) -> Result<CommentPage, EngageError> {
        // Instagram comments arrive by webhook (`comments`, `mentions`).
        Err(EngageError::Refused(EngageRefusal::Unsupported))
    }
}
