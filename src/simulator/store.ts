/**
 * The simulator's state: demandes, their national events, the identity keys of their persons
 * (for getDoublons) and the numéro-unique sequences, in SQLite (better-sqlite3). Records only:
 * the rules of the lifecycle live in `lifecycle.ts` and `demande-service.ts`.
 *
 * In memory by default; with a file, the database runs in WAL mode with `synchronous=FULL`:
 * a transaction that returned is in the WAL and fsynced, so an answered write survives a
 * `kill -9` (already true with NORMAL, since the WAL write precedes the answer) and also a
 * power loss (NORMAL could lose the last transactions there). A crash mid-transaction leaves
 * the previous committed state: SQLite's WAL never exposes a half-written transaction.
 */
import Database from 'better-sqlite3'
import { codes } from './errors.js'
import type { XmlNode } from './xml-writer.js'

export type DemandeStatus = 'ACTIVE' | 'RADIEE' | 'SUPPRIMEE'

/** A demande as the store keeps it. `content` is the demandeLogement element, as answered. */
export interface DemandeRecord {
  nu: string
  /** the registering guichet (`G` + 4 digits) */
  guichet: string
  status: DemandeStatus
  versionInterface: string
  /** dateCreationDemande, `YYYY-MM-DD`: kept by every later step */
  createdOn: string
  /** date of the last renewal (or réactivation), `YYYY-MM-DD` */
  renewedOn: string | undefined
  /** last day of validity, `YYYY-MM-DD` */
  validUntil: string
  /** the demande carries everything its validation needs (see demande-service.ts) */
  complete: boolean
  /** radiation motif while radiated (RADABA, RADATT, RADIRR, RADCON, RADREN) */
  radiationMotif: string | undefined
  /** instant of the radiation, ISO UTC */
  radiatedAt: string | undefined
  /** statutDalo last declared or sent */
  daloStatut: string | undefined
  /** instant the DALO decision reached the simulator, ISO UTC */
  daloDeclaredAt: string | undefined
  content: XmlNode
  /** instant of the last change, ISO UTC */
  updatedAt: string
}

/** One national event recorded on a demande. */
export interface EventRecord {
  code: string
  /** ISO UTC */
  at: string
  /** the guichet at the origin of the event */
  guichet: string
}

/** A person of a demande, for duplicate detection. */
export interface PersonRecord {
  role: 'demandeur' | 'cotitulaire'
  nom: string
  prenom: string
  dateNaissance: string
  /** the comparison key (normalized nom + prénom + date de naissance) */
  key: string
}

export interface PersonMatch extends PersonRecord {
  nu: string
  guichet: string
}

export interface StoreOptions {
  /** SQLite file; undefined or ':memory:' keeps everything in memory */
  file?: string
}

/** The storage interface the behaviour uses. Every method is synchronous (better-sqlite3). */
export interface SimulatorStore {
  /** true when the state is in a file */
  readonly persistent: boolean
  /** runs `fn` in one immediate (write-locking) transaction */
  transaction<T> (fn: () => T): T
  /** the next sequence number of a territory and period (MMYY), starting at 1 */
  nextSequence (territory: string, period: string): number
  insert (record: DemandeRecord, persons: PersonRecord[]): void
  /** replaces a demande; its persons too when given */
  update (record: DemandeRecord, persons?: PersonRecord[]): void
  get (nu: string): DemandeRecord | undefined
  /** removes a demande with its events and persons */
  purge (nu: string): void
  addEvent (nu: string, event: EventRecord): void
  events (nu: string): EventRecord[]
  /** the persons of non-deleted demandes whose key is among `keys` */
  findPersons (keys: string[]): PersonMatch[]
  /** radiated demandes with radiatedAt ≥ since (ISO UTC), oldest first */
  radiatedSince (since: string): DemandeRecord[]
  /** demandes with statutDalo ACTIF declared at or after since (ISO UTC), oldest first */
  daloSince (since: string): DemandeRecord[]
  /** numéros uniques of active demandes whose validity ended before `date` */
  activeExpiredBefore (date: string): string[]
  /** numéros uniques of demandes radiated before `instant` */
  radiatedBefore (instant: string): string[]
  /** number of demandes by status */
  counts (): Record<DemandeStatus, number>
  close (): void
}

const SCHEMA_VERSION = 1

