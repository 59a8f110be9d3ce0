/** The transports' modules with their client libraries, imported only by the command and transport that use them. */
import { withPeers } from './peers.ts'

export const loadKafka = (what: string) =>
  withPeers('kafka', what, async () => ({
    ...(await import('kafkajs')),
    ...(await import('../../transports/kafka/index.ts')),
  }))

export const loadRedis = (what: string) =>
  withPeers('redis', what, () => import('../../transports/redis/index.ts'))
