/** Why a model stopped, in canonical terms. Each protocol maps these to its own vocabulary. */
export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'other';
