/**
 * Files the package ships beside its code (package.json `files`): the built-in envelope and the format checks the
 * generator copies. Found from this module, whether it runs from the sources (codegen/) or compiled (dist/codegen/).
 */
import { readFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
/** The package root: one level up from the sources, two from dist/. */
const ROOT = join(here, '..', ...(here.split(/[\\/]/).includes('dist') ? ['..'] : []))

/** A shipped file's text, by its path in the package (`schemas/envelope.json`). */
export const packageFile = (path: string): Promise<string> => readFile(join(ROOT, path), 'utf8')

/** The envelope every catalog uses unless its tree brings its own `envelope.json`. */
export const BUILT_IN_ENVELOPE = 'schemas/envelope.json'
