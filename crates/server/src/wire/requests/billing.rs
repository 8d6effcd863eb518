//! Billing bodies (Usher's extensions: Clerk's Backend API has no route that makes a plan or
//! assigns one, since its Dashboard and checkout do).

use serde::Deserialize;
use serde::de::Deserializer;
use usher_core::billing::PayerType;
use usher_core::billing::rules::{NewFeature, NewPlan};

use super::fields;

/// `for_payer_type`: `user` or `org`.
fn payer_type<'de, D: Deserializer<'de>>(d: D) -> Result<PayerType, D::Error> {
    let raw = fields::required_string::deserialize(d)?;
    PayerType::parse(&raw).ok_or_else(|| fields::value("must be user or org"))
}

/// One of a new plan's `features`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureRequest {
    #[serde(with = "fields::required_string")]
    name: String,
    #[serde(with = "fields::required_string")]
    slug: String,
    #[serde(default, with = "fields::string")]
    description: Option<String>,
}

/// `POST /v1/billing/plans`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreatePlanRequest {
    #[serde(with = "fields::required_string")]
    name: String,
    #[serde(with = "fields::required_string")]
    slug: String,
    #[serde(deserialize_with = "payer_type")]
    for_payer_type: PayerType,
    #[serde(default, with = "fields::string")]
    description: Option<String>,
    #[serde(default, with = "fields::flag")]
    is_default: bool,
    #[serde(default, with = "fields::boolean")]
    publicly_visible: Option<bool>,
    #[serde(default)]
    features: Option<Vec<FeatureRequest>>,
}

impl From<CreatePlanRequest> for NewPlan {
    fn from(r: CreatePlanRequest) -> Self {
        NewPlan {
            name: r.name,
            slug: r.slug,
            description: r.description,
            for_payer_type: r.for_payer_type,
            is_default: r.is_default,
            publicly_visible: r.publicly_visible.unwrap_or(true),
            features: r
                .features
                .unwrap_or_default()
                .into_iter()
                .map(|f| NewFeature {
                    name: f.name,
                    slug: f.slug,
                    description: f.description,
                })
                .collect(),
        }
    }
}

/// `POST /v1/users/{user_id}/billing/subscription_items` and
/// `POST /v1/organizations/{organization_id}/billing/subscription_items`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssignPlanRequest {
    /// The plan's id or slug.
    #[serde(with = "fields::required_string")]
    pub plan_id: String,
}
