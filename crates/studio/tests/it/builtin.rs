//! The built-in offline engine against the shipped catalog: the same
//! request gives the same draft, every template fills in both languages
//! within each platform's limits, and no brief makes it panic.

use async_trait::async_trait;
use herald_core::{PillarId, TemplateId, Timestamp};
use herald_publishing::rules;
use herald_studio::engine::builtin::{self, Builtin};
use herald_studio::prompt::account_kind;
use herald_studio::seed::{LOCALES, SeedFile, SeedTemplate, placeholders};
use herald_studio::{
    Content, ContentGenerationEngine, EngineError, Format, MAX_CONTENT, Pillar, Platform, Progress,
    Request, Stopped, Template, Tone,
};
use proptest::prelude::*;

const BRIEF_EN: &str = "A post about getting started without the overwhelm. Most beginners try to \
                        change everything at once. Pick one habit and keep it for two weeks. Track \
                        it on paper, not in an app.";
const BRIEF_DE: &str = "Ein Beitrag über den Einstieg ohne Überforderung. Die meisten wollen am \
                        Anfang alles auf einmal ändern. Such dir eine Gewohnheit aus und bleib zwei \
                        Wochen dabei. Hak sie auf Papier ab, nicht in einer App.";

fn catalog() -> SeedFile {
    SeedFile::shipped().expect("the shipped catalog parses")
}

fn template(t: &SeedTemplate, locale: &str) -> Template {
    let text = t.text(locale);
    Template {
        id: TemplateId(1),
        workspace: None,
        slug: t.slug.clone(),
        locale: locale.to_owned(),
        niche: t.niche.clone(),
        format: t.format(),
        platforms: t.platforms.clone(),
        title: text.title.clone(),
        description: text.description.clone(),
        slots: text.slots.clone(),
        content: text.content.clone(),
        copied_from: None,
        retired: false,
        updated_at: Timestamp::UNIX_EPOCH,
    }
}

fn tone(file: &SeedFile, slug: &str, locale: &str) -> Tone {
    let t = file.tones.iter().find(|t| t.slug == slug).expect("a tone");
    let text = if locale == "de" { &t.de } else { &t.en };
    Tone {
        slug: t.slug.clone(),
        locale: locale.to_owned(),
        name: text.name.clone(),
        description: text.description.clone(),
        dos: text.dos.clone(),
        donts: text.donts.clone(),
    }
}

fn pillar(name: &str) -> Pillar {
    Pillar {
        id: PillarId(7),
        name: name.to_owned(),
        description: String::new(),
    }
}

fn request(
    format: Format,
    locale: &str,
    template: Option<Template>,
    platform: Option<Platform>,
    brief: &str,
) -> Request {
    Request {
        format: template.as_ref().map_or(format, |t| t.format),
        locale: locale.to_owned(),
        template,
        tone: None,
        pillar: None,
        platform,
        brief: brief.to_owned(),
        messages: Vec::new(),
        schema: None,
        max_output_tokens: 1500,
    }
}

/// Keeps what streams in; says stop after `stop_after` pieces.
#[derive(Default)]
struct Recorder {
    pieces: Vec<String>,
    stop_after: Option<usize>,
}

#[async_trait]
impl Progress for Recorder {
    async fn text(&mut self, delta: &str) -> Result<(), Stopped> {
        if self.stop_after.is_some_and(|n| self.pieces.len() >= n) {
            return Err(Stopped);
        }
        self.pieces.push(delta.to_owned());
        Ok(())
    }
}

/// What the composer posts for `content` on a platform, before it cuts
/// anything: the caption and the tags below it.
fn posted_caption(content: &Content) -> String {
    match content {
        Content::Script { caption, .. } | Content::Carousel { caption, .. } => caption.clone(),
        Content::Caption { text, hashtags } if hashtags.is_empty() => text.clone(),
        Content::Caption { text, hashtags } => format!("{text}\n\n{}", hashtags.join(" ")),
        Content::Thread { parts } => parts.join("\n\n"),
    }
}

