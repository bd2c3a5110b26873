// Builds ClientHello bytes for tests from plain lists, and reads the captured fixtures.
import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { join } from 'node:path'

export const HELLOS_DIR = fileURLToPath(new URL('../fixtures/hellos/', import.meta.url))

/** Every captured fixture: name (without .hex) → bytes. */
export function capturedHellos (): Map<string, Buffer> {
  const map = new Map<string, Buffer>()
  for (const file of readdirSync(HELLOS_DIR).filter((f) => f.endsWith('.hex')).sort()) {
    map.set(file.slice(0, -4), Buffer.from(readFileSync(join(HELLOS_DIR, file), 'utf8').trim(), 'hex'))
  }
  return map
}

export function u16 (v: number): Buffer {
  const b = Buffer.alloc(2)
  b.writeUInt16BE(v)
  return b
}

function vec16 (...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts)
  return Buffer.concat([u16(body.length), body])
}

function vec8 (...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts)
  return Buffer.concat([Buffer.from([body.length]), body])
}

export function extension (type: number, data: Buffer): Buffer {
  return Buffer.concat([u16(type), vec16(data)])
}

export const ext = {
  sni: (name: string) => extension(0, vec16(Buffer.from([0]), vec16(Buffer.from(name, 'latin1')))),
  alpn: (...names: Array<string | Buffer>) => extension(16, vec16(...names.map((n) => vec8(typeof n === 'string' ? Buffer.from(n, 'latin1') : n)))),
  groups: (...groups: number[]) => extension(10, vec16(...groups.map(u16))),
  pointFormats: (...formats: number[]) => extension(11, vec8(Buffer.from(formats))),
  sigAlgs: (...algs: number[]) => extension(13, vec16(...algs.map(u16))),
  versions: (...versions: number[]) => extension(43, vec8(...versions.map(u16))),
  empty: (type: number) => extension(type, Buffer.alloc(0))
}

export interface HelloSpec {
  legacyVersion?: number
  ciphers: number[]
  /** complete extension blocks (type + length + data), in order; undefined: no extensions block */
  extensions?: Buffer[]
  sessionId?: Buffer
}

/** The ClientHello handshake message (type 1, 3-byte length, body). */
export function helloMessage (spec: HelloSpec): Buffer {
  const body = Buffer.concat([
    u16(spec.legacyVersion ?? 0x0303),
    Buffer.alloc(32, 0x42),
    vec8(spec.sessionId ?? Buffer.alloc(0)),
    vec16(...spec.ciphers.map(u16)),
    vec8(Buffer.from([0])),
    spec.extensions === undefined ? Buffer.alloc(0) : vec16(...spec.extensions)
  ])
  const header = Buffer.from([1, (body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff])
  return Buffer.concat([header, body])
}

/** Wraps a handshake message in TLS records of at most `fragment` bytes each. */
export function records (message: Buffer, fragment = 16384, version = 0x0301): Buffer {
  const out: Buffer[] = []
  for (let i = 0; i < message.length; i += fragment) {
    const chunk = message.subarray(i, i + fragment)
    out.push(Buffer.from([22, version >> 8, version & 0xff, chunk.length >> 8, chunk.length & 0xff]), chunk)
  }
  return Buffer.concat(out)
}

/** Re-fragments a captured first flight (one or more records) into records of `fragment` bytes. */
export function refragment (flight: Buffer, fragment: number): Buffer {
  const parts: Buffer[] = []
  let off = 0
  while (off + 5 <= flight.length) {
    const len = flight.readUInt16BE(off + 3)
    parts.push(flight.subarray(off + 5, off + 5 + len))
    off += 5 + len
  }
  return records(Buffer.concat(parts), fragment, flight.readUInt16BE(1))
}
