/**
 * Reading the files the configuration names, secrets with care: a private key, a passphrase file or
 * the TLS ticket keys readable by every user of the machine is refused at start and at reload, with
 * the option and the path in the error, before its content is read. Passphrases come inline (from
 * the file or a `${VAR}` placeholder: an environment variable) or from a `passphraseFile` — never
 * from the command line, where `ps` shows them.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs'
import { readFile, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { codes } from '../config/errors.js'

/** Reads a public file (certificate, CA, CRL); `option` is the JSON pointer that names it. */
export async function readPublicFile (option: string, file: string): Promise<Buffer> {
  try {
    return await readFile(file)
  } catch (err) {
    throw new codes.GW_CONFIG_FILE_UNREADABLE(option, file, (err as Error).message, { cause: err })
  }
}

/** Reads a secret file, refusing it when every user may read it (symbolic links are followed). */
export async function readSecretFile (option: string, file: string): Promise<Buffer> {
  let mode: number
  try {
    mode = (await stat(file)).mode
  } catch (err) {
    throw new codes.GW_CONFIG_FILE_UNREADABLE(option, file, (err as Error).message, { cause: err })
  }
  if ((mode & 0o004) !== 0) throw new codes.GW_CONFIG_SECRET_WORLD_READABLE(option, file, (mode & 0o777).toString(8).padStart(4, '0'))
  return await readPublicFile(option, file)
}

/** Where a key's passphrase may be configured. */
export interface PassphraseSource {
  passphrase?: string | undefined
  passphraseFile?: string | undefined
}

/**
 * The passphrase of `at` (a JSON pointer): inline, or the first line of its `passphraseFile`
 * (a trailing line break, as `echo` writes, is not part of it).
 */
export async function readPassphrase (at: string, source: PassphraseSource): Promise<string | undefined> {
  if (source.passphraseFile === undefined) return source.passphrase
  const text = (await readSecretFile(`${at}/passphraseFile`, source.passphraseFile)).toString('utf8')
  return text.replace(/\r?\n$/, '')
}

/**
 * Prepares a private file the gateway writes (an SQLite database holding client addresses or a
 * demandeur's fields): its folder created 0700 when missing, the file created 0600 before anything
 * opens it, an existing one narrowed to 0600, and so are SQLite's WAL and shared-memory companions
 * (SQLite creates them with the database's mode, an older one may be wider).
 */
export function preparePrivateFile (file: string): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  closeSync(openSync(file, 'a', 0o600))
  chmodSync(file, 0o600)
  for (const companion of [`${file}-wal`, `${file}-shm`]) if (existsSync(companion)) chmodSync(companion, 0o600)
}