/// Panics with `what` when `content` breaks a rule of `platform` or of
/// the studio's own limits on a draft.
fn assert_within_limits(content: &Content, platform: Option<Platform>, what: &str) {
    let total: usize = content.texts().iter().map(|s| s.chars().count()).sum();
    assert!(total <= MAX_CONTENT, "{what}: {total} characters");
    let items = match content {
        Content::Script { beats, shots, .. } => beats.len().max(shots.len()),
        Content::Caption { hashtags, .. } => hashtags.len(),
        Content::Carousel { slides, .. } => slides.len(),
        Content::Thread { parts } => parts.len(),
    };
    assert!(items <= 30, "{what}: {items} items");
    for s in content.texts() {
        assert!(
            !s.chars()
                .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')),
            "{what}: a control character in {s:?}"
        );
    }
    let Some(platform) = platform else { return };
    let r = rules::rules_for(account_kind(platform));
    let caption = posted_caption(content);
    let n = caption.chars().count();
    assert!(
        n <= r.caption_max,
        "{what}: caption of {n} > {}",
        r.caption_max
    );
    if let Some(max) = r.hashtags_max {
        let tags = rules::count_tags(&caption, '#');
        assert!(tags <= max, "{what}: {tags} hashtags > {max}");
    }
    for s in content.texts() {
        assert!(
            !s.contains(r.forbidden_chars),
            "{what}: {} refuses a character of {s:?}",
            r.name
        );
    }
    if r.title_required
        && let Content::Script { hook, .. } = content
    {
        assert!(hook.chars().count() <= r.title_max, "{what}: hook as title");
    }
}

