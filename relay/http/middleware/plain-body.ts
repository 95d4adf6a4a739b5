import type { NextFunction, Request } from 'express';

/**
 * Reads the common request body — a declared length within the limit, no transfer or content
 * encoding — into `request.body` as a Buffer, the way `express.raw` would, in a few listeners.
 * Returns false, having touched nothing, for every other request: those go through
 * `express.raw`, with its decompression and its errors. A failure is passed to `next` with the
 * `type` body-parser gives it, so the error handler answers the same.
 */
export function readPlainBody(request: Request, limit: number, next: NextFunction): boolean {
  const { headers } = request;
  const declared = headers['content-length'];
  if (declared === undefined || headers['transfer-encoding'] !== undefined) return false;
  const encoding = headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false;
  const length = Number(declared);
  if (!Number.isSafeInteger(length) || length > limit || request.complete || !request.readable) return false;

  const chunks: Buffer[] = [];
  let received = 0;
  const finish = (error?: unknown): void => {
    request.off('data', onData);
    request.off('end', onEnd);
    request.off('aborted', onAborted);
    request.off('error', finish);
    if (error !== undefined) {
      next(error);
      return;
    }
    // A copy: the chunks may be views of a larger read buffer that should not stay alive.
    request.body = Buffer.concat(chunks, received);
    next();
  };
  const onData = (chunk: Buffer): void => {
    received += chunk.length;
    chunks.push(chunk);
  };
  const onEnd = (): void => {
    if (received !== length) finish(bodyError('request size did not match content length', 'request.size.invalid'));
    else finish();
  };
  const onAborted = (): void => finish(bodyError('request aborted', 'request.aborted'));
  request.on('data', onData);
  request.on('end', onEnd);
  request.on('aborted', onAborted);
  request.on('error', finish);
  return true;
}

function bodyError(message: string, type: string): Error {
  return Object.assign(new Error(message), { status: 400, statusCode: 400, expose: true, type });
}
