/**
 * The configuration schema: the single source of the configuration's shape, its defaults and its
 * types (`GatewayConfig` is derived from it, never written by hand). ajv validates a configuration
 * against it with `additionalProperties: false` everywhere and `useDefaults`, so that a typo is an
 * error and an absent option gets the value documented in docs/configuration.md.
 *
 * Durations carry their unit in their name (`…Ms`, `…Seconds`): Node mixes both.
 */
import type { FromSchema } from './from-schema.js'

/**
 * Mozilla's "intermediate" server configuration (ssl-config.mozilla.org, guidelines 5.7): the TLS 1.3
 * suites, then forward-secret AEAD suites for TLS 1.2. Node takes both in one `ciphers` string.
 */
export const MOZILLA_INTERMEDIATE_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'DHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES256-GCM-SHA384',
  'DHE-RSA-CHACHA20-POLY1305'
].join(':')

/** Mozilla intermediate's curves. */
export const MOZILLA_INTERMEDIATE_CURVES = 'X25519:prime256v1:secp384r1'

const validationMode = { type: 'string', enum: ['enforce', 'report', 'off'] } as const
const responseValidation = { type: 'string', enum: ['off', 'report'] } as const
const tlsVersion = { type: 'string', enum: ['TLSv1.2', 'TLSv1.3'] } as const
const port = { type: 'integer', minimum: 0, maximum: 65535 } as const
const milliseconds = { type: 'integer', minimum: 1 } as const
const nonEmpty = { type: 'string', minLength: 1 } as const

const guichetCode = { type: 'string', pattern: '^G[0-9]{4}$' } as const

/** A TLS client credential the gateway presents upstream for some guichets. */
const credentialSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['guichets', 'cert', 'key'],
  properties: {
    guichets: { type: 'array', minItems: 1, uniqueItems: true, items: guichetCode },
    cert: nonEmpty,
    key: nonEmpty,
    passphrase: { type: 'string' },
    passphraseFile: nonEmpty
  }
} as const

/** Rate and concurrency of one scope (a client identity, a guichet); each absent part is unlimited. */
const limitRule = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ratePerSecond: { type: 'number', exclusiveMinimum: 0, maximum: 1000000 },
    burst: { type: 'integer', minimum: 1, maximum: 1000000 },
    concurrent: { type: 'integer', minimum: 1, maximum: 1000000 }
  }
} as const

const upstreamSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['url'],
  properties: {
    url: nonEmpty,
    ca: nonEmpty,
    cert: nonEmpty,
    key: nonEmpty,
    passphrase: { type: 'string' },
    passphraseFile: nonEmpty,
    // Per-guichet credentials by name; a message acting for none of their guichets goes with cert/key.
    credentials: {
      type: 'object',
      default: {},
      propertyNames: { pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' },
      additionalProperties: credentialSchema
    },
    servername: nonEmpty,
    minVersion: { ...tlsVersion, default: 'TLSv1.2' },
    connections: { type: 'integer', minimum: 1, maximum: 1024, default: 16 },
    // Calls waiting for one of the connections (proxy/upstream-queue.ts): beyond, a 503 at once.
    queue: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        maxWaiting: { type: 'integer', minimum: 0, maximum: 100000, default: 64 },
        maxWaitMs: { ...milliseconds, default: 5000 }
      }
    },
    keepAliveTimeoutMs: { ...milliseconds, default: 4000 },
    timeouts: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        connectMs: { ...milliseconds, default: 10000 },
        headersMs: { ...milliseconds, default: 30000 },
        bodyMs: { ...milliseconds, default: 30000 }
      }
    },
    probe: { type: 'boolean', default: true },
    probePath: nonEmpty
  }
} as const

const environmentSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['upstream'],
  properties: {
    enabled: { type: 'boolean', default: true },
    hostnames: {
      type: 'array',
      default: [],
      uniqueItems: true,
      items: { type: 'string', pattern: '^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$' }
    },
    allowedIdentities: { type: 'array', uniqueItems: true, items: nonEmpty },
    guichets: {
      type: 'object',
      additionalProperties: false,
      required: ['identities'],
      properties: {
        identities: {
          type: 'object',
          additionalProperties: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: '^(G[0-9]{4}|\\*)$' } }
        },
        territories: {
          type: 'object',
          default: {},
          propertyNames: { pattern: '^G[0-9]{4}$' },
          additionalProperties: { type: 'array', uniqueItems: true, items: { type: 'string', pattern: '^[0-9A-Z]{3}$' } }
        }
      }
    },
    // Per-environment call limits (limits/, docs/security.md): absent, unlimited.
    limits: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        identity: limitRule,
        guichet: limitRule
      }
    },
    upstream: upstreamSchema,
    // What the messages the REST API builds carry as certificat/nomCertificat, per acting guichet.
    messageCertificates: {
      type: 'object',
      default: {},
      propertyNames: { pattern: '^G[0-9]{4}$' },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          cert: nonEmpty,
          name: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,128}$' }
        }
      }
    },
    validation: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        mode: validationMode,
        responses: responseValidation,
        operations: { type: 'object', default: {}, additionalProperties: validationMode }
      }
    }
  }
} as const

