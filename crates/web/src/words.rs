//! The domain's codes in words. Domain crates report what happened as a
//! code with typed parameters (a rule issue, why a target failed, a
//! notification); this module renders them from the catalogs in the
//! reader's language, writing sizes, times, formats and lists the
//! language's way.

use herald_connections::StatusDetail;
use herald_core::Named;
use herald_notify::{Notice, NoticeParam, Notification};
use herald_publishing::FailureDetail;
use herald_publishing::rules::{Issue, Param};
use herald_webhooks::AttemptSummary;

use crate::i18n::{Arg, Catalog};

const MIB: u64 = 1024 * 1024;
const GIB: u64 = 1024 * MIB;

/// A rule issue in the reader's language.
pub fn issue(t: &Catalog, issue: &Issue) -> String {
    issue_of(t, issue.code, issue.params.iter().map(|(k, v)| (*k, v)))
}

/// An issue given by its code and parameters (as stored with a failure).
fn issue_of<'p>(
    t: &Catalog,
    code: &str,
    params: impl Iterator<Item = (&'p str, &'p Param)> + Clone,
) -> String {
    let exact = code == "media_count" && {
        let find = |name| {
            params
                .clone()
                .find(|(k, _)| *k == name)
                .and_then(|(_, v)| v.as_u64())
        };
        find("min") == find("max")
    };
    let key = if exact {
        "issue.media_count_exact".to_owned()
    } else {
        format!("issue.{code}")
    };
    message(t, &key, params)
}

/// Why a target failed, in the reader's language.
pub fn failure(t: &Catalog, detail: &FailureDetail) -> String {
    if detail.code == "rules_broken" {
        let issues: Vec<String> = detail
            .issues
            .iter()
            .map(|i| issue_of(t, &i.code, i.params.iter().map(|(k, v)| (k.as_str(), v))))
            .collect();
        return issues.join(" ");
    }
    message(
        t,
        &format!("failure.{}", detail.code),
        detail.params.iter().map(|(k, v)| (k.as_str(), v)),
    )
}

/// What a notification says, in the reader's language, with instants in
/// `tz`; a notice written before codes were stored shows its English text
/// as it is.
pub fn notice(t: &Catalog, tz: &jiff::tz::TimeZone, n: &Notification) -> String {
    match &n.notice {
        Some(notice) => notice_text(t, tz, notice),
        None => n.text.clone(),
    }
}

