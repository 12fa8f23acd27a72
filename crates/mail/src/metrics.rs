//! The mail counter, described once at start.

/// Delivery attempts by `kind` and `outcome` (`sent`, `retried`, `failed`).
pub const MAIL: &str = "herald_mail_total";

/// Registers the help text with the installed recorder.
pub fn describe() {
    metrics::describe_counter!(
        MAIL,
        "Mail delivery attempts by kind and outcome (sent, retried, failed)."
    );
}

pub(crate) fn count(kind: &str, outcome: &'static str) {
    metrics::counter!(MAIL, "kind" => kind.to_owned(), "outcome" => outcome).increment(1);
}