/** The JSON Schema of the configuration file (after `${VAR}` placeholders and environment overrides). */
export const configSchema = {
  $id: 'https://sne-gateway.invalid/schemas/config.json',
  type: 'object',
  additionalProperties: false,
  required: ['dataPlane', 'environments'],
  properties: {
    dataPlane: {
      type: 'object',
      additionalProperties: false,
      required: ['tls'],
      properties: {
        host: { ...nonEmpty, default: '127.0.0.1' },
        port: { ...port, default: 8443 },
        publicUrl: nonEmpty,
        bodyLimit: { type: 'integer', minimum: 1024, default: 10485760 },
        maxConnections: { type: 'integer', minimum: 1, default: 1024 },
        // The request bytes held at once (limits/body-budget.ts): 256 MiB in all, 32 MiB per identity.
        bodyMemory: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            totalBytes: { type: 'integer', minimum: 1024, default: 268435456 },
            perIdentityBytes: { type: 'integer', minimum: 1024, default: 33554432 }
          }
        },
        connections: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            // Far below maxConnections: one client holding idle sockets must leave room for the others.
            perAddress: { type: 'integer', minimum: 1, default: 64 }
          }
        },
        // PROXY protocol v1/v2 from the TCP load balancers listed (tls/proxy-protocol.ts).
        proxyProtocol: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            enabled: { type: 'boolean', default: false },
            trustedAddresses: { type: 'array', default: [], uniqueItems: true, items: nonEmpty },
            timeoutMs: { ...milliseconds, default: 3000 }
          }
        },
        timeouts: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            handshakeMs: { ...milliseconds, default: 10000 },
            firstRequestMs: { ...milliseconds, default: 5000 },
            headersMs: { ...milliseconds, default: 10000 },
            requestMs: { ...milliseconds, default: 60000 },
            keepAliveMs: { ...milliseconds, default: 5000 },
            idleMs: { ...milliseconds, default: 120000 }
          }
        },
        tls: {
          type: 'object',
          additionalProperties: false,
          required: ['cert', 'key'],
          properties: {
            cert: nonEmpty,
            key: nonEmpty,
            passphrase: { type: 'string' },
            passphraseFile: nonEmpty,
            minVersion: { ...tlsVersion, default: 'TLSv1.2' },
            ciphers: { ...nonEmpty, default: MOZILLA_INTERMEDIATE_CIPHERS },
            ecdhCurve: { ...nonEmpty, default: MOZILLA_INTERMEDIATE_CURVES },
            clientCertificates: { type: 'string', enum: ['none', 'optional', 'required'], default: 'required' },
            clientCa: nonEmpty,
            // The client CA's revocation list(s) (PEM), re-read when the file changes.
            clientCrl: nonEmpty,
            crlCheckIntervalMs: { type: 'integer', minimum: 1000, default: 60000 },
            identityFrom: {
              type: 'string',
              enum: ['subject.CN', 'subject.OU', 'subject.O', 'subject.serialNumber', 'serialNumber', 'fingerprint256'],
              default: 'subject.CN'
            },
            sessionTimeoutSeconds: { type: 'integer', minimum: 0, maximum: 86400, default: 300 },
            ticketKeys: nonEmpty
          }
        }
      }
    },
    ops: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: true },
        host: { ...nonEmpty, default: '127.0.0.1' },
        port: { ...port, default: 9090 },
        probeIntervalMs: { ...milliseconds, default: 15000 },
        probeTimeoutMs: { ...milliseconds, default: 5000 },
        // A bearer token for every ops route but the health probes (ops/access.ts).
        tokenFile: nonEmpty,
        // Host names the ops plane answers for; default: loopback names when bound to loopback.
        allowedHosts: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', pattern: '^([a-z0-9.-]{1,253}|\\[[0-9a-f:.]{2,45}\\])$' } }
      }
    },
    log: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        level: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], default: 'info' },
        // Lines appended to this file instead of stdout, reopened on SIGUSR2 and SIGHUP (logrotate).
        file: nonEmpty
      }
    },
    audit: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        file: nonEmpty
      }
    },
    // Idempotency-Key records of the REST writes (idempotency/, docs/rest.md#idempotent-writes).
    idempotency: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        file: { ...nonEmpty, default: 'data/idempotency.sqlite' },
        retentionDays: { type: 'number', exclusiveMinimum: 0, maximum: 3650, default: 7 },
        purgeIntervalMs: { type: 'integer', minimum: 1000, default: 3600000 },
        settlingDelayMs: { type: 'integer', minimum: 0, maximum: 86400000, default: 60000 }
      }
    },
    // The shared store of several instances (store/postgres.ts, docs/configuration.md#shared-store).
    store: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        url: { type: 'string', pattern: '^postgres(ql)?://' },
        poolSize: { type: 'integer', minimum: 1, maximum: 1000, default: 10 },
        connectTimeoutMs: { ...milliseconds, default: 2000 },
        statementTimeoutMs: { ...milliseconds, default: 5000 },
        retryAfterSeconds: { type: 'integer', minimum: 1, maximum: 3600, default: 5 }
      }
    },
    // The legacy-TLS census (census/census.ts, docs/tls-census.md).
    census: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        enabled: { type: 'boolean', default: true },
        file: { ...nonEmpty, default: 'data/tls-census.sqlite' },
        flushIntervalMs: { ...milliseconds, default: 5000 },
        readyAfterDays: { type: 'number', exclusiveMinimum: 0, maximum: 3650, default: 7 },
        maxClients: { type: 'integer', minimum: 1, maximum: 1000000, default: 10000 },
        maxRowsPerAddress: { type: 'integer', minimum: 1, maximum: 1000000, default: 32 },
        newRowsPerAddress: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            burst: { type: 'integer', minimum: 1, maximum: 1000000, default: 32 },
            ratePerHour: { type: 'number', minimum: 0, maximum: 3600000, default: 60 }
          }
        },
        snapshotIntervalMs: { type: 'integer', minimum: 1000, default: 3600000 },
        maxSnapshots: { type: 'integer', minimum: 1, maximum: 100000, default: 2160 },
        helloTimeoutMs: { ...milliseconds, default: 10000 },
        maxHelloBytes: { type: 'integer', minimum: 512, maximum: 65536, default: 16384 },
        maxHelloRecords: { type: 'integer', minimum: 1, maximum: 256, default: 16 },
        log: {
          type: 'object',
          additionalProperties: false,
          default: {},
          properties: {
            ratePerSecond: { type: 'number', minimum: 0, default: 5 },
            burst: { type: 'integer', minimum: 1, default: 20 }
          }
        }
      }
    },
    spec: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        dir: nonEmpty
      }
    },
    validation: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        mode: { ...validationMode, default: 'enforce' },
        responses: { ...responseValidation, default: 'off' },
        // Worker threads validating messages; 0: on the event loop. See resolveValidationWorkers.
        workers: { anyOf: [{ type: 'integer', minimum: 0, maximum: 64 }, { type: 'string', enum: ['auto'] }], default: 'auto' },
        // Messages of fewer bytes are validated on the event loop, not by a worker; 0: none.
        inlineBelow: { type: 'integer', minimum: 0, maximum: 67108864, default: 16384 }
      }
    },
    shutdown: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        drainTimeoutMs: { ...milliseconds, default: 10000 }
      }
    },
    environments: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: '^[a-z][a-z0-9-]{0,31}$' },
      additionalProperties: environmentSchema
    }
  }
} as const

/** The validated, defaulted and frozen configuration. */
export type GatewayConfig = FromSchema<typeof configSchema>
/** One environment (production, ecole, …) as configured. */
export type EnvironmentConfig = FromSchema<typeof environmentSchema>
export type UpstreamConfig = FromSchema<typeof upstreamSchema>
export type CredentialConfig = FromSchema<typeof credentialSchema>
export type LimitRuleConfig = FromSchema<typeof limitRule>
export type ValidationMode = FromSchema<typeof validationMode>
export type ResponseValidation = FromSchema<typeof responseValidation>
