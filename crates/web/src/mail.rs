//! The words of Herald's mail: each account letter rendered in the
//! recipient's language from the shared catalogs, as plain text and as a
//! simple HTML page (inline styles only, as mail clients require).

use askama::Template;
use herald_accounts::{Letter, LetterKind};

use crate::i18n::{Arg, Locale, catalog};

/// A letter in words, ready for the outbox.
#[derive(Debug, Clone)]
pub struct Composed {
    pub subject: String,
    pub text: String,
    pub html: String,
}

#[derive(Template)]
#[template(path = "mail.html")]
struct MailHtml<'a> {
    lang: &'a str,
    subject: &'a str,
    greeting: &'a str,
    body: &'a str,
    action: &'a str,
    link: &'a str,
    link_hint: &'a str,
    footer: &'a str,
}

/// Renders `letter`; `site` is the public URL named in the footer.
pub fn compose(letter: &Letter, site: &str) -> Result<Composed, askama::Error> {
    let locale = Locale::from_code(&letter.locale).unwrap_or(Locale::En);
    let t = catalog(locale);
    let key = letter.kind.as_str();
    let args: Vec<(&str, Arg<'_>)> = match &letter.kind {
        LetterKind::Invitation { workspace, inviter } => {
            vec![("workspace", workspace.into()), ("inviter", inviter.into())]
        }
        LetterKind::DeletionScheduled { at } => vec![("date", t.instant_utc(*at).into())],
        _ => Vec::new(),
    };
    let subject = t.format(&format!("mail.{key}.subject"), &args);
    let body = t.format(&format!("mail.{key}.body"), &args);
    let action = t.text(&format!("mail.{key}.action"));
    let greeting = t.get("mail.greeting");
    let link_hint = t.get("mail.link_hint");
    let footer = t.fill("mail.footer", "site", site);
    let text = format!(
        "{greeting}\n\n{body}\n\n{action}:\n{}\n\n-- \n{footer}\n",
        letter.link
    );
    let html = MailHtml {
        lang: locale.code(),
        subject: &subject,
        greeting,
        body: &body,
        action,
        link: &letter.link,
        link_hint,
        footer: &footer,
    }
    .render()?;
    Ok(Composed {
        subject,
        text,
        html,
    })
}

/// One line of a notification mail.
struct MailLine {
    text: String,
    at: Option<String>,
    link: Option<String>,
}

#[derive(Template)]
#[template(path = "notice_mail.html")]
struct NoticeMailHtml<'a> {
    lang: &'a str,
    subject: &'a str,
    workspace: &'a str,
    greeting: &'a str,
    intro: &'a str,
    lines: Vec<MailLine>,
    more: Option<String>,
    next_label: &'a str,
    next: Option<String>,
    open: &'a str,
    action: &'a str,
    action_link: &'a str,
    why: &'a str,
    unsubscribe: &'a str,
    unsubscribe_label: &'a str,
    settings: &'a str,
    settings_label: &'a str,
}

