//! Card faces and the card back, drawn by confab as SVG: a frame in the suit's colours,
//! the Roman numeral or rank at the top, an emblem in the middle (each major arcanum has
//! its own, court cards a headpiece over their suit's symbol, pip cards their suit's symbol
//! repeated as many times as the rank), and the name in the requested language at the
//! bottom. Pure shapes and text: no scripts, no external references (only `#id` uses of
//! symbols defined in the same file), so a face is safe to serve from our origin and to
//! show in an `<img>`.
//!
//! Every image is rendered once at start-up; [`Images`] keeps the bytes and their ETags.

use std::collections::HashMap;
use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use super::deck::{self, Card};

mod emblems;
use crate::lang::Language;
use emblems::{court_emblem, major_emblem, pip_positions, star_path, suit_symbol};

const W: f64 = 240.0;
const H: f64 = 400.0;

/// Colours of a card: background, frame and ink.
struct Palette {
    paper: &'static str,
    frame: &'static str,
    ink: &'static str,
    accent: &'static str,
}

fn palette(card: &Card) -> Palette {
    match card.suit.as_deref() {
        Some("wands") => Palette {
            paper: "#fbefe2",
            frame: "#b4532a",
            ink: "#5a2410",
            accent: "#e58e3a",
        },
        Some("cups") => Palette {
            paper: "#e9f1fb",
            frame: "#2f5f9e",
            ink: "#14325a",
            accent: "#6fa3dc",
        },
        Some("swords") => Palette {
            paper: "#eef0f3",
            frame: "#56606e",
            ink: "#222a35",
            accent: "#9aa6b5",
        },
        Some(_) => Palette {
            paper: "#f6f3df",
            frame: "#7a6a1c",
            ink: "#3d3608",
            accent: "#c9a92c",
        },
        None => Palette {
            paper: "#f4eefb",
            frame: "#5b3b8c",
            ink: "#2b1748",
            accent: "#d4a437",
        },
    }
}

/// Escapes text for an SVG text node or attribute.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

const ROMAN: [&str; 22] = [
    "0", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV",
    "XV", "XVI", "XVII", "XVIII", "XIX", "XX", "XXI",
];

/// The label at the top of a card.
pub fn top_label(card: &Card, lang: Language) -> String {
    if card.is_major() {
        return ROMAN
            .get(usize::from(card.rank))
            .copied()
            .unwrap_or("")
            .to_owned();
    }
    match (card.rank, lang) {
        (1, Language::Ko) => "에이스".into(),
        (1, Language::En) => "ACE".into(),
        (11, Language::Ko) => "시종".into(),
        (11, Language::En) => "PAGE".into(),
        (12, Language::Ko) => "기사".into(),
        (12, Language::En) => "KNIGHT".into(),
        (13, Language::Ko) => "여왕".into(),
        (13, Language::En) => "QUEEN".into(),
        (14, Language::Ko) => "왕".into(),
        (14, Language::En) => "KING".into(),
        (n, _) => ROMAN.get(usize::from(n)).copied().unwrap_or("").to_owned(),
    }
}

/// One card face in one language.
pub fn face(card: &Card, lang: Language) -> String {
    let p = palette(card);
    let name = esc(card.name.get(lang));
    let top = esc(&top_label(card, lang));
    let suit = card.suit.as_deref().unwrap_or("");
    let mut body = String::new();
    if card.is_major() {
        let _ = write!(
            body,
            r##"<g transform="translate(120 205)">{}</g>"##,
            major_emblem(card.rank, &p)
        );
    } else if card.rank >= 11 {
        let _ = write!(
            body,
            r##"<g transform="translate(120 165) scale(1.3)">{}</g><use href="#suit" transform="translate(120 262) scale(1.6)"/>"##,
            court_emblem(card.rank, &p)
        );
    } else {
        let scale = match card.rank {
            1 => 2.6,
            2..=6 => 1.35,
            _ => 1.0,
        };
        for (x, y) in pip_positions(card.rank) {
            let _ = write!(
                body,
                r##"<use href="#suit" transform="translate({:.1} {:.1}) scale({scale})"/>"##,
                120.0 + x,
                205.0 + y
            );
        }
    }
    let defs = if card.is_major() {
        String::new()
    } else {
        format!(
            r##"<defs><g id="suit">{}</g></defs>"##,
            suit_symbol(suit, &p)
        )
    };
    let font_size = if card.name.get(lang).chars().count() > 16 {
        15
    } else {
        18
    };
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-label="{name}">{defs}<rect x="2" y="2" width="236" height="396" rx="16" fill="{paper}" stroke="{frame}" stroke-width="4"/><rect x="12" y="12" width="216" height="376" rx="10" fill="none" stroke="{frame}" stroke-width="1.5"/><rect x="20" y="20" width="200" height="38" rx="6" fill="{frame}"/><text x="120" y="46" text-anchor="middle" font-family="Georgia, 'Noto Serif KR', serif" font-size="20" font-weight="bold" fill="{paper}">{top}</text>{body}<rect x="20" y="342" width="200" height="38" rx="6" fill="{frame}"/><text x="120" y="367" text-anchor="middle" font-family="Georgia, 'Noto Serif KR', serif" font-size="{font_size}" fill="{paper}">{name}</text></svg>"##,
        paper = p.paper,
        frame = p.frame,
    )
}

