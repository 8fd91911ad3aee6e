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
use crate::lang::Language;

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

/// The suit symbols, drawn in a 40×40 box centred on the origin.
fn suit_symbol(suit: &str, p: &Palette) -> String {
    let (ink, accent) = (p.ink, p.accent);
    match suit {
        "wands" => format!(
            r##"<g stroke="{ink}" stroke-width="2" stroke-linecap="round"><line x1="-9" y1="18" x2="9" y2="-18" stroke-width="5"/><path d="M3 -10 q8 -4 10 -12 M-1 0 q-9 -2 -12 -9 M-5 9 q8 2 11 8" fill="none" stroke="{accent}"/><circle cx="4" cy="-7" r="2.5" fill="{accent}" stroke="none"/><circle cx="-4" cy="6" r="2.5" fill="{accent}" stroke="none"/></g>"##
        ),
        "cups" => format!(
            r##"<g stroke="{ink}" stroke-width="2" stroke-linejoin="round"><path d="M-14 -16 h28 q0 18 -14 22 q-14 -4 -14 -22 z" fill="{accent}"/><path d="M0 6 v8 M-9 17 h18" fill="none"/><path d="M-14 -16 q14 5 28 0" fill="none"/></g>"##
        ),
        "swords" => format!(
            r##"<g stroke="{ink}" stroke-width="2" stroke-linejoin="round"><path d="M0 -19 l4 6 v18 h-8 v-18 z" fill="{accent}"/><path d="M-11 5 h22 M0 5 v8" fill="none" stroke-width="3"/><circle cx="0" cy="16" r="3" fill="{ink}"/></g>"##
        ),
        _ => format!(
            r##"<g stroke="{ink}" stroke-width="2"><circle r="16" fill="{accent}"/><path d="{star}" fill="none" stroke-linejoin="round"/></g>"##,
            star = star_path(0.0, 0.0, 13.0, 5.2, 5, -90.0)
        ),
    }
}

/// A star's outline: `points` tips at radius `outer`, notches at `inner`, first tip at
/// `start` degrees.
fn star_path(cx: f64, cy: f64, outer: f64, inner: f64, points: usize, start: f64) -> String {
    let mut d = String::new();
    for i in 0..points * 2 {
        let r = if i % 2 == 0 { outer } else { inner };
        let a = (start + 180.0 * i as f64 / points as f64).to_radians();
        let _ = write!(
            d,
            "{}{:.1} {:.1} ",
            if i == 0 { "M" } else { "L" },
            cx + r * a.cos(),
            cy + r * a.sin()
        );
    }
    d.push('Z');
    d
}

/// Where the pips of a numbered card go, in a box 120 wide and 200 tall centred on 0.
fn pip_positions(rank: u8) -> Vec<(f64, f64)> {
    let (l, c, r) = (-34.0, 0.0, 34.0);
    let rows4 = [-75.0, -25.0, 25.0, 75.0];
    match rank {
        1 => vec![(c, 0.0)],
        2 => vec![(c, -60.0), (c, 60.0)],
        3 => vec![(c, -70.0), (c, 0.0), (c, 70.0)],
        4 => vec![(l, -60.0), (r, -60.0), (l, 60.0), (r, 60.0)],
        5 => vec![(l, -60.0), (r, -60.0), (c, 0.0), (l, 60.0), (r, 60.0)],
        6 => vec![
            (l, -70.0),
            (r, -70.0),
            (l, 0.0),
            (r, 0.0),
            (l, 70.0),
            (r, 70.0),
        ],
        7 => vec![
            (l, -70.0),
            (r, -70.0),
            (c, -35.0),
            (l, 0.0),
            (r, 0.0),
            (l, 70.0),
            (r, 70.0),
        ],
        8 => vec![
            (l, -70.0),
            (r, -70.0),
            (c, -35.0),
            (l, 0.0),
            (r, 0.0),
            (c, 35.0),
            (l, 70.0),
            (r, 70.0),
        ],
        9 => {
            let mut v: Vec<(f64, f64)> = rows4.iter().flat_map(|&y| [(l, y), (r, y)]).collect();
            v.push((c, 0.0));
            v
        }
        _ => {
            let mut v: Vec<(f64, f64)> = rows4.iter().flat_map(|&y| [(l, y), (r, y)]).collect();
            v.push((c, -50.0));
            v.push((c, 50.0));
            v
        }
    }
}

