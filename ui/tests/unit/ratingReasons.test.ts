// @vitest-environment happy-dom
// The settings card of the rating pad's reason tags: the editor's own checks (the same rules core
// applies on save), and the real card against a stand-in shell — loading, the error state with
// its retry, the empty state, adding and removing chips, and what is saved.
import { describe, expect, it, vi } from 'vitest'

vi.mock('@tauri-apps/api/core', () => ({ invoke: vi.fn() }))
import { invoke } from '@tauri-apps/api/core'
import { i18n } from '../../src/i18n'
import { addTag, removeTag } from '../../src/components/settings/ratingReasons'
import RatingReasonsSettings from '../../src/components/settings/RatingReasonsSettings.vue'
import { answer, callsOf, flush, freshStoresEach, mountApp, refusal, unmountAfterEach } from './helpers'

const mocked = vi.mocked(invoke)
freshStoresEach(mocked)
unmountAfterEach()

describe('addTag / removeTag', () => {
  it('adds a trimmed tag at the end', () => {
    expect(addTag(['等候时间长'], '  态度差 ')).toEqual({ tags: ['等候时间长', '态度差'] })
  })
  it('refuses an empty, a too long, a repeated tag and a thirteenth', () => {
    expect(addTag([], '   ')).toEqual({ problem: 'empty' })
    expect(addTag([], '一二三四五六七八九十一')).toEqual({ problem: 'tooLong' })
    // Ten characters is the limit, counted as characters (an astral one is one, not two).
    expect(addTag([], '一二三四五六七八九𠀀')).toEqual({ tags: ['一二三四五六七八九𠀀'] })
    expect(addTag(['态度差'], ' 态度差')).toEqual({ problem: 'duplicate' })
    const twelve = Array.from({ length: 12 }, (_, i) => `原因${i}`)
    expect(addTag(twelve, '再一个')).toEqual({ problem: 'full' })
  })
  it('removes by position', () => {
    expect(removeTag(['a', 'b', 'c'], 1)).toEqual(['a', 'c'])
  })
})

const q = (el: HTMLElement, id: string) => el.querySelectorAll<HTMLElement>(`[data-testid="${id}"]`)

function type(el: HTMLElement, text: string) {
  // Element Plus puts the test id on the <input> itself.
  const host = q(el, 'rating-reasons-input')[0]
  const input = (host instanceof HTMLInputElement ? host : host.querySelector('input')) as HTMLInputElement
  input.value = text
  input.dispatchEvent(new Event('input'))
}

describe('RatingReasonsSettings', () => {
  it('shows the saved tags, adds and removes chips and saves the list', async () => {
    i18n.global.locale.value = 'zh-CN'
    const saved: unknown[] = []
    answer(mocked, {
      get_rating_reasons: () => ({ tags: ['等候时间长', '服务态度差'] }),
      set_rating_reasons: (args) => {
        saved.push(args.reasons)
        return args.reasons
      },
    })
    const el = mountApp(RatingReasonsSettings, [i18n])
    await flush()
    const tags = () => [...q(el, 'rating-reasons-tag')].map((t) => t.dataset.tag)
    expect(tags()).toEqual(['等候时间长', '服务态度差'])

    type(el, '服务态度差')
    q(el, 'rating-reasons-add')[0].click()
    await flush()
    expect(q(el, 'rating-reasons-field-error')[0].textContent).toContain('已有这个标签')
    expect(tags()).toHaveLength(2)

    type(el, ' 材料反复补 ')
    q(el, 'rating-reasons-add')[0].click()
    await flush()
    expect(tags()).toEqual(['等候时间长', '服务态度差', '材料反复补'])
    expect(q(el, 'rating-reasons-field-error')).toHaveLength(0)

    // The first chip's × removes it.
    q(el, 'rating-reasons-tag')[0].querySelector<HTMLElement>('.el-tag__close')!.click()
    await flush()
    expect(tags()).toEqual(['服务态度差', '材料反复补'])

    q(el, 'rating-reasons-save')[0].click()
    await flush()
    expect(saved).toEqual([{ tags: ['服务态度差', '材料反复补'] }])
  })

  it("shows core's refusal at tags, the empty list, and a load error with a retry", async () => {
    i18n.global.locale.value = 'en-US'
    let reads = 0
    answer(mocked, {
      get_rating_reasons: () => {
        reads += 1
        if (reads === 1) throw refusal('internal', 'disk gone')
        return { tags: ['x'] }
      },
      set_rating_reasons: () => {
        throw refusal('rating_reasons.count', 'Keep 1 to 12 reason tags (there are 0)', 'tags')
      },
    })
    const el = mountApp(RatingReasonsSettings, [i18n])
    await flush()
    expect(q(el, 'rating-reasons-section')[0].dataset.status).toBe('error')
    expect(el.textContent).toContain('Could not read the rating reason tags')
    q(el, 'rating-reasons-retry')[0].click()
    await flush()
    expect(callsOf(mocked, 'get_rating_reasons')).toBe(2)
    expect(q(el, 'rating-reasons-section')[0].dataset.status).toBe('ready')

    q(el, 'rating-reasons-tag')[0].querySelector<HTMLElement>('.el-tag__close')!.click()
    await flush()
    expect(q(el, 'rating-reasons-empty')[0].textContent).toContain('No tags yet')
    q(el, 'rating-reasons-save')[0].click()
    await flush()
    expect(q(el, 'rating-reasons-field-error')[0].textContent).toContain('Keep 1 to 12')
  })
})
