import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import puppeteer, { type Browser, type Page } from 'puppeteer-core'
import { type RunningFixture, serveV1Http } from '../fixtures/v1-server.ts'
import { startProxy, type TestProxy } from '../helpers/start-proxy.ts'
import { fixturePids, stdioFixture } from '../helpers/stdio-fixture.ts'

const chromium = Bun.which('chromium') ?? Bun.which('chromium-browser')
const chromiumUnavailable = chromium ? undefined : 'chromium is not on PATH'
if (chromiumUnavailable) console.warn(`Status page browser tests skipped: ${chromiumUnavailable}`)

const SCREENSHOTS = 'test-results'
const ADMIN_KEY = 'browser-test-admin-key'

/** The text of each cell of a table's body, row by row. */
function tableRows(page: Page, id: string): Promise<string[][]> {
  return page.$$eval(`#${id} tbody tr`, (rows) =>
    rows.map((row) => [...(row as HTMLTableRowElement).cells].map((cell) => cell.textContent ?? '')),
  )
}

describe.skipIf(Boolean(chromiumUnavailable))('the status page in a real browser', () => {
  let alpha: RunningFixture
  let proxy: TestProxy
  let browser: Browser
  // While this file exists the stdio fixture refuses to start: once killed, beta stays down.
  const betaDown = join(mkdtempSync(join(tmpdir(), 'proxmcp-ui-')), 'down')
  beforeAll(async () => {
    alpha = serveV1Http({ name: 'alpha' })
    proxy = await startProxy({
      ui: true,
      upstreams: [
        { id: 'alpha', url: alpha.url },
        { id: 'beta', command: [...stdioFixture('ui-beta'), '--down-while', betaDown], prestart: 0 },
      ],
      servers: { solo: { upstreams: ['alpha'], tools: { rename: { alpha_only: 'solo_only' } } } },
    })
    browser = await puppeteer.launch({
      executablePath: chromium as string,
      args: ['--no-sandbox', '--headless=new', '--disable-gpu'],
    })
  })
  afterAll(async () => {
    await browser?.close()
    await proxy.stop()
    await alpha.close()
  })

  test('shows each upstream as /readyz does, then an upstream going down, live', async () => {
    const page = await browser.newPage()
    await page.setViewport({ width: 1100, height: 1400 })
    await page.goto(proxy.url.replace(/\/mcp$/, '/ui'))
    await page.waitForFunction(() => document.querySelectorAll('#upstreams tbody tr').length === 2)
    const ready = (await (await fetch(proxy.url.replace(/\/mcp$/, '/readyz'))).json()) as {
      upstreams: { id: string; state: string; tools: number }[]
    }
    const rows = await tableRows(page, 'upstreams')
    expect(rows.map((cells) => [cells[0], cells[1], Number(cells[5])])).toEqual(
      ready.upstreams.map((upstream) => [upstream.id, upstream.state, upstream.tools]),
    )
    mkdirSync(SCREENSHOTS, { recursive: true })
    await page.screenshot({ path: `${SCREENSHOTS}/status-page.png`, fullPage: true })

    // At a phone's width nothing but the tables' own scroll boxes is wider than the screen.
    await page.setViewport({ width: 375, height: 800 })
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375)
    await page.setViewport({ width: 1100, height: 1400 })

    writeFileSync(betaDown, '')
    for (const pid of fixturePids('ui-beta')) process.kill(pid, 'SIGKILL')
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('#upstreams tbody tr')].find(
          (row) => row.firstChild?.textContent === 'beta',
        )?.children[1]?.textContent !== 'up',
      { timeout: 20_000 },
    )
    await page.close()
  })

  test('calls a tool through the virtual server picked in the form', async () => {
    const page = await browser.newPage()
    await page.goto(proxy.url.replace(/\/mcp$/, '/ui'))
    await page.waitForSelector('#endpoint option[value="mcp/solo"]')
    expect(
      await page.$$eval('#endpoint option', (options) => options.map((option) => option.textContent)),
    ).toEqual(['/mcp', '/mcp/solo'])
    await page.select('#endpoint', 'mcp/solo')
    // The tool names offered are the server's own.
    expect(
      await page.$$eval('#tool-names option', (options) => options.map((option) => option.value)),
    ).toContain('solo_only')
    await page.type('#tool', 'solo_only')
    await page.click('#try button[type=submit]')
    await page.waitForFunction(() => document.getElementById('result')?.textContent?.includes('"alpha"'))
    await page.close()
  })

  test("the catalog can show a virtual server's own: its upstreams only, its renames applied", async () => {
    const page = await browser.newPage()
    await page.goto(proxy.url.replace(/\/mcp$/, '/ui'))
    await page.waitForSelector('#catalog-of option[value="solo"]')
    const names = async () => (await tableRows(page, 'catalog')).map((cells) => cells[1])
    expect(await names()).toContain('alpha_only')
    await page.select('#catalog-of', 'solo')
    const solo = await tableRows(page, 'catalog')
    expect(solo.every((cells) => cells[2] === 'alpha')).toBe(true)
    expect(solo.some((cells) => cells[1] === 'solo_only' && cells.join(' ').includes('was alpha_only'))).toBe(
      true,
    )
    expect(await names()).not.toContain('alpha_only')
    await page.close()
  })

  test('calls a tool from the form through /mcp, and the call shows among the recent requests', async () => {
    const page = await browser.newPage()
    await page.goto(proxy.url.replace(/\/mcp$/, '/ui'))
    await page.waitForSelector('#tool-names option')
    await page.type('#tool', 'alpha_only')
    await page.click('#try button[type=submit]')
    await page.waitForFunction(() => document.getElementById('result')?.textContent?.includes('"alpha"'))
    await page.waitForFunction(() =>
      [...document.querySelectorAll('#recent tbody tr')].some((row) =>
        row.textContent?.includes('alpha_only'),
      ),
    )
    const catalog = await tableRows(page, 'catalog')
    expect(catalog.some((cells) => cells[1] === 'alpha_only' && cells[2] === 'alpha')).toBe(true)
    await page.type('#search', 'beta_only')
    const filtered = await tableRows(page, 'catalog')
    expect(filtered.every((cells) => cells.join(' ').includes('beta_only'))).toBe(true)
    await page.close()
  })

  test('with an admin key, the page is refused without it and served with it', async () => {
    const guarded = await startProxy({
      ui: { adminKey: ADMIN_KEY },
      upstreams: [{ id: 'alpha', url: alpha.url }],
    })
    const url = guarded.url.replace(/\/mcp$/, '/ui')
    try {
      // Each in a context of its own: Chromium remembers a refused challenge within one. Refused,
      // a navigation ends on the 401 or, once credentials were tried, fails outright.
      for (const password of [undefined, 'not-the-admin-key-at-all']) {
        const strangers = await browser.createBrowserContext()
        const stranger = await strangers.newPage()
        if (password) await stranger.authenticate({ username: 'admin', password })
        const outcome = await stranger.goto(url).then(
          (response) => String(response?.status()),
          (error: Error) => error.message,
        )
        expect(outcome).toMatch(/^401$|net::ERR_INVALID_AUTH_CREDENTIALS/)
        expect(await stranger.$('#upstreams')).toBeNull()
        await strangers.close()
      }
      const admins = await browser.createBrowserContext()
      const admin = await admins.newPage()
      await admin.authenticate({ username: 'admin', password: ADMIN_KEY })
      expect((await admin.goto(url))?.status()).toBe(200)
      await admin.waitForFunction(() => document.querySelectorAll('#upstreams tbody tr').length === 1)
      await admins.close()
    } finally {
      await guarded.stop()
    }
  })
})
