//! The figures behind the Meta insights simulators, for Facebook Pages and
//! Instagram professional accounts, built from [`crate::metrics_model`].
//!
//! An account has a profile fixed by its id (followers on 2025-01-01, how
//! fast it gains and loses them, how much it is seen and interacted
//! with). Followers move every day by that day's follows minus unfollows;
//! the account's daily views, reach and interactions are a baseline with
//! a weekly rhythm, noise and rare spike or drop days, plus what each of
//! its posts gained that day. A post's lifetime figures rise from its
//! first day and saturate; a day's gain is the difference between two
//! days' lifetime figures, so the account's days and its posts agree.
//!
//! Every seeded account also has a history: one post in each block of
//! three days (which day and hour, its format and caption fixed by the
//! block), for the last two years up to yesterday. Posts published through
//! the simulators join them from the day they went up.

use jiff::Timestamp;

use crate::metrics_model::{
    Seed, day_of, digits, event, mix, saturating, start_of, unit, weekly, whole,
};

/// Which Graph surface an account is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetaSurface {
    /// A Facebook Page (its id).
    Page,
    /// An Instagram professional account (its `17841…` user id).
    Instagram,
}

/// How far back the seeded history goes (Meta keeps two years of
/// insights).
pub(crate) const HISTORY_DAYS: i64 = 730;
/// A post adds to its account's days for this many days after its first.
const POST_REACH_DAYS: i64 = 60;
/// Instagram's account days are partial the day after (up to 48 hours of
/// delay): this share of the day is reported then.
const PARTIAL_SHARE: f64 = 0.6;
/// Followers are counted from this day (2025-01-01).
const REFERENCE_DAY: i64 = 20_089;

/// What a post is, for its figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    Image,
    Carousel,
    Reel,
    Story,
    /// A Page photo post.
    Photo,
    /// A Page text or link post.
    Text,
    /// A Page video post.
    Video,
}

impl Format {
    /// Lifetime reach as a share of the account's followers, before the
    /// post's own quality.
    fn reach_factor(self) -> f64 {
        match self {
            Format::Image => 0.30,
            Format::Carousel => 0.38,
            Format::Reel => 0.90,
            Format::Story => 0.12,
            Format::Photo => 0.25,
            Format::Text => 0.15,
            Format::Video => 0.45,
        }
    }

    fn views_per_reach(self) -> f64 {
        match self {
            Format::Image => 1.25,
            Format::Carousel => 1.6,
            Format::Reel => 1.9,
            Format::Story => 1.1,
            Format::Photo => 1.3,
            Format::Text => 1.2,
            Format::Video => 1.7,
        }
    }

    /// Days until half of what is left of its lifetime figures comes in.
    fn half_life(self) -> f64 {
        match self {
            Format::Image => 1.2,
            Format::Carousel => 1.5,
            Format::Reel => 3.0,
            Format::Story => 0.4,
            Format::Photo => 1.0,
            Format::Text => 0.8,
            Format::Video => 2.5,
        }
    }
}

/// A post the figures are computed for.
#[derive(Debug, Clone)]
pub(crate) struct Post {
    pub id: String,
    pub format: Format,
    pub at: Timestamp,
}

impl Post {
    fn day(&self) -> i64 {
        day_of(self.at)
    }
}

/// A post of the seeded history.
#[derive(Debug, Clone)]
pub(crate) struct SeededPost {
    pub post: Post,
    pub caption: String,
    /// Instagram's permalink code.
    pub shortcode: String,
}

const IG_CAPTIONS: [&str; 10] = [
    "Fresh this morning — who is stopping by?",
    "Behind the scenes: the quiet hour before we open",
    "Three things we learned this week",
    "Your questions, answered",
    "A closer look at the details",
    "Weekend plans? Here is ours",
    "How it is made, step by step",
    "Thank you for another great week",
    "New in: tell us what you think",
    "Before and after",
];

