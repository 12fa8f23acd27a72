//! A YouTube channel's videos and audience, for the Data API's
//! statistics (`channels.list`, `videos.list`, `playlistItems.list`) and the
//! Analytics API's reports.
//!
//! A sandbox channel has a seeded history (a video every 3–5 days since
//! 2025-01-01, see [`crate::video_insights`]) plus every video uploaded to
//! it through the simulator. Days are Pacific days (UTC−8, daylight saving
//! ignored, as for the quota): YouTube reports in Pacific time. Figures are
//! a pure function of the channel (or video) and the day. A public video
//! reaches its whole audience, an unlisted one 15 %, a private one nobody
//! until its `publishAt` (then it counts as public from that day).
//!
//! Reports end at the last day whose figures are complete: two or three
//! days before today, depending on the day.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::meters::pacific_day;
use crate::seed::{YouTubeChannel, google_time, google_user};
use crate::state::State;
use crate::video_insights::{
    Audience, Kind, Lifetime, Timeline, VideoModel, date_of, id_chars, seed, seeded_title, unit,
};
use crate::{Platform, Sandbox};

const ID_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/// The salt of the daily draw of the reporting lag.
const LAG: u64 = 7;

/// One video of a channel.
#[derive(Debug, Clone)]
pub(crate) struct ChannelVideo {
    pub id: String,
    pub title: String,
    pub description: String,
    pub published_at: Timestamp,
    pub privacy: String,
    pub model: VideoModel,
    /// Public now (a scheduled video once its `publishAt` passed).
    pub public: bool,
}

/// A channel's audience and videos as of one Pacific day.
pub(crate) struct Catalog {
    pub channel: YouTubeChannel,
    /// The sandbox user who owns it.
    pub user: String,
    pub audience: Audience,
    pub timeline: Timeline,
    /// Today's Pacific day.
    pub today: i64,
    /// Newest first.
    pub videos: Vec<ChannelVideo>,
}

/// One day's channel (or video) totals, before averaging.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Totals {
    pub figures: Lifetime,
    /// Σ views × duration: what full views would have watched.
    pub full_secs: i64,
    pub subscribers_gained: i64,
    pub subscribers_lost: i64,
}

impl Totals {
    fn add(&mut self, figures: Lifetime, duration: u32) {
        self.figures = self.figures.plus(figures);
        self.full_secs += figures.views * i64::from(duration);
    }

    pub fn minutes(&self) -> i64 {
        self.figures.watch_secs / 60
    }

    /// Seconds watched per view, rounded.
    pub fn average_view_duration(&self) -> i64 {
        if self.figures.views == 0 {
            0
        } else {
            (self.figures.watch_secs as f64 / self.figures.views as f64).round() as i64
        }
    }

    /// Percent of each video watched per view, two decimals.
    pub fn average_view_percentage(&self) -> f64 {
        if self.full_secs == 0 {
            0.0
        } else {
            (10_000.0 * self.figures.watch_secs as f64 / self.full_secs as f64).round() / 100.0
        }
    }
}

/// How much of a public video's audience a privacy status reaches, and
/// from which day, for a video uploaded at `uploaded_at`.
fn reach(
    privacy: &str,
    publish_at: Option<Timestamp>,
    uploaded_at: Timestamp,
    now: Timestamp,
) -> (f64, Timestamp) {
    match (privacy, publish_at) {
        ("public", _) => (1.0, uploaded_at),
        ("unlisted", _) => (0.15, uploaded_at),
        ("private", Some(at)) if at <= now => (1.0, at),
        _ => (0.0, uploaded_at),
    }
}

