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
}
