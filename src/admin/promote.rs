//! `CONFAB_ADMIN_EMAILS`: listed accounts become admins when they sign up or log in (with
//! a password or a provider). The promotion is recorded in the audit log with no actor.

use serde_json::json;

use super::repo::{self, NewAudit};
use crate::auth::repo::{Role, UserRow};
use crate::error::Result;
use crate::state::AppState;

/// The user, made admin first when their email is listed and they are not one yet.
pub async fn promote_if_listed(state: &AppState, user: UserRow) -> Result<UserRow> {
    let listed = user
        .email
        .as_deref()
        .is_some_and(|email| state.config.is_admin_email(email));
    if !listed || user.role() == Role::Admin {
        return Ok(user);
    }
    let mut tx = repo::begin_change(&state.db).await?;
    let Some(before) = repo::editable(&mut tx, user.id).await? else {
        return Ok(user);
    };
    if before.role != Role::Admin.as_str() {
        repo::set_role(&mut tx, user.id, Role::Admin).await?;
        repo::record(
            &mut tx,
            NewAudit {
                actor: None,
                action: "promoted_by_config",
                target: (user.id, &before.username),
                before: Some(json!({ "role": before.role })),
                after: Some(json!({ "role": Role::Admin.as_str() })),
            },
        )
        .await?;
    }
    tx.commit().await?;
    tracing::info!(user_id = %user.id, "made admin by CONFAB_ADMIN_EMAILS");
    Ok(UserRow {
        role: Role::Admin.as_str().to_owned(),
        ..user
    })
}
