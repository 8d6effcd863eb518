import { ClerkProvider } from '@clerk/nextjs';

// Every page depends on the request's cookies and on keys given at run time.
export const dynamic = 'force-dynamic';

export default function RootLayout({ children }) {
  return (
    <ClerkProvider publishableKey={process.env.CLERK_PUBLISHABLE_KEY} telemetry={false}>
      <html lang="en">
        <body>{children}</body>
      </html>
    </ClerkProvider>
  );
}
