// Handshake records for the census tests, as the inspector would report them.
import type { HandshakeRecord } from '../../../src/census/inspector.js'
import type { ClientHello } from '../../../src/census/client-hello.js'

function hello (maxVersion: number, sni: string | undefined): ClientHello {
  return {
    recordVersion: 0x0301,
    legacyVersion: Math.min(maxVersion, 0x0303),
    supportedVersions: maxVersion > 0x0303 ? [maxVersion] : undefined,
    maxVersion,
    sni,
    cipherSuites: [],
    extensions: [],
    alpn: undefined,
    supportedGroups: [],
    signatureAlgorithms: [],
    ecPointFormats: [],
    helloLength: 100,
    recordCount: 1
  }
}

const JA4 = { 0x0301: 't10d090600_c491f621fb4c_195413a0cc0f', 0x0302: 't11d090600_c491f621fb4c_195413a0cc0f', 0x0303: 't12d280600_d943125447b4_e7e480e5a997', 0x0304: 't13d3111h2_e8f1e7e78f70_1f22a2ca17c4' } as Record<number, string>

/** A refused legacy handshake (node:tls: unsupported protocol). */
export function legacy (at: number, ip = '192.0.2.10', sni: string | undefined = 'gw.example', version = 0x0301): HandshakeRecord {
  return base(at, ip, { outcome: 'failure', reason: 'unsupported-protocol', hello: hello(version, sni), offeredVersion: version, ja4: JA4[version] })
}

/** An established handshake. */
export function success (at: number, ip = '192.0.2.10', sni: string | undefined = 'gw.example', version = 0x0303, identity?: string): HandshakeRecord {
  return base(at, ip, { outcome: 'success', hello: hello(version, sni), offeredVersion: version, ja4: JA4[version], negotiatedVersion: version === 0x0304 ? 'TLSv1.3' : 'TLSv1.2', cipher: 'ECDHE-ECDSA-AES128-GCM-SHA256', identity })
}

/** A connection that never reached TLS. */
export function rejected (at: number, ip: string, reason: string, offeredVersion?: number): HandshakeRecord {
  return base(at, ip, { outcome: 'rejected', reason, offeredVersion })
}

function base (at: number, ip: string, fields: Partial<HandshakeRecord>): HandshakeRecord {
  return {
    at,
    remoteAddress: ip,
    outcome: 'rejected',
    reason: undefined,
    hello: undefined,
    offeredVersion: undefined,
    ja4: undefined,
    negotiatedVersion: undefined,
    cipher: undefined,
    identity: undefined,
    ...fields
  }
}

/** A clock the test moves by hand. */
export function manualClock (start = Date.UTC(2025, 0, 6, 9, 0, 0)): { clock: () => Date, now: () => number, advance: (ms: number) => void, set: (ms: number) => void } {
  let t = start
  return { clock: () => new Date(t), now: () => t, advance: (ms) => { t += ms }, set: (ms) => { t = ms } }
}
