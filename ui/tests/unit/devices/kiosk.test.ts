import { describe, expect, it, vi } from 'vitest'
import type { KioskDepartment } from '../../../src/api/types.gen'
import {
  IdleTimer,
  initialsOf,
  maskPhone,
  refusalOf,
  search,
  searchIndex,
  topMatters,
  typeKey,
  validMobile,
  CODE_ALPHABET,
} from '../../../src/devices/kiosk/logic'
import { codeFrom, forgetPaired, loadPaired, pageOf, savePaired } from '../../../src/devices/pairing'
import { deviceMessages } from '../../../src/devices/messages'

const m = (id: string, name: string, waiting = 0) => ({ id, name, ticketPrefix: 'A', waiting })
const departments: KioskDepartment[] = [
  { id: 'd1', name: '出入境', matters: [m('passport', '护照', 3), m('hk', '港澳通行证'), m('hz-long', '护照加注')] },
  { id: 'd2', name: '社保', matters: [m('card', '社保卡补办', 5), m('retire', '退休审批')] },
]

describe('pinyin initials and search', () => {
  it('gives the initials of a name', () => {
    expect(initialsOf('护照')).toBe('hz')
    expect(initialsOf('社保卡补办')).toBe('sbkbb')
    expect(initialsOf('A类证明')).toBe('alzm')
  })

  it('finds 护照 by "hz", first, before longer names with the same initials', () => {
    const hits = search(searchIndex(departments), 'hz')
    expect(hits.map((h) => h.matter.id)).toEqual(['passport', 'hz-long'])
    expect(hits[0]!.departmentName).toBe('出入境')
  })

  it('ignores case and spaces, and finds by hanzi', () => {
    const index = searchIndex(departments)
    expect(search(index, ' HZ ').map((h) => h.matter.id)[0]).toBe('passport')
    expect(search(index, '社保').map((h) => h.matter.id)).toEqual(['card'])
    expect(search(index, '通行').map((h) => h.matter.id)).toEqual(['hk'])
    expect(search(index, '')).toEqual([])
    expect(search(index, 'xyz')).toEqual([])
  })

  it('resolves the top matter ids, dropping unknown ones', () => {
    expect(topMatters(departments, ['card', 'gone', 'passport']).map((x) => x.name)).toEqual(['社保卡补办', '护照'])
  })
})

describe('idle timer', () => {
  it('goes home 60 s after the last touch, and a touch restarts it', () => {
    vi.useFakeTimers()
    const home = vi.fn()
    const t = new IdleTimer(60_000, home)
    t.poke()
    vi.advanceTimersByTime(59_000)
    t.poke()
    vi.advanceTimersByTime(59_000)
    expect(home).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1_000)
    expect(home).toHaveBeenCalledTimes(1)
    expect(t.running).toBe(false)
    t.poke()
    t.stop()
    vi.advanceTimersByTime(120_000)
    expect(home).toHaveBeenCalledTimes(1)
    vi.useRealTimers()
  })
})

describe('refusals', () => {
  it('maps the server codes to what the kiosk says', () => {
    expect(refusalOf('queue.no_open_window', true)).toBe('noOpenWindow')
    expect(refusalOf('queue.no_open_window', false)).toBe('hallClosed')
    expect(refusalOf('queue.no_window', true)).toBe('noWindow')
    expect(refusalOf('queue.matter_retired', true)).toBe('retired')
    expect(refusalOf('queue.unknown_matter', true)).toBe('unknownMatter')
    expect(refusalOf('ticket.phone_invalid', true)).toBe('phoneInvalid')
    expect(refusalOf('appointment.not_found', true)).toBe('codeNotFound')
    expect(refusalOf('appointment.too_early', true)).toBe('tooEarly')
    expect(refusalOf('appointment.no_show', true)).toBe('tooLate')
    expect(refusalOf('hall.not_configured', true)).toBe('notConfigured')
    expect(refusalOf(null, true)).toBe('network')
    expect(refusalOf('storage.unavailable', true)).toBe('other')
  })

  it('has a sentence for every refusal in both languages, with the same keys everywhere', () => {
    const keys = (o: object, p = ''): string[] =>
      Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? keys(v, `${p}${k}.`) : [`${p}${k}`]))
    expect(keys(deviceMessages['en-US'])).toEqual(keys(deviceMessages['zh-CN']))
    for (const r of ['hallClosed', 'noOpenWindow', 'noWindow', 'retired', 'network'] as const) {
      expect(deviceMessages['zh-CN'].refusal[r]).toMatch(/导办台|办公时间/)
    }
  })
})

describe('phone and keypads', () => {
  it('masks the middle four digits while typing', () => {
    expect(maskPhone('')).toBe('')
    expect(maskPhone('138')).toBe('138')
    expect(maskPhone('13812')).toBe('138 ••')
    expect(maskPhone('13812345678')).toBe('138 •••• 5678')
  })

  it('checks mainland mobile numbers as the server does', () => {
    expect(validMobile('13812345678')).toBe(true)
    expect(validMobile('12812345678')).toBe(false)
    expect(validMobile('1381234567')).toBe(false)
  })

  it('types only allowed keys, up to the length', () => {
    let v = ''
    for (const k of '13812345678999') v = typeKey(v, k, '0123456789', 11)
    expect(v).toBe('13812345678')
    expect(typeKey(v, 'back', '0123456789', 11)).toBe('1381234567')
    expect(typeKey(v, 'clear', '0123456789', 11)).toBe('')
    expect(typeKey('', 'O', CODE_ALPHABET, 8)).toBe('')
    expect(typeKey('', 'K', CODE_ALPHABET, 8)).toBe('K')
  })
})

describe('pairing', () => {
  const store = () => {
    const map = new Map<string, string>()
    return {
      getItem: (k: string) => map.get(k) ?? null,
      setItem: (k: string, v: string) => void map.set(k, v),
      removeItem: (k: string) => void map.delete(k),
    }
  }
  const device = (kind: 'kiosk' | 'caller') => ({
    id: 'x', hallId: 'h', kind, name: '1号取号机', windowId: null, createdAt: '', revokedAt: null, lastSeenAt: null,
  })

  it('reads the code from ?code= and from the desktop QR text', () => {
    expect(codeFrom('http://h:8720/kiosk?code=28122886')).toBe('28122886')
    expect(codeFrom('hallkeeper-pair:http://10.20.0.5:8720?code=28122886')).toBe('28122886')
    expect(codeFrom('http://h/kiosk?code=123')).toBeNull()
    expect(codeFrom('http://h/kiosk')).toBeNull()
  })

  it('keeps a token per page and only for the page’s kind', () => {
    const s = store()
    savePaired(s, 'kiosk', { token: 'hk_1', device: device('kiosk') })
    expect(loadPaired(s, 'kiosk')?.token).toBe('hk_1')
    expect(loadPaired(s, 'terminal')).toBeNull()
    savePaired(s, 'terminal', { token: 'hk_2', device: device('kiosk') })
    expect(loadPaired(s, 'terminal')).toBeNull()
    forgetPaired(s, 'kiosk')
    expect(loadPaired(s, 'kiosk')).toBeNull()
  })

  it('names the page from the path', () => {
    expect(pageOf('/kiosk')).toBe('kiosk')
    expect(pageOf('/pad/')).toBe('pad')
    expect(pageOf('/q/abc')).toBe('follow')
    expect(pageOf('/nothing')).toBeNull()
  })
})
