/**
 * The gateway's configuration file for one bench run: its data plane on a loopback port with the
 * dev server certificate, one `ecole` environment whose upstream is the bench's upstream (mTLS with
 * the upstream client credential), validation on or off.
 *
 * Client certificates are not asked for: wrk cannot present one. Production asks for them; that
 * costs one certificate verification per full handshake, which the keep-alive runs amortise.
 */
export interface GatewayBenchConfigOptions {
  port: number
  opsPort: number
  cert: string
  key: string
  upstream: { url: string, ca: string, cert: string, key: string, servername?: string, connections?: number }
  validation: 'enforce' | 'off'
  logLevel?: 'info' | 'warn' | 'error' | 'silent'
  bodyLimitBytes: number
  /** further options, merged in deeply (e.g. an inspector switch) */
  extra?: Record<string, unknown>
}

function isObject (v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** `extra` merged into `base`: objects key by key, anything else replaced. */
export function deepMerge (base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base }
  for (const [k, v] of Object.entries(extra)) {
    const current = out[k]
    out[k] = isObject(current) && isObject(v) ? deepMerge(current, v) : v
  }
  return out
}

/** The raw configuration object, written as JSON for `sne-gateway start --config FILE`. */
export function gatewayBenchConfig (o: GatewayBenchConfigOptions): Record<string, unknown> {
  return deepMerge({
    dataPlane: {
      host: '127.0.0.1',
      port: o.port,
      bodyLimit: o.bodyLimitBytes,
      // Every load connection comes from one loopback address: the per-address cap (64 by
      // default) would refuse a run with more connections, so it is set to maxConnections' default.
      connections: { perAddress: 1024 },
      // Likewise one caller without a certificate: its body share (32 MiB by default) would refuse
      // the 1 MiB runs' 50 concurrent uploads; the total (256 MiB) still bounds them.
      bodyMemory: { perIdentityBytes: 268435456 },
      tls: { cert: o.cert, key: o.key, clientCertificates: 'none' }
    },
    ops: { host: '127.0.0.1', port: o.opsPort },
    log: { level: o.logLevel ?? 'info' },
    // BENCH_INLINE_BELOW: validation.inlineBelow of the gateways started (its default when unset),
    // to compare validation on the event loop with validation in the workers in the same harness.
    validation: { mode: o.validation, ...inlineBelow() },
    environments: {
      ecole: {
        upstream: {
          url: o.upstream.url,
          ca: o.upstream.ca,
          cert: o.upstream.cert,
          key: o.upstream.key,
          ...(o.upstream.servername === undefined ? {} : { servername: o.upstream.servername }),
          ...(o.upstream.connections === undefined ? {} : { connections: o.upstream.connections }),
          // the bench measures the call path; a periodic GET ?wsdl would only add noise
          probe: false
        }
      }
    }
  }, o.extra ?? {})
}

/** `validation.inlineBelow` from BENCH_INLINE_BELOW (bytes), or nothing: the gateway's default. */
function inlineBelow (): { inlineBelow?: number } {
  const raw = process.env.BENCH_INLINE_BELOW
  if (raw === undefined || raw === '') return {}
  const bytes = Number(raw)
  if (!Number.isInteger(bytes) || bytes < 0) throw new Error(`BENCH_INLINE_BELOW must be a byte count, got ${raw}`)
  return { inlineBelow: bytes }
}
