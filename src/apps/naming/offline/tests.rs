//! The recommender's table: Korean and English requests, each with the room's language
//! (and convention) and the name that must come first.

use super::*;
use serde_json::json;

/// (request, language, convention, the expected best name).
const TABLE: &[(&str, &str, &str, &str)] = &[
    // The two requests of issue 15.
    (
        "사용자 목록을 가입일 순으로 정렬하는 함수 이름",
        "Python",
        "",
        "sort_users_by_signup_date",
    ),
    (
        "HTTP 요청 재시도 횟수 상수 이름",
        "Python",
        "",
        "HTTP_REQUEST_RETRY_COUNT",
    ),
    // Functions.
    (
        "사용자 목록을 가입일 순으로 정렬하는 함수 이름",
        "JavaScript",
        "",
        "sortUsersBySignupDate",
    ),
    (
        "사용자 목록을 가입일 순으로 정렬하는 함수 이름",
        "Python",
        "camelCase",
        "sortUsersBySignupDate",
    ),
    (
        "function that sorts users by signup date",
        "Java",
        "",
        "sortUsersBySignupDate",
    ),
    (
        "두 수를 곱하는 함수 이름 추천해줘",
        "Python",
        "",
        "multiply",
    ),
    (
        "recommend names for a function that multiplies two numbers",
        "JavaScript",
        "",
        "multiply",
    ),
    (
        "이메일 주소를 검증하는 함수",
        "Python",
        "",
        "validate_email_address",
    ),
    ("이메일 검증 함수 이름", "Go", "", "validateEmail"),
    (
        "a function that validates an email address",
        "Python",
        "",
        "validate_email_address",
    ),
    (
        "문자열을 날짜로 변환하는 함수",
        "Python",
        "",
        "convert_string_to_date",
    ),
    (
        "function that converts a string to a date",
        "JavaScript",
        "",
        "convertStringToDate",
    ),
    ("DB에서 사용자를 조회하는 함수", "Java", "", "getUserFromDb"),
    (
        "사용자 ID로 사용자를 조회하는 함수",
        "Rust",
        "",
        "get_user_by_id",
    ),
    (
        "장바구니 총 금액을 계산하는 함수",
        "TypeScript",
        "",
        "calculateCartTotalPrice",
    ),
    (
        "카테고리별로 상품을 그룹화하는 함수",
        "Python",
        "",
        "group_products_by_category",
    ),
    (
        "사용자별 주문 수를 세는 함수",
        "Python",
        "",
        "count_orders_by_user",
    ),
    (
        "function that filters active users",
        "JavaScript",
        "",
        "filterActiveUsers",
    ),
    (
        "설정 파일을 불러오는 함수",
        "Python",
        "",
        "load_config_file",
    ),
    (
        "비밀번호를 암호화하는 함수",
        "Python",
        "",
        "encrypt_password",
    ),
    ("비밀번호 해시 함수 이름", "Rust", "", "hash_password"),
    ("JSON을 파싱하는 함수", "Go", "", "parseJSON"),
    (
        "URL에서 도메인을 추출하는 함수",
        "Python",
        "",
        "extract_domain_from_url",
    ),
    ("주문을 취소하는 메서드", "C#", "", "CancelOrder"),
    (
        "what should I call a method that sends a welcome email",
        "Java",
        "",
        "sendWelcomeEmail",
    ),
    (
        "function that fetches orders from the api",
        "TypeScript",
        "",
        "fetchOrdersFromApi",
    ),
    // Booleans.
    (
        "사용자가 활성 상태인지 나타내는 변수",
        "Python",
        "",
        "is_user_active",
    ),
    (
        "boolean for whether the user is active",
        "Java",
        "",
        "isUserActive",
    ),
    (
        "whether the user can edit the post",
        "Kotlin",
        "",
        "canEditPost",
    ),
    (
        "사용자가 게시글을 수정할 수 있는지 여부",
        "TypeScript",
        "",
        "canUpdatePost",
    ),
    ("주문이 취소되었는지 여부", "Java", "", "isOrderCancelled"),
    (
        "결제가 완료되었는지 나타내는 플래그",
        "TypeScript",
        "",
        "isPaymentCompleted",
    ),
    (
        "사용자가 관리자 권한을 가지고 있는지",
        "Python",
        "",
        "has_admin_permission",
    ),
    (
        "whether the user has admin permission",
        "Python",
        "",
        "has_admin_permission",
    ),
    (
        "토큰이 만료되었는지 확인하는 함수",
        "Go",
        "",
        "isTokenExpired",
    ),
    (
        "이메일이 유효한지 여부 변수",
        "Python",
        "",
        "is_email_valid",
    ),
    ("사용자가 관리자인지", "Ruby", "", "admin?"),
    (
        "boolean column for whether the order is paid",
        "PostgreSQL",
        "",
        "is_order_paid",
    ),
    // Constants.
    (
        "HTTP 요청 재시도 횟수 상수 이름",
        "Go",
        "",
        "httpRequestRetryCount",
    ),
    (
        "HTTP 요청 재시도 횟수 상수 이름",
        "C#",
        "",
        "HttpRequestRetryCount",
    ),
    (
        "최대 업로드 파일 크기 상수",
        "Python",
        "",
        "MAX_UPLOAD_FILE_SIZE",
    ),
    (
        "max upload file size constant",
        "Go",
        "",
        "maxUploadFileSize",
    ),
    ("기본 페이지 크기 상수", "Kotlin", "", "DEFAULT_PAGE_SIZE"),
    (
        "로그인 시도 최대 횟수 상수",
        "Java",
        "",
        "MAX_LOGIN_ATTEMPTS",
    ),
    (
        "maximum number of login attempts constant",
        "JavaScript",
        "",
        "MAX_LOGIN_ATTEMPTS",
    ),
    ("retry count constant", "Rust", "", "RETRY_COUNT"),
    ("기본 타임아웃 상수", "Swift", "", "defaultTimeout"),
    // Variables and SQL columns.
    (
        "variable for the total price of the cart",
        "Python",
        "",
        "cart_total_price",
    ),
    (
        "name for a variable holding the list of active users",
        "Python",
        "",
        "active_users",
    ),
    ("사용자 ID 변수", "Go", "", "userID"),
    ("사용자 목록 변수", "Dart", "", "users"),
    ("가입일을 저장할 컬럼 이름", "SQL", "", "signup_date"),
    // Classes, tables and files.
    ("주문을 저장하는 클래스", "Java", "", "OrderRepository"),
    ("class that stores orders", "Python", "", "OrderRepository"),
    ("이메일을 보내는 클래스", "Kotlin", "", "EmailSender"),
    ("사용자 정보를 담는 클래스", "Java", "", "UserInfo"),
    ("HTTP 클라이언트 클래스", "Go", "", "HTTPClient"),
    ("사용자 테이블 이름", "MySQL", "", "users"),
    (
        "사용자 인증 모듈 파일 이름",
        "Python",
        "",
        "user_authentication.py",
    ),
    (
        "주문을 저장하는 클래스 파일명",
        "Java",
        "",
        "OrderRepository.java",
    ),
];

