//! `/api/admin/users`: list and search users with today's use per scope, and change a
//! user's role, activity and daily limits (each change audited).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::Admin;
use super::repo::{self, AdminUserRow, NewAudit, UserFilter};
use crate::auth::repo::Role;
use crate::error::{Error, ErrorBody, FieldErrors, Problem, Result};
use crate::extract::{AppJson, AppQuery, IdPath, Page, Pagination};
use crate::quota::Scope;
use crate::state::AppState;

/// Longest search text, in characters.
pub const QUERY_MAX: usize = 200;
/// Largest per-user daily limit an admin may set (0 means unlimited).
pub const LIMIT_MAX: i64 = 100_000;

/// One scope of a user's quota today.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserScope {
    pub scope: String,
    /// Calls counted today (in the quota time zone).
    pub used_today: i64,
    /// The limit in effect: the override, else the configured default; `null` = unlimited.
    pub limit: Option<i64>,
    /// The user's own limit, when an admin set one (0 = unlimited); `null` = the default.
    #[serde(rename = "override")]
    pub override_limit: Option<i64>,
    /// The configured default; `null` = unlimited.
    pub default_limit: Option<i64>,
}

/// A user as an admin sees them: no password, no content.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminUserView {
    pub id: Uuid,
    pub email: Option<String>,
    pub username: String,
    pub role: Role,
    /// `active` or `deactivated`.
    pub state: &'static str,
    pub is_active: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// The latest use of a session or an API key; `null` when never.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_active_at: Option<OffsetDateTime>,
    /// Today's use and limits, per scope.
    pub quota: Vec<UserScope>,
}

/// Filters of the user list.
#[derive(Debug, Deserialize, IntoParams)]
pub struct UserQuery {
    /// Part of an email or username (any case), at most 200 characters.
    pub q: Option<String>,
    /// `member`, `manager` or `admin`.
    pub role: Option<String>,
    /// `active` or `deactivated`.
    pub state: Option<String>,
}

/// A change to a user. Every field is optional; at least one is required.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUser {
    /// `member`, `manager` or `admin`.
    pub role: Option<String>,
    /// `false` deactivates (every session and API key ends at once), `true` reactivates.
    pub is_active: Option<bool>,
    /// Per scope: a daily limit 0–100000 (0 = unlimited), or `null` to go back to the default.
    #[schema(value_type = Option<BTreeMap<String, Option<i64>>>)]
    pub quota_overrides: Option<BTreeMap<String, Option<i64>>>,
}

/// Users, newest first; search with `q`, filter by `role` and `state`.
#[utoipa::path(get, path = "/api/admin/users", tag = "admin", security(("bearer" = [])),
    params(UserQuery, ("cursor" = Option<String>, Query), ("limit" = Option<i64>, Query, description = "1–200, default 50")),
    responses((status = 200, body = Page<AdminUserView>), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_users(
    Admin(_admin): Admin,
    State(state): State<AppState>,
    AppQuery(query): AppQuery<UserQuery>,
    page: Pagination,
) -> Result<Json<Page<AdminUserView>>> {
    let mut fields = FieldErrors::new();
    let filter = UserFilter {
        pattern: query
            .q
            .as_deref()
            .and_then(|q| fields.check("q", search_pattern(q)).flatten()),
        role: query
            .role
            .as_deref()
            .filter(|r| !r.is_empty())
            .and_then(|r| fields.check("role", parse_role(r))),
        active: query
            .state
            .as_deref()
            .filter(|s| !s.is_empty())
            .and_then(|s| fields.check("state", parse_state(s))),
    };
    let cursor = fields.take(page.id_cursor())?.flatten();
    fields.finish()?;
    let rows = repo::list_users(&state.db, &filter, cursor, page.fetch_limit()).await?;
    let Page { items, next_cursor } = page.page(rows, |r| r.id.to_string(), |r| r);
    let items = views(&state, items).await?;
    Ok(Json(Page { items, next_cursor }))
}

/// One user.
#[utoipa::path(get, path = "/api/admin/users/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = AdminUserView), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get_user(
    Admin(_admin): Admin,
    State(state): State<AppState>,
    IdPath(id): IdPath,
) -> Result<Json<AdminUserView>> {
    Ok(Json(view(&state, id).await?))
}