const PAGE_CAPTIONS: [&str; 8] = [
    "This week at the shop: what is new and what is back",
    "Opening hours over the holidays",
    "A look behind the counter",
    "We asked, you answered: your favourites",
    "Meet the team",
    "Something new is coming on Friday",
    "Thank you for all the kind words this month",
    "How we get ready every morning",
];

/// The post of `account`'s history in block `block` (days `3·block` to
/// `3·block + 2`).
fn block_post(surface: MetaSurface, account: &str, block: i64) -> SeededPost {
    let day = block * 3 + (mix(account, "post.day", block) % 3) as i64;
    let second = 7 * 3600 + (mix(account, "post.time", block) % (14 * 3600)) as i64;
    let at = start_of(day) + jiff::SignedDuration::from_secs(second);
    let pick = unit(account, "post.format", block);
    let (format, id, caption) = match surface {
        MetaSurface::Instagram => {
            let format = if pick < 0.45 {
                Format::Image
            } else if pick < 0.70 {
                Format::Carousel
            } else {
                Format::Reel
            };
            let id = format!(
                "1797{:05}{}",
                block.rem_euclid(100_000),
                digits(account, "post.id", block, 8)
            );
            let caption = IG_CAPTIONS[(mix(account, "post.caption", block) % 10) as usize];
            (format, id, caption)
        }
        MetaSurface::Page => {
            let format = if pick < 0.5 {
                Format::Photo
            } else if pick < 0.75 {
                Format::Text
            } else {
                Format::Video
            };
            let id = format!(
                "{account}_1218{:05}{}",
                block.rem_euclid(100_000),
                digits(account, "post.id", block, 7)
            );
            let caption = PAGE_CAPTIONS[(mix(account, "post.caption", block) % 8) as usize];
            (format, id, caption)
        }
    };
    let shortcode = {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut h = mix(account, "post.shortcode", block);
        (0..11)
            .map(|_| {
                let c = ALPHABET[(h % 64) as usize] as char;
                h /= 64;
                c
            })
            .collect()
    };
    SeededPost {
        post: Post { id, format, at },
        caption: caption.to_owned(),
        shortcode,
    }
}

/// `account`'s seeded history as of `today`, newest first: the posts of
/// the last two years, up to yesterday.
pub(crate) fn seeded_posts(surface: MetaSurface, account: &str, today: i64) -> Vec<SeededPost> {
    let first = today - HISTORY_DAYS;
    let last = today - 1;
    (first.div_euclid(3)..=last.div_euclid(3))
        .rev()
        .map(|block| block_post(surface, account, block))
        .filter(|p| (first..=last).contains(&p.post.day()))
        .collect()
}

/// The seeded post `id` of `account`, when it is in the history as of
/// `today`.
pub(crate) fn seeded_post(
    surface: MetaSurface,
    account: &str,
    id: &str,
    today: i64,
) -> Option<SeededPost> {
    let tail = match surface {
        MetaSurface::Instagram => id.strip_prefix("1797")?,
        MetaSurface::Page => id.strip_prefix(account)?.strip_prefix("_1218")?,
    };
    let block: i64 = tail.get(..5)?.parse().ok()?;
    // Block numbers wrap at 100 000 (the year 2243); try the nearest.
    let near = today.div_euclid(3);
    let block = near - (near - block).rem_euclid(100_000);
    let post = block_post(surface, account, block);
    let day = post.post.day();
    (post.post.id == id && day < today && day >= today - HISTORY_DAYS).then_some(post)
}

// ------------------------------------------------------------ accounts

/// What an account is like, fixed by its id.
#[derive(Debug, Clone, Copy)]
struct Profile {
    /// Followers on the reference day.
    base: f64,
    follow_rate: f64,
    unfollow_rate: f64,
    views_rate: f64,
    reach_ratio: f64,
    engaged_ratio: f64,
    like_rate: f64,
    comment_ratio: f64,
    share_rate: f64,
    save_rate: f64,
    reply_rate: f64,
    tap_rate: f64,
    fan_ratio: f64,
}