fn leftover_placeholders(content: &Content) -> Vec<String> {
    content
        .texts()
        .into_iter()
        .flat_map(placeholders)
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn the_builtin_engine_says_it_is_no_ai() {
    let info = Builtin.info();
    assert_eq!(info.engine, "builtin");
    assert_eq!(info.model, "builtin");
    assert!(!info.ai);
}

#[tokio::test]
async fn the_same_request_gives_the_same_draft_streamed_in_pieces() {
    let file = catalog();
    let t = &file.templates[0];
    let mut req = request(
        t.format(),
        "en",
        Some(template(t, "en")),
        Some(Platform::Instagram),
        BRIEF_EN,
    );
    req.tone = Some(tone(&file, "warm", "en"));
    req.pillar = Some(pillar("Beginner basics"));

    let mut first = Recorder::default();
    let a = Builtin.generate(&req, &mut first).await.unwrap();
    let mut second = Recorder::default();
    let b = Builtin.generate(&req, &mut second).await.unwrap();

    assert_eq!(a, b);
    assert_eq!(first.pieces, second.pieces);
    assert!(first.pieces.len() > 3, "streamed in one piece");
    assert_eq!(first.pieces.concat(), a.text);
    let content = a.content.clone().expect("the engine gives content");
    let parsed: Content = serde_json::from_str(&a.text).unwrap();
    assert_eq!(parsed, content);
    assert_eq!(a.model, "builtin");
    assert_eq!(a.usage.input_tokens + a.usage.output_tokens, 0);
    assert_eq!(builtin::fill(&req), content);
}

#[test]
fn every_shipped_template_fills_in_both_languages_within_each_platforms_limits() {
    let file = catalog();
    for t in &file.templates {
        for locale in LOCALES {
            let brief = if locale == "de" { BRIEF_DE } else { BRIEF_EN };
            let platforms: Vec<Option<Platform>> = t
                .platforms
                .iter()
                .copied()
                .map(Some)
                .chain([None])
                .collect();
            for platform in platforms {
                for brief in [brief, ""] {
                    let what =
                        format!("{} ({locale}, {platform:?}, brief {})", t.slug, brief.len());
                    let mut req = request(
                        t.format(),
                        locale,
                        Some(template(t, locale)),
                        platform,
                        brief,
                    );
                    req.tone = Some(tone(&file, &file.tones[t.slug.len() % 8].slug, locale));
                    req.pillar = Some(pillar(if locale == "de" {
                        "Einfach anfangen"
                    } else {
                        "Start simple"
                    }));
                    let content = builtin::fill(&req);
                    assert_eq!(content.format(), t.format(), "{what}");
                    assert!(
                        leftover_placeholders(&content).is_empty(),
                        "{what}: {:?} left in {content:?}",
                        leftover_placeholders(&content)
                    );
                    assert!(
                        content.texts().iter().all(|s| !s.trim().is_empty()),
                        "{what}: an empty text in {content:?}"
                    );
                    assert_within_limits(&content, platform, &what);
                }
            }
        }
    }
}

#[test]
fn a_brief_lands_in_the_slots_it_names_or_hints_at() {
    let file = catalog();
    let t = file
        .templates
        .iter()
        .find(|t| t.slug == "fitness-myth-buster")
        .unwrap();
    let brief = "truth: 1.6 g of protein per kg a day is plenty for most people\n\
                 myth: you need a protein shake right after every workout\n\
                 proof: a 2018 meta-analysis of 49 studies";
    let req = request(
        t.format(),
        "en",
        Some(template(t, "en")),
        Some(Platform::Tiktok),
        brief,
    );
    let Content::Script {
        hook,
        beats,
        caption,
        ..
    } = builtin::fill(&req)
    else {
        panic!("a script");
    };
    assert_eq!(
        hook,
        "Still think you need a protein shake right after every workout? Here's what actually happens."
    );
    assert!(
        beats[1].contains("1.6 g of protein per kg a day is plenty"),
        "{beats:?}"
    );
    assert!(
        beats[2].contains("a 2018 meta-analysis of 49 studies"),
        "{beats:?}"
    );
    // Nothing said what to do instead: the person is asked to fill it in.
    assert!(
        beats[3].contains("[fill in: what to do instead, in one sentence]"),
        "{beats:?}"
    );
    assert!(caption.starts_with("You need a protein shake right after every workout? Not quite."));
    assert!(caption.contains("#protein"), "{caption}");
}

#[test]
fn a_german_request_gets_german_filler_text() {
    let file = catalog();
    for t in &file.templates {
        let de = builtin::fill(&request(
            t.format(),
            "de",
            Some(template(t, "de")),
            None,
            "",
        ));
        let en = builtin::fill(&request(
            t.format(),
            "en",
            Some(template(t, "en")),
            None,
            "",
        ));
        let de_text = de.texts().join("\n");
        let en_text = en.texts().join("\n");
        assert!(de_text.contains("[ergänzen: "), "{}: {de_text}", t.slug);
        assert!(!de_text.contains("[fill in"), "{}: {de_text}", t.slug);
        assert!(en_text.contains("[fill in: "), "{}: {en_text}", t.slug);
        assert!(!en_text.contains("[ergänzen"), "{}: {en_text}", t.slug);
    }
    // Without a template, the structure itself is in the request's
    // language.
    for format in Format::ALL {
        let de = builtin::fill(&request(format, "de", None, None, "Sauerteig für Anfänger"));
        let text = de.texts().join("\n");
        assert!(
            text.contains("Sauerteig für Anfänger"),
            "{format:?}: {text}"
        );
        assert!(
            text.contains("[ergänzen: dein erster Punkt]"),
            "{format:?}: {text}"
        );
        assert!(
            [
                "Das solltest du wissen",
                "Schreib's mir",
                "Wisch dich",
                "Thread"
            ]
            .iter()
            .any(|w| text.contains(w)),
            "{format:?}: {text}"
        );
        let en = builtin::fill(&request(
            format,
            "en",
            None,
            None,
            "Sourdough for beginners",
        ));
        assert!(
            en.texts()
                .join("\n")
                .contains("[fill in: your first point]")
        );
    }
}

#[test]
fn without_a_template_every_format_gets_a_whole_structure_from_the_brief() {
    let brief = "Sourdough for beginners. Feed the starter twice a day for a week. Use 75% \
                 hydration for your first loaf. Bake in a preheated pot with the lid on. Let it \
                 cool for an hour before cutting.";
    for format in Format::ALL {
        for platform in Platform::ALL {
            let content = builtin::fill(&request(format, "en", None, Some(platform), brief));
            let what = format!("{format:?} on {platform:?}");
            assert_eq!(content.format(), format, "{what}");
            let text = content.texts().join("\n");
            assert!(text.contains("Sourdough for beginners"), "{what}: {text}");
            assert!(
                text.contains("Feed the starter twice a day"),
                "{what}: {text}"
            );
            assert!(!text.contains("[fill in"), "{what}: {text}");
            assert!(leftover_placeholders(&content).is_empty(), "{what}");
            assert_within_limits(&content, Some(platform), &what);
        }
    }
    let Content::Thread { parts } =
        builtin::fill(&request(Format::Thread, "en", None, None, brief))
    else {
        panic!("a thread");
    };
    // Four points for three numbered parts: the fourth is kept before the
    // closing part, not dropped.
    assert!(
        parts.iter().any(|p| p.contains("Let it cool for an hour")),
        "{parts:?}"
    );
    assert!(
        parts
            .last()
            .unwrap()
            .contains("Which one will you try first?")
    );
}

#[test]
fn tone_and_pillar_show_in_the_caption_and_its_hashtags() {
    let file = catalog();
    let t = file
        .templates
        .iter()
        .find(|t| t.slug == "food-in-season")
        .unwrap();
    for locale in LOCALES {
        let mut req = request(
            t.format(),
            locale,
            Some(template(t, locale)),
            Some(Platform::Instagram),
            if locale == "de" {
                "Mai. Spargel. Die Enden sollten feucht sein. Mit brauner Butter und Zitrone."
            } else {
                "May. Asparagus. The ends should be moist. With brown butter and lemon."
            },
        );
        let tone = tone(&file, "calm", locale);
        req.tone = Some(tone.clone());
        req.pillar = Some(pillar(if locale == "de" {
            "Saisonküche"
        } else {
            "Seasonal kitchen"
        }));
        let Content::Caption { text, hashtags } = builtin::fill(&req) else {
            panic!("a caption");
        };
        assert!(
            tone.dos.iter().any(|d| text.contains(d.as_str())),
            "{locale}: no line of the tone in {text}"
        );
        let series = if locale == "de" {
            "Teil meiner Reihe „Saisonküche“."
        } else {
            "Part of my “Seasonal kitchen” series."
        };
        assert!(text.contains(series), "{locale}: {text}");
        let pillar_tag = if locale == "de" {
            "#Saisonküche"
        } else {
            "#SeasonalKitchen"
        };
        assert!(hashtags.iter().any(|h| h == pillar_tag), "{hashtags:?}");
        // German nouns keep their capital; English tags are lower case.
        let asparagus = if locale == "de" {
            "#Spargel"
        } else {
            "#asparagus"
        };
        assert!(hashtags.iter().any(|h| h == asparagus), "{hashtags:?}");
        // The template's own tags come first.
        assert!(hashtags[0].starts_with('#') && hashtags.len() <= 10);
    }
}

#[test]
fn redaction_placeholders_stay_as_they_are_and_make_no_hashtags() {
    let req = request(
        Format::Caption,
        "en",
        None,
        Some(Platform::Instagram),
        "Workshop bookings by mail to [EMAIL_1]. Call [PHONE_1] for groups.",
    );
    let Content::Caption { text, hashtags } = builtin::fill(&req) else {
        panic!("a caption");
    };
    assert!(
        text.contains("[EMAIL_1]") && text.contains("[PHONE_1]"),
        "{text}"
    );
    assert!(
        hashtags
            .iter()
            .all(|h| !h.contains("EMAIL") && !h.contains("PHONE")),
        "{hashtags:?}"
    );
    assert!(hashtags.iter().any(|h| h == "#workshop"), "{hashtags:?}");
}

#[test]
fn captions_are_cut_at_a_word_boundary_to_the_platforms_limit() {
    let sentence = "Every single detail of this long story matters to somebody out there";
    let brief = vec![sentence; 200].join(", ");
    for platform in [Platform::Instagram, Platform::Tiktok] {
        for format in Format::ALL {
            let req = request(format, "en", None, Some(platform), &brief);
            let content = builtin::fill(&req);
            assert_within_limits(&content, Some(platform), &format!("{format:?}"));
        }
    }
    // A caption far over the limit: the words that are kept are whole.
    let long = vec!["word"; 3000].join(" ");
    let mut req = request(Format::Caption, "en", None, Some(Platform::Instagram), "");
    req.template = Some(Template {
        slots: Vec::new(),
        content: Content::Caption {
            text: long,
            hashtags: vec!["#one".into(), "#two".into()],
        },
        ..template(&catalog().templates[0], "en")
    });
    let Content::Caption { text, hashtags } = builtin::fill(&req) else {
        panic!("a caption");
    };
    assert!(text.ends_with("word…"), "{}", &text[text.len() - 20..]);
    assert_eq!(hashtags, ["#one", "#two"]);
    assert!(text.chars().count() + "\n\n#one #two".len() <= 2200);
}

#[tokio::test]
async fn a_stopped_generation_ends_as_cancelled() {
    let file = catalog();
    let t = &file.templates[1];
    let req = request(
        t.format(),
        "de",
        Some(template(t, "de")),
        Some(Platform::Youtube),
        BRIEF_DE,
    );
    let mut progress = Recorder {
        stop_after: Some(2),
        ..Recorder::default()
    };
    let err = Builtin.generate(&req, &mut progress).await.unwrap_err();
    assert_eq!(err, EngineError::Cancelled);
    assert_eq!(progress.pieces.len(), 2, "it went on after the stop");

    let mut at_once = Recorder {
        stop_after: Some(0),
        ..Recorder::default()
    };
    let err = Builtin.generate(&req, &mut at_once).await.unwrap_err();
    assert_eq!(err, EngineError::Cancelled);
    assert!(at_once.pieces.is_empty());
}

/// Any text: arbitrary unicode (control characters included), text shaped
/// like a brief, and huge text.
fn any_brief() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        any::<String>(),
        "[a-zA-ZäöüßÄÖÜ#:{}\\[\\]_ .,;!?\n-]{0,400}",
        (any::<String>(), 1usize..400).prop_map(|(s, n)| s.repeat(n)),
        ("[a-z#]{1,12}", 100usize..3000).prop_map(|(w, n)| vec![w; n].join(" ")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn no_brief_makes_it_panic_or_break_a_limit(
        brief in any_brief(),
        pillar_name in proptest::option::of(any::<String>()),
        which in any::<prop::sample::Index>(),
        german in any::<bool>(),
        format in prop::sample::select(Format::ALL.to_vec()),
        with_template in any::<bool>(),
        platform in proptest::option::of(prop::sample::select(Platform::ALL.to_vec())),
    ) {
        let file = catalog();
        let locale = if german { "de" } else { "en" };
        let t = which.get(&file.templates);
        let template = with_template.then(|| template(t, locale));
        let mut req = request(format, locale, template, platform, &brief);
        req.tone = Some(tone(&file, &which.get(&file.tones).slug, locale));
        req.pillar = pillar_name.as_deref().map(pillar);
        let content = builtin::fill(&req);
        assert_within_limits(&content, platform, &format!("brief of {} chars", brief.len()));
        prop_assert_eq!(builtin::fill(&req), content);
    }
}
