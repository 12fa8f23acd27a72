//! Deterministic sandbox users. Every username yields the same ids, names,
//! counts and files on every run and machine: the values are derived from
//! SHA-256 of a label and the username, never stored.

use jiff::{SignedDuration, Timestamp};

use crate::oauth::sha256;

/// Lower-cases a typed sandbox user name and replaces characters outside
/// `[a-z0-9._-]` with `-`; an empty name becomes `demo`.
pub(crate) fn normalize_username(raw: &str) -> String {
    let mut out: String = raw
        .trim()
        .chars()
        .take(40)
        .map(|c| {
            let c = c.to_ascii_lowercase();
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    while out.starts_with(['-', '.']) {
        out.remove(0);
    }
    while out.ends_with(['-', '.']) {
        out.pop();
    }
    if out.is_empty() { "demo".into() } else { out }
}

fn hash(label: &str, user: &str) -> [u8; 32] {
    sha256(format!("herald-sandbox\0{label}\0{user}").as_bytes())
}

fn number(label: &str, user: &str, below: u64) -> u64 {
    let h = hash(label, user);
    let mut n = [0u8; 8];
    n.copy_from_slice(&h[..8]);
    u64::from_be_bytes(n) % below
}

/// `n` decimal digits (n ≤ 36).
fn digits(label: &str, user: &str, n: usize) -> String {
    let h = hash(label, user);
    h.iter()
        .map(|b| char::from(b'0' + b % 10))
        .cycle()
        .take(n)
        .collect()
}

fn b64ish(label: &str, user: &str, n: usize) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let h = hash(label, user);
    h.iter()
        .chain(hash(&format!("{label}+"), user).iter())
        .map(|b| ALPHABET[(*b as usize) % 64] as char)
        .take(n)
        .collect()
}

fn uuid_like(label: &str, user: &str) -> String {
    let h = crate::oauth::hex(&hash(label, user)[..16]);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// "demo" → "Demo", "alice.smith" → "Alice Smith".
pub(crate) fn display_name(user: &str) -> String {
    user.split(['.', '_', '-'])
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            match c.next() {
                Some(first) => first.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The username without separators ("alice.smith" → "alicesmith").
fn compact(user: &str) -> String {
    user.chars().filter(char::is_ascii_alphanumeric).collect()
}

/// An instant in 2025–2026, fixed per label and user.
fn date(label: &str, user: &str, base_days: i64, spread_days: u64) -> Timestamp {
    let base = Timestamp::from_second(1_735_722_000).expect("valid"); // 2025-01-01T09:00:00Z
    let days = base_days + number(label, user, spread_days.max(1)) as i64;
    let secs = number(&format!("{label}.s"), user, 8 * 3600) as i64;
    base + SignedDuration::from_secs(days * 86_400 + secs)
}

/// RFC 3339 with milliseconds, as Google APIs print instants.
pub(crate) fn google_time(ts: Timestamp) -> String {
    let s = ts.to_string();
    match s.strip_suffix('Z') {
        Some(head) if !head.contains('.') => format!("{head}.000Z"),
        _ => s,
    }
}

fn avatar(base: &str, key: &str) -> String {
    format!("{base}/_static/avatar/{key}.svg")
}

// ---------------------------------------------------------------- Meta

#[derive(Debug, Clone)]
pub(crate) struct MetaUser {
    pub id: String,
    pub name: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub picture: String,
    pub pages: Vec<MetaPage>,
}

#[derive(Debug, Clone)]
pub(crate) struct MetaPage {
    pub slot: usize,
    pub id: String,
    pub name: String,
    pub category: &'static str,
    pub category_id: &'static str,
    pub username: String,
    pub fan_count: u64,
    pub followers_count: u64,
    pub about: String,
    pub picture: String,
    pub ig: IgAccount,
}

/// An Instagram professional account: linked to a Page for Facebook Login,
/// and (the first one) the account that signs in with Instagram Login.
#[derive(Debug, Clone)]
pub(crate) struct IgAccount {
    /// The IG user id (`17841…`), `{ig-user-id}` in Graph paths.
    pub id: String,
    /// The legacy numeric Instagram id.
    pub ig_id: u64,
    /// The app-scoped id Instagram Login returns as `id` / token `user_id`.
    pub app_scoped_id: String,
    pub username: String,
    pub name: String,
    pub biography: String,
    pub website: String,
    pub followers_count: u64,
    pub follows_count: u64,
    pub media_count: u64,
    pub profile_picture_url: String,
}

const PAGE_KINDS: [(&str, &str, &str); 2] = [
    ("Bakery", "Bakery", "192511100766680"),
    ("Studio", "Art Studio", "197048876974331"),
];

pub(crate) fn meta_user(user: &str, base: &str) -> MetaUser {
    let first = display_name(user);
    let pages = PAGE_KINDS
        .iter()
        .enumerate()
        .map(|(slot, (suffix, category, category_id))| {
            let label = suffix.to_ascii_lowercase();
            let name = format!("{first} {suffix}");
            let key = format!("{user}-{label}");
            MetaPage {
                slot,
                id: format!("1{}", digits(&format!("meta.page.{label}"), user, 14)),
                name: name.clone(),
                category,
                category_id,
                username: format!("{}{label}", compact(user)),
                fan_count: 100 + number(&format!("meta.fans.{label}"), user, 9_900),
                followers_count: 120 + number(&format!("meta.followers.{label}"), user, 9_900),
                about: format!("{name} is a sandbox Page for trying Herald."),
                picture: avatar(base, &key),
                ig: IgAccount {
                    id: format!("17841{}", digits(&format!("ig.user.{label}"), user, 12)),
                    ig_id: 1_000_000_000
                        + number(&format!("ig.legacy.{label}"), user, 8_000_000_000),
                    app_scoped_id: format!("2{}", digits(&format!("ig.asid.{label}"), user, 15)),
                    username: format!("{}.{label}", user.replace('-', "_")),
                    name,
                    biography: format!("Sandbox {label} account of {first}."),
                    website: format!("https://{}-{label}.sandbox.example/", compact(user)),
                    followers_count: 50 + number(&format!("ig.followers.{label}"), user, 20_000),
                    follows_count: 10 + number(&format!("ig.follows.{label}"), user, 900),
                    media_count: 3 + number(&format!("ig.media.{label}"), user, 300),
                    profile_picture_url: avatar(base, &key),
                },
            }
        })
        .collect();
    MetaUser {
        id: format!("100{}", digits("meta.user", user, 12)),
        name: format!("{first} Sandbox"),
        first_name: first,
        last_name: "Sandbox".into(),
        email: format!("{user}@sandbox.example"),
        picture: avatar(base, user),
        pages,
    }
}

/// The Instagram Login account of a sandbox user: the first Page's
/// Instagram account.
pub(crate) fn instagram_account(user: &str, base: &str) -> IgAccount {
    meta_user(user, base).pages.swap_remove(0).ig
}

// ---------------------------------------------------------------- TikTok

#[derive(Debug, Clone)]
pub(crate) struct TikTokUser {
    pub open_id: String,
    pub union_id: String,
    pub display_name: String,
    pub username: String,
    pub avatar_url: String,
    pub avatar_url_100: String,
    pub avatar_large_url: String,
    pub bio_description: String,
    pub profile_deep_link: String,
    pub is_verified: bool,
    /// Followers on 2024-01-01, from which they grow.
    pub follower_count: u64,
    pub following_count: u64,
    /// Likes of videos older than the seeded history.
    pub likes_count: u64,
}

/// `open_id` is per app (derived with the client key), `union_id` per developer.
pub(crate) fn tiktok_user(user: &str, client_key: &str, base: &str) -> TikTokUser {
    let username = user.replace('-', "_");
    let avatar = avatar(base, &format!("{user}-tiktok"));
    TikTokUser {
        open_id: uuid_like(&format!("tiktok.open_id.{client_key}"), user),
        union_id: uuid_like("tiktok.union_id", user),
        display_name: display_name(user),
        avatar_url: format!("{avatar}?size=168"),
        avatar_url_100: format!("{avatar}?size=100"),
        avatar_large_url: format!("{avatar}?size=1080"),
        bio_description: format!("Sandbox TikTok account of {}.", display_name(user)),
        profile_deep_link: format!(
            "https://vm.tiktok.com/ZM{}/",
            b64ish("tiktok.link", user, 7)
        ),
        is_verified: false,
        follower_count: 10 + number("tiktok.followers", user, 50_000),
        following_count: 5 + number("tiktok.following", user, 500),
        likes_count: 100 + number("tiktok.likes", user, 500_000),
        username,
    }
}

// ------------------------------------------------------------ followers

/// The simulated followers who comment and write messages.
pub(crate) const FOLLOWERS: [(&str, &str); 4] = [
    ("zoe.mueller", "Zoë Müller"),
    ("jose.nunez", "José Núñez"),
    ("soren.aero", "Søren Ærø"),
    ("ana.lima", "Ana Lima"),
];

/// A simulated follower (not a sandbox user: nobody signs in as one) with
/// the ids each product gives them, derived from the username.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Follower {
    pub username: String,
    pub name: String,
    /// Instagram user id (comments' `from.id`).
    pub ig_id: String,
    /// Instagram-scoped id (messaging `sender.id`).
    pub igsid: String,
    /// Page-scoped id (Page comments and Messenger).
    pub psid: String,
    /// YouTube channel id (a comment's `authorChannelId`).
    pub channel_id: String,
}

impl Follower {
    /// The `n`-th of the [`FOLLOWERS`], round and round.
    pub fn nth(n: u64) -> Self {
        let (username, _) = FOLLOWERS[(n % FOLLOWERS.len() as u64) as usize];
        Self::named(username)
    }

    /// The follower called `username` (normalized like a sandbox user; one
    /// of the [`FOLLOWERS`] keeps its display name, anyone else gets one
    /// from the username).
    pub fn named(username: &str) -> Self {
        let username = normalize_username(username);
        let name = FOLLOWERS
            .iter()
            .find(|(u, _)| *u == username)
            .map_or_else(|| display_name(&username), |(_, n)| (*n).to_owned());
        let ids = |label: &str, n: usize| follower_digits(label, &username, n);
        Self {
            ig_id: format!("17841{}", ids("ig", 12)),
            igsid: format!("1{}", ids("igsid", 16)),
            psid: format!("2{}", ids("psid", 15)),
            channel_id: format!("UC{}", b64ish("follower.yt", &username, 22)),
            name,
            username,
        }
    }
}

fn follower_digits(label: &str, username: &str, n: usize) -> String {
    sha256(format!("herald-sandbox\0follower.{label}\0{username}").as_bytes())
        .iter()
        .map(|b| char::from(b'0' + b % 10))
        .cycle()
        .take(n)
        .collect()
}

// ---------------------------------------------------------------- Google

#[derive(Debug, Clone)]
pub(crate) struct GoogleUser {
    pub sub: String,
    pub email: String,
    pub name: String,
    pub given_name: String,
    pub family_name: String,
    pub picture: String,
    pub channels: Vec<YouTubeChannel>,
    pub files: Vec<DriveFile>,
}

#[derive(Debug, Clone)]
pub(crate) struct YouTubeChannel {
    pub id: String,
    pub title: String,
    pub description: String,
    pub custom_url: String,
    pub published_at: String,
    pub thumbnail: String,
    /// Views of videos older than the seeded history.
    pub view_count: u64,
    /// Subscribers on 2024-01-01, from which they grow.
    pub subscriber_count: u64,
    pub uploads: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DriveContent {
    Png {
        width: u32,
        height: u32,
        rgb: [u8; 3],
    },
    Mp4 {
        len: usize,
        width: u32,
        height: u32,
        duration_ms: u64,
    },
    /// A Google Docs file: no binary content (`fileNotDownloadable`).
    GoogleDoc,
}

#[derive(Debug, Clone)]
pub(crate) struct DriveFile {
    pub id: String,
    pub name: String,
    pub mime_type: &'static str,
    pub created: Timestamp,
    pub modified: Timestamp,
    pub content: DriveContent,
    seed: String,
}

impl DriveFile {
    /// The file's bytes (None for Google Docs).
    pub fn bytes(&self) -> Option<Vec<u8>> {
        match self.content {
            DriveContent::Png { width, height, rgb } => {
                Some(crate::assets::png(width, height, rgb))
            }
            DriveContent::Mp4 { len, .. } => Some(crate::assets::fake_mp4(len, &self.seed)),
            DriveContent::GoogleDoc => None,
        }
    }

    /// Byte size without generating the content.
    pub fn size(&self) -> Option<usize> {
        match self.content {
            DriveContent::Png { width, height, .. } => Some(crate::assets::png_len(width, height)),
            DriveContent::Mp4 { len, .. } => Some(len),
            DriveContent::GoogleDoc => None,
        }
    }
}

pub(crate) fn google_user(user: &str, base: &str) -> GoogleUser {
    let first = display_name(user);
    let channels = PAGE_KINDS
        .iter()
        .map(|(suffix, _, _)| {
            let label = suffix.to_ascii_lowercase();
            let tail = b64ish(&format!("yt.channel.{label}"), user, 22);
            YouTubeChannel {
                id: format!("UC{tail}"),
                title: format!("{first} {suffix}"),
                description: format!("Sandbox YouTube channel of {first}'s {label}."),
                custom_url: format!("@{}{label}", compact(user)),
                published_at: google_time(date(&format!("yt.published.{label}"), user, -1500, 900)),
                thumbnail: avatar(base, &format!("{user}-{label}")),
                view_count: 1_000 + number(&format!("yt.views.{label}"), user, 2_000_000),
                subscriber_count: 10 + number(&format!("yt.subs.{label}"), user, 50_000),
                uploads: format!("UU{tail}"),
            }
        })
        .collect();
    let file = |name: &str, mime: &'static str, content: DriveContent| {
        let created = date(&format!("drive.created.{name}"), user, 0, 300);
        let modified = created
            + SignedDuration::from_secs(
                86_400 * number(&format!("drive.mod.{name}"), user, 30) as i64,
            );
        DriveFile {
            id: format!("1{}", b64ish(&format!("drive.id.{name}"), user, 32)),
            name: name.to_owned(),
            mime_type: mime,
            created,
            modified,
            content,
            seed: format!("{user}/{name}"),
        }
    };
    let video_len = |name: &str, base_len: u64| (base_len + number(name, user, 40_000)) as usize;
    let files = vec![
        file(
            "croissants.png",
            "image/png",
            DriveContent::Png {
                width: 96,
                height: 64,
                rgb: [0xd9, 0x8c, 0x3f],
            },
        ),
        file(
            "storefront.png",
            "image/png",
            DriveContent::Png {
                width: 120,
                height: 80,
                rgb: [0x3f, 0x7f, 0xbf],
            },
        ),
        file(
            "latte-art.png",
            "image/png",
            DriveContent::Png {
                width: 64,
                height: 64,
                rgb: [0x8b, 0x5a, 0x2b],
            },
        ),
        file(
            "bakery-tour.mp4",
            "video/mp4",
            DriveContent::Mp4 {
                len: video_len("drive.len.tour", 600_000),
                width: 1080,
                height: 1920,
                duration_ms: 15_000,
            },
        ),
        file(
            "studio-timelapse.mp4",
            "video/mp4",
            DriveContent::Mp4 {
                len: video_len("drive.len.timelapse", 1_300_000),
                width: 1920,
                height: 1080,
                duration_ms: 42_000,
            },
        ),
        file(
            "Caption ideas",
            "application/vnd.google-apps.document",
            DriveContent::GoogleDoc,
        ),
    ];
    GoogleUser {
        sub: format!("1{}", digits("google.sub", user, 20)),
        email: format!("{user}@sandbox.example"),
        name: format!("{first} Sandbox"),
        given_name: first,
        family_name: "Sandbox".into(),
        picture: avatar(base, user),
        channels,
        files,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_normalized() {
        assert_eq!(normalize_username("  Demo "), "demo");
        assert_eq!(normalize_username("Alice Smith!"), "alice-smith");
        assert_eq!(normalize_username("<script>"), "script");
        assert_eq!(normalize_username(""), "demo");
        assert_eq!(display_name("alice.smith"), "Alice Smith");
    }

    #[test]
    fn seeds_are_deterministic_and_distinct_per_user() {
        let a = meta_user("demo", "http://x");
        let b = meta_user("demo", "http://y");
        assert_eq!(a.id, b.id);
        assert_eq!(a.pages[0].id, b.pages[0].id);
        assert_ne!(meta_user("other", "http://x").id, a.id);
        assert_eq!(a.id.len(), 15);
        assert!(a.pages[0].ig.id.starts_with("17841") && a.pages[0].ig.id.len() == 17);
        assert_ne!(a.pages[0].id, a.pages[1].id);
        let g = google_user("demo", "http://x");
        assert_eq!(g.channels.len(), 2);
        assert!(g.channels[0].id.starts_with("UC") && g.channels[0].id.len() == 24);
        assert_eq!(g.sub.len(), 21);
        assert_eq!(google_time(g.files[0].created).len(), 24);
    }
}
