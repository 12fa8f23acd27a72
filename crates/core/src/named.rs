//! Closed sets of values that are stored and sent as fixed text (statuses,
//! kinds, roles). Each such enum derives its text and parsing with strum
//! (`IntoStaticStr` and `EnumString`); [`Named`] gives every one of them the
//! same two methods, so no enum hand-writes the pair.

use std::str::FromStr;

/// A value with a fixed text: `as_str` gives it, `parse` reads it back.
pub trait Named: Copy + Into<&'static str> + FromStr {
    /// The value's text, as stored and sent.
    fn as_str(self) -> &'static str {
        self.into()
    }

    /// The value named by `text`, if any.
    fn parse(text: &str) -> Option<Self> {
        text.parse().ok()
    }
}

impl<T: Copy + Into<&'static str> + FromStr> Named for T {}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString)]
    #[strum(serialize_all = "snake_case")]
    enum Colour {
        DeepRed,
        Blue,
    }

    #[test]
    fn text_round_trips() {
        assert_eq!(Colour::DeepRed.as_str(), "deep_red");
        assert_eq!(Colour::parse("blue"), Some(Colour::Blue));
        assert_eq!(Colour::parse("Blue"), None);
        assert_eq!(Colour::parse(""), None);
    }
}
