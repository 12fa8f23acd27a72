//! Redaction: what must not leave Herald in a prompt.
//!
//! Before a prompt is sent to an engine, e-mail addresses, phone numbers,
//! payment card numbers (Luhn-valid), IBANs (mod-97-valid), access tokens
//! and keys, and URLs that carry credentials are replaced by placeholders
//! such as `[EMAIL_1]`; the model is asked to keep them as they are, and
//! [`Redactions::restore`] puts the values back into its answer. The same
//! value gets the same placeholder everywhere in one prompt. Only the
//! number of replacements per kind is ever recorded, never a value.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

/// What a replaced value was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A URL with a user and password, or with a secret in its query.
    Url,
    /// An access token, API key or other credential.
    Secret,
    Email,
    Iban,
    Card,
    Phone,
}

impl Kind {
    /// The placeholder's word, and the audit log's name of the kind.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Url => "URL",
            Kind::Secret => "SECRET",
            Kind::Email => "EMAIL",
            Kind::Iban => "IBAN",
            Kind::Card => "CARD",
            Kind::Phone => "PHONE",
        }
    }
}

fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("a redaction pattern compiles")
}

/// URLs with `user:password@`, or with a credential-named query parameter.
static URL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b[a-z][a-z0-9+.\-]*://(?:[^\s/@:]+:[^\s/@]+@[^\s]+|[^\s?#]+\?[^\s#]*\b(?:access_token|token|api_key|apikey|key|secret|password|sig|signature|client_secret|x-amz-signature|x-goog-signature)=[^\s]*)",
    )
});

/// Credentials with a known shape, or long random-looking strings.
static SECRET: LazyLock<Regex> = LazyLock::new(|| {
    re(concat!(
        r"(?i:bearer)\s+[A-Za-z0-9._~+/\-]{16,}=*",
        r"|\beyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}",
        r"|\b(?:sk|pk|rk)[-_](?:live|test|proj|ant)?[-_]?[A-Za-z0-9_\-]{16,}",
        r"|\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{20,}|\bgithub_pat_[A-Za-z0-9_]{20,}",
        r"|\bxox[abprs]-[A-Za-z0-9\-]{10,}",
        r"|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b",
        r"|\bAIza[0-9A-Za-z_\-]{30,}",
        r"|\bya29\.[0-9A-Za-z_\-]{20,}",
        r"|\bEAA[A-Za-z0-9]{20,}",
        r"|\b[A-Za-z0-9_\-+/]{32,}={0,2}",
    ))
});

static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}",
    )
});

/// Two letters, two check digits, then 11–30 letters or digits in groups.
static IBAN: LazyLock<Regex> =
    LazyLock::new(|| re(r"\b[A-Z]{2}[0-9]{2}(?:[ \-]?[A-Z0-9]){11,30}\b"));

/// 13–19 digits, in groups separated by single spaces or dashes.
static CARD: LazyLock<Regex> = LazyLock::new(|| re(r"\b[0-9](?:[ \-]?[0-9]){12,18}\b"));

/// International (`+`, `00`) or national (a leading 0, or an area code in
/// brackets) numbers with 7–15 digits.
static PHONE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:\+|\b00)[0-9](?:[ \-./]?\(?[0-9]\)?){6,16}|\(\+?[0-9]{1,5}\)[ \-./]?[0-9](?:[ \-./]?[0-9]){2,14}|\b0[0-9](?:[ \-./]?[0-9]){5,14}\b",
    )
});

