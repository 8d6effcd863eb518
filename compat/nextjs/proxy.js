// Next.js 16's request interceptor (formerly middleware.js). clerkMiddleware authenticates every
// request and, with frontendApiProxy, forwards /__clerk/* to the Frontend API named by
// CLERK_FAPI_URL (Usher's frontend listener).
import { clerkMiddleware } from '@clerk/nextjs/server';

export default clerkMiddleware(() => {}, () => ({
  // One build serves both test instances, so the key is read at run time (see the layout).
  publishableKey: process.env.CLERK_PUBLISHABLE_KEY,
  frontendApiProxy: { enabled: true },
}));

export const config = {
  matcher: [
    // Clerk's usual matcher: everything but Next internals and static files…
    '/((?!_next|[^?]*\\.(?:html?|css|js(?!on)|jpe?g|webp|png|gif|svg|ttf|woff2?|ico|csv|docx?|xlsx?|zip|webmanifest)).*)',
    '/(api|trpc)(.*)',
    // …and the Frontend API proxy, clerk-js's own .js bundles included.
    '/__clerk/(.*)',
  ],
};
