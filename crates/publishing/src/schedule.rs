//! When a post goes out: a wall-clock time in an IANA time zone, resolved
//! to an instant. The wall-clock time and the zone are what is stored, so
//! 09:00 Europe/Berlin means 09:00 in Berlin in winter and in summer.

use herald_core::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::{Disambiguation, TimeZone};
use serde::{Deserialize, Serialize};

use crate::PublishError;

/// A wall-clock time in a time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Schedule {
    /// `2026-03-29T09:00` (seconds optional).
    pub local: String,
    /// An IANA zone name, e.g. `Europe/Berlin`.
    pub time_zone: String,
}

impl Schedule {
    pub fn new(local: impl Into<String>, time_zone: impl Into<String>) -> Schedule {
        Schedule {
            local: local.into(),
            time_zone: time_zone.into(),
        }
    }

    /// The instant this wall-clock time names. A time that does not exist
    /// (skipped by a spring-forward gap) moves forward by the gap; a time
    /// that exists twice (autumn fold) is the first of the two.
    pub fn resolve(&self) -> Result<Timestamp, PublishError> {
        let tz = time_zone(&self.time_zone)?;
        let local: DateTime = self
            .local
            .trim()
            .parse()
            .map_err(|_| PublishError::InvalidTime(self.local.clone()))?;
        let zoned = tz
            .to_ambiguous_zoned(local)
            .disambiguate(Disambiguation::Compatible)
            .map_err(|_| PublishError::InvalidTime(self.local.clone()))?;
        Ok(zoned.timestamp())
    }

    /// The canonical form (`2026-03-29T09:00:00`), as stored.
    pub fn normalized(&self) -> Result<Schedule, PublishError> {
        let local: DateTime = self
            .local
            .trim()
            .parse()
            .map_err(|_| PublishError::InvalidTime(self.local.clone()))?;
        time_zone(&self.time_zone)?;
        Ok(Schedule {
            local: local.strftime("%Y-%m-%dT%H:%M:%S").to_string(),
            time_zone: self.time_zone.trim().to_owned(),
        })
    }
}

/// Looks an IANA zone up in the bundled database.
pub fn time_zone(name: &str) -> Result<TimeZone, PublishError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(PublishError::UnknownTimeZone(name.to_owned()));
    }
    TimeZone::get(name).map_err(|_| PublishError::UnknownTimeZone(name.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn nine_in_berlin_stays_nine_across_the_spring_change() {
        // Clocks go forward on 2026-03-29.
        let before = Schedule::new("2026-03-28T09:00", "Europe/Berlin");
        let after = Schedule::new("2026-03-30T09:00", "Europe/Berlin");
        assert_eq!(before.resolve().unwrap(), at("2026-03-28T08:00:00Z"));
        assert_eq!(after.resolve().unwrap(), at("2026-03-30T07:00:00Z"));
    }

    #[test]
    fn nine_in_berlin_stays_nine_across_the_autumn_change() {
        // Clocks go back on 2026-10-25.
        let before = Schedule::new("2026-10-24T09:00", "Europe/Berlin");
        let after = Schedule::new("2026-10-26T09:00", "Europe/Berlin");
        assert_eq!(before.resolve().unwrap(), at("2026-10-24T07:00:00Z"));
        assert_eq!(after.resolve().unwrap(), at("2026-10-26T08:00:00Z"));
    }

    #[test]
    fn a_skipped_time_moves_forward_and_a_repeated_one_takes_the_first() {
        let gap = Schedule::new("2026-03-29T02:30", "Europe/Berlin");
        assert_eq!(gap.resolve().unwrap(), at("2026-03-29T01:30:00Z"));
        let fold = Schedule::new("2026-10-25T02:30", "Europe/Berlin");
        assert_eq!(fold.resolve().unwrap(), at("2026-10-25T00:30:00Z"));
    }

    #[test]
    fn zones_other_than_europe_work_too() {
        let s = Schedule::new("2026-07-01T18:30", "America/New_York");
        assert_eq!(s.resolve().unwrap(), at("2026-07-01T22:30:00Z"));
        let s = Schedule::new("2026-07-01T18:30", "Asia/Kolkata");
        assert_eq!(s.resolve().unwrap(), at("2026-07-01T13:00:00Z"));
    }

    #[test]
    fn bad_zones_and_times_are_named() {
        let e = Schedule::new("2026-07-01T18:30", "Mars/Olympus").resolve();
        assert!(matches!(e, Err(PublishError::UnknownTimeZone(z)) if z == "Mars/Olympus"));
        let e = Schedule::new("tomorrow", "UTC").resolve();
        assert!(matches!(e, Err(PublishError::InvalidTime(_))));
        let e = Schedule::new("2026-02-30T10:00", "UTC").resolve();
        assert!(matches!(e, Err(PublishError::InvalidTime(_))));
    }

    #[test]
    fn normalized_keeps_seconds_and_trims() {
        let s = Schedule::new(" 2026-07-01T18:30 ", " UTC ")
            .normalized()
            .unwrap();
        assert_eq!(s, Schedule::new("2026-07-01T18:30:00", "UTC"));
    }
}