/// The headpiece of a court card, drawn above its suit symbol.
fn court_emblem(rank: u8, p: &Palette) -> String {
    let (ink, accent) = (p.ink, p.accent);
    match rank {
        // Page: a scroll, the messenger's letter.
        11 => format!(
            r##"<g stroke="{ink}" stroke-width="2.5" fill="{accent}"><rect x="-30" y="-18" width="60" height="36" rx="4"/><circle cx="-30" cy="0" r="18" fill="{ink}" fill-opacity="0.15"/><circle cx="30" cy="0" r="18" fill="{ink}" fill-opacity="0.15"/><path d="M-18 -6 h36 M-18 4 h30" fill="none"/></g>"##
        ),
        // Knight: a shield on a lance.
        12 => format!(
            r##"<g stroke="{ink}" stroke-width="2.5"><line x1="-38" y1="30" x2="38" y2="-30" stroke-width="4"/><path d="M-22 -26 h44 v18 q0 24 -22 34 q-22 -10 -22 -34 z" fill="{accent}"/><path d="M0 -20 v40 M-16 -6 h32" fill="none"/></g>"##
        ),
        // Queen: a rounded crown with a veil of pearls.
        13 => format!(
            r##"<g stroke="{ink}" stroke-width="2.5" stroke-linejoin="round"><path d="M-32 16 l-4 -26 l16 12 l20 -24 l20 24 l16 -12 l-4 26 z" fill="{accent}"/><circle cx="-36" cy="-12" r="4" fill="{paper}"/><circle cx="0" cy="-24" r="5" fill="{paper}"/><circle cx="36" cy="-12" r="4" fill="{paper}"/><path d="M-30 24 q30 12 60 0" fill="none"/></g>"##,
            paper = p.paper
        ),
        // King: a pointed crown with an orb.
        _ => format!(
            r##"<g stroke="{ink}" stroke-width="2.5" stroke-linejoin="round"><path d="M-34 18 v-30 l17 14 l17 -26 l17 26 l17 -14 v30 z" fill="{accent}"/><rect x="-34" y="18" width="68" height="8" fill="{ink}"/><circle cx="0" cy="-34" r="6" fill="{accent}"/><path d="M0 -46 v6 M-4 -43 h8" fill="none"/></g>"##
        ),
    }
}

