/**
 * A three-node Kafka cluster for failover tests, run through `scripts/kafka/kafka.sh up --brokers 3` with a data dir
 * of its own and free loopback ports (never the shared broker on 19092, never a cluster someone started by hand).
 * test/setup/cluster.global.ts starts one per `npm run test:cluster`; each test file gets a handle on it with
 * `useCluster()` and may stop, kill and start nodes, finding partition leaders and group coordinators first.
 * Files run one at a time (vitest.cluster.config.ts), and a test restarts what it stopped.
 */
import { spawn } from 'node:child_process'
import { createServer } from 'node:net'
import { fileURLToPath } from 'node:url'
import { Kafka, logLevel, type Admin } from 'kafkajs'

const script = fileURLToPath(new URL('../../scripts/kafka/kafka.sh', import.meta.url))
const repoRoot = fileURLToPath(new URL('../..', import.meta.url))

/** What the global setup hands the test files (`inject('kafkaCluster')`). */
export interface ClusterInfo {
  dir: string
  /** Node 1's port; node N listens on port + 2(N-1). */
  port: number
  size: number
}

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaCluster: ClusterInfo
  }
}

export interface Cluster {
  readonly info: ClusterInfo
  /** Every node's address: a bootstrap list that survives any one node being down. */
  readonly brokers: string[]
  readonly nodeIds: number[]
  kafka(clientId: string): Kafka
  /** SIGTERM: a controlled shutdown (leaderships handed over first). */
  stopNode(id: number): Promise<void>
  /** SIGKILL: a crash (the controller notices after the broker session timeout). */
  killNode(id: number): Promise<void>
  /** Starts a stopped node and waits until it is registered again. */
  startNode(id: number): Promise<void>
  /** The node leading a partition now. */
  leaderOf(topic: string, partition?: number): Promise<number>
  /** The node coordinating a consumer group: the leader of its `__consumer_offsets` partition. */
  coordinatorOf(groupId: string): Promise<number>
  /** Waits until every partition of the topics has all its replicas in sync (a restarted node caught up). */
  waitInSync(topics: string[], timeoutMs?: number): Promise<void>
  /** Stops (or kills) a node, keeps it down for `downMs`, starts it, and waits until `topics` are in sync. */
  outage(id: number, options: { kill?: boolean; downMs?: number; topics?: string[] }): Promise<void>
  /**
   * Stops (or kills) the node leading a partition of `topic`, runs `whileDown` at once, and starts the node again
   * once `whileDown` is done and another node leads the partition (or 60 s passed), at least `downMs` after the
   * stop, right after `beforeStart`; then waits until `topic` is in sync. Returns the node stopped and the one
   * that led while it was down.
   */
  leaderOutage(
    topic: string,
    options: {
      kill?: boolean
      partition?: number
      downMs?: number
      whileDown?: () => Promise<void>
      beforeStart?: () => Promise<void>
    },
  ): Promise<{ leader: number; newLeader: number }>
  /** Deletes topics a test made (failures ignored: cleanup). */
  deleteTopics(topics: string[]): Promise<void>
  /** Stops every node. */
  down(): Promise<void>
}

/** `offsets.topic.num.partitions` of the cluster kafka.sh writes. */
const OFFSETS_PARTITIONS = 6

function listens(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(false))
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)))
  })
}

/**
 * A first port for `2 * size` consecutive free ports between 21000 and 28999: below the kernel's ephemeral range
 * (where free ports that tests ask for come from) and clear of 19092/19093 and the default cluster's 29092.
 */
export async function freePortRange(size: number): Promise<number> {
  for (let tries = 0; tries < 50; tries++) {
    const base = 21000 + 10 * Math.floor(Math.random() * 790)
    const ports = Array.from({ length: 2 * size }, (_, i) => base + i)
    if ((await Promise.all(ports.map(listens))).every(Boolean)) return base
  }
  throw new Error('no free port range for a Kafka cluster between 21000 and 28999')
}

function kafkaSh(info: ClusterInfo, args: string[]): Promise<void> {
  const env = {
    ...process.env,
    KAFKA_CLUSTER_DIR: info.dir,
    KAFKA_CLUSTER_PORT: String(info.port),
    KAFKA_DOWN_TIMEOUT: '20',
  }
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, ...args], {
      env,
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-3000)))
    child.on('error', reject)
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`kafka.sh ${args.join(' ')} exited ${code}:\n${stderr}`)),
    )
  })
}

