/** A clock tests move by hand, for time-dependent logic without sleeping. */
export class FakeClock {
  constructor(private current = Date.UTC(2026, 0, 1)) {}

  now = (): number => this.current;

  advance(ms: number): void {
    this.current += ms;
  }

  set(ms: number): void {
    this.current = ms;
  }
}
