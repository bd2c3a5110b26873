/**
 * Protocol version codes and GREASE values as they appear on the wire, and the names the census,
 * the metrics and the logs use for them (Node's `getProtocol()` names, so that an offered version
 * and a negotiated one compare as strings).
 */

export const SSL2 = 0x0002
export const SSL3 = 0x0300
export const TLS10 = 0x0301
export const TLS11 = 0x0302
export const TLS12 = 0x0303
export const TLS13 = 0x0304

/** Name of a version: `SSLv2`, `SSLv3`, `TLSv1`, `TLSv1.1`, `TLSv1.2`, `TLSv1.3`, else `unknown`. */
export function versionName (version: number): string {
  switch (version) {
    case TLS13: return 'TLSv1.3'
    case TLS12: return 'TLSv1.2'
    case TLS11: return 'TLSv1.1'
    case TLS10: return 'TLSv1'
    case SSL3: return 'SSLv3'
    case SSL2: return 'SSLv2'
    default: return 'unknown'
  }
}

/** Every name `versionName` can return, newest first. */
export const VERSION_NAMES = ['TLSv1.3', 'TLSv1.2', 'TLSv1.1', 'TLSv1', 'SSLv3', 'SSLv2', 'unknown'] as const

/**
 * True for a legacy offer: a highest offered version below TLS 1.2 (what the gateway refuses).
 * Unknown values above TLS 1.3 (a future version) are not legacy.
 */
export function isLegacyVersion (version: number): boolean {
  return version < TLS12
}

/** True for a legacy version name (`TLSv1`, `TLSv1.1`, `SSLv3`, `SSLv2`). */
export function isLegacyName (name: string): boolean {
  return name === 'TLSv1' || name === 'TLSv1.1' || name === 'SSLv3' || name === 'SSLv2'
}

/**
 * GREASE (RFC 8701): the sixteen reserved values 0x0a0a, 0x1a1a, … 0xfafa that clients sprinkle in
 * cipher suites, extensions, groups, versions and signature algorithms. JA3 and JA4 ignore them.
 */
export function isGrease (value: number): boolean {
  return (value & 0x0f0f) === 0x0a0a && (value >> 8) === (value & 0xff)
}
