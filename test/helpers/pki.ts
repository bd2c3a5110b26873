// One dev PKI per test process, in a temporary folder removed at exit.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureDevPki, type DevPki } from '../../src/tls/dev-pki.js'

let pending: Promise<DevPki> | undefined

export async function testPki (): Promise<DevPki> {
  if (pending === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'sne-gateway-pki-'))
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
    pending = ensureDevPki(dir)
  }
  return await pending
}
