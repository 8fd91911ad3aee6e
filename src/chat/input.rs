//! Validated input of the chat routes: each check returns the clean value or the field's
//! [`Problem`], and handlers gather them in one `FieldErrors`.

use uuid::Uuid;

use crate::error::Problem;
use crate::extract::not_a_cursor;

/// Longest room title.
pub const MAX_TITLE_CHARS: usize = 100;
/// Longest search query.
pub const MAX_QUERY_CHARS: usize = 200;
/// Longest message.
pub const MAX_MESSAGE_CHARS: usize = 10_000;

/// A room title as given: `None` when absent; trimmed, one line, at most
/// [`MAX_TITLE_CHARS`]. An empty title is `Some("")` (creating a room allows it, renaming
/// does not: see [`rename_title`]).
pub fn room_title(raw: Option<&str>) -> Result<Option<String>, Problem> {
    let Some(raw) = raw else { return Ok(None) };
    let title = raw.trim();
    if title.chars().count() > MAX_TITLE_CHARS {
        return Err(Problem::too_long(MAX_TITLE_CHARS));
    }
    if title.chars().any(char::is_control) {
        return Err(Problem::new("single_line", "must be a single line"));
    }
    Ok(Some(title.to_owned()))
}

/// A new title for an existing room: like [`room_title`], but not empty.
pub fn rename_title(raw: Option<&str>) -> Result<Option<String>, Problem> {
    match room_title(raw)? {
        Some(title) if title.is_empty() => Err(Problem::required()),
        other => Ok(other),
    }
}

/// The room list's cursor, `<activity micros>_<room id>`.
pub fn room_cursor(after: Option<&str>) -> Result<Option<(i64, Uuid)>, Problem> {
    let Some(raw) = after else { return Ok(None) };
    let (activity, id) = raw.split_once('_').ok_or_else(not_a_cursor)?;
    Ok(Some((
        activity.parse().map_err(|_| not_a_cursor())?,
        Uuid::parse_str(id).map_err(|_| not_a_cursor())?,
    )))
}

/// A search query: one line of 1 to [`MAX_QUERY_CHARS`] characters.
pub fn search_text(raw: Option<&str>) -> Result<String, Problem> {
    let q = raw.unwrap_or_default().trim();
    if q.is_empty() {
        return Err(Problem::required());
    }
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(Problem::too_long(MAX_QUERY_CHARS));
    }
    if q.chars().any(char::is_control) {
        return Err(Problem::control_chars());
    }
    Ok(q.to_owned())
}

/// How a room is exported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Markdown,
    Json,
}

impl ExportFormat {
    /// `md` (the default, also `markdown`) or `json`.
    pub fn parse(raw: Option<&str>) -> Result<ExportFormat, Problem> {
        match raw {
            None | Some("md") | Some("markdown") => Ok(ExportFormat::Markdown),
            Some("json") => Ok(ExportFormat::Json),
            Some(_) => Err(Problem::not_one_of(&["md", "json"])),
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Markdown => "md",
            ExportFormat::Json => "json",
        }
    }
}

/// A message to send: trimmed, 1 to [`MAX_MESSAGE_CHARS`] characters.
pub fn message_content(raw: &str) -> Result<String, Problem> {
    let content = raw.trim();
    if content.is_empty() {
        return Err(Problem::required());
    }
    if content.chars().count() > MAX_MESSAGE_CHARS {
        return Err(Problem::too_long(MAX_MESSAGE_CHARS));
    }
    Ok(content.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code<T>(r: Result<T, Problem>) -> &'static str {
        r.err().map_or("ok", |p| p.code)
    }

    #[test]
    fn titles_are_trimmed_single_lines_of_bounded_length() {
        assert_eq!(room_title(None), Ok(None));
        assert_eq!(room_title(Some("  Rust  ")), Ok(Some("Rust".into())));
        assert_eq!(room_title(Some(" ")), Ok(Some(String::new())));
        assert_eq!(code(room_title(Some(&"가".repeat(101)))), "too_long");
        assert_eq!(
            room_title(Some(&"가".repeat(100))).map(|t| t.is_some()),
            Ok(true)
        );
        assert_eq!(code(room_title(Some("a\nb"))), "single_line");
        assert_eq!(code(rename_title(Some("  "))), "required");
        assert_eq!(rename_title(None), Ok(None));
    }

    #[test]
    fn room_cursors_round_trip_and_anything_else_is_refused() {
        let id = Uuid::now_v7();
        assert_eq!(
            room_cursor(Some(&format!("1700000000000000_{id}"))),
            Ok(Some((1_700_000_000_000_000, id)))
        );
        assert_eq!(room_cursor(None), Ok(None));
        for bad in ["", "12", "x_y", &format!("x_{id}"), "12_not-a-uuid"] {
            assert_eq!(code(room_cursor(Some(bad))), "invalid_format", "{bad}");
        }
    }

    #[test]
    fn search_text_is_one_bounded_line() {
        assert_eq!(search_text(Some("  소유권 ")), Ok("소유권".into()));
        assert_eq!(code(search_text(None)), "required");
        assert_eq!(code(search_text(Some("   "))), "required");
        assert_eq!(code(search_text(Some(&"a".repeat(201)))), "too_long");
        assert_eq!(code(search_text(Some("a\u{7}b"))), "control_chars");
    }

    #[test]
    fn export_formats_default_to_markdown() {
        assert_eq!(ExportFormat::parse(None), Ok(ExportFormat::Markdown));
        assert_eq!(
            ExportFormat::parse(Some("markdown")),
            Ok(ExportFormat::Markdown)
        );
        assert_eq!(
            ExportFormat::parse(Some("json")).map(ExportFormat::extension),
            Ok("json")
        );
        assert_eq!(code(ExportFormat::parse(Some("pdf"))), "not_one_of");
    }

    proptest::proptest! {
        /// Any text is a cursor or a 400, never a panic; every cursor the list gives out
        /// reads back as itself.
        #[test]
        fn room_cursors_never_panic_and_round_trip(raw in ".{0,80}", activity in proptest::num::i64::ANY, id in proptest::num::u128::ANY) {
            let _ = room_cursor(Some(&raw));
            let id = Uuid::from_u128(id);
            proptest::prop_assert_eq!(
                room_cursor(Some(&format!("{activity}_{id}"))),
                Ok(Some((activity, id)))
            );
        }

        /// Titles and messages: any input is a clean value or a problem, never a panic, and
        /// a clean value is within its limit.
        #[test]
        fn text_inputs_never_panic_and_stay_within_limits(raw in "(?s).{0,300}") {
            if let Ok(Some(title)) = room_title(Some(&raw)) {
                proptest::prop_assert!(title.chars().count() <= MAX_TITLE_CHARS);
                proptest::prop_assert!(!title.chars().any(char::is_control));
            }
            if let Ok(content) = message_content(&raw) {
                proptest::prop_assert!(!content.is_empty() && content == content.trim());
            }
            let _ = search_text(Some(&raw));
        }
    }

    #[test]
    fn messages_are_trimmed_and_bounded() {
        assert_eq!(message_content(" hi \n"), Ok("hi".into()));
        assert_eq!(code(message_content(" \n ")), "required");
        assert_eq!(code(message_content(&"a".repeat(10_001))), "too_long");
        assert!(message_content(&"a".repeat(10_000)).is_ok());
    }
}
