import { describe, expect, it } from 'vitest'
import { ERROR_CODES, isCommandError, toCommandError } from '../../src/api'

describe('isCommandError', () => {
  it('accepts the shell’s {code, message, field} shape, field null or absent', () => {
    expect(isCommandError({ code: 'window.not_found', message: 'gone', field: null })).toBe(true)
    expect(isCommandError({ code: 'window.not_found', message: 'gone' })).toBe(true)
    expect(isCommandError({ code: 'window.number_empty', message: 'empty', field: 'number' })).toBe(true)
  })

  it('refuses anything else', () => {
    expect(isCommandError(null)).toBe(false)
    expect(isCommandError('boom')).toBe(false)
    expect(isCommandError({ code: 1, message: 'x', field: null })).toBe(false)
    expect(isCommandError({ code: 'x.y', field: null })).toBe(false)
    expect(isCommandError({ code: 'x.y', message: 'x', field: 3 })).toBe(false)
  })
})

describe('toCommandError', () => {
  it('keeps a CommandError as it is, with a missing field made null and extra keys dropped', () => {
    expect(toCommandError({ code: 'staff.not_found', message: 'no such staff', field: 'id' })).toEqual({
      code: 'staff.not_found',
      message: 'no such staff',
      field: 'id',
    })
    expect(toCommandError({ code: 'store.busy', message: 'busy', extra: 1 })).toEqual({
      code: 'store.busy',
      message: 'busy',
      field: null,
    })
  })

  it('passes a code the list does not name through unchanged (a relayed server code)', () => {
    expect(toCommandError({ code: 'sms.test_rate_limited', message: '太频繁', field: null }).code).toBe(
      'sms.test_rate_limited',
    )
  })

  it('turns errors, strings and other values into `internal` with their text', () => {
    expect(toCommandError(new Error('IPC gone'))).toEqual({ code: 'internal', message: 'IPC gone', field: null })
    expect(toCommandError('no case is open')).toEqual({ code: 'internal', message: 'no case is open', field: null })
    expect(toCommandError({ reason: 'odd' })).toEqual({ code: 'internal', message: '{"reason":"odd"}', field: null })
    expect(toCommandError(undefined)).toEqual({ code: 'internal', message: 'undefined', field: null })
  })
})

describe('ERROR_CODES', () => {
  it('names each code once, `internal` among them', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length)
    expect(ERROR_CODES).toContain('internal')
    expect(ERROR_CODES).toContain('window.number_empty')
  })
})
