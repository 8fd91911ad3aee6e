//! Model and user text → safe HTML, previews and titles.
//!
//! LLM output is untrusted: Markdown is rendered with pulldown-cmark, raw HTML inside it is
//! escaped, and the result is sanitised with ammonia (http/https/mailto links only, no
//! images, links open with `rel="noopener noreferrer nofollow"`).

use std::collections::HashSet;
use std::sync::OnceLock;

use pulldown_cmark::{Event, Options, Parser, TagEnd};

/// Classes of fenced code blocks kept for the UI's highlighter (`language-…` of common
/// languages); any other class is dropped by the sanitiser.
const CODE_CLASSES: &[&str] = &[
    "language-bash",
    "language-c",
    "language-cpp",
    "language-csharp",
    "language-css",
    "language-diff",
    "language-dockerfile",
    "language-go",
    "language-html",
    "language-java",
    "language-javascript",
    "language-js",
    "language-json",
    "language-kotlin",
    "language-markdown",
    "language-php",
    "language-python",
    "language-py",
    "language-ruby",
    "language-rust",
    "language-scss",
    "language-shell",
    "language-sh",
    "language-sql",
    "language-swift",
    "language-toml",
    "language-ts",
    "language-typescript",
    "language-xml",
    "language-yaml",
    "language-yml",
    "language-plaintext",
    "language-text",
    "language-dart",
    "language-scala",
];

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.url_schemes(HashSet::from(["http", "https", "mailto"]))
            .rm_tags(["img"])
            .link_rel(Some("noopener noreferrer nofollow"))
            .url_relative(ammonia::UrlRelative::Deny)
            .add_allowed_classes("code", CODE_CLASSES.iter().copied());
        b
    })
}

/// Renders Markdown to sanitised HTML.
pub fn markdown_to_html(markdown: &str) -> String {
    if is_plain_line(markdown) {
        // What the parser and the sanitiser make of it, without building either's tree
        // (most questions and many short answers are one such line).
        return format!("<p>{markdown}</p>\n");
    }
    parse_and_sanitise(markdown)
}

fn parse_and_sanitise(markdown: &str) -> String {
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

/// One line that Markdown leaves as it is and HTML needs no escaping for: it starts with a
/// letter, ends with a letter, a digit or closing punctuation, and holds only letters,
/// digits, single spaces and punctuation that is no Markdown or HTML syntax in running text.
fn is_plain_line(text: &str) -> bool {
    let mut chars = text.chars();
    let (Some(first), Some(last)) = (chars.next(), text.chars().next_back()) else {
        return false;
    };
    let mut after_space = false;
    first.is_alphabetic()
        && (last.is_alphanumeric() || matches!(last, '.' | '?' | '!' | ')'))
        && text.chars().all(|c| {
            let ok = c.is_alphanumeric()
                || matches!(
                    c,
                    ',' | '.' | '?' | '!' | ';' | ':' | '\'' | '-' | '/' | '(' | ')' | '%'
                )
                || (c == ' ' && !after_space);
            after_space = c == ' ';
            ok
        })
}

/// The words of a Markdown text without its syntax (for previews, search results and
/// titles): emphasis, links, headings and fences go; code and text stay, blocks are
/// separated by spaces.
pub fn plain_text(markdown: &str) -> String {
    if is_plain_line(markdown) {
        // What the parser makes of it: one paragraph of that text, and the space that ends
        // the paragraph (previews and titles are made from questions and answers that are
        // mostly such lines).
        let mut out = String::with_capacity(markdown.len() + 1);
        out.push_str(markdown);
        out.push(' ');
        return out;
    }
    parse_plain_text(markdown)
}

fn parse_plain_text(markdown: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                out.push_str(&t)
            }
            Event::SoftBreak | Event::HardBreak | Event::Rule => out.push(' '),
            // Blocks end with a space; inline markup (emphasis, links) adds nothing.
            Event::End(
                TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Superscript
                | TagEnd::Subscript
                | TagEnd::Link
                | TagEnd::Image,
            ) => {}
            Event::End(_) => out.push(' '),
            _ => {}
        }
    }
    out
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

