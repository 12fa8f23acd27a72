//! The localisation layer: every string a person reads comes from a
//! catalog here (`i18n/{en,de}.toml`, compiled into the binary), looked up
//! by key. Error codes index the same catalogs (`error.<code>`), so one
//! table gives every screen and the JSON API the same copy.
//!
//! The locale of a request is the `herald_lang` cookie when it names a
//! supported language, otherwise the best match in `Accept-Language`,
//! otherwise English.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::LazyLock;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use serde::Deserialize;

/// The cookie that remembers the language a person chose.
pub const LANG_COOKIE: &str = "herald_lang";

/// A language the UI is available in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Locale {
    En,
    De,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::De];

    /// The BCP 47 code, as used in `<html lang>` and the cookie.
    pub fn code(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::De => "de",
        }
    }

    /// The language's name in itself, for the language switcher.
    pub fn native_name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::De => "Deutsch",
        }
    }

    /// Exactly one of the supported codes (`en`, `de`).
    pub fn from_code(code: &str) -> Option<Locale> {
        Locale::ALL.into_iter().find(|l| l.code() == code)
    }

    /// A language tag such as `de-AT` or `EN`, matched on its primary subtag.
    fn from_tag(tag: &str) -> Option<Locale> {
        let primary = tag.split(['-', '_']).next()?.trim().to_ascii_lowercase();
        Locale::from_code(&primary)
    }

    /// The locale for a request: the language cookie, then `Accept-Language`.
    pub fn from_headers(headers: &HeaderMap) -> Locale {
        cookie_value(headers, LANG_COOKIE)
            .and_then(Locale::from_code)
            .or_else(|| {
                headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(best_accepted)
            })
            .unwrap_or(Locale::En)
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Locale {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Locale::from_headers(&parts.headers))
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie_value<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"'))
}

/// The supported language with the highest quality in an `Accept-Language`
/// value (ties go to the earlier entry); `None` when nothing matches.
fn best_accepted(value: &str) -> Option<Locale> {
    let mut best: Option<(f32, Locale)> = None;
    for item in value.split(',') {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or("").trim();
        let quality = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        if !(quality > 0.0 && quality <= 1.0) {
            continue;
        }
        if let Some(locale) = Locale::from_tag(tag)
            && best.is_none_or(|(q, _)| quality > q)
        {
            best = Some((quality, locale));
        }
    }
    best.map(|(_, l)| l)
}

/// One section of a long-form page (privacy notice, terms).
#[derive(Debug, Clone, Deserialize)]
pub struct LegalSection {
    pub heading: String,
    pub paragraphs: Vec<String>,
    /// What the code adds to the section (`operator`: who runs this
    /// instance; `retention`: the retention policy as a list).
    #[serde(default)]
    pub slot: Option<String>,
}

/// All copy of one language.
#[derive(Debug)]
pub struct Catalog {
    pub locale: Locale,
    messages: HashMap<String, String>,
    pub privacy: Vec<LegalSection>,
    pub terms: Vec<LegalSection>,
}

