/**
 * The external tools of the bench: nginx and wrk from Debian, installed with apt-get when they
 * are not on the machine (a fresh clone runs `npm run bench` as is). apt's lists are refreshed
 * once, and only when something is missing.
 */
import { execFile } from 'node:child_process'
import { access, constants } from 'node:fs/promises'
import { delimiter, join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** `name`'s path on PATH (plus the sbin folders, where Debian puts nginx), or undefined. */
export async function findExecutable (name: string, path = process.env.PATH ?? ''): Promise<string | undefined> {
  const dirs = [...path.split(delimiter), '/usr/local/sbin', '/usr/sbin', '/sbin'].filter((d) => d !== '')
  for (const dir of dirs) {
    const candidate = join(dir, name)
    try {
      await access(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return undefined
}

export interface Tools {
  nginx: string
  wrk: string
  /** what was installed by this run, e.g. ['nginx-light', 'wrk'] */
  installed: string[]
}

/** Debian packages providing each tool, in order of preference (nginx-light is gone from Debian 13). */
export const PACKAGES: Record<'nginx' | 'wrk', string[]> = {
  nginx: ['nginx-light', 'nginx'],
  wrk: ['wrk']
}

async function apt (args: string[], log: (line: string) => void): Promise<void> {
  const root = process.getuid?.() === 0
  const [cmd, argv] = root ? ['apt-get', args] : ['sudo', ['-n', 'apt-get', ...args]]
  log(`$ ${cmd} ${argv.join(' ')}`)
  // DEBIAN_FRONTEND: no question may block an unattended bench
  await run(cmd, argv, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, maxBuffer: 64 * 1024 * 1024, timeout: 300_000 })
}

async function candidateExists (pkg: string): Promise<boolean> {
  try {
    const { stdout } = await run('apt-cache', ['policy', pkg])
    return /Candidate:\s+(?!\(none\))\S+/.test(stdout)
  } catch {
    return false
  }
}

/** Finds nginx and wrk, installing the missing ones from Debian. */
export async function ensureTools (log: (line: string) => void): Promise<Tools> {
  const found = { nginx: await findExecutable('nginx'), wrk: await findExecutable('wrk') }
  const missing = (Object.keys(found) as Array<keyof typeof found>).filter((k) => found[k] === undefined)
  const installed: string[] = []
  if (missing.length > 0) {
    if (await findExecutable('apt-get') === undefined) throw new Error(`${missing.join(' and ')} not found and no apt-get to install them: install ${missing.join(', ')} and run again`)
    await apt(['update', '-qq'], log)
    const packages: string[] = []
    for (const tool of missing) {
      let chosen: string | undefined
      for (const pkg of PACKAGES[tool]) {
        if (await candidateExists(pkg)) { chosen = pkg; break }
      }
      if (chosen === undefined) throw new Error(`no Debian package provides ${tool} (tried ${PACKAGES[tool].join(', ')})`)
      packages.push(chosen)
    }
    await apt(['install', '-y', '-q', '--no-install-recommends', ...packages], log)
    installed.push(...packages)
  }
  const nginx = found.nginx ?? await findExecutable('nginx')
  const wrk = found.wrk ?? await findExecutable('wrk')
  if (nginx === undefined || wrk === undefined) throw new Error('nginx or wrk still missing after apt-get install')
  return { nginx, wrk, installed }
}

/** `nginx -v` and wrk's version line. */
export async function toolVersions (tools: Tools): Promise<{ nginx: string, wrk: string }> {
  const nginx = await run(tools.nginx, ['-v']).then((r) => (r.stderr || r.stdout).trim(), (e: { stderr?: string }) => (e.stderr ?? '').trim())
  // wrk has no --version: its usage text's first line names it, and it exits 1
  const wrk = await run(tools.wrk, ['-v']).then((r) => r.stdout, (e: { stdout?: string }) => e.stdout ?? '')
  return {
    nginx: nginx.replace(/^nginx version:\s*/, ''),
    wrk: (wrk.split('\n')[0] ?? '').replace(/\s+Copyright.*$/, '').trim()
  }
}
