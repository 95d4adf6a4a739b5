import { getHeapSnapshot, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../../helpers/fake-upstream.js';
import { endpointsConfig, startTestRelay, type TestRelay } from '../../helpers/start-relay.js';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** How many strings on the heap contain `marker` (a heap snapshot, read without its edges). */
async function stringsContaining(marker: string): Promise<number> {
  let text = '';
  for await (const chunk of getHeapSnapshot()) text += String(chunk);
  const snapshot = JSON.parse(text) as { snapshot: { meta: { node_fields: string[]; node_types: [string[]] } }; nodes: number[]; strings: string[] };
  const fields = snapshot.snapshot.meta.node_fields;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const types = snapshot.snapshot.meta.node_types[0];
  let count = 0;
  for (let index = 0; index < snapshot.nodes.length; index += fields.length) {
    const type = types[snapshot.nodes[index + typeAt] ?? 0] ?? '';
    const value = snapshot.strings[snapshot.nodes[index + nameAt] ?? 0] ?? '';
    // The marker itself is held by the test.
    if (type.endsWith('string') && value !== marker && value.includes(marker)) count++;
  }
  return count;
}

describe('what the request log keeps of a request', () => {
  let upstreams: FakeUpstream[] = [];
  let relay: TestRelay | undefined;
  afterEach(async () => {
    await relay?.close();
    for (const upstream of upstreams) await upstream.close();
    upstreams = [];
  });

  it('keeps no prompt once the answer is sent, with one route, several routes or the model map', async () => {
    upstreams = [await startFakeUpstream(), await startFakeUpstream()];
    const [one, two] = upstreams as [FakeUpstream, FakeUpstream];
    relay = await startTestRelay({
      config: endpointsConfig(
        [
          { id: 'one', baseUrl: one.url, models: ['solo-model', 'shared-model'] },
          { id: 'two', baseUrl: two.url, models: ['shared-model'] },
        ],
        { anthropic: { modelMap: [{ match: 'claude-*', model: 'solo-model' }] } },
      ),
    });
    const marker = `PROMPT-${Math.random().toString(36).slice(2)}-`;
    for (const model of ['solo-model', 'shared-model', 'claude-sonnet-4-5']) {
      const response = await fetch(`${relay.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'system', content: `${marker}system` }, { role: 'user', content: `${marker}${model} ${'x'.repeat(2_000)}` }] }),
      });
      expect(response.status, model).toBe(200);
      await response.text();
    }
    // The bookkeeping of the last answer runs just after it was sent; the fake upstreams keep
    // what they received until told to forget.
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const upstream of upstreams) upstream.reset();
    collectGarbage();
    expect(await stringsContaining(marker)).toBe(0);
    // The log still explains each request when asked.
    const log = (await fetch(`${relay.url}/admin/requests`, { headers: { authorization: `Bearer ${relay.relay.adminToken}` } }).then((answer) => answer.json())) as {
      requests: Array<{ decision?: { target: string; candidates: unknown[] } }>;
    };
    expect(log.requests.map((request) => [request.decision?.target, request.decision?.candidates.length])).toEqual([
      ['model:solo-model', 1],
      ['model:shared-model', 2],
      ['model:solo-model (mapped from claude-sonnet-4-5)', 1],
    ]);
  });
});
