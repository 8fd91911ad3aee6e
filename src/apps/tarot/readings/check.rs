//! Checking a new reading: the subject, the concern, and five distinct cards of the
//! user's latest deal, each problem named by its field.

use super::*;

/// A new reading.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateReading {
    /// `new-year`, `love`, `money`, `study`, `career`, `health` or `today`.
    pub subject: String,
    /// What you want to ask, up to 500 characters.
    pub concern: String,
    /// Five distinct cards of your latest shuffle, in position order: past, present,
    /// future, advice 1, advice 2.
    pub cards: Vec<CardPick>,
    /// `ko` or `en`; default from `Accept-Language`, else Korean.
    pub language: Option<String>,
}

/// A checked reading request.
pub(super) struct Checked {
    pub(super) subject: Subject,
    pub(super) concern: String,
    pub(super) cards: Vec<Drawn>,
    pub(super) language: Language,
}

pub(super) fn check_concern(raw: &str) -> std::result::Result<String, Problem> {
    let text = required_text(raw, CONCERN_MAX)?;
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(Problem::control_chars());
    }
    Ok(text.to_owned())
}

/// Checks the five picks against the latest deal: the right count, known cards, no
/// repeats, and each one dealt (with its orientation).
pub(super) fn check_cards(
    picks: &[CardPick],
    deal: Option<&[CardPick]>,
) -> std::result::Result<Vec<Drawn>, Problem> {
    if picks.len() != POSITIONS.len() {
        return Err(Problem::new(
            "wrong_count",
            format!("must hold exactly {} cards", POSITIONS.len()),
        ));
    }
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(picks.len());
    for pick in picks {
        let card = cards::lookup(pick.num).ok_or_else(|| {
            Problem::new(
                "unknown_card",
                format!("card {} does not exist (0–77)", pick.num),
            )
        })?;
        if !seen.insert(pick.num) {
            return Err(Problem::new(
                "repeated_card",
                format!("card {} is picked more than once", pick.num),
            ));
        }
        let dealt = deal.is_some_and(|d| d.contains(pick));
        if !dealt {
            return Err(Problem::new(
                "not_dealt",
                "must be cards of your latest shuffle, as dealt",
            ));
        }
        out.push(Drawn {
            card,
            reversed: pick.reversed,
        });
    }
    Ok(out)
}

impl Checked {
    pub(super) async fn parse(
        state: &AppState,
        user: &AuthUser,
        body: &CreateReading,
        headers: &HeaderMap,
    ) -> Result<Checked> {
        let mut fields = FieldErrors::new();
        let subject = fields.check(
            "subject",
            find_subject(&body.subject).ok_or_else(|| {
                let ids: Vec<&str> = crate::apps::tarot::SUBJECTS.iter().map(|s| s.id).collect();
                Problem::not_one_of(&ids)
            }),
        );
        let concern = fields.check("concern", check_concern(&body.concern));
        let language = fields.take(crate::apps::interview::choose_language(
            body.language.as_deref(),
            headers,
        ))?;
        let deal: Option<Vec<CardPick>> = match repo::latest_deal(&state.db, user.id).await? {
            Some(json) => serde_json::from_str(&json).ok(),
            None => None,
        };
        let cards = fields.check("cards", check_cards(&body.cards, deal.as_deref()));
        fields.finish()?;
        match (subject, concern, cards, language) {
            (Some(subject), Some(concern), Some(cards), Some(language)) => Ok(Checked {
                subject,
                concern,
                cards,
                language,
            }),
            _ => Err(Error::internal(
                "reading input failed without a field problem",
            )),
        }
    }
}
