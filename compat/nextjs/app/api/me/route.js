import { auth } from '@clerk/nextjs/server';

export async function GET() {
  const { userId, sessionId } = await auth();
  if (!userId) return Response.json({ error: 'signed out' }, { status: 401 });
  return Response.json({ userId, sessionId });
}