/// Change a user's role, activity or daily limits. Deactivating ends every session and API
/// key of the user at once, on every instance. Demoting or deactivating the last active
/// admin is refused (409 `last_admin`). Each change is recorded in the audit log.
#[utoipa::path(patch, path = "/api/admin/users/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = UpdateUser,
    responses((status = 200, body = AdminUserView), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)))]
pub async fn update_user(
    Admin(admin): Admin,
    State(state): State<AppState>,
    IdPath(id): IdPath,
    AppJson(req): AppJson<UpdateUser>,
) -> Result<Json<AdminUserView>> {
    let mut fields = FieldErrors::new();
    let role = req
        .role
        .as_deref()
        .and_then(|r| fields.check("role", parse_role(r)));
    let mut overrides = Vec::new();
    for (name, limit) in req.quota_overrides.iter().flatten() {
        let field = format!("quota_overrides.{name}");
        let scope = fields.check(&field, parse_scope(name));
        let limit = match limit {
            Some(n) => fields.check(&field, daily_limit(*n)).map(Some),
            None => Some(None),
        };
        if let (Some(scope), Some(limit)) = (scope, limit) {
            overrides.push((scope, limit));
        }
    }
    fields.finish()?;
    if role.is_none() && req.is_active.is_none() && req.quota_overrides.is_none() {
        return Err(Error::BadRequest {
            code: "nothing_to_change",
            message: "give at least one of role, is_active, quota_overrides".into(),
        });
    }

    let mut tx = repo::begin_change(&state.db).await?;
    let before = repo::editable(&mut tx, id).await?.ok_or(Error::NotFound)?;
    let was_admin = before.role == Role::Admin.as_str() && before.is_active;
    let stays_admin = role.unwrap_or_else(|| Role::parse(&before.role).unwrap_or(Role::Member))
        == Role::Admin
        && req.is_active.unwrap_or(before.is_active);
    if was_admin && !stays_admin && repo::other_active_admins(&mut tx, id).await? == 0 {
        return Err(Error::Conflict {
            code: "last_admin",
            message: "this is the last active admin; make another admin first".into(),
        });
    }
    let actor = Some((admin.id, admin.username.as_str()));
    let target = (id, before.username.as_str());
    if let Some(role) = role.filter(|r| r.as_str() != before.role) {
        repo::set_role(&mut tx, id, role).await?;
        repo::record(
            &mut tx,
            NewAudit {
                actor,
                action: "role_changed",
                target,
                before: Some(json!({ "role": before.role })),
                after: Some(json!({ "role": role.as_str() })),
            },
        )
        .await?;
    }
    if let Some(active) = req.is_active.filter(|a| *a != before.is_active) {
        let keys = repo::set_active(&mut tx, id, active).await?;
        let after = if active {
            json!({ "is_active": true })
        } else {
            json!({ "is_active": false, "api_keys_revoked": keys })
        };
        repo::record(
            &mut tx,
            NewAudit {
                actor,
                action: if active { "reactivated" } else { "deactivated" },
                target,
                before: Some(json!({ "is_active": before.is_active })),
                after: Some(after),
            },
        )
        .await?;
    }
    for (scope, limit) in overrides {
        let old = crate::quota::repo::override_in(&mut tx, id, scope.as_str()).await?;
        if old == limit {
            continue;
        }
        crate::quota::repo::set_override_in(&mut tx, id, scope.as_str(), limit).await?;
        repo::record(
            &mut tx,
            NewAudit {
                actor,
                action: if limit.is_some() {
                    "quota_override_set"
                } else {
                    "quota_override_cleared"
                },
                target,
                before: Some(json!({ "scope": scope.as_str(), "limit": old })),
                after: Some(json!({ "scope": scope.as_str(), "limit": limit })),
            },
        )
        .await?;
    }
    tx.commit().await?;
    tracing::info!(admin_id = %admin.id, user_id = %id, "user changed by an admin");
    Ok(Json(view(&state, id).await?))
}

