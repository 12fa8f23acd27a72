//! What a delivery's entries mean, decided without touching storage: each
//! `changes[]` element or `messaging[]` event becomes a [`Plan`] (an item to
//! upsert, story insights, or nothing), and a run's counts become its
//! attempt's summary. Property-tested below; `process` stores the plans.

use herald_core::Timestamp;

use super::parse::{self, IgComment, IgMention, Messaging, PageFeed, RemoteId, StoryInsights};
use super::{AppliedCounts, AttemptSummary};
use herald_notify::{NoticeParam, NotificationKind};

/// An engagement item to upsert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Item {
    pub(crate) kind: ItemKind,
    pub(crate) remote_id: String,
    pub(crate) parent_id: Option<String>,
    pub(crate) media_id: Option<String>,
    pub(crate) author_id: Option<String>,
    pub(crate) author_name: Option<String>,
    /// Whether `author_name` is an Instagram username (shown as `@name`).
    pub(crate) handle: bool,
    pub(crate) text: Option<String>,
    /// Microseconds.
    pub(crate) remote_created_at: Option<i64>,
    pub(crate) removed: bool,
    /// Whether a new one is worth a notification (not for the account's
    /// own echoed messages, nor for removals).
    pub(crate) notify: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ItemKind {
    Comment,
    Mention,
    Message,
}

impl ItemKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            ItemKind::Comment => "comment",
            ItemKind::Mention => "mention",
            ItemKind::Message => "message",
        }
    }

    pub(crate) fn notification(self) -> NotificationKind {
        match self {
            ItemKind::Comment => NotificationKind::Comment,
            ItemKind::Mention => NotificationKind::Mention,
            ItemKind::Message => NotificationKind::Message,
        }
    }
}

#[derive(Debug)]
pub(super) enum Plan {
    Item(Item),
    Insights(StoryInsights),
    Ignored,
}

pub(super) fn decode<T: serde::de::DeserializeOwned>(value: &serde_json::Value) -> Option<T> {
    T::deserialize(value).ok()
}

pub(super) fn non_empty(id: Option<RemoteId>) -> Option<String> {
    id.map(|i| i.0).filter(|s| !s.is_empty())
}

/// What one `changes[]` element asks for.
pub(super) fn plan_change(
    object: &str,
    field: &str,
    value: &serde_json::Value,
    entry_time: Option<i64>,
) -> Plan {
    match (object, field) {
        ("instagram", "comments" | "live_comments") => {
            let Some(c) = decode::<IgComment>(value).filter(|c| !c.id.0.is_empty()) else {
                return Plan::Ignored;
            };
            let author = c.from.as_ref();
            Plan::Item(Item {
                kind: ItemKind::Comment,
                remote_id: c.id.0,
                parent_id: non_empty(c.parent_id),
                media_id: c.media.map(|m| m.id.0),
                author_id: author.and_then(|a| a.id.clone()).map(|i| i.0),
                author_name: author.and_then(super::parse::Author::display),
                handle: author.is_some_and(|a| a.username.is_some()),
                text: c.text,
                remote_created_at: entry_time,
                removed: false,
                notify: true,
            })
        }
        ("instagram", "mentions") => {
            let Some(m) = decode::<IgMention>(value).filter(|m| !m.media_id.0.is_empty()) else {
                return Plan::Ignored;
            };
            let comment = non_empty(m.comment_id);
            Plan::Item(Item {
                kind: ItemKind::Mention,
                // A caption mention is the media itself.
                remote_id: comment.clone().unwrap_or_else(|| m.media_id.0.clone()),
                parent_id: None,
                media_id: Some(m.media_id.0),
                author_id: None,
                author_name: None,
                handle: false,
                text: None,
                remote_created_at: entry_time,
                removed: false,
                notify: true,
            })
        }
        ("instagram", "story_insights") => match decode::<StoryInsights>(value) {
            Some(s) if !s.media_id.0.is_empty() => Plan::Insights(s),
            _ => Plan::Ignored,
        },
        ("instagram" | "page", "messages") => plan_messaging(value, ""),
        ("page", "feed") => {
            let Some(feed) = decode::<PageFeed>(value) else {
                return Plan::Ignored;
            };
            if feed.item != "comment" {
                return Plan::Ignored;
            }
            let removed = match feed.verb.as_str() {
                "add" | "edited" | "edit" => false,
                "remove" => true,
                _ => return Plan::Ignored,
            };
            let Some(comment) = non_empty(feed.comment_id) else {
                return Plan::Ignored;
            };
            let post = non_empty(feed.post_id);
            let parent = non_empty(feed.parent_id).filter(|p| Some(p) != post.as_ref());
            let author = feed.from.as_ref();
            Plan::Item(Item {
                kind: ItemKind::Comment,
                remote_id: comment,
                parent_id: parent,
                media_id: post,
                author_id: author.and_then(|a| a.id.clone()).map(|i| i.0),
                author_name: author.and_then(super::parse::Author::display),
                handle: false,
                // A removal says nothing about the text; keep the last one.
                text: if removed { None } else { feed.message },
                remote_created_at: feed.created_time.as_ref().and_then(micros).or(entry_time),
                removed,
                notify: !removed && feed.verb == "add",
            })
        }
        _ => Plan::Ignored,
    }
}