/// The card back: a symmetric pattern (a reversed card looks the same from behind).
pub fn back() -> String {
    let mut rings = String::new();
    for i in 0..12 {
        let a = (30.0 * i as f64).to_radians();
        let _ = write!(
            rings,
            r##"<circle cx="{:.1}" cy="{:.1}" r="5" fill="#d4a437"/>"##,
            120.0 + 70.0 * a.cos(),
            200.0 + 70.0 * a.sin()
        );
    }
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="{W}" height="{H}" role="img" aria-label="tarot card back"><rect x="2" y="2" width="236" height="396" rx="16" fill="#2b1748" stroke="#d4a437" stroke-width="4"/><rect x="14" y="14" width="212" height="372" rx="10" fill="none" stroke="#d4a437" stroke-width="1.5" stroke-dasharray="4 4"/><circle cx="120" cy="200" r="90" fill="none" stroke="#d4a437" stroke-width="2"/><circle cx="120" cy="200" r="52" fill="#5b3b8c" stroke="#d4a437" stroke-width="2"/>{rings}<path d="{star}" fill="#d4a437"/><path d="{s1}" fill="#d4a437"/><path d="{s2}" fill="#d4a437"/><path d="{s3}" fill="#d4a437"/><path d="{s4}" fill="#d4a437"/></svg>"##,
        star = star_path(120.0, 200.0, 40.0, 15.0, 8, -90.0),
        s1 = star_path(40.0, 50.0, 12.0, 5.0, 4, -90.0),
        s2 = star_path(200.0, 50.0, 12.0, 5.0, 4, -90.0),
        s3 = star_path(40.0, 350.0, 12.0, 5.0, 4, -90.0),
        s4 = star_path(200.0, 350.0, 12.0, 5.0, 4, -90.0),
    )
}

/// An image ready to serve.
pub struct Image {
    pub body: bytes::Bytes,
    /// Strong ETag, quoted.
    pub etag: String,
}

impl Image {
    /// A body ready to serve, with a strong ETag from its digest.
    pub fn tagged(body: impl Into<bytes::Bytes>) -> Image {
        let body = body.into();
        let digest = Sha256::digest(&body);
        let etag = format!(
            "\"{}\"",
            digest[..12]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        Image { body, etag }
    }
}

/// Every face in both languages, and the back.
pub struct Images {
    faces: HashMap<(u8, Language), Image>,
    pub back: Image,
}

impl Images {
    pub fn render() -> Images {
        let mut faces = HashMap::new();
        for card in deck::deck() {
            for lang in [Language::Ko, Language::En] {
                faces.insert((card.num, lang), Image::tagged(face(card, lang)));
            }
        }
        Images {
            faces,
            back: Image::tagged(back()),
        }
    }

    pub fn face(&self, num: u8, lang: Language) -> Option<&Image> {
        self.faces.get(&(num, lang))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks that an SVG is well-formed XML with no script, event handler, foreign
    /// object or reference outside the document.
    pub fn assert_safe_svg(svg: &str) {
        let doc = roxmltree::Document::parse(svg).expect("well-formed SVG");
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        for node in doc.descendants().filter(|n| n.is_element()) {
            let tag = node.tag_name().name().to_ascii_lowercase();
            assert!(
                !["script", "foreignobject", "image", "iframe", "a", "style"]
                    .contains(&tag.as_str()),
                "forbidden element {tag}"
            );
            for attr in node.attributes() {
                let name = attr.name().to_ascii_lowercase();
                assert!(!name.starts_with("on"), "event handler {name}");
                if name == "href" {
                    assert!(
                        attr.value().starts_with('#'),
                        "external reference {}",
                        attr.value()
                    );
                }
                assert!(!attr.value().contains("url("), "url() in {name}");
            }
        }
    }

    #[test]
    fn every_face_and_the_back_are_safe_well_formed_svg() {
        for card in deck::deck() {
            for lang in [Language::Ko, Language::En] {
                assert_safe_svg(&face(card, lang));
            }
        }
        assert_safe_svg(&back());
    }

    #[test]
    fn a_face_shows_the_name_in_the_asked_language_and_its_numeral() {
        let fool = deck::card(0).expect("fool");
        let ko = face(fool, Language::Ko);
        assert!(ko.contains("바보") && ko.contains(">0<"));
        let tower = deck::card(16).expect("tower");
        assert!(face(tower, Language::En).contains(">XVI<"));
        let queen = deck::card(48).expect("queen of cups");
        assert!(face(queen, Language::En).contains("QUEEN"));
    }

    #[test]
    fn pip_cards_repeat_their_suit_symbol_as_often_as_their_rank() {
        for card in deck::deck()
            .iter()
            .filter(|c| !c.is_major() && c.rank <= 10)
        {
            let svg = face(card, Language::En);
            assert_eq!(
                svg.matches("<use ").count(),
                usize::from(card.rank),
                "{}",
                card.id
            );
        }
    }

    #[test]
    fn every_major_arcanum_has_its_own_emblem() {
        let p = palette(deck::card(0).expect("fool"));
        let emblems: std::collections::HashSet<String> =
            (0..22).map(|r| major_emblem(r, &p)).collect();
        assert_eq!(emblems.len(), 22);
    }

    #[test]
    fn names_are_escaped() {
        assert_eq!(esc("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
    }
}
