//! Which sandbox account a delivery is about, and the values Meta would
//! send for it. Generated values are made real where the sandbox models
//! the object: a `comments` (Instagram) or `feed` (Page) delivery adds the
//! comment it reports to the account's latest media or post, so the Graph
//! comment listings show it; a `messages` delivery records the incoming
//! message, which opens the 24-hour messaging window; `story_insights`
//! names the account's latest story. Commenters are a few deterministic simulated followers; sample
//! texts carry non-ASCII, emoji, `@`, `%` and `/` to exercise escaping.

use serde_json::{Value, json};

use super::{App, WebhookError};
use crate::meta::{Comment, ContainerKind, Subscriber, numeric_id};
use crate::oauth::random_b64url;
use crate::seed::{
    Follower, IgAccount, MetaPage, instagram_account, meta_user, normalize_username,
};
use crate::{Platform, Sandbox};

/// A Page or an Instagram professional account of a sandbox user.
#[derive(Debug, Clone)]
pub(crate) enum Account {
    Page {
        user: String,
        page: MetaPage,
    },
    /// `app` says how it is connected: through a Page (Facebook Login) or
    /// with Instagram Login. The account id is the same either way.
    Instagram {
        user: String,
        ig: IgAccount,
        app: App,
    },
}

impl Account {
    /// The payload's `object`.
    pub fn object(&self) -> &'static str {
        match self {
            Account::Page { .. } => "page",
            Account::Instagram { .. } => "instagram",
        }
    }

    /// The entry id: the Page id or the Instagram user id (`17841…`), as
    /// the Graph API reports them and Herald stores them.
    pub fn id(&self) -> &str {
        match self {
            Account::Page { page, .. } => &page.id,
            Account::Instagram { ig, .. } => &ig.id,
        }
    }

    pub fn app(&self) -> App {
        match self {
            Account::Page { .. } => App::Facebook,
            Account::Instagram { app, .. } => *app,
        }
    }

    pub fn user(&self) -> &str {
        match self {
            Account::Page { user, .. } | Account::Instagram { user, .. } => user,
        }
    }

    /// "Demo Bakery" or "@demo.bakery".
    pub fn name(&self) -> String {
        match self {
            Account::Page { page, .. } => page.name.clone(),
            Account::Instagram { ig, .. } => format!("@{}", ig.username),
        }
    }

    /// The fields the sandbox can build values for.
    pub fn generated_fields(&self) -> &'static [&'static str] {
        match self {
            Account::Page { .. } => &["feed", "messages"],
            Account::Instagram { .. } => &["comments", "mentions", "story_insights", "messages"],
        }
    }

    /// What Meta sends about the account: a Page's subscribed fields, an
    /// Instagram Login account's own; an Instagram account reached through
    /// its Page gets the app's Instagram fields once that Page is
    /// subscribed (to any field). `None`: nothing is sent.
    pub fn subscription(&self, sb: &Sandbox) -> Option<Vec<String>> {
        let base = &sb.config().public_base;
        sb.read(|st| {
            let subs = st.subscriptions();
            match self {
                Account::Page { page, .. } => subs
                    .fields(Subscriber::Page, &page.id)
                    .map(<[String]>::to_vec),
                Account::Instagram {
                    app: App::Facebook,
                    user,
                    ig,
                } => meta_user(user, base)
                    .pages
                    .iter()
                    .find(|p| p.ig.id == ig.id)
                    .and_then(|p| subs.fields(Subscriber::Page, &p.id))
                    .map(|_| {
                        [
                            "comments",
                            "live_comments",
                            "mentions",
                            "story_insights",
                            "messages",
                        ]
                        .map(str::to_owned)
                        .to_vec()
                    }),
                Account::Instagram { ig, .. } => subs
                    .fields(Subscriber::Instagram, &ig.id)
                    .map(<[String]>::to_vec),
            }
        })
    }

    /// Refuses a delivery Meta would not send: the account (or, for an
    /// Instagram account reached through its Page, that Page) is not
    /// subscribed to `field`.
    pub fn check_subscribed(&self, sb: &Sandbox, field: &str) -> Result<(), WebhookError> {
        if self
            .subscription(sb)
            .is_some_and(|fields| fields.iter().any(|f| f == field))
        {
            return Ok(());
        }
        let how = match self {
            Account::Page { page, .. } => format!(
                "POST /{}/subscribed_apps?subscribed_fields={field} with its Page token",
                page.id
            ),
            Account::Instagram {
                app: App::Facebook, ..
            } => "its Page gets POST /{page-id}/subscribed_apps with the Page token (Instagram accounts reached through a Page get their webhooks through it)".to_owned(),
            Account::Instagram { .. } => format!(
                "POST graph.instagram.com/{{v}}/me/subscribed_apps?subscribed_fields={field} with its Instagram Login token"
            ),
        };
        Err(WebhookError::conflict(
            "not_subscribed",
            format!(
                "Meta sends no {field} webhooks about {}: it is not subscribed. Subscribe it first ({how}); Herald does when it connects the account.",
                self.name()
            ),
        ))
    }

    fn matches(&self, wanted: &str) -> bool {
        match self {
            Account::Page { page, .. } => {
                wanted == page.id || wanted.eq_ignore_ascii_case(&page.username)
            }
            Account::Instagram { ig, .. } => {
                wanted == ig.id || wanted.eq_ignore_ascii_case(&ig.username)
            }
        }
    }
}

