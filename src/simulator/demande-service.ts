/**
 * The behaviour of the SNE's operations over the store: creation with numéro-unique allocation,
 * modification, renewal, radiation, réactivation, suppression, DALO declarations, reads and
 * searches. Knows the interfaceNuu tree, not SOAP nor HTTP: `soap-handler.ts` gives it decoded
 * documents and wraps its answers.
 *
 * Every method reads the clock once and passes that instant down, so one call sees one "now".
 */
import { type Anomaly, anomaly, rulesToAnomalies } from './anomalies.js'
import { type AnsweredDemande, type Answer, answerDocument, demandeElement } from './answers.js'
import { type Clock, latestDate, parseDateTime, toDate, toDateTime } from './clock.js'
import { DALO_ORDER, DEMANDE_ORDER, RADIATION_ORDER, at, child, childrenNamed, codeAt, coded, leaf, textAt, withChildren } from './demande-tree.js'
import { codes } from './errors.js'
import { createDueSteps } from './due-steps.js'
import { checkStep, validityEnd } from './lifecycle.js'
import { GUICHET_EVENTS } from './national-events.js'
import { MAX_SEQUENCE, formatNumeroUnique, periodOf, territoryOfCommune } from './numero-unique.js'
import { isComplete, personsOf } from './persons.js'
import type { DemandeRecord, EventRecord, SimulatorStore } from './store.js'
import type { XmlNode } from './xml-writer.js'

export interface DemandeServiceDeps {
  store: SimulatorStore
  clock: Clock
  /** the interface version of answers not tied to a request document (the newest the spec knows) */
  answerVersion: string
}

/** A violation reported by the spec's rules, as far as the service needs it. */
export interface RuleViolation {
  code: string
  path?: string
}

/** The declaration of a DALO decision (declarationNouveauDalo). */
export interface DaloDeclaration {
  nu: string
  dateDecisionDalo: string
  statutDalo: string
  typologieLogementDalo?: string
}

/** What a submitted file did, for the caller's logs and counters (no personal data). */
export interface SubmitResult extends Answer {
  typeFichier: string
  nu: string | undefined
}

/** Thrown inside a transaction to roll it back and answer an anomaly instead. */
class Refusal extends Error {
  constructor (readonly anomaly: Anomaly) {
    super(anomaly.code)
  }
}

export interface DemandeService {
  /** getNumUnique: a CRE, CRS, MOD, REN, RAD or SUP file (the interfaceNuu root, converted) */
  submit (document: XmlNode, ruleViolations?: RuleViolation[]): SubmitResult
  /** getDemandeLogement */
  read (nu: string): Answer
  /** getDoublons; throws GW_SIM_SNE_ERROR for a personne morale, as the SNE does */
  doublons (document: XmlNode): Answer
  /** getNouveauxDaloDepuisLe */
  daloSince (since: string): Answer
  /** getDemandesRadieesDepuisLe */
  radiatedSince (since: string): Answer
  /** declarationNouveauDalo */
  declareDalo (declaration: DaloDeclaration): Answer
  /** anomalies alone, for rule violations in a document that is not a submitted file */
  refuse (ruleViolations: RuleViolation[], versionInterface?: string): Answer
  /** creates a demande as a CRE would, at the given instant, with an optional radiation (seeding) */
  createAt (demandeLogement: XmlNode, versionInterface: string, now: Date): string
  /** applies the automatic radiations and purges due now */
  sweep (): void
}