/// A distinct emblem for each major arcanum, in a box about 150 × 190 centred on 0.
fn major_emblem(rank: u8, p: &Palette) -> String {
    let (ink, accent, paper) = (p.ink, p.accent, p.paper);
    let g = |body: String| {
        format!(
            r##"<g stroke="{ink}" stroke-width="3" stroke-linecap="round" stroke-linejoin="round" fill="none">{body}</g>"##
        )
    };
    let rays = |r1: f64, r2: f64, n: usize| {
        (0..n)
            .map(|i| {
                let a = (360.0 * i as f64 / n as f64).to_radians();
                format!(
                    r##"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}"/>"##,
                    r1 * a.cos(),
                    r1 * a.sin(),
                    r2 * a.cos(),
                    r2 * a.sin()
                )
            })
            .collect::<String>()
    };
    match rank {
        // The Fool: a sun over the cliff's edge and a white rose.
        0 => g(format!(
            r##"<circle cx="30" cy="-50" r="18" fill="{accent}"/>{}<path d="M-70 70 L20 70 L40 20 L70 20" /><circle cx="-25" cy="20" r="10" fill="{paper}"/><circle cx="-25" cy="20" r="4"/><path d="M-25 30 v30"/>"##,
            rays(24.0, 34.0, 12).replace("<line x1=\"", "<line transform=\"translate(30 -50)\" x1=\"")
        )),
        // The Magician: the lemniscate over a raised wand.
        1 => g(format!(
            r##"<path d="M0 -50 C20 -80 55 -80 55 -50 C55 -20 20 -20 0 -50 C-20 -80 -55 -80 -55 -50 C-55 -20 -20 -20 0 -50 Z" stroke="{accent}" stroke-width="5"/><line x1="0" y1="80" x2="0" y2="-5" stroke-width="6"/><circle cx="0" cy="-10" r="6" fill="{paper}"/>"##
        )),
        // The High Priestess: two pillars and the crescent.
        2 => g(format!(
            r##"<rect x="-60" y="-70" width="22" height="150" fill="{ink}"/><rect x="38" y="-70" width="22" height="150" fill="{paper}"/><path d="M-10 -20 a26 26 0 1 0 26 -30 a20 20 0 1 1 -26 30 z" fill="{accent}"/>"##
        )),
        // The Empress: the sign of Venus among wheat.
        3 => g(format!(
            r##"<circle cx="0" cy="-30" r="32" fill="{accent}"/><path d="M0 2 v60 M-22 36 h44"/><path d="M-60 80 q-6 -40 6 -70 M60 80 q6 -40 -6 -70 M-63 40 l-8 -8 M-60 20 l-8 -8 M63 40 l8 -8 M60 20 l8 -8"/>"##
        )),
        // The Emperor: the stone throne with rams' horns.
        4 => g(format!(
            r##"<rect x="-45" y="-30" width="90" height="100" fill="{accent}"/><path d="M-45 -30 q-30 -10 -20 -40 q10 -10 20 5 M45 -30 q30 -10 20 -40 q-10 -10 -20 5"/><path d="M-20 70 v-50 h40 v50"/>"##
        )),
        // The Hierophant: the triple cross between two crossed keys.
        5 => g(format!(
            r##"<path d="M0 -80 v150 M-22 -60 h44 M-30 -40 h60 M-38 -20 h76" stroke-width="5"/><path d="M-60 70 l40 -40 M60 70 l-40 -40" stroke="{accent}" stroke-width="5"/><circle cx="-62" cy="72" r="8" fill="{accent}"/><circle cx="62" cy="72" r="8" fill="{accent}"/>"##
        )),
        // The Lovers: two hearts beneath a radiant sun.
        6 => g(format!(
            r##"<circle cx="0" cy="-55" r="16" fill="{accent}"/>{}<path d="M-30 30 c-30 -25 -10 -50 8 -32 c18 -18 38 7 8 32 l-8 8 z" transform="translate(-10 0)" fill="{paper}"/><path d="M-30 30 c-30 -25 -10 -50 8 -32 c18 -18 38 7 8 32 l-8 8 z" transform="translate(42 20)" fill="{accent}"/>"##,
            rays(22.0, 30.0, 10).replace("<line x1=\"", "<line transform=\"translate(0 -55)\" x1=\"")
        )),
        // The Chariot: a starry canopy on two wheels.
        7 => g(format!(
            r##"<path d="M-55 -40 h110 v60 h-110 z" fill="{accent}"/><path d="M-55 -40 l10 -25 h90 l10 25"/><path d="{s1}" fill="{paper}" stroke-width="1.5"/><path d="{s2}" fill="{paper}" stroke-width="1.5"/><circle cx="-38" cy="45" r="22"/><circle cx="38" cy="45" r="22"/><path d="M-38 23 v44 M-60 45 h44 M38 23 v44 M16 45 h44"/>"##,
            s1 = star_path(-20.0, -10.0, 10.0, 4.0, 6, -90.0),
            s2 = star_path(20.0, -10.0, 10.0, 4.0, 6, -90.0)
        )),
        // Strength: the lion's mane beneath the lemniscate.
        8 => g(format!(
            r##"<path d="M0 -75 c10 -14 28 -14 28 0 c0 14 -18 14 -28 0 c-10 -14 -28 -14 -28 0 c0 14 18 14 28 0 z" stroke="{accent}"/>{}<circle cx="0" cy="15" r="34" fill="{accent}"/><circle cx="-12" cy="8" r="3" fill="{ink}"/><circle cx="12" cy="8" r="3" fill="{ink}"/><path d="M-10 28 q10 8 20 0"/>"##,
            rays(38.0, 56.0, 18).replace("<line x1=\"", "<line transform=\"translate(0 15)\" x1=\"")
        )),
        // The Hermit: the lantern holding a six-pointed star.
        9 => g(format!(
            r##"<path d="M0 -80 v20"/><path d="M-30 -60 h60 l-8 90 h-44 z" fill="{paper}"/><path d="{star}" fill="{accent}"/><path d="M-30 30 h60 l-10 14 h-40 z" fill="{ink}"/><path d="M60 -90 v180" stroke-width="5"/>"##,
            star = star_path(0.0, -15.0, 22.0, 11.0, 6, -90.0)
        )),
        // The Wheel of Fortune: the eight-spoked wheel.
        10 => g(format!(
            r##"<circle r="70" fill="{accent}"/><circle r="50" fill="{paper}"/><circle r="12" fill="{ink}"/>{}"##,
            rays(12.0, 70.0, 8)
        )),
        // Justice: the balance and the upright sword.
        11 => g(format!(
            r##"<path d="M0 -85 v170" stroke-width="5"/><path d="M-8 -70 h16"/><path d="M-60 -40 h120"/><path d="M-60 -40 l-18 40 h36 z M60 -40 l-18 40 h36 z" fill="{accent}"/><circle cx="0" cy="-40" r="6" fill="{ink}"/>"##
        )),
        // The Hanged Man: the living tau cross with a halo below.
        12 => g(format!(
            r##"<path d="M-55 -75 h110 M0 -75 v40" stroke-width="6"/><path d="M0 -35 l-20 60 h40 z" fill="{accent}"/><circle cx="0" cy="48" r="20" fill="{paper}"/><circle cx="0" cy="48" r="28" stroke="{accent}"/>"##
        )),
        // Death: the banner with the white rose.
        13 => g(format!(
            r##"<path d="M-50 -85 v170" stroke-width="5"/><path d="M-50 -80 h100 v80 h-100 z" fill="{ink}"/>{}<circle cx="0" cy="-40" r="8" fill="{accent}" stroke="none"/>"##,
            (0..5)
                .map(|i| {
                    let a = (72.0 * i as f64 - 90.0).to_radians();
                    format!(
                        r##"<circle cx="{:.1}" cy="{:.1}" r="13" fill="{paper}" stroke="{paper}"/>"##,
                        14.0 * a.cos(),
                        -40.0 + 14.0 * a.sin()
                    )
                })
                .collect::<String>()
        )),
        // Temperance: water poured between two cups under a triangle.
        14 => g(format!(
            r##"<path d="M-30 -85 l30 -0 l-15 26 z" fill="{accent}"/><path d="M-60 -40 h40 q0 30 -20 36 q-20 -6 -20 -36 z" fill="{paper}"/><path d="M20 40 h40 q0 30 -20 36 q-20 -6 -20 -36 z" fill="{paper}"/><path d="M-30 -6 q20 20 60 46" stroke="{accent}" stroke-width="6"/>"##
        )),
        // The Devil: the inverted pentagram and the chains.
        15 => g(format!(
            r##"<circle cx="0" cy="-30" r="48" fill="{ink}"/><path d="{star}" stroke="{accent}" stroke-width="3"/><path d="M-40 40 q0 30 20 40 M40 40 q0 30 -20 40" stroke-dasharray="6 4"/>"##,
            star = star_path(0.0, -30.0, 40.0, 15.0, 5, 90.0)
        )),
        // The Tower: struck by lightning, its crown falling.
        16 => g(format!(
            r##"<path d="M-28 85 v-130 h56 v130 z" fill="{paper}"/><path d="M-34 -45 l6 -18 h56 l6 18" fill="{accent}"/><path d="M60 -90 l-30 40 h20 l-30 40" stroke="{accent}" stroke-width="5"/><rect x="-10" y="-15" width="20" height="26"/><rect x="-10" y="30" width="20" height="26"/>"##
        )),
        // The Star: one great star and seven small ones.
        17 => g(format!(
            r##"<path d="{big}" fill="{accent}"/>{small}"##,
            big = star_path(0.0, -10.0, 55.0, 22.0, 8, -90.0),
            small = (0..7)
                .map(|i| {
                    let a = (360.0 * i as f64 / 7.0 - 90.0).to_radians();
                    format!(
                        r##"<path d="{}" fill="{paper}" stroke-width="1.5"/>"##,
                        star_path(78.0 * a.cos(), -10.0 + 78.0 * a.sin(), 9.0, 3.5, 8, -90.0)
                    )
                })
                .collect::<String>()
        )),
        // The Moon: the moon between two towers, dew falling.
        18 => g(format!(
            r##"<circle cx="0" cy="-40" r="36" fill="{accent}"/><path d="M-8 -72 a32 32 0 0 1 0 64 a40 40 0 0 0 0 -64 z" fill="{paper}"/><path d="M-70 85 v-60 h24 v60 M46 85 v-60 h24 v60" fill="{paper}"/><path d="M-20 20 v8 M0 30 v8 M20 20 v8"/>"##
        )),
        // The Sun: a great radiant sun.
        19 => g(format!(
            r##"{}<circle r="44" fill="{accent}"/><circle cx="-14" cy="-8" r="4" fill="{ink}"/><circle cx="14" cy="-8" r="4" fill="{ink}"/><path d="M-16 14 q16 14 32 0"/>"##,
            rays(52.0, 80.0, 16)
        )),
        // Judgement: the trumpet with its banner of the cross.
        20 => g(format!(
            r##"<path d="M-70 -60 L50 20 L64 -4 Z" fill="{accent}"/><path d="M-70 -60 l-10 -6"/><path d="M-20 -26 v50 h40 v-36" fill="{paper}"/><path d="M0 -18 v34 M-12 -2 h24"/><path d="M-60 80 q60 -30 120 0"/>"##
        )),
        // The World: the wreath with the four living creatures at its corners.
        _ => g(format!(
            r##"<ellipse rx="45" ry="70" stroke="{accent}" stroke-width="8"/><path d="M-8 -80 l8 -8 l8 8 M-8 80 l8 8 l8 -8"/><circle cx="-62" cy="-80" r="10" fill="{paper}"/><circle cx="62" cy="-80" r="10" fill="{paper}"/><circle cx="-62" cy="80" r="10" fill="{paper}"/><circle cx="62" cy="80" r="10" fill="{paper}"/>"##
        )),
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
    fn new(svg: String) -> Image {
        let digest = Sha256::digest(svg.as_bytes());
        let etag = format!(
            "\"{}\"",
            digest[..12]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        Image {
            body: bytes::Bytes::from(svg),
            etag,
        }
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
                faces.insert((card.num, lang), Image::new(face(card, lang)));
            }
        }
        Images {
            faces,
            back: Image::new(back()),
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
