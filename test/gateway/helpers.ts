/** Narrow fakes and builders for the gateway's tests: a capturing sink, tokens, CloudEvents, a webhook receiver. */
import { randomBytes, randomUUID } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'
import { ContractError, type EncodedMessage, type Sink } from '../../core/index.ts'
import { resolveTokens } from '../../http/tokens.ts'

export const ADMIN = 'admin-token-0a1b2c'
export const DATA_TEAM = 'data-team-token-3d4e5f'
export const TIME_TEAM = 'time-team-token-6a7b8c'

export const tokens = resolveTokens({
  admin: [ADMIN],
  entries: [
    { name: 'data-team', token: DATA_TEAM, resources: ['dataset'] },
    { name: 'time-team', token: TIME_TEAM, resources: ['time-*'] },
  ],
})

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

/** A sink that keeps what it is given; `failing` makes every send reject as a broker that is down would. */
export function captureSink() {
  // The gateway never frames: what it sends is the encoder's JSON text.
  const sent: EncodedMessage[] = []
  const calls = { send: 0, sendBatch: 0 }
  let failing: Error | undefined
  let delay = 0
  const wait = () => (delay ? new Promise((r) => setTimeout(r, delay)) : undefined)
  const sink: Sink = {
    async send(m) {
      calls.send++
      await wait()
      if (failing) throw failing
      sent.push(m as EncodedMessage)
      return { offset: sent.length - 1 }
    },
    async sendBatch(ms) {
      calls.sendBatch++
      await wait()
      if (failing) throw failing
      sent.push(...(ms as EncodedMessage[]))
      return ms.length
    },
  }
  return {
    sink,
    sent,
    calls,
    fail: (on = true) => {
      failing = on
        ? new ContractError('SEND_FAILED', 'Kafka did not take it: connection refused', [], {
            retriable: true,
          })
        : undefined
    },
    slow: (ms: number) => void (delay = ms),
  }
}

/** The dataset of schemas/examples/dataset/valid/create.json. */
export const datasetContent = (): Record<string, unknown> =>
  JSON.parse(readFileSync('schemas/examples/dataset/valid/create.json', 'utf8')).resource.content

/** A structured dataset CloudEvent with a fresh id. */
export const datasetEvent = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  specversion: '1.0',
  id: randomUUID(),
  source: 'urn:hdx:ckan',
  type: 'dataset.update',
  time: '2026-11-21T10:00:00Z',
  data: datasetContent(),
  ...overrides,
})

export const STRUCTURED = { 'content-type': 'application/cloudevents+json' }
export const BATCH = { 'content-type': 'application/cloudevents-batch+json' }

/** A fresh Standard Webhooks secret. */
export const newSecret = () => `whsec_${randomBytes(32).toString('base64')}`

export interface Received {
  headers: IncomingMessage['headers']
  body: string
  /** Whether the Standard Webhooks signature verified with the secret. */
  verified: boolean
  status: number
  /** When it arrived (ms since the epoch). */
  at: number
}

/**
 * A webhook receiver on loopback that verifies each request's signature and answers from `answers` in turn (the
 * last one repeats): a status, and optionally headers.
 */
export async function receiver(
  secret: string,
  answers: { status: number; headers?: Record<string, string> }[] = [{ status: 204 }],
) {
  const wh = new Webhook(secret)
  const received: Received[] = []
  let n = 0
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      let verified: boolean
      try {
        wh.verify(body, req.headers as Record<string, string>)
        verified = true
      } catch {
        verified = false
      }
      const answer = answers[Math.min(n++, answers.length - 1)] as {
        status: number
        headers?: Record<string, string>
      }
      received.push({ headers: req.headers, body, verified, status: answer.status, at: Date.now() })
      res.writeHead(answer.status, answer.headers ?? {})
      res.end()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    /** What was answered 2xx, in order. */
    delivered: () => received.filter((r) => r.status >= 200 && r.status < 300),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

/** A URL on loopback where nothing listens (a receiver that is down). */
export async function deadUrl(): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}/hook`
}
