//! The middle of a card face: a suit's symbol, the pips of a numbered card, a court card's
//! headpiece and each major arcanum's own emblem.

use std::fmt::Write as _;

use super::Palette;

/// The suit symbols, drawn in a 40×40 box centred on the origin.
pub(super) fn suit_symbol(suit: &str, p: &Palette) -> String {
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
pub(super) fn star_path(
    cx: f64,
    cy: f64,
    outer: f64,
    inner: f64,
    points: usize,
    start: f64,
) -> String {
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
pub(super) fn pip_positions(rank: u8) -> Vec<(f64, f64)> {
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
pub(super) fn court_emblem(rank: u8, p: &Palette) -> String {
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
pub(super) fn major_emblem(rank: u8, p: &Palette) -> String {
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
