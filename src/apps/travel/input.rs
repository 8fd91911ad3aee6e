//! A plan request (`POST /api/travel/plans`) and its checked form [`Trip`]. Every bad
//! field is reported at once with its code: `required`, `invalid_date`, `in_the_past`,
//! `too_far_ahead`, `before_departure`, `trip_too_long`, `out_of_range`, `not_one_of`,
//! `not_positive`.

use axum::http::HeaderMap;
use serde::Deserialize;
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

use super::data::STYLES;
use crate::error::{Error, FieldErrors, Problem, Result};
use crate::lang::Language;

/// Longest trip, in days (both ends included).
pub const MAX_DAYS: i64 = 14;
/// Travellers in a party.
pub const MIN_TRAVELERS: i64 = 1;
pub const MAX_TRAVELERS: i64 = 20;
/// How far ahead a trip may start, in days.
pub const MAX_DAYS_AHEAD: i64 = 730;
/// The largest budget accepted, KRW per person.
pub const MAX_BUDGET_KRW: f64 = 1_000_000_000.0;
/// Transport modes.
pub const TRANSPORTS: &[&str] = &["public", "rental-car", "taxi", "ride-hailing"];
/// Party make-ups.
pub const GENDER_MIXES: &[&str] = &["male", "female", "mixed", "unspecified"];

/// A plan request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePlan {
    /// First day, `YYYY-MM-DD`.
    pub departure_date: Option<String>,
    /// Last day, `YYYY-MM-DD`; at most 14 days including both ends.
    pub arrival_date: Option<String>,
    /// 1–20.
    pub travelers: Option<i64>,
    /// `male`, `female`, `mixed` or `unspecified` (the default).
    pub gender_mix: Option<String>,
    /// One or more of `nature`, `city`, `food`, `luxury`, `budget`, `with-children`.
    pub styles: Option<Vec<String>>,
    /// Spending money per person in KRW (attractions and local transport), > 0.
    pub budget_krw_per_person: Option<f64>,
    /// One or more of `public`, `rental-car`, `taxi`, `ride-hailing`.
    pub transports: Option<Vec<String>>,
    /// `ko` or `en`; default from `Accept-Language`, else Korean.
    pub language: Option<String>,
}

/// A checked plan request.
#[derive(Debug, Clone, PartialEq)]
pub struct Trip {
    pub departure: Date,
    pub arrival: Date,
    pub travelers: i64,
    pub gender_mix: String,
    /// Known styles, each once, in the order of [`STYLES`].
    pub styles: Vec<String>,
    pub budget_krw: f64,
    /// Known transports, each once, in the order of [`TRANSPORTS`].
    pub transports: Vec<String>,
    pub language: Language,
}

impl Trip {
    /// Days in the trip, both ends included.
    pub fn days(&self) -> usize {
        ((self.arrival - self.departure).whole_days() + 1).max(1) as usize
    }

    pub fn parse(body: &CreatePlan, headers: &HeaderMap, now: OffsetDateTime) -> Result<Trip> {
        let mut fields = FieldErrors::new();
        // The earliest date that is still today somewhere on Earth (UTC−12).
        let today = (now - time::Duration::hours(12)).date();
        let departure = fields.check(
            "departure_date",
            date(body.departure_date.as_deref()).and_then(|d| {
                if d < today {
                    Err(Problem::new("in_the_past", "is in the past"))
                } else if (d - today).whole_days() > MAX_DAYS_AHEAD {
                    Err(Problem::new(
                        "too_far_ahead",
                        format!("is more than {MAX_DAYS_AHEAD} days ahead"),
                    ))
                } else {
                    Ok(d)
                }
            }),
        );
        let arrival = fields.check("arrival_date", date(body.arrival_date.as_deref()));
        if let (Some(dep), Some(arr)) = (departure, arrival) {
            if arr < dep {
                fields.add(
                    "arrival_date",
                    Problem::new("before_departure", "is before the departure date"),
                );
            } else if (arr - dep).whole_days() + 1 > MAX_DAYS {
                fields.add(
                    "arrival_date",
                    Problem::new(
                        "trip_too_long",
                        format!("makes the trip longer than {MAX_DAYS} days"),
                    ),
                );
            }
        }
        let travelers = fields.check(
            "travelers",
            match body.travelers {
                None => Err(Problem::required()),
                Some(n) if (MIN_TRAVELERS..=MAX_TRAVELERS).contains(&n) => Ok(n),
                Some(_) => Err(Problem::out_of_range(MIN_TRAVELERS, MAX_TRAVELERS)),
            },
        );
        let gender_mix = fields.check(
            "gender_mix",
            match body.gender_mix.as_deref().map(str::trim) {
                None => Ok("unspecified".to_owned()),
                Some(g) if GENDER_MIXES.contains(&g) => Ok(g.to_owned()),
                Some(_) => Err(Problem::not_one_of(GENDER_MIXES)),
            },
        );
        let styles = fields.check("styles", one_or_more(body.styles.as_deref(), STYLES));
        let transports = fields.check(
            "transports",
            one_or_more(body.transports.as_deref(), TRANSPORTS),
        );
        let budget_krw = fields.check(
            "budget_krw_per_person",
            match body.budget_krw_per_person {
                None => Err(Problem::required()),
                Some(b) if !b.is_finite() || b <= 0.0 => {
                    Err(Problem::new("not_positive", "must be a positive number"))
                }
                Some(b) if b > MAX_BUDGET_KRW => Err(Problem::new(
                    "out_of_range",
                    format!("must be at most {MAX_BUDGET_KRW}"),
                )),
                Some(b) => Ok(b),
            },
        );
        let language = fields.check(
            "language",
            match body.language.as_deref() {
                Some(raw) => Language::parse(raw.trim()).ok_or(Problem::not_one_of(&["ko", "en"])),
                None => {
                    let accept = headers
                        .get(axum::http::header::ACCEPT_LANGUAGE)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    Ok(Language::from_accept_language(accept).unwrap_or(Language::Ko))
                }
            },
        );
        fields.finish()?;
        let (
            Some(departure),
            Some(arrival),
            Some(travelers),
            Some(gender_mix),
            Some(styles),
            Some(transports),
            Some(budget_krw),
            Some(language),
        ) = (
            departure, arrival, travelers, gender_mix, styles, transports, budget_krw, language,
        )
        else {
            return Err(Error::internal("plan input failed without a field problem"));
        };
        Ok(Trip {
            departure,
            arrival,
            travelers,
            gender_mix,
            styles,
            budget_krw,
            transports,
            language,
        })
    }
}

