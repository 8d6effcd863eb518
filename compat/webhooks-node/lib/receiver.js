// A webhook receiver on 127.0.0.1 that checks every delivery the way an application would:
// with the real npm `svix` package and with @clerk/backend's `verifyWebhook`.
import http from 'node:http';

import { verifyWebhook } from '@clerk/backend/webhooks';
import { Webhook } from 'svix';

export class Receiver {
  /**
   * @param {object} opts
   * @param {() => string[]} opts.secrets  the signing secrets to verify with (read at each delivery)
   * @param {(n: number, d: object) => Promise<number>|number} [opts.answer]  status to answer the n-th request with
   */
  constructor({ secrets, answer } = {}) {
    this.secrets = secrets || (() => []);
    this.answer = answer || (() => 204);
    this.deliveries = [];
    this.server = http.createServer((req, res) => this.#handle(req, res));
  }

  async start() {
    await new Promise((ok) => this.server.listen(0, '127.0.0.1', ok));
    this.url = `http://127.0.0.1:${this.server.address().port}/api/webhooks`;
    return this;
  }

  async close() {
    this.server.closeAllConnections?.();
    await new Promise((ok) => this.server.close(ok));
  }

  async #handle(req, res) {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    const body = Buffer.concat(chunks).toString('utf8');
    const headers = {
      'svix-id': req.headers['svix-id'],
      'svix-timestamp': req.headers['svix-timestamp'],
      'svix-signature': req.headers['svix-signature'],
    };
    const d = {
      n: this.deliveries.length,
      id: headers['svix-id'],
      contentType: req.headers['content-type'],
      method: req.method,
      headers,
      body,
      svix: [],
      clerk: [],
      event: null,
    };
    this.deliveries.push(d);
    for (const secret of this.secrets()) {
      // The real svix package, exactly as a Clerk receiver calls it.
      try {
        d.event = new Webhook(secret).verify(body, headers);
        d.svix.push(true);
      } catch (e) {
        d.svix.push(false);
        d.svixError = String(e);
      }
      // @clerk/backend's verifyWebhook, on a Fetch API Request as a framework hands it over.
      try {
        const request = new Request(`http://127.0.0.1${req.url}`, {
          method: 'POST',
          headers: { ...headers, 'content-type': req.headers['content-type'] },
          body,
        });
        d.clerkEvent = await verifyWebhook(request, { signingSecret: secret });
        d.clerk.push(true);
      } catch (e) {
        d.clerk.push(false);
        d.clerkError = String(e);
      }
    }
    let status = 204;
    try {
      status = await this.answer(d.n, d);
    } catch {
      status = 500;
    }
    d.status = status;
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(status >= 300 ? 'not now' : '');
  }

  /** Deliveries that both libraries verified with every secret. */
  verified() {
    return this.deliveries.filter((d) => d.svix.length > 0 && d.svix.every(Boolean) && d.clerk.every(Boolean));
  }

  /** Distinct svix-ids in order of first receipt. */
  distinctIds() {
    const seen = new Set();
    const out = [];
    for (const d of this.deliveries) {
      if (!seen.has(d.id)) {
        seen.add(d.id);
        out.push(d.id);
      }
    }
    return out;
  }
}