/// An account of the model: its profile and the seeds of its daily
/// figures.
pub(crate) struct Account<'a> {
    surface: MetaSurface,
    id: &'a str,
    p: Profile,
    follows: Seed,
    unfollows: Seed,
    event: Seed,
    views: Seed,
    likes: Seed,
    reach: Seed,
    replies: Seed,
}

impl<'a> Account<'a> {
    pub(crate) fn new(surface: MetaSurface, id: &'a str) -> Account<'a> {
        let seed = Seed::new(id, "profile");
        let b = |n: i64, lo: f64, hi: f64| seed.between(n, lo, hi);
        let base = match surface {
            MetaSurface::Instagram => b(0, 800.0, 20_000.0),
            MetaSurface::Page => b(0, 300.0, 10_000.0),
        };
        Account {
            surface,
            id,
            p: Profile {
                base: base.round(),
                follow_rate: b(1, 0.0015, 0.003),
                unfollow_rate: b(2, 0.0005, 0.0011),
                views_rate: b(3, 0.25, 0.6),
                reach_ratio: b(4, 0.55, 0.75),
                engaged_ratio: b(5, 0.03, 0.07),
                like_rate: b(6, 0.02, 0.05),
                comment_ratio: b(7, 0.04, 0.1),
                share_rate: b(8, 0.002, 0.008),
                save_rate: b(9, 0.002, 0.01),
                reply_rate: b(10, 0.0002, 0.0008),
                tap_rate: b(11, 0.002, 0.006),
                fan_ratio: b(12, 0.85, 0.95),
            },
            follows: Seed::new(id, "follows"),
            unfollows: Seed::new(id, "unfollows"),
            event: Seed::new(id, "event"),
            views: Seed::new(id, "views"),
            likes: Seed::new(id, "likes"),
            reach: Seed::new(id, "reach"),
            replies: Seed::new(id, "replies"),
        }
    }

    /// New followers in `day`.
    pub(crate) fn follows(&self, day: i64) -> i64 {
        whole(
            self.p.base
                * self.p.follow_rate
                * weekly(day)
                * event(self.event, day).factor()
                * self.follows.noise(day, 0.35),
        )
    }

    /// Followers lost in `day`.
    pub(crate) fn unfollows(&self, day: i64) -> i64 {
        whole(self.p.base * self.p.unfollow_rate * self.unfollows.noise(day, 0.35))
    }

    fn net(&self, day: i64) -> i64 {
        self.follows(day) - self.unfollows(day)
    }

    /// Followers at the end of `day`.
    pub(crate) fn followers(&self, day: i64) -> i64 {
        let moved: i64 = if day >= REFERENCE_DAY {
            ((REFERENCE_DAY + 1)..=day).map(|d| self.net(d)).sum()
        } else {
            -((day + 1)..=REFERENCE_DAY)
                .map(|d| self.net(d))
                .sum::<i64>()
        };
        (self.p.base as i64 + moved).max(0)
    }

    /// A Page's likes (fans) at the end of `day`.
    pub(crate) fn fans(&self, day: i64) -> i64 {
        whole(self.followers(day) as f64 * self.p.fan_ratio)
    }

    /// The model of one of the account's posts.
    pub(crate) fn post(&self, post: &Post) -> PostModel {
        PostModel::new(self.p.base, post)
    }

    /// The seeded posts and `published` that add to days `first` to
    /// `last`.
    fn posts_for(&self, published: &[Post], first: i64, last: i64) -> Vec<PostModel> {
        let from = first - POST_REACH_DAYS;
        (from.div_euclid(3)..=last.div_euclid(3))
            .map(|block| block_post(self.surface, self.id, block).post)
            .chain(published.iter().cloned())
            .filter(|post| (from..=last).contains(&post.day()))
            .map(|post| self.post(&post))
            .collect()
    }

    /// The whole figures of each day from `first` to `last`, in order,
    /// its seeded posts and `published` (the posts published through the
    /// simulators) included.
    pub(crate) fn days(&self, published: &[Post], first: i64, last: i64) -> Vec<DayFigures> {
        let p = &self.p;
        let posts = self.posts_for(published, first, last);
        let mut followers = self.followers(first - 1);
        let mut out = Vec::new();
        for day in first..=last {
            followers += self.net(day);
            let base_views = p.base
                * p.views_rate
                * weekly(day)
                * event(self.event, day).factor()
                * self.views.noise(day, 0.2);
            let base_likes = base_views * p.like_rate * self.likes.noise(day, 0.15);
            let mut gained = PostFigures::default();
            for post in posts
                .iter()
                .filter(|m| (day - POST_REACH_DAYS..=day).contains(&m.day))
            {
                let g = post.lifetime(day).minus(post.lifetime(day - 1));
                gained.views += g.views;
                gained.likes += g.likes;
                gained.comments += g.comments;
                gained.shares += g.shares;
                gained.saves += g.saves;
                gained.clicks += g.clicks;
                gained.reactions[0] += g.reactions_total();
            }
            let views = whole(base_views) + gained.views;
            let reach = whole(views as f64 * p.reach_ratio * self.reach.noise(day, 0.05));
            let likes = whole(base_likes) + gained.likes;
            let comments = whole(base_likes * p.comment_ratio) + gained.comments;
            let shares = whole(base_views * p.share_rate) + gained.shares;
            let (saves, post_engagements) = match self.surface {
                MetaSurface::Instagram => (whole(base_views * p.save_rate) + gained.saves, 0),
                MetaSurface::Page => (
                    0,
                    whole(base_likes * 1.4)
                        + gained.reactions[0]
                        + gained.comments
                        + gained.shares
                        + gained.clicks,
                ),
            };
            out.push(DayFigures {
                views,
                reach,
                accounts_engaged: whole(reach as f64 * p.engaged_ratio),
                likes,
                comments,
                shares,
                saves,
                replies: whole(p.base * p.reply_rate * self.replies.noise(day, 0.5)),
                reposts: whole(shares as f64 * 0.1),
                profile_links_taps: whole(reach as f64 * p.tap_rate),
                post_engagements,
                follows: self.follows(day),
                unfollows: self.unfollows(day),
                followers,
            });
        }
        out
    }
}

/// Followers of `account` at the end of `day`.
pub(crate) fn followers(surface: MetaSurface, account: &str, day: i64) -> i64 {
    Account::new(surface, account).followers(day)
}

/// A Page's likes (fans) at the end of `day`.
pub(crate) fn fans(account: &str, day: i64) -> i64 {
    Account::new(MetaSurface::Page, account).fans(day)
}

// --------------------------------------------------------------- posts

/// A post's figures (lifetime totals, or what a day added).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct PostFigures {
    pub views: i64,
    pub reach: i64,
    pub likes: i64,
    pub comments: i64,
    pub shares: i64,
    pub saves: i64,
    pub follows: i64,
    pub profile_visits: i64,
    pub profile_activity: i64,
    /// Stories: replies and taps forward, back and away.
    pub replies: i64,
    pub navigation: i64,
    /// Reels: milliseconds watched in all.
    pub watch_ms: i64,
    /// Page posts: clicks, and reactions like, love, wow, haha, sad, angry.
    pub clicks: i64,
    pub reactions: [i64; 6],
}

