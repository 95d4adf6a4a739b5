import { describe, expect, it } from 'vitest';
import { providerCatalog } from '../../../relay/providers/catalog.js';
import { canonicalGroup } from '../../../relay/routing/model-groups.js';

describe('canonicalGroup', () => {
  it.each([
    ['llama-3.3-70b-versatile', 'llama-3.3-70b'],
    ['meta/llama-3.3-70b-instruct', 'llama-3.3-70b'],
    ['Meta-Llama-3.3-70B-Instruct', 'llama-3.3-70b'],
    ['meta-llama/Llama-3.3-70B-Instruct', 'llama-3.3-70b'],
    ['llama3.3:70b', 'llama-3.3-70b'],
    ['@cf/meta/llama-3.3-70b-instruct-fp8-fast', 'llama-3.3-70b'],
    ['openai/gpt-oss-120b:free', 'gpt-oss-120b'],
    ['gpt-oss-120b', 'gpt-oss-120b'],
    ['qwen/qwen3-32b', 'qwen-3-32b'],
    ['Qwen3-32B', 'qwen-3-32b'],
    ['deepseek-v4-flash-free', 'deepseek-v4-flash'],
    ['models/gemini-2.5-flash', 'gemini-2.5-flash'],
    ['llama3.2:latest', 'llama-3.2'],
    ['llama-3.1-8b-instant', 'llama-3.1-8b'],
    ['moonshotai/kimi-k2-instruct-0905', 'kimi-k2-0905'],
  ])('%s → %s', (id, group) => {
    expect(canonicalGroup(id)).toBe(group);
  });

  it('keeps different models apart', () => {
    const distinct = ['gpt-oss-20b', 'gpt-oss-120b', 'llama-3.1-8b-instant', 'llama-3.3-70b-versatile', 'deepseek-v3.1', 'DeepSeek-V3', 'gemini-2.5-flash', 'gemini-2.5-flash-lite', 'gemini-2.5-pro'];
    expect(new Set(distinct.map(canonicalGroup)).size).toBe(distinct.length);
  });

  it('groups the same model across the whole catalog, and never two models of one provider', () => {
    const groups = new Map<string, Set<string>>();
    for (const provider of providerCatalog) {
      const seen = new Map<string, string>();
      for (const model of provider.models) {
        const group = canonicalGroup(model.id);
        const clash = seen.get(group);
        // One provider listing two ids in one group would make the group ambiguous there.
        expect(clash === undefined || clash === model.id, `${provider.id}: ${clash} and ${model.id} share ${group}`).toBe(true);
        seen.set(group, model.id);
        groups.set(group, (groups.get(group) ?? new Set()).add(provider.id));
      }
    }
    // The catalog serves Llama 3.3 70B and gpt-oss-120b at several providers under different names.
    expect(groups.get('llama-3.3-70b')?.size ?? 0).toBeGreaterThanOrEqual(4);
    expect(groups.get('gpt-oss-120b')?.size ?? 0).toBeGreaterThanOrEqual(4);
    for (const group of groups.keys()) expect(group).toMatch(/^[a-z0-9][a-z0-9.-]*$/);
  });
});
