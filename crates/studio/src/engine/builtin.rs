//! The built-in offline engine: the default when no AI is configured.
//!
//! It writes no new sentences of its own beyond a few fixed phrases per
//! language; it fills the request's template (or a plain per-format
//! structure) from what the person wrote, the same way every time:
//!
//! 1. The brief is cut into clauses (lines, sentences, bullet points; long
//!    comma lists when there are more slots than sentences), lead-ins such
//!    as "a post about" are dropped.
//! 2. A clause written as `name: value` goes to the slot of that name (or
//!    whose hint names it). The other clauses go to the slots whose hint
//!    shares the most words with them, then to the empty slots in order.
//!    A `topic` slot the brief leaves empty takes the pillar's name; any
//!    other empty slot gets a bracketed prompt in the request's language
//!    (`[fill in: the belief people hold]`). Clauses no slot took are kept
//!    as extra beats, slides, parts or a paragraph.
//! 3. The tone adds one of its `do` sentences (picked by a hash of the
//!    brief) before the caption's closing question; a pillar adds a
//!    "part of my … series" line and its hashtag.
//! 4. The platform's rules (`herald_publishing::rules`) bound the result:
//!    characters it refuses are dropped, the caption (with its hashtags) is
//!    cut at a word boundary to its limit, hashtags are derived from the
//!    brief's words (German: its nouns) and the pillar and capped (a
//!    sensible few per platform, never past its own maximum).
//!
//! The result is streamed to [`Progress`] as JSON in small pieces, like a
//! chat model's structured answer.

use std::collections::BTreeSet;

use async_trait::async_trait;
use herald_publishing::rules::{self, ProviderRules};

use super::{
    ContentGenerationEngine, EngineError, EngineInfo, Generated, Progress, Request, Stopped, Usage,
};
use crate::model::{Content, Format, Pillar, Platform, Slide, Slot, Tone};
use crate::prompt::account_kind;

/// The engine's and model's name, as stored with what it wrote.
pub const BUILTIN: &str = "builtin";

/// The longest a clause of the brief may be when it fills a slot.
const CLAUSE_MAX: usize = 200;
/// The most clauses read from a brief.
const CLAUSES_MAX: usize = 24;
/// The most clauses no slot took that are kept.
const LEFTOVERS_MAX: usize = 3;
/// The most characters of the brief hashtags are drawn from.
const TAG_SOURCE_MAX: usize = 2000;
/// The longest derived hashtag (without `#`).
const TAG_MAX: usize = 30;
/// The most beats, slides or parts the engine grows a piece to.
const ITEMS_MAX: usize = 10;
/// Characters per streamed piece.
const PIECE: usize = 48;

/// The offline template filler.
#[derive(Debug, Clone, Copy, Default)]
pub struct Builtin;

#[async_trait]
impl ContentGenerationEngine for Builtin {
    fn info(&self) -> EngineInfo {
        EngineInfo {
            engine: BUILTIN.to_owned(),
            model: BUILTIN.to_owned(),
            ai: false,
        }
    }

    async fn generate(
        &self,
        request: &Request,
        progress: &mut dyn Progress,
    ) -> Result<Generated, EngineError> {
        let content = fill(request);
        let text = serde_json::to_string(&content).map_err(|e| EngineError::Malformed {
            detail: e.to_string(),
        })?;
        for piece in pieces(&text, PIECE) {
            progress
                .text(piece)
                .await
                .map_err(|Stopped| EngineError::Cancelled)?;
        }
        Ok(Generated {
            text,
            content: Some(content),
            usage: Usage::default(),
            model: BUILTIN.to_owned(),
        })
    }
}

