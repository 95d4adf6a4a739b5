import { readFileIfExists, writeFileAtomic } from '../fs/atomic-file.js';
import type { QosSnapshot, QosTracker } from '../routing/qos-tracker.js';

interface Logger {
  warn(message: string): void;
}

/** Loads the measurements saved at the last run; a missing or damaged file just means none. */
export async function restoreQos(qos: QosTracker, file: string, now: number, logger: Logger): Promise<void> {
  const text = await readFileIfExists(file).catch(() => undefined);
  if (!text) return;
  try {
    qos.restore(JSON.parse(text) as QosSnapshot, now);
  } catch {
    logger.warn(`Ignoring ${file}: it is not a valid measurement snapshot; routing starts without history.`);
  }
}

/** Saves the measurements now and then (and on stop), off the request path. */
export class QosSaver {
  private timer: NodeJS.Timeout | undefined;
  private last = '';
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly qos: QosTracker,
    private readonly file: string,
    private readonly logger: Logger,
    private readonly intervalMs = 60_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.save(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.save();
  }

  save(): Promise<void> {
    this.writing = this.writing.then(async () => {
      const text = JSON.stringify(this.qos.snapshot());
      if (text === this.last) return;
      try {
        await writeFileAtomic(this.file, text, { mode: 0o600 });
        this.last = text;
      } catch (error) {
        this.logger.warn(`Could not save route measurements to ${this.file}: ${String(error)}`);
      }
    });
    return this.writing;
  }
}