/// The reaction names of [`PostFigures::reactions`], in order.
pub(crate) const REACTIONS: [&str; 6] = ["like", "love", "wow", "haha", "sad", "angry"];
const REACTION_SHARES: [f64; 6] = [0.70, 0.15, 0.05, 0.05, 0.03, 0.02];

impl PostFigures {
    pub fn reactions_total(&self) -> i64 {
        self.reactions.iter().sum()
    }

    /// Average milliseconds watched per view (reels).
    pub fn avg_watch_ms(&self) -> i64 {
        if self.views > 0 {
            self.watch_ms / self.views
        } else {
            0
        }
    }

    fn minus(self, earlier: PostFigures) -> PostFigures {
        let mut reactions = [0; 6];
        for (i, r) in reactions.iter_mut().enumerate() {
            *r = self.reactions[i] - earlier.reactions[i];
        }
        PostFigures {
            views: self.views - earlier.views,
            reach: self.reach - earlier.reach,
            likes: self.likes - earlier.likes,
            comments: self.comments - earlier.comments,
            shares: self.shares - earlier.shares,
            saves: self.saves - earlier.saves,
            follows: self.follows - earlier.follows,
            profile_visits: self.profile_visits - earlier.profile_visits,
            profile_activity: self.profile_activity - earlier.profile_activity,
            replies: self.replies - earlier.replies,
            navigation: self.navigation - earlier.navigation,
            watch_ms: self.watch_ms - earlier.watch_ms,
            clicks: self.clicks - earlier.clicks,
            reactions,
        }
    }
}

