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
    between, day_of, digits, event, mix, noise, saturating, start_of, unit, weekly, whole,
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

fn profile(surface: MetaSurface, account: &str) -> Profile {
    let b = |label: &str, lo: f64, hi: f64| between(account, label, 0, lo, hi);
    let base = match surface {
        MetaSurface::Instagram => b("base", 800.0, 20_000.0),
        MetaSurface::Page => b("base", 300.0, 10_000.0),
    };
    Profile {
        base: base.round(),
        follow_rate: b("follow_rate", 0.0015, 0.003),
        unfollow_rate: b("unfollow_rate", 0.0005, 0.0011),
        views_rate: b("views_rate", 0.25, 0.6),
        reach_ratio: b("reach_ratio", 0.55, 0.75),
        engaged_ratio: b("engaged_ratio", 0.03, 0.07),
        like_rate: b("like_rate", 0.02, 0.05),
        comment_ratio: b("comment_ratio", 0.04, 0.1),
        share_rate: b("share_rate", 0.002, 0.008),
        save_rate: b("save_rate", 0.002, 0.01),
        reply_rate: b("reply_rate", 0.0002, 0.0008),
        tap_rate: b("tap_rate", 0.002, 0.006),
        fan_ratio: b("fan_ratio", 0.85, 0.95),
    }
}

/// New followers in `day`.
pub(crate) fn follows(surface: MetaSurface, account: &str, day: i64) -> i64 {
    follows_of(&profile(surface, account), account, day)
}

/// Followers lost in `day`.
pub(crate) fn unfollows(surface: MetaSurface, account: &str, day: i64) -> i64 {
    unfollows_of(&profile(surface, account), account, day)
}

fn follows_of(p: &Profile, account: &str, day: i64) -> i64 {
    whole(
        p.base
            * p.follow_rate
            * weekly(day)
            * event(account, day).factor()
            * noise(account, "follows", day, 0.35),
    )
}

fn unfollows_of(p: &Profile, account: &str, day: i64) -> i64 {
    whole(p.base * p.unfollow_rate * noise(account, "unfollows", day, 0.35))
}

/// Followers at the end of `day`.
pub(crate) fn followers(surface: MetaSurface, account: &str, day: i64) -> i64 {
    let p = profile(surface, account);
    let net = |d: i64| follows_of(&p, account, d) - unfollows_of(&p, account, d);
    let moved: i64 = if day >= REFERENCE_DAY {
        ((REFERENCE_DAY + 1)..=day).map(net).sum()
    } else {
        -((day + 1)..=REFERENCE_DAY).map(net).sum::<i64>()
    };
    (p.base as i64 + moved).max(0)
}

