/**
 * What the ops plane says of a store: whether its last statement succeeded, and since when it has
 * failed. The stores report each statement's outcome; `/health/ready` shows it and the metrics
 * count it. A failing store does not make the gateway unready: reads and SOAP calls go on without
 * it, and only the writes that need a record are refused (with their own code and Retry-After).
 */
export interface StoreObserver {
  /** a statement succeeded */
  ok: () => void
  /** a statement failed; `code` is the driver's error code (ECONNREFUSED, 57P01, SQLITE_BUSY…) */
  failed: (operation: string, code: string) => void
}

export interface StoreStatus {
  backend: 'sqlite' | 'postgresql'
  ok: boolean
  /** when the current failure started (ISO 8601), while it lasts */
  failingSince?: string
  /** the last failure's error code, while it lasts */
  error?: string
}

export class StoreHealth implements StoreObserver {
  #ok = true
  #since: number | undefined
  #error: string | undefined

  constructor (
    readonly backend: StoreStatus['backend'],
    private readonly onFailure: (operation: string, code: string) => void = () => {},
    private readonly now: () => number = Date.now
  ) {}

  ok (): void {
    this.#ok = true
    this.#since = undefined
    this.#error = undefined
  }

  failed (operation: string, code: string): void {
    if (this.#ok) this.#since = this.now()
    this.#ok = false
    this.#error = code
    this.onFailure(operation, code)
  }

  get up (): boolean {
    return this.#ok
  }

  status (): StoreStatus {
    if (this.#ok) return { backend: this.backend, ok: true }
    return { backend: this.backend, ok: false, failingSince: new Date(this.#since ?? this.now()).toISOString(), error: this.#error }
  }
}
