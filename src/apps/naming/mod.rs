//! The naming assistant: recommends identifier names for a room's language and
//! convention. Its room settings and prompt live with the assistants (`chat/`); this
//! folder holds its offline recommender ([`offline`], with the term dictionary in
//! `data/naming/`) and the structured model answers ([`llm`]).

pub mod llm;
pub mod offline;

use crate::error::Result;
use crate::llm::ChatRequest;
use crate::llm::offline::OfflineAnswerer;
use crate::state::Setup;

/// Start-up: checks the term dictionary, answers the `naming` assistant offline (and
/// naming questions asked of the general assistant), and with a model asks it for JSON.
pub fn init(setup: &mut Setup) -> Result<()> {
    offline::check().map_err(crate::error::Error::internal)?;
    setup.offline.register("naming", NamingOffline);
    setup.llm_layers.push(("naming", llm::layer));
    Ok(())
}

struct NamingOffline;

impl OfflineAnswerer for NamingOffline {
    fn answer(&self, req: &ChatRequest, ko: bool) -> String {
        offline::answer(req.last_user_text(), &req.settings, ko)
    }

    fn aside(&self, text: &str, ko: bool) -> Option<String> {
        offline::looks_like_naming_request(text)
            .then(|| offline::answer(text, &serde_json::Value::Null, ko))
    }
}
