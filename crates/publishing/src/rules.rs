//! What each platform accepts, one table per provider, and the check that
//! runs while composing and again right before dispatch.
//!
//! Limits come from `platform-apis.md` (sections 1.4, 1.6, 2.2, 3.3); where
//! a platform does not publish a number, the value is the documented
//! consumer-app limit and marked `[U]` there. A rule that only makes a post
//! worse (a non-vertical reel) is a warning; anything the platform would
//! refuse is an error.

use std::collections::BTreeMap;

use herald_platforms::{AccountKind, MediaItem, MediaKind, PostFormat, PostingOptions};
use serde::{Deserialize, Serialize};

use crate::model::Variant;

const MIB: u64 = 1024 * 1024;
const GIB: u64 = 1024 * MIB;

/// What one post format takes.
#[derive(Debug, Clone, Copy)]
pub struct FormatRules {
    pub format: PostFormat,
    pub media_min: usize,
    pub media_max: usize,
    pub image_mimes: &'static [&'static str],
    pub video_mimes: &'static [&'static str],
    pub image_max_bytes: u64,
    pub video_max_bytes: u64,
    pub video_min_ms: u64,
    pub video_max_ms: u64,
    /// Accepted width ÷ height of images and videos.
    pub aspect: Option<(f64, f64)>,
    /// Recommended width ÷ height (a warning when far from it).
    pub preferred_aspect: Option<f64>,
}

/// Everything a provider's account kind accepts.
#[derive(Debug, Clone, Copy)]
pub struct ProviderRules {
    pub name: &'static str,
    pub caption_max: usize,
    pub hashtags_max: Option<usize>,
    pub mentions_max: Option<usize>,
    pub title_required: bool,
    pub title_max: usize,
    /// Characters the platform refuses in titles and captions.
    pub forbidden_chars: &'static [char],
    pub link: bool,
    pub first_comment: bool,
    /// Privacy values; the first is the default. Empty: no choice.
    pub privacy: &'static [&'static str],
    /// There is no default privacy: the person must choose one, from the
    /// values the account offers at the time (TikTok).
    pub privacy_required: bool,
    /// Text lengths count UTF-16 code units, not characters (TikTok:
    /// "2200 in UTF-16 runes"; an emoji counts 2).
    pub counts_utf16: bool,
    /// Interaction switches and commercial-content disclosure (TikTok).
    pub post_settings: bool,
    pub formats: &'static [FormatRules],
}

const JPEG: &[&str] = &["image/jpeg"];
const WEB_IMAGES: &[&str] = &["image/jpeg", "image/png", "image/gif", "image/webp"];
const MP4_MOV: &[&str] = &["video/mp4", "video/quicktime"];
const TIKTOK_VIDEO: &[&str] = &["video/mp4", "video/quicktime", "video/webm"];
const ANY_VIDEO: &[&str] = &[
    "video/mp4",
    "video/quicktime",
    "video/webm",
    "video/x-msvideo",
    "video/mpeg",
    "video/x-matroska",
];
const NONE: &[&str] = &[];

const NO_MEDIA: FormatRules = FormatRules {
    format: PostFormat::Text,
    media_min: 0,
    media_max: 0,
    image_mimes: NONE,
    video_mimes: NONE,
    image_max_bytes: 0,
    video_max_bytes: 0,
    video_min_ms: 0,
    video_max_ms: 0,
    aspect: None,
    preferred_aspect: None,
};

/// Instagram (business accounts through a Page, and Instagram Login
/// accounts): JPEG images of 4:5 to 1.91:1 up to 8 MiB, reels of 3 s to
/// 15 min, carousels of 2–10 items.
pub const INSTAGRAM: ProviderRules = ProviderRules {
    name: "Instagram",
    caption_max: 2200,
    hashtags_max: Some(30),
    mentions_max: Some(20),
    title_required: false,
    title_max: 0,
    forbidden_chars: &[],
    link: false,
    first_comment: true,
    privacy: NONE,
    privacy_required: false,
    counts_utf16: false,
    post_settings: false,
    formats: &[
        FormatRules {
            format: PostFormat::Image,
            media_min: 1,
            media_max: 1,
            image_mimes: JPEG,
            image_max_bytes: 8 * MIB,
            aspect: Some((0.8, 1.91)),
            ..NO_MEDIA
        },
        FormatRules {
            format: PostFormat::Carousel,
            media_min: 2,
            media_max: 10,
            image_mimes: JPEG,
            video_mimes: MP4_MOV,
            image_max_bytes: 8 * MIB,
            video_max_bytes: 300 * MIB,
            video_min_ms: 3_000,
            video_max_ms: 60_000,
            aspect: Some((0.8, 1.91)),
            ..NO_MEDIA
        },
        FormatRules {
            format: PostFormat::Reel,
            media_min: 1,
            media_max: 1,
            video_mimes: MP4_MOV,
            video_max_bytes: GIB,
            video_min_ms: 3_000,
            video_max_ms: 15 * 60_000,
            aspect: Some((0.01, 10.0)),
            preferred_aspect: Some(9.0 / 16.0),
            ..NO_MEDIA
        },
        FormatRules {
            format: PostFormat::Story,
            media_min: 1,
            media_max: 1,
            image_mimes: JPEG,
            video_mimes: MP4_MOV,
            image_max_bytes: 8 * MIB,
            video_max_bytes: 100 * MIB,
            video_min_ms: 3_000,
            video_max_ms: 60_000,
            preferred_aspect: Some(9.0 / 16.0),
            ..NO_MEDIA
        },
    ],
};

