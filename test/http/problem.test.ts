import { describe, expect, it } from 'vitest'
import {
  ContractError,
  EVENT_ERROR_CODES,
  REGISTRY_ERROR_CODES,
  type ContractErrorCode,
} from '../../core/index.ts'
import { STATUS, toProblem } from '../../http/problem.ts'

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
