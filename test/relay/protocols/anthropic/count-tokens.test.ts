import { describe, expect, it } from 'vitest';
import { estimateImageTokens, estimateInputTokens, estimateTextTokens, imageSize } from '../../../../relay/protocols/anthropic/count-tokens.js';

/**
 * Reference counts come from Anthropic's published tokenizer (@anthropic-ai/tokenizer 0.0.4, the
 * pre-Claude 3 vocabulary; the current one is not public), measured once when the estimator was
 * calibrated. They pin the estimator's accuracy: a change that drifts outside the band fails here.
 */
const references: Array<{ name: string; text: string; tokens: number }> = [
  {
    name: 'English prose',
    text: "Every inbound protocol decodes to one canonical request and encodes one stream of events, either as its own stream format or, for a non-streaming call, as one response collected from the events. Routing decisions, usage records and quality samples all hang off this one path, whatever the protocols. Failover happens before the first byte reaches the client, within a total deadline; after that, a failure becomes an error in the client's own stream format.",
    tokens: 91,
  },
  {
    name: 'TypeScript',
    text: "export function joinBaseUrl(baseUrl: string, path: string): string {\n  return `${baseUrl.replace(/\\/+$/, '')}/${path.replace(/^\\/+/, '')}`;\n}\n\nasync function readJson<T>(response: HttpResponse): Promise<T> {\n  const text = await response.text();\n  try {\n    return JSON.parse(text) as T;\n  } catch (error) {\n    throw new UpstreamError('not JSON', { status: 502, kind: 'upstream-bad-response', cause: error });\n  }\n}\n",
    tokens: 126,
  },
  { name: 'Chinese', text: '人工智能是计算机科学的一个分支，它企图了解智能的实质，并生产出一种新的能以人类智能相似的方式做出反应的智能机器。该领域的研究包括机器人、语言识别、图像识别、自然语言处理和专家系统等。', tokens: 91 },
  { name: 'Russian', text: 'Искусственный интеллект — свойство искусственных интеллектуальных систем выполнять творческие функции, которые традиционно считаются прерогативой человека.', tokens: 77 },
];

function png(width: number, height: number): Buffer {
  const bytes = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes);
  bytes.writeUInt32BE(13, 8);
  bytes.write('IHDR', 12, 'ascii');
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  return bytes;
}

function jpeg(width: number, height: number): Buffer {
  // SOI, an APP0 segment to skip, then SOF0 with height and width.
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x06, 0x4a, 0x46, 0x49, 0x46]);
  const sof = Buffer.from([0xff, 0xc0, 0x00, 0x11, 0x08, height >> 8, height & 0xff, width >> 8, width & 0xff, 0x03]);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, Buffer.alloc(16)]);
}

describe('the count_tokens estimate', () => {
  it('stays within its stated band of the reference tokenizer', () => {
    for (const reference of references) {
      const ratio = estimateTextTokens(reference.text) / reference.tokens;
      expect(ratio, reference.name).toBeGreaterThanOrEqual(0.9);
      expect(ratio, reference.name).toBeLessThanOrEqual(1.15);
    }
  });

  it('counts runs the way byte-pair tokenizers split them', () => {
    expect(estimateTextTokens('')).toBe(0);
    expect(estimateTextTokens('Hello, world')).toBe(3);
    expect(estimateTextTokens('joinBaseUrl')).toBe(3);
    expect(estimateTextTokens('2026')).toBe(4);
    expect(estimateTextTokens('a\n    b')).toBe(3);
    expect(estimateTextTokens('🎉')).toBe(3);
    expect(estimateTextTokens('x'.repeat(1000))).toBeGreaterThan(estimateTextTokens('x'.repeat(100)));
  });

  it("reads image sizes and applies Anthropic's width × height / 750 with its downscaling", () => {
    expect(imageSize(png(200, 100))).toEqual({ width: 200, height: 100 });
    expect(imageSize(jpeg(640, 480))).toEqual({ width: 640, height: 480 });
    const gif = Buffer.from('GIF89a\x20\x00\x10\x00', 'latin1');
    expect(imageSize(gif)).toEqual({ width: 32, height: 16 });
    expect(imageSize(Buffer.from('not an image'))).toBeUndefined();
    const dataUrl = (bytes: Buffer, type = 'image/png') => `data:${type};base64,${bytes.toString('base64')}`;
    expect(estimateImageTokens(dataUrl(png(200, 200)))).toBe(54);
    expect(estimateImageTokens(dataUrl(jpeg(1000, 1000), 'image/jpeg'))).toBe(1334);
    // 4000 × 3000 scales to 1568 × 1176, then to the 1.15 megapixel cap.
    expect(estimateImageTokens(dataUrl(png(4000, 3000)))).toBe(1534);
    expect(estimateImageTokens('https://example.com/cat.png')).toBe(1600);
  });

  it('adds messages, tool calls, tool definitions and the tool-use system prompt', () => {
    const messages = [{ role: 'user' as const, content: [{ type: 'text' as const, text: 'Hello, world' }] }];
    const bare = estimateInputTokens({ model: 'm', messages });
    expect(bare).toBe(3 + 3 + 3);
    const tools = [{ name: 'get_weather', parameters: { type: 'object' } }];
    const withTools = estimateInputTokens({ model: 'm', messages, tools });
    expect(withTools - bare).toBeGreaterThan(346);
    expect(estimateInputTokens({ model: 'm', messages, tools, toolChoice: 'required' })).toBe(withTools - 346 + 313);
    const withCall = estimateInputTokens({
      model: 'm',
      messages: [...messages, { role: 'assistant', content: [], toolCalls: [{ id: 'c', name: 'get_weather', arguments: '{"city":"Paris"}' }] }],
    });
    expect(withCall).toBeGreaterThan(bare + 3);
  });
});