/// Facebook Pages: text and link posts, one photo, or one video.
pub const FACEBOOK: ProviderRules = ProviderRules {
    name: "Facebook",
    caption_max: 63_206,
    hashtags_max: None,
    mentions_max: None,
    title_required: false,
    title_max: 255,
    forbidden_chars: &[],
    link: true,
    first_comment: true,
    privacy: NONE,
    privacy_required: false,
    counts_utf16: false,
    post_settings: false,
    formats: &[
        NO_MEDIA,
        FormatRules {
            format: PostFormat::Image,
            media_min: 1,
            media_max: 1,
            image_mimes: WEB_IMAGES,
            image_max_bytes: 10 * MIB,
            ..NO_MEDIA
        },
        FormatRules {
            format: PostFormat::Video,
            media_min: 1,
            media_max: 1,
            video_mimes: MP4_MOV,
            video_max_bytes: 10 * GIB,
            video_min_ms: 1_000,
            video_max_ms: 240 * 60_000,
            ..NO_MEDIA
        },
    ],
};

/// TikTok direct posts: one video of 3 s to 10 min, up to 4 GB, a caption
/// of up to 2200 UTF-16 code units, a privacy level the person chooses
/// (no default; the account's own options are checked with
/// [`validate_options`]), interactions off unless turned on, and the
/// commercial-content disclosure.
pub const TIKTOK: ProviderRules = ProviderRules {
    name: "TikTok",
    caption_max: 2200,
    hashtags_max: None,
    mentions_max: None,
    title_required: false,
    title_max: 0,
    forbidden_chars: &[],
    link: false,
    first_comment: false,
    privacy: &[
        "SELF_ONLY",
        "PUBLIC_TO_EVERYONE",
        "MUTUAL_FOLLOW_FRIENDS",
        "FOLLOWER_OF_CREATOR",
    ],
    privacy_required: true,
    counts_utf16: true,
    post_settings: true,
    formats: &[FormatRules {
        format: PostFormat::Video,
        media_min: 1,
        media_max: 1,
        video_mimes: TIKTOK_VIDEO,
        video_max_bytes: 4 * GIB,
        video_min_ms: 3_000,
        video_max_ms: 600_000,
        preferred_aspect: Some(9.0 / 16.0),
        ..NO_MEDIA
    }],
};

/// YouTube: one video with a title of up to 100 characters and a
/// description of up to 5000, neither with `<` or `>`.
pub const YOUTUBE: ProviderRules = ProviderRules {
    name: "YouTube",
    caption_max: 5000,
    hashtags_max: Some(60),
    mentions_max: None,
    title_required: true,
    title_max: 100,
    forbidden_chars: &['<', '>'],
    link: false,
    first_comment: false,
    privacy: &["private", "unlisted", "public"],
    privacy_required: false,
    counts_utf16: false,
    post_settings: false,
    formats: &[FormatRules {
        format: PostFormat::Video,
        media_min: 1,
        media_max: 1,
        video_mimes: ANY_VIDEO,
        video_max_bytes: 256 * GIB,
        video_min_ms: 1_000,
        video_max_ms: 12 * 3_600_000,
        ..NO_MEDIA
    }],
};

/// The table for an account kind.
pub fn rules_for(kind: AccountKind) -> &'static ProviderRules {
    match kind {
        AccountKind::FacebookPage => &FACEBOOK,
        AccountKind::InstagramBusiness | AccountKind::InstagramAccount => &INSTAGRAM,
        AccountKind::TikTokUser => &TIKTOK,
        AccountKind::YouTubeChannel => &YOUTUBE,
    }
}