/// One `messaging[]` element (or a `messages` change) of the account
/// `account_id` (empty when unknown).
pub(super) fn plan_messaging(value: &serde_json::Value, account_id: &str) -> Plan {
    let Some(m) = decode::<Messaging>(value) else {
        return Plan::Ignored;
    };
    let Some(message) = m.message.filter(|msg| !msg.mid.0.is_empty()) else {
        // Reads, deliveries, reactions and postbacks are not messages.
        return Plan::Ignored;
    };
    let sender = m.sender.as_ref().and_then(|s| s.id.clone()).map(|i| i.0);
    let echo = message.is_echo || (!account_id.is_empty() && sender.as_deref() == Some(account_id));
    Plan::Item(Item {
        kind: ItemKind::Message,
        remote_id: message.mid.0,
        parent_id: None,
        media_id: None,
        author_id: sender,
        author_name: m.sender.as_ref().and_then(super::parse::Author::display),
        handle: m.sender.as_ref().is_some_and(|s| s.username.is_some()),
        text: message.text,
        remote_created_at: m.timestamp.as_ref().and_then(micros),
        removed: false,
        notify: !echo,
    })
}

/// An epoch time in seconds, milliseconds or microseconds (told apart by
/// size), or an RFC 3339 string, as microseconds.
pub(super) fn micros(value: &serde_json::Value) -> Option<i64> {
    if let Some(n) = parse::int(value) {
        let abs = n.unsigned_abs();
        return Some(if abs < 100_000_000_000 {
            n.checked_mul(1_000_000)?
        } else if abs < 100_000_000_000_000 {
            n.checked_mul(1_000)?
        } else {
            n
        });
    }
    value
        .as_str()
        .and_then(|s| s.parse::<Timestamp>().ok())
        .map(herald_core::Timestamp::as_microsecond)
}

#[derive(Debug, Default)]
pub(super) struct Tally {
    pub(super) comments: usize,
    pub(super) mentions: usize,
    pub(super) messages: usize,
    pub(super) insights: usize,
    pub(super) removed: usize,
    pub(super) ignored: usize,
    /// Entry ids no connected account has.
    pub(super) unrouted: Vec<String>,
}

impl Tally {
    /// The attempt's summary: these counts, with the first five entry ids
    /// no connected account has.
    pub(super) fn summary(&self) -> AttemptSummary {
        const SHOWN: usize = 5;
        let count = |n: usize| n as u64;
        AttemptSummary::Applied(AppliedCounts {
            comments: count(self.comments),
            mentions: count(self.mentions),
            messages: count(self.messages),
            insights: count(self.insights),
            removed: count(self.removed),
            ignored: count(self.ignored),
            unrouted: self.unrouted.iter().take(SHOWN).cloned().collect(),
            unrouted_more: count(self.unrouted.len().saturating_sub(SHOWN)),
        })
    }
}

/// New items of one kind for one connection, for one notification.
#[derive(Debug)]
pub(crate) struct Notice {
    pub(crate) account: String,
    pub(crate) count: usize,
    /// The first item's author (and whether that is an `@handle`) and text.
    pub(crate) author: Option<String>,
    pub(crate) handle: bool,
    pub(crate) text: Option<String>,
}

