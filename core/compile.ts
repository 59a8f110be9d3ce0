import { formats } from './formats.ts'
import { createAjv, recyclingAjv } from './ajv.ts'
import { ContractError } from './errors.ts'
import type { ValidateFn } from './validate.ts'

const nextAjv = recyclingAjv(() => createAjv({ formats }))

/**
 * Compiles a schema met at run time (e.g. fetched from a registry) with the same options, keywords and formats as
 * the generated validators. Throws SCHEMA_INVALID when it does not compile (a remote $ref included: none is fetched).
 * Callers cache the result: compile once per schema, never per message.
 */
export function compileSchema(schema: unknown): ValidateFn<unknown> {
  const shared = nextAjv()
  try {
    // Compile without registering, so that the same $id can be compiled again after a registry change.
    const { $id: _id, ...rest } = schema as Record<string, unknown>
    return shared.compile(rest) as ValidateFn<unknown>
  } catch (cause) {
    throw new ContractError('SCHEMA_INVALID', `schema does not compile: ${(cause as Error).message}`, [], {
      cause,
    })
  }
}
