import { describe, expect, it } from 'vitest'
import { ref } from 'vue'
import type { CommandError } from '../../src/api'
import { keepShown, latestRead, serial, thenPut, type LoadStatus } from '../../src/stores/requests'
import { deferred, flush, refusal } from './helpers'

const state = () => ({ status: ref<LoadStatus>('idle'), error: ref<CommandError | null>(null) })

describe('serial', () => {
  it('runs once more after a burst, and each call resolves when the run covering it is done', async () => {
    const runs: ReturnType<typeof deferred<void>>[] = []
    const run = serial(() => {
      const d = deferred<void>()
      runs.push(d)
      return d.promise
    })
    const first = run()
    let secondDone = false
    const second = run().then(() => (secondDone = true))
    void run()
    expect(runs).toHaveLength(1)
    runs[0].resolve()
    await first
    await flush()
    expect(runs).toHaveLength(2)
    expect(secondDone).toBe(false)
    runs[1].resolve()
    await second
    expect(runs).toHaveLength(2)
  })
})

describe('keepShown', () => {
  it('shows loading first, then keeps what is shown when a re-read fails', async () => {
    const { status, error } = state()
    let fail = false
    const held = deferred<void>()
    const read = keepShown(status, error, async () => {
      if (fail) throw refusal('internal', 'boom')
      await held.promise
    })
    const first = read()
    expect(status.value).toBe('loading')
    held.resolve()
    await first
    expect(status.value).toBe('ready')
    fail = true
    await read()
    expect(status.value).toBe('ready')
    expect(error.value?.message).toBe('boom')
    fail = false
    await read()
    expect(error.value).toBeNull()
  })

  it('is an error while nothing is shown', async () => {
    const { status, error } = state()
    await keepShown(status, error, async () => {
      throw refusal('internal', 'boom')
    })()
    expect(status.value).toBe('error')
    expect(error.value?.code).toBe('internal')
  })
})

describe('latestRead', () => {
  it('takes only the answer of the latest read', async () => {
    const { status, error } = state()
    const answers = [deferred<string>(), deferred<string>()]
    let i = 0
    const taken: string[] = []
    const read = latestRead(status, error, 'first', () => answers[i++].promise, (v) => taken.push(v))
    const a = read()
    const b = read()
    answers[1].resolve('new')
    await b
    answers[0].reject(refusal('internal', 'late'))
    await a
    expect(taken).toEqual(['new'])
    expect(status.value).toBe('ready')
    expect(error.value).toBeNull()
  })

  it("shows loading on every read with 'always', only before the first with 'first'", async () => {
    for (const [loading, expected] of [
      ['always', 'loading'],
      ['first', 'ready'],
    ] as const) {
      const { status, error } = state()
      const read = latestRead(status, error, loading, async () => 1, () => {})
      await read()
      const again = read()
      expect(status.value).toBe(expected)
      await again
    }
  })
})

describe('thenPut', () => {
  it('puts the answer into the store and hands it back; a refusal puts nothing', async () => {
    const held: string[] = []
    const write = thenPut(async (a: string, b: string) => `${a}${b}`, (v) => held.push(v))
    expect(await write('x', 'y')).toBe('xy')
    expect(held).toEqual(['xy'])
    const refused = thenPut(async () => {
      throw refusal('x.no')
    }, (v: string) => held.push(v))
    await expect(refused()).rejects.toMatchObject({ code: 'x.no' })
    expect(held).toEqual(['xy'])
  })
})
