/**
 * Derives a TypeScript type from a JSON Schema written `as const`, so that the schema stays the
 * single source of the configuration's types (STYLE rule 7) without a code generator. It covers
 * only the keywords `schema.ts` uses: type, enum, anyOf, items, properties, required, default and
 * additionalProperties. Every property is readonly because the loaded configuration is deep-frozen.
 */

type KeysWithDefault<P> = { [K in keyof P]: P[K] extends { default: unknown } ? K : never }[keyof P]

type RequiredKeys<S> = S extends { required: readonly (infer R)[] } ? R : never

type Simplify<T> = { [K in keyof T]: T[K] } & {}

type ObjectFrom<S, P> = Simplify<
  { readonly [K in keyof P as K extends RequiredKeys<S> | KeysWithDefault<P> ? K : never]: FromSchema<P[K]> } &
  { readonly [K in keyof P as K extends RequiredKeys<S> | KeysWithDefault<P> ? never : K]?: FromSchema<P[K]> }
>

/** The type of the values a JSON Schema accepts, once ajv has applied its defaults. */
export type FromSchema<S> =
  S extends { anyOf: readonly (infer A)[] } ? FromSchema<A>
  : S extends { enum: readonly (infer E)[] } ? E
    : S extends { type: 'string' } ? string
      : S extends { type: 'integer' | 'number' } ? number
        : S extends { type: 'boolean' } ? boolean
          : S extends { type: 'array', items: infer I } ? ReadonlyArray<FromSchema<I>>
            : S extends { type: 'object', properties: infer P } ? ObjectFrom<S, P>
              : S extends { type: 'object', additionalProperties: infer A } ? Readonly<Record<string, FromSchema<A>>>
                : unknown
