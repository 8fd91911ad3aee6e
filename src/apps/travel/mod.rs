//! The Singapore travel app: so far the `travel` assistant's offline answers.

pub mod bundle;
pub mod data;
pub mod offline;

use crate::error::Result;
use crate::llm::ChatRequest;
use crate::llm::offline::OfflineAnswerer;
use crate::state::Setup;

/// Start-up: answers the `travel` assistant offline.
pub fn init(setup: &mut Setup) -> Result<()> {
    setup.offline.register("travel", TravelOffline);
    Ok(())
}

struct TravelOffline;

impl OfflineAnswerer for TravelOffline {
    fn answer(&self, req: &ChatRequest, ko: bool) -> String {
        offline::answer(req.last_user_text(), ko)
    }
}
