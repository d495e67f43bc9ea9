// The rating pad's rules, apart from the page so they are tested: the five grades and which ask
// for reasons, one tap counted per 10 s, the offline queue, stars and the initials placeholder.
import type { RatingInput, RatingLevel } from '../../api/types.gen'
import type { KeyValueStore } from '../pairing'

/** Best first, as the pad shows them top to bottom. */
export const LEVELS: readonly RatingLevel[] = ['very_satisfied', 'satisfied', 'neutral', 'dissatisfied', 'very_dissatisfied']

/** The bottom two grades ask for reason tags (and an optional comment) before they are sent. */
export function needsReasons(level: RatingLevel): boolean {
  return level === 'dissatisfied' || level === 'very_dissatisfied'
}

/** Back to idle after this long without a touch, with nothing sent (no default grade). */
export const IDLE_MS = 60_000
/** Repeated taps within this window count once (the vendor pad's rule). */
export const TAP_WINDOW_MS = 10_000
/** The thank-you screen's time before idle. */
export const THANKS_MS = 4_000
/** While the stream is down the pad reads GET /pad this often. */
export const POLL_MS = 5_000

/**
 * One counted tap per key per [`TAP_WINDOW_MS`]: the first is let through, the rest inside the
 * window are swallowed (a shaky finger, a child drumming on the pad).
 */
export class TapGate {
  private last = new Map<string, number>()
  private readonly windowMs: number
  constructor(windowMs = TAP_WINDOW_MS) {
    this.windowMs = windowMs
  }

  pass(key: string, now: number): boolean {
    const at = this.last.get(key)
    if (at !== undefined && now - at < this.windowMs) return false
    // Forget old taps so the map stays small on a pad that runs for months.
    for (const [k, t] of this.last) if (now - t >= this.windowMs) this.last.delete(k)
    this.last.set(key, now)
    return true
  }

  /** Lets the key's next tap through (the pad's 返回 to the grades). */
  forget(key: string): void {
    this.last.delete(key)
  }
}

export interface QueuedRating {
  input: RatingInput
  /** When the tap was made (ms since the epoch), for the page's "saved, will be sent" note. */
  at: number
}

export type SendOutcome = 'stored' | 'duplicate' | 'network' | 'refused'

const QUEUE_KEY = 'hallkeeper.pad.queue'

/**
 * Ratings waiting to reach the server, in localStorage so a reload or a power cut keeps them.
 * One per ticket: the pad rates a ticket once, so a second entry for the same ticket is the
 * same tap counted again and is dropped.
 */
export class RatingQueue {
  private readonly store: KeyValueStore
  constructor(store: KeyValueStore) {
    this.store = store
  }

  items(): QueuedRating[] {
    try {
      const v = JSON.parse(this.store.getItem(QUEUE_KEY) ?? '[]') as QueuedRating[]
      return Array.isArray(v) ? v.filter((q) => typeof q?.input?.ticketId === 'string') : []
    } catch {
      return []
    }
  }

  private save(items: QueuedRating[]): void {
    if (items.length === 0) this.store.removeItem(QUEUE_KEY)
    else this.store.setItem(QUEUE_KEY, JSON.stringify(items))
  }

  /** False when the ticket already has a queued rating. */
  add(input: RatingInput, at: number): boolean {
    const items = this.items()
    if (items.some((q) => q.input.ticketId === input.ticketId)) return false
    this.save([...items, { input, at }])
    return true
  }

  has(ticketId: string): boolean {
    return this.items().some((q) => q.input.ticketId === ticketId)
  }

  /**
   * Sends the queue in order. Stored and duplicate (the server has it already: an earlier try
   * got through and its answer was lost) leave the queue; a refusal (the ticket is gone, say)
   * leaves it too, since sending it again cannot help; the network being away stops the round
   * with the rest kept. Returns what happened to each ticket tried.
   */
  async flush(send: (input: RatingInput) => Promise<SendOutcome>): Promise<Map<string, SendOutcome>> {
    const done = new Map<string, SendOutcome>()
    for (const q of this.items()) {
      const outcome = await send(q.input)
      done.set(q.input.ticketId, outcome)
      if (outcome === 'network') break
      this.save(this.items().filter((i) => i.input.ticketId !== q.input.ticketId))
    }
    return done
  }
}

/**
 * A rating whose reasons the hall has since taken off its list (queued offline, then the list
 * was edited): the grade and the comment still count, so it is sent again with only the
 * reasons the list still has, rather than lost.
 */
export function keepListedReasons(input: RatingInput, listed: readonly string[]): RatingInput {
  return { ...input, reasons: input.reasons.filter((r) => listed.includes(r)) }
}

/** What an answer of `POST /pad/ratings` means for the queue. */
export function outcomeOf(status: number, code: string | null): SendOutcome {
  if (status >= 200 && status < 300) return 'stored'
  if (status === 409 && code === 'rating.duplicate') return 'duplicate'
  // No answer, or a server or proxy error: the rating may still go through later.
  if (status === 0 || status >= 500 || status === 408 || status === 429) return 'network'
  return 'refused'
}

/** 1–5 stars as five glyphs filled and hollow; '' when unknown. */
export function starText(stars: number | null | undefined): string {
  if (stars == null) return ''
  const n = Math.max(0, Math.min(5, Math.round(stars)))
  return '★'.repeat(n) + '☆'.repeat(5 - n)
}

/** The placeholder for a missing photo: a Chinese name's surname, else the first letters. */
export function initials(name: string): string {
  const trimmed = name.trim()
  if (!trimmed) return '?'
  if (/^\p{Script=Han}/u.test(trimmed)) return trimmed.slice(0, 1)
  return trimmed
    .split(/\s+/)
    .slice(0, 2)
    .map((w) => w[0]!.toUpperCase())
    .join('')
}

export type PadScreen = 'idle' | 'rate' | 'reasons' | 'thanks' | 'paused'

/**
 * Which screen the pad shows: a paused window says 暂停服务; a ticket to rate that this pad has
 * not rated, queued or let go (idle time-out) asks for its grade; otherwise idle.
 */
export function screenFor(
  view: { paused: boolean; rateNow: { ticketId: string } | null } | null,
  handled: ReadonlySet<string>,
): 'idle' | 'rate' | 'paused' {
  if (!view) return 'idle'
  if (view.paused) return 'paused'
  if (view.rateNow && !handled.has(view.rateNow.ticketId)) return 'rate'
  return 'idle'
}
