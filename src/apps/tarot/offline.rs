//! The offline reading: composed from the cards' meanings for the subject (each subject has
//! its own angle on every position), the positions and the reversed state, in the reader's
//! language. Deterministic: the wording variants are chosen by a hash of the whole input, so
//! the same question with the same cards always reads the same. Every paragraph is built
//! from a different card or a different part of one, so none appears twice in a reading.

use sha2::{Digest, Sha256};

use super::deck::{Card, SUITS};
use super::{Drawn, POSITIONS, Sections, Subject};
use crate::apps::interview::korean::{Particle, with_particle};
use crate::lang::Language;

/// Chooses wording variants from a hash of the input.
struct Chooser {
    seed: [u8; 32],
    next: usize,
}

impl Chooser {
    fn new(subject: Subject, concern: &str, lang: Language, cards: &[Drawn]) -> Chooser {
        let mut h = Sha256::new();
        h.update(subject.id.as_bytes());
        h.update([0]);
        h.update(concern.as_bytes());
        h.update([0]);
        h.update(lang.as_str().as_bytes());
        for d in cards {
            h.update([d.card.num, u8::from(d.reversed)]);
        }
        Chooser {
            seed: h.finalize().into(),
            next: 0,
        }
    }

    fn pick<'a, T>(&mut self, options: &'a [T]) -> &'a T {
        let byte = self.seed[self.next % self.seed.len()];
        self.next += 1;
        &options[usize::from(byte) % options.len()]
    }
}

/// A card's name as it stands inside a sentence: "역방향의 바보", "the reversed Fool",
/// "the Queen of Cups", "The Tower".
fn named(card: &Card, reversed: bool, lang: Language) -> String {
    match (lang, reversed) {
        (Language::Ko, true) => format!("역방향의 {}", card.name.ko),
        (Language::Ko, false) => card.name.ko.clone(),
        (Language::En, true) => {
            let bare = card.name.en.strip_prefix("The ").unwrap_or(&card.name.en);
            format!("the reversed {bare}")
        }
        (Language::En, false) => {
            let name = &card.name.en;
            if name.starts_with("The ") || (card.is_major() && name != "Wheel of Fortune") {
                name.clone()
            } else {
                format!("the {name}")
            }
        }
    }
}

fn keywords(card: &Card, reversed: bool, lang: Language) -> &[String] {
    card.keywords.side(reversed).get(lang)
}

fn first_keyword(card: &Card, reversed: bool, lang: Language) -> String {
    keywords(card, reversed, lang)
        .first()
        .cloned()
        .unwrap_or_else(|| card.name.get(lang).to_owned())
}

