/**
 * Validation cost by message size: `spec.validateMessage` on getDemandeLogement messages from
 * about 1 KiB to 1 MiB, the size carried either by an MTOM attachment (MIME split, no XML) or by
 * inline base64 in the envelope (XML reader and the XSD's base64Binary check). In-process, with
 * nothing else of the harness running.
 */
import type { InterfaceSpec } from '../../src/contract/types.js'
import { certificateBundle, demandeMessage, inlineDemandeMessage, type MessageSources } from './messages.js'

export interface ValidationMicroRow {
  series: 'MTOM attachment' | 'inline base64'
  /** message size on the wire */
  bytes: number
  iterations: number
  /** median over batches of about 20 ms */
  msPerOp: number
  /** message bytes validated per second, MB/s */
  mbPerSecond: number
  /** violations found (should be 0: a failing message would measure the failure path) */
  violations: number
}

/** Default message sizes, bytes. */
export const MICRO_SIZES = [1024, 4096, 16 * 1024, 64 * 1024, 256 * 1024, 1024 * 1024]

export interface ValidationMicroOptions {
  spec: InterfaceSpec
  sources: MessageSources
  numUnique: string
  certificatePem: Buffer
  sizes?: readonly number[]
  /** time spent measuring each message (default 400 ms) */
  budgetMs?: number
  /** upper bound of iterations per message (default 5000) */
  maxIterations?: number
}

type Build = (certificate: Buffer) => { contentType: string, body: Buffer }

/** The certificate that brings the message built by `build` closest to `bytes` from below (at least one certificate). */
function sized (build: Build, pem: Buffer, bytes: number): { contentType: string, body: Buffer } {
  const base = build(Buffer.alloc(0)).body.length
  // base64 carries 3 bytes in 4 characters, plus a line end every 76
  const payload = Math.max(0, Math.floor((bytes - base) * 0.74))
  if (payload < pem.length) return build(payload < pem.length / 2 ? Buffer.alloc(0) : pem)
  return build(certificateBundle(pem, payload).subarray(0, Math.max(pem.length, Math.floor(payload / pem.length) * pem.length)))
}

/** Measures each series at each size. */
export function runValidationMicro (o: ValidationMicroOptions): ValidationMicroRow[] {
  const budget = o.budgetMs ?? 400
  const maxIterations = o.maxIterations ?? 5000
  const series: Array<[ValidationMicroRow['series'], Build]> = [
    ['MTOM attachment', (cert) => demandeMessage(o.sources, o.numUnique, cert)],
    ['inline base64', (cert) => inlineDemandeMessage(o.sources, o.numUnique, cert)]
  ]
  const rows: ValidationMicroRow[] = []
  for (const [name, build] of series) {
    for (const size of o.sizes ?? MICRO_SIZES) {
      const message = sized(build, o.certificatePem, size)
      const violations = o.spec.validateMessage(message.body, message.contentType).violations.length
      // a few calls first: the first ones pay lazy compilation and wasm memory growth
      for (let i = 0; i < 3; i++) o.spec.validateMessage(message.body, message.contentType)
      // timed in batches of about 20 ms; the median batch resists other work on a shared machine
      const t0 = performance.now()
      o.spec.validateMessage(message.body, message.contentType)
      const batch = Math.max(1, Math.floor(20 / Math.max(0.001, performance.now() - t0)))
      const perOp: number[] = []
      let iterations = 0
      const start = performance.now()
      while (performance.now() - start < budget && iterations < maxIterations) {
        const b0 = performance.now()
        for (let i = 0; i < batch; i++) o.spec.validateMessage(message.body, message.contentType)
        perOp.push((performance.now() - b0) / batch)
        iterations += batch
      }
      perOp.sort((a, b) => a - b)
      const msPerOp = perOp[Math.floor(perOp.length / 2)]!
      rows.push({ series: name, bytes: message.body.length, iterations, msPerOp, mbPerSecond: message.body.length / 1e6 / (msPerOp / 1000), violations })
    }
  }
  return rows
}
