export { openAiRoutes, writeStream } from './routes.js';
export { encodeError, encodeStreamError } from './encode-error.js';
