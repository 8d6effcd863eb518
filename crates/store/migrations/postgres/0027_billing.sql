-- Plans and subscription items (Clerk Billing's entitlement side; no payments). A plan's record,
-- its features included, lives in `doc` (JSON); `feature_slugs` (comma-separated) is what a
-- session token's read takes of it. `is_default` is a column only: making a plan the default
-- clears its payer type's previous one, and a partial unique index keeps one per payer type.
CREATE TABLE billing_plans (
    instance_id    TEXT NOT NULL REFERENCES instances(id),
    id             TEXT NOT NULL,
    version        BIGINT NOT NULL,
    slug           TEXT NOT NULL,
    for_payer_type TEXT NOT NULL,
    is_default     BOOLEAN NOT NULL,
    feature_slugs  TEXT NOT NULL,
    doc            TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id)
);
CREATE UNIQUE INDEX billing_plans_by_slug ON billing_plans (instance_id, slug);
CREATE UNIQUE INDEX billing_plans_default ON billing_plans (instance_id, for_payer_type)
    WHERE is_default;
CREATE INDEX billing_plans_by_created ON billing_plans (instance_id, created_at, id);

-- A plan held by a user or an organization (`payer_id`). One active item per payer, by a
-- partial unique index; ended and canceled ones stay as the payer's history.
CREATE TABLE billing_subscription_items (
    instance_id TEXT NOT NULL REFERENCES instances(id),
    id          TEXT NOT NULL,
    version     BIGINT NOT NULL,
    payer_id    TEXT NOT NULL,
    plan_id     TEXT NOT NULL,
    status      TEXT NOT NULL,
    doc         TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (instance_id, id)
);
CREATE UNIQUE INDEX billing_subscription_items_active ON billing_subscription_items
    (instance_id, payer_id) WHERE status = 'active';
CREATE INDEX billing_subscription_items_by_payer ON billing_subscription_items
    (instance_id, payer_id, created_at, id);
CREATE INDEX billing_subscription_items_by_plan ON billing_subscription_items
    (instance_id, plan_id) WHERE status = 'active';