/// A post's lifetime totals (what it reaches once saturated), fixed by
/// its id, its format and its account's size.
#[derive(Debug, Clone)]
pub(crate) struct PostModel {
    format: Format,
    day: i64,
    reach: f64,
    views: f64,
    likes: f64,
    comment_rate: f64,
    shares: f64,
    saves: f64,
    follow_rate: f64,
    visits: f64,
    reply_rate: f64,
    navigation_rate: f64,
    watch_ms: f64,
    reactions: f64,
    page_comment_rate: f64,
    page_share_rate: f64,
    click_rate: f64,
}

impl PostModel {
    fn new(base: f64, post: &Post) -> PostModel {
        let seed = Seed::new(&post.id, "post");
        let r = |n: i64, lo: f64, hi: f64| seed.between(n, lo, hi);
        let quality = r(0, -0.7, 0.9).exp();
        let reach = base * post.format.reach_factor() * quality;
        PostModel {
            format: post.format,
            day: post.day(),
            reach,
            views: reach * post.format.views_per_reach() * r(1, 0.9, 1.1),
            likes: reach * r(2, 0.04, 0.09),
            comment_rate: r(3, 0.03, 0.08),
            shares: reach
                * r(4, 0.003, 0.015)
                * if post.format == Format::Reel {
                    2.0
                } else {
                    1.0
                },
            saves: reach
                * r(5, 0.004, 0.02)
                * if post.format == Format::Carousel {
                    1.5
                } else {
                    1.0
                },
            follow_rate: r(6, 0.001, 0.004),
            visits: reach * r(7, 0.01, 0.03),
            reply_rate: r(8, 0.005, 0.02),
            navigation_rate: r(9, 0.7, 0.9),
            watch_ms: r(10, 3_500.0, 15_000.0),
            reactions: reach * r(11, 0.03, 0.08),
            page_comment_rate: r(12, 0.06, 0.14),
            page_share_rate: r(13, 0.002, 0.008),
            click_rate: r(14, 0.02, 0.06),
        }
    }

    /// The lifetime figures at the end of `day` (all 0 before the post
    /// went up).
    pub(crate) fn lifetime(&self, day: i64) -> PostFigures {
        let age = day - self.day;
        if age < 0 {
            return PostFigures::default();
        }
        let f = saturating(age, self.format.half_life());
        let mut figures = PostFigures {
            views: whole(self.views * f),
            reach: whole(self.reach * f),
            likes: whole(self.likes * f),
            comments: whole(self.likes * self.comment_rate * f),
            shares: whole(self.shares * f),
            saves: whole(self.saves * f),
            follows: whole(self.reach * self.follow_rate * f),
            profile_visits: whole(self.visits * f),
            profile_activity: whole(self.visits * 0.25 * f),
            ..PostFigures::default()
        };
        match self.format {
            Format::Story => {
                figures.saves = 0;
                figures.likes = 0;
                figures.comments = 0;
                figures.replies = whole(self.reach * self.reply_rate * f);
                figures.navigation = whole(self.views * self.navigation_rate * f);
            }
            Format::Reel => {
                figures.watch_ms = whole(figures.views as f64 * self.watch_ms);
            }
            Format::Photo | Format::Text | Format::Video => {
                let total = self.reactions * f;
                let mut reactions = [0; 6];
                for (i, share) in REACTION_SHARES.iter().enumerate().skip(1) {
                    reactions[i] = whole(total * share);
                }
                reactions[0] = (whole(total) - reactions[1..].iter().sum::<i64>()).max(0);
                figures.reactions = reactions;
                figures.likes = reactions[0];
                figures.comments = whole(total * self.page_comment_rate);
                figures.shares = whole(self.reach * self.page_share_rate * f);
                figures.clicks = whole(self.reach * self.click_rate * f);
                figures.saves = 0;
            }
            Format::Image | Format::Carousel => {}
        }
        figures
    }
}

