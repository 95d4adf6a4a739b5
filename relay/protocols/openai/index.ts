export { CHAT_COMPLETIONS_PATHS, chatCompletions, openAiRoutes, writeStream } from './routes.js';
export { encodeError, encodeStreamError } from './encode-error.js';
