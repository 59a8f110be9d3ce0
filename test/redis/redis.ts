/**
 * Per-test Redis plumbing on the real server (REDIS_URL, default 127.0.0.1:6379): a random prefix for stream and
 * group names, raw XADD and read-back, and deleting every key the test made (never anything else).
 */
import { randomUUID } from 'node:crypto'
import { createClient } from 'redis'
import type { Attributes } from '../consumers/events.ts'
import type { RedisClient } from '../../transports/redis/index.ts'

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

export interface Entry {
  id: string
  fields: Record<string, string>
}

/** A raw entry: the attributes as fields of the same names, `key`, `data`, and other fields. */
export interface RawEntry {
  key?: string
  value: string
  attributes?: Attributes
  headers?: Record<string, string>
}

export const rawFields = ({ key, value, attributes, headers }: RawEntry): Record<string, string> => {
  const fields: Record<string, string> = { ...headers }
  for (const [k, v] of Object.entries(attributes ?? {})) if (v !== undefined) fields[k] = v
  if (key !== undefined) fields.key = key
  fields.data = value
  return fields
}

export class TestRedis {
  readonly id = randomUUID().slice(0, 8)
  readonly prefix: string
  readonly client: RedisClient
  private keys = new Set<string>()

  constructor(
    name: string,
    readonly url = REDIS_URL,
  ) {
    this.prefix = `it-redis-${name}-${this.id}`
    this.client = createClient({ url }) as RedisClient
    this.client.on('error', () => undefined)
  }

  async connect(): Promise<void> {
    if (!this.client.isOpen) await this.client.connect()
  }

  /** A stream name of this test's own (deleted, with its `.dlq`, by cleanup()). */
  stream(name: string): string {
    return this.track(`${this.prefix}.${name}`)
  }

  track(stream: string): string {
    this.keys.add(stream)
    this.keys.add(`${stream}.dlq`)
    return stream
  }

  group(name = 'g'): string {
    return `${this.prefix}-${name}-${randomUUID().slice(0, 4)}`
  }

  async produce(stream: string, entries: readonly RawEntry[]): Promise<string[]> {
    this.track(stream)
    const ids: string[] = []
    for (let i = 0; i < entries.length; i += 500) {
      const multi = this.client.multi()
      for (const e of entries.slice(i, i + 500)) multi.xAdd(stream, '*', rawFields(e))
      for (const id of await multi.exec()) ids.push(String(id))
    }
    return ids
  }

  async range(stream: string): Promise<Entry[]> {
    const r = await this.client.xRange(stream, '-', '+')
    return (r ?? []).map((e) => ({ id: e.id, fields: { ...(e.message as Record<string, string>) } }))
  }

  xlen = (stream: string): Promise<number> => this.client.xLen(stream)

  async cleanup(): Promise<void> {
    if (this.keys.size) await this.client.del([...this.keys]).catch(() => undefined)
    this.client.destroy()
  }
}

/** Waits until an async predicate holds (a Redis query), polling every 25 ms. */
export async function untilAsync(
  what: string,
  predicate: () => Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const end = Date.now() + timeoutMs
  while (!(await predicate())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}