impl Notice {
    /// What the notification says, as a code with parameters.
    pub(crate) fn notice(&self, kind: NotificationKind) -> herald_notify::Notice {
        let author = self.author.clone().unwrap_or_default();
        let author_kind = match (&self.author, self.handle) {
            (None, _) => "none",
            (Some(_), true) => "handle",
            (Some(_), false) => "name",
        };
        let quote = self
            .text
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .map(|t| excerpt(t, 80));
        let quote_kind = if quote.is_some() { "some" } else { "none" };
        let quote = quote.unwrap_or_default();
        let account = || ("account", NoticeParam::from(self.account.as_str()));
        let count = || ("count", NoticeParam::from(self.count));
        match kind {
            NotificationKind::Comment => herald_notify::Notice::new(
                "comment",
                [
                    account(),
                    count(),
                    ("author", author.into()),
                    ("author_kind", author_kind.into()),
                    ("quote", quote.into()),
                    ("quote_kind", quote_kind.into()),
                ],
            ),
            NotificationKind::Message => herald_notify::Notice::new(
                "message",
                [
                    account(),
                    count(),
                    ("quote", quote.into()),
                    ("quote_kind", quote_kind.into()),
                ],
            ),
            NotificationKind::Mention => {
                herald_notify::Notice::new("mention", [account(), count()])
            }
            NotificationKind::StoryInsights => {
                herald_notify::Notice::new("story_insights", [account(), count()])
            }
            _ => herald_notify::Notice::new("news", [account(), count()]),
        }
    }
}

