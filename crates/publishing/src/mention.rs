//! `@member` mentions in comments on posts.
//!
//! A mention is `@` at the start of the text or after a space or an
//! opening bracket, followed by a member's handle: their e-mail address
//! (`@ana@example.com`), the part of it before the `@` (`@ana`), or their
//! display name written without spaces (`@AnaLima` for "Ana Lima"),
//! compared without regard to case. A short handle that fits several
//! members mentions none of them: the full address is then needed.

use herald_core::UserId;

/// A member as mentions see them.
pub struct Mentionable<'a> {
    pub id: UserId,
    pub email: &'a str,
    pub name: &'a str,
}

/// The members `body` mentions, each once, in the order first mentioned.
pub fn mentioned(body: &str, members: &[Mentionable<'_>]) -> Vec<UserId> {
    let mut found = Vec::new();
    for handle in handles(body) {
        let handle = handle.to_lowercase();
        let by_email: Vec<UserId> = members
            .iter()
            .filter(|m| m.email.to_lowercase() == handle)
            .map(|m| m.id)
            .collect();
        let matches = if by_email.is_empty() {
            members
                .iter()
                .filter(|m| {
                    let local = m.email.split('@').next().unwrap_or("").to_lowercase();
                    let name: String = m.name.split_whitespace().collect::<String>().to_lowercase();
                    local == handle || (!name.is_empty() && name == handle)
                })
                .map(|m| m.id)
                .collect()
        } else {
            by_email
        };
        if let [one] = matches[..]
            && !found.contains(&one)
        {
            found.push(one);
        }
    }
    found
}

/// The handles after each `@` that starts a mention.
fn handles(body: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let starts = bytes[i] == b'@'
            && (i == 0 || matches!(bytes[i - 1], b' ' | b'\t' | b'\n' | b'\r' | b'(' | b'['));
        if !starts {
            i += 1;
            continue;
        }
        let rest = &body[i + 1..];
        let end = rest
            .char_indices()
            .find(|(_, c)| !(c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '+' | '@')))
            .map_or(rest.len(), |(at, _)| at);
        // A sentence's full stop is not part of the handle.
        let handle = rest[..end].trim_end_matches(['.', '-']);
        if !handle.is_empty() {
            out.push(handle);
        }
        i += 1 + end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team() -> Vec<Mentionable<'static>> {
        vec![
            Mentionable {
                id: UserId(1),
                email: "ana@example.com",
                name: "Ana Lima",
            },
            Mentionable {
                id: UserId(2),
                email: "ben@example.com",
                name: "",
            },
            Mentionable {
                id: UserId(3),
                email: "ana@agency.example",
                name: "Ana Other",
            },
            Mentionable {
                id: UserId(4),
                email: "jörg@example.com",
                name: "Jörg",
            },
        ]
    }

    #[test]
    fn mentions_by_address_local_part_or_name() {
        let t = team();
        assert_eq!(mentioned("@ben please look", &t), vec![UserId(2)]);
        assert_eq!(mentioned("ok (@AnaLima).", &t), vec![UserId(1)]);
        assert_eq!(mentioned("cc @ana@agency.example", &t), vec![UserId(3)]);
        assert_eq!(mentioned("@jörg, bitte", &t), vec![UserId(4)]);
        // Each once, in order.
        assert_eq!(
            mentioned("@ben @AnaLima @BEN", &t),
            vec![UserId(2), UserId(1)]
        );
    }

    #[test]
    fn ambiguous_unknown_and_embedded_handles_mention_nobody() {
        let t = team();
        // Two members are "ana": the full address is needed.
        assert!(mentioned("@ana", &t).is_empty());
        assert!(mentioned("@nobody", &t).is_empty());
        // An address in the text is not a mention.
        assert!(mentioned("write to ben@example.com", &t).is_empty());
        assert!(mentioned("@ @@ @.", &t).is_empty());
    }
}