impl Catalog {
    /// The text for `key`; falls back to English, then to the key itself
    /// (which a test prevents from ever reaching a page).
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.lookup(key).unwrap_or_else(|| {
            tracing::warn!(key, locale = self.locale.code(), "missing translation");
            key
        })
    }

    /// Like [`Catalog::get`] for a key built at run time, so the text
    /// lives as long as the catalog; an unknown key gives "" and a warning.
    pub fn text(&self, key: &str) -> &str {
        self.lookup(key).unwrap_or_else(|| {
            tracing::warn!(key, locale = self.locale.code(), "missing translation");
            ""
        })
    }

    /// The text for `key` in this language or, failing that, in English.
    fn lookup(&self, key: &str) -> Option<&str> {
        self.messages.get(key).map(String::as_str).or_else(|| {
            (self.locale != Locale::En)
                .then(|| catalog(Locale::En).messages.get(key).map(String::as_str))
                .flatten()
        })
    }

    /// The text for `key` with `{name}` replaced by `value`.
    pub fn fill(&self, key: &str, name: &str, value: &str) -> String {
        self.get(key).replace(&format!("{{{name}}}"), value)
    }

    pub fn has(&self, key: &str) -> bool {
        self.messages.contains_key(key)
    }

    /// A span of time in words: whole days, else whole hours, else minutes.
    pub fn duration(&self, d: std::time::Duration) -> String {
        let secs = d.as_secs();
        let (one, many, n) = if secs >= 86_400 && secs.is_multiple_of(86_400) {
            ("time.day", "time.days", secs / 86_400)
        } else if secs >= 3600 && secs.is_multiple_of(3600) {
            ("time.hour", "time.hours", secs / 3600)
        } else {
            ("time.minute", "time.minutes", secs.div_ceil(60))
        };
        if n == 1 {
            self.get(one).to_owned()
        } else {
            self.fill(many, "n", &n.to_string())
        }
    }

    /// How long one kind of data is kept, as the privacy notice says it.
    pub fn retention(&self, kept: &herald_core::Retained) -> String {
        use herald_core::Period;
        let text = self.text(&format!("retention.{}", kept.code));
        match &kept.period {
            Period::UntilDeleted | Period::UntilEnded => text.to_owned(),
            Period::For(d) => text.replace("{period}", &self.duration(*d)),
            Period::IdleOrMax { idle, max } => text
                .replace("{idle}", &self.duration(*idle))
                .replace("{max}", &self.duration(*max)),
        }
    }

    fn parse(locale: Locale, source: &str) -> Result<Catalog, String> {
        #[derive(Deserialize)]
        struct Raw {
            #[serde(default)]
            privacy: Vec<LegalSection>,
            #[serde(default)]
            terms: Vec<LegalSection>,
            #[serde(flatten)]
            rest: toml::Table,
        }
        let raw: Raw = toml::from_str(source).map_err(|e| e.to_string())?;
        let mut messages = HashMap::new();
        flatten("", &raw.rest, &mut messages)?;
        Ok(Catalog {
            locale,
            messages,
            privacy: raw.privacy,
            terms: raw.terms,
        })
    }
}

fn flatten(
    prefix: &str,
    table: &toml::Table,
    out: &mut HashMap<String, String>,
) -> Result<(), String> {
    for (key, value) in table {
        let full = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            toml::Value::String(s) => {
                out.insert(full, s.clone());
            }
            toml::Value::Table(t) => flatten(&full, t, out)?,
            other => return Err(format!("{full}: expected text, found {}", other.type_str())),
        }
    }
    Ok(())
}

static CATALOGS: LazyLock<Vec<Catalog>> = LazyLock::new(|| {
    let sources = [
        (Locale::En, include_str!("../i18n/en.toml")),
        (Locale::De, include_str!("../i18n/de.toml")),
    ];
    sources
        .into_iter()
        .map(|(locale, source)| {
            // The catalogs are compiled in and checked by the tests below, so
            // a broken one can only come from a build that skipped them.
            Catalog::parse(locale, source).unwrap_or_else(|e| {
                panic!("the built-in {} catalog is invalid: {e}", locale.code())
            })
        })
        .collect()
});

/// The catalog of `locale`.
pub fn catalog(locale: Locale) -> &'static Catalog {
    let index = Locale::ALL
        .iter()
        .position(|l| *l == locale)
        .unwrap_or_default();
    &CATALOGS[index]
}

