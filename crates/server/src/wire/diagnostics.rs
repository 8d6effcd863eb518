//! `usher_diagnostics`: the judgement (`verdict`, `checks`, `causes`) and what it was made
//! from (`measurements`). An Usher extension: Clerk has no such object.

use serde::Serialize;
use usher_core::diagnostics::{Check, Diagnosis, Level, Measurements};

#[derive(Serialize)]
pub struct DiagnosticsJson {
    pub object: &'static str,
    pub verdict: Level,
    pub checks: Vec<Check>,
    pub causes: Vec<String>,
    pub measurements: Measurements,
}

impl DiagnosticsJson {
    pub fn new(diagnosis: Diagnosis, measurements: Measurements) -> Self {
        Self {
            object: "usher_diagnostics",
            verdict: diagnosis.verdict,
            checks: diagnosis.checks,
            causes: diagnosis.causes,
            measurements,
        }
    }
}
