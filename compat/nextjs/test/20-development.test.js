// Development instance on an ordinary host (pk_test_ for clerk.localhost:<port>): @clerk/nextjs's
// middleware starts with a dev-browser handshake; a +clerk_test address takes the code 424242.
import { nextjsFlow } from '../lib/suite.js';

nextjsFlow('development', { emailSuffix: '+clerk_test', codeFor: async () => '424242' });
