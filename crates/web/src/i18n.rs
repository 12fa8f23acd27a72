//! The localisation layer: every string a person reads comes from a
//! Project Fluent catalog here (`i18n/{en,de}.ftl`, compiled into the
//! binary), looked up by key and formatted with its variables, so numbers
//! choose plural forms and are written the reader's way. Error codes index
//! the same catalogs (`error.<code>`), and so do the codes the domain
//! crates return instead of sentences (`issue.<code>`, `failure.<code>`,
//! `notice.<code>`): one table gives every screen, mail and the JSON API
//! the same copy. The long-form pages (privacy notice, terms) are lists of
//! sections and stay in TOML (`i18n/legal/{en,de}.toml`).
//!
//! The locale of a request is the `herald_lang` cookie when it names a
//! supported language, otherwise the best match in `Accept-Language`,
//! otherwise English.

use std::borrow::Cow;
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::LazyLock;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::types::{FluentNumber, FluentNumberOptions};
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use fluent_syntax::ast;
use serde::Deserialize;
use unic_langid::LanguageIdentifier;

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

/// A value for a message's variable: text, or a number that the message
/// may count with (plural forms) and that is written the language's way.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg<'a> {
    Text(Cow<'a, str>),
    Number(f64),
    /// A count of things, written with the language's thousands
    /// separator (`1,500` posts, `1.500` Beiträge); plain numbers (years,
    /// pixel sizes, limits) are not grouped.
    Count(u64),
    /// A number written with at least this many decimals (a ratio).
    Decimal(f64, usize),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Text(Cow::Borrowed(s))
    }
}

impl<'a> From<&'a &str> for Arg<'a> {
    fn from(s: &'a &str) -> Self {
        Arg::Text(Cow::Borrowed(s))
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(s: &'a String) -> Self {
        Arg::Text(Cow::Borrowed(s))
    }
}

impl From<String> for Arg<'_> {
    fn from(s: String) -> Self {
        Arg::Text(Cow::Owned(s))
    }
}

macro_rules! number_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg<'_> {
            fn from(n: $t) -> Self {
                Arg::Number(n as f64)
            }
        }
        impl From<&$t> for Arg<'_> {
            fn from(n: &$t) -> Self {
                Arg::Number(*n as f64)
            }
        }
    )*};
}
number_arg!(i8, i16, i32, i64, u16, u32, u64, usize, f64);

impl<'a> Arg<'a> {
    fn to_fluent(&self) -> FluentValue<'a> {
        match self {
            Arg::Text(s) => FluentValue::String(s.clone()),
            Arg::Number(n) => FluentValue::Number(FluentNumber::new(
                *n,
                FluentNumberOptions {
                    use_grouping: false,
                    ..FluentNumberOptions::default()
                },
            )),
            Arg::Count(n) => FluentValue::Number(FluentNumber::new(
                *n as f64,
                FluentNumberOptions {
                    use_grouping: true,
                    ..FluentNumberOptions::default()
                },
            )),
            Arg::Decimal(n, digits) => FluentValue::Number(FluentNumber::new(
                *n,
                FluentNumberOptions {
                    minimum_fraction_digits: Some(*digits),
                    ..FluentNumberOptions::default()
                },
            )),
        }
    }
}

/// All copy of one language: a Fluent bundle of the language's catalog
/// (`i18n/<code>.ftl`) and its long-form pages (`i18n/legal/<code>.toml`).
///
/// Code names a message by a dotted key (`nav.home`, `error.not_found`);
/// its Fluent id is the same with dashes (`nav-home`), since Fluent ids
/// cannot hold dots. Keys never contain a dash, so the two map one to one.
pub struct Catalog {
    pub locale: Locale,
    bundle: FluentBundle<FluentResource>,
    /// Every message that takes no variables, formatted once, by key: what
    /// [`Catalog::get`] lends out for as long as the catalog lives.
    plain: HashMap<String, String>,
    /// The variables each message uses (in its text and its selectors), by
    /// key, sorted.
    variables: HashMap<String, Vec<String>>,
    pub privacy: Vec<LegalSection>,
    pub terms: Vec<LegalSection>,
}

impl std::fmt::Debug for Catalog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Catalog")
            .field("locale", &self.locale)
            .field("messages", &self.variables.len())
            .finish_non_exhaustive()
    }
}

