//! Typed ids for every entity more than one crate talks about.
//!
//! An id is a newtype, so a workspace id can never be passed where a user id
//! is expected, and a stored value is decoded straight into its type. With
//! the `sqlx` feature (enabled by the crates that hold storage code) each id
//! encodes and decodes on SQLite and PostgreSQL as the column it is stored
//! in: a `BIGINT` for numbered rows, `TEXT` for the others. The domain code
//! that uses the ids never sees that.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An id given by the database: a `BIGINT` identity column.
macro_rules! number_id {
    ($($(#[$meta:meta])* $name:ident;)*) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(transparent))]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }

        impl FromStr for $name {
            type Err = std::num::ParseIntError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map($name)
            }
        }
    )*};
}

/// An id Herald makes itself and stores as `TEXT` (a UUID or a prefixed
/// random value); opaque to everything but its maker.
macro_rules! text_id {
    ($($(#[$meta:meta])* $name:ident;)*) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "sqlx", derive(sqlx::Type), sqlx(transparent))]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(transparent)]
        pub struct $name(pub String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                $name(s)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name(s.to_owned())
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    )*};
}

number_id! {
    /// A person with a Herald account.
    UserId;
    /// A workspace: the unit of ownership and membership.
    WorkspaceId;
    /// A device (browser, app, assistant) a person signed in on.
    DeviceId;
    /// A webhook delivery received from a platform.
    DeliveryId;
    /// A scoped access token (personal, app or assistant) of a workspace.
    TokenId;
    /// A content template, of the shipped catalog or a workspace's copy.
    TemplateId;
    /// A workspace's content pillar.
    PillarId;
    /// A request to write a draft (with AI or the offline engine).
    GenerationId;
    /// A draft in the content studio, with its versions.
    DraftId;
}

text_id! {
    /// A post (UUID v7 text).
    PostId;
    /// One account a post goes to (UUID v7 text).
    TargetId;
    /// A connected social account (UUID v7 text).
    ConnectionId;
    /// An outbound webhook endpoint (`ep_` and 32 hex digits).
    EndpointId;
}

/// A media file's id: a UUID v7, so ids sort by creation time. Stored as
/// its hyphenated text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(
    feature = "openapi",
    derive(utoipa::ToSchema),
    schema(value_type = String, format = "uuid")
)]
#[serde(transparent)]
pub struct MediaId(pub uuid::Uuid);

impl MediaId {
    pub fn new() -> MediaId {
        MediaId(uuid::Uuid::now_v7())
    }

    /// The id in `s`, if it is one (anything else names no media).
    pub fn parse(s: &str) -> Option<MediaId> {
        uuid::Uuid::try_parse(s).ok().map(MediaId)
    }
}

impl Default for MediaId {
    fn default() -> Self {
        MediaId::new()
    }
}

impl fmt::Display for MediaId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

#[cfg(feature = "sqlx")]
mod sql {
    use sqlx::encode::IsNull;
    use sqlx::error::BoxDynError;
    use sqlx::{Database, Decode, Encode, Type};

    use super::MediaId;

    impl<DB: Database> Type<DB> for MediaId
    where
        String: Type<DB>,
    {
        fn type_info() -> DB::TypeInfo {
            <String as Type<DB>>::type_info()
        }

        fn compatible(ty: &DB::TypeInfo) -> bool {
            <String as Type<DB>>::compatible(ty)
        }
    }

    impl<'q, DB: Database> Encode<'q, DB> for MediaId
    where
        String: Encode<'q, DB>,
    {
        fn encode_by_ref(&self, buf: &mut DB::ArgumentBuffer) -> Result<IsNull, BoxDynError> {
            self.to_string().encode(buf)
        }
    }

    impl<'r, DB: Database> Decode<'r, DB> for MediaId
    where
        String: Decode<'r, DB>,
    {
        fn decode(value: DB::ValueRef<'r>) -> Result<Self, BoxDynError> {
            let text = <String as Decode<'r, DB>>::decode(value)?;
            MediaId::parse(&text).ok_or_else(|| format!("not a media id: {text:?}").into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_show_and_parse_as_their_value() {
        assert_eq!(UserId(42).to_string(), "42");
        assert_eq!("42".parse::<WorkspaceId>().unwrap(), WorkspaceId(42));
        assert!("x".parse::<WorkspaceId>().is_err());
        assert_eq!(PostId::from("p1").as_str(), "p1");
        let media = MediaId::new();
        assert_eq!(MediaId::parse(&media.to_string()), Some(media));
        assert_eq!(MediaId::parse("not-a-uuid"), None);
    }

    #[test]
    fn ids_serialise_as_bare_values() {
        assert_eq!(serde_json::to_string(&UserId(7)).unwrap(), "7");
        assert_eq!(
            serde_json::to_string(&ConnectionId::from("c")).unwrap(),
            "\"c\""
        );
    }
}
