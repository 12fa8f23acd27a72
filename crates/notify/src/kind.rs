//! What a member can be told about, through which channels, and who is
//! told by default.

/// The kinds of notifications.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[strum(serialize_all = "snake_case")]
pub enum NotificationKind {
    /// A post could not be published on a platform.
    PostFailed,
    /// A platform did not confirm whether a post went out.
    PostUnconfirmed,
    /// A connected account has to be connected again.
    ConnectionReconnect,
    /// A connected account's access ends soon and only the person can
    /// renew it.
    ConnectionExpiring,
    /// Someone removed Herald's access on Facebook or Instagram.
    ConnectionRevoked,
    /// A Meta delivery failed every attempt.
    DeliveryDead,
    /// An outbound endpoint was disabled or exhausted its retries.
    EndpointFailing,
    /// A post waits for one's approval, one's post was decided on, or a
    /// post was held because its time came before approval.
    Approval,
    /// A teammate mentioned one in a comment on a post.
    PostMention,
    /// A new comment on a connected account's post.
    Comment,
    /// The account was mentioned.
    Mention,
    /// A direct message.
    Message,
    /// Story insights arrived.
    StoryInsights,
    /// The weekly digest.
    Digest,
    /// An account's metric jumped or dropped far from its usual range.
    AnalyticsAnomaly,
}

/// Where a notification reaches a member. (The workspace's outbound
/// webhooks get every notification as an event; endpoints choose by event
/// type, not per member.)
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[strum(serialize_all = "snake_case")]
pub enum Channel {
    InApp,
    Email,
}

impl Channel {
    pub const ALL: [Channel; 2] = [Channel::InApp, Channel::Email];
}

impl NotificationKind {
    pub const ALL: [NotificationKind; 15] = [
        NotificationKind::PostFailed,
        NotificationKind::PostUnconfirmed,
        NotificationKind::ConnectionReconnect,
        NotificationKind::ConnectionExpiring,
        NotificationKind::ConnectionRevoked,
        NotificationKind::DeliveryDead,
        NotificationKind::EndpointFailing,
        NotificationKind::Approval,
        NotificationKind::PostMention,
        NotificationKind::Comment,
        NotificationKind::Mention,
        NotificationKind::Message,
        NotificationKind::StoryInsights,
        NotificationKind::Digest,
        NotificationKind::AnalyticsAnomaly,
    ];

    /// Whether a member gets it on `channel` before they choose: in the
    /// app, everything but story insights; by mail, what needs someone to
    /// act (failures, lost access, approvals, mentions) and the digest, not
    /// the stream of comments and messages (the inbox holds those) nor
    /// analytics' anomalies (news to look at, nothing broken).
    pub fn default_on(self, channel: Channel) -> bool {
        use NotificationKind as K;
        match channel {
            Channel::InApp => !matches!(self, K::StoryInsights),
            Channel::Email => matches!(
                self,
                K::PostFailed
                    | K::PostUnconfirmed
                    | K::ConnectionReconnect
                    | K::ConnectionExpiring
                    | K::ConnectionRevoked
                    | K::EndpointFailing
                    | K::Approval
                    | K::PostMention
                    | K::Digest
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use herald_core::Named;

    #[test]
    fn every_kind_has_a_name_that_reads_back() {
        for kind in NotificationKind::ALL {
            assert_eq!(NotificationKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(NotificationKind::PostFailed.as_str(), "post_failed");
        assert_eq!(Channel::InApp.as_str(), "in_app");
    }

    #[test]
    fn mail_is_on_by_default_only_for_what_needs_someone() {
        assert!(NotificationKind::PostFailed.default_on(Channel::Email));
        assert!(NotificationKind::Digest.default_on(Channel::Email));
        assert!(!NotificationKind::Comment.default_on(Channel::Email));
        assert!(NotificationKind::Comment.default_on(Channel::InApp));
        assert!(!NotificationKind::StoryInsights.default_on(Channel::InApp));
        assert!(NotificationKind::AnalyticsAnomaly.default_on(Channel::InApp));
        assert!(!NotificationKind::AnalyticsAnomaly.default_on(Channel::Email));
    }
}
