import { createArchiverHandler } from './compose';
import { readConfig } from './config';

// Composition root: config and clients are created once per container, not per invocation.
export const handler = createArchiverHandler(readConfig());
