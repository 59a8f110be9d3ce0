import type { AdminPort } from './ports.ts'

/**
 * Where a consumer starts reading.
 * - `{ from: 'committed' }` (default): the group's committed offsets; a partition without one starts at
 *   `otherwise` (default 'earliest': a new group sees the history rather than silently missing it).
 * - 'earliest' / 'latest': every assigned partition, whatever the group committed.
 * - `{ timestamp }`: the first message at or after that time, per partition (replay by time).
 * - `{ offsets }`: exact positions (replay from a known offset, like openedx's `last_read_msg_id`).
 * Positions other than 'committed' are applied by seeking once run() has joined the group, and the seek is
 * committed: a restart with 'committed' goes on from there.
 */
export type StartPosition =
  | { from: 'committed'; otherwise?: 'earliest' | 'latest' }
  | 'earliest'
  | 'latest'
  | { timestamp: Date | number }
  | { offsets: ReadonlyArray<{ topic: string; partition: number; offset: string | number | bigint }> }

export interface Seek {
  topic: string
  partition: number
  offset: string
}

/** Whether to subscribe with `fromBeginning` (the fallback for partitions with no committed offset). */
export function fromBeginning(start: StartPosition): boolean {
  if (typeof start === 'object' && 'from' in start) return (start.otherwise ?? 'earliest') === 'earliest'
  return start !== 'latest'
}

export const needsAdmin = (start: StartPosition): boolean =>
  start === 'earliest' || start === 'latest' || (typeof start === 'object' && 'timestamp' in start)

/** The seeks to apply after run(), computed before it (the admin calls take a round trip each). */
export async function planSeeks(
  start: StartPosition,
  topics: readonly string[],
  admin?: AdminPort,
): Promise<Seek[]> {
  if (typeof start === 'object' && 'from' in start) return []
  if (typeof start === 'object' && 'offsets' in start)
    return start.offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset: String(offset) }))
  if (!admin)
    throw new TypeError(`start ${JSON.stringify(start)} needs an admin client (pass kafka or admin)`)
  const seeks: Seek[] = []
  for (const topic of topics) {
    if (typeof start === 'object') {
      const ms = start.timestamp instanceof Date ? start.timestamp.getTime() : start.timestamp
      for (const p of await admin.fetchTopicOffsetsByTimestamp(topic, ms))
        seeks.push({ topic, partition: p.partition, offset: p.offset })
    } else {
      for (const p of await admin.fetchTopicOffsets(topic))
        seeks.push({ topic, partition: p.partition, offset: start === 'earliest' ? p.low : p.high })
    }
  }
  return seeks
}
