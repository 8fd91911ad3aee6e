//! The greeting before the positions, and the advice and conclusion after them, drawn
//! from the spread as a whole.

use super::*;

pub(super) fn greeting(
    subject: Subject,
    concern: &str,
    cards: &[Drawn],
    ch: &mut Chooser,
    lang: Language,
) -> String {
    let majors = cards.iter().filter(|d| d.card.is_major()).count();
    let reversed = cards.iter().filter(|d| d.reversed).count();
    let quoted = short(concern, 120);
    match lang {
        Language::Ko => {
            let hello = ch.pick(&["반갑습니다.", "어서 오세요.", "찾아 주셔서 고맙습니다."]);
            let intro = subject.intro.ko;
            let majors_line = match majors {
                0 => "메이저 아르카나 없이 마이너 카드만 나왔습니다. 큰 운명의 흐름보다 매일의 선택과 습관이 답을 쥐고 있다는 뜻입니다.".to_owned(),
                1 | 2 => format!("다섯 장 가운데 메이저 아르카나가 {majors}장 섞여 있어, 일상의 일 사이로 조금 더 큰 흐름이 지나가고 있습니다."),
                _ => format!("다섯 장 가운데 메이저 아르카나가 {majors}장이나 나왔습니다. 한 사람의 선택을 넘어서는 큰 흐름이 이 고민에 닿아 있습니다."),
            };
            let reversed_line = match reversed {
                0 => "역방향 카드가 한 장도 없어 기운이 비교적 막힘없이 흐릅니다.".to_owned(),
                1 | 2 => format!(
                    "역방향 카드는 {reversed}장으로, 몇몇 자리에서 에너지가 안으로 숨거나 잠시 멈춰 있습니다."
                ),
                _ => format!(
                    "역방향 카드가 {reversed}장으로 많은 편이니, 밖으로 드러나지 못한 마음이나 미뤄 둔 일을 함께 살펴봐야 합니다."
                ),
            };
            format!(
                "{hello} {intro} 당신이 가져온 물음은 이것입니다.\n\n“{quoted}”\n\n이 물음을 마음에 두고 고른 다섯 장을 과거, 현재, 미래, 그리고 두 장의 조언 자리에 차례로 펼쳤습니다. {majors_line} {reversed_line}"
            )
        }
        Language::En => {
            let hello = ch.pick(&["Welcome.", "Hello, and welcome.", "Thank you for coming."]);
            let intro = subject.intro.en;
            let majors_line = match majors {
                0 => "No major arcana appeared, only minor cards: the answer lies less in fate than in everyday choices and habits.".to_owned(),
                1 => "One of the five is a major arcanum, so a larger current runs beneath the everyday matters.".to_owned(),
                2 => "Two of the five are major arcana, so a larger current runs beneath the everyday matters.".to_owned(),
                n => format!("{} of the five are major arcana: something larger than a single choice is touching this question.", upper_first(number_word(n))),
            };
            let reversed_line = match reversed {
                0 => "No card is reversed, so the energy flows fairly freely.".to_owned(),
                1 => "One card is reversed: in that place the energy turns inward or pauses."
                    .to_owned(),
                2 => "Two cards are reversed: in those places the energy turns inward or pauses."
                    .to_owned(),
                n => format!(
                    "{} cards are reversed, a good many, so feelings left unspoken and tasks put off deserve a look as well.",
                    upper_first(number_word(n))
                ),
            };
            format!(
                "{hello} {intro} You brought this question:\n\n“{quoted}”\n\nWith it in mind, the five cards you chose were laid out in turn for the past, the present, the future and two places of advice. {majors_line} {reversed_line}"
            )
        }
    }
}

pub(super) fn number_word(n: usize) -> &'static str {
    ["zero", "one", "two", "three", "four", "five"]
        .get(n)
        .copied()
        .unwrap_or("several")
}

pub(super) fn short(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        text
    } else {
        let cut: String = text.chars().take(max).collect();
        format!("{}…", cut.trim_end())
    }
}