/** Starts the cluster described by `info` (a fresh dir: formats it) and waits until every node is ready. */
export async function startCluster(info: ClusterInfo): Promise<Cluster> {
  await kafkaSh(info, ['up', '--brokers', String(info.size)])
  return clusterOf(info)
}

/** Java's `String.hashCode`, which Kafka uses to place a group on a `__consumer_offsets` partition. */
function javaHashCode(s: string): number {
  let h = 0
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0
  return h
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** A handle on a running cluster. */
export function clusterOf(info: ClusterInfo): Cluster {
  const nodeIds = Array.from({ length: info.size }, (_, i) => i + 1)
  const brokers = nodeIds.map((id) => `127.0.0.1:${info.port + 2 * (id - 1)}`)
  const kafka = (clientId: string) => new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING })

  async function withAdmin<T>(f: (admin: Admin) => Promise<T>): Promise<T> {
    const admin = kafka('cluster-harness').admin()
    await admin.connect()
    try {
      return await f(admin)
    } finally {
      await admin.disconnect()
    }
  }

  /** A node may not know a topic made a moment ago (or the partition may have no leader yet): asks again. */
  async function leaderOf(topic: string, partition = 0): Promise<number> {
    const end = Date.now() + 30_000
    for (;;) {
      const leader = await withAdmin((a) => a.fetchTopicMetadata({ topics: [topic] })).then(
        (meta) => meta.topics[0]?.partitions.find((x) => x.partitionId === partition)?.leader ?? -1,
        (e: unknown) => (Date.now() > end ? Promise.reject(e) : -1),
      )
      if (leader >= 0) return leader
      if (Date.now() > end) throw new Error(`no leader for partition ${partition} of ${topic}`)
      await pause(200)
    }
  }

  async function waitInSync(topics: string[], timeoutMs = 120_000): Promise<void> {
    const end = Date.now() + timeoutMs
    for (;;) {
      const lagging = await withAdmin(async (a) => {
        const meta = await a.fetchTopicMetadata({ topics })
        return meta.topics.flatMap((t) =>
          t.partitions
            .filter((p) => p.isr.length < p.replicas.length)
            .map((p) => `${t.name}[${p.partitionId}]`),
        )
      }).catch((e: unknown) => [String(e)])
      if (lagging.length === 0) return
      if (Date.now() > end) throw new Error(`not in sync after ${timeoutMs} ms: ${lagging.join(', ')}`)
      await pause(500)
    }
  }

  const cluster: Cluster = {
    info,
    brokers,
    nodeIds,
    kafka,
    stopNode: (id) => kafkaSh(info, ['stop-node', String(id)]),
    killNode: (id) => kafkaSh(info, ['kill-node', String(id)]),
    startNode: (id) => kafkaSh(info, ['start-node', String(id)]),
    leaderOf,
    coordinatorOf: (groupId) => {
      const h = javaHashCode(groupId)
      // Kafka's Utils.abs: MIN_VALUE maps to 0.
      return leaderOf('__consumer_offsets', (h === -2147483648 ? 0 : Math.abs(h)) % OFFSETS_PARTITIONS)
    },
    waitInSync,
    async outage(id, { kill = false, downMs = 3000, topics = [] }) {
      await (kill ? cluster.killNode(id) : cluster.stopNode(id))
      await pause(downMs)
      await cluster.startNode(id)
      if (topics.length) await waitInSync(topics)
    },
    async leaderOutage(topic, { kill = false, partition = 0, downMs = 2000, whileDown, beforeStart }) {
      const leader = await leaderOf(topic, partition)
      await (kill ? cluster.killNode(leader) : cluster.stopNode(leader))
      const stoppedAt = Date.now()
      const moved = (async () => {
        const end = stoppedAt + 60_000
        for (;;) {
          const now = await leaderOf(topic, partition).catch(() => leader)
          if (now !== leader || Date.now() > end) return now
          await pause(250)
        }
      })()
      const [newLeader] = await Promise.all([moved, whileDown?.()])
      await pause(Math.max(0, stoppedAt + downMs - Date.now()))
      await beforeStart?.()
      await cluster.startNode(leader)
      await waitInSync([topic])
      return { leader, newLeader }
    },
    deleteTopics: (topics) => withAdmin((a) => a.deleteTopics({ topics })).catch(() => undefined),
    down: () => kafkaSh(info, ['down', '--brokers', String(info.size)]),
  }
  return cluster
}
