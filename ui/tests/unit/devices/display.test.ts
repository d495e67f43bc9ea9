import { describe, expect, it } from 'vitest'
import { Announcer, FLASH_MS, MAX_BACKLOG, flashing, repeatSetting } from '../../../src/devices/display/logic'

class MemoryStore {
  map = new Map<string, string>()
  getItem(k: string) {
    return this.map.get(k) ?? null
  }
  setItem(k: string, v: string) {
    this.map.set(k, v)
  }
  removeItem(k: string) {
    this.map.delete(k)
  }
}

const c = (seq: number, recall = false) => ({ seq, recall })
/** Speaks everything pending, one at a time, as the page's player does. */
function speakAll(a: Announcer): number[] {
  const spoken: number[] = []
  for (let next = a.next(); next; next = a.next()) {
    spoken.push(next.seq)
    a.done(next.seq)
  }
  return spoken
}

describe('announcements', () => {
  it('speaks nothing made before the display first ran, then each new call once in order', () => {
    const a = new Announcer(new MemoryStore())
    a.offer([c(5), c(4)])
    expect(a.next()).toBeNull()
    a.offer([c(7), c(6, true), c(5)])
    expect(speakAll(a)).toEqual([6, 7])
    a.offer([c(7), c(6), c(5)])
    expect(speakAll(a)).toEqual([])
  })

  it('a first feed without calls speaks the first call made after it', () => {
    const a = new Announcer(new MemoryStore())
    a.offer([])
    a.offer([c(20261125000001)])
    expect(speakAll(a)).toEqual([20261125000001])
  })

  it('does not announce again after a reconnect or a reload', () => {
    const store = new MemoryStore()
    const a = new Announcer(store)
    a.offer([])
    a.offer([c(1), c(2)])
    expect(a.next()?.seq).toBe(1)
    a.done(1)
    // The page reloads while 2 is pending: 1 is remembered, 2 is spoken, once.
    const b = new Announcer(store)
    b.offer([c(2), c(1)])
    b.offer([c(2), c(1)]) // the stream's first event after reconnecting reads the same feed again
    expect(speakAll(b)).toEqual([2])
    const again = new Announcer(store)
    again.offer([c(2), c(1)])
    expect(speakAll(again)).toEqual([])
  })

  it('holds the next call until the one playing is done', () => {
    const a = new Announcer(new MemoryStore())
    a.offer([])
    a.offer([c(3), c(2)])
    expect(a.next()?.seq).toBe(2)
    a.offer([c(4), c(3), c(2)])
    expect(a.next()?.seq).toBe(2) // still playing: not skipped, not doubled
    expect(a.waiting).toBe(3)
  })

  it('after an outage speaks only the newest few of the missed calls', () => {
    const a = new Announcer(new MemoryStore())
    a.offer([])
    a.offer([1, 2, 3, 4, 5, 6].map((s) => c(s)))
    expect(speakAll(a)).toEqual([4, 5, 6].slice(-MAX_BACKLOG))
    expect(a.mark()).toBe(6)
  })

  it('reads a broken mark as never run', () => {
    const store = new MemoryStore()
    store.setItem('hallkeeper.display.announced', 'x')
    expect(new Announcer(store).mark()).toBeNull()
  })
})

describe('display settings', () => {
  it('keeps the repeat count of 1–3 given in the address', () => {
    const store = new MemoryStore()
    expect(repeatSetting('', store)).toBe(1)
    expect(repeatSetting('?repeat=3', store)).toBe(3)
    expect(repeatSetting('', store)).toBe(3)
    expect(repeatSetting('?repeat=4', store)).toBe(3)
    expect(repeatSetting('?repeat=2&lang=en-US', store)).toBe(2)
  })

  it('flashes the newest call for a while after it arrived', () => {
    expect(flashing(9, 1000, 1000 + FLASH_MS - 1)).toBe(9)
    expect(flashing(9, 1000, 1000 + FLASH_MS)).toBeNull()
    expect(flashing(9, null, 1000)).toBeNull()
    expect(flashing(null, 1000, 1000)).toBeNull()
  })
})
