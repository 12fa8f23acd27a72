//! `read_analytics`: what Herald itself knows about how publishing went,
//! per account over a period: how many targets were published, failed,
//! are scheduled or going out, and the published posts' links. Herald does
//! not read reach, views or likes from the platforms yet, and says so
//! (`platform_metrics: false`) rather than inventing numbers.

use std::collections::BTreeMap;

use herald_core::{ConnectionId, Named};
use herald_publishing::{PostView, TargetStatus};
use schemars::JsonSchema;
use serde::Serialize;

use super::views::instant;

/// Publishing per account over a period.
#[derive(Debug, Serialize, JsonSchema)]
pub(super) struct Analytics {
    /// The period: posts whose time (scheduled, else created) is in `[from, to)`.
    pub from: String,
    pub to: String,
    /// Whether platform metrics (reach, views, likes) are included: not yet, so always false.
    pub platform_metrics: bool,
    pub accounts: Vec<AccountActivity>,
}

/// One account's publishing in the period.
#[derive(Debug, Default, PartialEq, Eq, Serialize, JsonSchema)]
pub(super) struct AccountActivity {
    /// `None` for an account removed from the workspace since.
    pub connection_id: Option<String>,
    pub provider: String,
    pub account_name: String,
    pub published: u32,
    pub failed: u32,
    pub scheduled: u32,
    pub publishing: u32,
    pub drafts: u32,
    pub cancelled: u32,
    /// The published posts, oldest first, with their links on the platform.
    pub published_posts: Vec<Published>,
}

#[derive(Debug, PartialEq, Eq, Serialize, JsonSchema)]
pub(super) struct Published {
    pub post_id: String,
    pub target_id: String,
    pub published_at: Option<String>,
    pub permalink: Option<String>,
}

/// Each account's activity in `posts` (one account's only, with `only`),
/// by account name.
pub(super) fn activity(posts: &[PostView], only: Option<&ConnectionId>) -> Vec<AccountActivity> {
    let mut by_account: BTreeMap<(String, String, Option<String>), AccountActivity> =
        BTreeMap::new();
    for post in posts {
        for t in &post.targets {
            if only.is_some_and(|id| t.connection_id.as_ref() != Some(id)) {
                continue;
            }
            let connection_id = t.connection_id.as_ref().map(ToString::to_string);
            let key = (
                t.account_name.clone(),
                t.provider.as_str().to_owned(),
                connection_id.clone(),
            );
            let a = by_account.entry(key).or_insert_with(|| AccountActivity {
                connection_id,
                provider: t.provider.as_str().to_owned(),
                account_name: t.account_name.clone(),
                ..AccountActivity::default()
            });
            let count = match t.status {
                TargetStatus::Published => &mut a.published,
                TargetStatus::Failed => &mut a.failed,
                TargetStatus::Scheduled => &mut a.scheduled,
                TargetStatus::Publishing => &mut a.publishing,
                TargetStatus::Draft => &mut a.drafts,
                TargetStatus::Cancelled => &mut a.cancelled,
            };
            *count += 1;
            if t.status == TargetStatus::Published {
                a.published_posts.push(Published {
                    post_id: post.id.to_string(),
                    target_id: t.id.to_string(),
                    published_at: t.published_at.map(instant),
                    permalink: t.permalink.clone(),
                });
            }
        }
    }
    let mut out: Vec<AccountActivity> = by_account.into_values().collect();
    for a in &mut out {
        a.published_posts
            .sort_by(|x, y| x.published_at.cmp(&y.published_at));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use herald_core::{PostId, TargetId, Timestamp};
    use herald_platforms::{AccountKind, ProviderId};
    use herald_publishing::{PostStatus, TargetView, Variant};

    fn target(id: &str, conn: Option<&str>, name: &str, status: TargetStatus) -> TargetView {
        let published = status == TargetStatus::Published;
        TargetView {
            id: TargetId(id.to_owned()),
            connection_id: conn.map(|c| ConnectionId(c.to_owned())),
            provider: ProviderId::TikTok,
            kind: AccountKind::TikTokUser,
            account_name: name.to_owned(),
            status,
            variant: Variant::default(),
            idempotency_key: format!("k-{id}"),
            due_at: None,
            attempts: 1,
            remote_id: None,
            permalink: published.then(|| format!("https://tiktok.example/{id}")),
            error_kind: None,
            error_message: None,
            error_detail: None,
            published_at: published
                .then(|| Timestamp::from_second(1_700_000_000 + id.len() as i64).unwrap()),
        }
    }

    fn post(id: &str, targets: Vec<TargetView>) -> PostView {
        PostView {
            id: PostId::from(id),
            workspace_id: 1,
            status: PostStatus::of(&targets.iter().map(|t| t.status).collect::<Vec<_>>()),
            schedule: None,
            scheduled_at: None,
            created_by: Some(1),
            created_at: Timestamp::UNIX_EPOCH,
            updated_at: Timestamp::UNIX_EPOCH,
            review: herald_publishing::ReviewState::None,
            held_at: None,
            targets,
        }
    }

    #[test]
    fn targets_are_counted_per_account_with_the_links_of_what_went_out() {
        use TargetStatus as S;
        let posts = [
            post(
                "p1",
                vec![
                    target("a1", Some("c-a"), "Alpha", S::Published),
                    target("b1", Some("c-b"), "Beta", S::Failed),
                ],
            ),
            post(
                "p2",
                vec![target("a22", Some("c-a"), "Alpha", S::Published)],
            ),
            post("p3", vec![target("a3", Some("c-a"), "Alpha", S::Scheduled)]),
            // An account removed since: kept apart, by its name.
            post("p4", vec![target("g4", None, "Gone", S::Cancelled)]),
        ];
        let all = activity(&posts, None);
        let names: Vec<&str> = all.iter().map(|a| a.account_name.as_str()).collect();
        assert_eq!(names, ["Alpha", "Beta", "Gone"]);
        let alpha = &all[0];
        assert_eq!((alpha.published, alpha.failed, alpha.scheduled), (2, 0, 1));
        assert_eq!(alpha.connection_id.as_deref(), Some("c-a"));
        let links: Vec<_> = alpha
            .published_posts
            .iter()
            .map(|p| (p.post_id.as_str(), p.permalink.as_deref()))
            .collect();
        assert_eq!(
            links,
            [
                ("p1", Some("https://tiktok.example/a1")),
                ("p2", Some("https://tiktok.example/a22")),
            ]
        );
        assert_eq!((all[1].failed, all[1].published), (1, 0));
        assert_eq!((all[2].cancelled, all[2].connection_id.clone()), (1, None));

        let beta = activity(&posts, Some(&ConnectionId("c-b".to_owned())));
        assert_eq!(beta.len(), 1);
        assert_eq!(beta[0].account_name, "Beta");
        assert!(activity(&posts, Some(&ConnectionId("c-none".to_owned()))).is_empty());
    }
}
