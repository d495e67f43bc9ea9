import { defineStore } from 'pinia'
import { computed, ref, watch } from 'vue'
import * as api from '../api'
import type { CommandError, SmsBudget, SmsRule, SmsRuleSet, SmsServiceStatus } from '../api'

/** What a hall starts from: no rules, no quiet hours, at most 3 messages a citizen a day. */
export const DEFAULT_RULE_SET: SmsRuleSet = { rules: [], quietHours: null, dailyCapPerCitizen: 3 }

const clone = (rs: SmsRuleSet): SmsRuleSet => JSON.parse(JSON.stringify(rs)) as SmsRuleSet

/**
 * The hall's SMS rules as edited on the rules tab: the saved set and a draft. Rules are edited in
 * the draft (dialog, switches, quiet hours, cap); "save" sends the whole draft, which the shell
 * validates and then puts to the server with the hall configuration.
 */
export const useSmsStore = defineStore('sms', () => {
  const saved = ref<SmsRuleSet | null>(null)
  const draft = ref<SmsRuleSet>(clone(DEFAULT_RULE_SET))
  const status = ref<'loading' | 'ready' | 'error'>('loading')
  const loadError = ref<CommandError | null>(null)
  const saving = ref(false)
  const saveError = ref<CommandError | null>(null)
  const budget = ref<SmsBudget | null>(null)
  const service = ref<SmsServiceStatus | null>(null)
  const serviceError = ref<CommandError | null>(null)

  const dirty = computed(
    () => JSON.stringify(draft.value) !== JSON.stringify(saved.value ?? DEFAULT_RULE_SET),
  )
  /** The rule a save refusal points at (`rules[2].template` → 2). */
  const errorRuleIndex = computed(() => {
    const m = /^rules\[(\d+)\]/.exec(saveError.value?.field ?? '')
    return m ? Number(m[1]) : null
  })

  async function load(): Promise<void> {
    status.value = 'loading'
    try {
      const rs = await api.getSmsRules()
      saved.value = rs
      draft.value = clone(rs ?? DEFAULT_RULE_SET)
      saveError.value = null
      status.value = 'ready'
    } catch (e) {
      loadError.value = api.toCommandError(e)
      status.value = 'error'
    }
  }

  async function save(): Promise<SmsRuleSet> {
    saving.value = true
    try {
      const rs = await api.setSmsRules(draft.value)
      saved.value = rs
      draft.value = clone(rs)
      saveError.value = null
      void loadService()
      return rs
    } catch (e) {
      saveError.value = api.toCommandError(e)
      throw saveError.value
    } finally {
      saving.value = false
    }
  }

  function discard() {
    draft.value = clone(saved.value ?? DEFAULT_RULE_SET)
    saveError.value = null
  }

  function putRule(rule: SmsRule, index: number | null) {
    if (index === null) draft.value.rules.push(rule)
    else draft.value.rules.splice(index, 1, rule)
    saveError.value = null
  }

  function removeRule(index: number) {
    draft.value.rules.splice(index, 1)
    saveError.value = null
  }

  async function loadService(): Promise<void> {
    try {
      service.value = await api.smsStatus()
      serviceError.value = null
    } catch (e) {
      service.value = null
      serviceError.value = api.toCommandError(e)
    }
  }

  // The budget follows the draft: it is what the rules *would* send once saved.
  let budgetSeq = 0
  watch(
    draft,
    async (rs) => {
      const seq = ++budgetSeq
      try {
        const b = await api.smsBudget(rs)
        if (seq === budgetSeq) budget.value = b
      } catch {
        if (seq === budgetSeq) budget.value = null
      }
    },
    { deep: true, immediate: true },
  )

  const ruleName = (id: string): string | null => {
    const r = (saved.value?.rules ?? []).find((x) => x.id === id) ?? draft.value.rules.find((x) => x.id === id)
    return r ? r.name : null
  }

  return {
    saved,
    draft,
    status,
    loadError,
    saving,
    saveError,
    errorRuleIndex,
    budget,
    service,
    serviceError,
    dirty,
    load,
    save,
    discard,
    putRule,
    removeRule,
    loadService,
    ruleName,
  }
})