pub(super) fn advice(
    subject: Subject,
    cards: &[Drawn],
    ch: &mut Chooser,
    lang: Language,
) -> String {
    let (first, second) = (&cards[3], &cards[4]);
    let a1 = first.card.advice.side(first.reversed).get(lang);
    let a2 = second.card.advice.side(second.reversed).get(lang);
    let n1 = named(first.card, first.reversed, lang);
    let n2 = named(second.card, second.reversed, lang);
    let k1 = keyword_list(first.card, first.reversed, lang);
    let k2 = first_keyword(second.card, second.reversed, lang);
    match lang {
        Language::Ko => {
            let open = ch
                .pick(&[
                    format!(
                        "첫 번째 조언 카드로 {} 나왔습니다.",
                        with_particle(&n1, Particle::Subject)
                    ),
                    format!(
                        "조언의 첫 자리에는 {} 놓였습니다.",
                        with_particle(&n1, Particle::Subject)
                    ),
                ])
                .clone();
            let bridge = ch
                .pick(&[
                    format!(
                        "두 번째 조언은 {} 전합니다.",
                        with_particle(&n2, Particle::Subject)
                    ),
                    format!(
                        "여기에 {} 한마디를 보탭니다.",
                        with_particle(&n2, Particle::Subject)
                    ),
                ])
                .clone();
            format!(
                "{open} {} {a1}\n\n{bridge} {a2} 특히 {} {}, 두 조언은 서로를 받쳐 주며 한 방향을 가리킵니다.",
                if first.reversed {
                    format!("{k1}에 빠지지 않도록 조심하라는 신호입니다.")
                } else {
                    format!(
                        "{k1}의 기운을 {} 어떻게 살릴지 생각해 보라는 신호입니다.",
                        subject.domain.ko
                    )
                },
                with_particle(&k2, Particle::Object),
                if second.reversed {
                    "경계한다면"
                } else {
                    "마음에 새긴다면"
                }
            )
        }
        Language::En => {
            let open = ch
                .pick(&[
                    format!("The first card of advice is {n1}."),
                    format!("In the first place of advice lies {n1}."),
                ])
                .clone();
            let bridge = ch
                .pick(&[
                    format!("The second piece of advice comes from {n2}."),
                    format!("To this, {n2} adds a word of its own."),
                ])
                .clone();
            format!(
                "{open} {} {a1}\n\n{bridge} {a2} Keep {} in mind in particular, and the two pieces of advice will support each other and point the same way.",
                subject.domain.en, k2
            )
        }
    }
}

/// The suit that appears at least twice, if one does more than any other.
pub(super) fn dominant_suit(cards: &[Drawn]) -> Option<&'static str> {
    let counts: Vec<(&'static str, usize)> = SUITS
        .iter()
        .map(|s| {
            (
                *s,
                cards
                    .iter()
                    .filter(|d| d.card.suit.as_deref() == Some(*s))
                    .count(),
            )
        })
        .collect();
    let max = counts.iter().map(|c| c.1).max().unwrap_or(0);
    let top: Vec<&(&str, usize)> = counts.iter().filter(|c| c.1 == max).collect();
    (max >= 2 && top.len() == 1).then(|| top[0].0)
}

pub(super) fn conclusion(
    subject: Subject,
    cards: &[Drawn],
    ch: &mut Chooser,
    lang: Language,
) -> String {
    let past = first_keyword(cards[0].card, cards[0].reversed, lang);
    let present = first_keyword(cards[1].card, cards[1].reversed, lang);
    let future = first_keyword(cards[2].card, cards[2].reversed, lang);
    let suit = dominant_suit(cards);
    match lang {
        Language::Ko => {
            let arc = format!(
                "정리하면, {}에서 출발해 {}의 시기를 지나 {} 나아가는 흐름입니다.",
                past,
                present,
                with_particle(&future, Particle::Toward)
            );
            let suit_line = match suit {
                Some("wands") => "완드가 두드러진 만큼 열정과 실행력이 이 흐름의 열쇠입니다.",
                Some("cups") => {
                    "컵이 두드러진 만큼 감정과 관계를 돌보는 일이 이 흐름의 열쇠입니다."
                }
                Some("swords") => {
                    "검이 두드러진 만큼 명확한 생각과 솔직한 말이 이 흐름의 열쇠입니다."
                }
                Some(_) => {
                    "펜타클이 두드러진 만큼 돈과 몸, 손에 잡히는 현실을 챙기는 일이 이 흐름의 열쇠입니다."
                }
                None => {
                    "네 가지 원소가 고르게 섞여 있어, 한쪽에 치우치기보다 균형을 잡을 때 길이 열립니다."
                }
            };
            let close = subject.closing.ko;
            let bye = ch.pick(&[
                "카드는 정해진 운명이 아니라 지금을 비추는 거울이니, 마음에 남는 한 문장을 골라 오늘부터 작게 실천해 보세요.",
                "카드가 보여 준 그림은 방향일 뿐, 걸음을 내딛는 사람은 당신입니다. 당신의 선택을 응원합니다.",
                "이 리딩이 고민을 조금 가볍게 하는 데 보탬이 되기를 바랍니다. 흐름이 바뀌면 언제든 다시 카드를 펼쳐 보세요.",
            ]);
            format!("{arc} {suit_line} {close}\n\n{bye}")
        }
        Language::En => {
            let arc = format!(
                "In short, the story sets out from {past}, passes through a time of {present} and moves toward {future}."
            );
            let suit_line = match suit {
                Some("wands") => {
                    "With wands to the fore, passion and action are the key to this path."
                }
                Some("cups") => {
                    "With cups to the fore, tending feelings and relationships is the key to this path."
                }
                Some("swords") => {
                    "With swords to the fore, clear thinking and honest words are the key to this path."
                }
                Some(_) => {
                    "With pentacles to the fore, looking after money, body and the practical world is the key to this path."
                }
                None => {
                    "The four elements are evenly mixed, so the way opens through balance rather than leaning to one side."
                }
            };
            let close = subject.closing.en;
            let bye = ch.pick(&[
                "The cards are not a fixed fate but a mirror of the present: pick the one sentence that stays with you and start living it in a small way today.",
                "The picture the cards drew is only a direction; you are the one who takes the steps. Good luck with your choice.",
                "I hope this reading makes the question a little lighter. When things change, lay out the cards again.",
            ]);
            format!("{arc} {suit_line} {close}\n\n{bye}")
        }
    }
}
