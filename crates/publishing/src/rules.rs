//! What each platform accepts, one table per provider, and the check that
//! runs while composing and again right before dispatch.
//!
//! Limits come from `platform-apis.md` (sections 1.4, 1.6, 2.2, 3.3); where
//! a platform does not publish a number, the value is the documented
//! consumer-app limit and marked `[U]` there. A rule that only makes a post
//! worse (a non-vertical reel) is a warning; anything the platform would
//! refuse is an error.

use herald_platforms::{AccountKind, MediaItem, MediaKind, PostFormat};
use serde::Serialize;

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

/// TikTok direct posts: one video of 3 s to 10 min, up to 4 GB.
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
pub enum Severity {
    Error,
    Warning,
}

/// One problem with a variant.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Issue {
    pub severity: Severity,
    /// `caption`, `title`, `media`, `privacy`, `first_comment`, `link`,
    /// `format`.
    pub field: &'static str,
    /// Stable code, for the copy table and for tests.
    pub code: &'static str,
    /// A plain sentence saying what to change.
    pub message: String,
}

impl Issue {
    fn error(field: &'static str, code: &'static str, message: String) -> Issue {
        Issue {
            severity: Severity::Error,
            field,
            code,
            message,
        }
    }

    fn warning(field: &'static str, code: &'static str, message: String) -> Issue {
        Issue {
            severity: Severity::Warning,
            field,
            code,
            message,
        }
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

fn mb(bytes: u64) -> String {
    if bytes >= GIB {
        format!("{} GB", bytes / GIB)
    } else {
        format!("{} MB", bytes / MIB)
    }
}

fn secs(ms: u64) -> String {
    if ms >= 60_000 && ms.is_multiple_of(60_000) {
        format!("{} min", ms / 60_000)
    } else {
        format!("{} s", ms / 1000)
    }
}

/// Checks a variant for an account kind. `media` are the variant's media
/// in order (missing ones already reported by the caller).
pub fn validate(kind: AccountKind, variant: &Variant, media: &[MediaItem]) -> Vec<Issue> {
    let rules = rules_for(kind);
    let mut issues = Vec::new();
    let name = rules.name;

    let Some(format) = rules.formats.iter().find(|f| f.format == variant.format) else {
        let offered: Vec<&str> = rules.formats.iter().map(|f| f.format.as_str()).collect();
        issues.push(Issue::error(
            "format",
            "format_unsupported",
            format!(
                "{name} does not take {} posts; choose {}.",
                variant.format.as_str(),
                offered.join(" or ")
            ),
        ));
        return issues;
    };

    // Text.
    let caption_len = variant.caption.chars().count();
    if caption_len > rules.caption_max {
        issues.push(Issue::error(
            "caption",
            "caption_too_long",
            format!(
                "The {name} caption is {caption_len} characters; the limit is {}.",
                rules.caption_max
            ),
        ));
    }
    if let Some(max) = rules.hashtags_max {
        let n = count_tags(&variant.caption, '#');
        if n > max {
            issues.push(Issue::error(
                "caption",
                "too_many_hashtags",
                format!("{name} allows {max} hashtags; this caption has {n}."),
            ));
        }
    }
    if let Some(max) = rules.mentions_max {
        let n = count_tags(&variant.caption, '@');
        if n > max {
            issues.push(Issue::error(
                "caption",
                "too_many_mentions",
                format!("{name} allows {max} mentions; this caption has {n}."),
            ));
        }
    }
    let title = variant.title.as_deref().map(str::trim).unwrap_or("");
    if rules.title_required && title.is_empty() {
        issues.push(Issue::error(
            "title",
            "title_required",
            format!("{name} needs a title."),
        ));
    }
    if rules.title_max > 0 && title.chars().count() > rules.title_max {
        issues.push(Issue::error(
            "title",
            "title_too_long",
            format!(
                "The {name} title is {} characters; the limit is {}.",
                title.chars().count(),
                rules.title_max
            ),
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
                format!("{name} refuses the character “{c}” in titles and descriptions."),
            ));
        }
    }
    if variant
        .link
        .as_deref()
        .is_some_and(|l| !l.trim().is_empty())
    {
        if !rules.link {
            issues.push(Issue::error(
                "link",
                "link_unsupported",
                format!("{name} posts cannot carry a link; put it in the caption."),
            ));
        } else if !variant
            .link
            .as_deref()
            .is_some_and(|l| l.starts_with("https://") || l.starts_with("http://"))
        {
            issues.push(Issue::error(
                "link",
                "link_invalid",
                "The link must start with https:// or http://.".to_owned(),
            ));
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
                format!("Herald cannot add a first comment on {name}."),
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
                format!(
                    "The first comment is longer than {name}'s {} characters.",
                    rules.caption_max
                ),
            ));
        }
    }
    if let Some(privacy) = variant.privacy.as_deref().filter(|p| !p.is_empty())
        && !rules.privacy.contains(&privacy)
    {
        issues.push(Issue::error(
            "privacy",
            "privacy_invalid",
            if rules.privacy.is_empty() {
                format!("{name} posts have no privacy setting.")
            } else {
                format!(
                    "{name} privacy must be one of {}.",
                    rules.privacy.join(", ")
                )
            },
        ));
    }
    if format.format == PostFormat::Text
        && variant.caption.trim().is_empty()
        && variant.link.as_deref().unwrap_or("").trim().is_empty()
    {
        issues.push(Issue::error(
            "caption",
            "text_empty",
            format!("A {name} text post needs a message or a link."),
        ));
    }
    if format.format == PostFormat::Story && !variant.caption.trim().is_empty() {
        issues.push(Issue::warning(
            "caption",
            "story_caption_ignored",
            format!("{name} stories do not show captions."),
        ));
    }

    // Media.
    let n = media.len();
    if n < format.media_min || n > format.media_max {
        let (code, message) = match (format.media_min, format.media_max) {
            (0, 0) => (
                "media_not_allowed",
                format!("{name} text posts take no media; choose another format."),
            ),
            (min, max) if min == max => (
                "media_count",
                format!(
                    "A {name} {} takes exactly {min} media file{}; this one has {n}.",
                    format.format.as_str(),
                    if min == 1 { "" } else { "s" }
                ),
            ),
            (min, max) => (
                "media_count",
                format!(
                    "A {name} {} takes {min} to {max} media files; this one has {n}.",
                    format.format.as_str()
                ),
            ),
        };
        issues.push(Issue::error("media", code, message));
    }
    let checked = if format.media_max == 0 {
        &[][..]
    } else {
        media
    };
    for (i, item) in checked.iter().enumerate() {
        let which = if n > 1 {
            format!("Media {} ", i + 1)
        } else {
            "The media ".to_owned()
        };
        let (mimes, max_bytes) = match item.kind {
            MediaKind::Image => (format.image_mimes, format.image_max_bytes),
            MediaKind::Video => (format.video_mimes, format.video_max_bytes),
        };
        if mimes.is_empty() {
            issues.push(Issue::error(
                "media",
                "media_kind_unsupported",
                format!(
                    "{which}is {} and a {name} {} takes {}.",
                    match item.kind {
                        MediaKind::Image => "an image",
                        MediaKind::Video => "a video",
                    },
                    format.format.as_str(),
                    match item.kind {
                        MediaKind::Image => "videos only",
                        MediaKind::Video => "images only",
                    }
                ),
            ));
            continue;
        }
        if !mimes.contains(&item.mime.as_str()) {
            issues.push(Issue::error(
                "media",
                "media_type_unsupported",
                format!(
                    "{which}is {}; {name} takes {}.",
                    item.mime,
                    mimes.join(", ")
                ),
            ));
        }
        if item.size > max_bytes {
            issues.push(Issue::error(
                "media",
                "media_too_large",
                format!(
                    "{which}is {}; {name} takes up to {}.",
                    mb(item.size.max(MIB)),
                    mb(max_bytes)
                ),
            ));
        }
        if item.kind == MediaKind::Video {
            match item.duration_ms {
                Some(d) if d < format.video_min_ms => issues.push(Issue::error(
                    "media",
                    "video_too_short",
                    format!(
                        "{which}lasts {}; {name} needs at least {}.",
                        secs(d),
                        secs(format.video_min_ms)
                    ),
                )),
                Some(d) if d > format.video_max_ms => issues.push(Issue::error(
                    "media",
                    "video_too_long",
                    format!(
                        "{which}lasts {}; {name} takes up to {}.",
                        secs(d),
                        secs(format.video_max_ms)
                    ),
                )),
                Some(_) => {}
                None => issues.push(Issue::warning(
                    "media",
                    "duration_unknown",
                    format!("{which}has no readable duration; {name} may refuse it."),
                )),
            }
        }
        if let (Some(w), Some(h)) = (item.width, item.height)
            && w > 0
            && h > 0
        {
            let ratio = f64::from(w) / f64::from(h);
            if let Some((min, max)) = format.aspect
                && (ratio < min - 0.005 || ratio > max + 0.005)
            {
                issues.push(Issue::error(
                    "media",
                    "aspect_ratio",
                    format!(
                        "{which}is {w}×{h} (ratio {ratio:.2}); {name} takes ratios from {min:.2} to {max:.2}."
                    ),
                ));
            } else if let Some(preferred) = format.preferred_aspect
                && (ratio - preferred).abs() > 0.05
            {
                issues.push(Issue::warning(
                    "media",
                    "aspect_ratio_not_preferred",
                    format!(
                        "{which}is {w}×{h}; {name} shows vertical 9:16 best, other shapes get cropped or framed."
                    ),
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
        assert!(issues[0].message.contains("limit is 2200"), "{issues:?}");
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
        assert!(issues[0].message.contains("2 to 10"));
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