/// `text` in pieces of at most `size` characters.
fn pieces(text: &str, size: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (n, (at, _)) in text.char_indices().enumerate() {
        if n > 0 && n % size == 0 {
            out.push(&text[start..at]);
            start = at;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// The fixed phrases of one language.
struct Lang {
    german: bool,
    fill_in: &'static str,
    series: &'static str,
}

const EN: Lang = Lang {
    german: false,
    fill_in: "fill in",
    series: "Part of my “{}” series.",
};

const DE: Lang = Lang {
    german: true,
    fill_in: "ergänzen",
    series: "Teil meiner Reihe „{}“.",
};

fn lang(locale: &str) -> &'static Lang {
    if locale.eq_ignore_ascii_case("de") || locale.to_ascii_lowercase().starts_with("de-") {
        &DE
    } else {
        &EN
    }
}

/// What the engine writes for `request`, without streaming it.
pub fn fill(request: &Request) -> Content {
    let lang = lang(&request.locale);
    let (content, slots, scored) = match &request.template {
        Some(t) => (t.content.clone(), t.slots.clone(), true),
        None => {
            let (content, slots) = default_structure(request.format, lang);
            (content, slots, false)
        }
    };
    let clauses = clauses(&request.brief, slots.len());
    let (values, leftovers) = assign(&slots, &clauses, scored);
    let values: Vec<(String, String)> = slots
        .iter()
        .zip(values)
        .map(|(slot, value)| {
            let value = value.unwrap_or_else(|| empty_slot(slot, request.pillar.as_ref(), lang));
            (slot.name.clone(), value)
        })
        .collect();
    let filled = fill_content(&content, &values, lang);
    let grown = add_leftovers(filled, &leftovers, lang);
    finish(grown, request, &clauses, lang)
}

/// The structure used when the request names no template: the brief's
/// first clause as the topic and the next ones as points.
fn default_structure(format: Format, lang: &Lang) -> (Content, Vec<Slot>) {
    let slot = |name: &str, hint: &str| Slot {
        name: name.to_owned(),
        hint: hint.to_owned(),
    };
    let s = |t: &str| t.to_owned();
    let slide = |title: &str, body: &str| Slide {
        title: title.to_owned(),
        body: body.to_owned(),
    };
    let (slots, content) = if lang.german {
        let slots = vec![
            slot("topic", "dein Thema in ein paar Worten"),
            slot("point1", "dein erster Punkt"),
            slot("point2", "ein Beispiel oder ein zweiter Punkt"),
            slot("point3", "was man als Nächstes tun kann"),
        ];
        let content = match format {
            Format::Script => Content::Script {
                hook: s("{topic}? Das solltest du wissen."),
                beats: vec![s("{point1}."), s("{point2}."), s("{point3}.")],
                cta: s("Folg mir für mehr und speicher dir das Video, damit du es wiederfindest."),
                shots: vec![
                    s("Nahaufnahme, direkt in die Kamera: der Hook in den ersten zwei Sekunden."),
                    s("Ein Schnitt pro Punkt, die Schlagworte als Text im Bild."),
                    s("Kurzes B-Roll, das das Beispiel zeigt."),
                    s("Zum Schluss der Aufruf, mit Fingerzeig nach unten zur Caption."),
                ],
                caption: s("{topic}: die Kurzfassung gibt's im Video."),
            },
            Format::Caption => Content::Caption {
                text: s(
                    "{topic}\n\n{point1}.\n\n{point2}.\n\nWie siehst du das? Schreib's mir in die Kommentare.",
                ),
                hashtags: Vec::new(),
            },
            Format::Carousel => Content::Carousel {
                slides: vec![
                    slide("{topic}", "Wisch dich durch das Wichtigste →"),
                    slide("1", "{point1}."),
                    slide("2", "{point2}."),
                    slide("3", "{point3}."),
                    slide(
                        "Speichern",
                        "Speicher dir den Beitrag fürs nächste Mal und schick ihn jemandem, der ihn braucht.",
                    ),
                ],
                caption: s("{topic}: das Wichtigste auf einen Blick. Speicher's dir für später."),
            },
            Format::Thread => Content::Thread {
                parts: vec![
                    s("{topic} – ein kurzer Thread 👇"),
                    s("1/ {point1}."),
                    s("2/ {point2}."),
                    s("3/ {point3}."),
                    s("Das war's. Was probierst du zuerst aus?"),
                ],
            },
        };
        (slots, content)
    } else {
        let slots = vec![
            slot("topic", "your topic in a few words"),
            slot("point1", "your first point"),
            slot("point2", "an example or a second point"),
            slot("point3", "what to do next"),
        ];
        let content = match format {
            Format::Script => Content::Script {
                hook: s("{topic}? Here's what you need to know."),
                beats: vec![s("{point1}."), s("{point2}."), s("{point3}.")],
                cta: s("Follow for more, and save this so you can find it again."),
                shots: vec![
                    s("Close-up, straight to camera: the hook in the first two seconds."),
                    s("One cut per point, its key words as on-screen text."),
                    s("A short B-roll clip that shows the example."),
                    s("End on the call to action, pointing down to the caption."),
                ],
                caption: s("{topic}: the short version is in the video."),
            },
            Format::Caption => Content::Caption {
                text: s(
                    "{topic}\n\n{point1}.\n\n{point2}.\n\nWhat's your take? Tell me in the comments.",
                ),
                hashtags: Vec::new(),
            },
            Format::Carousel => Content::Carousel {
                slides: vec![
                    slide("{topic}", "Swipe for the essentials →"),
                    slide("1", "{point1}."),
                    slide("2", "{point2}."),
                    slide("3", "{point3}."),
                    slide(
                        "Save this",
                        "Save this post for next time and send it to someone who needs it.",
                    ),
                ],
                caption: s("{topic}: the essentials at a glance. Save it for later."),
            },
            Format::Thread => Content::Thread {
                parts: vec![
                    s("{topic}: a short thread 👇"),
                    s("1/ {point1}."),
                    s("2/ {point2}."),
                    s("3/ {point3}."),
                    s("That's it. Which one will you try first?"),
                ],
            },
        };
        (slots, content)
    };
    (content, slots)
}

// ---------------------------------------------------------------------------
// Reading the brief

/// One piece of the brief, with the label it was written under, if any
/// (`myth: carbs make you fat`).
#[derive(Debug, Clone)]
struct Clause {
    label: Option<String>,
    text: String,
}

/// Lead-ins that say what the post is rather than what it says.
const LEAD_INS: &[&str] = &[
    "i want to post about ",
    "i want to talk about ",
    "i want to write about ",
    "i'd like to post about ",
    "i'd like to talk about ",
    "write a post about ",
    "write a caption about ",
    "write about ",
    "make a video about ",
    "a short video about ",
    "a video about ",
    "a reel about ",
    "a post about ",
    "a carousel about ",
    "a thread about ",
    "post about ",
    "video about ",
    "reel about ",
    "ich möchte über ",
    "ich will über ",
    "ich würde gern über ",
    "schreib einen post über ",
    "schreib einen beitrag über ",
    "ein video über ",
    "ein reel über ",
    "ein post über ",
    "einen post über ",
    "ein beitrag über ",
    "einen beitrag über ",
    "ein karussell über ",
    "post über ",
    "beitrag über ",
    "video über ",
    "about ",
    "über ",
];

/// Verbs a German lead-in leaves at the end ("… über X sprechen").
const GERMAN_TAILS: &[&str] = &[
    " sprechen",
    " schreiben",
    " posten",
    " reden",
    " erzählen",
    " berichten",
];

/// `s` without `prefix`, compared case-insensitively.
fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let mut it = s.char_indices();
    for p in prefix.chars() {
        let (_, c) = it.next()?;
        if !c.to_lowercase().eq(p.to_lowercase()) {
            return None;
        }
    }
    Some(match it.next() {
        Some((at, _)) => &s[at..],
        None => "",
    })
}

fn strip_suffix_ci<'a>(s: &'a str, suffix: &str) -> Option<&'a str> {
    let n = suffix.chars().count();
    let at = s.char_indices().rev().nth(n.checked_sub(1)?)?.0;
    strip_prefix_ci(&s[at..], suffix)
        .filter(|rest| rest.is_empty())
        .map(|_| &s[..at])
}