const SCHEMA = `
CREATE TABLE sequence (
  territory TEXT NOT NULL,
  period TEXT NOT NULL,
  last INTEGER NOT NULL,
  PRIMARY KEY (territory, period)
) WITHOUT ROWID;
CREATE TABLE demande (
  nu TEXT PRIMARY KEY,
  guichet TEXT NOT NULL,
  status TEXT NOT NULL,
  version_interface TEXT NOT NULL,
  created_on TEXT NOT NULL,
  renewed_on TEXT,
  valid_until TEXT NOT NULL,
  complete INTEGER NOT NULL,
  radiation_motif TEXT,
  radiated_at TEXT,
  dalo_statut TEXT,
  dalo_declared_at TEXT,
  content TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX demande_validity ON demande (status, valid_until);
CREATE INDEX demande_radiated ON demande (status, radiated_at);
CREATE INDEX demande_dalo ON demande (dalo_statut, dalo_declared_at);
CREATE TABLE evenement (
  id INTEGER PRIMARY KEY,
  nu TEXT NOT NULL REFERENCES demande (nu) ON DELETE CASCADE,
  code TEXT NOT NULL,
  at TEXT NOT NULL,
  guichet TEXT NOT NULL
);
CREATE INDEX evenement_nu ON evenement (nu, id);
CREATE TABLE personne (
  nu TEXT NOT NULL REFERENCES demande (nu) ON DELETE CASCADE,
  role TEXT NOT NULL,
  nom TEXT NOT NULL,
  prenom TEXT NOT NULL,
  date_naissance TEXT NOT NULL,
  key TEXT NOT NULL
);
CREATE INDEX personne_key ON personne (key);
CREATE INDEX personne_nu ON personne (nu);
`

interface DemandeRow {
  nu: string
  guichet: string
  status: string
  version_interface: string
  created_on: string
  renewed_on: string | null
  valid_until: string
  complete: number
  radiation_motif: string | null
  radiated_at: string | null
  dalo_statut: string | null
  dalo_declared_at: string | null
  content: string
  updated_at: string
}

function toRow (r: DemandeRecord): DemandeRow {
  return {
    nu: r.nu,
    guichet: r.guichet,
    status: r.status,
    version_interface: r.versionInterface,
    created_on: r.createdOn,
    renewed_on: r.renewedOn ?? null,
    valid_until: r.validUntil,
    complete: r.complete ? 1 : 0,
    radiation_motif: r.radiationMotif ?? null,
    radiated_at: r.radiatedAt ?? null,
    dalo_statut: r.daloStatut ?? null,
    dalo_declared_at: r.daloDeclaredAt ?? null,
    content: JSON.stringify(r.content),
    updated_at: r.updatedAt
  }
}

function fromRow (row: DemandeRow): DemandeRecord {
  return {
    nu: row.nu,
    guichet: row.guichet,
    status: row.status as DemandeStatus,
    versionInterface: row.version_interface,
    createdOn: row.created_on,
    renewedOn: row.renewed_on ?? undefined,
    validUntil: row.valid_until,
    complete: row.complete === 1,
    radiationMotif: row.radiation_motif ?? undefined,
    radiatedAt: row.radiated_at ?? undefined,
    daloStatut: row.dalo_statut ?? undefined,
    daloDeclaredAt: row.dalo_declared_at ?? undefined,
    content: JSON.parse(row.content) as XmlNode,
    updatedAt: row.updated_at
  }
}

function open (file: string): Database.Database {
  try {
    return new Database(file)
  } catch (err) {
    throw new codes.GW_SIM_STORE_UNAVAILABLE(file, (err as Error).message, { cause: err })
  }
}

