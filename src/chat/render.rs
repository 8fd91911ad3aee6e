//! Model and user text → safe HTML, previews and titles.
//!
//! LLM output is untrusted: Markdown is rendered with pulldown-cmark, raw HTML inside it is
//! escaped, and the result is sanitised with ammonia (http/https/mailto links only, no
//! images, links open with `rel="noopener noreferrer nofollow"`).

use std::collections::HashSet;
use std::sync::OnceLock;

use pulldown_cmark::{Event, Options, Parser};

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.url_schemes(HashSet::from(["http", "https", "mailto"]))
            .rm_tags(["img"])
            .link_rel(Some("noopener noreferrer nofollow"))
            .url_relative(ammonia::UrlRelative::Deny);
        b
    })
}

/// Renders Markdown to sanitised HTML.
pub fn markdown_to_html(markdown: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    options.insert(Options::ENABLE_TASKLISTS);
    // Raw HTML in the text is shown as text, never interpreted.
    let parser = Parser::new_ext(markdown, options).map(|event| match event {
        Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
        other => other,
    });
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, parser);
    sanitizer().clean(&html).to_string()
}

/// A one-line excerpt of at most `max` characters.
pub fn excerpt(text: &str, max: usize) -> String {
    let collapsed: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= max {
        collapsed
    } else {
        let cut: String = collapsed.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

/// A room title from its first message: the first line, shortened; `None` when that
/// leaves nothing (the room stays untitled and the UI shows its own label).
pub fn title_from(text: &str) -> Option<String> {
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let title = excerpt(first.trim_start_matches('#').trim(), 50);
    Some(title).filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_handlers_javascript_links_and_images_are_removed() {
        let hostile = "Hi <script>alert(1)</script> <img src=x onerror=alert(1)>\n\n\
            [click](javascript:alert(1)) ![remote](https://evil.example/x.png) \
            <a href=\"javascript:alert(2)\">a</a> [ok](https://example.com)";
        let html = markdown_to_html(hostile);
        // Text '<' is escaped, so every literal '<' opens a real tag: check those.
        for tag in html
            .split('<')
            .skip(1)
            .filter_map(|rest| rest.split('>').next())
        {
            let tag = tag.to_lowercase();
            for bad in ["script", "img", "onerror", "javascript:", "evil.example"] {
                assert!(!tag.contains(bad), "{bad} survived in <{tag}>: {html}");
            }
        }
        assert!(
            html.contains("&lt;script&gt;"),
            "raw HTML is shown as text: {html}"
        );
        assert!(html.contains("href=\"https://example.com\""), "{html}");
        assert!(html.contains("noopener"), "{html}");
    }

    #[test]
    fn markdown_renders() {
        let html = markdown_to_html("# Title\n\n**bold** and `code`\n\n```rust\nfn main() {}\n```");
        assert!(
            html.contains("<h1>Title</h1>")
                && html.contains("<strong>bold</strong>")
                && html.contains("<code>"),
            "{html}"
        );
    }

    #[test]
    fn titles_and_excerpts_are_short_single_lines() {
        assert_eq!(
            title_from("\n  기술면접 준비는 어떻게 하나요?\n둘째 줄").as_deref(),
            Some("기술면접 준비는 어떻게 하나요?")
        );
        assert_eq!(title_from("   "), None);
        assert_eq!(title_from("###"), None);
        let long = "word ".repeat(40);
        assert!(title_from(&long).is_some_and(|t| t.chars().count() <= 50));
        assert_eq!(excerpt("a\n\nb   c", 10), "a b c");
    }
}