fn strip_lead_in(text: &str) -> &str {
    for p in LEAD_INS {
        if let Some(rest) = strip_prefix_ci(text, p)
            && !rest.trim().is_empty()
        {
            let german = p.contains("über");
            if german {
                for tail in GERMAN_TAILS {
                    if let Some(r) = strip_suffix_ci(rest, tail)
                        && !r.trim().is_empty()
                    {
                        return r.trim();
                    }
                }
            }
            return rest.trim();
        }
    }
    text
}

/// Whitespace collapsed, control characters dropped, punctuation that
/// belongs to the brief's sentence (not to the slot) trimmed.
fn clean(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .filter(|c| !c.is_control())
        .collect();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let lead: &[char] = &['-', '–', '—', '•', '*', ',', ';', ':', '·', '>'];
    let tail: &[char] = &['.', ',', ';', ':', '!', '?', '…', '-', '–', '—', ' '];
    let text = text.trim_start_matches(|c: char| lead.contains(&c) || c == ' ');
    // A numbered list's "1." or "2)".
    let text = match text.find(['.', ')']) {
        Some(at)
            if at > 0
                && at <= 2
                && text[..at].chars().all(|c| c.is_ascii_digit())
                && text[at + 1..].starts_with(' ') =>
        {
            text[at + 1..].trim_start()
        }
        _ => text,
    };
    text.trim_end_matches(|c: char| tail.contains(&c))
        .trim()
        .to_owned()
}

/// `text` cut to at most `max` characters at a word boundary, with `…`
/// when cut.
fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    if max == 0 {
        return String::new();
    }
    let keep: String = text.chars().take(max - 1).collect();
    let keep = match keep.rfind(char::is_whitespace) {
        Some(at) if keep[..at].chars().count() > max / 2 => keep[..at].trim_end().to_owned(),
        _ => keep,
    };
    format!("{keep}…")
}

/// The sentences of one line: split after `.`, `!`, `?` or `;` followed by
/// a space (so "1.6 g" and "e.g.," stay whole).
fn sentences(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = line.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let end = matches!(c, '.' | '!' | '?' | ';' | '…');
        let next_space = chars.peek().is_none_or(|(_, n)| n.is_whitespace());
        if end && next_space && !(c == '.' && abbreviation(&line[start..at])) {
            let stop = at + c.len_utf8();
            out.push(&line[start..stop]);
            start = stop;
        } else if matches!(c, '–' | '—')
            && at > 0
            && line[..at].ends_with(' ')
            && chars.peek().is_some_and(|(_, n)| *n == ' ')
        {
            out.push(&line[start..at]);
            start = at + c.len_utf8();
        }
    }
    out.push(&line[start..]);
    out
}

/// Abbreviations a full stop does not end a sentence after.
const ABBREVIATIONS: &str = "ca bzw usw etc evtl ggf inkl nr str tel vs dr mr mrs ms eg ie approx";

/// Whether `before` (the text up to a full stop) ends in an abbreviation,
/// a single letter ("z. B.") or a day of the month ("14. Juni").
fn abbreviation(before: &str) -> bool {
    let word = before
        .rsplit(char::is_whitespace)
        .next()
        .unwrap_or_default()
        .trim_start_matches(['(', '"', '„', '“']);
    let letters: String = word.chars().filter(|c| *c != '.').collect();
    let n = letters.chars().count();
    (n == 1 && letters.chars().all(char::is_alphabetic))
        || ((1..=2).contains(&n) && letters.chars().all(|c| c.is_ascii_digit()))
        || ABBREVIATIONS
            .split_whitespace()
            .any(|a| a == letters.to_lowercase())
}

/// A clause written as `label: value`: the label, when it is short.
fn labelled(text: &str) -> Clause {
    if let Some(at) = text.find(':') {
        let label = text[..at].trim();
        let value = text[at + 1..].trim();
        let words = label.split_whitespace().count();
        if !label.is_empty()
            && label.chars().count() <= 40
            && words <= 4
            && !value.is_empty()
            && !value.starts_with("//")
        {
            return Clause {
                label: Some(label.to_lowercase()),
                text: value.to_owned(),
            };
        }
    }
    Clause {
        label: None,
        text: text.to_owned(),
    }
}