fn keyword_list(card: &Card, reversed: bool, lang: Language) -> String {
    let words: Vec<&str> = keywords(card, reversed, lang)
        .iter()
        .take(3)
        .map(String::as_str)
        .collect();
    match lang {
        Language::Ko => words.join(", "),
        Language::En => match words.as_slice() {
            [] => String::new(),
            [one] => (*one).to_owned(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        },
    }
}

/// The opening sentence of a position's paragraph.
fn lead(position: usize, name: &str, ch: &mut Chooser, lang: Language) -> String {
    match lang {
        Language::Ko => {
            let subject = with_particle(name, Particle::Subject);
            let options: [String; 3] = match position {
                0 => [
                    format!("과거의 자리에는 {subject} 놓였습니다."),
                    format!("먼저 지나온 시간을 보면 {subject} 나왔습니다."),
                    format!("이야기의 뿌리인 과거 자리에서는 {subject} 당신을 맞이합니다."),
                ],
                1 => [
                    format!("현재의 자리에는 {subject} 놓였습니다."),
                    format!("이제 지금 이 순간으로 오면 {subject} 보입니다."),
                    format!("한가운데 현재 자리는 {subject} 지키고 있습니다."),
                ],
                _ => [
                    format!("미래의 자리에는 {subject} 놓였습니다."),
                    format!("앞으로 다가올 흐름으로는 {subject} 나왔습니다."),
                    format!("그리고 미래 자리에서 {subject} 기다리고 있습니다."),
                ],
            };
            ch.pick(&options).clone()
        }
        Language::En => {
            let options: [String; 3] = match position {
                0 => [
                    format!("In the position of the past lies {name}."),
                    format!("Looking first at where you have come from, {name} appears."),
                    format!("At the root of the story, the past, you are met by {name}."),
                ],
                1 => [
                    format!("In the position of the present lies {name}."),
                    format!("Coming to this very moment, we find {name}."),
                    format!("The centre of the spread, the present, is held by {name}."),
                ],
                _ => [
                    format!("In the position of the future lies {name}."),
                    format!("For what is coming, the cards show {name}."),
                    format!("And waiting in the future is {name}."),
                ],
            };
            ch.pick(&options).clone()
        }
    }
}

/// How a subject looks at each of the three time positions.
fn frame(subject: &str, position: usize, lang: Language) -> &'static str {
    let (ko, en) = match (subject, position) {
        ("love", 0) => (
            "지나온 관계의 기억으로 보면,",
            "Read as the memory of past relationships,",
        ),
        ("love", 1) => (
            "지금 두 사람 사이, 혹은 당신의 마음에서는",
            "Between you and another, or in your own heart right now,",
        ),
        ("love", _) => ("앞으로의 인연에 비추어 보면,", "For the bonds ahead,"),
        ("money", 0) => (
            "그동안의 씀씀이와 벌이를 돌아보면,",
            "Looking back at how money came and went,",
        ),
        ("money", 1) => (
            "지금 지갑 사정에 비추어 보면,",
            "As for your finances at the moment,",
        ),
        ("money", _) => (
            "앞으로의 금전 흐름으로 읽으면,",
            "For the money that is on its way,",
        ),
        ("study", 0) => (
            "지금까지 쌓아 온 공부를 돌아보면,",
            "Looking back on the studying you have done so far,",
        ),
        ("study", 1) => ("지금의 학업 상황에서는", "In your studies at present,"),
        ("study", _) => (
            "다가올 시험과 배움의 흐름으로 보면,",
            "For the exams and learning ahead,",
        ),
        ("career", 0) => (
            "지나온 일터의 경험으로 보면,",
            "Seen through your working past,",
        ),
        ("career", 1) => (
            "지금 맡은 일과 직장에서는",
            "In your work and workplace today,",
        ),
        ("career", _) => (
            "앞으로의 일과 경력으로 읽으면,",
            "For your work and career ahead,",
        ),
        ("health", 0) => (
            "그동안 몸과 마음이 지나온 길로 보면,",
            "Looking at what your body and mind have been through,",
        ),
        ("health", 1) => (
            "지금의 몸 상태와 생활 습관에서는",
            "In your health and habits right now,",
        ),
        ("health", _) => (
            "앞으로의 컨디션으로 보면,",
            "For your wellbeing in the time ahead,",
        ),
        ("new-year", 0) => (
            "지난해를 정리하는 마음으로 보면,",
            "Closing the book on the year behind you,",
        ),
        ("new-year", 1) => (
            "새해의 문턱에 선 지금,",
            "Standing at the threshold of the new year,",
        ),
        ("new-year", _) => (
            "올 한 해 전체의 흐름으로 읽으면,",
            "Across the whole of the coming year,",
        ),
        ("today", 0) => (
            "어제까지의 일이 오늘에 남긴 흔적으로 보면,",
            "As what yesterday left behind for today,",
        ),
        ("today", 1) => ("오늘 하루의 한가운데에서는", "In the middle of today,"),
        (_, _) => (
            "오늘 저녁까지의 흐름으로 보면,",
            "Between now and this evening,",
        ),
    };
    match lang {
        Language::Ko => ko,
        Language::En => en,
    }
}

/// What the card says for the subject at one position.
fn angle(subject: Subject, position: usize, card: &Card, reversed: bool, lang: Language) -> String {
    let frame = frame(subject.id, position, lang);
    let line = card
        .subjects
        .get(subject.id)
        .map(|t| t.get(lang).to_owned());
    match (line, lang) {
        (Some(line), Language::Ko) if !reversed => format!("{frame} {line}"),
        (Some(line), Language::En) if !reversed => {
            format!("{frame} {}", lower_first(&line))
        }
        (Some(line), Language::Ko) => format!(
            "{frame} 이 카드가 바로 섰다면 이런 뜻이었을 것입니다. {line} 역방향인 지금은 그 기운이 막혀 있거나 늦게 찾아오니, 서두르기보다 무엇이 흐름을 가로막는지부터 살펴보세요."
        ),
        (Some(line), Language::En) => format!(
            "{frame} upright, this card would say: {} Reversed, that energy is blocked or slow to arrive, so look first at what stands in its way rather than pushing ahead.",
            lower_first(&line)
        ),
        (None, lang) => general_angle(subject.id, position, frame, card, reversed, lang),
    }
}

