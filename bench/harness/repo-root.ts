/** The repository's root, from a module in bench/ or dist/bench/ (`from`: its `import.meta.url`). */
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export function repoRoot (from: string): string {
  let dir = dirname(fileURLToPath(from))
  for (let i = 0; i < 5 && !(existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'examples'))); i++) dir = dirname(dir)
  return dir
}