/// One user's view, or 404.
async fn view(state: &AppState, id: Uuid) -> Result<AdminUserView> {
    let row = repo::find_user(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    views(state, vec![row])
        .await?
        .pop()
        .ok_or_else(|| Error::internal("a user's view went missing"))
}

/// Views of users, with today's use and limits (two queries for the whole page).
async fn views(state: &AppState, rows: Vec<AdminUserRow>) -> Result<Vec<AdminUserView>> {
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let (day, _) = crate::quota::current_day(state);
    let used = repo::used_on(&state.db, &ids, &day).await?;
    let overrides = repo::overrides_of(&state.db, &ids).await?;
    let find = |list: &[(Uuid, String, i64)], id: Uuid, scope: Scope| {
        list.iter()
            .find(|(u, s, _)| *u == id && s == scope.as_str())
            .map(|(_, _, n)| *n)
    };
    Ok(rows
        .into_iter()
        .map(|row| {
            let quota = Scope::ALL
                .into_iter()
                .map(|scope| {
                    let configured = state.config.quota_limit(scope.as_str());
                    let default_limit = i64::try_from(configured).ok().filter(|n| *n > 0);
                    let override_limit = find(&overrides, row.id, scope);
                    let limit = match override_limit {
                        Some(n) => (n > 0).then_some(n),
                        None => default_limit,
                    };
                    UserScope {
                        scope: scope.as_str().to_owned(),
                        used_today: find(&used, row.id, scope).unwrap_or(0),
                        limit,
                        override_limit,
                        default_limit,
                    }
                })
                .collect();
            AdminUserView {
                id: row.id,
                email: row.email,
                username: row.username,
                role: Role::parse(&row.role).unwrap_or(Role::Member),
                state: if row.is_active {
                    "active"
                } else {
                    "deactivated"
                },
                is_active: row.is_active,
                created_at: row.created_at,
                last_active_at: row.session_last.max(row.key_last),
                quota,
            }
        })
        .collect())
}

const ROLES: [&str; 3] = ["member", "manager", "admin"];

fn parse_role(raw: &str) -> std::result::Result<Role, Problem> {
    Role::parse(raw.trim()).ok_or_else(|| Problem::not_one_of(&ROLES))
}

fn parse_state(raw: &str) -> std::result::Result<bool, Problem> {
    match raw.trim() {
        "active" => Ok(true),
        "deactivated" => Ok(false),
        _ => Err(Problem::not_one_of(&["active", "deactivated"])),
    }
}

fn parse_scope(raw: &str) -> std::result::Result<Scope, Problem> {
    Scope::parse(raw).ok_or_else(|| {
        let names: Vec<&str> = Scope::ALL.iter().map(|s| s.as_str()).collect();
        Problem::not_one_of(&names)
    })
}

fn daily_limit(n: i64) -> std::result::Result<i64, Problem> {
    if (0..=LIMIT_MAX).contains(&n) {
        Ok(n)
    } else {
        Err(Problem::out_of_range(0, LIMIT_MAX))
    }
}

/// A `LIKE` pattern for a search text: `None` for a blank one; wildcards in the text are
/// escaped (with `\`), so they match themselves.
fn search_pattern(raw: &str) -> std::result::Result<Option<String>, Problem> {
    let q = raw.trim();
    if q.is_empty() {
        return Ok(None);
    }
    if q.chars().count() > QUERY_MAX {
        return Err(Problem::too_long(QUERY_MAX));
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
    fn search_text_is_lowered_bounded_and_escaped() {
        assert_eq!(search_pattern("  "), Ok(None));
        assert_eq!(search_pattern(" Kim "), Ok(Some("%kim%".into())));
        assert_eq!(
            search_pattern("50%_a\\"),
            Ok(Some("%50\\%\\_a\\\\%".into()))
        );
        assert_eq!(
            search_pattern(&"a".repeat(QUERY_MAX + 1)).map_err(|p| p.code),
            Err("too_long")
        );
        assert_eq!(
            search_pattern("a\u{7}").map_err(|p| p.code),
            Err("control_chars")
        );
    }

    #[test]
    fn roles_states_scopes_and_limits_are_checked() {
        assert_eq!(parse_role("admin"), Ok(Role::Admin));
        assert_eq!(parse_role("root").map_err(|p| p.code), Err("not_one_of"));
        assert_eq!(parse_state("deactivated"), Ok(false));
        assert!(parse_state("gone").is_err());
        assert_eq!(parse_scope("tarot"), Ok(Scope::Tarot));
        assert!(parse_scope("images").is_err());
        assert_eq!(daily_limit(0), Ok(0));
        assert_eq!(daily_limit(LIMIT_MAX), Ok(LIMIT_MAX));
        assert_eq!(daily_limit(-1).map_err(|p| p.code), Err("out_of_range"));
        assert_eq!(
            daily_limit(LIMIT_MAX + 1).map_err(|p| p.code),
            Err("out_of_range")
        );
    }
}