impl Catalog {
    /// The catalog of `channel` (owned by sandbox user `user`) at `now`.
    pub fn new(st: &State, user: &str, channel: YouTubeChannel, now: Timestamp) -> Self {
        let audience = Audience::new(seed("youtube", &channel.id), channel.subscriber_count);
        let today = pacific_day(now);
        let timeline = Timeline::new(&audience, today);
        let first = channel.title.split(' ').next().unwrap_or("").to_owned();
        let mut videos: Vec<ChannelVideo> = audience
            .schedule(now)
            .into_iter()
            .map(|slot| {
                let video_seed = seed("youtube.video", &format!("{}/{}", channel.id, slot.index));
                let title = seeded_title(video_seed, &channel.title, slot.index);
                ChannelVideo {
                    id: id_chars(video_seed, ID_ALPHABET, 11),
                    description: format!("{title} — a sandbox video of {first}'s channel."),
                    title,
                    published_at: slot.at,
                    privacy: "public".into(),
                    model: VideoModel::new(
                        Kind::YouTube,
                        video_seed,
                        pacific_day(slot.at),
                        audience.base(),
                        1.0,
                        None,
                    ),
                    public: true,
                }
            })
            .collect();
        for upload in st.youtube_uploads().channel_videos(&channel.id, now) {
            let (share, from) = reach(&upload.privacy, upload.publish_at, upload.uploaded_at, now);
            // Not decoded: the duration is derived from the size.
            let duration = (upload.size / 250_000).clamp(1, 43_200) as u32;
            videos.push(ChannelVideo {
                model: VideoModel::new(
                    Kind::YouTube,
                    seed("youtube.video", &upload.id),
                    pacific_day(from),
                    audience.base(),
                    share,
                    Some(duration),
                ),
                id: upload.id,
                title: upload.title,
                description: upload.description,
                published_at: upload.uploaded_at,
                privacy: upload.privacy,
                public: share >= 1.0,
            });
        }
        videos.sort_by(|a, b| {
            b.published_at
                .cmp(&a.published_at)
                .then_with(|| b.id.cmp(&a.id))
        });
        Catalog {
            channel,
            user: user.to_owned(),
            audience,
            timeline,
            today,
            videos,
        }
    }

    /// The catalog of the channel `channel_id` of any sandbox user who
    /// signed in with Google.
    pub fn of_channel(st: &State, base: &str, channel_id: &str, now: Timestamp) -> Option<Self> {
        st.users(Platform::Google).find_map(|user| {
            google_user(user, base)
                .channels
                .into_iter()
                .find(|c| c.id == channel_id)
                .map(|c| Catalog::new(st, user, c, now))
        })
    }

    /// The catalog of the channel whose uploads playlist is `playlist_id`.
    pub fn of_uploads(st: &State, base: &str, playlist_id: &str, now: Timestamp) -> Option<Self> {
        st.users(Platform::Google).find_map(|user| {
            google_user(user, base)
                .channels
                .into_iter()
                .find(|c| c.uploads == playlist_id)
                .map(|c| Catalog::new(st, user, c, now))
        })
    }

    /// The catalogs of every channel of every sandbox user who signed in
    /// with Google.
    pub fn all(st: &State, base: &str, now: Timestamp) -> Vec<Self> {
        st.users(Platform::Google)
            .flat_map(|user| {
                google_user(user, base)
                    .channels
                    .into_iter()
                    .map(move |c| (user, c))
            })
            .map(|(user, c)| Catalog::new(st, user, c, now))
            .collect()
    }

    /// A video's lifetime figures today.
    pub fn lifetime(&self, video: &ChannelVideo) -> Lifetime {
        video.model.lifetime(&self.timeline, self.today)
    }

    /// Subscribers today, exactly (the API shows them rounded).
    pub fn subscribers(&self) -> i64 {
        self.audience.followers(self.today)
    }

    /// Views of every video, the history before the seeded one included.
    pub fn view_count(&self) -> i64 {
        self.channel.view_count as i64
            + self
                .videos
                .iter()
                .map(|v| self.lifetime(v).views)
                .sum::<i64>()
    }

    /// Public videos (what `videoCount` counts).
    pub fn public_videos(&self) -> i64 {
        self.videos.iter().filter(|v| v.public).count() as i64
    }

    /// The last day whose figures are complete: two or three days ago.
    pub fn last_reported(&self) -> i64 {
        let lag = if unit(self.audience.seed(), self.today, LAG) < 0.5 {
            2
        } else {
            3
        };
        self.today - lag
    }

    /// The first day the channel existed.
    pub fn first_day(&self) -> i64 {
        self.channel
            .published_at
            .parse::<Timestamp>()
            .map_or(crate::video_insights::HISTORY_START, pacific_day)
    }

