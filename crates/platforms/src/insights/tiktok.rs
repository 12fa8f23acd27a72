//! TikTok insights through the Display API: the user's counts
//! (`GET /v2/user/info/?fields=…follower_count,following_count,likes_count,video_count`,
//! scope `user.info.stats`) and their videos with view, like, comment and
//! share counts (`POST /v2/video/list/?fields=…` with `{"max_count":20,
//! "cursor":…}`, newest first, scope `video.list`).
//!
//! TikTok keeps no figures per day: [`max_days`](InsightsReader::max_days)
//! is 0 and Herald derives days from daily snapshots. Both endpoints allow
//! 600 requests per minute per app (platform-apis.md §2.4); Herald keeps to
//! half of that.

use std::time::Duration;

use async_trait::async_trait;
use herald_core::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;
use serde_json::json;

use super::{
    AccountDay, Budget, Facts, Fetched, InsightsAccount, InsightsReader, Normalized, Pace, Pacer,
    PostFacts, PostPage, paced, sum,
};
use crate::client::{Call, Method, PlatformClient};
use crate::tiktok::TikTokDialect;
use crate::{AccountKind, ErrorKind, Hosts, PlatformError, ProviderId};

const P: ProviderId = ProviderId::TikTok;
const SCOPE_STATS: &str = "user.info.stats";
const SCOPE_LIST: &str = "video.list";
const USER_FIELDS: &str = "open_id,follower_count,following_count,likes_count,video_count";
const VIDEO_FIELDS: &str = "id,create_time,share_url,title,video_description,like_count,comment_count,share_count,view_count";
/// The largest page `video/list/` gives.
const PAGE_SIZE: u32 = 20;
const TITLE_MAX_CHARS: usize = 200;

/// Reads a TikTok user's counts and videos.
pub struct TikTokInsights {
    hosts: Hosts,
    client: PlatformClient,
}

impl TikTokInsights {
    pub fn new(hosts: Hosts, client: PlatformClient) -> Self {
        TikTokInsights { hosts, client }
    }

    fn api(&self, path: &str) -> String {
        self.hosts.url("open.tiktokapis.com", path)
    }

    /// Sends one call, cleared with the pacer first; a missing permission
    /// names the scope the call needs.
    async fn send<T: serde::de::DeserializeOwned>(
        &self,
        call: Call,
        account: &InsightsAccount,
        pacer: &dyn Pacer,
        scope: &str,
    ) -> Result<T, PlatformError> {
        paced(pacer, P, account.kind, &account.account_id).await?;
        let reply = self
            .client
            .send(&call.bearer(&account.access_token), &TikTokDialect)
            .await
            .map_err(|mut e| {
                if let ErrorKind::Reconsent { scopes } = &mut e.kind
                    && scopes.is_empty()
                {
                    scopes.push(scope.to_owned());
                }
                e
            })?;
        reply.json(P)
    }
}

#[derive(Deserialize)]
struct Envelope<T> {
    data: Option<T>,
}

#[derive(Deserialize)]
struct UserData {
    user: Option<User>,
}

#[derive(Deserialize)]
struct User {
    follower_count: Option<i64>,
    following_count: Option<i64>,
    likes_count: Option<i64>,
    video_count: Option<i64>,
}

#[derive(Deserialize)]
struct VideoList {
    #[serde(default)]
    videos: Vec<Video>,
    #[serde(default)]
    cursor: Option<i64>,
    #[serde(default)]
    has_more: bool,
}

#[derive(Deserialize)]
struct Video {
    id: String,
    create_time: Option<i64>,
    share_url: Option<String>,
    title: Option<String>,
    video_description: Option<String>,
    view_count: Option<i64>,
    like_count: Option<i64>,
    comment_count: Option<i64>,
    share_count: Option<i64>,
}

impl Video {
    fn facts(&self) -> PostFacts {
        let mut raw = std::collections::BTreeMap::new();
        for (name, value) in [
            ("view_count", self.view_count),
            ("like_count", self.like_count),
            ("comment_count", self.comment_count),
            ("share_count", self.share_count),
        ] {
            if let Some(v) = value {
                raw.insert(name.to_owned(), v);
            }
        }
        let title = self
            .title
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .or(self.video_description.as_deref())
            .filter(|t| !t.trim().is_empty())
            .map(|t| t.chars().take(TITLE_MAX_CHARS).collect());
        PostFacts {
            remote_id: self.id.clone(),
            published_at: self.published_at(),
            format: Some("video".to_owned()),
            permalink: self.share_url.clone(),
            title,
            facts: Facts {
                normalized: Normalized {
                    views: self.view_count,
                    likes: self.like_count,
                    comments: self.comment_count,
                    shares: self.share_count,
                    engagements: sum(&[self.like_count, self.comment_count, self.share_count]),
                    ..Normalized::default()
                },
                raw,
            },
        }
    }

