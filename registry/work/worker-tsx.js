// The worker's entry when the registry runs from its TypeScript sources (this checkout, tests): tsx's loader is
// registered here, whatever the parent process was started with. Compiled (dist/), the pool loads worker.js itself.
import { register } from 'tsx/esm/api'

register()
const { default: run } = await import('./worker.ts')
export default run