/// A post's lifetime figures at the end of `day`.
pub(crate) fn post_lifetime(
    surface: MetaSurface,
    account: &str,
    post: &Post,
    day: i64,
) -> PostFigures {
    Account::new(surface, account).post(post).lifetime(day)
}

// ---------------------------------------------------------------- days

/// An account's figures for one whole day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct DayFigures {
    pub views: i64,
    pub reach: i64,
    pub accounts_engaged: i64,
    pub likes: i64,
    pub comments: i64,
    pub shares: i64,
    pub saves: i64,
    pub replies: i64,
    pub reposts: i64,
    pub profile_links_taps: i64,
    /// Pages: reactions, comments, shares and clicks on its posts.
    pub post_engagements: i64,
    pub follows: i64,
    pub unfollows: i64,
    /// At the end of the day (a count, never partial).
    pub followers: i64,
}

impl DayFigures {
    pub fn total_interactions(&self) -> i64 {
        self.likes + self.comments + self.shares + self.saves + self.replies
    }

    /// The share `part` of the day's flows (a partially reported day).
    pub fn part(self, part: f64) -> DayFigures {
        if part >= 1.0 {
            return self;
        }
        let s = |v: i64| whole(v as f64 * part);
        DayFigures {
            views: s(self.views),
            reach: s(self.reach),
            accounts_engaged: s(self.accounts_engaged),
            likes: s(self.likes),
            comments: s(self.comments),
            shares: s(self.shares),
            saves: s(self.saves),
            replies: s(self.replies),
            reposts: s(self.reposts),
            profile_links_taps: s(self.profile_links_taps),
            post_engagements: s(self.post_engagements),
            follows: s(self.follows),
            unfollows: s(self.unfollows),
            followers: self.followers,
        }
    }
}

/// `account`'s whole figures for `day`.
#[cfg(test)]
pub(crate) fn account_day(
    surface: MetaSurface,
    account: &str,
    published: &[Post],
    day: i64,
) -> DayFigures {
    Account::new(surface, account).days(published, day, day)[0]
}

/// How much of `day` the platform reports on `today`: nothing before the
/// day is over or once it is two years old, then all of it for Pages ("most metrics update once every
/// 24 hours"); Instagram reports part of it the next day and all of it
/// after 48 hours.
pub(crate) fn reported(surface: MetaSurface, day: i64, today: i64) -> Option<f64> {
    if day >= today || day < today - HISTORY_DAYS {
        return None;
    }
    match surface {
        MetaSurface::Instagram if day == today - 1 => Some(PARTIAL_SHARE),
        _ => Some(1.0),
    }
}

