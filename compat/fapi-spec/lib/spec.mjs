// Clerk's OpenAPI 3.0 spec of the Frontend API turned into JSON Schema and compiled with ajv, so
// that any Frontend API exchange (method, path, status, JSON body) can be checked against the
// schema the spec gives for that operation and status.
//
// OpenAPI 3.0 is not quite JSON Schema; the conversion handles the differences:
//  - `nullable: true` becomes `anyOf: [{type: 'null'}, <the schema without it>]`, which also
//    covers the spec's `{type: object, nullable: true, allOf: [$ref]}` pattern;
//  - `$ref` with siblings becomes `allOf: [{$ref}]` plus the siblings (`nullable` next to a
//    `$ref` is how the spec marks nullable references);
//  - the OpenAPI-only keywords (example, discriminator, readOnly, x-…) are dropped;
//  - the formats int32/int64/float/double/base64/binary are checked as what they mean.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import YAML from 'yaml';
import { applyExceptions } from './exceptions.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
// Clerk's published specs sit in shared/specs/clerk/ beside the checkout (USHER_SPECS_DIR names
// another copy), as for compat/coverage.
export const SPEC_DIR =
  process.env.USHER_FAPI_SPEC_DIR ||
  path.join(process.env.USHER_SPECS_DIR || path.resolve(HERE, '../../../../shared/specs/clerk'), 'fapi');

const DROPPED = new Set(['example', 'examples', 'discriminator', 'xml', 'externalDocs', 'deprecated', 'readOnly', 'writeOnly', 'nullable']);
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions']);
const SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf']);
const SCHEMA_ONE = new Set(['items', 'additionalProperties', 'not']);

function refTarget(ref) {
  const m = /^#\/components\/schemas\/(.+)$/.exec(ref);
  if (!m) throw new Error(`unsupported $ref ${ref}`);
  return `https://spec.invalid/fapi#/definitions/${m[1].replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** One OpenAPI 3.0 schema object as JSON Schema (draft-07). */
export function convert(s) {
  if (s === null || typeof s !== 'object' || Array.isArray(s)) return s;
  const out = {};
  for (const [k, v] of Object.entries(s)) {
    if (DROPPED.has(k) || k.startsWith('x-')) continue;
    if (k === '$ref') continue;
    if (SCHEMA_MAPS.has(k)) out[k] = Object.fromEntries(Object.entries(v).map(([n, sub]) => [n, convert(sub)]));
    else if (SCHEMA_LISTS.has(k)) out[k] = v.map(convert);
    else if (SCHEMA_ONE.has(k)) out[k] = typeof v === 'boolean' ? v : convert(v);
    else out[k] = v;
  }
  let result = out;
  if (s.$ref) {
    const ref = { $ref: refTarget(s.$ref) };
    result = Object.keys(out).length ? { ...out, allOf: [...(out.allOf || []), ref] } : ref;
  }
  if (s.nullable === true) {
    // An enum that leaves out null would refuse the null the `nullable` allows.
    return { anyOf: [{ type: 'null' }, result] };
  }
  return result;
}

/** Path template `/v1/client/sign_ins/{sign_in_id}` → a RegExp matching concrete paths. */
function templateRegex(template) {
  const escaped = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${escaped}$`);
}

export function loadSpec(dir = SPEC_DIR) {
  const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
  if (!files.length) throw new Error(`no OpenAPI file in ${dir}`);
  // The newest dated spec.
  const file = path.join(dir, files[files.length - 1]);
  return { file, doc: YAML.parse(fs.readFileSync(file, 'utf8')) };
}

