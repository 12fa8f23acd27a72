//! Engaging as a YouTube channel through the YouTube Data API v3.
//!
//! Replies are `comments.insert` (`snippet.parentId`, `textOriginal`) under
//! a top-level comment; hiding sets the moderation status to
//! `heldForReview` (showing again: `published`); deleting is
//! `comments.delete`, which YouTube allows only to a comment's author (a
//! channel owner hides someone else's comment instead). There are no
//! private replies or messages. YouTube sends no webhooks for comments, so
//! [`Engager::comments`] reads `commentThreads.list` for the whole channel
//! and flattens each thread into its top-level comment and every reply
//! (a thread carries only some replies; the rest come from
//! `comments.list?parentId=`).

use async_trait::async_trait;
use herald_core::Timestamp;
use serde::Deserialize;
use serde_json::json;

use super::{
    Abilities, Acted, Action, CommentPage, EngageAccount, EngageError, EngageRefusal, Engager,
    FetchedComment,
};
use crate::client::{Call, Method, PlatformClient};
use crate::youtube::GoogleDialect;
use crate::{AccountKind, Hosts, PlatformError, ProviderId};

const P: ProviderId = ProviderId::YouTube;
const DIALECT: GoogleDialect = GoogleDialect(P);
/// The most a listing returns per page.
const PAGE_SIZE: &str = "100";
/// Pages of replies read for one thread before giving up on the rest
/// (10,000 replies).
const MAX_REPLY_PAGES: usize = 100;

pub struct YouTubeEngager {
    hosts: Hosts,
    client: PlatformClient,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ThreadList {
    #[serde(default)]
    items: Vec<Thread>,
    #[serde(default)]
    next_page_token: Option<String>,
}

#[derive(Deserialize)]
struct Thread {
    snippet: ThreadSnippet,
    #[serde(default)]
    replies: Option<Replies>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ThreadSnippet {
    #[serde(default)]
    video_id: Option<String>,
    top_level_comment: Comment,
    #[serde(default)]
    total_reply_count: u64,
}

#[derive(Deserialize)]
struct Replies {
    #[serde(default)]
    comments: Vec<Comment>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CommentList {
    #[serde(default)]
    items: Vec<Comment>,
    #[serde(default)]
    next_page_token: Option<String>,
}

#[derive(Deserialize)]
struct Comment {
    id: String,
    snippet: CommentSnippet,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CommentSnippet {
    #[serde(default)]
    text_display: Option<String>,
    #[serde(default)]
    text_original: Option<String>,
    #[serde(default)]
    author_display_name: Option<String>,
    #[serde(default)]
    author_channel_id: Option<ChannelRef>,
    #[serde(default)]
    published_at: Option<String>,
}

#[derive(Deserialize)]
struct ChannelRef {
    value: String,
}

#[derive(Deserialize)]
struct Created {
    id: String,
}

impl Comment {
    fn fetched(self, account: &str, parent: Option<&str>, video: Option<&str>) -> FetchedComment {
        let author_id = self.snippet.author_channel_id.map(|c| c.value);
        FetchedComment {
            own: author_id.as_deref() == Some(account),
            remote_id: self.id,
            parent_id: parent.map(str::to_owned),
            media_id: video.map(str::to_owned),
            author_id,
            author_name: self.snippet.author_display_name,
            // Asked for as plain text; the original only comes to its
            // author.
            text: self.snippet.text_display.or(self.snippet.text_original),
            created_at: self
                .snippet
                .published_at
                .as_deref()
                .and_then(|t| t.parse::<Timestamp>().ok()),
        }
    }
}

/// A YouTube error that is a platform rule, as its refusal.
fn refusal(error: &PlatformError) -> Option<EngageRefusal> {
    Some(match error.code.as_deref()? {
        "commentNotFound" | "parentCommentNotFound" | "videoNotFound" | "channelNotFound" => {
            EngageRefusal::NotFound
        }
        "forbidden" | "operationNotSupported" | "parentCommentIsPrivate" | "commentsDisabled" => {
            EngageRefusal::NotAllowed
        }
        _ => return None,
    })
}

fn refused(error: PlatformError) -> EngageError {
    match refusal(&error) {
        Some(refusal) => EngageError::Refused(refusal),
        None => EngageError::Platform(error),
    }
}

/// The top-level comment of a thread: YouTube names replies
/// `{top-level id}.{reply}`, and replies go under the top-level comment.
fn thread_of(comment_id: &str) -> &str {
    comment_id
        .split_once('.')
        .map_or(comment_id, |(top, _)| top)
}

impl YouTubeEngager {
    pub fn new(hosts: Hosts, client: PlatformClient) -> Self {
        YouTubeEngager { hosts, client }
    }

    fn call(
        &self,
        account: &EngageAccount,
        endpoint: &'static str,
        method: Method,
        path: &str,
    ) -> Call {
        Call::new(
            P,
            endpoint,
            method,
            self.hosts.url("www.googleapis.com", path),
        )
        .bearer(&account.access_token)
    }

    async fn send(&self, call: Call) -> Result<crate::Reply, EngageError> {
        self.client.send(&call, &DIALECT).await.map_err(refused)
    }

    /// Every reply of a thread whose listing carried only some.
    async fn replies(
        &self,
        account: &EngageAccount,
        parent: &str,
    ) -> Result<Vec<Comment>, EngageError> {
        let mut all = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_REPLY_PAGES {
            let mut call = self
                .call(
                    account,
                    "youtube.comments_list",
                    Method::Get,
                    "/youtube/v3/comments",
                )
                .query("part", "snippet")
                .query("parentId", parent)
                .query("maxResults", PAGE_SIZE)
                .query("textFormat", "plainText");
            if let Some(token) = &token {
                call = call.query("pageToken", token.clone());
            }
            let page: CommentList = self.send(call).await?.json(P)?;
            all.extend(page.items);
            match page.next_page_token {
                Some(next) if !next.is_empty() => token = Some(next),
                _ => return Ok(all),
            }
        }
        Ok(all)
    }
}

#[async_trait]
impl Engager for YouTubeEngager {
    fn kind(&self) -> AccountKind {
        AccountKind::YouTubeChannel
    }