/// The angle of `new-year` and `today`, which the deck has no line for: the card's first
/// key word set in that time frame, different for each position.
fn general_angle(
    subject: &str,
    position: usize,
    frame: &str,
    card: &Card,
    reversed: bool,
    lang: Language,
) -> String {
    let word = first_keyword(card, reversed, lang);
    match lang {
        Language::Ko => {
            let subj = with_particle(&word, Particle::Subject);
            let topic = with_particle(&word, Particle::Topic);
            let sentence = match (subject, position, reversed) {
                ("today", 0, false) => {
                    format!("{word}의 기운이 어제에서 이어져 오늘을 받쳐 줍니다.")
                }
                ("today", 0, true) => format!(
                    "{subj} 아직 마음에 남아 있을 수 있으니, 지난 일은 지난 일로 두고 하루를 시작하세요."
                ),
                ("today", 1, false) => {
                    format!("{subj} 오늘의 열쇠입니다. 작은 일에서라도 그 기운을 한 번 써 보세요.")
                }
                ("today", 1, true) => format!(
                    "{subj} 오늘 발목을 잡을 수 있으니, 그 순간이 오면 한 박자 쉬어 가세요."
                ),
                ("today", _, false) => format!(
                    "오후로 갈수록 {word}의 기운이 커지니, 저녁에는 그 결과를 확인해 보세요."
                ),
                ("today", _, true) => format!(
                    "저녁 무렵 {subj} 고개를 들 수 있으니, 중요한 결정은 조금 일찍 마쳐 두세요."
                ),
                (_, 0, false) => {
                    format!("{topic} 지난해가 남긴 자산이니 새해에도 그대로 가져가세요.")
                }
                (_, 0, true) => format!(
                    "{topic} 지난해에 미처 풀지 못한 숙제이니, 새해 초에 매듭짓는 것이 좋습니다."
                ),
                (_, 1, false) => format!(
                    "{subj} 한 해를 여는 바탕이 됩니다. 첫 달의 계획에 이 기운을 담아 보세요."
                ),
                (_, 1, true) => format!(
                    "{subj} 새해 출발을 더디게 할 수 있으니, 계획을 세우기 전에 마음부터 정리하세요."
                ),
                (_, _, false) => format!(
                    "{word}의 기운이 한 해 동안 차츰 자라, 연말에는 눈에 보이는 결실이 됩니다."
                ),
                (_, _, true) => format!(
                    "{subj} 한 해 동안 되풀이되는 과제가 될 수 있으니, 일찍 알아차릴수록 가볍게 넘길 수 있습니다."
                ),
            };
            format!("{frame} {sentence}")
        }
        Language::En => {
            let sentence = match (subject, position, reversed) {
                ("today", 0, false) => {
                    format!("{word} carries over from yesterday and steadies the day.")
                }
                ("today", 0, true) => format!(
                    "{word} may still weigh on you, so leave what is past in the past and start the day fresh."
                ),
                ("today", 1, false) => {
                    format!("{word} is today's key; use it, even in something small.")
                }
                ("today", 1, true) => format!(
                    "{word} may trip you up today, so when that moment comes, pause for a beat."
                ),
                ("today", _, false) => format!(
                    "{word} grows as the afternoon goes on, so look for its results by evening."
                ),
                ("today", _, true) => format!(
                    "{word} may surface towards evening, so settle important decisions a little early."
                ),
                (_, 0, false) => {
                    format!("{word} is what last year left you; take it with you into the new one.")
                }
                (_, 0, true) => format!(
                    "{word} is unfinished business from last year, best tied up early in the new one."
                ),
                (_, 1, false) => format!(
                    "{word} is the ground the year is built on; put it into your plans for the first month."
                ),
                (_, 1, true) => format!(
                    "{word} may slow the year's start, so settle your mind before you make plans."
                ),
                (_, _, false) => format!(
                    "{word} grows through the year and becomes a visible harvest by its end."
                ),
                (_, _, true) => format!(
                    "{word} may return as a lesson through the year, and the earlier you notice it the lighter it will be."
                ),
            };
            format!("{frame} {sentence}")
        }
    }
}

fn lower_first(s: &str) -> String {
    let first_word = s.split_whitespace().next().unwrap_or("");
    let mut chars = s.chars();
    match chars.next() {
        // Keep "I", acronyms and names that stay capitalised mid-sentence.
        Some(c)
            if c.is_uppercase()
                && first_word != "I"
                && !first_word.starts_with("I'")
                && !chars.clone().next().is_some_and(char::is_uppercase)
                && !["Waite", "The"].contains(&first_word) =>
        {
            c.to_lowercase().chain(chars).collect()
        }
        Some(c) => std::iter::once(c).chain(chars).collect(),
        None => String::new(),
    }
}

fn upper_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The paragraph of one time position (past, present, future).
fn position_paragraph(
    subject: Subject,
    position: usize,
    drawn: &Drawn,
    ch: &mut Chooser,
    lang: Language,
) -> String {
    let card = drawn.card;
    let name = named(card, drawn.reversed, lang);
    let lead = lead(position, &name, ch, lang);
    let words = keyword_list(card, drawn.reversed, lang);
    let keys = match lang {
        Language::Ko => format!("이 카드의 핵심어는 {words}입니다."),
        Language::En => format!("Its key words are {words}."),
    };
    let meaning = card.meaning.side(drawn.reversed).get(lang);
    let angle = angle(subject, position, card, drawn.reversed, lang);
    format!("{lead} {keys} {meaning}\n\n{}", upper_first(&angle))
}

