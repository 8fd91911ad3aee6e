//! The board's request bodies and their checked forms. Every bad field is reported at
//! once with a stable code (`required`, `too_long`, `not_one_of`, `control_chars`,
//! `notice_requires_manager` is a 403, not a field problem).

use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::error::{FieldErrors, Problem, Result, required_text};

/// Longest title, in characters.
pub const MAX_TITLE: usize = 200;
/// Longest post body, in characters.
pub const MAX_CONTENT: usize = 20_000;
/// Longest comment, in characters.
pub const MAX_COMMENT: usize = 2_000;
/// Longest search text, in characters.
pub const MAX_QUERY: usize = 100;
/// Characters of a list item's excerpt.
pub const EXCERPT_CHARS: usize = 160;

/// The categories, as the API names them.
pub const CATEGORIES: &[&str] = &["notice", "question", "chat"];

/// A post category.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    Notice,
    Question,
    Chat,
}

impl Category {
    pub fn parse(raw: &str) -> std::result::Result<Category, Problem> {
        match raw.trim() {
            "notice" => Ok(Category::Notice),
            "question" => Ok(Category::Question),
            "chat" => Ok(Category::Chat),
            "" => Err(Problem::required()),
            _ => Err(Problem::not_one_of(CATEGORIES)),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Notice => "notice",
            Category::Question => "question",
            Category::Chat => "chat",
        }
    }
}

/// A new post.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePost {
    /// 1–200 characters.
    pub title: String,
    /// Markdown, 1–20,000 characters.
    pub content: String,
    /// `notice` (managers only), `question` or `chat`.
    pub category: String,
}

/// Changes to a post; absent fields stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePost {
    pub title: Option<String>,
    pub content: Option<String>,
    pub category: Option<String>,
}

/// A new comment or reply.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateComment {
    /// Markdown, 1–2,000 characters.
    pub content: String,
    /// The top-level comment this replies to.
    pub parent_id: Option<String>,
}

/// A checked post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostInput {
    pub title: String,
    pub content: String,
    pub category: Category,
}

/// A title: required, at most [`MAX_TITLE`], one line without control characters.
pub fn title(raw: &str) -> std::result::Result<String, Problem> {
    let t = required_text(raw, MAX_TITLE)?;
    if t.chars().any(char::is_control) {
        return Err(Problem::control_chars());
    }
    Ok(t.to_owned())
}

/// A Markdown body of at most `max` characters (NUL and other control characters, except
/// tabs and line breaks, refused).
pub fn body(raw: &str, max: usize) -> std::result::Result<String, Problem> {
    let t = required_text(raw, max)?;
    if t.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(Problem::control_chars());
    }
    Ok(t.to_owned())
}

impl PostInput {
    /// Checks a new post.
    pub fn parse(input: &CreatePost) -> Result<PostInput> {
        let mut fields = FieldErrors::new();
        let title = fields.check("title", title(&input.title));
        let content = fields.check("content", body(&input.content, MAX_CONTENT));
        let category = fields.check("category", Category::parse(&input.category));
        fields.finish()?;
        match (title, content, category) {
            (Some(title), Some(content), Some(category)) => Ok(PostInput {
                title,
                content,
                category,
            }),
            _ => Err(crate::error::Error::internal("checked post lost a field")),
        }
    }

    /// Applies checked changes to `current`.
    pub fn patch(current: PostInput, input: &UpdatePost) -> Result<PostInput> {
        let mut fields = FieldErrors::new();
        let title = input
            .title
            .as_deref()
            .map(|t| fields.check("title", title(t)));
        let content = input
            .content
            .as_deref()
            .map(|c| fields.check("content", body(c, MAX_CONTENT)));
        let category = input
            .category
            .as_deref()
            .map(|c| fields.check("category", Category::parse(c)));
        fields.finish()?;
        Ok(PostInput {
            title: title.flatten().unwrap_or(current.title),
            content: content.flatten().unwrap_or(current.content),
            category: category.flatten().unwrap_or(current.category),
        })
    }
}

