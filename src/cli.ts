#!/usr/bin/env -S node --max-semi-space-size=8
/**
 * The only impure entry: reads arguments and the environment, listens, installs signal handlers.
 * Each subcommand lives in `src/cli/<name>.ts` and returns the process exit code.
 */
import { argv, exit, stderr, stdout } from 'node:process'
import { FATAL_EXIT_CODE, fatalLine, packageVersion } from './cli/fatal.js'

const USAGE = `usage: sne-gateway <command> [options]

commands:
  start        run the gateway (with no configuration: in front of the embedded école simulator)
  simulator    run the SNE école simulator
  validate     check SOAP messages or interfaceNuu documents offline
  convert      convert interfaceNuu documents between XML and JSON, offline
  schema       print the JSON Schema (or OpenAPI) of the interface's JSON contract
  idempotency  list the REST writes whose outcome is unknown (ops)
  help         print this help

  --version    print the version

A command that cannot start prints one JSON line on stderr (its GW_… code and the option or file
at fault) and exits with status 1; a usage error exits with status 2.
`

type Command = (args: string[]) => Promise<number>

const commands: Record<string, () => Promise<Command>> = {
  start: async () => (await import('./cli/start.js')).default,
  simulator: async () => (await import('./cli/simulator.js')).default,
  validate: async () => (await import('./cli/validate.js')).default,
  convert: async () => (await import('./cli/convert.js')).default,
  schema: async () => (await import('./cli/schema.js')).default,
  idempotency: async () => (await import('./cli/idempotency.js')).default
}

async function main (args: string[]): Promise<number> {
  const [name, ...rest] = args
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    stderr.write(USAGE)
    return name === undefined ? 2 : 0
  }
  if (name === '--version' || name === 'version') {
    stdout.write(`sne-gateway ${packageVersion()}\n`)
    return 0
  }
  const load = commands[name]
  if (load === undefined) {
    stderr.write(`sne-gateway: unknown command '${name}'\n\n${USAGE}`)
    return 2
  }
  return await (await load())(rest)
}

main(argv.slice(2)).then((code) => {
  // `start` and `simulator` keep running: they return only once closed.
  if (code !== 0) exit(code)
}, (err: unknown) => {
  stderr.write(fatalLine(err) + '\n')
  exit(FATAL_EXIT_CODE)
})
