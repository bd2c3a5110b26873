// The error registry: every declared code is documented, every documented code is declared
// (in the manner of fastify's test/internals/errors.test.js).
import t from 'tap'
import { readFile, readdir } from 'node:fs/promises'
import { join, relative } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

async function errorModules (dir: string): Promise<string[]> {
  const found: string[] = []
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) found.push(...await errorModules(path))
    else if (entry.name === 'errors.ts') found.push(path)
  }
  return found
}

interface CodeModule {
  codes?: Record<string, { code: string, statusCode: number }>
  violationCodes?: Record<string, string>
}

async function declaredCodes (): Promise<Map<string, string>> {
  const declared = new Map<string, string>()
  for (const file of await errorModules(join(root, 'src'))) {
    const mod = await import(pathToFileURL(file).href) as CodeModule
    const where = relative(root, file)
    for (const [key, Err] of Object.entries(mod.codes ?? {})) {
      t.equal(Err.code, key, `${where}: codes.${key} has its own key as code`)
      t.ok(Number.isInteger(Err.statusCode), `${where}: ${key} has an HTTP status`)
      t.notOk(declared.has(key), `${key} is declared once`)
      declared.set(key, where)
    }
    for (const key of Object.keys(mod.violationCodes ?? {})) {
      t.notOk(declared.has(key), `${key} is declared once`)
      declared.set(key, where)
    }
  }
  return declared
}

t.test('every declared code is documented and every documented code is declared', async (t) => {
  const declared = await declaredCodes()
  const doc = await readFile(join(root, 'docs', 'errors.md'), 'utf8')
  const retired = doc.slice(doc.indexOf('## Retired'))
  const documented = new Set([...doc.slice(0, doc.indexOf('## Retired')).matchAll(/^### (\S+)\s*$/gm)].map((m) => m[1]!))
  t.ok(declared.size > 0, 'some codes are declared')
  for (const [code, where] of declared) {
    t.ok(documented.has(code), `${code} (declared in ${where}) is documented in docs/errors.md`)
    t.notOk(retired.includes(`### ${code}`), `${code} is not retired`)
  }
  for (const code of documented) {
    t.ok(declared.has(code), `${code} (documented) is declared in a src/**/errors.ts`)
  }
})
