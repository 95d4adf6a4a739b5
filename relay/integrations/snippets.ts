import { originOf } from './integration.js';

/**
 * Copy-paste setup for clients Switchboard does not configure itself: the settings or code that
 * point each at the relay, for its current base URL, key and model ids. Each wire has its own
 * base URL: OpenAI-style clients take `<origin>/v1`, Anthropic clients the origin alone (they add
 * /v1/messages), Ollama clients the origin (they add /api/...). The key is whatever the caller
 * passes: the relay token (masked unless the user asked to see it) or the placeholder — never
 * an upstream provider key.
 */

export type SnippetWire = 'openai' | 'anthropic' | 'ollama';

export interface Snippet {
  /** `cursor`, `open-webui`, `langchain-python`, ... */
  id: string;
  /** The client it is for, shared by its variants: `langchain`, `openai-sdk`, `curl`, ... */
  client: string;
  title: string;
  /** `text`, `shell`, `python`, `javascript`, `json`. */
  language: string;
  /** The base URL the snippet uses, and for which wire. */
  wire: SnippetWire;
  baseUrl: string;
  text: string;
  /** Anything the user should know (e.g. Cursor calls from its cloud). */
  note?: string;
}

export interface SnippetInput {
  /** The relay's OpenAI base URL, `http://127.0.0.1:4747/v1`. */
  baseUrl: string;
  /** The key to show: the relay token (masked or not) or the placeholder. */
  apiKey: string;
  /** The model the snippets use (default `auto-fastest`). */
  model?: string;
}