/// A room title from its first message: the first line as plain text, shortened; `None` when that
/// leaves nothing (the room stays untitled and the UI shows its own label).
pub fn title_from(text: &str) -> Option<String> {
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let title = excerpt(&plain_text(first), 50);
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

    /// The shortcut for plain lines gives what the parser and the sanitiser give.
    #[test]
    fn plain_lines_render_as_the_full_path_does() {
        let lines = [
            "What is the difference between a process and a thread?",
            "A process has its own memory; threads share it.",
            "기술면접 준비는 어떻게 하나요?",
            "It's 100% fine: see docs/intro (part 2).",
            "e-mail, the end.",
            "Ünïcödé wörds and 数字 42!",
        ];
        for line in lines {
            assert!(is_plain_line(line), "{line}");
            assert_eq!(markdown_to_html(line), parse_and_sanitise(line), "{line}");
            assert_eq!(plain_text(line), parse_plain_text(line), "{line}");
        }
        for not_plain in [
            "", " a", "a ", "a  b", "1. list", "- item", "# title", "a *b*", "a_b_", "a `c`",
            "a <b>", "a & b", "a \"q\"", "a\nb", "[a](b)", "a ~~b~~", "a | b", "a\\b", "a#", "a:",
            "a\u{a0}b", "a\tb",
        ] {
            assert!(!is_plain_line(not_plain), "{not_plain:?}");
        }
    }

    proptest::proptest! {
        /// Any line the shortcut takes, from an alphabet of letters, digits, spaces and all
        /// ASCII punctuation, renders (and reads as plain text) exactly as the full path
        /// renders it.
        #[test]
        fn the_plain_line_shortcut_never_differs(line in "[a-zA-Z가-힣0-9 !-/:-@\\[-`{-~]{1,40}") {
            if is_plain_line(&line) {
                proptest::prop_assert_eq!(markdown_to_html(&line), parse_and_sanitise(&line));
                proptest::prop_assert_eq!(plain_text(&line), parse_plain_text(&line));
            }
        }

        /// Lines made to be plain (so every case takes the shortcut) render the same too.
        #[test]
        fn plain_looking_lines_render_the_same(
            line in "[a-zA-Z가-힣][a-zA-Z가-힣0-9,.?!;:'()%/ -]{0,38}[a-zA-Z가-힣0-9.?!)]"
        ) {
            proptest::prop_assume!(is_plain_line(&line));
            proptest::prop_assert_eq!(markdown_to_html(&line), parse_and_sanitise(&line));
            proptest::prop_assert_eq!(plain_text(&line), parse_plain_text(&line));
        }
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
        assert_eq!(
            title_from("## **Rust** `Vec` 질문\n둘째").as_deref(),
            Some("Rust Vec 질문")
        );
        let long = "word ".repeat(40);
        assert!(title_from(&long).is_some_and(|t| t.chars().count() <= 50));
        assert_eq!(excerpt("a\n\nb   c", 10), "a b c");
    }

    #[test]
    fn plain_text_drops_markdown_syntax_and_keeps_the_words() {
        let text = plain_text(
            "## 제목\n\n**굵게** 그리고 [링크](https://x.example) `code`\n\n```rust\nfn main() {}\n```\n- 하나\n- 둘",
        );
        assert_eq!(
            excerpt(&text, 200),
            "제목 굵게 그리고 링크 code fn main() {} 하나 둘"
        );
        assert_eq!(excerpt(&plain_text("<b>x</b> & y"), 50), "<b>x</b> & y");
    }

    #[test]
    fn fenced_code_keeps_a_known_language_class_only() {
        let html = markdown_to_html("```rust\nfn main() {}\n```\n\n```evil onload\nx\n```");
        assert!(html.contains("<code class=\"language-rust\">"), "{html}");
        assert!(!html.contains("evil"), "{html}");
    }
}
