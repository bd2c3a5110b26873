/**
 * Feeds libxml2 the spec files from memory while schemas compile, so that `xs:import` and
 * `xs:include` resolve against the files `loadSpec` read, and libxml2 never touches the disk.
 *
 * libxml2 keeps its input callbacks in one process-wide table of about ten slots
 * (`xmlRegisterInputProvider` returns false once it is full) with no way to remove a single
 * entry. One provider is therefore registered per process and routes by URL prefix to the
 * files "mounted" for the duration of one synchronous compilation; outside a mount it matches
 * nothing. This is the only module-level state of `contract/`, and it holds no files between loads.
 */
import { posix } from 'node:path'
import type { Libxml2 } from './libxml2.js'

/** The URL scheme of mounted files: `sne-spec://<mount id>/<path relative to the spec dir>`. */
export const MOUNT_SCHEME = 'sne-spec:'

interface OpenFile { data: Uint8Array, pos: number }

interface Router {
  mounts: Map<string, ReadonlyMap<string, Uint8Array>>
  open: Map<number, OpenFile>
  nextFd: number
  nextMount: number
}

let router: Router | undefined

function splitUrl (url: string): { mount: string, path: string } | undefined {
  if (!url.startsWith(`${MOUNT_SCHEME}//`)) return undefined
  const rest = url.slice(MOUNT_SCHEME.length + 2)
  const slash = rest.indexOf('/')
  if (slash < 0) return undefined
  let path: string
  try {
    path = decodeURI(rest.slice(slash + 1))
  } catch {
    return undefined
  }
  return { mount: rest.slice(0, slash), path: posix.normalize(path) }
}

function lookup (r: Router, url: string): Uint8Array | undefined {
  const where = splitUrl(url)
  if (where === undefined) return undefined
  return r.mounts.get(where.mount)?.get(where.path)
}

function ensureRouter (lx: Libxml2): Router {
  if (router !== undefined) return router
  const r: Router = { mounts: new Map(), open: new Map(), nextFd: 1, nextMount: 1 }
  const registered = lx.xmlRegisterInputProvider({
    // Claim every URL of our scheme, even unknown ones, so that libxml2 never falls back to
    // another loader for them; an unknown file fails at open().
    match: (url) => url.startsWith(MOUNT_SCHEME),
    open: (url) => {
      const data = lookup(r, url)
      if (data === undefined) return undefined
      const fd = r.nextFd++
      r.open.set(fd, { data, pos: 0 })
      return fd
    },
    read: (fd, buf) => {
      const file = r.open.get(fd)
      if (file === undefined) return -1
      const n = Math.min(buf.byteLength, file.data.byteLength - file.pos)
      buf.set(file.data.subarray(file.pos, file.pos + n))
      file.pos += n
      return n
    },
    close: (fd) => r.open.delete(fd)
  })
  /* c8 ignore next 3 -- only when other code filled libxml2's callback table first */
  if (!registered) {
    throw new Error('libxml2 input callback table is full: cannot register the spec file provider')
  }
  router = r
  return r
}

/**
 * Makes `files` (path relative to the spec directory → bytes) readable by libxml2 while `fn`
 * runs, under `sne-spec://<id>/`. `fn` must be synchronous: the mount is gone when it returns.
 */
export function withMountedFiles<T> (lx: Libxml2, files: ReadonlyMap<string, Uint8Array>, fn: (urlOf: (path: string) => string) => T): T {
  const r = ensureRouter(lx)
  const id = String(r.nextMount++)
  r.mounts.set(id, files)
  try {
    return fn((path) => `${MOUNT_SCHEME}//${id}/${encodeURI(path)}`)
  } finally {
    r.mounts.delete(id)
  }
}

/** The spec-relative path of a mounted URL (for error messages), or the URL itself. */
export function pathOfUrl (url: string): string {
  return splitUrl(url)?.path ?? url
}
