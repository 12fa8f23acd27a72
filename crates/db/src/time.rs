//! Conversions between [`Timestamp`] and the `BIGINT` microsecond columns.

use herald_core::Timestamp;

/// A timestamp as stored: UTC microseconds since the Unix epoch.
pub fn to_db(ts: Timestamp) -> i64 {
    ts.as_microsecond()
}

/// A stored microsecond value back as a timestamp. Values outside jiff's
/// range (which no code writes) are clamped rather than failing a whole read.
pub fn from_db(micros: i64) -> Timestamp {
    Timestamp::from_microsecond(micros).unwrap_or(if micros < 0 {
        Timestamp::MIN
    } else {
        Timestamp::MAX
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_through_microseconds() {
        let ts = Timestamp::from_microsecond(1_763_820_000_123_456).unwrap();
        assert_eq!(from_db(to_db(ts)), ts);
    }
}
