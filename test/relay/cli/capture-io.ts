import { EventEmitter } from 'node:events';
import type { CliIo, TerminationSignal } from '../../../relay/cli/io.js';
import { main } from '../../../relay/cli/main.js';

/** A CliIo that records output, answers readSecret from a script and raises signals on demand. */
export interface CapturedIo extends CliIo {
  out: string;
  err: string;
  /** Secrets handed out by readSecret, in order. */
  stdin: string[];
  prompts: string[];
  signal(name: TerminationSignal): void;
}

export function captureIo(env: Record<string, string | undefined> = {}, stdin: string[] = []): CapturedIo {
  const signals = new EventEmitter();
  const io: CapturedIo = {
    out: '',
    err: '',
    stdin,
    prompts: [],
    env,
    stdout: (text) => void (io.out += text),
    stderr: (text) => void (io.err += text),
    readSecret: async (prompt) => {
      io.prompts.push(prompt);
      const next = io.stdin.shift();
      if (next === undefined) throw new Error('nothing on stdin');
      return next;
    },
    onSignal(handler) {
      signals.on('signal', handler);
      return () => signals.off('signal', handler);
    },
    signal: (name) => void signals.emit('signal', name),
  };
  return io;
}

/** Runs the CLI in-process with `--config-dir dir` appended. */
export async function run(
  args: string[],
  options: { dir?: string; env?: Record<string, string | undefined>; stdin?: string[] } = {},
): Promise<{ code: number; out: string; err: string; io: CapturedIo }> {
  const io = captureIo(options.env ?? {}, options.stdin ?? []);
  const argv = options.dir === undefined ? args : [...args, '--config-dir', options.dir];
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err, io };
}