/// The user-facing message for an error code, in `locale`.
pub fn error_copy(locale: Locale, code: &str) -> &'static str {
    let catalog = catalog(locale);
    catalog.lookup(&format!("error.{code}")).unwrap_or_else(|| {
        tracing::warn!(code, "an error code without copy");
        catalog.get("error.internal")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn every_catalog_has_exactly_the_english_keys() {
        let en = catalog(Locale::En);
        let mut en_keys: Vec<_> = en.messages.keys().collect();
        en_keys.sort();
        for locale in Locale::ALL {
            let c = catalog(locale);
            let mut keys: Vec<_> = c.messages.keys().collect();
            keys.sort();
            assert_eq!(keys, en_keys, "{} has the English keys", locale.code());
            assert_eq!(c.privacy.len(), en.privacy.len());
            assert_eq!(c.terms.len(), en.terms.len());
            for (a, b) in c
                .privacy
                .iter()
                .zip(&en.privacy)
                .chain(c.terms.iter().zip(&en.terms))
            {
                assert_eq!(a.paragraphs.len(), b.paragraphs.len(), "{}", a.heading);
                assert_eq!(a.slot, b.slot, "{}", a.heading);
            }
            assert!(c.messages.values().all(|v| !v.trim().is_empty()));
        }
    }

    /// The `{name}`s of a text, sorted.
    fn placeholders(text: &str) -> Vec<&str> {
        let mut names: Vec<&str> = text
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
            .filter(|name| {
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
            })
            .collect();
        names.sort_unstable();
        names
    }

    #[test]
    fn durations_are_written_in_the_largest_whole_unit() {
        use std::time::Duration;
        let en = catalog(Locale::En);
        let de = catalog(Locale::De);
        assert_eq!(en.duration(Duration::from_secs(30 * 86_400)), "30 days");
        assert_eq!(de.duration(Duration::from_secs(30 * 86_400)), "30 Tage");
        assert_eq!(en.duration(Duration::from_secs(86_400)), "1 day");
        assert_eq!(en.duration(Duration::from_secs(36 * 3600)), "36 hours");
        assert_eq!(en.duration(Duration::from_secs(600)), "10 minutes");
        assert_eq!(en.duration(Duration::from_secs(61)), "2 minutes");
        assert_eq!(de.duration(Duration::from_secs(60)), "1 Minute");
    }

    #[test]
    fn placeholders_survive_translation() {
        let en = catalog(Locale::En);
        for locale in Locale::ALL {
            let c = catalog(locale);
            for (key, value) in &en.messages {
                assert_eq!(
                    placeholders(value),
                    placeholders(&c.messages[key]),
                    "{key} in {}",
                    locale.code()
                );
            }
        }
    }

    #[test]
    fn every_error_code_has_copy_in_every_language() {
        let codes = [
            "not_found",
            "method_not_allowed",
            "payload_too_large",
            "timeout",
            "unsupported_media_type",
            "bad_request",
            "unknown_language",
            "forbidden",
            "cross_site_request",
            "rate_limited",
            "service_unavailable",
            "internal",
            "post_not_found",
            "post_no_targets",
            "post_duplicate_target",
            "post_unknown_connection",
            "post_connection_needs_reconnection",
            "post_unknown_media",
            "post_invalid",
            "post_unknown_time_zone",
            "post_invalid_time",
            "post_time_in_past",
            "post_wrong_state",
            "post_provider_unavailable",
            "media_too_large",
            "media_empty",
            "media_unsupported",
            "media_malformed",
            "media_not_downloadable",
            "media_drive_unavailable",
            "media_upload_interrupted",
            "media_link_expired",
            "media_link_invalid",
        ];
        for code in codes {
            assert!(catalog(Locale::En).has(&format!("error.{code}")), "{code}");
            assert_ne!(
                error_copy(Locale::En, code),
                error_copy(Locale::De, code),
                "{code} is translated"
            );
        }
        assert_eq!(
            error_copy(Locale::En, "no_such_code"),
            error_copy(Locale::En, "internal")
        );
    }

    #[test]
    fn accept_language_picks_the_best_supported_language() {
        assert_eq!(best_accepted("de-AT,de;q=0.9,en;q=0.5"), Some(Locale::De));
        assert_eq!(best_accepted("fr, en;q=0.3, de;q=0.8"), Some(Locale::De));
        assert_eq!(best_accepted("en-GB"), Some(Locale::En));
        assert_eq!(best_accepted("DE"), Some(Locale::De));
        assert_eq!(best_accepted("de;q=0, en;q=0.1"), Some(Locale::En));
        assert_eq!(best_accepted("fr,it"), None);
        assert_eq!(best_accepted(""), None);
        assert_eq!(best_accepted("de;q=abc"), Some(Locale::De));
        assert_eq!(best_accepted(";;;,,=q"), None);
    }

    #[test]
    fn the_cookie_wins_over_the_header_and_unknown_cookies_are_ignored() {
        let h = headers(&[("cookie", "a=1; herald_lang=de"), ("accept-language", "en")]);
        assert_eq!(Locale::from_headers(&h), Locale::De);
        let h = headers(&[("cookie", "herald_lang=xx"), ("accept-language", "de")]);
        assert_eq!(Locale::from_headers(&h), Locale::De);
        assert_eq!(Locale::from_headers(&HeaderMap::new()), Locale::En);
    }

    #[test]
    fn fill_replaces_the_named_placeholder() {
        let c = catalog(Locale::En);
        assert_eq!(c.fill("error.reference", "id", "r-1"), "Reference: r-1");
    }
}
