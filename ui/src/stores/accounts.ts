import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import * as api from '../api'
import type { Account, CommandError, HallRole, Role } from '../api'
import { keepShown, type LoadStatus } from './requests'

/** The roles, the most powerful first (hallkeeper_access's order). */
export const ROLE_ORDER: Role[] = ['system_admin', 'hall_admin', 'shift_lead', 'supervisor', 'window_staff']
/** What a hall's page grants: 系统管理员 is server-wide and made only on the server. */
export const HALL_ROLES: Role[] = ROLE_ORDER.slice(1)

const rank = (r: Role) => ROLE_ORDER.length - ROLE_ORDER.indexOf(r)

/**
 * The roles the signed-in person may give here: none without accounts.manage, otherwise the
 * hall roles up to their own highest. Only what the picker offers — the server decides
 * (`access.grant_forbidden`).
 */
export function grantableRoles(grants: HallRole[], mayManage: boolean): Role[] {
  if (!mayManage || grants.length === 0) return []
  const best = Math.max(...grants.map((g) => rank(g.role)))
  return HALL_ROLES.filter((r) => rank(r) <= best)
}

/** An account's role in `hallId`: 系统管理员 above all, else the grant naming the hall. */
export function roleIn(a: Account, hallId: string): Role | null {
  if (a.grants.some((g) => g.role === 'system_admin')) return 'system_admin'
  const here = a.grants.filter((g) => g.hallId === hallId).map((g) => g.role)
  return here.sort((x, y) => rank(y) - rank(x))[0] ?? null
}

/** The password policy as the page shows it (the server's check_new_password decides). */
export const PASSWORD_MIN_CHARS = 10

/**
 * The hall's accounts (人员与权限) as the central server lists them. Each write answers the
 * account as the server now has it, and the row is replaced with that.
 */
export const useAccountsStore = defineStore('accounts', () => {
  const items = ref<Account[]>([])
  const hallId = ref('')
  const status = ref<LoadStatus>('idle')
  const loadError = ref<CommandError | null>(null)

  /** Active first, then by login. */
  const listed = computed(() =>
    items.value.slice().sort((a, b) => Number(!a.active) - Number(!b.active) || a.login.localeCompare(b.login)),
  )
  const activeCount = computed(() => items.value.filter((a) => a.active).length)

  const load = keepShown(status, loadError, async () => {
    const answer = await api.listAccounts()
    hallId.value = answer.hallId
    items.value = answer.accounts
  })

  function put(a: Account) {
    const i = items.value.findIndex((x) => x.id === a.id)
    if (i >= 0) items.value.splice(i, 1, a)
    else items.value = [...items.value, a]
  }

  async function create(input: {
    login: string
    displayName: string
    staffId: string | null
    role: Role
    password: string
  }): Promise<Account> {
    const a = await api.createAccount({
      login: input.login.trim(),
      displayName: input.displayName.trim(),
      staffId: input.staffId || null,
      role: input.role,
      // A password is taken as typed: spaces are characters.
      password: input.password,
    })
    put(a)
    return a
  }

  async function setRole(accountId: string, role: Role): Promise<Account> {
    const a = await api.updateAccount(accountId, { role })
    put(a)
    return a
  }

  async function setActive(accountId: string, active: boolean): Promise<Account> {
    const a = await api.updateAccount(accountId, { active })
    put(a)
    return a
  }

  /** Links the staff record (工号), or unlinks with null. */
  async function setStaff(accountId: string, staffId: string | null): Promise<Account> {
    const a = await api.updateAccount(accountId, { staffId: staffId ?? '' })
    put(a)
    return a
  }

  /** The server sets mustChangePassword; the list is read again so the row shows it. */
  async function resetPassword(accountId: string, password: string): Promise<void> {
    await api.resetAccountPassword(accountId, password)
    await load()
  }

  const roleOf = (a: Account) => roleIn(a, hallId.value)

  return { items, hallId, status, loadError, listed, activeCount, load, create, setRole, setActive, setStaff, resetPassword, roleOf }
})