/// Whether a digit string passes the Luhn check.
pub fn luhn(digits: &str) -> bool {
    let mut sum = 0;
    let mut double = false;
    let mut count = 0;
    for c in digits.chars().rev() {
        let Some(mut d) = c.to_digit(10) else {
            continue;
        };
        count += 1;
        if double {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
        double = !double;
    }
    count >= 12 && sum % 10 == 0
}

/// Whether `text` (spaces and dashes allowed) is an IBAN with valid check
/// digits (ISO 13616 mod 97).
pub fn iban_valid(text: &str) -> bool {
    let compact: String = text.chars().filter(char::is_ascii_alphanumeric).collect();
    if !(15..=34).contains(&compact.len()) {
        return false;
    }
    let (head, tail) = compact.split_at(4);
    let mut rem: u32 = 0;
    for c in tail.chars().chain(head.chars()) {
        let Some(value) = c.to_digit(36) else {
            return false;
        };
        for d in value.to_string().chars() {
            rem = (rem * 10 + d.to_digit(10).unwrap_or(0)) % 97;
        }
    }
    rem == 1
}

fn digits(text: &str) -> usize {
    text.chars().filter(char::is_ascii_digit).count()
}

/// What was replaced in one prompt, to put back into the answer.
#[derive(Debug, Clone, Default)]
pub struct Redactions {
    /// placeholder → the value it stands for.
    values: BTreeMap<String, String>,
    /// value → its placeholder (one placeholder per distinct value).
    by_value: BTreeMap<String, String>,
    counts: BTreeMap<Kind, u32>,
    /// Placeholder-like text the person wrote themselves, never handed
    /// out (so restoring cannot turn their `[EMAIL_1]` into a value).
    taken: std::collections::BTreeSet<String>,
}

static WRITTEN: LazyLock<Regex> =
    LazyLock::new(|| re(r"\[(?:URL|SECRET|EMAIL|IBAN|CARD|PHONE)_[0-9]+\]"));

impl Redactions {
    /// `text` with every sensitive value replaced, recording the
    /// replacements in `self` (call again for each part of one prompt).
    pub fn redact(&mut self, text: &str) -> String {
        for m in WRITTEN.find_iter(text) {
            if !self.values.contains_key(m.as_str()) {
                self.taken.insert(m.as_str().to_owned());
            }
        }
        let mut out = text.to_owned();
        for (kind, pattern) in [
            (Kind::Url, &*URL),
            (Kind::Email, &*EMAIL),
            (Kind::Secret, &*SECRET),
            (Kind::Iban, &*IBAN),
            (Kind::Card, &*CARD),
            (Kind::Phone, &*PHONE),
        ] {
            out = self.replace(&out, kind, pattern);
        }
        out
    }

    fn replace(&mut self, text: &str, kind: Kind, pattern: &Regex) -> String {
        let mut out = String::with_capacity(text.len());
        let mut last = 0;
        for m in pattern.find_iter(text) {
            // A match may run on into the next word ("DE44… A" reads as
            // one IBAN-shaped run): the value is its longest prefix that
            // passes the kind's check.
            let Some(value) = self.longest_sensitive(kind, m.as_str()) else {
                continue;
            };
            out.push_str(&text[last..m.start()]);
            out.push_str(&self.placeholder(kind, value));
            last = m.start() + value.len();
        }
        out.push_str(&text[last..]);
        out
    }

    fn longest_sensitive<'t>(&self, kind: Kind, value: &'t str) -> Option<&'t str> {
        if self.is_sensitive(kind, value) {
            return Some(value);
        }
        if !matches!(kind, Kind::Iban | Kind::Card | Kind::Phone) {
            return None;
        }
        let mut end = value.len();
        while let Some((at, _)) = value[..end].char_indices().next_back() {
            end = at;
            let candidate = value[..end].trim_end_matches([' ', '-', '.', '/']);
            if candidate.len() < 7 {
                return None;
            }
            if candidate.len() == end && self.is_sensitive(kind, candidate) {
                return Some(candidate);
            }
        }
        None
    }

    fn is_sensitive(&self, kind: Kind, value: &str) -> bool {
        // A placeholder made earlier is never redacted again.
        if self.values.contains_key(value) {
            return false;
        }
        match kind {
            Kind::Iban => iban_valid(value),
            Kind::Card => luhn(value) && (13..=19).contains(&digits(value)),
            // E.164: at most 15 digits after the international prefix.
            Kind::Phone => {
                let national = value.trim_start().strip_prefix("00").unwrap_or(value);
                (7..=15).contains(&digits(national))
            }
            Kind::Secret => {
                // A long run of letters alone (a word, a hashtag) is not a
                // credential: a random one mixes letters and digits.
                let has_digit = value.chars().any(|c| c.is_ascii_digit());
                let has_letter = value.chars().any(|c| c.is_ascii_alphabetic());
                let shaped = value.len() < 32 || value.contains(['.', '_', '-']);
                has_letter && (has_digit || shaped)
            }
            Kind::Url | Kind::Email => true,
        }
    }

    fn placeholder(&mut self, kind: Kind, value: &str) -> String {
        if let Some(p) = self.by_value.get(value) {
            return p.clone();
        }
        let n = self.counts.entry(kind).or_default();
        *n += 1;
        let mut serial = self.values.len() + 1;
        let mut p = format!("[{}_{}]", kind.label(), n);
        while self.taken.contains(&p) || self.values.contains_key(&p) {
            serial += 1;
            p = format!("[{}_{}]", kind.label(), serial);
        }
        self.values.insert(p.clone(), value.to_owned());
        self.by_value.insert(value.to_owned(), p.clone());
        p
    }

    /// `text` with every placeholder put back to its value.
    pub fn restore(&self, text: &str) -> String {
        if self.values.is_empty() || !text.contains('[') {
            return text.to_owned();
        }
        let mut out = text.to_owned();
        // Longest first, so `[EMAIL_12]` is not read as `[EMAIL_1]` + "2]".
        let mut keys: Vec<&String> = self.values.keys().collect();
        keys.sort_by_key(|k| std::cmp::Reverse(k.len()));
        for k in keys {
            if out.contains(k.as_str()) {
                out = out.replace(k.as_str(), &self.values[k]);
            }
        }
        out
    }

    /// How many distinct values were replaced, in all.
    pub fn total(&self) -> u32 {
        self.counts.values().sum()
    }

    /// How many of each kind (for the audit log: never the values).
    pub fn counts(&self) -> &BTreeMap<Kind, u32> {
        &self.counts
    }

    /// `EMAIL=2 PHONE=1`, for the audit log.
    pub fn summary(&self) -> String {
        self.counts
            .iter()
            .map(|(k, n)| format!("{}={n}", k.label()))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redacted(text: &str) -> (String, Redactions) {
        let mut r = Redactions::default();
        (r.redact(text), r)
    }

    #[test]
    fn each_kind_is_replaced_and_restored() {
        let text = "Mail anna.berg@example.org or call +49 30 1234567, card 4111 1111 1111 1111, \
                    IBAN DE89 3704 0044 0532 0130 00, key sk-proj-abcdefghijklmnop1234, \
                    see https://bob:hunter2@example.com/x";
        let (out, r) = redacted(text);
        for gone in [
            "anna.berg@example.org",
            "+49 30 1234567",
            "4111 1111 1111 1111",
            "DE89 3704 0044 0532 0130 00",
            "sk-proj-abcdefghijklmnop1234",
            "hunter2",
        ] {
            assert!(!out.contains(gone), "{gone} survived: {out}");
        }
        assert_eq!(r.restore(&out), text);
        assert_eq!(r.total(), 6, "{}", r.summary());
    }

    #[test]
    fn ordinary_text_is_left_alone() {
        let text = "Posted on 2026-12-07 at 09:30, 3 tips for #morningroutine, 12345 steps, \
                    order 4111 1111 1111 1112 isn't a card";
        let (out, r) = redacted(text);
        assert_eq!(out, text);
        assert_eq!(r.total(), 0);
    }

    #[test]
    fn the_same_value_gets_the_same_placeholder() {
        let (out, r) = redacted("a@b.de and again a@b.de");
        assert_eq!(out, "[EMAIL_1] and again [EMAIL_1]");
        assert_eq!(r.counts()[&Kind::Email], 1);
    }

    #[test]
    fn text_that_looks_like_a_placeholder_is_kept() {
        let text = "I typed [EMAIL_1] myself; mine is a@b.de";
        let (out, r) = redacted(text);
        assert!(!out.contains("a@b.de"));
        assert_eq!(r.restore(&out), text);
    }

    #[test]
    fn iban_and_luhn_checks() {
        assert!(iban_valid("GB82 WEST 1234 5698 7654 32"));
        assert!(!iban_valid("GB83 WEST 1234 5698 7654 32"));
        assert!(luhn("4111111111111111"));
        assert!(!luhn("4111111111111112"));
    }
}

