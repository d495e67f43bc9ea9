import { describe, expect, it } from 'vitest'
import { useFieldErrors } from '../../src/utils/fieldErrors'
import { refusal } from './helpers'

describe('useFieldErrors', () => {
  it('shows a refusal under the field it names when the form has that field', () => {
    const { errors, showAtField } = useFieldErrors()
    errors.value = { zone: 'stale message' }
    expect(showAtField(refusal('window.number_taken', 'taken', 'number'), ['number', 'name'])).toBe(true)
    // One refusal at a time: the earlier messages go.
    expect(errors.value).toEqual({ number: 'taken' })
  })

  it('leaves a refusal without a field, or naming a field the form lacks, to the caller', () => {
    const { errors, showAtField } = useFieldErrors()
    expect(showAtField(refusal('internal', 'boom'), ['number'])).toBe(false)
    expect(showAtField(refusal('x.y', 'other', 'zone'), ['number'])).toBe(false)
    expect(errors.value).toEqual({})
  })

  it('clears one field and keeps the others, replacing the object so watchers see it', () => {
    const { errors, clearError } = useFieldErrors()
    errors.value = { number: 'a', name: 'b' }
    const before = errors.value
    clearError('number')
    expect(errors.value).toEqual({ name: 'b' })
    expect(errors.value).not.toBe(before)
    const after = errors.value
    clearError('zone')
    expect(errors.value).toBe(after)
  })
})
