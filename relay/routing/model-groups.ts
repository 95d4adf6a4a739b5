/**
 * Canonical model groups: one id for the same model served by several providers under their
 * own names (`llama-3.3-70b-versatile` at Groq, `meta/llama-3.3-70b-instruct` at NVIDIA,
 * `Meta-Llama-3.3-70B-Instruct` at SambaNova all become `llama-3.3-70b`). Normalisation rules
 * handle the common spellings; the alias table handles what rules cannot.
 */

/** Exact upstream ids (lower-cased) whose group the rules would get wrong. */
const ALIASES: Readonly<Record<string, string>> = {
  'gemini-flash-latest': 'gemini-flash',
  'gemini-flash-lite-latest': 'gemini-flash-lite',
  'codestral-2501': 'codestral',
  'deepseek-chat': 'deepseek-v3',
};

/** Words that name a packaging or tuning variant of the same weights, not another model. */
const NOISE = new Set(['instruct', 'instant', 'versatile', 'chat', 'it', 'hf', 'fp8', 'fp16', 'bf16', 'fast', 'turbo', 'latest', 'free', 'awq', 'gguf']);

export function canonicalGroup(modelId: string): string {
  let id = modelId.trim().toLowerCase();
  const alias = ALIASES[id];
  if (alias) return alias;
  // OpenRouter's ":free" and Hugging Face's ":provider" suffixes choose a host, not a model.
  id = id.replace(/:(free|fastest|cheapest|[a-z-]+-ai|groq|together|nebius|sambanova|cerebras|novita|fireworks-ai)$/, '');
  // Ollama tags: "name:latest" is "name"; "llama3.3:70b" is "llama3.3-70b".
  id = id.replace(/:latest$/, '').replace(/:/g, '-');
  // Vendor prefixes ("meta-llama/", "openai/", "@cf/meta/") say who published it, not what it is.
  id = id.slice(id.lastIndexOf('/') + 1);
  id = id.replace(/^meta-(?=llama)/, '');
  // "llama3.3" and "llama-3.3", "qwen3" and "qwen-3" are the same family spelling.
  id = id.replace(/^([a-z]+)(\d)/, '$1-$2');
  const aliasAfter = ALIASES[id];
  if (aliasAfter) return aliasAfter;
  const words = id.split(/[-_\s]+/).filter((word) => word !== '' && !NOISE.has(word));
  return words.length > 0 ? words.join('-') : id;
}
