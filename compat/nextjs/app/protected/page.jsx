import { auth, currentUser } from '@clerk/nextjs/server';
import { SignOutButton } from '@clerk/nextjs';

// Rendered on the server for every request: signed out goes to /sign-in.
export default async function Protected() {
  const { userId, sessionId, redirectToSignIn } = await auth();
  if (!userId) return redirectToSignIn();
  const user = await currentUser();
  return (
    <main>
      <h1>Protected</h1>
      <p>user <span id="user-id">{userId}</span></p>
      <p>session <span id="session-id">{sessionId}</span></p>
      <p>email <span id="email">{user?.primaryEmailAddress?.emailAddress}</span></p>
      <SignOutButton redirectUrl="/sign-in">
        <button id="sign-out">Sign out</button>
      </SignOutButton>
    </main>
  );
}