    /// The channel's figures on `day`, over `videos` (None: all of them);
    /// subscribers only for the whole channel.
    pub fn day_totals(&self, day: i64, videos: Option<&[&str]>) -> Totals {
        let mut totals = Totals::default();
        for video in self.videos.iter().filter(|v| v.model.day <= day) {
            if videos.is_some_and(|ids| !ids.contains(&video.id.as_str())) {
                continue;
            }
            totals.add(
                video.model.on(&self.timeline, day),
                video.model.duration_secs,
            );
        }
        if videos.is_none() {
            totals.subscribers_gained = self.audience.gained(day);
            totals.subscribers_lost = self.audience.lost(day);
        } else {
            let (gained, lost) = attributed(&totals);
            totals.subscribers_gained = gained;
            totals.subscribers_lost = lost;
        }
        totals
    }

    /// A video's figures from `from` through `to`.
    pub fn video_totals(&self, video: &ChannelVideo, from: i64, to: i64) -> Totals {
        let mut totals = Totals::default();
        if to >= from {
            let figures = video
                .model
                .lifetime(&self.timeline, to)
                .minus(video.model.lifetime(&self.timeline, from - 1));
            totals.add(figures, video.model.duration_secs);
        }
        let (gained, lost) = attributed(&totals);
        totals.subscribers_gained = gained;
        totals.subscribers_lost = lost;
        totals
    }
}

/// Subscribers a set of videos brought and lost: a plausible share of their
/// views, not a split of the channel's own figures.
fn attributed(totals: &Totals) -> (i64, i64) {
    let gained = totals.figures.views / 150;
    (gained, gained / 10)
}

/// Rounds down to three significant figures, as YouTube shows subscriber
/// counts.
pub(crate) fn three_significant(n: i64) -> i64 {
    let mut scale = 1;
    while n / scale >= 1_000 {
        scale *= 10;
    }
    n / scale * scale
}

/// A seeded video's resource with the requested parts.
pub(crate) fn seeded_video_json(
    catalog: &Catalog,
    video: &ChannelVideo,
    parts: &[String],
) -> Value {
    let id = &video.id;
    let mut item = Map::new();
    item.insert("kind".into(), json!("youtube#video"));
    item.insert(
        "etag".into(),
        json!(super::upload::etag(&format!("seeded/{id}"))),
    );
    item.insert("id".into(), json!(id));
    for part in parts {
        let value = match part.as_str() {
            "snippet" => {
                let thumb = |name: &str, w: u32, h: u32| json!({"url": format!("https://i.ytimg.com/vi/{id}/{name}.jpg"), "width": w, "height": h});
                json!({
                    "publishedAt": google_time(video.published_at),
                    "channelId": catalog.channel.id,
                    "title": video.title,
                    "description": video.description,
                    "thumbnails": {
                        "default": thumb("default", 120, 90),
                        "medium": thumb("mqdefault", 320, 180),
                        "high": thumb("hqdefault", 480, 360),
                    },
                    "channelTitle": catalog.channel.title,
                    "categoryId": "22",
                    "liveBroadcastContent": "none",
                    "localized": {"title": video.title, "description": video.description},
                })
            }
            "status" => json!({
                "uploadStatus": "processed",
                "privacyStatus": "public",
                "license": "youtube",
                "embeddable": true,
                "publicStatsViewable": true,
                "madeForKids": false,
            }),
            "processingDetails" => json!({"processingStatus": "succeeded"}),
            "statistics" => statistics_json(catalog.lifetime(video)),
            "contentDetails" => content_details_json(video.model.duration_secs),
            _ => continue,
        };
        item.insert(part.clone(), value);
    }
    Value::Object(item)
}

/// A video's `statistics`: counts as strings, no dislikes.
pub(crate) fn statistics_json(figures: Lifetime) -> Value {
    json!({
        "viewCount": figures.views.to_string(),
        "likeCount": figures.likes.to_string(),
        "favoriteCount": "0",
        "commentCount": figures.comments.to_string(),
    })
}

pub(crate) fn content_details_json(duration_secs: u32) -> Value {
    json!({
        "duration": format!("PT{}M{}S", duration_secs / 60, duration_secs % 60),
        "dimension": "2d",
        "definition": "hd",
        "caption": "false",
        "licensedContent": false,
        "projection": "rectangular",
    })
}

// ------------------------------------------------------------ what tests see

