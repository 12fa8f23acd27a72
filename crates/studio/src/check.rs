//! Limits on what people write into the studio: a clear refusal naming the
//! field, before anything is stored.

use crate::StudioError;
use crate::model::{Cadence, Content, Slot};
use crate::seed::placeholders;

pub const MAX_TITLE: usize = 120;
pub const MAX_DESCRIPTION: usize = 500;
pub const MAX_PILLAR_NAME: usize = 60;
/// The longest brief a generation takes, in characters.
pub const MAX_BRIEF: usize = 4000;
/// The most characters in all of a piece's strings together.
pub const MAX_CONTENT: usize = 20_000;
/// The most beats, shots, slides, parts or hashtags in a piece.
pub const MAX_ITEMS: usize = 30;
pub const MAX_SLOTS: usize = 20;

fn invalid(field: &'static str, reason: &'static str) -> StudioError {
    StudioError::Invalid { field, reason }
}

/// `value` trimmed, between `min` and `max` characters, without control
/// characters other than line breaks and tabs.
pub fn text(
    field: &'static str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<String, StudioError> {
    let value = value.trim();
    let n = value.chars().count();
    if n < min {
        return Err(invalid(field, "empty"));
    }
    if n > max {
        return Err(invalid(field, "too_long"));
    }
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(invalid(field, "control_characters"));
    }
    Ok(value.to_owned())
}

/// A piece of content within the limits.
pub fn content(c: &Content) -> Result<(), StudioError> {
    let total: usize = c.texts().iter().map(|s| s.chars().count()).sum();
    if total > MAX_CONTENT {
        return Err(invalid("content", "too_long"));
    }
    let counts: &[usize] = &match c {
        Content::Script { beats, shots, .. } => vec![beats.len(), shots.len()],
        Content::Caption { hashtags, .. } => vec![hashtags.len()],
        Content::Carousel { slides, .. } => vec![slides.len()],
        Content::Thread { parts } => vec![parts.len()],
    };
    if counts.iter().any(|n| *n > MAX_ITEMS) {
        return Err(invalid("content", "too_many_items"));
    }
    if let Content::Carousel { slides, .. } = c
        && slides.is_empty()
    {
        return Err(invalid("content", "no_slides"));
    }
    if c.texts().iter().any(|s| {
        s.chars()
            .any(|ch| ch.is_control() && !matches!(ch, '\n' | '\r' | '\t'))
    }) {
        return Err(invalid("content", "control_characters"));
    }
    Ok(())
}

/// Slots with names of letters, digits and `_`, each once.
pub fn slots(slots: &[Slot]) -> Result<Vec<Slot>, StudioError> {
    if slots.len() > MAX_SLOTS {
        return Err(invalid("slots", "too_many_items"));
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for s in slots {
        let name = s.name.trim();
        if name.is_empty()
            || name.len() > 32
            || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return Err(invalid("slots", "bad_name"));
        }
        if !seen.insert(name.to_owned()) {
            return Err(invalid("slots", "duplicate"));
        }
        out.push(Slot {
            name: name.to_owned(),
            hint: text("slots", &s.hint, 0, 200)?,
        });
    }
    Ok(out)
}

/// Every `{placeholder}` of `content` names one of `slots`.
pub fn placeholders_named(content: &Content, slots: &[Slot]) -> Result<(), StudioError> {
    for s in content.texts() {
        for p in placeholders(s) {
            if !slots.iter().any(|slot| slot.name == p) {
                return Err(invalid("content", "unknown_slot"));
            }
        }
    }
    Ok(())
}

/// A cadence with known days, `HH:MM` times and at most 50 posts a week
/// per platform.
pub fn cadence(c: &Cadence) -> Result<Cadence, StudioError> {
    const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
    let mut days: Vec<String> = Vec::new();
    for d in &c.days {
        let d = d.trim().to_lowercase();
        if !DAYS.contains(&d.as_str()) {
            return Err(invalid("days", "unknown_day"));
        }
        if !days.contains(&d) {
            days.push(d);
        }
    }
    days.sort_by_key(|d| DAYS.iter().position(|x| x == d));
    let mut times: Vec<String> = Vec::new();
    if c.times.len() > 12 {
        return Err(invalid("times", "too_many_items"));
    }
    for t in &c.times {
        let parsed = jiff::civil::Time::strptime("%H:%M", t.trim())
            .map_err(|_| invalid("times", "not_hh_mm"))?;
        let t = parsed.strftime("%H:%M").to_string();
        if !times.contains(&t) {
            times.push(t);
        }
    }
    times.sort();
    if c.per_week.values().any(|n| *n > 50) {
        return Err(invalid("per_week", "too_many"));
    }
    Ok(Cadence {
        per_week: c
            .per_week
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(p, n)| (*p, *n))
            .collect(),
        days,
        times,
    })
}
