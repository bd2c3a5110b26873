// Debian's Chromium, headless, driven by playwright-core: the browser of the page tests.
import { existsSync } from 'node:fs'
import { chromium, type BrowserContext } from 'playwright-core'
import { tempDir } from '../../census/helpers/census-stack.js'

export const CHROMIUM = '/usr/bin/chromium'

/** Skipped on a developer machine without Chromium; never in CI, where .ci/run installs it. */
export const chromiumSkip = existsSync(CHROMIUM) || process.env.CI !== undefined ? false : `${CHROMIUM} is not installed (apt-get install chromium; .ci/run does)`

/** A fresh headless browser context in a temporary profile, closed by the test's teardown. */
export async function launchChromium (t: { teardown: (fn: () => void | Promise<void>) => void }): Promise<BrowserContext> {
  const context = await chromium.launchPersistentContext(tempDir(t), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run', '--disable-quic'],
    timeout: 60000
  })
  t.teardown(async () => { await context.close() })
  return context
}
