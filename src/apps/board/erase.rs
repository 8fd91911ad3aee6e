//! An account's deletion on the board. Its comments go first, in one transaction: those
//! other members answered stay as "deleted" placeholders (the replies stay, and the user
//! row's deletion sets their author to NULL), the rest go, and the posts they were on get
//! their counts back. Then its posts go (so a thumbnail upload racing the deletion finds no
//! post and removes its own file), and once the user row is gone their thumbnails leave the
//! media store.

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
            // Either step failing refuses the deletion (the first one then changes nothing);
            // once the posts are gone, their files are always removed.
            repo::erase_comments_of(&state.db, user).await?;
            let deleted = repo::delete_posts_of(&state.db, user).await;
            board.lists.bump();
            let thumbnails = deleted?;
            let state = state.clone();
            let after: After = Box::pin(async move {
                if let Ok(board) = state.part::<Board>() {
                    for name in &thumbnails {
                        board.media.forget(name).await;
                    }
                }
            });
            Ok(after)
        })
    }
}
