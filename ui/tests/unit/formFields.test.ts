import { describe, expect, it } from 'vitest'
import { fieldTestid } from '../../src/components/common/formFields'

describe('fieldTestid', () => {
  it('puts the field after the form, in kebab-case', () => {
    expect(fieldTestid('window-form', 'number')).toBe('window-form-number')
    expect(fieldTestid('staff-form', 'employeeNo')).toBe('staff-form-employee-no')
    expect(fieldTestid('x', 'aBigName')).toBe('x-a-big-name')
  })
})
