import { describe, expect, it } from 'vitest'
import type { AuditEntry } from '../../src/api'
import { auditDetail } from '../../src/utils/auditDiff'

const entry = (action: string, before: unknown, after: unknown): AuditEntry => ({
  id: 'e1',
  at: '2026-03-01T08:00:00Z',
  actor: 'admin',
  actorId: null,
  action,
  entityType: action.split('.')[0]!,
  entityId: 'w1',
  summary: '',
  before,
  after,
})

describe('auditDetail', () => {
  it('lists only the changed fields, bookkeeping hidden, in the form order then alphabetically', () => {
    const d = auditDetail(
      entry(
        'window.update',
        { id: 'w1', number: 'A01', name: 'Old', zone: 'East', kind: 'general', zz: 1, aa: 1, updatedAt: 'x' },
        { id: 'w1', number: 'A01', name: 'New', zone: 'West', kind: 'general', zz: 2, aa: 2, updatedAt: 'y' },
      ),
    )
    expect(d).toEqual({
      kind: 'fields',
      mode: 'change',
      changes: [
        { field: 'name', before: 'Old', after: 'New' },
        { field: 'zone', before: 'East', after: 'West' },
        { field: 'aa', before: 1, after: 2 },
        { field: 'zz', before: 1, after: 2 },
      ],
    })
  })

  it('calls a record without a before a creation and one without an after a deletion', () => {
    const created = auditDetail(entry('window.create', null, { number: 'A02', state: 'open' }))
    expect(created).toMatchObject({ kind: 'fields', mode: 'create' })
    if (created.kind === 'fields') expect(created.changes.map((c) => c.field)).toEqual(['number', 'state'])
    expect(auditDetail(entry('window.delete', { number: 'A02' }, null))).toMatchObject({ mode: 'delete' })
  })

  it('compares nested values by content, not identity', () => {
    const d = auditDetail(entry('matter.update', { tags: ['a', 'b'] }, { tags: ['a', 'b'] }))
    expect(d).toEqual({ kind: 'fields', mode: 'change', changes: [] })
  })

  it('reads a reorder as window numbers, from ids, records or a wrapped list', () => {
    const numbers: Record<string, string> = { w1: 'A01', w2: 'A02' }
    const d = auditDetail(
      entry('window.reorder', { orderedIds: ['w1', 'w2', 'w9'] }, [{ number: 'A02' }, { id: 'w1' }]),
      (id) => numbers[id],
    )
    // An id this PC no longer knows stays as it is.
    expect(d).toEqual({ kind: 'order', before: ['A01', 'A02', 'w9'], after: ['A02', 'A01'] })
  })

  it('falls back to fields when a reorder carries no list', () => {
    expect(auditDetail(entry('window.reorder', { note: 1 }, { note: 2 }))).toMatchObject({ kind: 'fields' })
  })
})