/// The brief in clauses, in order. When it has fewer sentences than the
/// template has slots, comma lists of whole phrases are split too.
fn clauses(brief: &str, slots: usize) -> Vec<Clause> {
    let mut raw: Vec<String> = Vec::new();
    for line in brief.lines() {
        for s in sentences(line) {
            let c = clean(s);
            if !c.is_empty() {
                raw.push(c);
            }
            if raw.len() >= CLAUSES_MAX {
                break;
            }
        }
        if raw.len() >= CLAUSES_MAX {
            break;
        }
    }
    if raw.len() < slots {
        let mut split = Vec::new();
        for c in raw {
            let parts: Vec<&str> = c.split(", ").collect();
            if parts.len() > 1 && parts.iter().all(|p| p.split_whitespace().count() >= 4) {
                split.extend(parts.into_iter().map(clean).filter(|p| !p.is_empty()));
            } else {
                split.push(c);
            }
        }
        raw = split;
        raw.truncate(CLAUSES_MAX);
    }
    raw.iter()
        .map(|c| {
            let mut clause = labelled(c);
            clause.text = cut(&clean(strip_lead_in(&clause.text)), CLAUSE_MAX);
            clause
        })
        .filter(|c| !c.text.is_empty())
        .collect()
}

/// Words that say nothing about where a clause belongs, and make no
/// hashtag.
const STOPWORDS: &str = concat!(
    // English
    "about after again also always because been before being could does doing during each ",
    "even every from have having here into just like make more most much must need never only ",
    "other over really same should some such than that their them then there these they thing ",
    "things this those through very want what when where which while will with without would ",
    "your yours post video reel caption thread carousel want something someone one ",
    "write ",
    // German
    "aber alle allem allen aller alles also auch auf aus bei beim bist dann dass dein deine ",
    "deinem deinen deiner denn dich dies diese diesem diesen dieser dieses doch durch eine ",
    "einem einen einer eines etwas für gegen gibt habe haben hast hier ihre ihren immer jede ",
    "jeden jeder jedes kann kannst kein keine mach machen mehr mein meine meinem meinen ",
    "meiner mich mit muss nach nicht noch nur oder ohne schon sehr sein seine sich sind soll ",
    "sollte über unser unsere viel viele vom von weil wenn werden wie will wird wirst zum zur ",
    "zwischen möchte beitrag leute unserer unseren unserem ",
);

/// Words that help place a clause but make poor hashtags.
const NOT_TAGS: &str = concat!(
    // English
    "people think thought know knows take takes made makes first actually great good best ",
    "better still around today give gets getting going come comes look looks find right ",
    "matters total start started doesn don isn aren wasn didn minute minutes hour hours ",
    "days week weeks ",
    // German
    "viele glauben braucht brauchst direkt einfach heute wirklich eigentlich ganz besser ",
    "erste ersten zwei drei geht macht kommt sprechen schreiben zeigen erzählen ",
);

fn is_stopword(word: &str) -> bool {
    let lower = word.to_lowercase();
    STOPWORDS.split_whitespace().any(|w| w == lower)
}

/// The words of `text` worth matching or tagging: letters and digits, at
/// least four characters, no stopwords, no redaction placeholder
/// (`[EMAIL_1]`).
fn words(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut in_placeholder = false;
    for token in text.split(|c: char| !(c.is_alphanumeric() || c == '[' || c == ']' || c == '_')) {
        if token.starts_with('[') {
            in_placeholder = !token.ends_with(']');
            continue;
        }
        if in_placeholder {
            in_placeholder = !token.ends_with(']');
            continue;
        }
        let word = token.trim_matches(|c: char| !c.is_alphanumeric());
        if word.chars().count() >= 4
            && !word.contains('_')
            && !word.chars().all(|c| c.is_ascii_digit())
            && !is_stopword(word)
        {
            out.push(word);
        }
    }
    out
}

/// The first five letters of each word, lowercased: enough to match
/// "believe" with "belief" and "Ernährung" with "ernähren".
fn stems(text: &str) -> BTreeSet<String> {
    words(text)
        .into_iter()
        .map(|w| w.to_lowercase().chars().take(5).collect())
        .collect()
}

fn label_matches(label: &str, slot: &Slot) -> bool {
    let name = slot.name.replace('_', " ").to_lowercase();
    if label == name || label.replace(' ', "_") == slot.name.to_lowercase() {
        return true;
    }
    let hint = slot.hint.to_lowercase();
    label.chars().count() >= 4
        && hint
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| w == label)
}

