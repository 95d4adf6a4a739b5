import type { RequestView, RequestsResponse } from '../../../relay/admin/dto.js';
import { admin } from '../api/admin-client.js';

/** How many finished requests the page keeps (the relay keeps its own, larger log). */
const KEEP = 500;

/** The live request log: loaded once, then one `request` event per finished request. */
class RequestsState {
  /** Newest first. */
  list = $state.raw<RequestView[]>([]);
  loaded = $state(false);

  async load(): Promise<void> {
    const response = await admin.get<RequestsResponse>(`/requests?limit=${KEEP}`);
    const merged = new Map(response.requests.map((request) => [request.requestId, request]));
    for (const request of this.list) merged.set(request.requestId, request);
    this.list = [...merged.values()].sort((a, b) => b.startedAt.localeCompare(a.startedAt)).slice(0, KEEP);
    this.loaded = true;
  }

  add(request: RequestView): void {
    this.list = [request, ...this.list.filter((existing) => existing.requestId !== request.requestId)].slice(0, KEEP);
  }
}

export const requests = new RequestsState();
