// Backend API authentication as @clerk/backend sees it: a wrong secret key
// is a ClerkAPIResponseError with status 401 and Clerk's error body.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { clerk, createUser, expectApiError } from '../lib/usher.js';

const KEY_CODES = ['clerk_key_invalid', 'authentication_invalid'];

describe('secret key', () => {
  it('a wrong sk_test_ key gets 401 on every kind of call', async () => {
    const wrong = clerk({ secretKey: 'sk_test_0000000000000000000000000000000000000000' });
    const err = await expectApiError(wrong.users.getUser('user_2zzzzzzzzzzzzzzzzzzzzzzzzzz'), {
      status: 401,
      code: KEY_CODES,
    });
    assert.equal(err.message, 'Unauthorized', 'the HTTP reason phrase becomes the error message');
    await expectApiError(wrong.users.getUserList(), { status: 401, code: KEY_CODES });
    await expectApiError(wrong.users.createUser({ emailAddress: ['x@example.com'], password: 'long-enough-pw' }), {
      status: 401,
      code: KEY_CODES,
    });
    await expectApiError(wrong.sessions.getSessionList({ userId: 'user_2zzzzzzzzzzzzzzzzzzzzzzzzzz' }), {
      status: 401,
      code: KEY_CODES,
    });
  });

  it('a key of the wrong shape gets 401 too', async () => {
    const wrong = clerk({ secretKey: 'not-a-clerk-key' });
    await expectApiError(wrong.users.getCount(), { status: 401, code: KEY_CODES });
  });

  it('the right key works, and each error carries its own trace id', async () => {
    const client = clerk();
    const user = await createUser(client);
    assert.equal((await client.users.getUser(user.id)).id, user.id);
    const a = await expectApiError(client.users.getUser('user_2zzzzzzzzzzzzzzzzzzzzzzzzzz'), { status: 404 });
    const b = await expectApiError(client.users.getUser('user_2zzzzzzzzzzzzzzzzzzzzzzzzzz'), { status: 404 });
    assert.notEqual(a.clerkTraceId, b.clerkTraceId);
    assert.equal(a.message, 'Not Found');
  });
});