/// A notice's words in the reader's language, with instants in `tz`.
pub fn notice_text(t: &Catalog, tz: &jiff::tz::TimeZone, notice: &Notice) -> String {
    let args: Vec<(&str, Arg<'_>)> = notice
        .params
        .iter()
        .map(|(name, value)| {
            let value = match value {
                NoticeParam::Text(s) => {
                    if name == "reason" {
                        Arg::from(t.text(&format!("notice.reason.{s}")))
                    } else if name == "next" {
                        Arg::from(t.text(&format!("notice.next.{s}")))
                    } else if name == "metric" && t.has(&format!("analytics.metric.{s}")) {
                        Arg::from(t.text(&format!("analytics.metric.{s}")))
                    } else {
                        Arg::from(s)
                    }
                }
                NoticeParam::Count(c) => Arg::Count(*c),
                NoticeParam::Instant(micros) => Arg::from(
                    herald_core::Timestamp::from_microsecond(*micros)
                        .map_or_else(|_| String::new(), |at| zoned_instant(t, tz, at)),
                ),
            };
            (name.as_str(), value)
        })
        .collect();
    t.format(&format!("notice.{}", notice.code), &args)
}

/// An instant in `tz`, the language's way (`2026-12-07 15:04 CET`,
/// `07.12.2026, 15:04 MEZ`-like: the zone's abbreviation as jiff knows it).
pub fn zoned_instant(t: &Catalog, tz: &jiff::tz::TimeZone, at: herald_core::Timestamp) -> String {
    let zoned = at.to_zoned(tz.clone());
    let two = |n: i8| format!("{n:02}");
    t.format(
        "unit.instant_zoned",
        &[
            ("year", Arg::from(zoned.year().to_string())),
            ("month", Arg::from(two(zoned.month()))),
            ("day", Arg::from(two(zoned.day()))),
            ("hour", Arg::from(two(zoned.hour()))),
            ("minute", Arg::from(two(zoned.minute()))),
            ("zone", Arg::from(zoned.strftime("%Z").to_string())),
        ],
    )
}

/// A date in `tz`, the language's way (`2026-12-07`, `07.12.2026`).
pub fn zoned_date(t: &Catalog, tz: &jiff::tz::TimeZone, at: herald_core::Timestamp) -> String {
    let zoned = at.to_zoned(tz.clone());
    let two = |n: i8| format!("{n:02}");
    t.format(
        "unit.date",
        &[
            ("year", Arg::from(zoned.year().to_string())),
            ("month", Arg::from(two(zoned.month()))),
            ("day", Arg::from(two(zoned.day()))),
        ],
    )
}

/// The codes an inbox action may fail with (see
/// `herald_webhooks::inbox::ActionFailure`); each has words in every
/// catalog.
pub const INBOX_FAILURES: [&str; 12] = [
    "outside_window",
    "private_reply_used",
    "not_found",
    "not_allowed",
    "unsupported",
    "outcome_unknown",
    "reconnect",
    "rejected",
    "unavailable",
    "rate_limited",
    "misconfigured",
    "account_gone",
];

/// Why an inbox action failed, in the reader's language; the platform's
/// own words, when it gave any, follow as they were said.
pub fn inbox_failure(t: &Catalog, failure: &herald_webhooks::inbox::ActionFailure) -> String {
    let key = format!("inbox.failure.{}", failure.code);
    let words = if t.has(&key) {
        t.text(&key).to_owned()
    } else {
        t.text("inbox.failure.other").to_owned()
    };
    match failure.detail.as_deref().filter(|d| !d.trim().is_empty()) {
        Some(said) => t.format(
            "inbox.failure_with_detail",
            &[("reason", Arg::from(words)), ("said", Arg::from(said))],
        ),
        None => words,
    }
}

/// What a webhook processing attempt did, in the reader's language; an
/// attempt recorded before codes were stored shows its English words.
pub fn attempt_summary(t: &Catalog, summary: &AttemptSummary) -> String {
    let counts = match summary {
        AttemptSummary::Applied(counts) => counts,
        AttemptSummary::Succeeded => return t.text("webhooks.summary_succeeded").to_owned(),
        AttemptSummary::Retrying => return t.text("webhooks.summary_retrying").to_owned(),
        AttemptSummary::Dead => return t.text("webhooks.summary_dead").to_owned(),
        AttemptSummary::Text(text) => return text.clone(),
    };
    let mut parts: Vec<String> = [
        ("webhooks.summary_comments", counts.comments),
        ("webhooks.summary_mentions", counts.mentions),
        ("webhooks.summary_messages", counts.messages),
        ("webhooks.summary_insights", counts.insights),
        ("webhooks.summary_removed", counts.removed),
        ("webhooks.summary_ignored", counts.ignored),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(key, n)| t.fill(key, "n", n))
    .collect();
    if !counts.unrouted.is_empty() {
        let ids = Arg::from(counts.unrouted.join(", "));
        parts.push(if counts.unrouted_more > 0 {
            t.format(
                "webhooks.summary_unrouted_more",
                &[("ids", ids), ("more", Arg::from(counts.unrouted_more))],
            )
        } else {
            t.format("webhooks.summary_unrouted", &[("ids", ids)])
        });
    }
    if parts.is_empty() {
        t.text("webhooks.summary_nothing").to_owned()
    } else {
        parts.join(", ")
    }
}

/// Why a connection is not active, in the reader's language (empty when
/// there is nothing to say); the platform's own words are quoted as given.
pub fn connection_detail(t: &Catalog, detail: &StatusDetail) -> String {
    match detail {
        StatusDetail::None => String::new(),
        StatusDetail::CredentialsUnreadable => t
            .text("publishing.detail_credentials_unreadable")
            .to_owned(),
        StatusDetail::ProviderUnconfigured => {
            t.text("publishing.detail_provider_unconfigured").to_owned()
        }
        StatusDetail::Platform {
            kind,
            platform_code,
            message,
        } => {
            let said = match platform_code {
                Some(code) => format!("{message} ({code})"),
                None => message.clone(),
            };
            let key = format!("publishing.detail_{kind}");
            let key = if t.has(&key) {
                key
            } else {
                "publishing.detail_platform_unavailable".to_owned()
            };
            t.fill(&key, "said", said)
        }
        StatusDetail::AccessRemoved { app } => {
            t.fill("publishing.detail_access_removed", "app", app)
        }
        StatusDetail::Text { text } => text.clone(),
    }
}

/// Message `key` with `params` written for the reader.
pub(crate) fn message<'p>(
    t: &Catalog,
    key: &str,
    params: impl Iterator<Item = (&'p str, &'p Param)>,
) -> String {
    let args: Vec<(&str, Arg<'_>)> = params.map(|(name, value)| (name, arg(t, value))).collect();
    t.format(key, &args)
}

/// One parameter as a message argument.
fn arg<'a>(t: &Catalog, value: &'a Param) -> Arg<'a> {
    match value {
        Param::Text(s) => Arg::from(s),
        Param::Count(n) => Arg::from(*n),
        Param::Ratio(r) => Arg::Decimal(*r, 2),
        Param::Bytes(b) => Arg::from(size(t, *b)),
        Param::Millis(ms) => Arg::from(length(t, *ms)),
        Param::Format(f) => Arg::from(format_name(t, f.as_str())),
        Param::Formats(list) => {
            let names: Vec<String> = list.iter().map(|f| format_name(t, f.as_str())).collect();
            Arg::from(either(t, &names))
        }
        Param::Privacy(values) => {
            let labels: Vec<String> = values.iter().map(|v| privacy_label(t, v)).collect();
            Arg::from(labels.join(", "))
        }
        Param::List(values) => Arg::from(values.join(", ")),
        Param::Time(at) => Arg::from(zoned_instant(t, &jiff::tz::TimeZone::UTC, *at)),
    }
}

