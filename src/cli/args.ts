/**
 * The argument scanner of the offline subcommands (validate, convert, schema): `--name value`,
 * `--name=value`, boolean flags, `-h`/`--help`, `--` before file names that start with '-', and
 * the positional arguments. Each command then checks its own values and combinations.
 */

export interface ScannedArgs {
  /** the valued options given, by name (`--spec`) */
  values: Map<string, string>
  /** the boolean flags given (`--json`) */
  flags: Set<string>
  positionals: string[]
  help: boolean
}

/** Scans `args`; a string is a usage error. */
export function scanArgs (args: readonly string[], valued: readonly string[], flags: readonly string[] = []): ScannedArgs | string {
  const out: ScannedArgs = { values: new Map(), flags: new Set(), positionals: [], help: false }
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    const eq = arg.indexOf('=')
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg
    if (valued.includes(name)) {
      const value = eq > 0 && name !== arg ? arg.slice(eq + 1) : args[++i]
      if (value === undefined || value === '') return `option ${name} needs a value`
      out.values.set(name, value)
    } else if (flags.includes(arg)) out.flags.add(arg)
    else if (arg === '-h' || arg === '--help') out.help = true
    else if (arg === '--') {
      out.positionals.push(...args.slice(i + 1))
      break
    } else if (arg.startsWith('-') && arg !== '-') return `unknown option ${arg}`
    else out.positionals.push(arg)
  }
  return out
}

/** The value of a valued option that takes one of `choices`, or a usage error. */
export function choiceOf<T extends string> (scanned: ScannedArgs, name: string, choices: readonly T[]): T | undefined | { error: string } {
  const value = scanned.values.get(name)
  if (value === undefined) return undefined
  if (!(choices as readonly string[]).includes(value)) return { error: `option ${name} takes ${choices.join(' or ')}, not ${JSON.stringify(value)}` }
  return value as T
}
