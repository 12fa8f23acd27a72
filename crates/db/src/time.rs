//! Time as stored: every timestamp column is a `BIGINT` of UTC microseconds
//! since the Unix epoch, so comparisons and ordering are identical on both
//! engines. [`DbTime`] is that column's type: rows decode into it and
//! queries bind it, so no repository converts by hand.

use herald_core::Timestamp;
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Database, Decode, Encode, Type};

/// A timestamp column's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DbTime(pub Timestamp);

impl DbTime {
    /// UTC microseconds since the Unix epoch, as stored.
    pub fn micros(self) -> i64 {
        self.0.as_microsecond()
    }

    /// A stored microsecond value. Values outside jiff's range (which no
    /// code writes) are clamped rather than failing a whole read.
    pub fn from_micros(micros: i64) -> DbTime {
        DbTime(
            Timestamp::from_microsecond(micros).unwrap_or(if micros < 0 {
                Timestamp::MIN
            } else {
                Timestamp::MAX
            }),
        )
    }
}

impl From<Timestamp> for DbTime {
    fn from(ts: Timestamp) -> DbTime {
        DbTime(ts)
    }
}

impl From<DbTime> for Timestamp {
    fn from(t: DbTime) -> Timestamp {
        t.0
    }
}

impl<DB: Database> Type<DB> for DbTime
where
    i64: Type<DB>,
{
    fn type_info() -> DB::TypeInfo {
        <i64 as Type<DB>>::type_info()
    }

    fn compatible(ty: &DB::TypeInfo) -> bool {
        <i64 as Type<DB>>::compatible(ty)
    }
}

impl<'q, DB: Database> Encode<'q, DB> for DbTime
where
    i64: Encode<'q, DB>,
{
    fn encode_by_ref(&self, buf: &mut DB::ArgumentBuffer) -> Result<IsNull, BoxDynError> {
        self.micros().encode(buf)
    }
}

impl<'r, DB: Database> Decode<'r, DB> for DbTime
where
    i64: Decode<'r, DB>,
{
    fn decode(value: DB::ValueRef<'r>) -> Result<Self, BoxDynError> {
        <i64 as Decode<'r, DB>>::decode(value).map(DbTime::from_micros)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_round_trip_through_microseconds() {
        let ts = Timestamp::from_microsecond(1_763_820_000_123_456).unwrap();
        assert_eq!(DbTime::from_micros(DbTime(ts).micros()).0, ts);
    }

    #[test]
    fn out_of_range_values_are_clamped() {
        assert_eq!(DbTime::from_micros(i64::MAX).0, Timestamp::MAX);
        assert_eq!(DbTime::from_micros(i64::MIN).0, Timestamp::MIN);
    }
}