fn greeting(
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

fn number_word(n: usize) -> &'static str {
    ["zero", "one", "two", "three", "four", "five"]
        .get(n)
        .copied()
        .unwrap_or("several")
}

fn short(text: &str, max: usize) -> String {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= max {
        text
    } else {
        let cut: String = text.chars().take(max).collect();
        format!("{}…", cut.trim_end())
    }
}

fn advice(subject: Subject, cards: &[Drawn], ch: &mut Chooser, lang: Language) -> String {
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
fn dominant_suit(cards: &[Drawn]) -> Option<&'static str> {
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

fn conclusion(subject: Subject, cards: &[Drawn], ch: &mut Chooser, lang: Language) -> String {
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

/// The whole offline reading. `cards` are the five drawn cards in position order.
pub fn compose(subject: Subject, concern: &str, cards: &[Drawn], lang: Language) -> Sections {
    debug_assert_eq!(cards.len(), POSITIONS.len());
    let mut ch = Chooser::new(subject, concern, lang, cards);
    Sections {
        greeting: greeting(subject, concern, cards, &mut ch, lang),
        past: position_paragraph(subject, 0, &cards[0], &mut ch, lang),
        present: position_paragraph(subject, 1, &cards[1], &mut ch, lang),
        future: position_paragraph(subject, 2, &cards[2], &mut ch, lang),
        advice: advice(subject, cards, &mut ch, lang),
        conclusion: conclusion(subject, cards, &mut ch, lang),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::apps::tarot::{SUBJECTS, deck};

    fn drawn(nums: [(u8, bool); 5]) -> Vec<Drawn> {
        nums.iter()
            .map(|&(n, r)| Drawn {
                card: deck::card(n).expect("card"),
                reversed: r,
            })
            .collect()
    }

    fn paragraphs(s: &Sections) -> Vec<String> {
        s.all()
            .iter()
            .flat_map(|t| t.split("\n\n"))
            .map(|p| p.trim().to_owned())
            .filter(|p| !p.is_empty())
            .collect()
    }

    #[test]
    fn the_same_input_reads_the_same_and_no_paragraph_repeats() {
        let spreads = [
            [(0, false), (13, true), (19, false), (46, true), (77, false)],
            [(22, true), (23, true), (24, true), (25, false), (26, true)],
            [
                (36, false),
                (50, false),
                (64, false),
                (1, false),
                (2, false),
            ],
        ];
        for subject in SUBJECTS {
            for lang in [Language::Ko, Language::En] {
                for spread in spreads {
                    let cards = drawn(spread);
                    let a = compose(*subject, "이직해도 될까요?", &cards, lang);
                    let b = compose(*subject, "이직해도 될까요?", &cards, lang);
                    assert_eq!(a, b);
                    let ps = paragraphs(&a);
                    let unique: HashSet<&String> = ps.iter().collect();
                    assert_eq!(unique.len(), ps.len(), "{} {:?}: {ps:#?}", subject.id, lang);
                    for p in &ps {
                        let hangul = p.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c));
                        if lang == Language::En {
                            assert!(!hangul || p.contains('“'), "Korean in English: {p}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn each_subject_reads_the_same_cards_from_its_own_angle() {
        let cards = drawn([(0, false), (13, true), (19, false), (46, true), (77, false)]);
        let presents: HashSet<String> = SUBJECTS
            .iter()
            .map(|s| compose(*s, "q", &cards, Language::Ko).present)
            .collect();
        assert_eq!(presents.len(), SUBJECTS.len());
    }

    #[test]
    fn korean_particles_follow_the_last_syllable() {
        let cards = drawn([
            (0, false),
            (13, false),
            (19, false),
            (46, false),
            (77, false),
        ]);
        let r = compose(SUBJECTS[1], "q", &cards, Language::Ko);
        assert!(!r.past.contains("바보이") && !r.past.contains("바보은"));
        assert!(
            r.present.contains("죽음이")
                || r.present.contains("죽음입니다")
                || r.present.contains("죽음")
        );
    }

    #[test]
    fn reversed_cards_use_their_reversed_meaning() {
        let up = drawn([(16, false), (1, false), (2, false), (3, false), (4, false)]);
        let down = drawn([(16, true), (1, false), (2, false), (3, false), (4, false)]);
        let t = deck::card(16).expect("tower");
        let a = compose(SUBJECTS[0], "q", &up, Language::En);
        let b = compose(SUBJECTS[0], "q", &down, Language::En);
        assert!(a.past.contains(&t.meaning.upright.en));
        assert!(b.past.contains(&t.meaning.reversed.en));
    }
}
