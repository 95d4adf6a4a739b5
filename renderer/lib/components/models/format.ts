import type { RouteStatusView } from '../../../../relay/admin/dto.js';

/** The Badge component's tones. */
export type Tone = 'ok' | 'warn' | 'bad' | 'neutral' | 'accent';

/** Short, fixed-width-friendly texts for the Models table's numbers. Missing values read "—". */

export const NONE = '—';

/** 412 → "412 ms", 1530 → "1.53 s", 12400 → "12.4 s". */
export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return NONE;
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1_000;
  return `${seconds < 10 ? seconds.toFixed(2) : seconds.toFixed(1)} s`;
}

/** Tokens per second: whole numbers from 100 up, one decimal below. */
export function formatSpeed(tokensPerSecond: number | undefined): string {
  if (tokensPerSecond === undefined || !Number.isFinite(tokensPerSecond)) return NONE;
  return tokensPerSecond >= 100 ? String(Math.round(tokensPerSecond)) : tokensPerSecond.toFixed(1);
}

/** 0..1 → "99.2%" (and "100%" rather than "100.0%"). */
export function formatPercent(share: number | undefined): string {
  if (share === undefined || !Number.isFinite(share)) return NONE;
  const percent = Math.max(0, Math.min(1, share)) * 100;
  return percent === 100 || percent === 0 ? `${percent}%` : `${percent.toFixed(1)}%`;
}

/** 8192 → "8k", 131072 → "128k", 128000 → "128k", 1048576 → "1M". */
export function formatTokens(tokens: number | undefined): string {
  if (tokens === undefined || !Number.isFinite(tokens) || tokens <= 0) return NONE;
  // Vendors write windows both ways: 128000 and 131072 are both "128k".
  const unit = tokens % 1000 !== 0 && tokens % 1024 === 0 ? 1024 : 1000;
  if (tokens >= unit * unit) return `${trim(tokens / (unit * unit))}M`;
  if (tokens >= unit) return `${trim(tokens / unit)}k`;
  return String(tokens);
}

function trim(value: number): string {
  return value >= 10 ? String(Math.round(value)) : String(Math.round(value * 10) / 10);
}

/** A time of day for "last error at", in the user's locale. */
export function formatTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const sameDay = date.toDateString() === new Date().toDateString();
  return sameDay ? date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : date.toLocaleString([], { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

const STATUS_TEXT: Record<RouteStatusView, { label: string; tone: Tone; title: string }> = {
  up: { label: 'up', tone: 'ok', title: 'Answering normally' },
  slow: { label: 'slow', tone: 'warn', title: 'Answering, but its first token takes over twice as long as the fastest route' },
  'rate-limited': { label: 'rate-limited', tone: 'warn', title: 'Every key is resting after a rate limit' },
  down: { label: 'down', tone: 'bad', title: 'Failed recently; held back until it answers again' },
  'key-missing': { label: 'no key', tone: 'neutral', title: 'The provider needs a key: add one in Providers & keys' },
  'key-rejected': { label: 'key rejected', tone: 'bad', title: 'The provider refused every key' },
  disabled: { label: 'disabled', tone: 'neutral', title: 'The provider is turned off' },
  unknown: { label: 'no data', tone: 'neutral', title: 'Not measured yet: no request or probe has used it' },
};

export function statusText(status: RouteStatusView): { label: string; tone: Tone; title: string } {
  return STATUS_TEXT[status] ?? STATUS_TEXT.unknown;
}
