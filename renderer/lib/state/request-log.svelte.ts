import type { RequestDetailResponse, RequestView } from '../../../relay/admin/dto.js';
import { admin, errorMessage } from '../api/admin-client.js';
import { countNew, filterRequests, isFiltering, NO_FILTER, type RequestFilter } from '../components/requests/request-filter.js';
import { requests } from './requests.svelte.js';

/**
 * What the Requests view shows of the live log: its filters, the open request, and whether the
 * list is held still. While the user reads (scrolled down, a request open, or live updates paused)
 * the table keeps the rows it had, and new requests are only counted until they ask for them.
 */
class RequestLogState {
  search = $state(NO_FILTER.search);
  outcome = $state<RequestFilter['outcome']>(NO_FILTER.outcome);
  wire = $state<RequestFilter['wire']>(NO_FILTER.wire);
  paused = $state(false);
  scrolled = $state(false);
  selectedId = $state<string | null>(null);

  /** The open request's bodies (GET /admin/requests/:id), when the relay kept them. */
  detail = $state.raw<RequestDetailResponse | null>(null);
  detailLoading = $state(false);
  detailError = $state<string | null>(null);

  /** The rows as they were when the list was held; null while live. */
  private held = $state.raw<readonly RequestView[] | null>(null);
  private detailRequest: AbortController | undefined;

  readonly filter = $derived<RequestFilter>({ search: this.search, outcome: this.outcome, wire: this.wire });
  readonly filtering = $derived(isFiltering(this.filter));
  readonly rows = $derived(filterRequests(this.held ?? requests.list, this.filter));
  /** Requests that arrived while the list was held. */
  readonly waiting = $derived(this.held === null ? 0 : countNew(requests.list, this.held));
  readonly selected = $derived(this.selectedId === null ? undefined : this.find(this.selectedId));

  private get reading(): boolean {
    return this.paused || this.scrolled || this.selectedId !== null;
  }

  private find(id: string): RequestView | undefined {
    return requests.list.find((request) => request.requestId === id) ?? this.held?.find((request) => request.requestId === id);
  }

  /** Holds the rows while the user reads, and lets them go live again once they stopped. */
  private settle(): void {
    if (this.reading) this.held ??= requests.list;
    else this.held = null;
  }

  setPaused(paused: boolean): void {
    this.paused = paused;
    this.settle();
  }

  /** The table's scroll position changed: anything but the top holds the rows. */
  setScrolled(scrolled: boolean): void {
    if (scrolled === this.scrolled) return;
    this.scrolled = scrolled;
    this.settle();
  }

  /** The user asked for the requests that came in while they read (the table scrolls to the top). */
  showNew(): void {
    this.scrolled = false;
    this.held = this.reading ? requests.list : null;
  }

  clearFilters(): void {
    this.search = NO_FILTER.search;
    this.outcome = NO_FILTER.outcome;
    this.wire = NO_FILTER.wire;
  }

  /** Opens a request's details; its bodies are fetched when the relay kept them. */
  open(id: string): void {
    this.selectedId = id;
    this.settle();
    this.detailRequest?.abort();
    this.detail = null;
    this.detailError = null;
    this.detailLoading = false;
    if (this.find(id)?.hasBodies === true) void this.loadDetail(id);
  }

  close(): void {
    this.detailRequest?.abort();
    this.selectedId = null;
    this.detail = null;
    this.detailError = null;
    this.detailLoading = false;
    this.settle();
  }

  private async loadDetail(id: string): Promise<void> {
    const controller = new AbortController();
    this.detailRequest = controller;
    this.detailLoading = true;
    try {
      const detail = await admin.get<RequestDetailResponse>(`/requests/${encodeURIComponent(id)}`, controller.signal);
      if (this.selectedId === id) this.detail = detail;
    } catch (error) {
      if (controller.signal.aborted) return;
      if (this.selectedId === id) this.detailError = errorMessage(error);
    } finally {
      if (this.detailRequest === controller) this.detailLoading = false;
    }
  }
}

export const requestLog = new RequestLogState();