/// The Pages (as kept on the consent page) and Instagram accounts of every
/// sandbox user who signed in with Facebook Login, then the Instagram Login
/// accounts.
pub(crate) fn connected_accounts(sb: &Sandbox) -> Vec<Account> {
    let base = &sb.config().public_base;
    let meta_app = &sb.config().meta.client_id;
    sb.read(|st| {
        let mut out = Vec::new();
        for user in st.users(Platform::Meta) {
            let kept = st
                .grant(Platform::Meta, meta_app, user)
                .map(|g| g.pages.clone());
            for page in meta_user(user, base).pages {
                if kept
                    .as_ref()
                    .is_some_and(|slots| !slots.contains(&page.slot))
                {
                    continue;
                }
                out.push(Account::Instagram {
                    user: user.to_owned(),
                    ig: page.ig.clone(),
                    app: App::Facebook,
                });
                out.push(Account::Page {
                    user: user.to_owned(),
                    page,
                });
            }
        }
        for user in st.users(Platform::Instagram) {
            out.push(Account::Instagram {
                user: user.to_owned(),
                ig: instagram_account(user, base),
                app: App::Instagram,
            });
        }
        out
    })
}

/// Finds `wanted`: a Page or Instagram id or username of a signed-in
/// sandbox user (Facebook Login first when both logins match and `app` is
/// not given), an Instagram username of any sandbox user, or a sandbox
/// user name (its first Page for `feed`, else that Page's Instagram
/// account, connected with Instagram Login when the user only signed in
/// there).
pub(crate) fn resolve(
    sb: &Sandbox,
    wanted: &str,
    app: Option<App>,
    field: &str,
) -> Result<Account, WebhookError> {
    let wanted = wanted.trim().trim_start_matches('@');
    if wanted.is_empty() {
        return Err(WebhookError::invalid(
            "missing_account",
            "\"account\" is required: a Page or Instagram account id or username, or a sandbox user name.",
        ));
    }
    let app_fits = |a: &Account| app.is_none_or(|x| x == a.app());
    if let Some(found) = connected_accounts(sb)
        .into_iter()
        .find(|a| a.matches(wanted) && app_fits(a))
    {
        return Ok(found);
    }
    let base = &sb.config().public_base;
    if let Some((prefix, _)) = wanted.rsplit_once('.') {
        for candidate in [prefix.to_owned(), prefix.replace('_', "-")] {
            let user = normalize_username(&candidate);
            let page = meta_user(&user, base)
                .pages
                .into_iter()
                .find(|p| p.ig.username.eq_ignore_ascii_case(wanted));
            if let Some(page) = page {
                let app = app.unwrap_or_else(|| default_app(sb, &user, page.slot));
                return Ok(Account::Instagram {
                    user,
                    ig: page.ig,
                    app,
                });
            }
        }
    }
    if wanted.bytes().all(|b| b.is_ascii_digit()) {
        return Err(WebhookError::UnknownAccount(format!(
            "No Page or Instagram account {wanted} belongs to a sandbox user who signed in: sign in on a consent page first, or name a sandbox user."
        )));
    }
    let user = normalize_username(wanted);
    let page = meta_user(&user, base).pages.swap_remove(0);
    match (field, app) {
        ("feed", Some(App::Instagram)) => Err(WebhookError::invalid(
            "unsupported_field",
            "feed deliveries are about Pages, which belong to the Facebook app.",
        )),
        ("feed", _) => Ok(Account::Page { user, page }),
        (_, app) => Ok(Account::Instagram {
            app: app.unwrap_or_else(|| default_app(sb, &user, page.slot)),
            user,
            ig: page.ig,
        }),
    }
}

