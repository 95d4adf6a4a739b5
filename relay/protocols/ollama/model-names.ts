import type { ModelListing } from '../../core/relay-service.js';

/**
 * Ollama names are `name:tag`, the tag defaulting to `latest`, and clients send either form. The
 * relay's ids carry no tag, so `x:latest` means `x` when `x` is served; other tags stay (an id such
 * as `openrouter/...:free` is a different model).
 */
export function resolveModelName(find: (id: string) => ModelListing | undefined, name: string): string {
  if (name.endsWith(':latest')) {
    const bare = name.slice(0, -':latest'.length);
    if (bare !== '' && find(bare)) return bare;
    return name;
  }
  // An upstream that itself names models with tags (a real Ollama behind the relay).
  if (!name.includes(':') && !find(name) && find(`${name}:latest`)) return `${name}:latest`;
  return name;
}

const FAMILIES: ReadonlyArray<[RegExp, string]> = [
  [/gpt-oss/, 'gptoss'],
  [/llama/, 'llama'],
  [/mixtral|mistral|ministral|magistral|codestral|devstral/, 'mistral'],
  [/qwen|qwq/, 'qwen'],
  [/gemma/, 'gemma'],
  [/gemini/, 'gemini'],
  [/deepseek/, 'deepseek'],
  [/\bphi-?\d/, 'phi'],
  [/glm/, 'glm'],
  [/kimi/, 'kimi'],
  [/command/, 'command-r'],
  [/granite/, 'granite'],
  [/claude/, 'claude'],
  [/\bgpt-/, 'gpt'],
  [/nomic|bert|embed/, 'bert'],
];

/** The model family Ollama clients show, guessed from the id ('' when unknown). */
export function modelFamily(id: string): string {
  const name = id.toLowerCase().split('/').at(-1) ?? '';
  return FAMILIES.find(([pattern]) => pattern.test(name))?.[1] ?? '';
}

/** The parameter count written in the id (`70b` → `70B`, `8x7b` → `8x7B`), or ''. */
export function parameterSize(id: string): string {
  const name = id.toLowerCase().split('/').at(-1) ?? '';
  const experts = /(?:^|[^a-z0-9.])(\d+x\d+(?:\.\d+)?)b(?![a-z0-9])/.exec(name);
  if (experts?.[1]) return `${experts[1]}B`;
  const plain = /(?:^|[^a-z0-9.])(\d+(?:\.\d+)?)([bm])(?![a-z0-9])/.exec(name);
  return plain?.[1] ? `${plain[1]}${plain[2]?.toUpperCase() ?? 'B'}` : '';
}