/// A YouTube video's lifetime figures today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YouTubeVideo {
    pub id: String,
    pub title: String,
    pub published_at: Timestamp,
    pub privacy_status: String,
    pub duration_secs: u32,
    pub view_count: i64,
    pub like_count: i64,
    pub comment_count: i64,
    pub share_count: i64,
    pub watch_secs: i64,
}

/// What the Data API says about a channel today (the Pacific day).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct YouTubeFigures {
    pub channel_id: String,
    /// Exact; `channels.list` shows it rounded down to three significant
    /// figures.
    pub subscribers: i64,
    pub subscriber_count: i64,
    pub view_count: i64,
    pub video_count: i64,
    /// The last day YouTube Analytics reports have figures for.
    pub last_reported_day: Date,
    /// Newest first.
    pub videos: Vec<YouTubeVideo>,
}

/// One row of a YouTube Analytics channel report by day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct YouTubeDay {
    pub day: Date,
    pub views: i64,
    pub estimated_minutes_watched: i64,
    pub average_view_duration: i64,
    pub average_view_percentage: f64,
    pub likes: i64,
    pub comments: i64,
    pub shares: i64,
    pub subscribers_gained: i64,
    pub subscribers_lost: i64,
    /// Subscribers at the end of the day, exactly.
    pub subscribers: i64,
}

impl Sandbox {
    /// What YouTube's Data API reports today for channel `channel_id` of a
    /// sandbox user who signed in; None for any other id.
    pub fn youtube_figures(&self, channel_id: &str) -> Option<YouTubeFigures> {
        let now = self.now();
        let base = self.config().public_base.clone();
        self.read(|st| {
            let catalog = Catalog::of_channel(st, &base, channel_id, now)?;
            let videos = catalog
                .videos
                .iter()
                .map(|v| {
                    let life = catalog.lifetime(v);
                    YouTubeVideo {
                        id: v.id.clone(),
                        title: v.title.clone(),
                        published_at: v.published_at,
                        privacy_status: v.privacy.clone(),
                        duration_secs: v.model.duration_secs,
                        view_count: life.views,
                        like_count: life.likes,
                        comment_count: life.comments,
                        share_count: life.shares,
                        watch_secs: life.watch_secs,
                    }
                })
                .collect();
            let subscribers = catalog.subscribers();
            Some(YouTubeFigures {
                channel_id: channel_id.to_owned(),
                subscribers,
                subscriber_count: three_significant(subscribers),
                view_count: catalog.view_count(),
                video_count: catalog.public_videos(),
                last_reported_day: date_of(catalog.last_reported()),
                videos,
            })
        })
    }

    /// The YouTube Analytics figures of channel `channel_id` on `day`, as a
    /// report by day shows them once the day is reported.
    pub fn youtube_day(&self, channel_id: &str, day: Date) -> Option<YouTubeDay> {
        let now = self.now();
        let base = self.config().public_base.clone();
        self.read(|st| {
            let catalog = Catalog::of_channel(st, &base, channel_id, now)?;
            let n = crate::video_insights::day_of(day);
            let t = catalog.day_totals(n, None);
            Some(YouTubeDay {
                day,
                views: t.figures.views,
                estimated_minutes_watched: t.minutes(),
                average_view_duration: t.average_view_duration(),
                average_view_percentage: t.average_view_percentage(),
                likes: t.figures.likes,
                comments: t.figures.comments,
                shares: t.figures.shares,
                subscribers_gained: t.subscribers_gained,
                subscribers_lost: t.subscribers_lost,
                subscribers: catalog.audience.followers(n),
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscriber_counts_keep_three_significant_figures() {
        assert_eq!(three_significant(999), 999);
        assert_eq!(three_significant(1_234), 1_230);
        assert_eq!(three_significant(56_789), 56_700);
        assert_eq!(three_significant(1_234_567), 1_230_000);
        assert_eq!(three_significant(0), 0);
    }

    #[test]
    fn averages_divide_what_was_watched() {
        let mut t = Totals::default();
        t.add(
            Lifetime {
                views: 10,
                watch_secs: 300,
                ..Lifetime::default()
            },
            60,
        );
        assert_eq!(t.minutes(), 5);
        assert_eq!(t.average_view_duration(), 30);
        assert_eq!(t.average_view_percentage(), 50.0);
        assert_eq!(Totals::default().average_view_duration(), 0);
    }
}
