/**
 * Vitest globalSetup: makes a real Kafka broker available to the tests.
 *
 * - KAFKA_BROKERS set (CI service, a shared cluster, …): used as-is, nothing is started or stopped.
 * - otherwise: `bash scripts/kafka/kafka.sh up` (reuses a broker already answering on 127.0.0.1:19092,
 *   else fetches the jars once and starts one), and the teardown stops it only if this run started it.
 *
 * Tests read the address with `inject('kafkaBrokers')` (comma-separated host:port list).
 */
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string
  }
}

const LOCAL_BROKER = '127.0.0.1:19092'
const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
const script = fileURLToPath(new URL('../../scripts/kafka/kafka.sh', import.meta.url))

function kafkaSh(command: 'up' | 'down' | 'status', quiet = false): number {
  const result = spawnSync('bash', [script, command], {
    cwd: repoRoot,
    // Inherit so a person sees the jar download and startup progress.
    stdio: quiet ? 'ignore' : ['ignore', 'inherit', 'inherit'],
  })
  if (result.error) throw result.error
  return result.status ?? 1
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const configured = process.env.KAFKA_BROKERS?.trim()
  if (configured) {
    project.provide('kafkaBrokers', configured)
    return undefined
  }

  const alreadyRunning = kafkaSh('status', true) === 0
  const code = kafkaSh('up')
  if (code !== 0) {
    throw new Error(
      `scripts/kafka/kafka.sh up exited with ${code}; see its output above (or set KAFKA_BROKERS)`,
    )
  }

  // Workers are spawned after globalSetup, so they inherit this too.
  process.env.KAFKA_BROKERS = LOCAL_BROKER
  project.provide('kafkaBrokers', LOCAL_BROKER)

  if (alreadyRunning) return undefined
  return async () => {
    kafkaSh('down')
  }
}
