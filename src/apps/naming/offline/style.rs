//! Languages and their naming idioms: which case each kind of identifier takes
//! (Python `snake_case` functions, JavaScript `camelCase`, Go MixedCaps with upper-case
//! initialisms, C# `PascalCase` methods and constants, SQL `snake_case` columns, …), the
//! room's convention when it names one, and file names with their extension.

use serde_json::Value;

use super::parse::Kind;

/// A naming convention.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Case {
    Camel,
    Snake,
    Pascal,
    Kebab,
    Screaming,
}

impl Case {
    pub fn label(self) -> &'static str {
        match self {
            Case::Camel => "camelCase",
            Case::Snake => "snake_case",
            Case::Pascal => "PascalCase",
            Case::Kebab => "kebab-case",
            Case::Screaming => "SCREAMING_SNAKE_CASE",
        }
    }

    /// A convention named in free text (`snake_case`, `camel`, `UPPER_SNAKE`, …).
    pub fn named_in(text: &str) -> Option<Case> {
        let t = text.to_lowercase();
        [
            ("screaming", Case::Screaming),
            ("upper_snake", Case::Screaming),
            ("upper snake", Case::Screaming),
            ("constant_case", Case::Screaming),
            ("snake", Case::Snake),
            ("kebab", Case::Kebab),
            ("pascal", Case::Pascal),
            ("upper camel", Case::Pascal),
            ("uppercamel", Case::Pascal),
            ("mixedcaps", Case::Camel),
            ("camel", Case::Camel),
        ]
        .iter()
        .find(|(k, _)| t.contains(k))
        .map(|(_, c)| *c)
    }
}

/// The languages confab knows the idioms of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Python,
    JavaScript,
    TypeScript,
    Go,
    Rust,
    Java,
    Kotlin,
    CSharp,
    Sql,
    Swift,
    Ruby,
    Php,
    C,
    Cpp,
    Dart,
    Css,
    Other,
}

impl Lang {
    /// Reads a room's `language` (free text: `Python 3`, `node.js`, `파이썬`, `C#`…).
    pub fn parse(text: &str) -> Lang {
        let t = text.trim().to_lowercase();
        let first = t
            .split(|c: char| c.is_whitespace() || c == '/' || c == ',' || c == '(')
            .next()
            .unwrap_or("");
        let is = |names: &[&str]| names.contains(&first) || names.contains(&t.as_str());
        let starts = |names: &[&str]| names.iter().any(|n| t.starts_with(n));
        if starts(&["python", "파이썬", "django", "flask", "fastapi"]) || is(&["py"]) {
            Lang::Python
        } else if starts(&["typescript", "타입스크립트", "angular"]) || is(&["ts", "tsx"]) {
            Lang::TypeScript
        } else if starts(&[
            "javascript",
            "자바스크립트",
            "node",
            "react",
            "vue",
            "svelte",
            "ecmascript",
        ]) || is(&["js", "jsx", "mjs"])
        {
            Lang::JavaScript
        } else if starts(&["golang", "고랭"]) || is(&["go", "고"]) {
            Lang::Go
        } else if starts(&["rust", "러스트"]) || is(&["rs"]) {
            Lang::Rust
        } else if starts(&["kotlin", "코틀린"]) || is(&["kt"]) {
            Lang::Kotlin
        } else if starts(&["c#", "csharp", "c샵", "씨샵", ".net", "dotnet", "unity"]) || is(&["cs"])
        {
            Lang::CSharp
        } else if starts(&["java", "자바", "spring"]) {
            Lang::Java
        } else if starts(&[
            "sql", "postgres", "mysql", "sqlite", "mariadb", "oracle", "mssql", "t-sql", "pl/",
        ]) || is(&["db", "database", "데이터베이스"])
        {
            Lang::Sql
        } else if starts(&["swift", "스위프트"]) {
            Lang::Swift
        } else if starts(&["ruby", "루비", "rails"]) || is(&["rb"]) {
            Lang::Ruby
        } else if starts(&["php", "laravel"]) {
            Lang::Php
        } else if starts(&["c++", "cpp", "씨쁠쁠"]) {
            Lang::Cpp
        } else if is(&["c", "c언어", "c99", "c11"]) {
            Lang::C
        } else if starts(&["dart", "flutter", "다트", "플러터"]) {
            Lang::Dart
        } else if starts(&["css", "scss", "sass", "less", "tailwind"]) {
            Lang::Css
        } else {
            Lang::Other
        }
    }

