// A worker thread of the registry's pool (pool.ts). The package ships TypeScript sources: register tsx's loader
// here, as bin/contracts.js does, whatever the parent process was started with.
import { register } from 'tsx/esm/api'

register()
const { runTask } = await import('./tasks.ts')

/** Piscina's handler: says when the task starts (the time budget runs from then, not from the queue), runs it. */
export default async function run({ task, started }) {
  started.postMessage('started')
  started.close()
  return runTask(task)
}
