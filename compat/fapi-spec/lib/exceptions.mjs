// Where Clerk's spec and the real clerk-js / @clerk/ui disagree, Usher follows the SDK. Each
// exception names one exact shape, which is validated as the spec's equivalent of it.
// Keep this list short: anything else the spec says is enforced.

const keysAre = (v, keys) => v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).sort().join() === [...keys].sort().join();

/**
 * A one-time-code verification before its code is sent: `unverified`, `needs_prepare`, no
 * strategy, attempts or expiry yet. The strategy it will use (`strategy`) and an expiry (any
 * integer) stand in for the nulls.
 */
const unpreparedVerification = (strategy) => ({
  matches: (v) =>
    keysAre(v, ['object', 'status', 'strategy', 'attempts', 'expire_at', 'next_action', 'supported_strategies']) &&
    v.object === 'verification_otp' &&
    v.status === 'unverified' &&
    v.strategy === null &&
    v.attempts === null &&
    v.expire_at === null &&
    v.next_action === 'needs_prepare' &&
    Array.isArray(v.supported_strategies) &&
    v.supported_strategies.every((s) => typeof s === 'string'),
  asSpec: (v) => ({ ...v, strategy, expire_at: 0 }),
});

export const EXCEPTIONS = [
  {
    // A sign-up's email verification before the code is sent. The spec's one-time-code
    // verification requires a strategy and an integer expire_at, but @clerk/ui 1.x
    // (SignUpEmailCodeCard) sends the code only when the verification is not yet
    // `unverified` + `email_code`: with a strategy there, the browser would never get a code.
    // So until it is prepared the strategy and expiry are null, as before any code exists.
    name: 'unprepared sign-up email verification',
    at: /\.verifications\.email_address$/,
    ...unpreparedVerification('email_code'),
  },
  {
    // A sign-up's phone verification before the code is sent: the same rule, for @clerk/ui's and
    // clerk-js 5's SignUpPhoneCodeCard, which skip sending the code when the verification is
    // already `unverified` + `phone_code`.
    name: 'unprepared sign-up phone verification',
    at: /\.verifications\.phone_number$/,
    ...unpreparedVerification('phone_code'),
  },
  {
    // A custom OpenID provider (`usher oauth add custom --key acme`). The spec's socials list
    // Clerk's named providers and one custom one, `oauth_custom_mock`; clerk-js draws a button for
    // every `oauth_custom_<key>` entry. One such entry is validated as the spec's custom one
    // (with more than one, the rest are not covered and the spec refuses them).
    name: 'a custom OpenID provider in the environment',
    at: /\.user_settings\.social$/,
    matches: (v) =>
      v && typeof v === 'object' && !Array.isArray(v) &&
      Object.keys(v).filter((k) => k.startsWith('oauth_custom_')).length === 1 &&
      Object.keys(v).some((k) => /^oauth_custom_[a-z0-9_]+$/.test(k) && k !== 'oauth_custom_mock'),
    asSpec: (v) =>
      Object.fromEntries(Object.entries(v).map(([k, e]) => [k.startsWith('oauth_custom_') ? 'oauth_custom_mock' : k, e])),
  },
  {
    // An instance that forces organization selection. The spec's organization settings have no
    // such field, but clerk-js reads it (no personal account in the switcher and list, the
    // choose-organization task preloaded); Usher sends it only when it is on.
    name: 'forced organization selection',
    at: /\.organization_settings$/,
    matches: (v) =>
      v && typeof v === 'object' && !Array.isArray(v) && v.force_organization_selection === true,
    asSpec: (v) => {
      const { force_organization_selection: _, ...rest } = v;
      return rest;
    },
  },
];

/**
 * The body with every value an exception covers replaced by the spec's shape of it (`asSpec`),
 * so that everything around it, and the rest of it, is still validated.
 */
export function applyExceptions(body, at = '$') {
  for (const ex of EXCEPTIONS) if (ex.at.test(at) && ex.matches(body)) return ex.asSpec(body);
  if (Array.isArray(body)) return body.map((v, i) => applyExceptions(v, `${at}[${i}]`));
  if (body && typeof body === 'object') {
    return Object.fromEntries(Object.entries(body).map(([k, v]) => [k, applyExceptions(v, `${at}.${k}`)]));
  }
  return body;
}
