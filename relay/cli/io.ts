import { openSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ReadStream } from 'node:tty';

/**
 * What the command line touches of the outside world, so tests can run `main` in-process with
 * captured output, a scripted standard input and fake signals.
 */

export type TerminationSignal = 'SIGINT' | 'SIGTERM';

/** Questions asked on the terminal itself (see CliIo.openTerminal); close it when done. */
export interface TerminalPrompt {
  /** One line; `hidden` does not echo what is typed (passphrases). Ctrl-C rejects. */
  ask(prompt: string, options: { hidden: boolean }): Promise<string>;
  close(): void;
}

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
  /** Whether standard input is a terminal, so readSecret reads one typed line (absent: no). */
  stdinIsTerminal?: boolean;
  /**
   * The terminal to ask questions on (confirmations, a passphrase) even when standard input is
   * a pipe, as in `a | switchboard ...`; undefined when there is none (absent: never one).
   */
  openTerminal?(): TerminalPrompt | undefined;
  /** Calls `handler` on SIGINT or SIGTERM; returns the function that stops listening. */
  onSignal(handler: (signal: TerminationSignal) => void): () => void;
}

const MAX_STDIN_BYTES = 1024 * 1024;

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = Buffer.from(chunk as Uint8Array | string);
    size += buffer.length;
    if (size > MAX_STDIN_BYTES) throw new Error('Standard input is larger than 1 MB; that is neither a key nor a settings token.');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** One line from the terminal without echo; Ctrl-C or Ctrl-D on an empty line abort. */
function readHiddenLine(prompt: string, input: ReadStream = process.stdin): Promise<string> {
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
    // Echo off before the prompt shows, so nothing typed at once is echoed.
    input.setRawMode(true);
    process.stderr.write(prompt);
    input.resume();
    input.on('data', onData);
  });
}

/** One visible line from the terminal; Ctrl-C or end of input abort. */
function readVisibleLine(prompt: string, input: ReadStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input, output: process.stderr, terminal: true });
    let answered = false;
    lines.once('SIGINT', () => lines.close());
    lines.once('close', () => {
      if (!answered) {
        process.stderr.write('\n');
        reject(new Error('Cancelled.'));
      }
    });
    lines.question(prompt, (answer) => {
      answered = true;
      lines.close();
      resolve(answer);
    });
  });
}

/** Standard input when it is a terminal, else the controlling terminal (/dev/tty) when there is one. */
function openTerminal(): TerminalPrompt | undefined {
  let input: ReadStream;
  let own = false;
  if (process.stdin.isTTY) input = process.stdin;
  else {
    if (process.platform === 'win32') return undefined;
    try {
      input = new ReadStream(openSync('/dev/tty', 'r'));
      own = true;
    } catch {
      return undefined;
    }
  }
  return {
    ask: (prompt, options) => (options.hidden ? readHiddenLine(prompt, input) : readVisibleLine(prompt, input)),
    close: () => {
      if (own) input.destroy();
      else input.pause();
    },
  };
}

export function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    readSecret: (prompt) => (process.stdin.isTTY ? readHiddenLine(prompt) : readAll(process.stdin)),
    env: process.env,
    stdinIsTerminal: process.stdin.isTTY === true,
    openTerminal,
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
