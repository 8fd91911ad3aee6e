//! Room context: an app may add to the model request of its assistant's rooms, e.g. the
//! travel plan a follow-up room belongs to. Apps register a [`RoomContext`] by assistant
//! in their `init` ([`RoomContexts::register`]); chat asks it before every answer, so the
//! chat layer never names an app.

use std::sync::Arc;

use futures::future::BoxFuture;

use super::repo::RoomRow;
use crate::error::Result;
use crate::llm::ChatRequest;
use crate::state::AppState;

/// What an app adds to a room's model request.
pub trait RoomContext: Send + Sync {
    /// Adjusts `req` (system prompt first, then history) for `room` before it is sent.
    fn prepare<'a>(
        &'a self,
        state: &'a AppState,
        room: &'a RoomRow,
        req: &'a mut ChatRequest,
    ) -> BoxFuture<'a, Result<()>>;
}

/// The registered contexts, by assistant id.
#[derive(Clone, Default)]
pub struct RoomContexts {
    by_assistant: Vec<(String, Arc<dyn RoomContext>)>,
}

impl RoomContexts {
    /// Prepares `assistant`'s requests with `context` (a later registration wins).
    pub fn register(&mut self, assistant: &str, context: impl RoomContext + 'static) {
        self.by_assistant.retain(|(id, _)| id != assistant);
        self.by_assistant
            .push((assistant.to_owned(), Arc::new(context)));
    }

    /// Runs the room's assistant's context, if one is registered.
    pub async fn prepare(
        &self,
        state: &AppState,
        room: &RoomRow,
        req: &mut ChatRequest,
    ) -> Result<()> {
        match self
            .by_assistant
            .iter()
            .find(|(id, _)| *id == room.assistant)
        {
            Some((_, context)) => context.prepare(state, room, req).await,
            None => Ok(()),
        }
    }
}
