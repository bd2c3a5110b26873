/**
 * The audit trail for reconciliation: a record for each call whose outcome the gateway cannot know
 * (a write that failed after it was sent: the SNE may have registered it) or could not deliver.
 * Records go to the log (field `audit: true`) and, when configured, are appended to a JSON-lines
 * file that survives restarts. They carry identifiers only — request id, time, environment,
 * operation, client identity, the SHA-256 of the request body and its file name
 * (`nomFichierDemande`, a guichet code and a timestamp) — never the body or personal data.
 */
import { appendFileSync } from 'node:fs'
import type { Logger } from 'pino'

export interface AuditRecord {
  event: 'outcome_unknown' | 'answer_not_delivered' | 'answer_truncated'
  /** REST writes with an Idempotency-Key (idempotency/): a creation sent again after its reconciliation, or a retry answered "outcome unknown" */
  | 'idempotency_resend' | 'idempotency_outcome_unknown'
  reqId: string
  /** the client's own X-Request-Id (sanitized, bounded), for the editor's side of the reconciliation */
  clientRequestId?: string | undefined
  env: string
  operation: string
  identity: string | undefined
  /** hex SHA-256 of the request body as received (and forwarded); for the idempotency events, the request's fingerprint */
  bodySha256: string
  /** the client's Idempotency-Key, for the idempotency events */
  idempotencyKey?: string | undefined
  /** the numéro unique concerned, when known */
  numUnique?: string | undefined
  /** the request's nomFichierDemande, when it has one */
  fileName?: string | undefined
  /** the upstream failure code, e.g. UND_ERR_HEADERS_TIMEOUT */
  cause?: string | undefined
}

export interface AuditLog {
  record (entry: AuditRecord): void
}

/**
 * Creates the audit log. The file append is synchronous on purpose: these records are rare and
 * must be on disk before the Fault is answered, so that a crash right after cannot lose one.
 */
export function createAuditLog (options: { file?: string | undefined, logger: Logger, clock: () => Date, afterWrite?: () => void }): AuditLog {
  const { file, logger, clock, afterWrite } = options
  return {
    record (entry) {
      const line = { time: clock().toISOString(), ...entry }
      logger.warn({ audit: true, ...line }, 'audit: reconciliation needed')
      if (file !== undefined) {
        try {
          appendFileSync(file, JSON.stringify(line) + '\n', { mode: 0o600 })
          afterWrite?.()
        } catch (err) {
          logger.error({ err, audit: true }, 'audit: the record could not be written to the audit file')
        }
      }
    }
  }
}