/// The Fluent id of a dotted key.
fn fluent_id(key: &str) -> String {
    key.replace('.', "-")
}

impl Catalog {
    /// The text of `key`, a message without variables; falls back to
    /// English, then to the key itself (which a test prevents from ever
    /// reaching a page).
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

    /// The text of a message without variables in this language or,
    /// failing that, in English.
    fn lookup(&self, key: &str) -> Option<&str> {
        self.plain.get(key).map(String::as_str).or_else(|| {
            (self.locale != Locale::En)
                .then(|| catalog(Locale::En).plain.get(key).map(String::as_str))
                .flatten()
        })
    }

    /// Message `key` with its variables set from `args`: numbers choose
    /// plural forms and are written the language's way. Falls back to
    /// English, then to the key; a missing variable shows as its name in
    /// braces and logs a warning.
    pub fn format(&self, key: &str, args: &[(&str, Arg<'_>)]) -> String {
        let source = if self.has(key) {
            self
        } else if self.locale != Locale::En && catalog(Locale::En).has(key) {
            catalog(Locale::En)
        } else {
            tracing::warn!(key, locale = self.locale.code(), "missing translation");
            return key.to_owned();
        };
        source.render(key, args)
    }

    fn render(&self, key: &str, args: &[(&str, Arg<'_>)]) -> String {
        let Some(pattern) = self
            .bundle
            .get_message(&fluent_id(key))
            .and_then(|m| m.value())
        else {
            tracing::warn!(
                key,
                locale = self.locale.code(),
                "a message without a value"
            );
            return key.to_owned();
        };
        let mut fluent_args = FluentArgs::with_capacity(args.len());
        for (name, value) in args {
            fluent_args.set(*name, value.to_fluent());
        }
        let mut errors = Vec::new();
        let text = self
            .bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors)
            .into_owned();
        if !errors.is_empty() {
            tracing::warn!(
                key,
                locale = self.locale.code(),
                ?errors,
                "message formatted with errors"
            );
        }
        text
    }

    /// The text for `key` with its one variable `name` set to `value`.
    pub fn fill<'v>(&self, key: &str, name: &str, value: impl Into<Arg<'v>>) -> String {
        self.format(key, &[(name, value.into())])
    }

    /// Message `key` with each variable left as `{name}`, for the browser
    /// script to fill in. Only for messages without selectors (a test
    /// checks the script's messages).
    pub fn template(&self, key: &str) -> String {
        let source = if self.has(key) {
            self
        } else {
            catalog(Locale::En)
        };
        let names: Vec<String> = source.variables.get(key).cloned().unwrap_or_default();
        let marks: Vec<(String, String)> =
            names.into_iter().map(|n| (format!("{{{n}}}"), n)).collect();
        let args: Vec<(&str, Arg<'_>)> = marks
            .iter()
            .map(|(mark, name)| (name.as_str(), Arg::from(mark)))
            .collect();
        self.format(key, &args)
    }

    /// Whether this language has message `key` (without falling back).
    pub fn has(&self, key: &str) -> bool {
        self.variables.contains_key(key)
    }

    /// A span of time in words: whole days, else whole hours, else minutes.
    /// An instant in UTC the language's way (`2026-12-21 10:00 UTC`,
    /// `21.12.2026, 10:00 UTC`), for words that go where the reader's time
    /// zone is unknown (mail).
    pub fn instant_utc(&self, t: herald_core::Timestamp) -> String {
        let utc = t.to_zoned(jiff::tz::TimeZone::UTC).datetime();
        let two = |n: i8| format!("{n:02}");
        self.format(
            "unit.instant_utc",
            &[
                ("year", Arg::from(utc.year().to_string())),
                ("month", Arg::from(two(utc.month()))),
                ("day", Arg::from(two(utc.day()))),
                ("hour", Arg::from(two(utc.hour()))),
                ("minute", Arg::from(two(utc.minute()))),
            ],
        )
    }

    /// A whole number the language's way, its thousands grouped
    /// (`12,345` in English, `12.345` in German).
    pub fn count(&self, n: i64) -> String {
        self.decimal(n as f64, 0)
    }

    /// A number with exactly `digits` decimals, its thousands grouped and
    /// its decimal mark the language's (`1,234.5` in English, `1.234,5`
    /// in German).
    pub fn decimal(&self, n: f64, digits: usize) -> String {
        let plain = format!("{n:.digits$}");
        // `-0.0` is not a negative number a reader should see.
        let plain = match plain.strip_prefix('-') {
            Some(rest) if rest.bytes().all(|b| b == b'0' || b == b'.') => rest.to_owned(),
            _ => plain,
        };
        match self.locale {
            Locale::En => grouped(&plain, ',', '.'),
            Locale::De => grouped(&plain, '.', ','),
        }
    }

    pub fn duration(&self, d: std::time::Duration) -> String {
        let secs = d.as_secs();
        let (key, n) = if secs >= 86_400 && secs.is_multiple_of(86_400) {
            ("time.days", secs / 86_400)
        } else if secs >= 3600 && secs.is_multiple_of(3600) {
            ("time.hours", secs / 3600)
        } else {
            ("time.minutes", secs.div_ceil(60))
        };
        self.fill(key, "n", n)
    }

    /// How long one kind of data is kept, as the privacy notice says it.
    pub fn retention(&self, kept: &herald_core::Retained) -> String {
        use herald_core::Period;
        let key = format!("retention.{}", kept.code);
        match &kept.period {
            Period::UntilDeleted | Period::UntilEnded => self.text(&key).to_owned(),
            Period::For(d) => self.fill(&key, "period", self.duration(*d)),
            Period::IdleOrMax { idle, max } => self.format(
                &key,
                &[
                    ("idle", self.duration(*idle).into()),
                    ("max", self.duration(*max).into()),
                ],
            ),
        }
    }

    fn parse(locale: Locale, messages: &str, legal: &str) -> Result<Catalog, String> {
        #[derive(Deserialize)]
        struct Legal {
            privacy: Vec<LegalSection>,
            terms: Vec<LegalSection>,
        }
        let legal: Legal = toml::from_str(legal).map_err(|e| format!("legal pages: {e}"))?;
        let resource = FluentResource::try_new(messages.to_owned()).map_err(|(_, errors)| {
            let errors: Vec<String> = errors.iter().map(|e| format!("{e:?}")).collect();
            errors.join("; ")
        })?;
        let mut variables = HashMap::new();
        for entry in resource.entries() {
            match entry {
                ast::Entry::Message(m) => {
                    let key = m.id.name.replace('-', ".");
                    if m.id.name.contains('.') || m.value.is_none() {
                        return Err(format!("{}: not a message of the catalog", m.id.name));
                    }
                    let mut names = Vec::new();
                    if let Some(pattern) = &m.value {
                        pattern_variables(pattern, &mut names);
                    }
                    names.sort();
                    names.dedup();
                    if variables.insert(key, names).is_some() {
                        return Err(format!("{} is there twice", m.id.name));
                    }
                }
                ast::Entry::Term(t) => {
                    return Err(format!("-{}: the catalogs use no terms", t.id.name));
                }
                ast::Entry::Junk { content } => return Err(format!("unreadable: {content}")),
                _ => {}
            }
        }
        let tag: LanguageIdentifier = locale.code().parse().map_err(|e| format!("{e}"))?;
        let mut bundle = FluentBundle::new_concurrent(vec![tag]);
        // Pages and mail are HTML or plain text, where Unicode isolation
        // marks around every value only get in the way (and in tests).
        bundle.set_use_isolating(false);
        bundle.set_formatter(Some(match locale {
            Locale::En => |v: &FluentValue, _: &_| match v {
                FluentValue::Number(n) if n.options.use_grouping => {
                    Some(grouped(&n.as_string(), ',', '.'))
                }
                _ => None,
            },
            Locale::De => |v: &FluentValue, _: &_| match v {
                FluentValue::Number(n) if n.options.use_grouping => {
                    Some(grouped(&n.as_string(), '.', ','))
                }
                FluentValue::Number(n) => Some(n.as_string().replace('.', ",")),
                _ => None,
            },
        }));
        bundle
            .add_resource(resource)
            .map_err(|errors| format!("{errors:?}"))?;
        let mut catalog = Catalog {
            locale,
            bundle,
            plain: HashMap::new(),
            variables,
            privacy: legal.privacy,
            terms: legal.terms,
        };
        let plain: HashMap<String, String> = catalog
            .variables
            .iter()
            .filter(|(_, names)| names.is_empty())
            .map(|(key, _)| (key.clone(), catalog.render(key, &[])))
            .collect();
        catalog.plain = plain;
        Ok(catalog)
    }
}

/// A number as Fluent wrote it (`-1234.5`) with its thousands grouped and
/// its decimal mark the language's: `-1,234.5` in English, `-1.234,5` in
/// German. Four-digit numbers are grouped too (`1,000`).
fn grouped(plain: &str, thousands: char, decimal: char) -> String {
    let (sign, digits) = match plain.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", plain),
    };
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    if !whole.bytes().all(|b| b.is_ascii_digit()) {
        return plain.to_owned();
    }
    let mut out = String::with_capacity(plain.len() + whole.len() / 3);
    out.push_str(sign);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            out.push(thousands);
        }
        out.push(c);
    }
    if let Some(f) = fraction {
        out.push(decimal);
        out.push_str(f);
    }
    out
}

