//! Shared test helpers.

use std::sync::Arc;

use herald_core::{ManualClock, Timestamp};
use herald_jobs::Queue;
use herald_mail::NewMail;

pub const FROM: &str = "Herald <no-reply@example.com>";

pub fn t0() -> Timestamp {
    Timestamp::from_second(1_800_000_000).unwrap()
}

pub fn manual_queue(db: &herald_db::Db) -> (Queue, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(t0()));
    (Queue::new(db.clone(), clock.clone()), clock)
}

/// A verification mail like the accounts feature sends, with LF line ends
/// and a line starting with a dot (dot-stuffing).
pub fn verify_mail(to: &str) -> NewMail {
    NewMail {
        kind: "verify_email",
        to: to.to_owned(),
        subject: "Confirm your address".to_owned(),
        text: "Hello,\n\nconfirm your address:\nhttps://herald.example/verify?token=abc123\n.a line with a leading dot\n".to_owned(),
        html: "<p>Hello,</p>\n<p><a href=\"https://herald.example/verify?token=abc123\">Confirm your address</a></p>\n".to_owned(),
    }
}
