// The hall's clock for both hall boards (the desktop's display window and the browser's
// /display): the hall keeps UTC+8 all year, whatever the machine's zone.
const HALL_OFFSET_MS = 8 * 3600 * 1000
const pad = (n: number) => String(n).padStart(2, '0')

export interface HallClock {
  clock: string
  today: string
  year: number
  month: number
}

export function hallClock(nowMs: number, locale: string): HallClock {
  const d = new Date(nowMs + HALL_OFFSET_MS)
  const date = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
  const weekday = new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone: 'UTC' }).format(d)
  return {
    clock: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
    today: `${date} ${weekday}`,
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
  }
}
