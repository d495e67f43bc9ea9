import { describe, expect, it } from 'vitest'
import { departmentChoices, windowChoice, windowChoices } from '../../src/components/common/choices'
import { hallWindow } from './helpers'

describe('choices', () => {
  it('shows a window as "number name" and carries its number', () => {
    const w = hallWindow('w1', 2, { name: '综合窗口' })
    expect(windowChoice('w1', w)).toEqual({ value: 'w1', label: 'A03 综合窗口', attrs: { 'data-number': 'A03' }, item: w })
  })

  it('keeps the windows in their order', () => {
    const list = [hallWindow('b', 1), hallWindow('a', 0)]
    expect(windowChoices(list).map((c) => c.value)).toEqual(['b', 'a'])
  })

  it('shows a department by name and carries its code', () => {
    const d = { id: 'd1', name: '税务局', code: 'SW' }
    expect(departmentChoices([d])).toEqual([{ value: 'd1', label: '税务局', attrs: { 'data-code': 'SW' }, item: d }])
  })
})