/// Which clause fills which slot, and the clauses no slot took.
fn assign(slots: &[Slot], clauses: &[Clause], scored: bool) -> (Vec<Option<String>>, Vec<String>) {
    let mut values: Vec<Option<String>> = vec![None; slots.len()];
    let mut used = vec![false; clauses.len()];
    // Labelled clauses first.
    for (ci, c) in clauses.iter().enumerate() {
        let Some(label) = &c.label else { continue };
        if let Some(si) =
            (0..slots.len()).find(|&si| values[si].is_none() && label_matches(label, &slots[si]))
        {
            values[si] = Some(c.text.clone());
            used[ci] = true;
        }
    }
    // A label no slot has: the clause is read whole.
    let text_of = |c: &Clause| match &c.label {
        Some(l) => format!("{l}: {}", c.text),
        None => c.text.clone(),
    };
    if scored {
        let slot_stems: Vec<BTreeSet<String>> = slots
            .iter()
            .map(|s| stems(&format!("{} {}", s.name.replace('_', " "), s.hint)))
            .collect();
        let clause_stems: Vec<BTreeSet<String>> =
            clauses.iter().map(|c| stems(&text_of(c))).collect();
        let mut pairs: Vec<(usize, usize, usize)> = Vec::new();
        for (si, ss) in slot_stems.iter().enumerate() {
            for (ci, cs) in clause_stems.iter().enumerate() {
                let score = ss.intersection(cs).count();
                if score > 0 {
                    pairs.push((score, si, ci));
                }
            }
        }
        pairs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
        for (_, si, ci) in pairs {
            if values[si].is_none() && !used[ci] {
                values[si] = Some(text_of(&clauses[ci]));
                used[ci] = true;
            }
        }
    }
    // The rest in order.
    let free: Vec<usize> = (0..clauses.len()).filter(|&ci| !used[ci]).collect();
    let mut rest = free.into_iter();
    for value in values.iter_mut().filter(|v| v.is_none()) {
        match rest.next() {
            Some(ci) => {
                *value = Some(text_of(&clauses[ci]));
                used[ci] = true;
            }
            None => break,
        }
    }
    let leftovers = (0..clauses.len())
        .filter(|&ci| !used[ci])
        .take(LEFTOVERS_MAX)
        .map(|ci| text_of(&clauses[ci]))
        .collect();
    (values, leftovers)
}

/// What a slot the brief left empty gets: the pillar for a topic, else a
/// prompt to fill in.
fn empty_slot(slot: &Slot, pillar: Option<&Pillar>, lang: &Lang) -> String {
    if let Some(p) = pillar
        && matches!(slot.name.as_str(), "topic" | "theme")
    {
        let name = clean(&p.name);
        if !name.is_empty() {
            return cut(&name, CLAUSE_MAX);
        }
    }
    let hint = clean(&slot.hint);
    let what = if hint.is_empty() {
        slot.name.replace('_', " ")
    } else {
        lower_first(&hint)
    };
    format!("[{}: {what}]", lang.fill_in)
}

// ---------------------------------------------------------------------------
// Filling

fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if c.to_uppercase().count() == 1 => c.to_uppercase().chain(chars).collect(),
        _ => s.to_owned(),
    }
}

fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        // An acronym ("SEO", "AI") keeps its case.
        (Some(a), Some(b)) if a.is_uppercase() && b.is_uppercase() => s.to_owned(),
        (Some(a), _) if a.to_lowercase().count() == 1 => {
            a.to_lowercase().chain(s.chars().skip(1)).collect()
        }
        _ => s.to_owned(),
    }
}

/// English words that begin a clause but are not names: lowercased when
/// the clause lands mid-sentence.
const EN_COMMON_STARTS: &str = concat!(
    "a an the my your our their his her its this that these those how why what when where ",
    "which who you we they it some most many every each all no more less simple easy quick ",
    "best new old good bad big small doing eating using making getting taking buying one two ",
    "three five ten too not never always only just people everyone nobody ",
);

/// Whether text placed after `before` starts a sentence.
fn sentence_start(before: &str) -> bool {
    // An opening quote starts whatever its own place starts.
    let trimmed =
        before.trim_end_matches([' ', '\t', '„', '“', '"', '‚', '‘', '«', '(', '[', '\'']);
    match trimmed.chars().last() {
        None => true,
        Some(c) => {
            matches!(
                c,
                '.' | '!' | '?' | '\n' | '…' | '👉' | '→' | '✅' | '❌' | '👇'
            ) || (!c.is_alphanumeric()
                && !c.is_ascii()
                && !matches!(
                    c,
                    '„' | '“' | '”' | '‚' | '‘' | '’' | '«' | '»' | '–' | '—' | '·'
                ))
        }
    }
}

/// `value` as it reads at its place in the sentence.
fn placed(value: &str, before: &str, lang: &Lang) -> String {
    if sentence_start(before) {
        return upper_first(value);
    }
    if !lang.german {
        let first = value
            .split(|c: char| !c.is_alphanumeric() && c != '\'')
            .next()
            .unwrap_or_default();
        let first = first.to_lowercase();
        if EN_COMMON_STARTS.split_whitespace().any(|w| w == first) {
            return lower_first(value);
        }
    }
    value.to_owned()
}

