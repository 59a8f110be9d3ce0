/** One webhook POST against receivers on loopback: the signature, and how each answer is judged. */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import {
  checkSecret,
  createDelivery,
  DeliveryError,
  deliverWithRetries,
  retryAfterMs,
} from '../../gateway/index.ts'
import { deadUrl, newSecret, receiver } from './helpers.ts'

const message = { id: 'msg-1', body: '{"hello":"world"}', contentType: 'application/json' }

async function failure(p: Promise<unknown>): Promise<DeliveryError> {
  try {
    await p
  } catch (e) {
    if (e instanceof DeliveryError) return e
    throw e
  }
  throw new Error('delivered')
}

describe('createDelivery', () => {
  it('POSTs the body with Standard Webhooks headers the receiver verifies with the same secret', async () => {
    const secret = newSecret()
    const r = await receiver(secret)
    try {
      await createDelivery({ url: r.url, secret })(message)
      expect(r.received).toHaveLength(1)
      expect(r.received[0]).toMatchObject({ body: message.body, verified: true })
      expect(r.received[0]?.headers['webhook-id']).toBe('msg-1')
      expect(r.received[0]?.headers['webhook-signature']).toMatch(/^v1,/)
    } finally {
      await r.close()
    }
  })

  it('a receiver with another secret does not verify it', async () => {
    const r = await receiver(newSecret())
    try {
      await createDelivery({ url: r.url, secret: newSecret() })(message)
      expect(r.received[0]?.verified).toBe(false)
    } finally {
      await r.close()
    }
  })

  it.each<{ status: number; headers?: Record<string, string>; permanent: boolean; retryAfterMs?: number }>([
    { status: 500, permanent: false },
    { status: 503, headers: { 'retry-after': '7' }, permanent: false, retryAfterMs: 7000 },
    { status: 429, headers: { 'retry-after': '2' }, permanent: false, retryAfterMs: 2000 },
    { status: 408, permanent: false },
    { status: 400, permanent: true },
    { status: 404, permanent: true },
    { status: 410, headers: { 'retry-after': '2' }, permanent: true },
    { status: 302, headers: { location: 'http://127.0.0.1:1/elsewhere' }, permanent: true },
  ])('$status → permanent $permanent', async ({ status, headers, permanent, retryAfterMs: after }) => {
    const secret = newSecret()
    const r = await receiver(secret, [{ status, ...(headers ? { headers } : {}) }])
    try {
      const e = await failure(createDelivery({ url: r.url, secret })(message))
      expect(e).toMatchObject({ status, permanent, retryAfterMs: after })
      expect(e.message).toContain(`answered ${status}`)
      expect(r.received).toHaveLength(1) // a redirect is not followed
    } finally {
      await r.close()
    }
  })

  it('a receiver that is down: retriable, saying the connection was refused', async () => {
    const e = await failure(createDelivery({ url: await deadUrl(), secret: newSecret() })(message))
    expect(e.permanent).toBe(false)
    expect(e.message).toMatch(/ECONNREFUSED/)
  })

  it('a receiver that does not answer: retriable after the timeout', async () => {
    const server = createServer(() => undefined) // holds every request
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook?token=secret-query`
      const e = await failure(createDelivery({ url, secret: newSecret(), timeoutMs: 100 })(message))
      expect(e.permanent).toBe(false)
      expect(e.message).toContain('no answer within 100 ms')
      expect(e.message).not.toContain('secret-query') // the query of a webhook URL stays out of messages
    } finally {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  })
})

describe('deliverWithRetries (within a gateway request)', () => {
  const policy = { attempts: 3, initialMs: 1, maxMs: 2, maxRetryAfterMs: 1000 }

  it('fails twice, then delivers on the third attempt', async () => {
    const secret = newSecret()
    const r = await receiver(secret, [{ status: 503 }, { status: 500 }, { status: 200 }])
    try {
      await deliverWithRetries(createDelivery({ url: r.url, secret }), message, policy)
      expect(r.received.map((x) => x.status)).toEqual([503, 500, 200])
    } finally {
      await r.close()
    }
  })

  it.each<{ name: string; answers: { status: number; headers?: Record<string, string> }[]; calls: number }>([
    { name: 'gives up after its attempts', answers: [{ status: 500 }], calls: 3 },
    { name: 'a permanent answer at once', answers: [{ status: 422 }], calls: 1 },
    {
      name: 'a Retry-After beyond the cap at once',
      answers: [{ status: 503, headers: { 'retry-after': '60' } }],
      calls: 1,
    },
  ])('$name', async ({ answers, calls }) => {
    const secret = newSecret()
    const r = await receiver(secret, answers)
    try {
      const e = await failure(deliverWithRetries(createDelivery({ url: r.url, secret }), message, policy))
      expect(e.message).toMatch(/\(attempt \d of 3\)$/)
      expect(r.received).toHaveLength(calls)
    } finally {
      await r.close()
    }
  })
})

describe('Retry-After and secrets', () => {
  const now = new Date('2026-11-20T08:00:00Z')
  it.each<[string | null, number | undefined]>([
    ['5', 5000],
    ['0', 0],
    ['Fri, 20 Nov 2026 08:00:30 GMT', 30_000],
    ['Fri, 20 Nov 2026 07:00:00 GMT', 0],
    ['soon', undefined],
    [null, undefined],
  ])('%j → %j ms', (header, ms) => {
    expect(retryAfterMs(header, now)).toBe(ms)
  })

  it.each<[string, RegExp | undefined]>([
    [newSecret(), undefined],
    ['whsec_not base64!', /not a Standard Webhooks secret/],
    ['whsec_c2hvcnQ=', /too short/],
  ])('checkSecret(%j)', (secret, error) => {
    if (error) expect(() => checkSecret(secret, 'route x')).toThrow(error)
    else expect(() => checkSecret(secret, 'route x')).not.toThrow()
  })
})
