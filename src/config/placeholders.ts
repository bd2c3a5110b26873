/**
 * `${VAR}` placeholders in the configuration file's string values, replaced from the environment
 * (secrets such as key passphrases stay out of the file). A placeholder naming an unset variable is
 * an error, never an empty string: an empty passphrase or URL would fail later and further from
 * its cause. `$${` writes a literal `${`.
 */
import { codes } from './errors.js'

const PLACEHOLDER = /\$(\$?)\{([^}]*)\}/g
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

function replaceIn (value: string, path: string, env: Readonly<Record<string, string | undefined>>): string {
  return value.replace(PLACEHOLDER, (whole, escape: string, name: string) => {
    if (escape === '$') return whole.slice(1)
    if (!NAME.test(name)) throw new codes.GW_CONFIG_BAD_ENV_VALUE(`placeholder at ${path}`, `'${name}' is not a variable name`)
    const found = env[name]
    if (found === undefined) throw new codes.GW_CONFIG_MISSING_VARIABLE(path, name)
    return found
  })
}

/** Returns a copy of `value` with every placeholder of every string replaced. */
export function replacePlaceholders (value: unknown, env: Readonly<Record<string, string | undefined>>, path = ''): unknown {
  if (typeof value === 'string') return replaceIn(value, path === '' ? '/' : path, env)
  if (Array.isArray(value)) return value.map((v, i) => replacePlaceholders(v, env, `${path}/${i}`))
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    // defineProperty, not assignment: a JSON key "__proto__" must stay a plain (rejected) key.
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, { value: replacePlaceholders(v, env, `${path}/${k}`), enumerable: true, writable: true, configurable: true })
    }
    return out
  }
  return value
}