/// A file size in whole megabytes (at least 1) or gigabytes.
fn size(t: &Catalog, bytes: u64) -> String {
    if bytes >= GIB {
        t.fill("unit.gigabytes", "n", bytes / GIB)
    } else {
        t.fill("unit.megabytes", "n", bytes.max(MIB) / MIB)
    }
}

/// A length of time in whole minutes when it is some, else in seconds.
fn length(t: &Catalog, ms: u64) -> String {
    if ms >= 60_000 && ms.is_multiple_of(60_000) {
        t.fill("unit.minutes", "n", ms / 60_000)
    } else {
        t.fill("unit.seconds", "n", ms / 1000)
    }
}

fn format_name(t: &Catalog, format: &str) -> String {
    t.text(&format!("compose.format.{format}")).to_owned()
}

fn privacy_label(t: &Catalog, value: &str) -> String {
    let key = format!("compose.privacy.{}", value.to_ascii_lowercase());
    if t.has(&key) {
        t.text(&key).to_owned()
    } else {
        value.to_owned()
    }
}

/// "a, b or c" in the reader's language.
fn either(t: &Catalog, items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => t.format(
            "list.or",
            &[("first", rest.join(", ").into()), ("last", last.into())],
        ),
    }
}

/// The codes a generation may fail with (the engine's error classes, see
/// `herald_studio::EngineError::code`); each has words in every catalog.
pub const GENERATION_FAILURES: [&str; 9] = [
    "rate_limited",
    "unavailable",
    "timeout",
    "context_too_long",
    "content_filtered",
    "unauthorized",
    "rejected",
    "malformed",
    "cancelled",
];