/// Renders a notification mail or the weekly digest in the recipient's
/// language, with times in their zone.
pub fn compose_notice(
    letter: &herald_notify::Letter<'_>,
) -> Result<herald_notify::Composed, askama::Error> {
    use herald_core::Named;
    use herald_notify::MailBody;
    let locale = Locale::from_code(letter.locale).unwrap_or(Locale::En);
    let t = catalog(locale);
    let tz = letter.time_zone;
    let absolute =
        |path: &str| format!("{}{}", letter.site, crate::pages::public::local_path(path));
    let greeting = t.fill("mail.notice.greeting", "name", letter.name);
    let settings = absolute("/home/settings/notifications");
    let (subject, intro, lines, more, next, action, action_link) = match &letter.body {
        MailBody::Notices {
            kind,
            pieces,
            total,
        } => {
            let args: [(&str, Arg<'_>); 2] = [
                ("count", Arg::Count(*total)),
                ("workspace", Arg::from(letter.workspace)),
            ];
            let subject = t.format(&format!("mail.notice.{}.subject", kind.as_str()), &args);
            let intro = t.format(&format!("mail.notice.{}.intro", kind.as_str()), &args);
            let lines: Vec<MailLine> = pieces
                .iter()
                .map(|p| MailLine {
                    text: crate::words::notice_text(t, tz, &p.notice),
                    at: Some(crate::words::zoned_instant(t, tz, p.at)),
                    link: p.link.as_deref().map(absolute),
                })
                .collect();
            let shown = pieces.len() as u64;
            let more = (*total > shown)
                .then(|| t.fill("mail.notice.more", "count", Arg::Count(*total - shown)));
            let link = pieces
                .first()
                .and_then(|p| p.link.as_deref())
                .filter(|_| *total == 1)
                .map_or_else(|| absolute("/home/notifications"), absolute);
            (
                subject,
                intro,
                lines,
                more,
                None,
                t.get("mail.notice.action").to_owned(),
                link,
            )
        }
        MailBody::Digest(digest) => {
            let f = &digest.figures;
            let from = crate::words::zoned_date(t, tz, digest.from);
            let to = crate::words::zoned_date(t, tz, digest.to);
            let subject = t.format(
                "mail.digest.subject",
                &[
                    ("workspace", Arg::from(letter.workspace)),
                    ("published", Arg::Count(f.published)),
                ],
            );
            let intro = t.format(
                "mail.digest.intro",
                &[("from", Arg::from(from)), ("to", Arg::from(to))],
            );
            let change = f.published as i64 - f.published_before as i64;
            let trend = if change > 0 {
                "up"
            } else if change < 0 {
                "down"
            } else {
                "same"
            };
            let line = |text: String| MailLine {
                text,
                at: None,
                link: None,
            };
            let lines = vec![
                line(t.format(
                    "mail.digest.published",
                    &[
                        ("count", Arg::Count(f.published)),
                        ("before", Arg::Count(f.published_before)),
                        ("change", Arg::Count(change.unsigned_abs())),
                        ("trend", Arg::from(trend)),
                    ],
                )),
                line(t.fill("mail.digest.failed", "count", Arg::Count(f.failed))),
                line(t.fill(
                    "mail.digest.awaiting",
                    "count",
                    Arg::Count(f.awaiting_approval),
                )),
                line(t.fill(
                    "mail.digest.scheduled",
                    "count",
                    Arg::Count(f.scheduled_next),
                )),
            ];
            let next = t.format(
                &format!("mail.digest.next.{}", digest.next_code()),
                &[
                    ("failed", Arg::Count(f.failed)),
                    ("awaiting", Arg::Count(f.awaiting_approval)),
                    ("scheduled", Arg::Count(f.scheduled_next)),
                    ("published", Arg::Count(f.published)),
                ],
            );
            let path = match digest.next {
                herald_notify::NextStep::FixFailed => "/home/calendar?state=failed",
                herald_notify::NextStep::Review => "/home/calendar?state=review",
                _ => "/home/calendar",
            };
            (
                subject,
                intro,
                lines,
                None,
                Some(next),
                t.get("mail.digest.action").to_owned(),
                absolute(&format!(
                    "{path}{}workspace={}",
                    if path.contains('?') { "&" } else { "?" },
                    digest.workspace.0
                )),
            )
        }
    };
    let why = t.fill("mail.notice.why", "site", letter.site);
    let unsubscribe_label = t.get("mail.notice.unsubscribe");
    let settings_label = t.get("mail.notice.settings");
    let next_label = t.get("mail.digest.next_label");
    let open = t.get("mail.notice.open");
    let mut text = format!("{greeting}\n\n{intro}\n\n");
    for l in &lines {
        text.push_str("- ");
        text.push_str(&l.text);
        if let Some(at) = &l.at {
            text.push_str(&format!(" ({at})"));
        }
        if let Some(link) = &l.link {
            text.push_str(&format!("\n  {link}"));
        }
        text.push('\n');
    }
    if let Some(more) = &more {
        text.push_str(&format!("\n{more}\n"));
    }
    if let Some(next) = &next {
        text.push_str(&format!("\n{next_label} {next}\n"));
    }
    text.push_str(&format!(
        "\n{action}:\n{action_link}\n\n-- \n{why}\n{unsubscribe_label}: {}\n{settings_label}: {settings}\n",
        letter.unsubscribe
    ));
    let html = NoticeMailHtml {
        lang: locale.code(),
        subject: &subject,
        workspace: letter.workspace,
        greeting: &greeting,
        intro: &intro,
        lines,
        more,
        next_label,
        next,
        open,
        action: &action,
        action_link: &action_link,
        why: &why,
        unsubscribe: letter.unsubscribe,
        unsubscribe_label,
        settings: &settings,
        settings_label,
    }
    .render()?;
    Ok(herald_notify::Composed {
        subject,
        text,
        html,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use herald_accounts::EmailAddress;

    fn letter(kind: LetterKind, locale: &str) -> Letter {
        Letter {
            kind,
            to: EmailAddress::parse("ann@example.com").unwrap(),
            locale: locale.into(),
            link: "https://herald.example/verify-email?token=abc&x=<1>".into(),
        }
    }

    #[test]
    fn every_letter_has_words_in_every_language() {
        let kinds = [
            LetterKind::VerifyEmail,
            LetterKind::ResetPassword,
            LetterKind::PasswordChanged,
            LetterKind::AccountExists,
            LetterKind::Invitation {
                workspace: "Acme <Social>".into(),
                inviter: "Bo".into(),
            },
            LetterKind::DeletionScheduled {
                at: "2026-12-21T10:00:00Z".parse().unwrap(),
            },
            LetterKind::ExportReady,
        ];
        for locale in ["en", "de"] {
            for kind in kinds.clone() {
                let m = compose(&letter(kind.clone(), locale), "https://herald.example").unwrap();
                assert!(
                    !m.subject.is_empty() && !m.subject.contains('{'),
                    "{kind:?} {locale}: {}",
                    m.subject
                );
                assert!(
                    m.text
                        .contains("https://herald.example/verify-email?token=abc&x=<1>")
                );
                assert!(
                    m.html.contains("token=abc&#38;x=&#60;1&#62;"),
                    "the link is escaped in HTML"
                );
                assert!(m.html.contains(&format!("lang=\"{locale}\"")));
            }
        }
        let invite = compose(
            &letter(
                LetterKind::Invitation {
                    workspace: "Acme <Social>".into(),
                    inviter: "Bo".into(),
                },
                "en",
            ),
            "https://herald.example",
        )
        .unwrap();
        assert!(invite.subject.contains("Acme <Social>") && invite.subject.contains("Bo"));
        assert!(invite.html.contains("Acme &#60;Social&#62;"));
        let en = compose(&letter(LetterKind::VerifyEmail, "en"), "x").unwrap();
        let de = compose(&letter(LetterKind::VerifyEmail, "de"), "x").unwrap();
        assert_ne!(en.subject, de.subject);
    }

    #[test]
    fn the_deletion_date_is_written_the_recipients_way() {
        let kind = LetterKind::DeletionScheduled {
            at: "2026-12-21T10:05:00Z".parse().unwrap(),
        };
        let en = compose(&letter(kind.clone(), "en"), "x").unwrap();
        assert!(
            en.subject.ends_with("2026-12-21 10:05 UTC"),
            "{}",
            en.subject
        );
        let de = compose(&letter(kind, "de"), "x").unwrap();
        assert!(
            de.subject.contains("21.12.2026, 10:05 UTC"),
            "{}",
            de.subject
        );
    }

    fn failed_piece(n: usize) -> herald_notify::MailPiece {
        herald_notify::MailPiece {
            notice: herald_notify::Notice::new(
                "post_failed",
                [
                    ("post", format!("Herbst <{n}>").into()),
                    ("platform", "Instagram".into()),
                    ("account", "@acme".into()),
                    ("reason", "rejected".into()),
                ],
            ),
            link: Some(format!("/home/posts/p{n}?workspace=3")),
            at: "2026-10-26T07:30:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn a_storm_summary_is_in_the_readers_language_numbers_and_zone() {
        let berlin = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
        let pieces: Vec<_> = (0..10).map(failed_piece).collect();
        let letter = herald_notify::Letter {
            locale: "de",
            time_zone: &berlin,
            name: "Anna",
            workspace: "Acme",
            body: herald_notify::MailBody::Notices {
                kind: herald_notify::NotificationKind::PostFailed,
                pieces: &pieces,
                total: 1500,
            },
            unsubscribe: "https://herald.example/unsubscribe/1.2.post_failed.sig",
            site: "https://herald.example",
        };
        let m = compose_notice(&letter).unwrap();
        assert_eq!(
            m.subject,
            "1.500 Beiträge konnten nicht veröffentlicht werden (Acme)"
        );
        assert!(m.text.starts_with("Hallo Anna,"), "{}", m.text);
        assert!(
            m.text.contains(
                "„Herbst <0>“ konnte auf Instagram (@acme) nicht veröffentlicht werden: Die Plattform hat den Beitrag abgelehnt (26.10.2026, 08:30 CET)"
            ),
            "{}",
            m.text
        );
        assert!(m.text.contains("…und 1.490 weitere."));
        assert!(
            m.text
                .contains("https://herald.example/home/posts/p0?workspace=3")
        );
        assert!(
            m.text
                .contains("https://herald.example/unsubscribe/1.2.post_failed.sig")
        );
        assert!(m.html.contains("Herbst &#60;0&#62;"), "escaped in HTML");
        assert!(m.html.contains("lang=\"de\""));
        // One failure, in English: the singular, and its own link.
        let one = [failed_piece(7)];
        let letter = herald_notify::Letter {
            locale: "en",
            time_zone: &jiff::tz::TimeZone::UTC,
            body: herald_notify::MailBody::Notices {
                kind: herald_notify::NotificationKind::PostFailed,
                pieces: &one,
                total: 1,
            },
            ..letter
        };
        let m = compose_notice(&letter).unwrap();
        assert_eq!(m.subject, "A post could not be published (Acme)");
        assert!(m.text.contains("(2026-10-26 07:30 UTC)"), "{}", m.text);
        assert!(!m.text.contains("more."));
    }

    #[test]
    fn the_digest_reads_in_every_language() {
        let digest = herald_notify::Digest {
            workspace: herald_core::WorkspaceId(3),
            week: "2026-10-26".parse().unwrap(),
            from: "2026-10-19T06:00:00Z".parse().unwrap(),
            to: "2026-10-26T07:00:00Z".parse().unwrap(),
            figures: herald_notify::WeekFigures {
                published: 1204,
                published_before: 1000,
                failed: 2,
                awaiting_approval: 1,
                scheduled_next: 0,
            },
            next: herald_notify::NextStep::FixFailed,
        };
        let berlin = jiff::tz::TimeZone::get("Europe/Berlin").unwrap();
        for locale in ["en", "de"] {
            let m = compose_notice(&herald_notify::Letter {
                locale,
                time_zone: &berlin,
                name: "Anna",
                workspace: "Acme",
                body: herald_notify::MailBody::Digest(&digest),
                unsubscribe: "https://herald.example/unsubscribe/x",
                site: "https://herald.example",
            })
            .unwrap();
            assert!(
                !m.subject.contains('{') && !m.text.contains('{'),
                "{}",
                m.text
            );
            assert!(m.text.contains("/home/calendar?state=failed&workspace=3"));
            if locale == "de" {
                assert!(
                    m.subject.contains("1.204 Beiträge veröffentlicht"),
                    "{}",
                    m.subject
                );
                assert!(
                    m.text
                        .contains("Was vom 19.10.2026 bis zum 26.10.2026 geschah")
                );
                assert!(m.text.contains("(204 mehr als in der Vorwoche: 1.000)"));
                assert!(m.text.contains("Für die kommende Woche ist nichts geplant"));
            } else {
                assert!(m.subject.contains("1,204 posts published"), "{}", m.subject);
                assert!(m.text.contains("look at the 2 posts that failed"));
            }
        }
    }
}
