/**
 * Fastify's per-request logger, made only when a call logs something. Fastify gives every request
 * a child of the data plane's logger bound to its request id (`reqId`); pino builds a child by
 * serializing its bindings (1.4 % of the event loop's samples under load, bench/RESULTS.md), and
 * a call that goes well writes no line through it: its one access line goes through `accessLog`
 * (routes/access-log.ts). This logger holds the parent and the bindings and makes the
 * real child on the first line that its level lets through, or on any use of `child` or `level`;
 * the lines are those the eager child would have written.
 */
import type { FastifyBaseLogger } from 'fastify'
import type { Bindings, ChildLoggerOptions, Level, LevelWithSilentOrString, LogFn } from 'pino'

type Method = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace'

export class LazyChildLogger implements FastifyBaseLogger {
  readonly #parent: FastifyBaseLogger
  readonly #bindings: Bindings
  readonly #options: ChildLoggerOptions | undefined
  #child: FastifyBaseLogger | undefined

  constructor (parent: FastifyBaseLogger, bindings: Bindings, options?: ChildLoggerOptions) {
    this.#parent = parent
    this.#bindings = bindings
    this.#options = options
  }

  #real (): FastifyBaseLogger {
    this.#child ??= this.#parent.child(this.#bindings, this.#options)
    return this.#child
  }

  /** The child once made; until then, whether the parent's level lets `level` through. */
  #log (method: Method, args: Parameters<LogFn>): void {
    if (this.#child === undefined && !(this.#parent as unknown as { isLevelEnabled: (l: Level) => boolean }).isLevelEnabled(method)) return
    const real = this.#real()
    real[method](...args)
  }

  get level (): LevelWithSilentOrString { return (this.#child ?? this.#parent).level }
  set level (level: LevelWithSilentOrString) { this.#real().level = level }

  fatal (...args: Parameters<LogFn>): void { this.#log('fatal', args) }
  error (...args: Parameters<LogFn>): void { this.#log('error', args) }
  warn (...args: Parameters<LogFn>): void { this.#log('warn', args) }
  info (...args: Parameters<LogFn>): void { this.#log('info', args) }
  debug (...args: Parameters<LogFn>): void { this.#log('debug', args) }
  trace (...args: Parameters<LogFn>): void { this.#log('trace', args) }
  silent (): void {}

  child (bindings: Bindings, options?: ChildLoggerOptions): FastifyBaseLogger {
    return this.#real().child(bindings, options)
  }
}

/** Fastify's `childLoggerFactory`: the request's logger, made on its first line. */
export function lazyChildLoggerFactory (logger: FastifyBaseLogger, bindings: Bindings, options: ChildLoggerOptions): FastifyBaseLogger {
  return new LazyChildLogger(logger, bindings, options)
}