/** Builds the service over a store and a clock. */
export function createDemandeService (deps: DemandeServiceDeps): DemandeService {
  const { store, clock, answerVersion } = deps
  const dueSteps = createDueSteps(store)

  function answered (record: DemandeRecord): AnsweredDemande {
    return { content: record.content, events: store.events(record.nu) }
  }

  function eventsFromFile (demandeLogement: XmlNode, guichet: string, known: EventRecord[], now: Date): EventRecord[] | Anomaly {
    const found: EventRecord[] = []
    for (const evt of childrenNamed(child(demandeLogement, 'listeEvenement'), 'evenement')) {
      const code = evt.attrs?.find((a) => a.name === 'code')?.value ?? ''
      if (!GUICHET_EVENTS.has(code)) continue
      const when = parseDateTime(textAt(evt, 'dateEvenement') ?? '')
      if (when === undefined) continue
      // Five minutes of tolerance between the guichet's clock and ours, as the spec's rule allows.
      if (when.getTime() > now.getTime() + 300_000) return anomaly('CTRL_DEM_0008', { element: 'dateEvenement' })
      const record = { code, at: toDateTime(when), guichet }
      // A client that read the demande and sends it back carries its known events: record each once.
      if (![...known, ...found].some((e) => e.code === record.code && e.at === record.at)) found.push(record)
    }
    return found
  }

  /** The demandeLogement of a file as the store keeps it: no events, anomalies or radiation of the client's. */
  function stored (demandeLogement: XmlNode, values: Record<string, XmlNode | undefined>): XmlNode {
    return withChildren(demandeLogement, DEMANDE_ORDER, { listeEvenement: undefined, listeAnomalie: undefined, radiation: undefined, ...values })
  }

  function daloOf (content: XmlNode, previous: DemandeRecord | undefined, now: Date): Pick<DemandeRecord, 'daloStatut' | 'daloDeclaredAt'> {
    const statut = codeAt(content, 'dalo', 'statutDalo')
    if (statut === undefined) return { daloStatut: previous?.daloStatut, daloDeclaredAt: previous?.daloDeclaredAt }
    const declaredAt = statut === 'ACTIF' && previous?.daloStatut !== 'ACTIF' ? toDateTime(now) : previous?.daloDeclaredAt
    return { daloStatut: statut, daloDeclaredAt: declaredAt }
  }

  function create (demandeLogement: XmlNode, versionInterface: string, now: Date): { record: DemandeRecord, events: EventRecord[] } {
    const guichet = textAt(demandeLogement, 'numGuichet') ?? ''
    const createdOn = textAt(demandeLogement, 'dateCreationDemande') ?? ''
    if (createdOn > latestDate(now)) throw new Refusal(anomaly('CTRL_DEM_0008', { element: 'dateCreationDemande' }))
    const commune = codeAt(at(demandeLogement, 'logementRecherche', 'listeLocalisationSouhaite', 'localisationSouhaite'), 'commune') ?? ''
    const territory = territoryOfCommune(commune)
    if (territory === undefined) throw new Refusal(anomaly('CTRL_DEM_0006', { commune }))
    const period = periodOf(createdOn)
    const fileEvents = eventsFromFile(demandeLogement, guichet, [], now)
    if (!Array.isArray(fileEvents)) throw new Refusal(fileEvents)
    const sequence = store.nextSequence(territory, period)
    if (sequence > MAX_SEQUENCE) throw new Refusal(anomaly('CTRL_DEM_0007', { territory, period }))
    const nu = formatNumeroUnique(territory, period, sequence, guichet)
    const validUntil = validityEnd(createdOn)
    const content = stored(demandeLogement, {
      numUnique: leaf('numUnique', nu), dateRenouvellement: undefined, dateFinValidite: leaf('dateFinValidite', validUntil)
    })
    const complete = isComplete(content)
    const record: DemandeRecord = {
      nu, guichet, status: 'ACTIVE', versionInterface, createdOn, renewedOn: undefined, validUntil, complete,
      radiationMotif: undefined, radiatedAt: undefined, ...daloOf(content, undefined, now), content, updatedAt: toDateTime(now)
    }
    store.insert(record, personsOf(content))
    const events: EventRecord[] = [{ code: 'EVT_CREATION', at: toDateTime(now), guichet }]
    if (complete) events.push({ code: 'EVT_VALIDATION', at: toDateTime(now), guichet })
    events.push(...fileEvents)
    for (const e of events) store.addEvent(nu, e)
    return { record, events }
  }

  function existing (nu: string | undefined, typeFichier: string, now: Date): DemandeRecord {
    if (nu === undefined || nu === '') throw new Refusal(anomaly('CTRL_DEM_0004', { typeFichier }))
    const record = dueSteps.refresh(nu, now)
    if (record === undefined) throw new Refusal(anomaly('CTRL_DEM_0001', { nu }))
    return record
  }

  /** MOD and REN: the file's content replaces the demande's, keeping its numéro unique and initial date. */
  function update (record: DemandeRecord, demandeLogement: XmlNode, renew: boolean, now: Date): DemandeRecord {
    const today = toDate(now)
    const guichet = textAt(demandeLogement, 'numGuichet') ?? record.guichet
    const known = store.events(record.nu)
    const fileEvents = eventsFromFile(demandeLogement, guichet, known, now)
    if (!Array.isArray(fileEvents)) throw new Refusal(fileEvents)
    const renewedOn = renew ? today : record.renewedOn
    const validUntil = renew ? validityEnd(today) : record.validUntil
    const content = stored(demandeLogement, {
      // The demande stays attached to the guichet that registered it; the sender is on the events.
      numGuichet: leaf('numGuichet', record.guichet),
      numUnique: leaf('numUnique', record.nu),
      dateCreationDemande: leaf('dateCreationDemande', record.createdOn),
      dateRenouvellement: renewedOn === undefined ? undefined : leaf('dateRenouvellement', renewedOn),
      dateFinValidite: leaf('dateFinValidite', validUntil),
      // A DALO decision comes from the commission, not from the guichet's file: a file without a
      // dalo block keeps the one recorded.
      dalo: child(demandeLogement, 'dalo') ?? child(record.content, 'dalo')
    })
    const complete = isComplete(content)
    const next: DemandeRecord = {
      ...record, renewedOn, validUntil, complete, ...daloOf(content, record, now), content, updatedAt: toDateTime(now)
    }
    store.update(next, personsOf(content))
    // REN validates the demande for a new year; MOD validates a demande it completes.
    if (renew || (complete && !record.complete)) store.addEvent(record.nu, { code: 'EVT_VALIDATION', at: toDateTime(now), guichet })
    for (const e of fileEvents) store.addEvent(record.nu, e)
    return next
  }

  function radiate (record: DemandeRecord, demandeLogement: XmlNode, now: Date): DemandeRecord {
    const radiation = child(demandeLogement, 'radiation')
    const motif = codeAt(radiation, 'motif') ?? ''
    const guichet = textAt(demandeLogement, 'numGuichet') ?? record.guichet
    const today = toDate(now)
    const step = motif === '' ? 'REACTIVATION' : 'RAD'
    const refused = checkStep(record, step, today, motif)
    if (refused !== undefined) throw new Refusal(refused)
    let next: DemandeRecord
    if (step === 'REACTIVATION') {
      // The demande keeps its numéro unique and seniority; its validity runs a year from the réactivation [M].
      const validUntil = validityEnd(today)
      next = {
        ...record,
        status: 'ACTIVE',
        radiationMotif: undefined,
        radiatedAt: undefined,
        renewedOn: today,
        validUntil,
        updatedAt: toDateTime(now),
        content: withChildren(record.content, DEMANDE_ORDER, {
          radiation: undefined, dateRenouvellement: leaf('dateRenouvellement', today), dateFinValidite: leaf('dateFinValidite', validUntil)
        })
      }
      store.update(next)
      store.addEvent(record.nu, { code: 'EVT_REACTIVATION', at: toDateTime(now), guichet })
      return next
    }
    if (motif === 'RADIRR' && child(radiation, 'sousMotif') === undefined) throw new Refusal(anomaly('CTRL_DEM_0016'))
    if (motif === 'RADATT' && child(radiation, 'attribution') === undefined) throw new Refusal(anomaly('CTRL_DEM_0017'))
    const element = withChildren(radiation ?? { name: 'radiation' }, RADIATION_ORDER, { dateRadiation: leaf('dateRadiation', today) })
    next = {
      ...record,
      status: 'RADIEE',
      radiationMotif: motif,
      radiatedAt: toDateTime(now),
      updatedAt: toDateTime(now),
      content: withChildren(record.content, DEMANDE_ORDER, { radiation: element })
    }
    store.update(next)
    if (motif === 'RADIRR') store.addEvent(record.nu, { code: 'EVT_NON_RECEVABILITE', at: toDateTime(now), guichet })
    store.addEvent(record.nu, { code: 'EVT_RADIATION', at: toDateTime(now), guichet })
    return next
  }

  /** SUP: the demande's personal data are erased; its number and events stay, so the number is never reused. */
  function suppress (record: DemandeRecord, now: Date): void {
    const refused = checkStep(record, 'SUP', toDate(now))
    if (refused !== undefined) throw new Refusal(refused)
    const content: XmlNode = {
      name: 'demandeLogement',
      children: [leaf('numGuichet', record.guichet), leaf('numUnique', record.nu), leaf('dateCreationDemande', record.createdOn)]
    }
    store.update({ ...record, status: 'SUPPRIMEE', content, updatedAt: toDateTime(now) }, [])
  }

  function refusedAnswer (versionInterface: string, now: Date, demandeLogement: XmlNode, anomalies: Anomaly[]): string {
    const demande = demandeElement({ content: stored(demandeLogement, {}), events: [] }, versionInterface, anomalies)
    return answerDocument({ versionInterface, now, demandes: [demande] })
  }

  function submit (document: XmlNode, ruleViolations: RuleViolation[] = []): SubmitResult {
    const now = clock()
    const versionInterface = document.attrs?.find((a) => a.name === 'versionInterface')?.value ?? answerVersion
    const typeFichier = textAt(document, 'entete', 'typeFichier') ?? ''
    const demandes = childrenNamed(document, 'demande')
    const demandeLogement = child(demandes[0], 'demandeLogement')
    if (demandes.length !== 1 || demandeLogement === undefined) {
      const anomalies = [anomaly('CTRL_DEM_0021')]
      return { typeFichier, nu: undefined, xml: answerDocument({ versionInterface, now, anomalies }), anomalies: ['CTRL_DEM_0021'] }
    }
    const nu = textAt(demandeLogement, 'numUnique')
    const fromRules = rulesToAnomalies(ruleViolations, typeFichier)
    if (fromRules.length > 0) {
      return { typeFichier, nu, xml: refusedAnswer(versionInterface, now, demandeLogement, fromRules), anomalies: fromRules.map((a) => a.code) }
    }
    try {
      const record = store.transaction(() => {
        switch (typeFichier) {
          case 'CRE':
          case 'CRS':
            if (nu !== undefined) throw new Refusal(anomaly('CTRL_DEM_0003', { typeFichier }))
            return create(demandeLogement, versionInterface, now).record
          case 'MOD':
          case 'REN': {
            const record = existing(nu, typeFichier, now)
            const refused = checkStep(record, typeFichier, toDate(now))
            if (refused !== undefined) throw new Refusal(refused)
            return update(record, demandeLogement, typeFichier === 'REN', now)
          }
          case 'RAD':
            return radiate(existing(nu, typeFichier, now), demandeLogement, now)
          case 'SUP': {
            const record = existing(nu, typeFichier, now)
            suppress(record, now)
            // The answer shows the demande as it was, with the events of its life.
            return record
          }
          default:
            throw new Refusal(anomaly('CTRL_DEM_0005', { typeFichier }))
        }
      })
      const demande = demandeElement(answered(record), versionInterface)
      return { typeFichier, nu: record.nu, xml: answerDocument({ versionInterface, now, demandes: [demande] }), anomalies: [] }
    } catch (err) {
      if (!(err instanceof Refusal)) throw err
      return { typeFichier, nu, xml: refusedAnswer(versionInterface, now, demandeLogement, [err.anomaly]), anomalies: [err.anomaly.code] }
    }
  }

  function read (nu: string): Answer {
    const now = clock()
    const record = dueSteps.refresh(nu, now)
    const refused = record === undefined
      ? anomaly('CTRL_DEM_0001', { nu })
      : record.status === 'SUPPRIMEE' ? anomaly('CTRL_DEM_0002', { nu }) : undefined
    if (refused !== undefined || record === undefined) {
      const anomalies = refused === undefined ? [] : [refused]
      return { xml: answerDocument({ versionInterface: answerVersion, now, anomalies }), anomalies: anomalies.map((a) => a.code) }
    }
    return { xml: answerDocument({ versionInterface: answerVersion, now, demandes: [demandeElement(answered(record), answerVersion)] }), anomalies: [] }
  }

  function doublons (document: XmlNode): Answer {
    const now = clock()
    const demandeLogement = at(document, 'demande', 'demandeLogement')
    // The SNE fails on a personne morale here (libsne notes it as a known server bug, docs/sne-reference.md §4.3).
    if (demandeLogement === undefined || child(demandeLogement, 'personneMorale') !== undefined) throw new codes.GW_SIM_SNE_ERROR()
    const own = textAt(demandeLogement, 'numUnique')
    const keys = [...new Set(personsOf(demandeLogement).map((p) => p.key))]
    const seen = new Set<string>()
    const matches = store.findPersons(keys).filter((m) => {
      const id = `${m.nu}|${m.key}`
      if (m.nu === own || seen.has(id)) return false
      seen.add(id)
      return dueSteps.refresh(m.nu, now) !== undefined
    })
    const versionInterface = document.attrs?.find((a) => a.name === 'versionInterface')?.value ?? answerVersion
    return { xml: answerDocument({ versionInterface, now, doublons: matches }), anomalies: [] }
  }

  function list (records: DemandeRecord[], now: Date): Answer {
    const demandes = records.map((r) => demandeElement(answered(r), answerVersion))
    return { xml: answerDocument({ versionInterface: answerVersion, now, demandes }), anomalies: [] }
  }

  /** The bound of a "depuis le" query as an ISO UTC string, comparable with the stored instants. */
  function since (value: string): string {
    const instant = parseDateTime(value)
    if (instant !== undefined) return toDateTime(instant)
    // A valid xs:dateTime outside years 0000–9999 (e.g. 10000-01-01T00:00:00): before or after everything.
    return value.trim().startsWith('-') ? '0000' : '9999'
  }

  function declareDalo (declaration: DaloDeclaration): Answer {
    const now = clock()
    const { nu } = declaration
    const refusal = (a: Anomaly): Answer => ({ xml: answerDocument({ versionInterface: answerVersion, now, anomalies: [a] }), anomalies: [a.code] })
    if (declaration.dateDecisionDalo.slice(0, 10) > latestDate(now)) return refusal(anomaly('CTRL_DEM_0008', { element: 'dateDecisionDalo' }))
    const record = dueSteps.refresh(nu, now)
    if (record === undefined) return refusal(anomaly('CTRL_DEM_0001', { nu }))
    const refused = checkStep(record, 'DALO', toDate(now))
    if (refused !== undefined) return refusal(refused)
    const dalo = withChildren({ name: 'dalo' }, DALO_ORDER, {
      statutDalo: coded('statutDalo', declaration.statutDalo),
      dateDecisionDalo: leaf('dateDecisionDalo', declaration.dateDecisionDalo.slice(0, 10)),
      typologieLogementDalo: declaration.typologieLogementDalo === undefined ? undefined : coded('typologieLogementDalo', declaration.typologieLogementDalo)
    })
    const content = withChildren(record.content, DEMANDE_ORDER, { dalo })
    const next: DemandeRecord = { ...record, content, ...daloOf(content, record, now), updatedAt: toDateTime(now) }
    store.transaction(() => store.update(next))
    return { xml: answerDocument({ versionInterface: answerVersion, now, demandes: [demandeElement(answered(next), answerVersion)] }), anomalies: [] }
  }

  function refuse (ruleViolations: RuleViolation[], versionInterface = answerVersion): Answer {
    const anomalies = rulesToAnomalies(ruleViolations, '')
    return { xml: answerDocument({ versionInterface, now: clock(), anomalies }), anomalies: anomalies.map((a) => a.code) }
  }

  return {
    submit,
    refuse,
    read,
    doublons,
    daloSince (value) {
      const now = clock()
      dueSteps.sweep(now)
      return list(store.daloSince(since(value)), now)
    },
    radiatedSince (value) {
      const now = clock()
      dueSteps.sweep(now)
      return list(store.radiatedSince(since(value)), now)
    },
    declareDalo,
    createAt (demandeLogement, versionInterface, now) {
      return store.transaction(() => create(demandeLogement, versionInterface, now).record.nu)
    },
    sweep () {
      dueSteps.sweep(clock())
    }
  }
}
