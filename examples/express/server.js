// A small Express app with Clerk's SDKs against Usher:
//  - /__clerk/*    Usher's Frontend API, proxied under this origin (clerk-js calls it there, so its
//                  cookies are first-party);
//  - /clerk-js/*, /clerk-ui/*   Clerk's browser bundles (fetched by `npm start`, see fetch-clerk-js.mjs);
//  - /, /sign-in, /sign-up      the page: clerk-js with <SignIn/>, <SignUp/> and <UserButton/>;
//  - /api/me       a protected API route: 200 {userId, sessionId}, or 401 when signed out;
//  - /dashboard    a protected, server-rendered page: the user from the Backend API, or a redirect
//                  to /sign-in.
// Configuration from the environment, as `usher keys` prints it: CLERK_PUBLISHABLE_KEY,
// CLERK_SECRET_KEY, CLERK_API_URL, and USHER_FRONTEND_API_URL (default http://127.0.0.1:4001).
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { clerkClient, clerkMiddleware, getAuth } from '@clerk/express';

const here = path.dirname(fileURLToPath(import.meta.url));
for (const name of ['CLERK_PUBLISHABLE_KEY', 'CLERK_SECRET_KEY', 'CLERK_API_URL']) {
  if (!process.env[name]) {
    console.error(`${name} is not set: export the values \`usher keys\` prints (see README.md)`);
    process.exit(1);
  }
}
// Self-hosted: the SDK sends no telemetry to Clerk (read when the client is first used).
process.env.CLERK_TELEMETRY_DISABLED ??= '1';
const port = Number(process.env.PORT || 3000);
const frontendApi = new URL(process.env.USHER_FRONTEND_API_URL || 'http://127.0.0.1:4001');
const page = fs
  .readFileSync(path.join(here, 'page.html'), 'utf8')
  .replace('{{CLERK_PUBLISHABLE_KEY}}', process.env.CLERK_PUBLISHABLE_KEY);

const app = express();

// Usher serves its Frontend API under /__clerk too: pass every request through unchanged
// (method, path, query, headers with Cookie and Origin, body; status, headers with every
// Set-Cookie, body).
app.use('/__clerk', (req, res) => {
  const upstream = http.request(
    {
      host: frontendApi.hostname,
      port: frontendApi.port,
      method: req.method,
      path: req.originalUrl,
      headers: { ...req.headers, host: frontendApi.host },
    },
    (answer) => {
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', (err) => res.status(502).type('text').end(`Usher's Frontend API: ${err.message}`));
  req.pipe(upstream);
});

for (const [route, pkg] of [['/clerk-js', '@clerk/clerk-js'], ['/clerk-ui', '@clerk/ui']]) {
  app.use(route, express.static(path.join(here, 'vendor', pkg, 'dist')));
}

// Every request below gets req.auth from the session cookie; a page navigation whose session
// token expired goes through the Frontend API's handshake and comes back with a fresh one.
app.use(clerkMiddleware({ proxyUrl: '/__clerk' }));

app.get('/api/me', (req, res) => {
  const { userId, sessionId } = getAuth(req);
  if (!userId) return res.status(401).json({ error: 'signed out' });
  res.json({ userId, sessionId });
});

app.get('/dashboard', async (req, res) => {
  const { userId } = getAuth(req);
  if (!userId) return res.redirect('/sign-in');
  const user = await clerkClient.users.getUser(userId);
  const email = user.primaryEmailAddress?.emailAddress ?? '';
  res.type('html').send(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Dashboard</title></head>
<body><h1>Dashboard</h1><p id="who" data-user-id="${userId}">Signed in as ${escapeHtml(email)} (${userId}).</p>
<p><a href="/">Home</a></p></body></html>`);
});

app.get(['/', '/sign-in', '/sign-up'], (req, res) => res.type('html').send(page));

function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// Loopback only: this is a development server.
app.listen(port, '127.0.0.1', () => console.log(`Example app on http://localhost:${port}`));
