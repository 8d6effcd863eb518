// Production instance (pk_live_ for clerk.localhost:<port>): the emailed sign-up code is read from
// the Backend API's email log.
import { nextjsFlow } from '../lib/suite.js';
import { nextEmailedCode } from '../../lib/mail.mjs';

nextjsFlow('production', { codeFor: async (api, address) => (await nextEmailedCode(api, address)).code });
