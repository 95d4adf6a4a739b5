import type { StreamEvent } from '../core/stream-event.js';

/**
 * A wire's stream encoding, one event at a time and without waiting, so a writer can put an
 * event's frames on the socket in the same step that read it.
 */
export interface FrameEncoder {
  /** The frames of one event, or '' when it has none. */
  encode(event: StreamEvent): string;
  /** True once the stream needs nothing more (after an in-band error, or after `finish`). */
  readonly stopped: boolean;
  /** What follows the last event (a clean end marker, or an error when the stream was cut short). */
  finish(): string;
}