/** Opens (and on first use creates) the simulator's store. */
export function openStore (options: StoreOptions = {}): SimulatorStore {
  const file = options.file ?? ':memory:'
  const persistent = file !== ':memory:'
  const db = open(file)
  try {
    if (persistent) {
      db.pragma('journal_mode = WAL')
      db.pragma('synchronous = FULL')
    }
    db.pragma('foreign_keys = ON')
    db.pragma('busy_timeout = 5000')
    const version = db.pragma('user_version', { simple: true }) as number
    if (version === 0) {
      db.transaction(() => {
        db.exec(SCHEMA)
        db.pragma(`user_version = ${SCHEMA_VERSION}`)
      }).immediate()
    } else if (version !== SCHEMA_VERSION) {
      throw new codes.GW_SIM_STORE_VERSION(file, version, SCHEMA_VERSION)
    }
  } catch (err) {
    db.close()
    if (err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('GW_SIM_')) throw err
    throw new codes.GW_SIM_STORE_UNAVAILABLE(file, (err as Error).message, { cause: err })
  }

  const columns = 'nu, guichet, status, version_interface, created_on, renewed_on, valid_until, complete, radiation_motif, radiated_at, dalo_statut, dalo_declared_at, content, updated_at'
  const params = columns.split(', ').map((c) => `@${c}`).join(', ')
  const stmt = {
    nextSequence: db.prepare<[string, string], { last: number }>(
      `INSERT INTO sequence (territory, period, last) VALUES (?, ?, 1)
       ON CONFLICT (territory, period) DO UPDATE SET last = last + 1 RETURNING last`),
    insert: db.prepare<DemandeRow>(`INSERT INTO demande (${columns}) VALUES (${params})`),
    update: db.prepare<DemandeRow>(`UPDATE demande SET ${columns.split(', ').slice(1).map((c) => `${c} = @${c}`).join(', ')} WHERE nu = @nu`),
    get: db.prepare<[string], DemandeRow>(`SELECT ${columns} FROM demande WHERE nu = ?`),
    purge: db.prepare<[string]>('DELETE FROM demande WHERE nu = ?'),
    addEvent: db.prepare<[string, string, string, string]>('INSERT INTO evenement (nu, code, at, guichet) VALUES (?, ?, ?, ?)'),
    events: db.prepare<[string], EventRecord>('SELECT code, at, guichet FROM evenement WHERE nu = ? ORDER BY id'),
    deletePersons: db.prepare<[string]>('DELETE FROM personne WHERE nu = ?'),
    addPerson: db.prepare<[string, string, string, string, string, string]>(
      'INSERT INTO personne (nu, role, nom, prenom, date_naissance, key) VALUES (?, ?, ?, ?, ?, ?)'),
    findPersons: db.prepare<[string], { nu: string, guichet: string, role: string, nom: string, prenom: string, date_naissance: string, key: string }>(
      `SELECT p.nu, d.guichet, p.role, p.nom, p.prenom, p.date_naissance, p.key
       FROM personne p JOIN demande d ON d.nu = p.nu
       WHERE p.key IN (SELECT value FROM json_each(?)) AND d.status <> 'SUPPRIMEE'
       ORDER BY p.nu, p.rowid`),
    radiatedSince: db.prepare<[string], DemandeRow>(
      `SELECT ${columns} FROM demande WHERE status = 'RADIEE' AND radiated_at >= ? ORDER BY radiated_at, nu`),
    daloSince: db.prepare<[string], DemandeRow>(
      `SELECT ${columns} FROM demande WHERE dalo_statut = 'ACTIF' AND status <> 'SUPPRIMEE' AND dalo_declared_at >= ? ORDER BY dalo_declared_at, nu`),
    activeExpiredBefore: db.prepare<[string], { nu: string }>(
      "SELECT nu FROM demande WHERE status = 'ACTIVE' AND valid_until < ? ORDER BY nu"),
    radiatedBefore: db.prepare<[string], { nu: string }>(
      "SELECT nu FROM demande WHERE status = 'RADIEE' AND radiated_at < ? ORDER BY nu"),
    counts: db.prepare<[], { status: string, n: number }>('SELECT status, count(*) AS n FROM demande GROUP BY status')
  }

  function writePersons (nu: string, persons: PersonRecord[]): void {
    stmt.deletePersons.run(nu)
    for (const p of persons) stmt.addPerson.run(nu, p.role, p.nom, p.prenom, p.dateNaissance, p.key)
  }

  return {
    persistent,
    transaction<T> (fn: () => T): T {
      return db.transaction(fn).immediate()
    },
    nextSequence (territory, period) {
      return stmt.nextSequence.get(territory, period)!.last
    },
    insert (record, persons) {
      stmt.insert.run(toRow(record))
      writePersons(record.nu, persons)
    },
    update (record, persons) {
      stmt.update.run(toRow(record))
      if (persons !== undefined) writePersons(record.nu, persons)
    },
    get (nu) {
      const row = stmt.get.get(nu)
      return row === undefined ? undefined : fromRow(row)
    },
    purge (nu) {
      stmt.purge.run(nu)
    },
    addEvent (nu, event) {
      stmt.addEvent.run(nu, event.code, event.at, event.guichet)
    },
    events (nu) {
      return stmt.events.all(nu)
    },
    findPersons (keys) {
      if (keys.length === 0) return []
      return stmt.findPersons.all(JSON.stringify(keys)).map((r) => ({
        nu: r.nu, guichet: r.guichet, role: r.role as PersonRecord['role'], nom: r.nom, prenom: r.prenom, dateNaissance: r.date_naissance, key: r.key
      }))
    },
    radiatedSince (since) {
      return stmt.radiatedSince.all(since).map(fromRow)
    },
    daloSince (since) {
      return stmt.daloSince.all(since).map(fromRow)
    },
    activeExpiredBefore (date) {
      return stmt.activeExpiredBefore.all(date).map((r) => r.nu)
    },
    radiatedBefore (instant) {
      return stmt.radiatedBefore.all(instant).map((r) => r.nu)
    },
    counts () {
      const counts: Record<DemandeStatus, number> = { ACTIVE: 0, RADIEE: 0, SUPPRIMEE: 0 }
      for (const row of stmt.counts.all()) counts[row.status as DemandeStatus] = row.n
      return counts
    },
    close () {
      if (db.open) db.close()
    }
  }
}
