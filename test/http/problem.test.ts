import { describe, expect, it } from 'vitest'
import {
  ContractError,
  EVENT_ERROR_CODES,
  GATEWAY_ERROR_CODES,
  REGISTRY_ERROR_CODES,
  type ContractErrorCode,
} from '../../core/index.ts'
import { GATEWAY_STATUS, problemMapper, STATUS, toProblem } from '../../http/problem.ts'

describe('problem responses: the status map covers the registry codes only', () => {
  it.each(REGISTRY_ERROR_CODES.map((code) => ({ code })))('$code keeps its status and issues', ({ code }) => {
    const issues = [{ path: '/x', keyword: 'k', message: 'm' }]
    const p = toProblem(new ContractError(code, 'what happened', issues))
    expect(p).toMatchObject({ code, status: STATUS[code], title: 'what happened', issues })
    expect(p.type).toMatch(/^https:\/\/event-contracts\.dev\/problems\/[a-z-]+$/)
  })

  const eventOnly = EVENT_ERROR_CODES.filter((c) => !(REGISTRY_ERROR_CODES as readonly string[]).includes(c))
  it.each(eventOnly.map((code) => ({ code })))(
    '$code is not a registry answer: a 500 that shows none of its detail',
    ({ code }) => {
      const p = toProblem(new ContractError(code as ContractErrorCode, 'secret detail'))
      expect(p).toMatchObject({ code: 'INTERNAL', status: 500, title: 'internal error', issues: [] })
    },
  )

  it('a client error status never comes from a 5xx code and the other way round', () => {
    for (const code of REGISTRY_ERROR_CODES) expect(STATUS[code] >= 500).toBe(code === 'REGISTRY_UNAVAILABLE')
  })
})

describe('problem responses: the gateway maps its own codes', () => {
  const gatewayProblem = problemMapper(GATEWAY_STATUS)

  it.each(GATEWAY_ERROR_CODES.map((code) => ({ code })))('$code keeps its status and issues', ({ code }) => {
    const issues = [{ path: '/data/x', keyword: 'k', message: 'm' }]
    expect(gatewayProblem(new ContractError(code, 'what happened', issues))).toMatchObject({
      code,
      status: GATEWAY_STATUS[code],
      issues,
    })
  })

  it('only a transport or a webhook that does not take the events is a 5xx: never bad input', () => {
    for (const code of GATEWAY_ERROR_CODES)
      expect(GATEWAY_STATUS[code] >= 500).toBe(code === 'SEND_FAILED' || code === 'WEBHOOK_FAILED')
  })

  it('a registry-only code is not a gateway answer: a 500 that shows none of its detail', () => {
    expect(gatewayProblem(new ContractError('SCHEMA_CONFLICT', 'secret detail'))).toMatchObject({
      code: 'INTERNAL',
      status: 500,
      issues: [],
    })
  })
})