/// A Page's likes (fans) at the end of `day`.
pub(crate) fn fans(account: &str, day: i64) -> i64 {
    let p = profile(MetaSurface::Page, account);
    whole(followers(MetaSurface::Page, account, day) as f64 * p.fan_ratio)
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

/// A post's lifetime figures at the end of `day` (all 0 before it went
/// up).
pub(crate) fn post_lifetime(
    surface: MetaSurface,
    account: &str,
    post: &Post,
    day: i64,
) -> PostFigures {
    let age = day - post.day();
    if age < 0 {
        return PostFigures::default();
    }
    let f = saturating(age, post.format.half_life());
    let key = post.id.as_str();
    let r = |label: &str, lo: f64, hi: f64| between(key, label, 0, lo, hi);
    let p = profile(surface, account);
    let quality = r("quality", -0.7, 0.9).exp();
    let reach = p.base * post.format.reach_factor() * quality;
    let views = reach * post.format.views_per_reach() * r("views", 0.9, 1.1);
    let likes = reach * r("likes", 0.04, 0.09);
    let shares = reach
        * r("shares", 0.003, 0.015)
        * if post.format == Format::Reel {
            2.0
        } else {
            1.0
        };
    let saves = reach
        * r("saves", 0.004, 0.02)
        * if post.format == Format::Carousel {
            1.5
        } else {
            1.0
        };
    let visits = reach * r("visits", 0.01, 0.03);
    let mut figures = PostFigures {
        views: whole(views * f),
        reach: whole(reach * f),
        likes: whole(likes * f),
        comments: whole(likes * r("comments", 0.03, 0.08) * f),
        shares: whole(shares * f),
        saves: whole(saves * f),
        follows: whole(reach * r("follows", 0.001, 0.004) * f),
        profile_visits: whole(visits * f),
        profile_activity: whole(visits * 0.25 * f),
        ..PostFigures::default()
    };
    match post.format {
        Format::Story => {
            figures.saves = 0;
            figures.likes = 0;
            figures.comments = 0;
            figures.replies = whole(reach * r("replies", 0.005, 0.02) * f);
            figures.navigation = whole(views * r("navigation", 0.7, 0.9) * f);
        }
        Format::Reel => {
            let average = r("watch", 3_500.0, 15_000.0);
            figures.watch_ms = whole(figures.views as f64 * average);
        }
        Format::Photo | Format::Text | Format::Video => {
            let total = reach * r("reactions", 0.03, 0.08) * f;
            let mut reactions = [0; 6];
            for (i, share) in REACTION_SHARES.iter().enumerate().skip(1) {
                reactions[i] = whole(total * share);
            }
            reactions[0] = (whole(total) - reactions[1..].iter().sum::<i64>()).max(0);
            figures.reactions = reactions;
            figures.likes = reactions[0];
            figures.comments = whole(total * r("page_comments", 0.06, 0.14));
            figures.shares = whole(reach * r("page_shares", 0.002, 0.008) * f);
            figures.clicks = whole(reach * r("clicks", 0.02, 0.06) * f);
            figures.saves = 0;
        }
        Format::Image | Format::Carousel => {}
    }
    figures
}

/// What `post` added in `day`.
fn post_gain(surface: MetaSurface, account: &str, post: &Post, day: i64) -> PostFigures {
    post_lifetime(surface, account, post, day).minus(post_lifetime(surface, account, post, day - 1))
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

/// `account`'s whole figures for `day`, its seeded posts and `published`
/// (the posts published through the simulators) included.
pub(crate) fn account_day(
    surface: MetaSurface,
    account: &str,
    published: &[Post],
    day: i64,
) -> DayFigures {
    let p = profile(surface, account);
    let base_views = p.base
        * p.views_rate
        * weekly(day)
        * event(account, day).factor()
        * noise(account, "views", day, 0.2);
    let base_likes = base_views * p.like_rate * noise(account, "likes", day, 0.15);
    let mut gained = PostFigures::default();
    let first = day - POST_REACH_DAYS;
    let seeded = (first.div_euclid(3)..=day.div_euclid(3))
        .map(|block| block_post(surface, account, block).post)
        .filter(|post| (first..=day).contains(&post.day()));
    let published = published
        .iter()
        .filter(|post| (first..=day).contains(&post.day()))
        .cloned();
    for post in seeded.chain(published) {
        let g = post_gain(surface, account, &post, day);
        gained.views += g.views;
        gained.likes += g.likes;
        gained.comments += g.comments;
        gained.shares += g.shares;
        gained.saves += g.saves;
        gained.clicks += g.clicks;
        gained.reactions[0] += g.reactions_total();
    }
    let views = whole(base_views) + gained.views;
    let reach = whole(views as f64 * p.reach_ratio * noise(account, "reach", day, 0.05));
    let likes = whole(base_likes) + gained.likes;
    let comments = whole(base_likes * p.comment_ratio) + gained.comments;
    let shares = whole(base_views * p.share_rate) + gained.shares;
    let saves = match surface {
        MetaSurface::Instagram => whole(base_views * p.save_rate) + gained.saves,
        MetaSurface::Page => 0,
    };
    let post_engagements = match surface {
        MetaSurface::Page => {
            whole(base_likes * 1.4)
                + gained.reactions[0]
                + gained.comments
                + gained.shares
                + gained.clicks
        }
        MetaSurface::Instagram => 0,
    };
    DayFigures {
        views,
        reach,
        accounts_engaged: whole(reach as f64 * p.engaged_ratio),
        likes,
        comments,
        shares,
        saves,
        replies: whole(p.base * p.reply_rate * noise(account, "replies", day, 0.5)),
        reposts: whole(shares as f64 * 0.1),
        profile_links_taps: whole(reach as f64 * p.tap_rate),
        post_engagements,
        follows: follows(surface, account, day),
        unfollows: unfollows(surface, account, day),
        followers: followers(surface, account, day),
    }
}

/// How much of `day` the platform reports on `today`: nothing before the
/// day is over, then all of it for Pages ("most metrics update once every
/// 24 hours"); Instagram reports part of it the next day and all of it
/// after 48 hours.
pub(crate) fn reported(surface: MetaSurface, day: i64, today: i64) -> Option<f64> {
    if day >= today {
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
            assert_eq!(
                followers(s, IG, day) - followers(s, IG, day - 1),
                follows(s, IG, day) - unfollows(s, IG, day),
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
