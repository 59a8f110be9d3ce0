import type { Io } from '../../scripts/commands/command.ts'

/** An Io that records what a command prints. */
export function captureIo(cwd = process.cwd(), env: NodeJS.ProcessEnv = {}) {
  const out: string[] = []
  const err: string[] = []
  const io: Io = { out: (l) => void out.push(l), err: (l) => void err.push(l), cwd, env }
  return { io, out, err, text: () => out.join('\n'), errText: () => err.join('\n') }
}