/// The format a post takes by default on an account kind, given its media.
pub fn default_format(kind: AccountKind, media: &[MediaItem]) -> PostFormat {
    let videos = media.iter().filter(|m| m.kind == MediaKind::Video).count();
    match kind {
        AccountKind::InstagramBusiness | AccountKind::InstagramAccount => match media.len() {
            0 | 1 if videos == 1 => PostFormat::Reel,
            0 | 1 => PostFormat::Image,
            _ => PostFormat::Carousel,
        },
        AccountKind::FacebookPage => match (media.len(), videos) {
            (0, _) => PostFormat::Text,
            (_, 0) => PostFormat::Image,
            _ => PostFormat::Video,
        },
        AccountKind::TikTokUser | AccountKind::YouTubeChannel => PostFormat::Video,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Severity {
    Error,
    Warning,
}

/// One problem with a variant: a code and the values its words need.
/// The domain says no sentence; the web layer renders `issue.<code>` from
/// its catalogs in the reader's language with these parameters.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Issue {
    pub severity: Severity,
    /// `caption`, `title`, `media`, `privacy`, `first_comment`, `link`,
    /// `format`, `account`.
    pub field: &'static str,
    /// Stable code, for the copy table and for tests.
    pub code: &'static str,
    /// What the copy names: `platform`, `limit`, `actual`, `min`, `max`,
    /// `item` (the media's position from 1, or 0 when there is only one),
    /// and so on per code.
    pub params: BTreeMap<&'static str, Param>,
}

/// One value of an issue, typed so the reader's language can write it.
/// In JSON it names its type: `{"count": 2200}`, `{"bytes": 9437184}`,
/// `{"text": "Instagram"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Param {
    /// A name or value shown as it is: a platform, an account, a MIME
    /// type, a character.
    Text(String),
    /// A count or a limit.
    Count(u64),
    /// A width ÷ height ratio, rounded to two decimals.
    Ratio(f64),
    /// A file size in bytes.
    Bytes(u64),
    /// A length of time in milliseconds.
    Millis(u64),
    /// A post format.
    Format(PostFormat),
    /// Post formats to choose from.
    Formats(Vec<PostFormat>),
    /// Privacy values to choose from, as the platform names them.
    Privacy(Vec<String>),
    /// Values shown as they are (MIME types).
    List(Vec<String>),
    /// An instant (when a postponed post is tried again).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    Time(herald_core::Timestamp),
}

impl Param {
    /// The number, for counts, sizes and times.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Param::Count(n) | Param::Bytes(n) | Param::Millis(n) => Some(*n),
            _ => None,
        }
    }
}

impl From<&str> for Param {
    fn from(s: &str) -> Param {
        Param::Text(s.to_owned())
    }
}

impl From<usize> for Param {
    fn from(n: usize) -> Param {
        Param::Count(n as u64)
    }
}

impl From<u32> for Param {
    fn from(n: u32) -> Param {
        Param::Count(u64::from(n))
    }
}