/// Adds the variables `pattern` refers to, in text and in selectors.
fn pattern_variables(pattern: &ast::Pattern<&str>, out: &mut Vec<String>) {
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            expression_variables(expression, out);
        }
    }
}

fn expression_variables(expression: &ast::Expression<&str>, out: &mut Vec<String>) {
    match expression {
        ast::Expression::Select { selector, variants } => {
            inline_variables(selector, out);
            for variant in variants {
                pattern_variables(&variant.value, out);
            }
        }
        ast::Expression::Inline(inline) => inline_variables(inline, out),
    }
}

fn inline_variables(inline: &ast::InlineExpression<&str>, out: &mut Vec<String>) {
    match inline {
        ast::InlineExpression::VariableReference { id } => out.push(id.name.to_owned()),
        ast::InlineExpression::FunctionReference { arguments, .. } => {
            for argument in &arguments.positional {
                inline_variables(argument, out);
            }
        }
        ast::InlineExpression::Placeable { expression } => expression_variables(expression, out),
        _ => {}
    }
}

static CATALOGS: LazyLock<Vec<Catalog>> = LazyLock::new(|| {
    let sources = [
        (
            Locale::En,
            include_str!("../i18n/en.ftl"),
            include_str!("../i18n/legal/en.toml"),
        ),
        (
            Locale::De,
            include_str!("../i18n/de.ftl"),
            include_str!("../i18n/legal/de.toml"),
        ),
    ];
    sources
        .into_iter()
        .map(|(locale, messages, legal)| {
            // The catalogs are compiled in and checked by the tests below, so
            // a broken one can only come from a build that skipped them.
            Catalog::parse(locale, messages, legal).unwrap_or_else(|e| {
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

/// The user-facing message for an error code with its variables set
/// (`params`, as `ErrorInfo` carries them), in `locale`.
pub fn error_message(locale: Locale, code: &str, params: &[(&'static str, String)]) -> String {
    if params.is_empty() {
        return error_copy(locale, code).to_owned();
    }
    let key = format!("error.{code}");
    if !catalog(Locale::En).has(&key) {
        return error_copy(locale, code).to_owned();
    }
    let args: Vec<(&str, Arg<'_>)> = params
        .iter()
        .map(|(name, value)| (*name, Arg::from(value.as_str())))
        .collect();
    catalog(locale).format(&key, &args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_and_marked_the_languages_way() {
        assert_eq!(grouped("1234", ',', '.'), "1,234");
        assert_eq!(grouped("1234567.25", '.', ','), "1.234.567,25");
        assert_eq!(grouped("-999", ',', '.'), "-999");
        assert_eq!(grouped("500", '.', ','), "500");
        assert_eq!(grouped("NaN", ',', '.'), "NaN");
        let de = catalog(Locale::De);
        assert_eq!(
            de.fill("mail.notice.more", "count", Arg::Count(1500)),
            "…und 1.500 weitere."
        );
        let en = catalog(Locale::En);
        assert_eq!(
            en.fill("mail.notice.more", "count", Arg::Count(1500)),
            "…and 1,500 more."
        );
        assert_eq!(
            en.fill("mail.notice.more", "count", 1500),
            "…and 1500 more.",
            "a plain number is not grouped"
        );
    }
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn every_catalog_has_exactly_the_english_messages_with_the_same_variables() {
        let en = catalog(Locale::En);
        let mut en_keys: Vec<_> = en.variables.keys().collect();
        en_keys.sort();
        assert!(en_keys.len() > 900, "the whole catalog is read");
        for locale in Locale::ALL {
            let c = catalog(locale);
            let mut keys: Vec<_> = c.variables.keys().collect();
            keys.sort();
            assert_eq!(keys, en_keys, "{} has the English messages", locale.code());
            for (key, names) in &en.variables {
                assert_eq!(
                    names,
                    &c.variables[key],
                    "{key} in {} uses the English variables",
                    locale.code()
                );
            }
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
            assert!(c.plain.values().all(|v| !v.trim().is_empty()));
        }
    }

    #[test]
    fn dotted_keys_name_fluent_ids_and_messages_take_their_variables() {
        let en = catalog(Locale::En);
        assert_eq!(en.get("nav.home"), "Home");
        assert_eq!(
            en.get("endpoints.event.post.published"),
            "A post went live on a platform."
        );
        assert!(en.has("section.calendar.title"));
        assert!(
            !en.has("section-calendar-title"),
            "code names messages by dotted keys"
        );
        let de = catalog(Locale::De);
        assert_eq!(
            de.fill("public.updated", "date", "2026-01-01"),
            "Zuletzt aktualisiert: 2026-01-01"
        );
        // No Unicode isolation marks around values: pages compare as text.
        assert!(!de.fill("home.open", "section", "X").contains('\u{2068}'));
        // A message with a missing variable still renders, naming it.
        assert!(en.format("public.updated", &[]).contains("date"));
        assert_eq!(en.format("no.such.key", &[]), "no.such.key");
    }

    #[test]
    fn counts_and_decimals_are_written_the_languages_way() {
        let en = catalog(Locale::En);
        let de = catalog(Locale::De);
        assert_eq!(en.count(1_234_567), "1,234,567");
        assert_eq!(de.count(1_234_567), "1.234.567");
        assert_eq!(en.count(-950), "-950");
        assert_eq!(en.decimal(1234.5, 1), "1,234.5");
        assert_eq!(de.decimal(1234.5, 1), "1.234,5");
        assert_eq!(de.decimal(0.04234, 2), "0,04");
        assert_eq!(en.decimal(-0.001, 1), "0.0", "no negative zero");
    }

    #[test]
    fn counted_things_take_the_languages_plural_forms() {
        let en = catalog(Locale::En);
        let de = catalog(Locale::De);
        assert_eq!(en.fill("time.days", "n", 1), "1 day");
        assert_eq!(en.fill("time.days", "n", 2), "2 days");
        assert_eq!(de.fill("time.days", "n", 1), "1 Tag");
        assert_eq!(de.fill("time.days", "n", 30), "30 Tage");
        assert_eq!(de.fill("time.hours", "n", 1), "1 Stunde");
        assert_eq!(de.fill("time.hours", "n", 5), "5 Stunden");
        let en_body = |n: i64| en.fill("data.delete_body", "days", n);
        let de_body = |n: i64| de.fill("data.delete_body", "days", n);
        assert!(en_body(1).starts_with("Your account is deleted 1 day after"));
        assert!(en_body(30).starts_with("Your account is deleted 30 days after"));
        assert!(de_body(1).starts_with("Ihr Konto wird 1 Tag nach"));
        assert!(de_body(30).starts_with("Ihr Konto wird 30 Tage nach"));
    }

    #[test]
    fn the_scripts_templates_keep_their_variables_in_braces() {
        for locale in Locale::ALL {
            let c = catalog(locale);
            let template = c.template("compose.counter_over");
            for name in ["{count}", "{max}", "{over}"] {
                assert!(template.contains(name), "{template} in {}", locale.code());
            }
            assert_eq!(
                c.template("compose.validating"),
                c.get("compose.validating")
            );
        }
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
            "post_platform_unavailable",
            "media_too_large",
            "media_empty",
            "media_unsupported",
            "media_malformed",
            "media_not_downloadable",
            "media_drive_unavailable",
            "media_upload_interrupted",
            "media_link_expired",
            "media_link_invalid",
            "invalid_arguments",
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
