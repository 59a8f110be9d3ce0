import {
  ContractError,
  isContractError,
  type ContractErrorCode,
  type RegistryErrorCode,
} from '../../core/index.ts'

/** Confluent Schema Registry's error codes (`error_code`); the HTTP status is the first three digits. */
export const ERROR_CODES = {
  SUBJECT_NOT_FOUND: 40401,
  VERSION_NOT_FOUND: 40402,
  SCHEMA_NOT_FOUND: 40403,
  SUBJECT_SOFT_DELETED: 40404,
  VERSION_NOT_SOFT_DELETED: 40405,
  VERSION_SOFT_DELETED: 40406,
  SUBJECT_NOT_SOFT_DELETED: 40407,
  SUBJECT_COMPATIBILITY_NOT_CONFIGURED: 40408,
  SUBJECT_MODE_NOT_CONFIGURED: 40409,
  INVALID_SCHEMA: 42201,
  INVALID_VERSION: 42202,
  INVALID_COMPATIBILITY_LEVEL: 42203,
  INVALID_MODE: 42204,
  OPERATION_NOT_PERMITTED: 42205,
  REFERENCE_EXISTS: 42206,
  INCOMPATIBLE: 409,
  STORE_ERROR: 50001,
  TIMEOUT: 50002,
  FORWARD_ERROR: 50003,
} as const
export type ErrorCodeName = keyof typeof ERROR_CODES

/** The keyword of the issue that carries a Confluent code chosen where the error is thrown. */
const KEYWORD = 'error_code'

/** A ContractError that answers with the Confluent code `name`, whatever its own code maps to by default. */
export function confluentError(code: ContractErrorCode, name: ErrorCodeName, message: string): ContractError {
  return new ContractError(code, message, [
    { path: '', keyword: KEYWORD, message, params: { error_code: ERROR_CODES[name] } },
  ])
}

/** Each registry code's Confluent code when the thrower chose none: exhaustive, like http/problem.ts's STATUS. */
const DEFAULT_CODES: Record<RegistryErrorCode, number> = {
  UNKNOWN_RESOURCE: ERROR_CODES.SUBJECT_NOT_FOUND,
  SCHEMA_NOT_FOUND: ERROR_CODES.SCHEMA_NOT_FOUND,
  NOT_JSON: 400,
  SCHEMA_INVALID: ERROR_CODES.INVALID_SCHEMA,
  // A schema that names another topic, key or `$id` than its subject's: not a valid schema for that subject.
  SCHEMA_CONFLICT: ERROR_CODES.INVALID_SCHEMA,
  INCOMPATIBLE_SCHEMA: ERROR_CODES.INCOMPATIBLE,
  BAD_REQUEST: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNAUTHORIZED: 40101,
  FORBIDDEN: 40301,
  PRECONDITION_FAILED: ERROR_CODES.OPERATION_NOT_PERMITTED,
  REGISTRY_UNAVAILABLE: ERROR_CODES.STORE_ERROR,
  TOO_COMPLEX: ERROR_CODES.INVALID_SCHEMA,
  TOO_MANY_REQUESTS: 42901,
}

export interface ConfluentError {
  status: number
  body: { error_code: number; message: string }
}

/** Whatever was thrown → Confluent's `{error_code, message}` and its status. Unexpected errors keep their detail out. */
export function toConfluent(err: unknown): ConfluentError {
  if (isContractError(err)) {
    const chosen = err.issues.find((i) => i.keyword === KEYWORD)?.params?.error_code
    const idTaken = err.code === 'SCHEMA_CONFLICT' && err.issues.some((i) => i.keyword === 'schema-id')
    const code =
      typeof chosen === 'number'
        ? chosen
        : idTaken
          ? ERROR_CODES.OPERATION_NOT_PERMITTED
          : (DEFAULT_CODES as Record<string, number | undefined>)[err.code]
    if (code !== undefined) {
      const detail = err.issues
        .filter((i) => i.keyword !== KEYWORD)
        .map((i) => `${i.path || '/'}: ${i.message}`)
        .slice(0, 20)
      const message = detail.length ? `${err.message} (${detail.join('; ')})` : err.message
      return { status: statusOf(code), body: { error_code: code, message } }
    }
  }
  return { status: 500, body: { error_code: 500, message: 'internal error' } }
}

/** 40401 → 404, 409 → 409. */
export const statusOf = (code: number): number => (code >= 10000 ? Math.floor(code / 100) : code)