/// `text` cut to at most `max` characters, with an ellipsis when cut.
pub(crate) fn excerpt(text: &str, max: usize) -> String {
    let text = text.trim();
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn instagram_comments_mentions_and_insights_are_read() {
        let comment = json!({"id": "c1", "text": "Love it", "from": {"id": "u1", "username": "ana"},
            "media": {"id": "m1", "media_product_type": "FEED"}, "parent_id": "c0"});
        let Plan::Item(item) = plan_change("instagram", "comments", &comment, Some(5)) else {
            panic!()
        };
        assert_eq!(item.kind, ItemKind::Comment);
        assert_eq!(item.remote_id, "c1");
        assert_eq!(item.parent_id.as_deref(), Some("c0"));
        assert_eq!(item.media_id.as_deref(), Some("m1"));
        assert_eq!(item.author_name.as_deref(), Some("ana"));
        assert_eq!(item.remote_created_at, Some(5));
        assert!(matches!(
            plan_change("instagram", "live_comments", &comment, None),
            Plan::Item(_)
        ));
        assert!(matches!(
            plan_change("instagram", "comments", &json!({"text": "no id"}), None),
            Plan::Ignored
        ));

        let Plan::Item(caption) =
            plan_change("instagram", "mentions", &json!({"media_id": "m9"}), None)
        else {
            panic!()
        };
        assert_eq!(
            (caption.kind, caption.remote_id.as_str()),
            (ItemKind::Mention, "m9")
        );
        let Plan::Item(in_comment) = plan_change(
            "instagram",
            "mentions",
            &json!({"media_id": "m9", "comment_id": 77}),
            None,
        ) else {
            panic!()
        };
        assert_eq!(in_comment.remote_id, "77");

        let Plan::Insights(s) = plan_change(
            "instagram",
            "story_insights",
            &json!({"media_id": "s1", "impressions": 10, "reach": 8, "exits": 1}),
            None,
        ) else {
            panic!()
        };
        assert_eq!(
            (s.impressions, s.reach, s.taps_back),
            (Some(10), Some(8), None)
        );
        assert!(matches!(
            plan_change("instagram", "follows", &json!({}), None),
            Plan::Ignored
        ));
    }

    #[test]
    fn page_feed_comments_are_read_and_other_items_ignored() {
        let add = json!({"item": "comment", "verb": "add", "comment_id": "p_c", "post_id": "p_1",
            "parent_id": "p_1", "from": {"id": "9", "name": "Bo"}, "message": "hi", "created_time": 1_700_000_000});
        let Plan::Item(item) = plan_change("page", "feed", &add, None) else {
            panic!()
        };
        assert_eq!(item.media_id.as_deref(), Some("p_1"));
        assert_eq!(
            item.parent_id, None,
            "a top-level comment's parent is the post"
        );
        assert_eq!(item.author_name.as_deref(), Some("Bo"));
        assert_eq!(item.remote_created_at, Some(1_700_000_000_000_000));
        assert!(item.notify && !item.removed);
        let remove =
            json!({"item": "comment", "verb": "remove", "comment_id": "p_c", "post_id": "p_1"});
        let Plan::Item(gone) = plan_change("page", "feed", &remove, None) else {
            panic!()
        };
        assert!(gone.removed && !gone.notify);
        for other in [
            json!({"item": "status", "verb": "add", "post_id": "p_2"}),
            json!({"item": "reaction", "verb": "add"}),
            json!({"item": "comment", "verb": "hide", "comment_id": "x"}),
            json!({"item": "comment", "verb": "add"}),
        ] {
            assert!(matches!(
                plan_change("page", "feed", &other, None),
                Plan::Ignored
            ));
        }
    }

    #[test]
    fn messages_are_read_and_echoes_not_announced() {
        let m = json!({"sender": {"id": "u"}, "recipient": {"id": "acct"}, "timestamp": 1_700_000_000_123i64,
            "message": {"mid": "mid.1", "text": "hello"}});
        let Plan::Item(item) = plan_messaging(&m, "acct") else {
            panic!()
        };
        assert_eq!(
            (item.kind, item.remote_id.as_str()),
            (ItemKind::Message, "mid.1")
        );
        assert_eq!(item.remote_created_at, Some(1_700_000_000_123_000));
        assert!(item.notify);
        let echo = json!({"sender": {"id": "acct"}, "message": {"mid": "mid.2", "text": "re"}});
        let Plan::Item(echo) = plan_messaging(&echo, "acct") else {
            panic!()
        };
        assert!(!echo.notify);
        let read = json!({"sender": {"id": "u"}, "read": {"mid": "mid.1"}});
        assert!(matches!(plan_messaging(&read, "acct"), Plan::Ignored));
        assert!(matches!(
            plan_change("instagram", "messages", &m, None),
            Plan::Item(_)
        ));
    }

    #[test]
    fn summaries_count_and_show_the_first_five_unrouted_ids() {
        let mut t = Tally::default();
        assert_eq!(
            t.summary(),
            AttemptSummary::Applied(AppliedCounts::default())
        );
        t.comments = 2;
        t.mentions = 1;
        t.ignored = 3;
        t.unrouted = (1..=7).map(|i| i.to_string()).collect();
        let AttemptSummary::Applied(counts) = t.summary() else {
            panic!("applied");
        };
        assert_eq!(
            (counts.comments, counts.mentions, counts.ignored),
            (2, 1, 3)
        );
        assert_eq!(counts.unrouted, ["1", "2", "3", "4", "5"]);
        assert_eq!(counts.unrouted_more, 2);
        // Stored as a code with its counts, read back the same; words
        // stored before codes come back as they are.
        let stored = t.summary().to_stored().unwrap();
        assert!(stored.starts_with(r#"{"code":"applied""#), "{stored}");
        assert_eq!(AttemptSummary::from_stored(&stored), t.summary());
        assert_eq!(
            AttemptSummary::from_stored("2 comments"),
            AttemptSummary::Text("2 comments".to_owned())
        );
        assert_eq!(
            AttemptSummary::from_stored(&AttemptSummary::Dead.to_stored().unwrap()),
            AttemptSummary::Dead
        );
        assert_eq!(excerpt("  abcdef ", 3), "abc…");
        assert_eq!(excerpt("äöü", 3), "äöü");
    }
}

/// Property tests: whatever a change or a message holds, planning it never
/// panics, and what Meta's documented shapes carry is read back.
#[cfg(test)]
mod props {
    use proptest::prelude::*;
    use serde_json::json;

    use super::super::parse::strategies::json;
    use super::*;

    fn config() -> ProptestConfig {
        ProptestConfig {
            cases: 256,
            ..ProptestConfig::default()
        }
    }

    fn remote_id() -> impl Strategy<Value = (serde_json::Value, String)> {
        prop_oneof![
            ".{1,20}".prop_map(|s| (json!(s), s)),
            any::<u64>().prop_map(|n| (json!(n), n.to_string())),
            any::<i64>().prop_map(|n| (json!(n), n.to_string())),
        ]
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn any_change_value_is_planned_without_panicking(
            object in prop::sample::select(vec!["instagram", "page", "user", ""]),
            field in prop::sample::select(vec![
                "comments", "live_comments", "mentions", "story_insights", "messages", "feed", "x",
            ]),
            value in json(),
            entry_time in proptest::option::of(any::<i64>()),
            account in prop::sample::select(vec!["", "17841", "u1"]),
        ) {
            if let Plan::Item(item) = plan_change(object, field, &value, entry_time) {
                prop_assert!(!item.remote_id.is_empty());
            }
            let _ = plan_messaging(&value, account);
            let _ = micros(&value);
        }

        #[test]
        fn instagram_comments_are_read_back(
            (id, id_text) in remote_id(),
            text in proptest::option::of(".{0,40}"),
            username in proptest::option::of("[a-z0-9_.]{1,20}"),
            (media, media_text) in remote_id(),
            time in proptest::option::of(any::<i64>()),
        ) {
            let value = json!({"id": id, "text": text, "from": {"id": "u1", "username": username},
                "media": {"id": media}});
            let plan = plan_change("instagram", "comments", &value, time);
            let Plan::Item(item) = plan else {
                return Err(TestCaseError::fail(format!("not an item: {plan:?}")));
            };
            prop_assert_eq!(item.kind, ItemKind::Comment);
            prop_assert_eq!(item.remote_id, id_text);
            prop_assert_eq!(item.text, text);
            prop_assert_eq!(item.media_id, Some(media_text));
            prop_assert_eq!(item.author_name, username.clone());
            prop_assert_eq!(item.handle, username.is_some());
            prop_assert_eq!(item.remote_created_at, time);
        }

        #[test]
        fn page_feed_comments_are_read_back(
            comment in "[0-9_]{1,24}",
            post in "[0-9_]{1,24}",
            verb in prop::sample::select(vec!["add", "edited", "remove", "hide"]),
            message in ".{0,40}",
            created in 0i64..100_000_000_000,
        ) {
            let value = json!({"item": "comment", "verb": verb, "comment_id": comment,
                "post_id": post, "parent_id": post, "message": message, "created_time": created});
            match (verb, plan_change("page", "feed", &value, None)) {
                ("hide", Plan::Ignored) => {}
                (_, Plan::Item(item)) => {
                    prop_assert_eq!(item.remote_id, comment);
                    prop_assert_eq!(item.media_id, Some(post));
                    prop_assert_eq!(item.parent_id, None, "a reply to the post itself");
                    prop_assert_eq!(item.removed, verb == "remove");
                    prop_assert_eq!(item.text, (verb != "remove").then_some(message));
                    prop_assert_eq!(item.remote_created_at, Some(created * 1_000_000));
                    prop_assert_eq!(item.notify, verb == "add");
                }
                (verb, plan) => {
                    return Err(TestCaseError::fail(format!("{verb}: {plan:?}")));
                }
            }
        }

        #[test]
        fn messages_are_read_back_and_echoes_do_not_notify(
            mid in ".{1,24}",
            sender in "[0-9]{1,12}",
            text in proptest::option::of(".{0,40}"),
            echo in any::<bool>(),
            ms in 0i64..100_000_000_000_000,
        ) {
            let value = json!({"sender": {"id": sender}, "timestamp": ms,
                "message": {"mid": mid, "text": text, "is_echo": echo}});
            let Plan::Item(item) = plan_messaging(&value, "acct") else {
                return Err(TestCaseError::fail("not an item"));
            };
            prop_assert_eq!(item.kind, ItemKind::Message);
            prop_assert_eq!(item.remote_id, mid);
            prop_assert_eq!(item.text, text);
            prop_assert_eq!(item.notify, !echo);
            prop_assert!(item.remote_created_at.is_some());
        }

        #[test]
        fn epoch_numbers_become_microseconds_by_magnitude(n in any::<i64>()) {
            let got = micros(&json!(n));
            let abs = n.unsigned_abs();
            let expected = if abs < 100_000_000_000 {
                n.checked_mul(1_000_000)
            } else if abs < 100_000_000_000_000 {
                n.checked_mul(1_000)
            } else {
                Some(n)
            };
            prop_assert_eq!(got, expected);
            prop_assert_eq!(micros(&json!(n.to_string())), expected);
        }

        #[test]
        fn excerpts_never_panic_and_keep_at_most_max_characters(
            text in ".{0,300}",
            max in 0usize..200,
        ) {
            let cut = excerpt(&text, max);
            let trimmed = text.trim();
            if trimmed.chars().count() <= max {
                prop_assert_eq!(cut, trimmed);
            } else {
                prop_assert_eq!(cut.chars().count(), max + 1);
                prop_assert!(cut.ends_with('…'));
                prop_assert!(trimmed.starts_with(cut.trim_end_matches('…')));
            }
        }
    }
}
