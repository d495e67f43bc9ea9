import { describe, expect, it, vi } from 'vitest'

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }))
vi.mock('@tauri-apps/api/event', () => ({ listen: vi.fn(async () => () => undefined) }))
import { invoke } from '@tauri-apps/api/core'
import type { SessionStatus } from '../../src/api'
import { useSessionStore } from '../../src/stores/session'
import { answer, callsOf, freshStoresEach } from './helpers'

const invokeMock = vi.mocked(invoke)
freshStoresEach(invokeMock)

const signedOut: SessionStatus = {
  person: null,
  capabilities: [],
  offline: false,
  locked: false,
  lockMinutes: 15,
  ended: null,
}

const supervisor: SessionStatus = {
  ...signedOut,
  person: {
    accountId: 'a2',
    login: 'jiandu',
    displayName: '监督员乙',
    grants: [{ hallId: 'local', role: 'supervisor' }],
    mustChangePassword: false,
  },
  capabilities: ['hall.read', 'dashboard.read', 'audit.read'],
}

describe('session store', () => {
  it('knows whether the first run is due before it says who is signed in', async () => {
    const order: string[] = []
    answer(invokeMock, {
      session_status: () => (order.push('status'), signedOut),
      first_run_status: () => (order.push('first-run'), { needed: true, starting: false }),
    })
    const session = useSessionStore()
    const loading = session.load()
    await loading
    expect(order).toEqual(['status', 'first-run'])
    expect(session.firstRun?.needed).toBe(true)
    expect(session.signedIn).toBe(false)
  })

  it('asks again while the embedded server is starting', async () => {
    let asked = 0
    answer(invokeMock, {
      session_status: () => signedOut,
      first_run_status: () => ({ needed: false, starting: ++asked < 3 }),
    })
    const session = useSessionStore()
    await session.load()
    expect(callsOf(invokeMock, 'first_run_status')).toBe(3)
    expect(session.firstRun).toEqual({ needed: false, starting: false })
  })

  it("offers only what the person's capabilities allow, and a refusal reaches the caller", async () => {
    answer(invokeMock, {
      sign_in: ({ password }) => {
        if (password !== 'right-password-2026')
          throw { code: 'session.wrong_credentials', message: '登录名或密码不正确', field: 'password' }
        return supervisor
      },
    })
    const session = useSessionStore()
    await expect(session.signIn('jiandu', 'wrong')).rejects.toMatchObject({ field: 'password' })
    expect(session.signedIn).toBe(false)
    await session.signIn('jiandu', 'right-password-2026')
    expect(session.person?.displayName).toBe('监督员乙')
    expect(session.can('hall.read')).toBe(true)
    expect(session.can('windows.edit')).toBe(false)
  })
})