/// Why a generation failed (or why its last attempt did), in the reader's
/// language.
pub fn generation_failure(t: &Catalog, code: &str) -> String {
    let key = format!("studio.failure.{code}");
    if t.has(&key) {
        t.text(&key).to_owned()
    } else {
        t.text("studio.failure.other").to_owned()
    }
}

/// A studio refusal in the reader's language, with its variables (which
/// quota, which field).
pub fn studio_error(locale: crate::i18n::Locale, e: &herald_studio::StudioError) -> String {
    crate::i18n::error_message(locale, e.code(), &crate::error::studio_params(e))
}

/// An amount of `currency` given in billionths (the ledger's unit), the
/// language's way, with as many decimals as a fraction of a cent needs
/// (`0.00075 USD`, `0,00075 USD`; `1.25 USD`).
pub fn money(t: &Catalog, nanos: i64, currency: &str) -> String {
    let whole = nanos / 1_000_000_000;
    let frac = (nanos % 1_000_000_000).unsigned_abs();
    let mut digits = format!("{frac:09}");
    while digits.len() > 2 && digits.ends_with('0') {
        digits.pop();
    }
    let sign = if nanos < 0 && whole == 0 { "-" } else { "" };
    let amount = format!("{sign}{whole}.{digits}");
    let amount = if t.text("unit.decimal_mark") == "," {
        amount.replace('.', ",")
    } else {
        amount
    };
    t.format(
        "unit.money",
        &[
            ("amount", Arg::from(amount)),
            ("currency", Arg::from(currency)),
        ],
    )
}

/// A fraction as a percentage with `digits` decimals, the language's way
/// (`0.0425` → `4.25%` in English, `4,25 %` in German).
pub fn percent(t: &Catalog, ratio: f64, digits: usize) -> String {
    t.fill("unit.percent", "n", t.decimal(ratio * 100.0, digits))
}

/// A change as a signed percentage (`+12.5%`, `-3,0 %`).
pub fn signed_percent(t: &Catalog, ratio: f64, digits: usize) -> String {
    let text = percent(t, ratio, digits);
    if ratio > 0.0 && !text.starts_with('+') {
        format!("+{text}")
    } else {
        text
    }
}

/// A signed whole number (`+1,250`, `-40`, `0`).
pub fn signed_count(t: &Catalog, n: i64) -> String {
    if n > 0 {
        format!("+{}", t.count(n))
    } else {
        t.count(n)
    }
}

/// A calendar day the language's way (`2026-12-07`, `07.12.2026`).
pub fn date(t: &Catalog, day: jiff::civil::Date) -> String {
    let two = |n: i8| format!("{n:02}");
    t.format(
        "unit.date",
        &[
            ("year", Arg::from(day.year().to_string())),
            ("month", Arg::from(two(day.month()))),
            ("day", Arg::from(two(day.day()))),
        ],
    )
}

/// A day and its month, short, for a chart's axis (`Dec 7`, `7. Dez.`).
pub fn day_month(t: &Catalog, day: jiff::civil::Date) -> String {
    t.format(
        "unit.day_month",
        &[
            (
                "month",
                Arg::from(t.text(&format!("month.short.{}", day.month()))),
            ),
            ("day", Arg::from(day.day().to_string())),
        ],
    )
}

