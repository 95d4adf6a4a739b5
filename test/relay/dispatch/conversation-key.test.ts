import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChatMessage, ChatRequest } from '../../../relay/core/chat-request.js';
import { conversationKey, hash64 } from '../../../relay/dispatch/routing-engine.js';

/** The identity as a string: what the key is the hash of. */
function identity(request: ChatRequest): string | undefined {
  const system = request.messages.find((message) => message.role === 'system');
  const user = request.messages.find((message) => message.role === 'user');
  if (!user || user.role !== 'user') return undefined;
  const text = user.content.map((part) => (part.type === 'text' ? part.text : '[image]')).join('');
  return `${request.model}\u0000${(system?.role === 'system' ? system.content : '').slice(0, 4_000)}\u0000${text.slice(0, 4_000)}`;
}

const text = fc.string({ unit: 'binary', maxLength: 60 }).chain((short) => fc.oneof(fc.constant(short), fc.constant(short.repeat(120))));
const message: fc.Arbitrary<ChatMessage> = fc.oneof(
  text.map((content) => ({ role: 'system' as const, content })),
  fc.array(fc.oneof(text.map((value) => ({ type: 'text' as const, text: value })), fc.constant({ type: 'image' as const, url: 'https://example.com/a.png' })), { maxLength: 4 }).map((content) => ({ role: 'user' as const, content })),
  text.map((value) => ({ role: 'assistant' as const, content: [{ type: 'text' as const, text: value }] })),
);

describe('conversationKey', () => {
  it('is the hash of the model, the first system prompt and the first user message (4,000 characters of each)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), fc.array(message, { maxLength: 6 }), (model, messages) => {
        const request: ChatRequest = { model, messages };
        const expected = identity(request);
        expect(conversationKey(request)).toBe(expected === undefined ? undefined : `conversation:${hash64(expected)}`);
      }),
      { numRuns: 300 },
    );
  });

  it('tells conversations apart and names later turns of one conversation alike', () => {
    const opening: ChatRequest = { model: 'm', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: [{ type: 'text', text: 'Hi' }] }] };
    const later: ChatRequest = { ...opening, messages: [...opening.messages, { role: 'assistant', content: [{ type: 'text', text: 'Hello' }] }, { role: 'user', content: [{ type: 'text', text: 'More' }] }] };
    const other: ChatRequest = { model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }] };
    expect(conversationKey(later)).toBe(conversationKey(opening));
    expect(conversationKey(other)).not.toBe(conversationKey(opening));
    expect(conversationKey({ model: 'm', messages: [{ role: 'system', content: 'only' }] })).toBeUndefined();
  });
});
