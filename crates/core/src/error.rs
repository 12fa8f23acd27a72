//! One way to put an error and its causes on one line, for stored errors
//! (`last_error` of jobs, mail and events) and logs.

use std::error::Error;

/// `err` and its chain of causes, joined with ": ". A cause whose text the
/// message already ends with (an error that repeats its source) is not
/// written twice.
pub fn chain(err: &dyn Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let next = cause.to_string();
        if !text.ends_with(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Leaf;
    impl std::fmt::Display for Leaf {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("connection refused")
        }
    }
    impl Error for Leaf {}

    #[derive(Debug)]
    struct Outer(Leaf, &'static str);
    impl std::fmt::Display for Outer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.1)
        }
    }
    impl Error for Outer {
        fn source(&self) -> Option<&(dyn Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn causes_are_joined_once() {
        assert_eq!(
            chain(&Outer(Leaf, "query failed")),
            "query failed: connection refused"
        );
        assert_eq!(
            chain(&Outer(Leaf, "query failed: connection refused")),
            "query failed: connection refused"
        );
        assert_eq!(chain(&Leaf), "connection refused");
    }
}