/// Instagram Login for the Instagram Login account of a user who signed in
/// only there; Facebook Login otherwise.
fn default_app(sb: &Sandbox, user: &str, slot: usize) -> App {
    let (meta, instagram) = sb.read(|st| {
        (
            st.users(Platform::Meta).any(|u| u == user),
            st.users(Platform::Instagram).any(|u| u == user),
        )
    });
    if slot == 0 && instagram && !meta {
        App::Instagram
    } else {
        App::Facebook
    }
}

// ------------------------------------------------------------- values

/// What to put in the entries of one delivery.
pub(crate) struct Values<'a> {
    pub field: &'a str,
    /// Given by the caller: sent as it is (`messages`: one messaging item).
    pub explicit: Option<Value>,
    pub text: Option<&'a str>,
    pub count: usize,
    /// Rotates followers and sample texts between deliveries.
    pub seq: u64,
}

/// The delivery's entries, one per value: changes style, or messaging
/// style for `messages`.
pub(crate) fn entries(
    sb: &Sandbox,
    account: &Account,
    values: Values<'_>,
) -> Result<Vec<Value>, WebhookError> {
    let items = match values.explicit.clone() {
        Some(value) => vec![value; values.count],
        None => generate(sb, account, &values)?,
    };
    if values.field == "messages" {
        // The person wrote: the account may answer for 24 hours.
        for item in &items {
            crate::engagement::record_webhook_message(sb, account.id(), item);
        }
    }
    let time = sb.now().as_second();
    Ok(items
        .into_iter()
        .map(|value| {
            if values.field == "messages" {
                json!({"id": account.id(), "time": time, "messaging": [value]})
            } else {
                json!({"id": account.id(), "time": time,
                       "changes": [{"field": values.field, "value": value}]})
            }
        })
        .collect())
}

fn generate(sb: &Sandbox, account: &Account, v: &Values<'_>) -> Result<Vec<Value>, WebhookError> {
    match (account, v.field) {
        (Account::Instagram { ig, .. }, "comments") => instagram_comments(sb, ig, v),
        (Account::Instagram { .. }, "mentions") => Ok((0..v.count)
            .map(|_| json!({"media_id": numeric_id("18", 17), "comment_id": numeric_id("179", 17)}))
            .collect()),
        (Account::Instagram { ig, .. }, "story_insights") => story_insights(sb, ig, v.count),
        (Account::Page { page, .. }, "feed") => page_comments(sb, page, v),
        (_, "messages") => {
            let now = sb.now().as_millisecond();
            Ok((0..v.count as u64)
                .map(|i| message(account, &text(v, i), v.seq + i, now))
                .collect())
        }
        (_, field) => Err(WebhookError::invalid(
            "unsupported_field",
            format!(
                "The sandbox builds {} values for {} ({}); pass \"value\" to send a {field:?} delivery.",
                account.generated_fields().join(", "),
                account.name(),
                account.object(),
            ),
        )),
    }
}

/// Comments from followers on the account's latest post or reel.
fn instagram_comments(
    sb: &Sandbox,
    ig: &IgAccount,
    v: &Values<'_>,
) -> Result<Vec<Value>, WebhookError> {
    let now = sb.now();
    let no_media = || {
        WebhookError::conflict(
            "no_media",
            format!(
                "@{} has no published post or reel to comment on: publish one first, or pass \"value\".",
                ig.username
            ),
        )
    };
    sb.update(|st| {
        let store = st.meta_publishing_mut();
        let (media_id, product_type) = store
            .media_of(&ig.id)
            .into_iter()
            .find(|m| m.kind != ContainerKind::Story)
            .map(|m| (m.id.clone(), m.product_type()))
            .ok_or_else(no_media)?;
        let mut out = Vec::with_capacity(v.count);
        for i in 0..v.count as u64 {
            let follower = Follower::nth(v.seq + i);
            let text = text(v, i);
            let id = store.fresh_id("1791", 17);
            let media = store.media_mut(&media_id).ok_or_else(no_media)?;
            media.comments.push(Comment::new(
                id.clone(),
                text.clone(),
                now,
                follower.ig_id.clone(),
                follower.username.clone(),
            ));
            out.push(json!({
                "from": {"id": follower.ig_id, "username": follower.username},
                "media": {"id": media_id, "media_product_type": product_type},
                "id": id,
                "text": text,
            }));
        }
        Ok(out)
    })
}

