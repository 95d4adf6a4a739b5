import { describe, expect, it } from 'vitest';
import type { RequestView } from '../../relay/admin/dto.js';
import { countNew, filterRequests, isFiltering, matchesFilter, NO_FILTER, WIRES } from '../../renderer/lib/components/requests/request-filter.js';

function request(id: string, fields: Partial<RequestView> = {}): RequestView {
  return { requestId: id, startedAt: '2026-01-01T00:00:00.000Z', clientWire: 'openai', endpoint: 'chat', askedModel: 'auto-fastest', attempts: [], outcome: 'ok', status: 200, ...fields };
}

const served = request('served', { route: { provider: 'groq', model: 'llama-3.3-70b', keyLabel: 'Work' }, attempts: [{ provider: 'groq', model: 'llama-3.3-70b', outcome: 'ok', durationMs: 80 }] });
const failedOver = request('failed-over', {
  clientWire: 'anthropic',
  askedModel: 'claude-sonnet-4',
  route: { provider: 'cerebras', model: 'qwen-3-coder' },
  attempts: [
    { provider: 'groq', model: 'qwen-3-coder', outcome: 'rate-limited', status: 429, message: 'Rate limit reached for requests', durationMs: 40 },
    { provider: 'cerebras', model: 'qwen-3-coder', outcome: 'ok', durationMs: 300 },
  ],
});
const failed = request('failed', { clientWire: 'ollama', askedModel: 'no-such-model', outcome: 'error', status: 404, error: "The model 'no-such-model' is not served by this relay." });
const aborted = request('aborted', { clientWire: 'responses', outcome: 'aborted', status: undefined });
const log = [aborted, failed, failedOver, served];

const ids = (requests: readonly RequestView[]) => requests.map((item) => item.requestId);

describe('request log filters', () => {
  it('lets everything through unfiltered, as the same list', () => {
    expect(isFiltering(NO_FILTER)).toBe(false);
    expect(filterRequests(log, NO_FILTER)).toBe(log);
    expect(isFiltering({ ...NO_FILTER, search: '   ' })).toBe(false);
    expect(WIRES).toEqual(['openai', 'anthropic', 'ollama', 'responses']);
  });

  it('keeps only the requests that ended in an error', () => {
    expect(ids(filterRequests(log, { ...NO_FILTER, outcome: 'errors' }))).toEqual(['failed']);
  });

  it('keeps one wire', () => {
    expect(ids(filterRequests(log, { ...NO_FILTER, wire: 'anthropic' }))).toEqual(['failed-over']);
    expect(ids(filterRequests(log, { ...NO_FILTER, wire: 'responses' }))).toEqual(['aborted']);
  });

  it('searches the asked model, the route and its key, the error and every attempt, ignoring case', () => {
    const search = (text: string) => ids(filterRequests(log, { ...NO_FILTER, search: text }));
    expect(search('CLAUDE')).toEqual(['failed-over']);
    expect(search('cerebras/qwen')).toEqual(['failed-over']);
    expect(search('work')).toEqual(['served']);
    expect(search('not served')).toEqual(['failed']);
    expect(search('rate limit')).toEqual(['failed-over']);
    expect(search('groq')).toEqual(['failed-over', 'served']);
    expect(search('nothing-like-this')).toEqual([]);
  });

  it('combines the filters', () => {
    expect(matchesFilter(failed, { search: 'no-such', outcome: 'errors', wire: 'ollama' })).toBe(true);
    expect(matchesFilter(failed, { search: 'no-such', outcome: 'errors', wire: 'openai' })).toBe(false);
    expect(matchesFilter(served, { search: 'groq', outcome: 'errors', wire: 'all' })).toBe(false);
  });
});

describe('requests that arrived while the list was held', () => {
  it('counts the live requests the shown list does not have', () => {
    const newer = request('newer');
    const newest = request('newest');
    expect(countNew(log, log)).toBe(0);
    expect(countNew([newest, newer, ...log], log)).toBe(2);
    // Old requests falling off the end of the live list are not new ones.
    expect(countNew([newest, ...log.slice(0, 2)], log)).toBe(1);
    expect(countNew([newest], [])).toBe(1);
  });
});
