//! An account's deletion on the board: its posts go first (so a thumbnail upload racing the
//! deletion finds no post and removes its own file), then their thumbnails leave the media
//! store; its comments go with the user row, and the posts they were on get their counts
//! back and lose the placeholders left without replies.

use futures::future::BoxFuture;
use uuid::Uuid;

use super::{Board, repo};
use crate::error::Result;
use crate::me::erase::{AccountEraser, After};
use crate::state::AppState;

pub(super) struct BoardEraser;

impl AccountEraser for BoardEraser {
    fn before<'a>(&'a self, state: &'a AppState, user: Uuid) -> BoxFuture<'a, Result<After>> {
        Box::pin(async move {
            let board = state.part::<Board>()?;
            // Read first, delete last: a failure before the delete leaves everything as
            // it was, and once the posts are gone their files are always removed.
            let posts = repo::posts_commented_by(&state.db, user).await?;
            let thumbnails = repo::delete_posts_of(&state.db, user).await?;
            board.lists.bump();
            let state = state.clone();
            let after: After = Box::pin(async move {
                let Ok(board) = state.part::<Board>() else {
                    return;
                };
                for name in &thumbnails {
                    board.media.forget(name).await;
                }
                for post in posts {
                    if let Err(err) = repo::tidy_comments(&state.db, post).await {
                        tracing::warn!(error = %err, %post, "could not recount a post's comments");
                    }
                }
                board.lists.bump();
            });
            Ok(after)
        })
    }
}