/// A length of watch time in hours with one decimal (`1,234.5 h`).
pub fn watch_hours(t: &Catalog, secs: i64) -> String {
    t.fill("unit.hours_short", "n", t.decimal(secs as f64 / 3600.0, 1))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Locale, catalog};
    use herald_notify::Notice;
    use herald_platforms::{AccountKind, MediaItem, MediaKind, PostFormat};
    use herald_publishing::Variant;
    use herald_publishing::rules::validate;

    fn variant(format: PostFormat, caption: &str) -> Variant {
        Variant {
            format,
            caption: caption.into(),
            ..Variant::default()
        }
    }

    fn image(w: u32, h: u32, size: u64) -> MediaItem {
        MediaItem {
            id: "m".into(),
            kind: MediaKind::Image,
            mime: "image/png".into(),
            size,
            width: Some(w),
            height: Some(h),
            duration_ms: None,
            url: String::new(),
        }
    }

    fn rendered(
        locale: Locale,
        kind: AccountKind,
        v: &Variant,
        media: &[MediaItem],
    ) -> Vec<String> {
        validate(kind, v, media)
            .iter()
            .map(|i| issue(catalog(locale), i))
            .collect()
    }

    #[test]
    fn a_german_caption_limit_keeps_its_numbers() {
        // Numbers are written without grouping in every language, as the
        // platforms print their limits: 2200, not 2,200 or 2.200.
        let v = variant(PostFormat::Image, &"x".repeat(2301));
        let media = [MediaItem {
            mime: "image/jpeg".into(),
            ..image(1080, 1080, MIB)
        }];
        let de = rendered(Locale::De, AccountKind::InstagramBusiness, &v, &media);
        assert_eq!(
            de,
            ["Der Text für Instagram hat 2301 Zeichen; das Limit ist 2200."]
        );
        let en = rendered(Locale::En, AccountKind::InstagramBusiness, &v, &media);
        assert_eq!(
            en,
            ["The Instagram caption is 2301 characters; the limit is 2200."]
        );
    }

    #[test]
    fn sizes_ratios_and_positions_are_written_the_readers_way() {
        let v = variant(PostFormat::Carousel, "");
        let media = [image(1000, 3000, 9 * MIB), image(1080, 1080, MIB)];
        let en = rendered(Locale::En, AccountKind::InstagramBusiness, &v, &media);
        assert_eq!(
            en,
            [
                "Media 1 is image/png; Instagram takes image/jpeg.",
                "Media 1 is 9 MB; Instagram takes up to 8 MB.",
                "Media 1 is 1000×3000 (ratio 0.33); Instagram takes ratios from 0.80 to 1.91.",
                "Media 2 is image/png; Instagram takes image/jpeg.",
            ]
        );
        let de = rendered(Locale::De, AccountKind::InstagramBusiness, &v, &media);
        assert_eq!(
            de[2],
            "Mediendatei 1 ist 1000×3000 groß (Verhältnis 0,33); Instagram nimmt Verhältnisse von 0,80 bis 1,91."
        );
        assert_eq!(
            de[1],
            "Mediendatei 1 ist 9 MB groß; Instagram nimmt höchstens 8 MB."
        );
    }

    #[test]
    fn counts_take_plural_forms_and_choices_are_listed() {
        let one = [image(1080, 1080, MIB)];
        let v = variant(PostFormat::Carousel, "");
        let en = rendered(Locale::En, AccountKind::InstagramBusiness, &v, &one);
        assert!(
            en[0].ends_with("takes 2 to 10 media files; this one has 1."),
            "{en:?}"
        );
        let v = variant(PostFormat::Image, "");
        let two = [one[0].clone(), one[0].clone()];
        assert_eq!(
            rendered(Locale::En, AccountKind::FacebookPage, &v, &two)[0],
            "A Facebook Image takes exactly 1 media file; this one has 2."
        );
        assert_eq!(
            rendered(Locale::De, AccountKind::FacebookPage, &v, &two)[0],
            "Ein Beitrag im Format Bild auf Facebook braucht genau 1 Mediendatei; dieser hat 2."
        );
        let v = variant(PostFormat::Image, "");
        assert_eq!(
            rendered(Locale::En, AccountKind::TikTokUser, &v, &[])[0],
            "TikTok does not take Image posts; choose Video."
        );
        assert_eq!(
            rendered(
                Locale::De,
                AccountKind::InstagramBusiness,
                &variant(PostFormat::Video, ""),
                &[]
            )[0],
            "Instagram nimmt keine Beiträge im Format Video an; wählen Sie Bild, Karussell, Reel oder Story."
        );
    }

    #[test]
    fn webhook_attempt_summaries_are_counted_in_the_readers_language() {
        use herald_webhooks::AppliedCounts;
        let counts = AttemptSummary::Applied(AppliedCounts {
            comments: 2,
            mentions: 1,
            ignored: 3,
            unrouted: ["1", "2", "3", "4", "5"].map(str::to_owned).to_vec(),
            unrouted_more: 2,
            ..AppliedCounts::default()
        });
        assert_eq!(
            attempt_summary(catalog(Locale::En), &counts),
            "2 comments, 1 mention, 3 ignored, no connected account for 1, 2, 3, 4, 5 and 2 more"
        );
        assert_eq!(
            attempt_summary(catalog(Locale::De), &counts),
            "2 Kommentare, 1 Erwähnung, 3 ignoriert, kein verbundenes Konto für 1, 2, 3, 4, 5 und 2 weitere"
        );
        let nothing = AttemptSummary::Applied(AppliedCounts::default());
        assert_eq!(
            attempt_summary(catalog(Locale::En), &nothing),
            "nothing to apply"
        );
        assert_eq!(
            attempt_summary(catalog(Locale::De), &AttemptSummary::Retrying),
            "fehlgeschlagen; ein weiterer Versuch ist geplant"
        );
        // Words stored before codes are shown as they were written.
        let old = AttemptSummary::Text("2 comments".to_owned());
        assert_eq!(attempt_summary(catalog(Locale::De), &old), "2 comments");
    }

    #[test]
    fn connection_details_are_words_in_the_readers_language() {
        let refused = StatusDetail::Platform {
            kind: "platform_reconnect".to_owned(),
            platform_code: Some("190/463".to_owned()),
            message: "Session has expired".to_owned(),
        };
        assert_eq!(
            connection_detail(catalog(Locale::En), &refused),
            "The platform no longer accepts Herald's access: Session has expired (190/463)"
        );
        assert_eq!(
            connection_detail(catalog(Locale::De), &refused),
            "Die Plattform akzeptiert Heralds Zugang nicht mehr: Session has expired (190/463)"
        );
        let removed = StatusDetail::AccessRemoved {
            app: "Instagram".to_owned(),
        };
        assert_eq!(
            connection_detail(catalog(Locale::De), &removed),
            "Der Zugang wurde auf Instagram entfernt."
        );
        assert_eq!(
            connection_detail(catalog(Locale::En), &StatusDetail::None),
            ""
        );
        // Stored before codes, and round trips through the column.
        let old = StatusDetail::from_stored("provider not configured");
        assert_eq!(
            connection_detail(catalog(Locale::De), &old),
            "provider not configured"
        );
        assert_eq!(StatusDetail::from_stored(&refused.to_stored()), refused);
        assert_eq!(StatusDetail::from_stored(""), StatusDetail::None);
        // Every refusal kind has its words in every language.
        for locale in Locale::ALL {
            for kind in [
                "platform_reconnect",
                "platform_reconsent",
                "platform_rate_limited",
                "platform_unavailable",
                "platform_bad_request",
                "platform_misconfigured",
            ] {
                assert!(
                    catalog(locale).has(&format!("publishing.detail_{kind}")),
                    "{kind}"
                );
            }
        }
    }

    #[test]
    fn every_platform_hint_has_copy_in_every_language() {
        for locale in Locale::ALL {
            let t = catalog(locale);
            for code in herald_platforms::HINT_CODES
                .iter()
                .flat_map(|area| area.iter())
            {
                assert!(
                    t.has(&format!("failure.{code}")),
                    "failure.{code} in {}",
                    locale.code()
                );
            }
            assert!(t.has("posts.postponed") && t.has("posts.postponed_until"));
        }
    }

    #[test]
    fn every_failure_code_and_unit_has_copy_in_every_language() {
        for locale in Locale::ALL {
            let t = catalog(locale);
            for code in [
                "platform_said",
                "platform_said_missing_scopes",
                "platform_kept_refusing",
                "platform_unconfirmed",
                "account_removed",
                "media_deleted",
                "variant_unreadable",
                "progress_unreadable",
                "account_kind_unknown",
                "provider_unavailable",
                "issue.media_count_exact",
            ] {
                let key = if code.contains('.') {
                    code.to_owned()
                } else {
                    format!("failure.{code}")
                };
                assert!(t.has(&key), "{key} in {}", locale.code());
            }
            for key in [
                "unit.megabytes",
                "unit.gigabytes",
                "unit.minutes",
                "unit.seconds",
                "list.or",
            ] {
                assert!(t.has(key), "{key} in {}", locale.code());
            }
        }
        assert_eq!(length(catalog(Locale::De), 15 * 60_000), "15 Min.");
        assert_eq!(length(catalog(Locale::En), 2_500), "2 s");
        assert_eq!(size(catalog(Locale::En), 4 * GIB), "4 GB");
        assert_eq!(size(catalog(Locale::En), 10), "1 MB");
    }

    fn notification(notice: Option<Notice>, text: &str) -> Notification {
        Notification {
            id: 1,
            workspace_id: herald_accounts::WorkspaceId(1),
            kind: herald_notify::NotificationKind::Comment,
            notice,
            text: text.into(),
            link: None,
            created_at: herald_core::Timestamp::UNIX_EPOCH,
            read: false,
        }
    }

    fn comment(count: usize, author: Option<&str>, quote: Option<&str>) -> Notification {
        notification(
            Some(Notice::new(
                "comment",
                [
                    ("account", "Acme IG".into()),
                    ("count", count.into()),
                    ("author", author.unwrap_or_default().into()),
                    (
                        "author_kind",
                        if author.is_some() { "handle" } else { "none" }.into(),
                    ),
                    ("quote", quote.unwrap_or_default().into()),
                    (
                        "quote_kind",
                        if quote.is_some() { "some" } else { "none" }.into(),
                    ),
                ],
            )),
            "",
        )
    }

    #[test]
    fn notifications_render_in_each_language_and_old_ones_as_written() {
        let en = catalog(Locale::En);
        let de = catalog(Locale::De);
        let one = comment(1, Some("ana"), Some("Love it"));
        assert_eq!(
            notice(en, &jiff::tz::TimeZone::UTC, &one),
            "New comment from @ana on Acme IG: \u{201c}Love it\u{201d}"
        );
        assert_eq!(
            notice(de, &jiff::tz::TimeZone::UTC, &one),
            "Neuer Kommentar von @ana zu Acme IG: \u{201e}Love it\u{201c}"
        );
        assert_eq!(
            notice(en, &jiff::tz::TimeZone::UTC, &comment(1, None, None)),
            "New comment on Acme IG"
        );
        assert_eq!(
            notice(en, &jiff::tz::TimeZone::UTC, &comment(2, None, None)),
            "2 new comments on Acme IG"
        );
        assert_eq!(
            notice(de, &jiff::tz::TimeZone::UTC, &comment(2, None, None)),
            "2 neue Kommentare zu Acme IG"
        );
        let failing = notification(
            Some(Notice::new(
                "endpoint_failing",
                [
                    ("host", "hooks.example".into()),
                    ("days", NoticeParam::Count(5)),
                ],
            )),
            "",
        );
        assert!(notice(en, &jiff::tz::TimeZone::UTC, &failing).ends_with("failing for 5 days."));
        assert!(notice(de, &jiff::tz::TimeZone::UTC, &failing).ends_with("seit 5 Tagen fehl."));
        let old = notification(None, "New comment on Acme IG");
        assert_eq!(
            notice(de, &jiff::tz::TimeZone::UTC, &old),
            "New comment on Acme IG"
        );
    }

    #[test]
    fn an_anomaly_notice_names_the_metric_and_direction_in_each_language() {
        let n = notification(
            Some(Notice::new(
                "analytics_anomaly",
                [
                    ("account", "Acme IG".into()),
                    ("metric", "views".into()),
                    ("direction", "drop".into()),
                    ("value", NoticeParam::Count(150)),
                    ("median", NoticeParam::Count(1200)),
                ],
            )),
            "",
        );
        let utc = jiff::tz::TimeZone::UTC;
        assert_eq!(
            notice(catalog(Locale::En), &utc, &n),
            "Views of Acme IG dropped to 150 (usually 1,200)."
        );
        assert_eq!(
            notice(catalog(Locale::De), &utc, &n),
            "Aufrufe von Acme IG fielen auf 150 (üblich: 1.200)."
        );
    }

    #[test]
    fn every_recommendation_has_a_title_and_evidence_in_every_language() {
        for locale in Locale::ALL {
            for signal in [
                "cadence_below_plan",
                "format_unused",
                "pillar_neglected",
                "engagement_falling",
                "best_hours_unused",
                "anomaly",
            ] {
                for part in ["title", "evidence"] {
                    let key = format!("recommendation.{signal}.{part}");
                    assert!(catalog(locale).has(&key), "{key} in {}", locale.code());
                }
            }
        }
        // The page turns the evidence into words before it reaches the
        // catalog (pages/learn.rs): every parameter shows in the sentence.
        let args = [
            ("weekday", crate::i18n::Arg::from("dienstags")),
            ("hour", crate::i18n::Arg::from("19:00")),
            ("rate", crate::i18n::Arg::from("4,2 %")),
            ("posts", crate::i18n::Arg::Count(10)),
        ];
        let de = catalog(Locale::De).format("recommendation.best_hours_unused.evidence", &args);
        for part in ["dienstags", "19:00", "4,2 %", "10"] {
            assert!(de.contains(part), "{part} in {de}");
        }
    }

    #[test]
    fn every_notice_code_has_copy_in_every_language() {
        for locale in Locale::ALL {
            for code in [
                "comment",
                "mention",
                "message",
                "story_insights",
                "news",
                "delivery_dead",
                "connection_revoked",
                "connection_deleted",
                "endpoint_gone",
                "endpoint_failing",
                "endpoint_exhausted",
                "analytics_anomaly",
            ] {
                let key = format!("notice.{code}");
                assert!(catalog(locale).has(&key), "{key} in {}", locale.code());
            }
        }
    }

    #[test]
    fn failures_render_their_code_in_each_language() {
        let said = FailureDetail::new(
            "platform_kept_refusing",
            [
                ("platform", Param::from("YouTube")),
                ("detail", Param::from("quotaExceeded")),
                ("attempts", Param::Count(5)),
            ],
        );
        assert_eq!(
            failure(catalog(Locale::En), &said),
            "YouTube still refused after 5 attempts: quotaExceeded"
        );
        assert_eq!(
            failure(catalog(Locale::De), &said),
            "YouTube lehnte auch nach 5 Versuchen ab: quotaExceeded"
        );
        let v = variant(PostFormat::Video, "");
        let issues = validate(AccountKind::YouTubeChannel, &v, &[]);
        let broken = FailureDetail::rules_broken(&issues);
        let stored: FailureDetail =
            serde_json::from_str(&serde_json::to_string(&broken).unwrap()).unwrap();
        assert_eq!(
            failure(catalog(Locale::En), &stored),
            "YouTube needs a title. A YouTube Video takes exactly 1 media file; this one has 0."
        );
    }
}
