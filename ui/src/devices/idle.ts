// A page's 60 s without a touch (the kiosk goes home, the rating pad back to idle).

/**
 * Goes home after `ms` without a touch. `poke()` on every touch or key restarts it; the clock is
 * passed in so tests run it on fake timers.
 */
export type Timers = {
  set: (f: () => void, ms: number) => ReturnType<typeof setTimeout>
  clear: (h: ReturnType<typeof setTimeout>) => void
}

export class IdleTimer {
  private handle: ReturnType<typeof setTimeout> | null = null
  private readonly ms: number
  private readonly onIdle: () => void
  private readonly timers: Timers
  constructor(
    ms: number,
    onIdle: () => void,
    timers: Timers = { set: (f, ms) => setTimeout(f, ms), clear: (h) => clearTimeout(h) },
  ) {
    this.ms = ms
    this.onIdle = onIdle
    this.timers = timers
  }

  poke(): void {
    this.stop()
    this.handle = this.timers.set(() => {
      this.handle = null
      this.onIdle()
    }, this.ms)
  }

  stop(): void {
    if (this.handle !== null) this.timers.clear(this.handle)
    this.handle = null
  }

  get running(): boolean {
    return this.handle !== null
  }
}