/// Comments from followers on the Page's latest visible post.
fn page_comments(
    sb: &Sandbox,
    page: &MetaPage,
    v: &Values<'_>,
) -> Result<Vec<Value>, WebhookError> {
    let now = sb.now();
    let limits = sb.config().limits.clone();
    let no_post = || {
        WebhookError::conflict(
            "no_post",
            format!(
                "The Page {} has no published post to comment on: publish one first, or pass \"value\".",
                page.name
            ),
        )
    };
    sb.update(|st| {
        // Videos that finished processing become posts when looked at.
        for record in st
            .meta_publishing_mut()
            .settle_videos(&page.id, now, &limits)
        {
            st.record_published(record);
        }
        let store = st.meta_publishing_mut();
        let (post_id, permalink) = store
            .feed_of(&page.id)
            .first()
            .map(|p| (p.id.clone(), p.permalink.clone()))
            .ok_or_else(no_post)?;
        let suffix = post_id
            .split_once('_')
            .map_or(post_id.clone(), |(_, s)| s.to_owned());
        let mut out = Vec::with_capacity(v.count);
        for i in 0..v.count as u64 {
            let follower = Follower::nth(v.seq + i);
            let text = text(v, i);
            let comment_id = format!("{suffix}_{}", store.fresh_id("1223", 16));
            let post = store.post_mut(&post_id).ok_or_else(no_post)?;
            post.comments.push(Comment::new(
                comment_id.clone(),
                text.clone(),
                now,
                follower.psid.clone(),
                follower.name.clone(),
            ));
            out.push(json!({
                "from": {"id": follower.psid, "name": follower.name},
                "post": {"id": post_id, "permalink_url": permalink,
                         "status_type": "mobile_status_update", "is_published": true},
                "message": text,
                "post_id": post_id,
                "comment_id": comment_id,
                "parent_id": post_id,
                "created_time": now.as_second(),
                "item": "comment",
                "verb": "add",
            }));
        }
        Ok(out)
    })
}

/// Insights of the account's latest story, as Meta sends them when a
/// story expires.
fn story_insights(sb: &Sandbox, ig: &IgAccount, count: usize) -> Result<Vec<Value>, WebhookError> {
    let story = sb
        .read(|st| {
            st.meta_publishing()
                .media_of(&ig.id)
                .into_iter()
                .find(|m| m.kind == ContainerKind::Story)
                .map(|m| m.id.clone())
        })
        .ok_or_else(|| {
            WebhookError::conflict(
                "no_story",
                format!(
                    "@{} has no story: publish one first, or pass \"value\".",
                    ig.username
                ),
            )
        })?;
    Ok((0..count)
        .map(|_| {
            let r = || rand::random::<u64>();
            let impressions = 40 + r() % 2_000;
            let reach = impressions * (60 + r() % 36) / 100;
            json!({
                "media_id": story,
                "impressions": impressions,
                "reach": reach,
                "taps_forward": reach * (r() % 60) / 100,
                "taps_back": reach * (r() % 15) / 100,
                "exits": reach * (r() % 20) / 100,
                "replies": r() % 5,
            })
        })
        .collect())
}

/// A direct message from a follower to the account.
fn message(account: &Account, text: &str, n: u64, now_ms: i64) -> Value {
    let follower = Follower::nth(n);
    let (sender, mid) = match account {
        Account::Page { .. } => (follower.psid, format!("m_{}", random_b64url(32))),
        Account::Instagram { .. } => (follower.igsid, random_b64url(48)),
    };
    json!({
        "sender": {"id": sender},
        "recipient": {"id": account.id()},
        "timestamp": now_ms,
        "message": {"mid": mid, "text": text},
    })
}

// ---------------------------------------------------------- followers

const TEXTS: [&str; 4] = [
    "Sieht köstlich aus! Wann habt ihr wieder geöffnet? 🥐",
    "Love this 😍 @ana.lima look!",
    "¿Hacéis envíos a Málaga? 100% quiero uno",
    "Great work 👏 more at https://example.com/shop",
];

/// The caller's text, or a sample that changes with each value.
fn text(v: &Values<'_>, i: u64) -> String {
    match v.text {
        Some(text) => text.to_owned(),
        None => TEXTS[((v.seq + i) % TEXTS.len() as u64) as usize].to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn followers_are_deterministic_and_rotate() {
        let a = Follower::nth(0);
        assert_eq!(a.ig_id, Follower::nth(4).ig_id);
        assert_ne!(a.ig_id, Follower::nth(1).ig_id);
        assert_eq!(a.ig_id.len(), 17);
        assert_eq!(a.psid.len(), 16);
        assert!(a.igsid.bytes().all(|b| b.is_ascii_digit()));
    }
}
