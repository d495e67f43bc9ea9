// The options of a select (ChoiceSelect.vue) as data: what is chosen, what the list shows and the
// data-* attributes the option carries (tests and the option's own markup select on them). The
// choices the app offers in several places (a window, a department) are built here once, so a
// window reads "A03 综合窗口" and carries its number the same way in every dialog.

/** One option of a ChoiceSelect. `item` is the thing behind it, for the option's own markup. */
export interface Choice<T = unknown> {
  value: string | number
  label: string
  /** Attributes of the option's element (`data-number`, `data-code`, `lang`…). */
  attrs?: Record<string, string | number>
  /** The option's own test id, when it is not the select's `option-testid` (an "all" choice). */
  testid?: string
  disabled?: boolean
  item?: T
}

/** A window as "<number> <name>", carrying its number (`data-number`). */
export function windowChoice<T extends { number: string; name: string }>(id: string, w: T): Choice<T> {
  return { value: id, label: `${w.number} ${w.name}`, attrs: { 'data-number': w.number }, item: w }
}

/** Windows (with an `id`) as choices, in their order. */
export function windowChoices<T extends { id: string; number: string; name: string }>(windows: readonly T[]): Choice<T>[] {
  return windows.map((w) => windowChoice(w.id, w))
}

/** Departments as choices by name, carrying their code (`data-code`). */
export function departmentChoices<T extends { id: string; name: string; code: string }>(
  departments: readonly T[],
): Choice<T>[] {
  return departments.map((d) => ({ value: d.id, label: d.name, attrs: { 'data-code': d.code }, item: d }))
}
