//! One paragraph per position: how it opens, what the position asks of the subject, and
//! the card's angle on it.

use super::*;

/// The opening sentence of a position's paragraph.
pub(super) fn lead(position: usize, name: &str, ch: &mut Chooser, lang: Language) -> String {
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
pub(super) fn frame(subject: &str, position: usize, lang: Language) -> &'static str {
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
pub(super) fn angle(
    subject: Subject,
    position: usize,
    card: &Card,
    reversed: bool,
    lang: Language,
) -> String {
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
pub(super) fn general_angle(
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

/// The paragraph of one time position (past, present, future).
pub(super) fn position_paragraph(
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
