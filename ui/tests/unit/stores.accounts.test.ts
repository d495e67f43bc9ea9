import { describe, expect, it, vi } from 'vitest'

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }))
import { invoke } from '@tauri-apps/api/core'
import type { Account } from '../../src/api'
import { grantableRoles, roleIn, useAccountsStore } from '../../src/stores/accounts'
import { answer, callsOf, expectKeptOnRefusedReload, freshStoresEach, refuses } from './helpers'

const invokeMock = vi.mocked(invoke)
freshStoresEach(invokeMock)

function account(id: string, over: Partial<Account> = {}): Account {
  return {
    id,
    login: id,
    displayName: `${id} 名字`,
    staffId: null,
    grants: [{ hallId: 'h1', role: 'supervisor' }],
    active: true,
    mustChangePassword: false,
    ...over,
  }
}

describe('accounts store', () => {
  it('lists the hall’s accounts, active first, and keeps them on screen when a reload fails', async () => {
    answer(invokeMock, {
      list_accounts: () => ({ hallId: 'h1', accounts: [account('zhao', { active: false }), account('wang'), account('li')] }),
    })
    const store = useAccountsStore()
    await store.load()
    expect(store.status).toBe('ready')
    expect(store.hallId).toBe('h1')
    expect(store.listed.map((a) => a.id)).toEqual(['li', 'wang', 'zhao'])
    expect(store.activeCount).toBe(2)
    await expectKeptOnRefusedReload(invokeMock, store, 'list_accounts', 3)
  })

  it('is in error when the first load fails', async () => {
    answer(invokeMock, {
      list_accounts: refuses('access.forbidden', '需要 accounts.manage'),
    })
    const store = useAccountsStore()
    await store.load()
    expect(store.status).toBe('error')
    expect(store.items).toEqual([])
  })

  it('creates an account with a trimmed login and name, the password as typed', async () => {
    const sent: Record<string, unknown>[] = []
    answer(invokeMock, {
      create_account: (args) => {
        sent.push(args)
        return account('chen', { grants: [{ hallId: 'h1', role: 'shift_lead' }], mustChangePassword: true })
      },
    })
    const store = useAccountsStore()
    const a = await store.create({ login: ' Chen ', displayName: ' 陈值班 ', staffId: '', role: 'shift_lead', password: ' 长密码 horse staple ' })
    expect(sent[0]).toEqual({ login: 'Chen', displayName: '陈值班', staffId: null, role: 'shift_lead', password: ' 长密码 horse staple ' })
    expect(store.items).toEqual([a])
  })

  it('passes the server’s refusal on at its field, and adds nothing', async () => {
    answer(invokeMock, {
      create_account: refuses('password.common', '这个密码太常见', 'password'),
    })
    const store = useAccountsStore()
    await expect(
      store.create({ login: 'chen', displayName: '陈', staffId: null, role: 'supervisor', password: 'password123' }),
    ).rejects.toMatchObject({ code: 'password.common', field: 'password' })
    expect(store.items).toEqual([])
  })

  it('changes a role, disables, unlinks the staff record, each row replaced by the server’s answer', async () => {
    answer(invokeMock, {
      list_accounts: () => ({ hallId: 'h1', accounts: [account('wang')] }),
      update_account: (args) =>
        account('wang', {
          grants: [{ hallId: 'h1', role: (args.role as Account['grants'][0]['role']) ?? 'supervisor' }],
          active: args.active === undefined ? true : (args.active as boolean),
        }),
    })
    const store = useAccountsStore()
    await store.load()
    await store.setRole('wang', 'shift_lead')
    expect(invokeMock).toHaveBeenLastCalledWith('update_account', { accountId: 'wang', role: 'shift_lead' })
    expect(store.roleOf(store.items[0])).toBe('shift_lead')
    await store.setActive('wang', false)
    expect(invokeMock).toHaveBeenLastCalledWith('update_account', { accountId: 'wang', active: false })
    expect(store.items[0].active).toBe(false)
    expect(store.activeCount).toBe(0)
    await store.setStaff('wang', null)
    expect(invokeMock).toHaveBeenLastCalledWith('update_account', { accountId: 'wang', staffId: '' })
    expect(store.items).toHaveLength(1)
  })

  it('resets a password, then reads the list again so the row shows the forced change', async () => {
    let reset = false
    answer(invokeMock, {
      list_accounts: () => ({ hallId: 'h1', accounts: [account('wang', { mustChangePassword: reset })] }),
      reset_account_password: (args) => {
        expect(args).toEqual({ accountId: 'wang', password: 'Temp-2026-Hall' })
        reset = true
      },
    })
    const store = useAccountsStore()
    await store.load()
    await store.resetPassword('wang', 'Temp-2026-Hall')
    expect(callsOf(invokeMock, 'list_accounts')).toBe(2)
    expect(store.items[0].mustChangePassword).toBe(true)
  })
})

describe('roles', () => {
  it('offers the hall roles up to one’s own, none without accounts.manage', () => {
    expect(grantableRoles([{ hallId: null, role: 'system_admin' }], true)).toEqual(['hall_admin', 'shift_lead', 'supervisor', 'window_staff'])
    expect(grantableRoles([{ hallId: 'h1', role: 'hall_admin' }], true)).toEqual(['hall_admin', 'shift_lead', 'supervisor', 'window_staff'])
    expect(grantableRoles([{ hallId: 'h1', role: 'hall_admin' }], false)).toEqual([])
    expect(grantableRoles([{ hallId: 'h1', role: 'shift_lead' }], true)).toEqual(['shift_lead', 'supervisor', 'window_staff'])
    expect(grantableRoles([], true)).toEqual([])
  })

  it('reads the role in this hall, 系统管理员 above all', () => {
    const a = account('x', { grants: [{ hallId: 'h2', role: 'hall_admin' }, { hallId: 'h1', role: 'window_staff' }] })
    expect(roleIn(a, 'h1')).toBe('window_staff')
    expect(roleIn(a, 'h3')).toBeNull()
    expect(roleIn(account('root', { grants: [{ hallId: null, role: 'system_admin' }] }), 'h1')).toBe('system_admin')
  })
})
