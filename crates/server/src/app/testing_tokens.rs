//! Testing tokens: development instances only, as Clerk. Nothing is stored (see
//! `usher_core::testing_tokens`).

use usher_core::instance::Environment;
use usher_core::testing_tokens::{self, TestingToken};
use usher_core::{CoreError, CoreResult};

use crate::state::AppState;

pub fn create(state: &AppState) -> CoreResult<TestingToken> {
    if state.instance.environment == Environment::Production {
        return Err(CoreError::ProductionForbidden {
            what: "testing tokens",
        });
    }
    Ok(testing_tokens::issue(state.now()))
}
