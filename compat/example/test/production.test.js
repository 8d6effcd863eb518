import { exampleFlow } from '../lib/flow.js';

exampleFlow('production');
