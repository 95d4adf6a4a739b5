import { describe, expect, it } from 'vitest';
import { snippetNames, snippets, snippetsFor } from '../../../relay/integrations/snippets.js';

const TOKEN = 'relay-token-snippets-0123456789';

describe('copy-paste snippets', () => {
  const all = snippets({ baseUrl: 'http://127.0.0.1:4747/v1', apiKey: TOKEN });

  it('covers Cursor, Open WebUI, LangChain, the OpenAI and Anthropic SDKs (Python and JS) and curl per wire', () => {
    expect(all.map((snippet) => snippet.id)).toEqual([
      'cursor',
      'open-webui',
      'langchain-python',
      'langchain-js',
      'openai-python',
      'openai-js',
      'anthropic-python',
      'anthropic-js',
      'curl-openai',
      'curl-anthropic',
      'curl-ollama',
    ]);
  });

  it('names the right base URL per wire: OpenAI with /v1, Anthropic and Ollama at the root', () => {
    for (const snippet of all) {
      expect(snippet.baseUrl).toBe(snippet.wire === 'openai' ? 'http://127.0.0.1:4747/v1' : 'http://127.0.0.1:4747');
      expect(snippet.text).toContain(snippet.baseUrl);
      if (snippet.wire !== 'openai' && snippet.id !== 'open-webui') {
        // No /v1 after the origin, apart from the Messages path itself in the curl example.
        expect(snippet.text.split('http://127.0.0.1:4747/v1/messages').join('')).not.toMatch(/:4747\/v1\b/);
      }
      expect(snippet.text).toContain(TOKEN);
    }
    const byId = new Map(all.map((snippet) => [snippet.id, snippet.text]));
    expect(byId.get('anthropic-python')).toContain('base_url="http://127.0.0.1:4747"');
    expect(byId.get('anthropic-js')).toContain('baseURL: "http://127.0.0.1:4747"');
    expect(byId.get('curl-anthropic')).toContain('curl http://127.0.0.1:4747/v1/messages');
    expect(byId.get('curl-ollama')).toContain('curl http://127.0.0.1:4747/api/chat');
    expect(byId.get('curl-openai')).toContain('curl http://127.0.0.1:4747/v1/chat/completions');
    expect(byId.get('open-webui')).toContain('OLLAMA_BASE_URL=http://127.0.0.1:4747\n');
    expect(byId.get('open-webui')).toContain('OPENAI_API_BASE_URL=http://127.0.0.1:4747/v1\n');
    expect(byId.get('cursor')).toContain('Override OpenAI Base URL: http://127.0.0.1:4747/v1');
    expect(byId.get('langchain-js')).toContain('anthropicApiUrl: "http://127.0.0.1:4747"');
  });

  it('uses only the key it is given (the relay token or a mask), never anything else key-like', () => {
    const masked = snippets({ baseUrl: 'http://127.0.0.1:4747/v1', apiKey: '…6789' });
    for (const snippet of masked) {
      expect(snippet.text).not.toContain(TOKEN);
      expect(snippet.text).not.toMatch(/sk-|gsk_|sk-ant/);
    }
  });

  it('filters by client or variant', () => {
    const input = { baseUrl: 'http://[::1]:5000/v1', apiKey: 'switchboard' };
    expect(snippetsFor(input, 'langchain').map((snippet) => snippet.id)).toEqual(['langchain-python', 'langchain-js']);
    expect(snippetsFor(input, 'CURL-ollama').map((snippet) => snippet.text)[0]).toContain('curl http://[::1]:5000/api/chat');
    expect(snippetsFor(input, 'nope')).toEqual([]);
    expect(snippetNames()).toContain('anthropic-sdk');
    expect(snippetNames()).toContain('openai-js');
  });
});
