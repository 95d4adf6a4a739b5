import type { RequestHandler } from 'express';

/**
 * A handler whose code is loaded by its first request. Parts of the relay that serving does not
 * use (the admin API with the client integrations and their file parsers) would otherwise sit
 * in memory from startup in every relay, most of which never open the dashboard.
 */
export function lazyHandler(load: () => Promise<RequestHandler>): RequestHandler {
  let loading: Promise<RequestHandler> | undefined;
  return (request, response, next) => {
    loading ??= load();
    loading.then(
      (handler) => {
        try {
          handler(request, response, next);
        } catch (error) {
          next(error);
        }
      },
      (error: unknown) => {
        // A failed load is tried again by the next request rather than remembered forever.
        loading = undefined;
        next(error);
      },
    );
  };
}
