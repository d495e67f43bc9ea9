import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import * as api from '../api'
import type { CommandError, Department, Roster, Staff } from '../api'
import { keepShown, serial, thenPut, type LoadStatus } from './requests'


const byEmployeeNo = (a: Staff, b: Staff) =>
  a.employeeNo.localeCompare(b.employeeNo, undefined, { numeric: true })

/**
 * The staff page's data: the people, the departments they can belong to, and today's seating.
 * Each part loads on its own, so a failing roster does not hide the staff list (and vice versa).
 * A first load shows the loading state; a reload keeps what is on screen.
 */
export const useStaffStore = defineStore('staff', () => {
  const staff = ref<Staff[]>([])
  const status = ref<LoadStatus>('idle')
  const loadError = ref<CommandError | null>(null)

  const departments = ref<Department[]>([])
  const departmentsError = ref<CommandError | null>(null)

  const roster = ref<Roster | null>(null)
  const rosterStatus = ref<LoadStatus>('idle')
  const rosterError = ref<CommandError | null>(null)

  const staffById = computed(() => new Map(staff.value.map((s) => [s.id, s])))
  const departmentsById = computed(() => new Map(departments.value.map((d) => [d.id, d])))
  /** staffId → windowId of today's seat. */
  const seatOfStaff = computed(() => new Map((roster.value?.seats ?? []).map((s) => [s.staffId, s.windowId])))
  /** windowId → staffId of today's seat. */
  const staffAtWindow = computed(() => new Map((roster.value?.seats ?? []).map((s) => [s.windowId, s.staffId])))


  /** Never throws: a failure is kept in `loadError`. */
  const loadStaff = serial(
    keepShown(status, loadError, async () => {
      staff.value = (await api.listStaff()).slice().sort(byEmployeeNo)
    }),
  )

  /** The catalog's departments, for the department select. Never throws. */
  const loadDepartments = serial(async () => {
    try {
      const catalog = await api.getCatalog()
      departments.value = catalog.departments
      departmentsError.value = null
    } catch (e) {
      departmentsError.value = api.toCommandError(e)
    }
  })

  /** Never throws: a failure is kept in `rosterError`. */
  const loadRoster = serial(
    keepShown(rosterStatus, rosterError, async () => {
      roster.value = await api.getRoster()
    }),
  )

  function load(): Promise<void> {
    return Promise.all([loadStaff(), loadDepartments(), loadRoster()]).then(() => undefined)
  }

  function put(s: Staff) {
    const rest = staff.value.filter((x) => x.id !== s.id)
    staff.value = [...rest, s].sort(byEmployeeNo)
  }

  /** Each answers the item as saved, already in the list. */
  const create = thenPut(api.createStaff, put)
  const update = thenPut(api.updateStaff, put)

  async function remove(id: string): Promise<void> {
    await api.deleteStaff(id)
    staff.value = staff.value.filter((s) => s.id !== id)
    // Deleting someone clears their seat: show it without waiting for the event.
    if (roster.value) {
      roster.value = { ...roster.value, seats: roster.value.seats.filter((s) => s.staffId !== id) }
    }
  }

  /** Seats someone (or nobody) at a window today; the shell moves them if seated elsewhere. */
  async function setSeat(windowId: string, staffId: string | null): Promise<Roster> {
    const r = await api.setSeat({ windowId, staffId })
    roster.value = r
    rosterStatus.value = 'ready'
    rosterError.value = null
    return r
  }

  return {
    staff,
    status,
    loadError,
    departments,
    departmentsError,
    roster,
    rosterStatus,
    rosterError,
    staffById,
    departmentsById,
    seatOfStaff,
    staffAtWindow,
    load,
    loadStaff,
    loadDepartments,
    loadRoster,
    create,
    update,
    remove,
    setSeat,
  }
})