    fn abilities(&self) -> Abilities {
        Abilities {
            reply: true,
            private_reply: false,
            message: false,
            hide: true,
            delete: true,
        }
    }

    async fn act(&self, account: &EngageAccount, action: &Action) -> Result<Acted, EngageError> {
        match action {
            Action::ReplyToComment { comment_id, text } => {
                let call = self
                    .call(
                        account,
                        "youtube.comment_insert",
                        Method::Post,
                        "/youtube/v3/comments",
                    )
                    .query("part", "snippet")
                    .json(json!({
                        "snippet": {"parentId": thread_of(comment_id), "textOriginal": text}
                    }))
                    .idempotent(false);
                let created: Created = self.send(call).await?.json(P)?;
                Ok(Acted {
                    remote_id: Some(created.id),
                })
            }
            Action::HideComment { comment_id, hidden } => {
                let status = if *hidden {
                    "heldForReview"
                } else {
                    "published"
                };
                let call = self
                    .call(
                        account,
                        "youtube.comment_moderation",
                        Method::Post,
                        "/youtube/v3/comments/setModerationStatus",
                    )
                    .query("id", comment_id.clone())
                    .query("moderationStatus", status)
                    .idempotent(true);
                self.send(call).await?;
                Ok(Acted { remote_id: None })
            }
            Action::DeleteComment { comment_id } => {
                let call = self
                    .call(
                        account,
                        "youtube.comment_delete",
                        Method::Delete,
                        "/youtube/v3/comments",
                    )
                    .query("id", comment_id.clone());
                self.send(call).await?;
                Ok(Acted { remote_id: None })
            }
            Action::PrivateReply { .. } | Action::SendMessage { .. } => {
                Err(EngageError::Refused(EngageRefusal::Unsupported))
            }
        }
    }

    async fn comments(
        &self,
        account: &EngageAccount,
        page: Option<&str>,
    ) -> Result<CommentPage, EngageError> {
        let mut call = self
            .call(
                account,
                "youtube.comment_threads",
                Method::Get,
                "/youtube/v3/commentThreads",
            )
            .query("part", "snippet,replies")
            .query("allThreadsRelatedToChannelId", account.account_id.clone())
            .query("order", "time")
            .query("maxResults", PAGE_SIZE)
            .query("textFormat", "plainText");
        if let Some(token) = page {
            call = call.query("pageToken", token);
        }
        let list: ThreadList = self.send(call).await?.json(P)?;
        let mut comments = Vec::new();
        for thread in list.items {
            let snippet = thread.snippet;
            let video = snippet.video_id;
            let top = snippet.top_level_comment;
            let top_id = top.id.clone();
            let carried = thread.replies.map(|r| r.comments).unwrap_or_default();
            let replies = if (carried.len() as u64) < snippet.total_reply_count {
                self.replies(account, &top_id).await?
            } else {
                carried
            };
            comments.push(top.fetched(&account.account_id, None, video.as_deref()));
            comments.extend(
                replies
                    .into_iter()
                    .map(|r| r.fetched(&account.account_id, Some(&top_id), video.as_deref())),
            );
        }
        // Newest first; comments without a date last.
        comments.sort_by_key(|c| std::cmp::Reverse(c.created_at));
        Ok(CommentPage {
            comments,
            next: list.next_page_token.filter(|t| !t.is_empty()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn replies_are_made_under_their_threads_top_comment() {
        assert_eq!(thread_of("UgzAbc4AaABAg"), "UgzAbc4AaABAg");
        assert_eq!(thread_of("UgzAbc4AaABAg.9xYz"), "UgzAbc4AaABAg");
    }

    #[test]
    fn youtube_rules_become_refusals() {
        let error =
            |reason: &str| PlatformError::new(P, ErrorKind::BadRequest, "m").with_code(reason);
        assert_eq!(
            refusal(&error("commentNotFound")),
            Some(EngageRefusal::NotFound)
        );
        assert_eq!(
            refusal(&error("parentCommentNotFound")),
            Some(EngageRefusal::NotFound)
        );
        assert_eq!(
            refusal(&error("forbidden")),
            Some(EngageRefusal::NotAllowed)
        );
        assert_eq!(refusal(&error("quotaExceeded")), None);
        assert_eq!(refusal(&error("insufficientPermissions")), None);
        assert!(matches!(
            refused(error("processingFailure")),
            EngageError::Platform(_)
        ));
    }

    #[test]
    fn a_listed_comment_knows_its_author_thread_and_video() {
        let comment: Comment = serde_json::from_value(json!({
            "id": "Ugz1.r1",
            "snippet": {
                "textDisplay": "hi &amp; bye",
                "authorDisplayName": "Zoë",
                "authorChannelId": {"value": "UCown"},
                "publishedAt": "2026-01-01T10:00:00.000Z"
            }
        }))
        .unwrap();
        let fetched = comment.fetched("UCown", Some("Ugz1"), Some("vid"));
        assert!(fetched.own);
        assert_eq!(fetched.parent_id.as_deref(), Some("Ugz1"));
        assert_eq!(fetched.media_id.as_deref(), Some("vid"));
        assert_eq!(fetched.text.as_deref(), Some("hi &amp; bye"));
        assert_eq!(
            fetched.created_at,
            Some("2026-01-01T10:00:00Z".parse().unwrap())
        );
    }
}