/// The share of a window's daily reach that is distinct people: reach
/// over `days` days is less than the sum of the days'.
pub(crate) fn distinct_share(days: usize) -> f64 {
    1.0 / (1.0 + 0.3 * (days.max(1) as f64).ln())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics_model::day_number;

    const IG: &str = "17841400000000001";
    const PAGE: &str = "100000000000001";

    fn today() -> i64 {
        day_number(jiff::civil::date(2026, 6, 1))
    }

    #[test]
    fn followers_grow_by_each_days_net() {
        let s = MetaSurface::Instagram;
        let d = today();
        for day in [d - 400, d - 1, d, REFERENCE_DAY, REFERENCE_DAY - 3] {
            let a = Account::new(s, IG);
            assert_eq!(
                followers(s, IG, day) - followers(s, IG, day - 1),
                a.follows(day) - a.unfollows(day),
                "day {day}"
            );
        }
        assert!(followers(s, IG, d) > followers(s, IG, d - 180));
    }

    #[test]
    fn the_history_has_one_post_per_three_days_and_each_can_be_found_again() {
        for surface in [MetaSurface::Instagram, MetaSurface::Page] {
            let account = if surface == MetaSurface::Page {
                PAGE
            } else {
                IG
            };
            let posts = seeded_posts(surface, account, today());
            assert!((240..=245).contains(&posts.len()), "{}", posts.len());
            assert!(posts.windows(2).all(|w| w[0].post.at > w[1].post.at));
            assert!(posts.iter().all(|p| p.post.day() < today()));
            for p in posts.iter().take(20) {
                let found = seeded_post(surface, account, &p.post.id, today()).expect("found");
                assert_eq!(found.post.at, p.post.at);
            }
            assert!(seeded_post(surface, account, "1797000000000000", today()).is_none());
        }
    }

    #[test]
    fn a_posts_lifetime_figures_grow_and_saturate() {
        let post = &seeded_posts(MetaSurface::Instagram, IG, today())[10].post;
        let d = post.day();
        let a = post_lifetime(MetaSurface::Instagram, IG, post, d);
        let b = post_lifetime(MetaSurface::Instagram, IG, post, d + 3);
        let c = post_lifetime(MetaSurface::Instagram, IG, post, d + 200);
        let e = post_lifetime(MetaSurface::Instagram, IG, post, d + 201);
        assert!(a.views > 0 && a.views <= b.views && b.views <= c.views);
        assert_eq!(c, e, "saturated");
        assert!(c.reach <= c.views);
        assert_eq!(
            post_lifetime(MetaSurface::Instagram, IG, post, d - 1),
            PostFigures::default()
        );
    }

    #[test]
    fn an_accounts_day_includes_what_its_posts_gained() {
        let s = MetaSurface::Instagram;
        let post = Post {
            id: "18000000000000001".into(),
            format: Format::Reel,
            at: start_of(today() - 5) + jiff::SignedDuration::from_hours(9),
        };
        let without = account_day(s, IG, &[], today() - 5);
        let with = account_day(s, IG, std::slice::from_ref(&post), today() - 5);
        let gained = post_lifetime(s, IG, &post, today() - 5);
        assert_eq!(with.views - without.views, gained.views);
        assert_eq!(with.likes - without.likes, gained.likes);
        // Days before the post are untouched.
        assert_eq!(
            account_day(s, IG, std::slice::from_ref(&post), today() - 6),
            account_day(s, IG, &[], today() - 6)
        );
    }

    #[test]
    fn days_are_reported_after_they_end_instagram_partly_at_first() {
        let t = today();
        assert_eq!(reported(MetaSurface::Instagram, t, t), None);
        assert_eq!(
            reported(MetaSurface::Instagram, t - 1, t),
            Some(PARTIAL_SHARE)
        );
        assert_eq!(reported(MetaSurface::Instagram, t - 2, t), Some(1.0));
        assert_eq!(reported(MetaSurface::Page, t - 1, t), Some(1.0));
    }

    #[test]
    fn page_reactions_add_up() {
        let post = &seeded_posts(MetaSurface::Page, PAGE, today())[3].post;
        let f = post_lifetime(MetaSurface::Page, PAGE, post, today());
        assert_eq!(f.likes, f.reactions[0]);
        assert!(f.reactions_total() >= f.likes);
        assert!(fans(PAGE, today()) >= 100);
    }
}