/// Generated private values of every kind, embedded in ordinary text: none
/// may survive into what is sent, and restoring gives the text back.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;
    use crate::model::Format;
    use crate::prompt;

    fn luhn_digit(body: &[u32]) -> u32 {
        let sum: u32 = body
            .iter()
            .rev()
            .enumerate()
            .map(|(i, d)| {
                if i % 2 == 0 {
                    let x = d * 2;
                    if x > 9 { x - 9 } else { x }
                } else {
                    *d
                }
            })
            .sum();
        (10 - sum % 10) % 10
    }

    fn email() -> impl Strategy<Value = String> {
        (
            "[a-z][a-z0-9._+-]{0,12}[a-z0-9]",
            "[a-z][a-z0-9-]{0,8}[a-z0-9]",
            prop::option::of("[a-z]{2,8}"),
            "[a-z]{2,6}",
        )
            .prop_map(|(local, host, sub, tld)| match sub {
                Some(s) => format!("{local}@{s}.{host}.{tld}"),
                None => format!("{local}@{host}.{tld}"),
            })
    }

    fn phone() -> impl Strategy<Value = String> {
        (
            0..4_u8,
            "[1-9][0-9]{0,2}",
            "[1-9][0-9]{1,3}",
            "[0-9]{4,8}",
            prop::sample::select(vec![" ", "-", ".", ""]),
        )
            .prop_map(|(form, cc, area, number, sep)| match form {
                0 => format!("+{cc}{sep}{area}{sep}{number}"),
                1 => format!("00{cc} {area} {number}"),
                2 => format!("0{area}{sep}{number}"),
                _ => format!("(0{area}) {number}"),
            })
    }

    fn card() -> impl Strategy<Value = String> {
        (
            prop::collection::vec(0..10_u32, 15),
            prop::sample::select(vec![" ", "-", ""]),
        )
            .prop_map(|(mut digits, sep)| {
                digits[0] = 4;
                let check = luhn_digit(&digits);
                digits.push(check);
                let text: String = digits
                    .iter()
                    .map(|d| char::from_digit(*d, 10).unwrap())
                    .collect();
                text.as_bytes()
                    .chunks(4)
                    .map(|c| std::str::from_utf8(c).unwrap())
                    .collect::<Vec<_>>()
                    .join(sep)
            })
    }

    fn iban() -> impl Strategy<Value = String> {
        (prop::collection::vec(0..10_u32, 18), any::<bool>()).prop_map(|(bban, spaced)| {
            let bban: String = bban
                .iter()
                .map(|d| char::from_digit(*d, 10).unwrap())
                .collect();
            // Check digits: 98 - (BBAN + "DE00" as digits) mod 97.
            let numeric = format!("{bban}131400");
            let rem = numeric
                .chars()
                .fold(0_u32, |r, c| (r * 10 + c.to_digit(10).unwrap()) % 97);
            let iban = format!("DE{:02}{bban}", 98 - rem);
            if spaced {
                iban.as_bytes()
                    .chunks(4)
                    .map(|c| std::str::from_utf8(c).unwrap())
                    .collect::<Vec<_>>()
                    .join(" ")
            } else {
                iban
            }
        })
    }

    fn token() -> impl Strategy<Value = String> {
        prop_oneof![
            "sk-(proj-)?[A-Za-z0-9]{20,40}",
            "ghp_[A-Za-z0-9]{36}",
            "xoxb-[0-9]{10}-[A-Za-z0-9]{16}",
            "AKIA[0-9A-Z]{16}",
            "AIza[0-9A-Za-z_-]{35}",
            "ya29\\.[0-9A-Za-z_-]{30}",
            "EAA[A-Za-z0-9]{40}",
            "eyJ[A-Za-z0-9_-]{10,20}\\.eyJ[A-Za-z0-9_-]{10,30}\\.[A-Za-z0-9_-]{20,40}",
            "[A-Za-z]{10}[0-9]{4}[A-Za-z0-9]{24}",
        ]
    }

    fn credential_url() -> impl Strategy<Value = String> {
        ("[a-z]{3,8}", "[A-Za-z0-9]{6,12}", "[a-z]{3,10}")
            .prop_map(|(user, pass, host)| format!("https://{user}:{pass}@{host}.example.com/path"))
    }

    fn secret() -> impl Strategy<Value = String> {
        prop_oneof![email(), phone(), card(), iban(), token(), credential_url()]
    }

    fn words() -> impl Strategy<Value = String> {
        prop::collection::vec("[A-Za-zäöüß]{1,9}[,.!?]?", 0..6).prop_map(|w| w.join(" "))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn no_generated_private_value_reaches_the_request(
            parts in prop::collection::vec((words(), secret()), 1..5),
            tail in words(),
        ) {
            let mut brief = String::new();
            for (w, s) in &parts {
                brief.push_str(w);
                brief.push(' ');
                brief.push_str(s);
                brief.push(' ');
            }
            brief.push_str(&tail);
            let mut r = Redactions::default();
            let redacted = r.redact(&brief);
            let messages = prompt::messages(Format::Caption, "en", None, None, None, None, &redacted);
            // What the adapter sends is these messages as JSON.
            let body = serde_json::to_string(&messages).unwrap();
            for (_, s) in &parts {
                prop_assert!(!body.contains(s.as_str()), "{s:?} survived in {body}");
            }
            prop_assert_eq!(r.restore(&redacted), brief);
        }

        #[test]
        fn restoring_gives_any_text_back(text in "\\PC{0,300}") {
            let mut r = Redactions::default();
            let redacted = r.redact(&text);
            prop_assert_eq!(r.restore(&redacted), text);
        }
    }
}