/// A checked comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentInput {
    pub content: String,
    pub parent_id: Option<Uuid>,
}

impl CommentInput {
    pub fn parse(input: &CreateComment) -> Result<CommentInput> {
        let mut fields = FieldErrors::new();
        let content = fields.check("content", body(&input.content, MAX_COMMENT));
        let parent_id = match input.parent_id.as_deref() {
            None => Some(None),
            Some(raw) => fields
                .check(
                    "parent_id",
                    Uuid::parse_str(raw.trim())
                        .map_err(|_| Problem::new("not_found", "is not a comment of this post")),
                )
                .map(Some),
        };
        fields.finish()?;
        Ok(CommentInput {
            content: content.unwrap_or_default(),
            parent_id: parent_id.flatten(),
        })
    }
}

/// The search text of a post: its title and plain text, lower-cased for every script
/// (SQLite's `LOWER` only folds ASCII, so folding happens here for both backends).
pub fn search_text(title: &str, content: &str) -> String {
    format!(
        "{}\n{}",
        title.to_lowercase(),
        crate::chat::render::plain_text(content).to_lowercase()
    )
}

/// `?q=` as a `LIKE` pattern over [`search_text`]: trimmed, lower-cased, `%`, `_` and `\`
/// escaped; `None` when blank.
pub fn search_pattern(raw: &str) -> std::result::Result<Option<String>, Problem> {
    let q = raw.trim();
    if q.is_empty() {
        return Ok(None);
    }
    if q.chars().count() > MAX_QUERY {
        return Err(Problem::too_long(MAX_QUERY));
    }
    if q.chars().any(char::is_control) {
        return Err(Problem::control_chars());
    }
    let mut pattern = String::from("%");
    for c in q.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    Ok(Some(pattern))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_post_reports_every_bad_field() {
        let err = PostInput::parse(&CreatePost {
            title: " ".into(),
            content: "x".repeat(MAX_CONTENT + 1),
            category: "rant".into(),
        })
        .expect_err("invalid");
        let crate::error::Error::Validation { fields } = err else {
            panic!("not a validation error")
        };
        assert_eq!(fields.get("title").map(|p| p.code), Some("required"));
        assert_eq!(fields.get("content").map(|p| p.code), Some("too_long"));
        assert_eq!(fields.get("category").map(|p| p.code), Some("not_one_of"));
    }

    #[test]
    fn titles_are_one_line() {
        assert_eq!(title("a\u{0}b").map_err(|p| p.code), Err("control_chars"));
        assert_eq!(title("  안녕  ").as_deref(), Ok("안녕"));
    }

    #[test]
    fn search_patterns_escape_like_wildcards_and_fold_case() {
        assert_eq!(search_pattern("  ").expect("ok"), None);
        assert_eq!(
            search_pattern("50%_Off\\").expect("ok").as_deref(),
            Some("%50\\%\\_off\\\\%")
        );
        assert_eq!(
            search_pattern("변수명").expect("ok").as_deref(),
            Some("%변수명%")
        );
        assert!(search_pattern(&"a".repeat(MAX_QUERY + 1)).is_err());
    }

    #[test]
    fn search_text_folds_every_script() {
        assert!(search_text("ÉCOLE 변수", "**Bold**").contains("école 변수\nbold"));
    }

    #[test]
    fn a_patch_keeps_absent_fields() {
        let current = PostInput {
            title: "t".into(),
            content: "c".into(),
            category: Category::Chat,
        };
        let patched = PostInput::patch(
            current,
            &UpdatePost {
                title: Some("new".into()),
                content: None,
                category: None,
            },
        )
        .expect("valid");
        assert_eq!(patched.title, "new");
        assert_eq!(patched.content, "c");
        assert_eq!(patched.category, Category::Chat);
    }
}