/// `text` with each `{slot}` replaced by its value, once (a value that
/// itself holds braces is not read again).
fn substitute(text: &str, values: &[(String, String)], lang: &Lang) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let name = after.find('}').map(|close| &after[..close]);
        match name.and_then(|n| values.iter().find(|(k, _)| k == n).map(|(_, v)| (n, v))) {
            Some((n, v)) => {
                let value = placed(v, &out, lang);
                out.push_str(&value);
                rest = &after[n.len() + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// A hashtag as a platform takes it: `#` and letters, digits or `_`, or
/// nothing when none are left.
fn hashtag(raw: &str) -> Option<String> {
    let body: String = raw
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if body.is_empty() || body.chars().all(|c| c == '_') {
        return None;
    }
    Some(format!(
        "#{}",
        body.chars().take(TAG_MAX).collect::<String>()
    ))
}

fn fill_content(content: &Content, values: &[(String, String)], lang: &Lang) -> Content {
    match content {
        // A hashtag whose slot the brief left empty is dropped rather than
        // made from the prompt's words.
        Content::Caption { text, hashtags } => Content::Caption {
            text: substitute(text, values, lang),
            hashtags: hashtags
                .iter()
                .filter_map(|h| {
                    let unfilled = crate::seed::placeholders(h).into_iter().any(|p| {
                        values
                            .iter()
                            .find(|(k, _)| k == p)
                            .is_none_or(|(_, v)| v.starts_with('['))
                    });
                    if unfilled {
                        None
                    } else {
                        hashtag(&substitute(h, values, lang))
                    }
                })
                .collect(),
        },
        other => other.map_texts(|s| substitute(s, values, lang)),
    }
}

/// Clauses no slot took, kept where the format has room for them.
fn add_leftovers(content: Content, leftovers: &[String], lang: &Lang) -> Content {
    if leftovers.is_empty() {
        return content;
    }
    let sentence = |s: &String| {
        let s = upper_first(s);
        if s.ends_with(['.', '!', '?', ')', '"', '“', '”']) {
            s
        } else {
            format!("{s}.")
        }
    };
    match content {
        Content::Script {
            hook,
            mut beats,
            cta,
            shots,
            caption,
        } => {
            for l in leftovers {
                if beats.len() < ITEMS_MAX {
                    beats.push(sentence(l));
                }
            }
            Content::Script {
                hook,
                beats,
                cta,
                shots,
                caption,
            }
        }
        Content::Caption { text, hashtags } => {
            // Before the closing paragraph, which asks the question.
            let extra: Vec<String> = leftovers.iter().map(sentence).collect();
            let mut paragraphs: Vec<&str> = text.trim_end().split("\n\n").collect();
            let at = paragraphs
                .len()
                .saturating_sub(1)
                .max(1)
                .min(paragraphs.len());
            let extra = extra.join(" ");
            paragraphs.insert(at, &extra);
            Content::Caption {
                text: paragraphs.join("\n\n"),
                hashtags,
            }
        }
        Content::Carousel {
            mut slides,
            caption,
        } => {
            // Before the closing slide, which asks for the save or follow.
            let at = slides.len().saturating_sub(1).max(1).min(slides.len());
            let extra: Vec<Slide> = leftovers
                .iter()
                .take(ITEMS_MAX.saturating_sub(slides.len()))
                .map(|l| Slide {
                    title: if lang.german { "Außerdem" } else { "Also" }.to_owned(),
                    body: sentence(l),
                })
                .collect();
            slides.splice(at..at, extra);
            Content::Carousel { slides, caption }
        }
        Content::Thread { mut parts } => {
            let at = parts.len().saturating_sub(1).max(1).min(parts.len());
            let extra: Vec<String> = leftovers
                .iter()
                .take(ITEMS_MAX.saturating_sub(parts.len()))
                .map(sentence)
                .collect();
            parts.splice(at..at, extra);
            Content::Thread { parts }
        }
    }
}

// ---------------------------------------------------------------------------
// Tone, pillar and platform

/// FNV-1a: a hash that is the same on every machine and every run.
fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The tone's closing line: one of its `do` examples, picked by the brief.
fn tone_line(tone: Option<&Tone>, brief: &str) -> Option<String> {
    let tone = tone?;
    let dos: Vec<String> = tone
        .dos
        .iter()
        .map(|d| clean_line(d))
        .filter(|d| !d.is_empty())
        .collect();
    if dos.is_empty() {
        return None;
    }
    let at = (stable_hash(brief) % dos.len() as u64) as usize;
    Some(dos[at].clone())
}

/// One line of someone's text: whitespace collapsed, control characters
/// dropped, ending punctuation kept.
fn clean_line(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .collect()
}

fn series_line(pillar: Option<&Pillar>, lang: &Lang) -> Option<String> {
    let name = cut(&clean(&pillar?.name), 60);
    (!name.is_empty()).then(|| lang.series.replace("{}", &name))
}

/// How many hashtags the engine adds for a platform: a sensible few (the
/// platform's own maximum bounds them further).
fn tags_wanted(platform: Option<Platform>) -> usize {
    match platform {
        Some(Platform::Instagram) => 8,
        Some(Platform::Tiktok) => 5,
        Some(Platform::Youtube | Platform::Facebook) => 3,
        None => 5,
    }
}

/// Hashtags from the pillar (one, its words joined) and the words of the
/// brief's clauses (lead-ins dropped), in order, each once. In German only
/// nouns make tags: they are the capitalised words.
fn derived_tags(clauses: &[Clause], pillar: Option<&Pillar>, lang: &Lang) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(p) = pillar {
        let joined: String = p
            .name
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(upper_first)
            .collect();
        if joined.chars().count() >= 3
            && let Some(tag) = hashtag(&joined)
        {
            out.push(tag);
        }
    }
    let mut seen = 0;
    for c in clauses {
        if seen > TAG_SOURCE_MAX {
            break;
        }
        seen += c.text.len();
        for w in words(&c.text) {
            let noun = w.chars().next().is_some_and(char::is_uppercase);
            let lower = w.to_lowercase();
            if w.chars().count() > TAG_MAX
                || (lang.german && !noun)
                || NOT_TAGS.split_whitespace().any(|n| n == lower)
            {
                continue;
            }
            // English tags in lower case; German nouns keep their capital.
            let word = if lang.german { w.to_owned() } else { lower };
            if let Some(tag) = hashtag(&word) {
                out.push(tag);
            }
        }
    }
    dedupe(out)
}

fn dedupe(tags: Vec<String>) -> Vec<String> {
    let mut seen = BTreeSet::new();
    tags.into_iter()
        .filter(|t| seen.insert(t.to_lowercase()))
        .collect()
}

/// `text` with the `#` of every hashtag past the `max`th taken off (the
/// word stays).
fn limit_tags(text: &str, max: usize) -> String {
    if rules::count_tags(text, '#') <= max {
        return text.to_owned();
    }
    let chars: Vec<char> = text.chars().collect();
    let mut seen = 0;
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        let is_tag = c == '#'
            && (i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_'))
            && chars
                .get(i + 1)
                .is_some_and(|n| n.is_alphanumeric() || *n == '_');
        if is_tag {
            seen += 1;
            if seen > max {
                // A `#` right before it would become a tag of its own once
                // this one is gone ("##word"): it goes too.
                while out.ends_with('#') {
                    out.pop();
                }
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// The lines the tone and the pillar add to a caption.
struct Extras {
    /// Goes before the caption's last paragraph (its question or call to
    /// action, which should stay last).
    tone: Option<String>,
    /// Goes at the end.
    series: Option<String>,
}

/// `body` with the tone's and the pillar's lines (each only once).
fn with_extras(body: &str, extras: &Extras) -> String {
    let mut paragraphs: Vec<String> = body
        .trim_end()
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .map(str::to_owned)
        .collect();
    let has = |paragraphs: &[String], line: &str| {
        paragraphs
            .iter()
            .any(|p| p.to_lowercase().contains(&line.to_lowercase()))
    };
    if let Some(tone) = &extras.tone
        && !has(&paragraphs, tone)
    {
        let at = match paragraphs.len() {
            n if n >= 2 => n - 1,
            n => n,
        };
        paragraphs.insert(at, tone.clone());
    }
    if let Some(series) = &extras.series
        && !has(&paragraphs, series)
    {
        paragraphs.push(series.clone());
    }
    paragraphs.join("\n\n")
}

/// A caption with its tone line, series line and hashtags, within the
/// platform's caption limit: the body is cut first, the tags kept.
fn caption_with(
    body: &str,
    extras: &Extras,
    tags: &[String],
    limits: Option<&ProviderRules>,
) -> String {
    let body = with_extras(body, extras);
    // The tone's and the pillar's lines may carry tags of their own: the
    // body keeps room for the tag line below it.
    let body = match limits.and_then(|r| r.hashtags_max) {
        Some(max) => limit_tags(&body, max.saturating_sub(tags.len())),
        None => body,
    };
    let tag_line = tags.join(" ");
    let Some(r) = limits else {
        return join_tags(&body, &tag_line);
    };
    let room = if tag_line.is_empty() {
        r.caption_max
    } else {
        r.caption_max.saturating_sub(tag_line.chars().count() + 2)
    };
    let body = cut(&body, room);
    let caption = join_tags(&body, &tag_line);
    cut(&caption, r.caption_max)
}

fn join_tags(body: &str, tags: &str) -> String {
    match (body.trim().is_empty(), tags.is_empty()) {
        (_, true) => body.to_owned(),
        (true, false) => tags.to_owned(),
        (false, false) => format!("{body}\n\n{tags}"),
    }
}

/// The piece made fit for the request's tone, pillar and platform.
fn finish(content: Content, request: &Request, clauses: &[Clause], lang: &Lang) -> Content {
    let limits = request.platform.map(|p| rules::rules_for(account_kind(p)));
    let forbidden: &[char] = limits.map_or(&[], |r| r.forbidden_chars);
    let content = content.map_texts(|s| s.chars().filter(|c| !forbidden.contains(c)).collect());
    let tag_max = limits.and_then(|r| r.hashtags_max).unwrap_or(usize::MAX);
    let allowed = |s: String| -> String { s.chars().filter(|c| !forbidden.contains(c)).collect() };
    let extras = Extras {
        tone: tone_line(request.tone.as_ref(), &request.brief).map(allowed),
        series: series_line(request.pillar.as_ref(), lang).map(allowed),
    };
    let derived = derived_tags(clauses, request.pillar.as_ref(), lang);
    let wanted = tags_wanted(request.platform);
    // The tags a caption body gets: derived ones not already in it, as many
    // as the platform has room for.
    let tags_for = |body: &str, own: &[String]| -> Vec<String> {
        let in_body = rules::count_tags(body, '#');
        let room = tag_max.saturating_sub(in_body).min(wanted.max(own.len()));
        let lower = body.to_lowercase();
        let mut tags = own.to_vec();
        tags.extend(derived.iter().cloned());
        dedupe(tags)
            .into_iter()
            .filter(|t| !contains_tag(&lower, &t.to_lowercase()))
            .take(room)
            .collect()
    };
    match content {
        Content::Script {
            hook,
            beats,
            cta,
            shots,
            caption,
        } => {
            let hook = match limits {
                Some(r) if r.title_required && r.title_max > 0 => cut(&hook, r.title_max),
                _ => hook,
            };
            let body = limit_tags(&caption, tag_max);
            let tags = tags_for(&body, &[]);
            Content::Script {
                hook,
                beats,
                cta,
                shots,
                caption: caption_with(&body, &extras, &tags, limits),
            }
        }
        Content::Caption { text, hashtags } => {
            let body = limit_tags(&text, tag_max);
            let tags = tags_for(&body, &hashtags);
            // The composer adds the tags below the text: the text keeps
            // room for them.
            let text = limit_tags(
                &with_extras(&body, &extras),
                tag_max.saturating_sub(tags.len()),
            );
            let text = match limits {
                Some(r) => {
                    let line = tags.join(" ").chars().count();
                    let room = if tags.is_empty() {
                        r.caption_max
                    } else {
                        r.caption_max.saturating_sub(line + 2)
                    };
                    cut(&text, room)
                }
                None => text,
            };
            Content::Caption {
                text,
                hashtags: tags,
            }
        }
        Content::Carousel { slides, caption } => {
            let body = limit_tags(&caption, tag_max);
            let tags = tags_for(&body, &[]);
            Content::Carousel {
                slides,
                caption: caption_with(&body, &extras, &tags, limits),
            }
        }
        Content::Thread { parts } => {
            let mut parts: Vec<String> =
                parts.into_iter().map(|p| limit_tags(&p, tag_max)).collect();
            // The closing part ends on its question; the tone's line leads
            // into it.
            if let (Some(line), Some(last)) = (&extras.tone, parts.last_mut())
                && !last.contains(line.as_str())
            {
                *last = format!("{line} {}", last.trim_start());
            }
            // Joined into one post, the parts share the platform's tag
            // limit.
            let mut budget = tag_max;
            let parts: Vec<String> = parts
                .into_iter()
                .map(|p| {
                    let p = limit_tags(&p, budget);
                    budget = budget.saturating_sub(rules::count_tags(&p, '#'));
                    p
                })
                .collect();
            let parts = match limits {
                Some(r) => fit_parts(parts, r.caption_max),
                None => parts,
            };
            Content::Thread { parts }
        }
    }
}

/// Whether `tag` stands in `text` as a whole hashtag.
fn contains_tag(text: &str, tag: &str) -> bool {
    text.match_indices(tag).any(|(at, m)| {
        text[at + m.len()..]
            .chars()
            .next()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
    })
}

/// Thread parts whose text, joined as one post, fits `max` characters:
/// the part that crosses it is cut, later ones dropped.
fn fit_parts(parts: Vec<String>, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut used = 0;
    for p in parts {
        let sep = if out.is_empty() { 0 } else { 2 };
        let n = p.chars().count();
        if used + sep + n <= max {
            used += sep + n;
            out.push(p);
            continue;
        }
        let room = max.saturating_sub(used + sep);
        if room >= 20 {
            out.push(cut(&p, room));
        }
        break;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn briefs_split_into_clauses_without_their_lead_ins() {
        let c = clauses(
            "A post about protein myths. Myth: you need 2 g per kg! 1.6 g is plenty\n2) Sleep",
            3,
        );
        let texts: Vec<&str> = c.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "protein myths",
                "you need 2 g per kg",
                "1.6 g is plenty",
                "Sleep"
            ]
        );
        assert_eq!(c[1].label.as_deref(), Some("myth"));
        let de = clauses("Ich möchte über Sauerteig für Anfänger sprechen", 1);
        assert_eq!(de[0].text, "Sauerteig für Anfänger");
    }

    #[test]
    fn hints_steer_clauses_to_their_slots() {
        let slots = vec![
            Slot {
                name: "myth".into(),
                hint: "The belief people hold".into(),
            },
            Slot {
                name: "truth".into(),
                hint: "What the evidence shows instead".into(),
            },
        ];
        let c = clauses(
            "The evidence shows 1.6 g per kg is plenty. People believe more protein is always better",
            2,
        );
        let (values, leftovers) = assign(&slots, &c, true);
        assert_eq!(
            values[0].as_deref(),
            Some("People believe more protein is always better")
        );
        assert_eq!(
            values[1].as_deref(),
            Some("The evidence shows 1.6 g per kg is plenty")
        );
        assert!(leftovers.is_empty());
    }

    #[test]
    fn cuts_happen_at_word_boundaries() {
        assert_eq!(cut("one two three four", 12), "one two…");
        assert_eq!(cut("short", 12), "short");
        assert!(cut(&"ü".repeat(50), 10).chars().count() <= 10);
        assert_eq!(limit_tags("#a #b #c words #d", 2), "#a #b c words d");
        assert_eq!(pieces("abcdef", 4), ["abcd", "ef"]);
    }

    #[test]
    fn placement_fixes_the_first_letter() {
        assert_eq!(
            substitute(
                "Still believe {m}?",
                &[("m".into(), "The sun is cold".into())],
                &EN
            ),
            "Still believe the sun is cold?"
        );
        assert_eq!(
            substitute("{m} is wrong", &[("m".into(), "carbs".into())], &EN),
            "Carbs is wrong"
        );
        assert_eq!(
            substitute(
                "Glaubst du, {m}?",
                &[("m".into(), "Eiweiß macht dick".into())],
                &DE
            ),
            "Glaubst du, Eiweiß macht dick?"
        );
        assert_eq!(
            substitute("{x} stays {m}", &[("m".into(), "{x}".into())], &EN),
            "{x} stays {x}"
        );
    }
}
