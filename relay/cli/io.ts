/**
 * What the command line touches of the outside world, so tests can run `main` in-process with
 * captured output, a scripted standard input and fake signals.
 */

export type TerminationSignal = 'SIGINT' | 'SIGTERM';

export interface CliIo {
  /** Writes to standard output as given (add the newline yourself). */
  stdout(text: string): void;
  stderr(text: string): void;
  /**
   * Reads a secret: from a pipe or file everything up to end of input; on a terminal one line,
   * not echoed, after showing `prompt` on stderr.
   */
  readSecret(prompt: string): Promise<string>;
  env: Record<string, string | undefined>;
  /** Calls `handler` on SIGINT or SIGTERM; returns the function that stops listening. */
  onSignal(handler: (signal: TerminationSignal) => void): () => void;
}

const MAX_STDIN_BYTES = 64 * 1024;

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.from(chunk as Uint8Array | string);
    size += buffer.length;
    if (size > MAX_STDIN_BYTES) throw new Error('Standard input is larger than 64 KB; that is not an API key.');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** One line from the terminal without echo; Ctrl-C or Ctrl-D on an empty line abort. */
function readHiddenLine(prompt: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (error?: Error) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (data: Buffer) => {
      for (const char of data.toString('utf8')) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003' || (char === '\u0004' && value === '')) return finish(new Error('Cancelled.'));
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else value += char;
      }
    };
    input.setRawMode(true);
    input.resume();
    input.on('data', onData);
  });
}

export function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    readSecret: (prompt) => (process.stdin.isTTY ? readHiddenLine(prompt) : readAll(process.stdin)),
    env: process.env,
    onSignal(handler) {
      const onInt = () => handler('SIGINT');
      const onTerm = () => handler('SIGTERM');
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
      return () => {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
      };
    },
  };
}