/// An ISO calendar date.
fn date(raw: Option<&str>) -> std::result::Result<Date, Problem> {
    let raw = raw
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(Problem::required)?;
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(raw, format)
        .map_err(|_| Problem::new("invalid_date", "must be a date as YYYY-MM-DD"))
}

/// One or more known ids, each kept once, in the order of `known`.
fn one_or_more(
    raw: Option<&[String]>,
    known: &[&str],
) -> std::result::Result<Vec<String>, Problem> {
    let given = raw.unwrap_or(&[]);
    if given.is_empty() {
        return Err(Problem::required());
    }
    if given.len() > 20 || given.iter().any(|g| !known.contains(&g.trim())) {
        return Err(Problem::not_one_of(known));
    }
    Ok(known
        .iter()
        .filter(|k| given.iter().any(|g| g.trim() == **k))
        .map(|k| (*k).to_owned())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-12-04 22:00 UTC);

    fn body() -> CreatePlan {
        CreatePlan {
            departure_date: Some("2026-12-10".into()),
            arrival_date: Some("2026-12-13".into()),
            travelers: Some(2),
            gender_mix: None,
            styles: Some(vec!["food".into(), "city".into(), "food".into()]),
            budget_krw_per_person: Some(800_000.0),
            transports: Some(vec!["public".into()]),
            language: Some("en".into()),
        }
    }

    fn codes(body: &CreatePlan) -> Vec<(String, &'static str)> {
        match Trip::parse(body, &HeaderMap::new(), NOW) {
            Err(Error::Validation { fields }) => fields
                .names()
                .map(|n| (n.to_owned(), fields.get(n).map_or("", |p| p.code)))
                .collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_good_request_is_checked_and_normalised() {
        let trip = Trip::parse(&body(), &HeaderMap::new(), NOW).expect("valid");
        assert_eq!(trip.days(), 4);
        assert_eq!(trip.styles, vec!["city", "food"]);
        assert_eq!(trip.gender_mix, "unspecified");
        assert_eq!(trip.language, Language::En);
    }

    #[test]
    fn dates_must_be_iso_ordered_not_past_and_at_most_fourteen_days() {
        let mut b = body();
        b.departure_date = Some("10/12/2026".into());
        assert_eq!(codes(&b), vec![("departure_date".into(), "invalid_date")]);
        b.departure_date = Some("2026-12-01".into());
        assert_eq!(codes(&b), vec![("departure_date".into(), "in_the_past")]);
        b.departure_date = Some("2026-12-14".into());
        assert_eq!(codes(&b), vec![("arrival_date".into(), "before_departure")]);
        b.departure_date = Some("2026-12-10".into());
        b.arrival_date = Some("2026-12-24".into());
        assert_eq!(codes(&b), vec![("arrival_date".into(), "trip_too_long")]);
        b.arrival_date = Some("2026-12-23".into());
        assert_eq!(
            Trip::parse(&b, &HeaderMap::new(), NOW)
                .map(|t| t.days())
                .ok(),
            Some(14)
        );
        b.arrival_date = None;
        assert_eq!(codes(&b), vec![("arrival_date".into(), "required")]);
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let b = CreatePlan {
            departure_date: Some("2026-13-01".into()),
            arrival_date: Some("x".into()),
            travelers: Some(21),
            gender_mix: Some("robots".into()),
            styles: Some(vec!["shopping".into()]),
            budget_krw_per_person: Some(-5.0),
            transports: Some(vec![]),
            language: Some("fr".into()),
        };
        let got = codes(&b);
        let names: Vec<&str> = got.iter().map(|(n, _)| n.as_str()).collect();
        for field in [
            "departure_date",
            "arrival_date",
            "travelers",
            "gender_mix",
            "styles",
            "transports",
            "budget_krw_per_person",
            "language",
        ] {
            assert!(names.contains(&field), "{field} missing from {got:?}");
        }
        assert!(got.contains(&("budget_krw_per_person".into(), "not_positive")));
        assert!(got.contains(&("transports".into(), "required")));
        assert!(got.contains(&("travelers".into(), "out_of_range")));
    }
}
