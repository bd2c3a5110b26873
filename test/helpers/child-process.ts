// What the tests that run the CLI as child processes share: the loader tap runs the TypeScript
// sources with, the CLI's entry, and a free loopback port to give a child.
import { createServer } from 'node:net'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url))
/** The CLI's entry, run from the sources. */
export const CLI_ENTRY = join(REPO_ROOT, 'src/cli.ts')
/** The child runs the TypeScript sources with the loader tap itself uses. */
export const TS_LOADER = process.execArgv.filter((a) => a.includes('@tapjs/typescript'))

/** A port free on 127.0.0.1 now (a child binds it a moment later). */
export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => { resolve(port) })
    })
  })
}
