import { describe, expect, it } from 'vitest'
import type { RatingInput } from '../../../src/api/types.gen'
import {
  keepListedReasons,
  IDLE_MS,
  LEVELS,
  RatingQueue,
  TapGate,
  initials,
  needsReasons,
  outcomeOf,
  screenFor,
  starText,
  type SendOutcome,
} from '../../../src/devices/pad/logic'
import { IdleTimer } from '../../../src/devices/idle'
import { SseParser, backoffMs } from '../../../src/devices/stream'

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

const rating = (ticketId: string, level: RatingInput['level'] = 'satisfied'): RatingInput => ({
  ticketId,
  level,
  reasons: [],
  comment: '',
})

describe('grades', () => {
  it('offers five, best first, and the bottom two ask for reasons', () => {
    expect(LEVELS).toEqual(['very_satisfied', 'satisfied', 'neutral', 'dissatisfied', 'very_dissatisfied'])
    expect(LEVELS.filter(needsReasons)).toEqual(['dissatisfied', 'very_dissatisfied'])
  })
})

describe('double tap', () => {
  it('counts repeated taps within 10 s once, and again after', () => {
    const gate = new TapGate()
    expect(gate.pass('t1', 1_000)).toBe(true)
    expect(gate.pass('t1', 1_050)).toBe(false)
    expect(gate.pass('t1', 10_999)).toBe(false)
    expect(gate.pass('t2', 1_100)).toBe(true) // another ticket is its own tap
    expect(gate.pass('t1', 11_000)).toBe(true)
  })

  it('lets the next tap through when forgotten (back to the grades)', () => {
    const gate = new TapGate()
    expect(gate.pass('k', 0)).toBe(true)
    gate.forget('k')
    expect(gate.pass('k', 10)).toBe(true)
  })
})

describe('offline queue', () => {
  it('keeps a rating while the network is away and sends it exactly once when it returns', async () => {
    const store = new MemoryStore()
    const queue = new RatingQueue(store)
    expect(queue.add(rating('t1', 'dissatisfied'), 5)).toBe(true)
    expect(queue.add(rating('t1', 'very_satisfied'), 6)).toBe(false) // one per ticket
    const sent: string[] = []
    let online = false
    const send = async (r: RatingInput): Promise<SendOutcome> => {
      if (!online) return 'network'
      sent.push(`${r.ticketId}:${r.level}`)
      return 'stored'
    }
    expect((await queue.flush(send)).get('t1')).toBe('network')
    expect(queue.has('t1')).toBe(true)
    // A reload: the queue is in storage, not in the page.
    const again = new RatingQueue(store)
    expect(again.items().map((q) => q.input.level)).toEqual(['dissatisfied'])
    online = true
    await again.flush(send)
    await again.flush(send)
    expect(sent).toEqual(['t1:dissatisfied'])
    expect(store.map.size).toBe(0)
  })

  it('treats the server’s duplicate answer as delivered and stops a round at the first network failure', async () => {
    const queue = new RatingQueue(new MemoryStore())
    queue.add(rating('a'), 1)
    queue.add(rating('b'), 2)
    queue.add(rating('c'), 3)
    const answers: Record<string, SendOutcome> = { a: 'duplicate', b: 'network', c: 'stored' }
    const tried: string[] = []
    const done = await queue.flush(async (r) => {
      tried.push(r.ticketId)
      return answers[r.ticketId]!
    })
    expect(tried).toEqual(['a', 'b'])
    expect(done.get('a')).toBe('duplicate')
    expect(queue.items().map((q) => q.input.ticketId)).toEqual(['b', 'c'])
  })

  it('reads a broken store as empty', () => {
    const store = new MemoryStore()
    store.setItem('hallkeeper.pad.queue', '{not json')
    expect(new RatingQueue(store).items()).toEqual([])
  })

  it('maps the server’s answers', () => {
    expect(outcomeOf(201, null)).toBe('stored')
    expect(outcomeOf(409, 'rating.duplicate')).toBe('duplicate')
    expect(outcomeOf(0, null)).toBe('network')
    expect(outcomeOf(503, 'http.503')).toBe('network')
    expect(outcomeOf(404, 'rating.ticket_not_found')).toBe('refused')
    expect(outcomeOf(409, 'rating.other_window')).toBe('refused')
  })
})

describe('reasons taken off the list', () => {
  it('keeps the grade and the comment and only the reasons the list still has', () => {
    const input: RatingInput = { ticketId: 't1', level: 'dissatisfied', reasons: ['等候时间长', '旧标签'], comment: '太慢' }
    expect(keepListedReasons(input, ['等候时间长', '服务态度差'])).toEqual({ ...input, reasons: ['等候时间长'] })
    expect(keepListedReasons(input, []).reasons).toEqual([])
  })
})

describe('idle', () => {
  it('goes back to idle after 60 s without a touch, a touch restarting the count', () => {
    let now = 0
    const due: { at: number; f: () => void }[] = []
    const timers = {
      set: (f: () => void, ms: number) => {
        const entry = { at: now + ms, f }
        due.push(entry)
        return entry as unknown as ReturnType<typeof setTimeout>
      },
      clear: (h: ReturnType<typeof setTimeout>) => {
        const i = due.indexOf(h as unknown as (typeof due)[number])
        if (i >= 0) due.splice(i, 1)
      },
    }
    const advance = (ms: number) => {
      now += ms
      for (const e of due.filter((d) => d.at <= now)) {
        due.splice(due.indexOf(e), 1)
        e.f()
      }
    }
    let idled = 0
    const idle = new IdleTimer(IDLE_MS, () => idled++, timers)
    idle.poke()
    advance(59_000)
    idle.poke() // a touch at 59 s
    advance(59_000)
    expect(idled).toBe(0)
    advance(1_000)
    expect(idled).toBe(1)
  })

  it('shows paused over everything, then a ticket not handled, else idle', () => {
    const v = (paused: boolean, id: string | null) => ({ paused, rateNow: id ? { ticketId: id } : null })
    expect(screenFor(null, new Set())).toBe('idle')
    expect(screenFor(v(true, 't1'), new Set())).toBe('paused')
    expect(screenFor(v(false, 't1'), new Set())).toBe('rate')
    expect(screenFor(v(false, 't1'), new Set(['t1']))).toBe('idle') // rated, queued or timed out
    expect(screenFor(v(false, null), new Set())).toBe('idle')
  })
})

describe('idle screen', () => {
  it('draws stars and the photo placeholder', () => {
    expect(starText(4)).toBe('★★★★☆')
    expect(starText(null)).toBe('')
    expect(starText(9)).toBe('★★★★★')
    expect(initials('张敏')).toBe('张')
    expect(initials('li qiang')).toBe('LQ')
    expect(initials('  ')).toBe('?')
  })
})

describe('event stream', () => {
  it('parses events split across chunks, skipping keep-alive comments', () => {
    const p = new SseParser()
    expect(p.push(':\n\nevent: call\nda')).toEqual([])
    expect(p.push('ta: {"type":"call","seq":5}\n\nevent: rate_now\r\ndata: {}\r\n\r\n')).toEqual([
      { event: 'call', data: '{"type":"call","seq":5}' },
      { event: 'rate_now', data: '{}' },
    ])
  })

  it('backs off 1, 2, 4, 8, 15 s', () => {
    expect([0, 1, 2, 3, 4, 9].map(backoffMs)).toEqual([1000, 2000, 4000, 8000, 15000, 15000])
  })
})