export function compileSpec({ file, doc } = loadSpec()) {
  const ajv = new Ajv({ allErrors: true, strict: false, verbose: false });
  addFormats(ajv);
  ajv.addFormat('int32', { type: 'number', validate: (n) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n) => Number.isInteger(n) });
  ajv.addFormat('float', { type: 'number', validate: () => true });
  ajv.addFormat('double', { type: 'number', validate: () => true });
  ajv.addFormat('base64', /^[A-Za-z0-9+/=_-]*$/);
  ajv.addFormat('binary', () => true);
  const definitions = Object.fromEntries(Object.entries(doc.components.schemas).map(([n, s]) => [n, convert(s)]));
  ajv.addSchema({ $id: 'https://spec.invalid/fapi', definitions });

  const operations = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item || {})) {
      if (!['get', 'put', 'post', 'patch', 'delete'].includes(method)) continue;
      operations.push({ template, method: method.toUpperCase(), op, regex: templateRegex(template), literal: template.split('{').length });
    }
  }
  // A literal segment wins over a parameter (`/v1/me/sessions/active` over `/v1/me/sessions/{id}`).
  operations.sort((a, b) => a.literal - b.literal);

  const compiled = new Map();
  function responseSchema(response) {
    let r = response;
    while (r && r.$ref) {
      const name = /^#\/components\/responses\/(.+)$/.exec(r.$ref)?.[1];
      r = name && doc.components.responses[name];
      if (!r) throw new Error(`unresolved response ${response.$ref}`);
    }
    return r?.content?.['application/json']?.schema;
  }
  function validatorFor(key, schema) {
    if (!compiled.has(key)) compiled.set(key, ajv.compile({ $id: `https://spec.invalid/op/${compiled.size}`, ...convert(schema) }));
    return compiled.get(key);
  }

  /** The spec's operation for a concrete request path (no query) and method. */
  function operation(method, pathname) {
    return operations.find((o) => o.method === method && o.regex.test(pathname));
  }

  /**
   * Checks one exchange. Returns the list of violations, each `{at, message}` where `at` is the
   * JSON path in the body (`$` for the whole), empty when the body is what the spec says.
   */
  function validate({ method, path: pathname, status, body }) {
    const op = operation(method, pathname);
    if (!op) return [{ at: '$', message: `the spec has no operation ${method} ${pathname}` }];
    const responses = op.op.responses || {};
    const declared = responses[String(status)] || responses.default;
    let response = declared;
    // Rate limits (429) and similar refusals the spec does not list per operation are still
    // Clerk errors: they are held to the spec's error schema.
    if (!response && status >= 400) response = { $ref: '#/components/responses/ClerkErrors' };
    if (!response) return [{ at: '$', message: `${op.method} ${op.template} declares no ${status} response` }];
    const schema = responseSchema(response);
    // A response the spec gives no JSON schema for (the dev browser, redirects) is not checked.
    if (!schema) return [];
    const key = `${op.method} ${op.template} ${declared ? status : 'error'}`;
    const check = validatorFor(key, schema);
    if (check(applyExceptions(body))) return [];
    return check.errors.map((e) => ({
      at: '$' + e.instancePath.replace(/\/([^/]+)/g, (_, seg) => (/^\d+$/.test(seg) ? `[${seg}]` : `.${seg.replace(/~1/g, '/').replace(/~0/g, '~')}`)),
      message: `${e.message}${e.params && Object.keys(e.params).length ? ' ' + JSON.stringify(e.params) : ''} (schema ${e.schemaPath})`,
    }));
  }

  return { file, doc, operation, validate };
}

/** Drops the `/__clerk` proxy prefix and the query; applies clerk-js's `_method` tunnel. */
export function normalize({ method, url }) {
  const u = new URL(url, 'http://x');
  let pathname = u.pathname.replace(/^\/__clerk(?=\/)/, '');
  const tunneled = u.searchParams.get('_method');
  const m = method === 'POST' && tunneled ? tunneled.toUpperCase() : method;
  if (pathname.length > 1) pathname = pathname.replace(/\/$/, '');
  return { method: m, path: pathname };
}

/** Violations as readable lines: `METHOD path status: $.json.path message`. */
export function report(failures) {
  return failures.map((f) => `${f.method} ${f.path} ${f.status}: ${f.at} ${f.message}`).join('\n');
}
