import { invalidRequest } from '../../core/errors.js';

/**
 * Ollama sends images as bare base64 without a media type. Canonical images are data: URLs, so
 * the type is read from the first bytes (PNG, JPEG, GIF, WebP: what vision upstreams accept).
 */

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** The media type of an image from its first bytes, or undefined when it is none of the four. */
export function sniffImageType(bytes: Uint8Array): string | undefined {
  const at = (index: number) => bytes[index];
  const ascii = (start: number, text: string) => [...text].every((char, offset) => at(start + offset) === char.charCodeAt(0));
  if (at(0) === 0x89 && ascii(1, 'PNG\r\n\x1a\n')) return 'image/png';
  if (at(0) === 0xff && at(1) === 0xd8 && at(2) === 0xff) return 'image/jpeg';
  if (ascii(0, 'GIF87a') || ascii(0, 'GIF89a')) return 'image/gif';
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'image/webp';
  return undefined;
}

/**
 * One Ollama image as a canonical image URL. Bare base64 (standard or URL-safe alphabet, line
 * breaks allowed) becomes a data: URL; a data:image URL or an http(s) URL some clients send
 * instead is kept as it is.
 */
export function imageUrlOf(image: string, param: string): string {
  const trimmed = image.trim();
  if (/^data:image\/[a-z0-9.+-]+;base64,/i.test(trimmed) || /^https?:\/\//i.test(trimmed)) return trimmed;
  const base64 = trimmed.replace(/\s+/g, '').replace(/-/g, '+').replace(/_/g, '/');
  if (base64 === '' || !BASE64.test(base64)) {
    throw invalidRequest(`${param} is not base64 image data (send the image bytes base64-encoded, without a data: prefix).`, param);
  }
  const type = sniffImageType(Buffer.from(base64.slice(0, 16), 'base64'));
  if (!type) throw invalidRequest(`${param} is not a PNG, JPEG, GIF or WebP image.`, param);
  return `data:${type};base64,${base64}`;
}
