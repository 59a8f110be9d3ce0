import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { WWW_AUTHENTICATE } from './auth.ts'
import {
  isContractError,
  REGISTRY_ERROR_CODES,
  type ContractErrorCode,
  type GatewayErrorCode,
  type Issue,
  type RegistryErrorCode,
} from '../core/index.ts'

/**
 * Every registry code has a status: a new RegistryErrorCode does not compile until it is given one here. Codes of
 * other domains (an event's, a consumer's) never come out of the registry: if one does, it is a bug, answered 500.
 */
export const STATUS: Record<RegistryErrorCode, ContentfulStatusCode> = {
  UNKNOWN_RESOURCE: 404,
  SCHEMA_NOT_FOUND: 404,
  NOT_JSON: 400,
  SCHEMA_INVALID: 422,
  SCHEMA_CONFLICT: 409,
  INCOMPATIBLE_SCHEMA: 409,
  BAD_REQUEST: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  PRECONDITION_FAILED: 412,
  REGISTRY_UNAVAILABLE: 503,
  TOO_COMPLEX: 422,
  TOO_MANY_REQUESTS: 429,
}

/** The gateway's codes: bad input is 4xx; only a transport or a webhook that does not answer is 5xx (retriable). */
export const GATEWAY_STATUS: Record<GatewayErrorCode, ContentfulStatusCode> = {
  EVENT_INVALID: 422,
  NOT_JSON: 400,
  BAD_REQUEST: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  UNSUPPORTED_MEDIA_TYPE: 415,
  NO_ROUTE: 404,
  SEND_FAILED: 503,
  WEBHOOK_FAILED: 502,
}

const REGISTRY_CODES: ReadonlySet<string> = new Set(REGISTRY_ERROR_CODES)
export const isRegistryCode = (code: string): code is RegistryErrorCode => REGISTRY_CODES.has(code)

/** Codes of failures that are not the library's: routing and the unexpected. */
export type HttpCode = 'NOT_FOUND' | 'INTERNAL'
export type ProblemCode = RegistryErrorCode | GatewayErrorCode | HttpCode

export const PROBLEM_BASE = 'https://event-contracts.dev/problems'

/** RFC 9457 problem details, the body of every error response. */
export interface Problem {
  type: string
  title: string
  status: number
  code: ProblemCode
  issues: readonly Issue[]
}

export const problemFor = (
  code: ProblemCode,
  title: string,
  status: number,
  issues: readonly Issue[] = [],
): Problem => ({
  type: `${PROBLEM_BASE}/${code.toLowerCase().replace(/_/g, '-')}`,
  title,
  status,
  code,
  issues,
})

/**
 * Whatever was thrown → a problem, for an app whose codes `status` maps. A ContractError of another code is a bug,
 * answered 500; unexpected errors keep their detail out of the response (it is logged).
 */
export function problemMapper<K extends ContractErrorCode>(
  status: Record<K, ContentfulStatusCode>,
): (err: unknown) => Problem {
  const known = (code: string): code is K => Object.hasOwn(status, code)
  return (err) => {
    if (isContractError(err) && known(err.code))
      return problemFor(err.code as ProblemCode, err.message, status[err.code], err.issues)
    if (err instanceof HTTPException) {
      const s = err.status
      const code: ProblemCode =
        s === 404 ? 'NOT_FOUND' : s === 413 ? 'PAYLOAD_TOO_LARGE' : s < 500 ? 'BAD_REQUEST' : 'INTERNAL'
      return problemFor(code, err.message || 'request failed', s)
    }
    return problemFor('INTERNAL', 'internal error', 500)
  }
}

/** The registry's: only registry codes have a status. */
export const toProblem: (err: unknown) => Problem = problemMapper(STATUS)

/** Seconds a client is told to wait after a 429 (`Retry-After`), unless the issue names its own. */
export const RETRY_AFTER_SECONDS = 1

export function problemResponse(c: Context, problem: Problem): Response {
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' }
  if (problem.code === 'UNAUTHORIZED') headers['www-authenticate'] = WWW_AUTHENTICATE
  if (problem.status === 429) {
    const given = problem.issues[0]?.params?.retryAfterSeconds
    headers['retry-after'] = String(typeof given === 'number' ? given : RETRY_AFTER_SECONDS)
  }
  return c.body(JSON.stringify(problem), problem.status as ContentfulStatusCode, headers)
}
