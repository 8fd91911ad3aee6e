//! `/api/admin/audit`: the log of admin actions, newest first.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::Admin;
use super::repo::{self, AuditRow};
use crate::error::{ErrorBody, FieldErrors, Problem, Result};
use crate::extract::{AppQuery, Page, Pagination};
use crate::state::AppState;

/// Who an entry names: the id (`null` once the account is deleted) and the username at
/// the time.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditUser {
    pub id: Option<Uuid>,
    pub username: String,
}

/// One admin action.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: Uuid,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// The admin who acted; `null` for the server itself (`CONFAB_ADMIN_EMAILS`).
    pub actor: Option<AuditUser>,
    /// `role_changed`, `deactivated`, `reactivated`, `quota_override_set`,
    /// `quota_override_cleared` or `promoted_by_config`.
    pub action: String,
    pub target: AuditUser,
    /// The changed values before, e.g. `{"role": "member"}`.
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// The changed values after, e.g. `{"role": "manager"}`.
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

impl From<AuditRow> for AuditEntry {
    fn from(row: AuditRow) -> Self {
        // Written by the server as JSON; anything unreadable shows as absent.
        let parse = |text: Option<String>| text.and_then(|t| serde_json::from_str(&t).ok());
        AuditEntry {
            id: row.id,
            at: row.created_at,
            actor: row.actor_name.map(|username| AuditUser {
                id: row.actor_id,
                username,
            }),
            action: row.action,
            target: AuditUser {
                id: row.target_id,
                username: row.target_name,
            },
            before: parse(row.before),
            after: parse(row.after),
        }
    }
}

/// Filter of the audit log.
#[derive(Debug, Deserialize, IntoParams)]
pub struct AuditQuery {
    /// Only entries about this user (an id).
    pub user: Option<String>,
}

/// The audit log of admin actions, newest first; `user` keeps one user's entries.
#[utoipa::path(get, path = "/api/admin/audit", tag = "admin", security(("bearer" = [])),
    params(AuditQuery, ("cursor" = Option<String>, Query), ("limit" = Option<i64>, Query, description = "1–200, default 50")),
    responses((status = 200, body = Page<AuditEntry>), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn list_audit(
    Admin(_admin): Admin,
    State(state): State<AppState>,
    AppQuery(query): AppQuery<AuditQuery>,
    page: Pagination,
) -> Result<Json<Page<AuditEntry>>> {
    let mut fields = FieldErrors::new();
    let user = query
        .user
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
        .and_then(|u| {
            fields.check(
                "user",
                Uuid::parse_str(u).map_err(|_| Problem::invalid_format("must be a user id")),
            )
        });
    let cursor = fields.take(page.id_cursor())?.flatten();
    fields.finish()?;
    let rows = repo::list_audit(&state.db, user, cursor, page.fetch_limit()).await?;
    Ok(Json(page.page(
        rows,
        |r| r.id.to_string(),
        AuditEntry::from,
    )))
}