export function snippets(input: SnippetInput): Snippet[] {
  const openai = input.baseUrl.replace(/\/+$/, '');
  const origin = originOf(openai);
  const key = input.apiKey;
  const model = input.model ?? 'auto-fastest';
  const q = (value: string): string => JSON.stringify(value);
  const list: Snippet[] = [
    {
      id: 'cursor',
      client: 'cursor',
      title: 'Cursor (Settings → Models)',
      language: 'text',
      wire: 'openai',
      baseUrl: openai,
      text: `OpenAI API Key: ${key}\nOverride OpenAI Base URL: ${openai}\nAdd model: ${model}`,
      note: "Cursor sends these requests from its own cloud, so a loopback address is unreachable for it: expose the relay on a public HTTPS URL (a tunnel) with a relay token set, and use that URL + '/v1' instead.",
    },
    {
      id: 'open-webui',
      client: 'open-webui',
      title: 'Open WebUI (environment; or Admin Settings → Connections)',
      language: 'shell',
      wire: 'ollama',
      baseUrl: origin,
      text: [
        `# Ollama connection (the relay serves /api/* at its root)`,
        `OLLAMA_BASE_URL=${origin}`,
        `# OpenAI connection`,
        `OPENAI_API_BASE_URL=${openai}`,
        `OPENAI_API_KEY=${key}`,
        `# From Docker, use http://host.docker.internal:${new URL(origin).port || '80'} instead of the loopback address.`,
      ].join('\n'),
      note: 'Open WebUI stores connections in its database after the first start; change them later in Admin Settings → Connections.',
    },
    {
      id: 'langchain-python',
      client: 'langchain',
      title: 'LangChain (Python)',
      language: 'python',
      wire: 'openai',
      baseUrl: openai,
      text: [
        'from langchain_openai import ChatOpenAI',
        '',
        `llm = ChatOpenAI(model=${q(model)}, base_url=${q(openai)}, api_key=${q(key)}, stream_usage=True)`,
        '',
        '# Anthropic wire: from langchain_anthropic import ChatAnthropic',
        `# ChatAnthropic(model=${q(model)}, base_url=${q(origin)}, api_key=${q(key)})`,
        '# Ollama wire: from langchain_ollama import ChatOllama',
        `# ChatOllama(model=${q(model)}, base_url=${q(origin)})`,
      ].join('\n'),
    },
    {
      id: 'langchain-js',
      client: 'langchain',
      title: 'LangChain (JavaScript)',
      language: 'javascript',
      wire: 'openai',
      baseUrl: openai,
      text: [
        "import { ChatOpenAI } from '@langchain/openai';",
        '',
        `const llm = new ChatOpenAI({ model: ${q(model)}, apiKey: ${q(key)}, configuration: { baseURL: ${q(openai)} } });`,
        '',
        "// Anthropic wire: import { ChatAnthropic } from '@langchain/anthropic';",
        `// new ChatAnthropic({ model: ${q(model)}, apiKey: ${q(key)}, anthropicApiUrl: ${q(origin)} });`,
        "// Ollama wire: import { ChatOllama } from '@langchain/ollama';",
        `// new ChatOllama({ model: ${q(model)}, baseUrl: ${q(origin)} });`,
      ].join('\n'),
    },
    {
      id: 'openai-python',
      client: 'openai-sdk',
      title: 'OpenAI SDK (Python)',
      language: 'python',
      wire: 'openai',
      baseUrl: openai,
      text: [
        'from openai import OpenAI',
        '',
        `client = OpenAI(base_url=${q(openai)}, api_key=${q(key)})`,
        `reply = client.chat.completions.create(model=${q(model)}, messages=[{"role": "user", "content": "Hello"}])`,
        'print(reply.choices[0].message.content)',
        '',
        `# or: export OPENAI_BASE_URL=${openai} OPENAI_API_KEY=${key}`,
      ].join('\n'),
    },
    {
      id: 'openai-js',
      client: 'openai-sdk',
      title: 'OpenAI SDK (JavaScript)',
      language: 'javascript',
      wire: 'openai',
      baseUrl: openai,
      text: [
        "import OpenAI from 'openai';",
        '',
        `const client = new OpenAI({ baseURL: ${q(openai)}, apiKey: ${q(key)} });`,
        `const reply = await client.chat.completions.create({ model: ${q(model)}, messages: [{ role: 'user', content: 'Hello' }] });`,
        'console.log(reply.choices[0]?.message.content);',
      ].join('\n'),
    },
    {
      id: 'anthropic-python',
      client: 'anthropic-sdk',
      title: 'Anthropic SDK (Python)',
      language: 'python',
      wire: 'anthropic',
      baseUrl: origin,
      text: [
        'from anthropic import Anthropic',
        '',
        `# The base URL has no /v1: the SDK adds /v1/messages.`,
        `client = Anthropic(base_url=${q(origin)}, auth_token=${q(key)})`,
        `reply = client.messages.create(model=${q(model)}, max_tokens=1024, messages=[{"role": "user", "content": "Hello"}])`,
        'print(reply.content[0].text)',
        '',
        `# or: export ANTHROPIC_BASE_URL=${origin} ANTHROPIC_AUTH_TOKEN=${key}`,
      ].join('\n'),
    },
    {
      id: 'anthropic-js',
      client: 'anthropic-sdk',
      title: 'Anthropic SDK (JavaScript)',
      language: 'javascript',
      wire: 'anthropic',
      baseUrl: origin,
      text: [
        "import Anthropic from '@anthropic-ai/sdk';",
        '',
        `const client = new Anthropic({ baseURL: ${q(origin)}, authToken: ${q(key)} });`,
        `const reply = await client.messages.create({ model: ${q(model)}, max_tokens: 1024, messages: [{ role: 'user', content: 'Hello' }] });`,
        "console.log(reply.content[0]?.type === 'text' ? reply.content[0].text : reply.content);",
      ].join('\n'),
    },
    {
      id: 'curl-openai',
      client: 'curl',
      title: 'curl (OpenAI chat completions)',
      language: 'shell',
      wire: 'openai',
      baseUrl: openai,
      text: [
        `curl ${openai}/chat/completions \\`,
        `  -H 'Authorization: Bearer ${key}' -H 'Content-Type: application/json' \\`,
        `  -d '{"model": ${q(model)}, "messages": [{"role": "user", "content": "Hello"}]}'`,
      ].join('\n'),
    },
    {
      id: 'curl-anthropic',
      client: 'curl',
      title: 'curl (Anthropic Messages)',
      language: 'shell',
      wire: 'anthropic',
      baseUrl: origin,
      text: [
        `curl ${origin}/v1/messages \\`,
        `  -H 'Authorization: Bearer ${key}' -H 'anthropic-version: 2023-06-01' -H 'Content-Type: application/json' \\`,
        `  -d '{"model": ${q(model)}, "max_tokens": 256, "messages": [{"role": "user", "content": "Hello"}]}'`,
      ].join('\n'),
    },
    {
      id: 'curl-ollama',
      client: 'curl',
      title: 'curl (Ollama chat)',
      language: 'shell',
      wire: 'ollama',
      baseUrl: origin,
      text: [
        `curl ${origin}/api/chat \\`,
        `  -H 'Authorization: Bearer ${key}' -H 'Content-Type: application/json' \\`,
        `  -d '{"model": ${q(model)}, "stream": false, "messages": [{"role": "user", "content": "Hello"}]}'`,
      ].join('\n'),
    },
  ];
  return list;
}

/** The snippets for one client (`langchain`) or one variant (`langchain-js`); all when none is named. */
export function snippetsFor(input: SnippetInput, client: string | undefined): Snippet[] {
  const all = snippets(input);
  if (client === undefined) return all;
  const wanted = client.trim().toLowerCase();
  return all.filter((snippet) => snippet.client === wanted || snippet.id === wanted);
}

/** Every name `snippetsFor` accepts, clients first. */
export function snippetNames(): string[] {
  const all = snippets({ baseUrl: 'http://127.0.0.1/v1', apiKey: '' });
  return [...new Set([...all.map((snippet) => snippet.client), ...all.map((snippet) => snippet.id)])];
}
