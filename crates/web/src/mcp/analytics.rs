//! `read_analytics`: what Herald itself knows about how publishing went,
//! per account over a period: how many targets were published, failed,
//! are scheduled or going out, and the published posts' links; beside it,
//! the platforms' own figures of each account (followers, views,
//! engagements, engagement rate) from analytics' summary, over its period
//! and the one before. A figure a platform does not report is `null`,
//! never a made-up zero.

use std::collections::BTreeMap;

use herald_analytics::{AccountSummary, Summary};
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
    /// Whether the platforms' own figures are included (`platform` of each account).
    pub platform_metrics: bool,
    /// The days the platforms' figures cover.
    pub platform_period: PlatformPeriod,
    pub accounts: Vec<AccountActivity>,
}

/// The days of the platforms' figures: `7d`, `30d` or `90d` up to `to`
/// (UTC days, inclusive), compared with as many days before.
#[derive(Debug, Serialize, JsonSchema)]
pub(super) struct PlatformPeriod {
    pub period: String,
    pub from: String,
    pub to: String,
}

impl PlatformPeriod {
    pub fn of(s: &Summary) -> PlatformPeriod {
        PlatformPeriod {
            period: <&str>::from(s.period).to_owned(),
            from: s.from.to_string(),
            to: s.to.to_string(),
        }
    }
}

/// One account's figures on its platform, over the period and the one
/// before; `null` where the platform does not report it.
#[derive(Debug, Default, PartialEq, Serialize, JsonSchema)]
pub(super) struct PlatformFigures {
    /// Followers at the end of the period.
    pub followers: Option<i64>,
    pub followers_before: Option<i64>,
    /// Views (reach where the platform has no views).
    pub views: Option<i64>,
    pub views_before: Option<i64>,
    pub engagements: Option<i64>,
    pub engagements_before: Option<i64>,
    /// Engagements per view (0.05 = 5 %).
    pub engagement_rate: Option<f64>,
    pub engagement_rate_before: Option<f64>,
    /// The last day with figures (YYYY-MM-DD); null before the first read.
    pub last_day: Option<String>,
}

impl PlatformFigures {
    fn of(a: &AccountSummary) -> PlatformFigures {
        let t = &a.totals;
        PlatformFigures {
            followers: t.followers.value,
            followers_before: t.followers.previous,
            views: t.views.value,
            views_before: t.views.previous,
            engagements: t.engagements.value,
            engagements_before: t.engagements.previous,
            engagement_rate: t.engagement_rate.value,
            engagement_rate_before: t.engagement_rate.previous,
            last_day: a.last_day.map(|d| d.to_string()),
        }
    }
}

/// One account's publishing in the period.
#[derive(Debug, Default, PartialEq, Serialize, JsonSchema)]
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
    /// The platform's figures of the account (null when Herald reads none
    /// for it: an account removed since, or a platform without insights).
    pub platform: Option<PlatformFigures>,
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

/// Puts each account's platform figures beside its publishing; an account
/// with figures but nothing published in the range is added (only `only`
/// when one is asked for).
pub(super) fn add_figures(
    accounts: &mut Vec<AccountActivity>,
    summary: &Summary,
    only: Option<&ConnectionId>,
) {
    for a in &summary.accounts {
        if only.is_some_and(|id| id != &a.connection_id) {
            continue;
        }
        let id = a.connection_id.to_string();
        let figures = PlatformFigures::of(a);
        match accounts
            .iter_mut()
            .find(|x| x.connection_id.as_deref() == Some(id.as_str()))
        {
            Some(x) => x.platform = Some(figures),
            None => accounts.push(AccountActivity {
                connection_id: Some(id),
                provider: <&str>::from(a.platform).to_owned(),
                account_name: a.name.clone(),
                platform: Some(figures),
                ..AccountActivity::default()
            }),
        }
    }
    accounts.sort_by(|x, y| x.account_name.cmp(&y.account_name));
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
            postponed: None,
            notices: Vec::new(),
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

    #[test]
    fn platform_figures_sit_beside_publishing_and_missing_ones_stay_null() {
        use herald_analytics::{Figure, Period, Platform, Rate, Totals};
        let posts = [post(
            "p1",
            vec![target("a1", Some("c-a"), "Alpha", TargetStatus::Published)],
        )];
        let mut accounts = activity(&posts, None);
        let account = |id: &str, name: &str, followers: Option<i64>| AccountSummary {
            connection_id: ConnectionId(id.to_owned()),
            platform: Platform::Instagram,
            kind: "instagram_business".into(),
            name: name.into(),
            last_day: None,
            totals: Totals {
                followers: Figure {
                    value: followers,
                    previous: Some(90),
                },
                engagement_rate: Rate {
                    value: Some(0.05),
                    previous: None,
                },
                ..Totals::default()
            },
        };
        let summary = Summary {
            period: Period::Month,
            from: jiff::civil::date(2026, 11, 8),
            to: jiff::civil::date(2026, 12, 7),
            accounts: vec![
                account("c-a", "Alpha", Some(100)),
                account("c-z", "Zeta", None),
            ],
            total: Totals::default(),
        };
        add_figures(&mut accounts, &summary, None);
        assert_eq!(accounts.len(), 2);
        let alpha = accounts[0].platform.as_ref().unwrap();
        assert_eq!(
            (alpha.followers, alpha.followers_before),
            (Some(100), Some(90))
        );
        assert_eq!(alpha.engagement_rate, Some(0.05));
        assert_eq!(alpha.views, None, "not reported stays null");
        assert_eq!(accounts[0].published, 1);
        assert_eq!(accounts[1].account_name, "Zeta");
        assert_eq!(accounts[1].published, 0);
        let mut only = activity(&posts, Some(&ConnectionId("c-z".into())));
        add_figures(&mut only, &summary, Some(&ConnectionId("c-z".into())));
        assert_eq!(only.len(), 1);
        assert_eq!(only[0].account_name, "Zeta");
        let period = PlatformPeriod::of(&summary);
        assert_eq!(
            (period.period.as_str(), period.to.as_str()),
            ("30d", "2026-12-07")
        );
    }
}