impl Issue {
    pub fn error<const N: usize>(
        field: &'static str,
        code: &'static str,
        params: [(&'static str, Param); N],
    ) -> Issue {
        Issue {
            severity: Severity::Error,
            field,
            code,
            params: params.into_iter().collect(),
        }
    }

    pub fn warning<const N: usize>(
        field: &'static str,
        code: &'static str,
        params: [(&'static str, Param); N],
    ) -> Issue {
        Issue {
            severity: Severity::Warning,
            ..Issue::error(field, code, params)
        }
    }

    /// Parameter `name`, when the issue has it.
    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params.get(name)
    }
}

/// `#tag` and `@handle` counts, as the platforms count them (a `#` or `@`
/// at the start of a word, followed by a letter, digit or `_`).
pub fn count_tags(text: &str, marker: char) -> usize {
    let chars: Vec<char> = text.chars().collect();
    (0..chars.len())
        .filter(|&i| {
            chars[i] == marker
                && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_'))
                && chars
                    .get(i + 1)
                    .is_some_and(|c| c.is_alphanumeric() || *c == '_')
        })
        .count()
}

/// The length of `text` as the platform counts it.
pub fn text_len(rules: &ProviderRules, text: &str) -> usize {
    if rules.counts_utf16 {
        text.encode_utf16().count()
    } else {
        text.chars().count()
    }
}

/// A ratio rounded to two decimals, as the copy shows it.
fn ratio(r: f64) -> Param {
    Param::Ratio((r * 100.0).round() / 100.0)
}

/// Checks a variant for an account kind. `media` are the variant's media
/// in order (missing ones already reported by the caller).
pub fn validate(kind: AccountKind, variant: &Variant, media: &[MediaItem]) -> Vec<Issue> {
    let rules = rules_for(kind);
    let mut issues = Vec::new();
    let platform = || ("platform", Param::from(rules.name));

    let Some(format) = rules.formats.iter().find(|f| f.format == variant.format) else {
        let offered: Vec<PostFormat> = rules.formats.iter().map(|f| f.format).collect();
        issues.push(Issue::error(
            "format",
            "format_unsupported",
            [
                platform(),
                ("format", Param::Format(variant.format)),
                ("offered", Param::Formats(offered)),
            ],
        ));
        return issues;
    };

    // Text.
    let caption_len = text_len(rules, &variant.caption);
    if caption_len > rules.caption_max {
        issues.push(Issue::error(
            "caption",
            if rules.counts_utf16 {
                "caption_too_long_utf16"
            } else {
                "caption_too_long"
            },
            [
                platform(),
                ("actual", caption_len.into()),
                ("limit", rules.caption_max.into()),
            ],
        ));
    }
    if let Some(max) = rules.hashtags_max {
        let n = count_tags(&variant.caption, '#');
        if n > max {
            issues.push(Issue::error(
                "caption",
                "too_many_hashtags",
                [platform(), ("limit", max.into()), ("actual", n.into())],
            ));
        }
    }
    if let Some(max) = rules.mentions_max {
        let n = count_tags(&variant.caption, '@');
        if n > max {
            issues.push(Issue::error(
                "caption",
                "too_many_mentions",
                [platform(), ("limit", max.into()), ("actual", n.into())],
            ));
        }
    }
    let title = variant.title.as_deref().map_or("", str::trim);
    if rules.title_required && title.is_empty() {
        issues.push(Issue::error("title", "title_required", [platform()]));
    }
    if rules.title_max > 0 && text_len(rules, title) > rules.title_max {
        issues.push(Issue::error(
            "title",
            "title_too_long",
            [
                platform(),
                ("actual", text_len(rules, title).into()),
                ("limit", rules.title_max.into()),
            ],
        ));
    }
    for c in rules.forbidden_chars {
        if title.contains(*c) || variant.caption.contains(*c) {
            issues.push(Issue::error(
                if title.contains(*c) {
                    "title"
                } else {
                    "caption"
                },
                "forbidden_character",
                [platform(), ("character", Param::Text(c.to_string()))],
            ));
        }
    }
    if variant
        .link
        .as_deref()
        .is_some_and(|l| !l.trim().is_empty())
    {
        if !rules.link {
            issues.push(Issue::error("link", "link_unsupported", [platform()]));
        } else if !variant
            .link
            .as_deref()
            .is_some_and(|l| l.starts_with("https://") || l.starts_with("http://"))
        {
            issues.push(Issue::error("link", "link_invalid", []));
        }
    }
    if variant
        .first_comment
        .as_deref()
        .is_some_and(|c| !c.trim().is_empty())
    {
        if !rules.first_comment {
            issues.push(Issue::error(
                "first_comment",
                "first_comment_unsupported",
                [platform()],
            ));
        } else if variant
            .first_comment
            .as_deref()
            .unwrap_or("")
            .chars()
            .count()
            > rules.caption_max
        {
            issues.push(Issue::error(
                "first_comment",
                "first_comment_too_long",
                [platform(), ("limit", rules.caption_max.into())],
            ));
        }
    }
    if let Some(privacy) = variant.privacy.as_deref().filter(|p| !p.is_empty())
        && !rules.privacy.contains(&privacy)
    {
        issues.push(Issue::error(
            "privacy",
            "privacy_invalid",
            [
                platform(),
                ("count", rules.privacy.len().into()),
                (
                    "choices",
                    Param::Privacy(rules.privacy.iter().map(|p| (*p).to_owned()).collect()),
                ),
            ],
        ));
    }
    if rules.privacy_required && variant.privacy.as_deref().unwrap_or("").is_empty() {
        issues.push(Issue::error("privacy", "privacy_required", [platform()]));
    }
    if rules.post_settings {
        if variant.branded_content && variant.privacy.as_deref() == Some("SELF_ONLY") {
            issues.push(Issue::error(
                "privacy",
                "branded_content_private",
                [platform()],
            ));
        }
        if variant.discloses_commercial_content
            && !variant.promotes_own_brand
            && !variant.branded_content
        {
            issues.push(Issue::error(
                "disclosure",
                "disclosure_incomplete",
                [platform()],
            ));
        }
    }
    if format.format == PostFormat::Text
        && variant.caption.trim().is_empty()
        && variant.link.as_deref().unwrap_or("").trim().is_empty()
    {
        issues.push(Issue::error("caption", "text_empty", [platform()]));
    }
    if format.format == PostFormat::Story && !variant.caption.trim().is_empty() {
        issues.push(Issue::warning(
            "caption",
            "story_caption_ignored",
            [platform()],
        ));
    }

    // Media.
    let n = media.len();
    if n < format.media_min || n > format.media_max {
        issues.push(if format.media_max == 0 {
            Issue::error("media", "media_not_allowed", [platform()])
        } else {
            Issue::error(
                "media",
                "media_count",
                [
                    platform(),
                    ("format", Param::Format(format.format)),
                    ("min", format.media_min.into()),
                    ("max", format.media_max.into()),
                    ("actual", n.into()),
                ],
            )
        });
    }
    let checked = if format.media_max == 0 {
        &[][..]
    } else {
        media
    };
    for (i, item) in checked.iter().enumerate() {
        // Which media the copy speaks of: its position, or 0 for "the media".
        let which = ("item", Param::from(if n > 1 { i + 1 } else { 0 }));
        let (mimes, max_bytes) = match item.kind {
            MediaKind::Image => (format.image_mimes, format.image_max_bytes),
            MediaKind::Video => (format.video_mimes, format.video_max_bytes),
        };
        if mimes.is_empty() {
            issues.push(Issue::error(
                "media",
                "media_kind_unsupported",
                [
                    which,
                    platform(),
                    ("format", Param::Format(format.format)),
                    (
                        "kind",
                        Param::from(match item.kind {
                            MediaKind::Image => "image",
                            MediaKind::Video => "video",
                        }),
                    ),
                ],
            ));
            continue;
        }
        if !mimes.contains(&item.mime.as_str()) {
            issues.push(Issue::error(
                "media",
                "media_type_unsupported",
                [
                    which.clone(),
                    platform(),
                    ("mime", Param::Text(item.mime.clone())),
                    (
                        "accepted",
                        Param::List(mimes.iter().map(|m| (*m).to_owned()).collect()),
                    ),
                ],
            ));
        }
        if item.size > max_bytes {
            issues.push(Issue::error(
                "media",
                "media_too_large",
                [
                    which.clone(),
                    platform(),
                    ("size", Param::Bytes(item.size)),
                    ("limit", Param::Bytes(max_bytes)),
                ],
            ));
        }
        if item.kind == MediaKind::Video {
            match item.duration_ms {
                Some(d) if d < format.video_min_ms => issues.push(Issue::error(
                    "media",
                    "video_too_short",
                    [
                        which.clone(),
                        platform(),
                        ("duration", Param::Millis(d)),
                        ("min", Param::Millis(format.video_min_ms)),
                    ],
                )),
                Some(d) if d > format.video_max_ms => issues.push(Issue::error(
                    "media",
                    "video_too_long",
                    [
                        which.clone(),
                        platform(),
                        ("duration", Param::Millis(d)),
                        ("max", Param::Millis(format.video_max_ms)),
                    ],
                )),
                Some(_) => {}
                None => issues.push(Issue::warning(
                    "media",
                    "duration_unknown",
                    [which.clone(), platform()],
                )),
            }
        }
        if let (Some(w), Some(h)) = (item.width, item.height)
            && w > 0
            && h > 0
        {
            let r = f64::from(w) / f64::from(h);
            let size = [("width", Param::from(w)), ("height", Param::from(h))];
            if let Some((min, max)) = format.aspect
                && (r < min - 0.005 || r > max + 0.005)
            {
                let [width, height] = size;
                issues.push(Issue::error(
                    "media",
                    "aspect_ratio",
                    [
                        which,
                        platform(),
                        width,
                        height,
                        ("ratio", ratio(r)),
                        ("min", ratio(min)),
                        ("max", ratio(max)),
                    ],
                ));
            } else if let Some(preferred) = format.preferred_aspect
                && (r - preferred).abs() > 0.05
            {
                let [width, height] = size;
                issues.push(Issue::warning(
                    "media",
                    "aspect_ratio_not_preferred",
                    [which, platform(), width, height],
                ));
            }
        }
    }
    issues
}

/// Checks a variant against what its account offers right now (TikTok's
/// creator info): the chosen privacy among the account's options, no
/// interaction the creator switched off turned on, the video no longer
/// than the account may post.
pub fn validate_options(
    kind: AccountKind,
    variant: &Variant,
    media: &[MediaItem],
    options: &PostingOptions,
) -> Vec<Issue> {
    let rules = rules_for(kind);
    let platform = || ("platform", Param::from(rules.name));
    let mut issues = Vec::new();
    if let Some(privacy) = variant.privacy.as_deref().filter(|p| !p.is_empty())
        && !options.privacy_options.iter().any(|o| o == privacy)
    {
        issues.push(Issue::error(
            "privacy",
            "privacy_not_offered",
            [
                platform(),
                ("privacy", Param::Privacy(vec![privacy.to_owned()])),
                ("count", options.privacy_options.len().into()),
                ("choices", Param::Privacy(options.privacy_options.clone())),
            ],
        ));
    }
    if rules.post_settings {
        for (wanted, disabled, name) in [
            (variant.allow_comments, options.comment_disabled, "comment"),
            (variant.allow_duets, options.duet_disabled, "duet"),
            (variant.allow_stitches, options.stitch_disabled, "stitch"),
        ] {
            if wanted && disabled {
                issues.push(Issue::error(
                    "interactions",
                    "interaction_disabled",
                    [platform(), ("interaction", Param::from(name))],
                ));
            }
        }
    }
    if let Some(max) = options.max_video_duration_secs {
        let max_ms = max.saturating_mul(1000);
        let n = media.len();
        for (i, item) in media.iter().enumerate() {
            if let (MediaKind::Video, Some(d)) = (item.kind, item.duration_ms)
                && d > max_ms
            {
                issues.push(Issue::error(
                    "media",
                    "video_too_long_for_account",
                    [
                        ("item", Param::from(if n > 1 { i + 1 } else { 0 })),
                        platform(),
                        ("duration", Param::Millis(d)),
                        ("max", Param::Millis(max_ms)),
                    ],
                ));
            }
        }
    }
    issues
}

/// Whether any issue stops publishing.
pub fn has_errors(issues: &[Issue]) -> bool {
    issues.iter().any(|i| i.severity == Severity::Error)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(mime: &str, w: u32, h: u32, size: u64) -> MediaItem {
        MediaItem {
            id: "m".into(),
            kind: MediaKind::Image,
            mime: mime.into(),
            size,
            width: Some(w),
            height: Some(h),
            duration_ms: None,
            url: String::new(),
        }
    }

    fn video(ms: u64, w: u32, h: u32, size: u64) -> MediaItem {
        MediaItem {
            id: "v".into(),
            kind: MediaKind::Video,
            mime: "video/mp4".into(),
            size,
            width: Some(w),
            height: Some(h),
            duration_ms: Some(ms),
            url: String::new(),
        }
    }

    fn variant(format: PostFormat, caption: &str) -> Variant {
        Variant {
            format,
            caption: caption.into(),
            ..Variant::default()
        }
    }

    fn codes(issues: &[Issue]) -> Vec<&'static str> {
        issues.iter().map(|i| i.code).collect()
    }

    #[test]
    fn a_good_instagram_image_passes() {
        let v = variant(PostFormat::Image, "Fresh croissants #bakery @demo.studio");
        let issues = validate(
            AccountKind::InstagramBusiness,
            &v,
            &[image("image/jpeg", 1080, 1350, MIB)],
        );
        assert!(issues.is_empty(), "{issues:?}");
    }

    #[test]
    fn instagram_limits_caption_hashtags_and_mentions() {
        let caption = format!(
            "{} {} {}",
            "x".repeat(2150),
            (0..31)
                .map(|i| format!("#t{i}"))
                .collect::<Vec<_>>()
                .join(" "),
            (0..21)
                .map(|i| format!("@u{i}"))
                .collect::<Vec<_>>()
                .join(" ")
        );
        let v = variant(PostFormat::Image, &caption);
        let issues = validate(
            AccountKind::InstagramAccount,
            &v,
            &[image("image/jpeg", 1080, 1080, MIB)],
        );
        assert_eq!(
            codes(&issues),
            ["caption_too_long", "too_many_hashtags", "too_many_mentions"]
        );
        assert_eq!(issues[0].param("limit"), Some(&Param::Count(2200)));
        assert_eq!(issues[0].param("platform"), Some(&Param::from("Instagram")));
        assert!(
            matches!(issues[0].param("actual"), Some(Param::Count(n)) if *n > 2200),
            "{issues:?}"
        );
    }

    #[test]
    fn instagram_images_must_be_jpeg_small_enough_and_in_ratio() {
        let v = variant(PostFormat::Image, "");
        let issues = validate(
            AccountKind::InstagramBusiness,
            &v,
            &[image("image/png", 1000, 3000, 9 * MIB)],
        );
        assert_eq!(
            codes(&issues),
            ["media_type_unsupported", "media_too_large", "aspect_ratio"]
        );
    }

    #[test]
    fn carousels_take_two_to_ten_items() {
        let v = variant(PostFormat::Carousel, "");
        let one = [image("image/jpeg", 1080, 1080, MIB)];
        assert_eq!(
            codes(&validate(AccountKind::InstagramBusiness, &v, &one)),
            ["media_count"]
        );
        let eleven: Vec<_> = (0..11).map(|_| one[0].clone()).collect();
        let issues = validate(AccountKind::InstagramBusiness, &v, &eleven);
        assert_eq!(codes(&issues), ["media_count"]);
        assert_eq!(issues[0].param("min"), Some(&Param::Count(2)));
        assert_eq!(issues[0].param("max"), Some(&Param::Count(10)));
        assert_eq!(issues[0].param("actual"), Some(&Param::Count(11)));
        let mixed = [one[0].clone(), video(10_000, 1080, 1080, MIB)];
        assert!(validate(AccountKind::InstagramBusiness, &v, &mixed).is_empty());
    }

    #[test]
    fn reels_check_duration_and_prefer_vertical() {
        let v = variant(PostFormat::Reel, "");
        let short = [video(2_000, 1080, 1920, MIB)];
        assert_eq!(
            codes(&validate(AccountKind::InstagramBusiness, &v, &short)),
            ["video_too_short"]
        );
        let square = [video(20_000, 1080, 1080, MIB)];
        let issues = validate(AccountKind::InstagramBusiness, &v, &square);
        assert_eq!(codes(&issues), ["aspect_ratio_not_preferred"]);
        assert!(!has_errors(&issues));
        let image_reel = [image("image/jpeg", 1080, 1920, MIB)];
        assert_eq!(
            codes(&validate(AccountKind::InstagramBusiness, &v, &image_reel)),
            ["media_kind_unsupported"]
        );
    }

    #[test]
    fn tiktok_wants_a_chosen_privacy_and_counts_utf16_units() {
        let video = [video(30_000, 1080, 1920, MIB)];
        let v = variant(PostFormat::Video, "dance");
        assert_eq!(
            codes(&validate(AccountKind::TikTokUser, &v, &video)),
            ["privacy_required"]
        );
        // 1100 emoji are 1100 characters but 2200 UTF-16 units: at the
        // limit; one more character is over it.
        let mut v = variant(PostFormat::Video, &"😀".repeat(1100));
        v.privacy = Some("SELF_ONLY".into());
        assert!(validate(AccountKind::TikTokUser, &v, &video).is_empty());
        v.caption.push('!');
        let issues = validate(AccountKind::TikTokUser, &v, &video);
        assert_eq!(codes(&issues), ["caption_too_long_utf16"]);
        assert_eq!(issues[0].param("actual"), Some(&Param::Count(2201)));
        // Instagram counts characters: the same caption is fine there.
        let mut ig = variant(PostFormat::Reel, &"😀".repeat(1101));
        ig.privacy = None;
        assert!(validate(AccountKind::InstagramBusiness, &ig, &video).is_empty());
    }

    #[test]
    fn tiktok_disclosure_needs_a_choice_and_branded_content_is_never_private() {
        let video = [video(30_000, 1080, 1920, MIB)];
        let mut v = variant(PostFormat::Video, "new oven");
        v.privacy = Some("SELF_ONLY".into());
        v.discloses_commercial_content = true;
        assert_eq!(
            codes(&validate(AccountKind::TikTokUser, &v, &video)),
            ["disclosure_incomplete"]
        );
        v.branded_content = true;
        assert_eq!(
            codes(&validate(AccountKind::TikTokUser, &v, &video)),
            ["branded_content_private"]
        );
        v.privacy = Some("PUBLIC_TO_EVERYONE".into());
        assert!(validate(AccountKind::TikTokUser, &v, &video).is_empty());
        // Naming what it promotes is disclosing.
        let own = Variant {
            promotes_own_brand: true,
            ..variant(PostFormat::Video, "")
        }
        .normalized();
        assert!(own.discloses_commercial_content);
        assert!(own.settings().promotes_own_brand);
    }

    #[test]
    fn tiktok_options_of_the_account_are_checked_too() {
        let options = PostingOptions {
            username: Some("demo".into()),
            nickname: None,
            avatar_url: None,
            privacy_options: vec![
                "FOLLOWER_OF_CREATOR".into(),
                "MUTUAL_FOLLOW_FRIENDS".into(),
                "SELF_ONLY".into(),
            ],
            comment_disabled: true,
            duet_disabled: true,
            stitch_disabled: false,
            max_video_duration_secs: Some(60),
        };
        let mut v = variant(PostFormat::Video, "");
        v.privacy = Some("PUBLIC_TO_EVERYONE".into());
        v.allow_comments = true;
        v.allow_stitches = true;
        let long = [video(90_000, 1080, 1920, MIB)];
        let issues = validate_options(AccountKind::TikTokUser, &v, &long, &options);
        assert_eq!(
            codes(&issues),
            [
                "privacy_not_offered",
                "interaction_disabled",
                "video_too_long_for_account"
            ]
        );
        assert_eq!(
            issues[1].param("interaction"),
            Some(&Param::from("comment"))
        );
        assert_eq!(issues[2].param("max"), Some(&Param::Millis(60_000)));
        v.privacy = Some("FOLLOWER_OF_CREATOR".into());
        v.allow_comments = false;
        let short = [video(59_000, 1080, 1920, MIB)];
        assert!(validate_options(AccountKind::TikTokUser, &v, &short, &options).is_empty());
    }

    #[test]
    fn tiktok_takes_one_video_with_a_known_privacy() {
        let mut v = variant(PostFormat::Video, "dance");
        v.privacy = Some("FRIENDS".into());
        let issues = validate(
            AccountKind::TikTokUser,
            &v,
            &[video(700_000, 1080, 1920, MIB)],
        );
        assert_eq!(codes(&issues), ["privacy_invalid", "video_too_long"]);
        let issues = validate(
            AccountKind::TikTokUser,
            &variant(PostFormat::Image, ""),
            &[image("image/jpeg", 1, 1, 1)],
        );
        assert_eq!(codes(&issues), ["format_unsupported"]);
    }

    #[test]
    fn youtube_needs_a_clean_title() {
        let mut v = variant(PostFormat::Video, "A <b>tour</b>");
        let issues = validate(
            AccountKind::YouTubeChannel,
            &v,
            &[video(60_000, 1920, 1080, MIB)],
        );
        assert_eq!(
            codes(&issues),
            [
                "title_required",
                "forbidden_character",
                "forbidden_character"
            ]
        );
        v.caption = "A tour".into();
        v.title = Some("t".repeat(101));
        let issues = validate(
            AccountKind::YouTubeChannel,
            &v,
            &[video(60_000, 1920, 1080, MIB)],
        );
        assert_eq!(codes(&issues), ["title_too_long"]);
    }

    #[test]
    fn facebook_text_posts_need_words_or_a_link_and_no_media() {
        let v = variant(PostFormat::Text, " ");
        assert_eq!(
            codes(&validate(AccountKind::FacebookPage, &v, &[])),
            ["text_empty"]
        );
        let mut v = variant(PostFormat::Text, "");
        v.link = Some("ftp://x".into());
        assert_eq!(
            codes(&validate(AccountKind::FacebookPage, &v, &[])),
            ["link_invalid"]
        );
        v.link = Some("https://herald.example".into());
        assert!(validate(AccountKind::FacebookPage, &v, &[]).is_empty());
        let issues = validate(
            AccountKind::FacebookPage,
            &v,
            &[image("image/png", 10, 10, 10)],
        );
        assert_eq!(codes(&issues), ["media_not_allowed"]);
    }

    #[test]
    fn first_comments_only_where_supported() {
        let mut v = variant(PostFormat::Video, "");
        v.first_comment = Some("link in bio".into());
        v.title = Some("Tour".into());
        let issues = validate(
            AccountKind::YouTubeChannel,
            &v,
            &[video(60_000, 1920, 1080, MIB)],
        );
        assert_eq!(codes(&issues), ["first_comment_unsupported"]);
    }

    #[test]
    fn tags_are_counted_at_word_starts_only() {
        assert_eq!(count_tags("#a #b c#d # #_e", '#'), 3);
        assert_eq!(count_tags("mail me@x.com @bob", '@'), 1);
    }

    #[test]
    fn default_formats_follow_the_media() {
        let img = image("image/jpeg", 1, 1, 1);
        let vid = video(5_000, 1, 1, 1);
        assert_eq!(
            default_format(AccountKind::InstagramBusiness, std::slice::from_ref(&vid)),
            PostFormat::Reel
        );
        assert_eq!(
            default_format(AccountKind::InstagramBusiness, &[img.clone(), img.clone()]),
            PostFormat::Carousel
        );
        assert_eq!(
            default_format(AccountKind::FacebookPage, &[]),
            PostFormat::Text
        );
        assert_eq!(
            default_format(AccountKind::FacebookPage, &[vid]),
            PostFormat::Video
        );
    }
}
