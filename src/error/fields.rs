//! Field problems: a stable code and an English message per field, and the one collector
//! every handler gathers them in, so a client sees every bad field at once.

use std::collections::BTreeMap;

use super::{Error, Result};

/// One field's problem: a stable snake_case `code` a client can translate, and an English
/// explanation for people reading the API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub code: &'static str,
    pub message: String,
}

impl Problem {
    pub fn new(code: &'static str, message: impl Into<String>) -> Problem {
        Problem {
            code,
            message: message.into(),
        }
    }

    /// `required`: missing or blank.
    pub fn required() -> Problem {
        Problem::new("required", "is required")
    }

    /// `too_long`: over `max` characters.
    pub fn too_long(max: usize) -> Problem {
        Problem::new("too_long", format!("must be at most {max} characters"))
    }

    /// `too_short`: under `min` characters.
    pub fn too_short(min: usize) -> Problem {
        Problem::new("too_short", format!("must be at least {min} characters"))
    }

    /// `not_one_of`: not among the allowed values.
    pub fn not_one_of(allowed: &[&str]) -> Problem {
        Problem::new(
            "not_one_of",
            format!("must be one of: {}", allowed.join(", ")),
        )
    }

    /// `out_of_range`: a number outside `min..=max`.
    pub fn out_of_range(min: i64, max: i64) -> Problem {
        Problem::new(
            "out_of_range",
            format!("must be a whole number from {min} to {max}"),
        )
    }

    /// `control_chars`: holds control characters.
    pub fn control_chars() -> Problem {
        Problem::new("control_chars", "must not contain control characters")
    }

    /// `invalid_format`: not in the expected form (a cursor, a date, …).
    pub fn invalid_format(message: impl Into<String>) -> Problem {
        Problem::new("invalid_format", message)
    }
}

/// Text that must be present and at most `max` characters: the trimmed text, or the
/// problem (`required`, `too_long`).
pub fn required_text(value: &str, max: usize) -> std::result::Result<&str, Problem> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        Err(Problem::required())
    } else if value.chars().count() > max {
        Err(Problem::too_long(max))
    } else {
        Ok(trimmed)
    }
}

/// The collector of field problems: validate every field, then [`FieldErrors::finish`].
/// A field keeps the code of its first problem; later ones add to its message.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldErrors {
    problems: BTreeMap<String, Problem>,
}

impl FieldErrors {
    pub fn new() -> FieldErrors {
        FieldErrors::default()
    }

    /// Records a problem with `field`.
    pub fn add(&mut self, field: &str, problem: Problem) {
        match self.problems.get_mut(field) {
            Some(known) => {
                known.message.push_str("; ");
                known.message.push_str(&problem.message);
            }
            None => {
                self.problems.insert(field.to_owned(), problem);
            }
        }
    }

    /// The value of a field check, or `None` with its problem recorded.
    pub fn check<T>(&mut self, field: &str, checked: std::result::Result<T, Problem>) -> Option<T> {
        checked.map_err(|p| self.add(field, p)).ok()
    }

    /// The value of a step that may fail validation: its field problems are recorded (and
    /// `None` returned); any other error is passed on.
    pub fn take<T>(&mut self, result: Result<T>) -> Result<Option<T>> {
        match result {
            Ok(value) => Ok(Some(value)),
            Err(Error::Validation { fields }) => {
                for (field, problem) in fields.problems {
                    self.add(&field, problem);
                }
                Ok(None)
            }
            Err(other) => Err(other),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.problems.is_empty()
    }

    pub fn contains(&self, field: &str) -> bool {
        self.problems.contains_key(field)
    }

    /// The recorded problem of `field`.
    pub fn get(&self, field: &str) -> Option<&Problem> {
        self.problems.get(field)
    }

    /// `Ok` when no problem was recorded, else the 400 naming every field.
    pub fn finish(self) -> Result<()> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation { fields: self })
        }
    }

    /// The envelope's `fields` (name → message) and `field_codes` (name → code).
    pub(super) fn envelope(&self) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
        self.problems
            .iter()
            .map(|(name, p)| {
                (
                    (name.clone(), p.message.clone()),
                    (name.clone(), p.code.to_owned()),
                )
            })
            .unzip()
    }

    /// Field names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.problems.keys().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_collector_keeps_the_first_code_and_every_message() {
        let mut fields = FieldErrors::new();
        assert_eq!(fields.check("a", Ok::<_, Problem>(1)), Some(1));
        assert_eq!(fields.check::<i32>("a", Err(Problem::too_short(8))), None);
        fields.add("a", Problem::new("too_common", "is too common"));
        let taken = fields
            .take::<()>(Err(Error::field("b", Problem::required())))
            .expect("a validation error is collected");
        assert_eq!(taken, None);
        assert!(fields.take::<()>(Err(Error::NotFound)).is_err());
        let a = fields.get("a").expect("a");
        assert_eq!(a.code, "too_short");
        assert_eq!(a.message, "must be at least 8 characters; is too common");
        assert_eq!(fields.names().collect::<Vec<_>>(), ["a", "b"]);
        assert!(matches!(fields.finish(), Err(Error::Validation { .. })));
        assert!(FieldErrors::new().finish().is_ok());
    }
}
