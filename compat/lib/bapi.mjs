/** A response body as JSON when it parses, else the text itself. */
export function jsonOrText(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

// Backend API calls with an instance's secret key, for set-up and for reading back what the
// server did; a non-2xx answer throws with its status and body. `headers` go on every call.
export function bapi({ apiUrl, secretKey, headers = {} }) {
  async function call(method, p, body) {
    const res = await fetch(new URL(p, apiUrl), {
      method,
      headers: {
        Authorization: `Bearer ${secretKey}`,
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    const json = jsonOrText(text);
    if (!res.ok) {
      const err = new Error(`BAPI ${method} ${p} → ${res.status}: ${text.slice(0, 500)}`);
      err.status = res.status;
      err.body = json;
      throw err;
    }
    return json;
  }
  return {
    call,
    get: (p) => call('GET', p),
    post: (p, body) => call('POST', p, body),
  };
}
