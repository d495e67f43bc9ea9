// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest'
import { h, nextTick, ref } from 'vue'
import ChoiceSelect from '../../src/components/common/ChoiceSelect.vue'
import type { Choice } from '../../src/components/common/choices'
import { mountApp, unmountAfterEach } from './helpers'

unmountAfterEach()

describe('ChoiceSelect', () => {
  it("renders one option per choice with its test id, data attributes and the slot's content", async () => {
    const choices: Choice<{ n: string }>[] = [
      { value: '', label: 'All', testid: 'all' },
      { value: 'w1', label: 'A01 One', attrs: { 'data-number': 'A01' }, item: { n: 'A01' } },
      { value: 'w2', label: 'A02 Two', attrs: { 'data-number': 'A02' }, disabled: true, item: { n: 'A02' } },
    ]
    const value = ref('w1')
    const root = mountApp({
      render: () =>
        h(
          ChoiceSelect,
          {
            choices,
            optionTestid: 'opt',
            modelValue: value.value,
            'onUpdate:modelValue': (v: string) => (value.value = v),
            'data-testid': 'sel',
            teleported: false,
          },
          { option: ({ choice }: { choice: Choice }) => h('b', { class: 'mine' }, String(choice.label)) },
        ),
    })
    await nextTick()
    expect(root.querySelector('[data-testid="sel"]')).not.toBeNull()
    const options = Array.from(document.querySelectorAll('.el-select-dropdown__item'))
    expect(options.map((o) => o.getAttribute('data-testid'))).toEqual(['all', 'opt', 'opt'])
    expect(options.map((o) => o.getAttribute('data-number'))).toEqual([null, 'A01', 'A02'])
    expect(options[1].querySelector('.mine')?.textContent).toBe('A01 One')
    expect(options[2].classList.contains('is-disabled')).toBe(true)
  })
})
