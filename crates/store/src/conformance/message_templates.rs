//! Email and SMS templates and satellite domains in the storage suite: a template is stored once
//! per type and slug (a second put replaces it) and dropped on revert; a satellite domain's name
//! is registered once, renamed only to a free name, and removed once.

use std::sync::Arc;

use usher_core::domains::new_satellite;
use usher_core::message_templates::{TemplateOverride, TemplateType, catalog};
use usher_core::store::{Store, StoreError, Write};

use super::organizations::commit;
use super::{Fixture, NOW, Outcome, create_instance};

fn template(t: TemplateType, slug: &str, body: &str, at: i64) -> Fixture<TemplateOverride> {
    let b = catalog::find(t, slug).ok_or("no such built-in template")?;
    let mut o = TemplateOverride::empty(b, at);
    o.body = Some(body.to_owned());
    Ok(o)
}

pub async fn templates_are_stored_once_per_type_and_slug(store: Arc<dyn Store>) -> Outcome {
    let ins = create_instance(&store).await?.id;
    assert!(store.message_templates(&ins).await?.is_empty());
    let email = template(
        TemplateType::Email,
        "verification_code",
        "<p>{{otp_code}}</p>",
        NOW,
    )?;
    let sms = template(TemplateType::Sms, "verification_code", "{{otp_code}}", NOW)?;
    commit(
        &store,
        &ins,
        vec![
            Write::PutMessageTemplate(email.clone()),
            Write::PutMessageTemplate(sms.clone()),
        ],
    )
    .await?;
    assert_eq!(
        store.message_templates(&ins).await?,
        vec![email.clone(), sms.clone()]
    );
    let mut again = template(
        TemplateType::Email,
        "verification_code",
        "<b>{{otp_code}}</b>",
        NOW,
    )?;
    again.delivered_by_clerk = false;
    again.updated_at = NOW + 5;
    commit(&store, &ins, vec![Write::PutMessageTemplate(again.clone())]).await?;
    assert_eq!(
        store.message_templates(&ins).await?,
        vec![again, sms.clone()]
    );
    commit(
        &store,
        &ins,
        vec![Write::DeleteMessageTemplate {
            template_type: TemplateType::Email,
            slug: "verification_code".into(),
        }],
    )
    .await?;
    assert_eq!(store.message_templates(&ins).await?, vec![sms]);
    Ok(())
}

pub async fn satellite_domains_are_registered_once(store: Arc<dyn Store>) -> Outcome {
    let ins = create_instance(&store).await?.id;
    let a = new_satellite("a.example.com", None, false, NOW)?;
    let b = new_satellite(
        "b.example.com",
        Some("https://b.example.com/__clerk"),
        false,
        NOW + 1,
    )?;
    commit(
        &store,
        &ins,
        vec![
            Write::InsertSatelliteDomain(a.clone()),
            Write::InsertSatelliteDomain(b.clone()),
        ],
    )
    .await?;
    let again = new_satellite("a.example.com", None, false, NOW + 2)?;
    let taken = commit(&store, &ins, vec![Write::InsertSatelliteDomain(again)]).await;
    assert!(matches!(taken, Err(StoreError::NameTaken)), "{taken:?}");
    let mut renamed = b.clone();
    renamed.name = "a.example.com".into();
    let clash = commit(
        &store,
        &ins,
        vec![Write::UpdateSatelliteDomain(renamed.clone())],
    )
    .await;
    assert!(matches!(clash, Err(StoreError::NameTaken)), "{clash:?}");
    renamed.name = "c.example.com".into();
    commit(
        &store,
        &ins,
        vec![Write::UpdateSatelliteDomain(renamed.clone())],
    )
    .await?;
    assert_eq!(
        store.satellite_domains(&ins).await?,
        vec![a.clone(), renamed]
    );
    commit(
        &store,
        &ins,
        vec![Write::DeleteSatelliteDomain { id: a.id.clone() }],
    )
    .await?;
    let gone = commit(
        &store,
        &ins,
        vec![Write::DeleteSatelliteDomain { id: a.id }],
    )
    .await;
    assert!(gone.is_err());
    assert_eq!(store.satellite_domains(&ins).await?.len(), 1);
    Ok(())
}
