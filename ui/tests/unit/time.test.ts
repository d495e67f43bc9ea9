import { describe, expect, it } from 'vitest'
import { formatLocalTime } from '../../src/utils/time'

describe('formatLocalTime', () => {
  it('writes the instant in local time, zero-padded', () => {
    const d = new Date(2026, 0, 5, 7, 3, 9)
    expect(formatLocalTime(d.toISOString())).toBe('2026-01-05 07:03:09')
  })
  it('returns what does not parse unchanged', () => {
    expect(formatLocalTime('not a time')).toBe('not a time')
  })
})
