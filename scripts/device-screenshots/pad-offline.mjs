// A real-browser check of the rating pad's offline queue (docs/devices.md): the pad is asked to
// rate, the server stops, the person taps 满意, the pad says thank you and keeps the rating; the
// server starts again on the same database and the pad sends it: exactly one rating is stored.
// Run by pad-offline.sh (which starts the server and seeds the hall).
import puppeteer from 'puppeteer-core'
import fs from 'node:fs'
import { spawn } from 'node:child_process'

const port = process.env.HK_SHOTS_PORT ?? '18720'
const BASE = `http://127.0.0.1:${port}`, TOK = 'a'.repeat(40)
const seed = JSON.parse(fs.readFileSync(`${process.env.HK_SHOTS_DIR ?? '/tmp/shots'}/seed.json`, 'utf8'))
const [bin, db, logFile] = process.argv.slice(2)
const api = async (method, path, body, token = TOK) => {
  const r = await fetch(BASE + path, { method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })
  const t = await r.text(); return t ? JSON.parse(t) : null
}
const env = { ...process.env, HALLKEEPER_BREAK_GLASS: '1', HALLKEEPER_ADMIN_TOKEN: TOK }
const start = () => spawn(bin, ['--listen', `127.0.0.1:${port}`, '--sqlite', db], { env, stdio: ['ignore', fs.openSync(logFile, 'a'), fs.openSync(logFile, 'a')] })
const up = async () => { for (let i = 0; i < 100; i++) { try { await fetch(`${BASE}/pad`); return } catch { await new Promise((r) => setTimeout(r, 100)) } } throw new Error('server not up') }
const stop = (p) => new Promise((r) => { p.once('exit', r); p.kill('SIGTERM') })

let server = start()
await up()
const browser = await puppeteer.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] })
let failed = null
try {
  const page = await browser.newPage()
  await page.setViewport({ width: 1280, height: 800 })
  const tid = (id) => `[data-testid="${id}"]`
  const { code } = await api('POST', `/api/v1/admin/halls/${seed.hall}/devices/${seed.pad}/pairing`)
  await page.goto(`${BASE}/pad?code=${code}`)
  await page.waitForSelector(tid('pad-idle'))
  const view = await api('GET', '/api/v1/caller', undefined, seed.caller1)
  await api('POST', `/api/v1/caller/tickets/${view.current.id}/finish`, null, seed.caller1)
  await page.waitForSelector(tid('pad-rate'))
  await stop(server)
  // A double tap while the server is away: the pad counts one.
  await page.click(tid('pad-level-satisfied'))
  await page.click(tid('pad-level-satisfied')).catch(() => {})
  await page.waitForSelector(tid('pad-thanks'))
  const queued = await page.evaluate(() => JSON.parse(localStorage.getItem('hallkeeper.pad.queue') ?? '[]').length)
  if (queued !== 1) throw new Error(`queued ${queued}, expected 1`)
  await new Promise((r) => setTimeout(r, 2000))
  server = start()
  await up()
  await page.waitForFunction(() => localStorage.getItem('hallkeeper.pad.queue') === null, { timeout: 30000 })
  const ratings = await api('GET', `/api/v1/admin/halls/${seed.hall}/ratings?since=2000-01-01T00:00:00Z`)
  const mine = ratings.filter((r) => r.ticketId === view.current.id)
  if (mine.length !== 1 || mine[0].level !== 'satisfied') throw new Error(`stored ${JSON.stringify(ratings)}`)
  console.log(`pad offline queue: 1 rating stored after the server came back (${mine[0].ticketNumber}, ${mine[0].level})`)
} catch (e) {
  failed = e
} finally {
  await browser.close()
  await stop(server)
}
if (failed) { console.error('FAILED:', failed.message); process.exit(1) }