    fn published_at(&self) -> Option<Timestamp> {
        self.create_time
            .and_then(|s| Timestamp::from_second(s).ok())
    }
}

#[async_trait]
impl InsightsReader for TikTokInsights {
    fn kind(&self) -> AccountKind {
        AccountKind::TikTokUser
    }

    /// Half of the documented 600 requests per minute per app on each
    /// Display endpoint; per account a page a second at most.
    fn pace(&self) -> Pace {
        Pace {
            app: Budget {
                calls: 300,
                per: Duration::from_secs(60),
            },
            account: Budget {
                calls: 60,
                per: Duration::from_secs(60),
            },
        }
    }

    fn max_days(&self) -> u32 {
        0
    }

    fn lag_days(&self) -> u32 {
        0
    }

    async fn account_days(
        &self,
        _account: &InsightsAccount,
        _from: Date,
        _to: Date,
        _pacer: &dyn Pacer,
    ) -> Result<Fetched<Vec<AccountDay>>, PlatformError> {
        // TikTok has no figures per day to read.
        Ok(Fetched {
            value: Vec::new(),
            calls: 0,
        })
    }

    async fn snapshot(
        &self,
        account: &InsightsAccount,
        pacer: &dyn Pacer,
    ) -> Result<Fetched<Facts>, PlatformError> {
        let call = Call::new(
            P,
            "tiktok.user_info",
            Method::Get,
            self.api("/v2/user/info/"),
        )
        .query("fields", USER_FIELDS);
        let reply: Envelope<UserData> = self.send(call, account, pacer, SCOPE_STATS).await?;
        let user = reply
            .data
            .and_then(|d| d.user)
            .ok_or_else(|| PlatformError::unexpected(P, "user info without a user"))?;
        let mut raw = std::collections::BTreeMap::new();
        for (name, value) in [
            ("follower_count", user.follower_count),
            ("following_count", user.following_count),
            ("likes_count", user.likes_count),
            ("video_count", user.video_count),
        ] {
            if let Some(v) = value {
                raw.insert(name.to_owned(), v);
            }
        }
        Ok(Fetched {
            value: Facts {
                normalized: Normalized {
                    followers: user.follower_count,
                    ..Normalized::default()
                },
                raw,
            },
            calls: 1,
        })
    }

    async fn posts(
        &self,
        account: &InsightsAccount,
        since: Timestamp,
        page: Option<&str>,
        pacer: &dyn Pacer,
    ) -> Result<Fetched<PostPage>, PlatformError> {
        let mut body = json!({"max_count": PAGE_SIZE});
        if let Some(page) = page {
            let cursor: i64 = page.parse().map_err(|_| {
                PlatformError::new(P, ErrorKind::BadRequest, "not a TikTok video list cursor")
            })?;
            body["cursor"] = json!(cursor);
        }
        // A read sent as POST: safe to repeat.
        let call = Call::new(
            P,
            "tiktok.video_list",
            Method::Post,
            self.api("/v2/video/list/"),
        )
        .query("fields", VIDEO_FIELDS)
        .json(body)
        .idempotent(true);
        let reply: Envelope<VideoList> = self.send(call, account, pacer, SCOPE_LIST).await?;
        let list = reply
            .data
            .ok_or_else(|| PlatformError::unexpected(P, "a video list without data"))?;
        // Newest first: the page ends where videos get older than `since`.
        let reached_since = list
            .videos
            .iter()
            .any(|v| v.published_at().is_some_and(|at| at < since));
        let posts: Vec<PostFacts> = list
            .videos
            .iter()
            .filter(|v| v.published_at().is_none_or(|at| at >= since))
            .map(Video::facts)
            .collect();
        let next = (list.has_more && !reached_since && !list.videos.is_empty())
            .then_some(list.cursor)
            .flatten()
            .map(|c| c.to_string());
        Ok(Fetched {
            value: PostPage { posts, next },
            calls: 1,
        })
    }
}