#[test]
fn the_table_of_requests_gets_its_expected_best_name() {
    let mut failures = Vec::new();
    for (text, language, convention, best) in TABLE {
        let settings = json!({"language": language, "convention": convention});
        let s = suggest(text, &settings);
        let names: Vec<&str> = s.names.iter().map(|n| n.name.as_str()).collect();
        if names.first() != Some(best) {
            failures.push(format!(
                "{text} ({language}): expected {best}, got {names:?}"
            ));
        }
        if !(3..=MAX_CANDIDATES).contains(&names.len()) {
            failures.push(format!(
                "{text} ({language}): {} candidates {names:?}",
                names.len()
            ));
        }
    }
    assert!(TABLE.len() >= 40);
    let korean = TABLE
        .iter()
        .filter(|r| r.0.chars().any(parse::is_hangul))
        .count();
    assert!(korean >= 20 && TABLE.len() - korean >= 15);
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_reason_is_one_line_and_korean_answers_are_all_korean() {
    for (text, language, convention, _) in TABLE {
        let settings = json!({"language": language, "convention": convention});
        for n in suggest(text, &settings).names {
            for why in [&n.ko, &n.en] {
                assert!(
                    !why.is_empty() && !why.contains('\n') && why.chars().count() <= 80,
                    "{why}"
                );
            }
            assert!(n.ko.chars().any(parse::is_hangul), "{}", n.ko);
        }
        let ko = answer(text, &settings, true);
        // Outside code spans, a Korean answer has no English sentence: at most a language
        // name and the words inside backticks.
        let prose: String = ko
            .split('`')
            .enumerate()
            .filter(|(i, _)| i % 2 == 0)
            .map(|(_, s)| s)
            .collect();
        let latin_words: Vec<&str> = prose
            .split(|c: char| !c.is_ascii_alphabetic())
            .filter(|w| w.len() > 1)
            .collect();
        assert!(
            latin_words.iter().all(|w| [
                "confab",
                "Python",
                "JavaScript",
                "TypeScript",
                "Java",
                "Go",
                "Rust",
                "Kotlin",
                "SQL",
                "Swift",
                "Ruby",
                "Dart",
                "PHP"
            ]
            .contains(w)),
            "English in a Korean answer: {latin_words:?}\n{ko}"
        );
    }
}

#[test]
fn the_answer_lists_names_as_numbered_code_with_reasons() {
    let en = answer(
        "function that sorts users by signup date",
        &json!({"language": "Python"}),
        false,
    );
    assert!(en.starts_with("Names for a **Python** function:"), "{en}");
    assert!(
        en.contains("1. `sort_users_by_signup_date` — verb + object + criterion"),
        "{en}"
    );
    assert!(en.contains("`snake_case`"), "{en}");
    let ko = answer(
        "HTTP 요청 재시도 횟수 상수 이름",
        &json!({"language": "Python"}),
        true,
    );
    assert!(ko.starts_with("**Python** 상수 이름 추천이에요."), "{ko}");
    assert!(ko.contains("1. `HTTP_REQUEST_RETRY_COUNT` — "), "{ko}");
    assert!(ko.contains("`MAX_HTTP_REQUEST_RETRIES`"), "{ko}");
    assert!(ko.contains("`SCREAMING_SNAKE_CASE`"), "{ko}");
}

#[test]
fn looks_like_naming_requests() {
    assert!(looks_like_naming_request("변수명 추천해줘"));
    assert!(looks_like_naming_request("recommend a name for a function"));
    assert!(!looks_like_naming_request("오늘 날씨 어때?"));
}

proptest::proptest! {
    /// Any text and any settings: an answer every time, the same for the same request,
    /// never a panic.
    #[test]
    fn any_request_gets_the_same_answer_and_never_a_panic(
        text in "(?s).{0,200}",
        language in "[a-zA-Z+#]{0,12}",
        convention in "[a-zA-Z_-]{0,16}",
        ko in proptest::bool::ANY,
    ) {
        let settings = json!({"language": language, "convention": convention});
        let first = answer(&text, &settings, ko);
        proptest::prop_assert!(!first.is_empty());
        proptest::prop_assert_eq!(first, answer(&text, &settings, ko));
        let _ = looks_like_naming_request(&text);
    }

    /// Korean-ish text with dictionary words, particles and endings in any order.
    #[test]
    fn korean_word_salad_never_panics(
        parts in proptest::collection::vec(proptest::sample::select(vec![
            "사용자", "목록을", "가입일", "순으로", "정렬하는", "함수", "이름", "상수", "인지",
            "여부", "에서", "로", "HTTP", "세는", "찾", "별로", "가", "를", " ", "재시도횟수",
        ]), 0..12),
    ) {
        let text = parts.concat();
        let s = suggest(&text, &json!({"language": "Go"}));
        proptest::prop_assert!(s.names.len() <= MAX_CANDIDATES);
    }
}

#[test]
#[ignore = "prints every answer of the table for reading"]
fn print_the_table() {
    for (text, language, convention, _) in TABLE {
        let settings = json!({"language": language, "convention": convention});
        let ko = text.chars().any(parse::is_hangul);
        println!("## {text} ({language})\n{}\n", answer(text, &settings, ko));
    }
}
