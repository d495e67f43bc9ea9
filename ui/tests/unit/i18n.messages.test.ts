import { describe, expect, it } from 'vitest'
import { baseCompile } from '@intlify/message-compiler'
import zhCN from '../../src/i18n/zh-CN'
import enUS from '../../src/i18n/en-US'

/** Every leaf message with its dotted key. */
function leaves(tree: unknown, prefix = ''): [string, string][] {
  if (typeof tree === 'string') return [[prefix, tree]]
  if (!tree || typeof tree !== 'object') return []
  return Object.entries(tree).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k))
}

// A message vue-i18n cannot compile (an '@' read as a link, a stray '{' or '|') throws when the
// page renders it, and the element it is in is left out of the page: caught here instead.
describe('messages', () => {
  for (const [name, messages] of [['zh-CN', zhCN], ['en-US', enUS]] as const) {
    it(`every ${name} message compiles`, () => {
      const broken = leaves(messages).filter(([, text]) => {
        let failed = false
        baseCompile(text, { onError: () => (failed = true) })
        return failed
      })
      expect(broken.map(([k]) => k)).toEqual([])
    })
  }
})
