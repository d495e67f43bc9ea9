// The hall display's announcement order: each call is spoken once per display, in sequence
// order, one at a time, even across reloads and reconnects (the highest announced sequence
// number is kept in localStorage; the server's numbers only grow, across days too).
import type { KeyValueStore } from '../pairing'

const MARK_KEY = 'hallkeeper.display.announced'
const REPEAT_KEY = 'hallkeeper.display.repeat'

/** A display back after an outage reads at most this many of the calls it missed (the newest);
 *  the older ones are shown on the board but not spoken, long after the person went. */
export const MAX_BACKLOG = 3

/** How long the newest call flashes. */
export const FLASH_MS = 12_000
/** The feed is read this often besides the stream's hints (waiting counts change without calls). */
export const FEED_EVERY_MS = 5_000

export interface Announceable {
  seq: number
  recall: boolean
}

export class Announcer<C extends Announceable = Announceable> {
  private pending: C[] = []

  private readonly store: KeyValueStore
  constructor(store: KeyValueStore) {
    this.store = store
  }

  /** The highest sequence number this display announced (or chose not to); null: never ran. */
  mark(): number | null {
    const raw = this.store.getItem(MARK_KEY)
    const n = raw === null ? NaN : Number(raw)
    return Number.isSafeInteger(n) && n >= 0 ? n : null
  }

  private setMark(seq: number): void {
    const m = this.mark()
    if (m === null || seq > m) this.store.setItem(MARK_KEY, String(seq))
  }

  /**
   * The feed's latest calls (any order). On a display's very first feed the calls already made
   * are not spoken (they were made before it hung on the wall); every later call above the mark
   * is queued once.
   */
  offer(calls: readonly C[]): void {
    const mark = this.mark()
    if (mark === null) {
      this.store.setItem(MARK_KEY, String(Math.max(0, ...calls.map((c) => c.seq))))
      return
    }
    for (const c of calls) {
      if (c.seq > mark && !this.pending.some((p) => p.seq === c.seq)) this.pending.push(c)
    }
    this.pending.sort((a, b) => a.seq - b.seq)
    while (this.pending.length > MAX_BACKLOG) this.setMark(this.pending.shift()!.seq)
  }

  /** The next call to speak (the lowest pending), or null; it stays pending until `done`. */
  next(): C | null {
    return this.pending[0] ?? null
  }

  /** Spoken (or given up: the server cannot read it): never again on this display. */
  done(seq: number): void {
    this.pending = this.pending.filter((p) => p.seq !== seq)
    this.setMark(seq)
  }

  get waiting(): number {
    return this.pending.length
  }
}

/**
 * The display's repeat setting (1–3 times, docs/devices.md): `?repeat=N` in its address sets
 * it and it is kept; 1 when never set.
 */
export function repeatSetting(search: string, store: KeyValueStore): number {
  const asked = new URLSearchParams(search).get('repeat')
  if (asked !== null && /^[123]$/.test(asked)) store.setItem(REPEAT_KEY, asked)
  const kept = store.getItem(REPEAT_KEY)
  return kept !== null && /^[123]$/.test(kept) ? Number(kept) : 1
}

/** The call that flashes: the newest, while it is younger (on this display) than FLASH_MS. */
export function flashing(newest: number | null, firstSeenAt: number | null, now: number): number | null {
  return newest !== null && firstSeenAt !== null && now - firstSeenAt < FLASH_MS ? newest : null
}
