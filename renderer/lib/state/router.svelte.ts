/** The dashboard's screens, addressed by the URL hash (`#/models`) so reloads and links keep them. */
export const VIEWS = ['models', 'providers', 'requests', 'integrations', 'settings', 'welcome'] as const;
export type ViewName = (typeof VIEWS)[number];

function fromHash(hash: string): ViewName | undefined {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return (VIEWS as readonly string[]).includes(name) ? (name as ViewName) : undefined;
}

class RouterState {
  /** Undefined until the user (or the first-run check) picked a screen. */
  view = $state<ViewName | undefined>(typeof location === 'undefined' ? undefined : fromHash(location.hash));

  constructor() {
    if (typeof window !== 'undefined') {
      window.addEventListener('hashchange', () => {
        this.view = fromHash(location.hash) ?? this.view;
      });
    }
  }

  go(view: ViewName): void {
    this.view = view;
    if (typeof location !== 'undefined' && fromHash(location.hash) !== view) location.hash = `#/${view}`;
  }
}

export const router = new RouterState();