    /// The usual name of the language (for a room that gave none: `None`).
    pub fn display(self) -> Option<&'static str> {
        Some(match self {
            Lang::Python => "Python",
            Lang::JavaScript => "JavaScript",
            Lang::TypeScript => "TypeScript",
            Lang::Go => "Go",
            Lang::Rust => "Rust",
            Lang::Java => "Java",
            Lang::Kotlin => "Kotlin",
            Lang::CSharp => "C#",
            Lang::Sql => "SQL",
            Lang::Swift => "Swift",
            Lang::Ruby => "Ruby",
            Lang::Php => "PHP",
            Lang::C => "C",
            Lang::Cpp => "C++",
            Lang::Dart => "Dart",
            Lang::Css => "CSS",
            Lang::Other => return None,
        })
    }

    /// The case of a kind of identifier by the language's idiom.
    pub fn case_for(self, kind: Kind) -> Case {
        use Case::*;
        match (self, kind) {
            (Lang::Css, _) => Kebab,
            (Lang::Sql, _) => Snake,
            (Lang::CSharp, Kind::Variable) => Camel,
            (Lang::CSharp, _) => Pascal,
            (_, Kind::Class) => Pascal,
            (Lang::Go | Lang::Swift | Lang::Dart, Kind::Constant) => Camel,
            (_, Kind::Constant) => Screaming,
            (Lang::Python | Lang::Rust | Lang::Ruby | Lang::C | Lang::Cpp, _) => Snake,
            (Lang::Go | Lang::Dart, Kind::File) => Snake,
            (Lang::JavaScript | Lang::TypeScript, Kind::File) => Kebab,
            (Lang::Java | Lang::Kotlin | Lang::Swift | Lang::Php, Kind::File) => Pascal,
            _ => Camel,
        }
    }

    /// A file name's extension.
    pub fn extension(self) -> &'static str {
        match self {
            Lang::Python => ".py",
            Lang::JavaScript => ".js",
            Lang::TypeScript => ".ts",
            Lang::Go => ".go",
            Lang::Rust => ".rs",
            Lang::Java => ".java",
            Lang::Kotlin => ".kt",
            Lang::CSharp => ".cs",
            Lang::Sql => ".sql",
            Lang::Swift => ".swift",
            Lang::Ruby => ".rb",
            Lang::Php => ".php",
            Lang::C => ".c",
            Lang::Cpp => ".cpp",
            Lang::Dart => ".dart",
            Lang::Css => ".css",
            Lang::Other => "",
        }
    }

    /// Whether getters go without `get` (Go, Rust, Kotlin and Swift properties, Ruby).
    pub fn bare_getters(self) -> bool {
        matches!(
            self,
            Lang::Go | Lang::Rust | Lang::Kotlin | Lang::Swift | Lang::Ruby
        )
    }
}

/// How a room names things: its language, and the convention it asked for, if any.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub lang: Lang,
    /// The room's convention, when it names a case.
    pub convention: Option<Case>,
}

impl Style {
    pub fn from_settings(settings: &Value) -> Style {
        let get = |k: &str| settings.get(k).and_then(Value::as_str).unwrap_or("");
        Style {
            lang: Lang::parse(get("language")),
            convention: Case::named_in(get("convention")),
        }
    }

    /// The case for a kind: the room's convention for functions, variables and booleans
    /// (and any kind when it asks for SCREAMING_SNAKE_CASE on a constant), else the idiom.
    pub fn case_for(self, kind: Kind) -> (Case, bool) {
        match (self.convention, kind) {
            (Some(c), Kind::Function | Kind::Variable | Kind::Boolean) => (c, true),
            (Some(c), Kind::File) if c != Case::Screaming => (c, true),
            _ => (self.lang.case_for(kind), false),
        }
    }
}

/// Initialisms Go (and often Swift) keeps upper-case: `userID`, `parseURL`, `HTTPClient`.
const INITIALISMS: &[&str] = &[
    "id", "url", "http", "https", "api", "json", "xml", "html", "sql", "uri", "uuid", "ip", "tcp",
    "udp", "db", "io", "os", "css", "jwt", "csv", "pdf", "ui",
];

/// Joins lower-case words in a case; Go's MixedCaps keep initialisms upper-case.
pub fn convert(words: &[String], case: Case, lang: Lang) -> String {
    let cap = |w: &str| {
        if lang == Lang::Go && INITIALISMS.contains(&w) {
            return w.to_uppercase();
        }
        let mut c = w.chars();
        c.next()
            .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
            .unwrap_or_default()
    };
    let words: Vec<String> = words
        .iter()
        .flat_map(|w| w.split([' ', '_', '-']))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    match case {
        Case::Snake => words.join("_"),
        Case::Kebab => words.join("-"),
        Case::Screaming => words.join("_").to_uppercase(),
        Case::Pascal => words.iter().map(|w| cap(w)).collect(),
        Case::Camel => words
            .iter()
            .enumerate()
            .map(|(i, w)| if i == 0 { w.clone() } else { cap(w) })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(ws: &[&str]) -> Vec<String> {
        ws.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn every_case_converts_and_go_keeps_initialisms() {
        let w = words(&["parse", "http", "url"]);
        assert_eq!(convert(&w, Case::Camel, Lang::Java), "parseHttpUrl");
        assert_eq!(convert(&w, Case::Camel, Lang::Go), "parseHTTPURL");
        assert_eq!(convert(&w, Case::Snake, Lang::Python), "parse_http_url");
        assert_eq!(convert(&w, Case::Pascal, Lang::CSharp), "ParseHttpUrl");
        assert_eq!(convert(&w, Case::Kebab, Lang::Css), "parse-http-url");
        assert_eq!(convert(&w, Case::Screaming, Lang::Rust), "PARSE_HTTP_URL");
    }

    #[test]
    fn languages_are_read_from_free_text() {
        for (text, lang) in [
            ("Python 3.12", Lang::Python),
            ("파이썬", Lang::Python),
            ("node.js", Lang::JavaScript),
            ("TypeScript", Lang::TypeScript),
            ("Go", Lang::Go),
            ("golang", Lang::Go),
            ("C#", Lang::CSharp),
            ("Java 21", Lang::Java),
            ("Kotlin", Lang::Kotlin),
            ("PostgreSQL", Lang::Sql),
            ("C", Lang::C),
            ("C++", Lang::Cpp),
            ("Elm", Lang::Other),
        ] {
            assert_eq!(Lang::parse(text), lang, "{text}");
        }
    }
}
