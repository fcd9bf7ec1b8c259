// Compiles a consumer's TypeScript against the package as an application would import it.
import { join } from 'node:path'
import ts from 'typescript'

/**
 * The compiler's messages for `consumer.ts` in `dir`, and whether `declarationFile` (under types/) was the one used.
 * `overrides` change the consumer's compiler options (e.g. an older `moduleResolution`).
 */
export function compileConsumer (dir: string, declarationFile: string, overrides: ts.CompilerOptions = {}): { diagnostics: string[], resolvedOurs: boolean } {
  const program = ts.createProgram([join(dir, 'consumer.ts')], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2023,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: ['node'],
    ...overrides
  })
  const diagnostics = ts.getPreEmitDiagnostics(program).map(d => ts.flattenDiagnosticMessageText(d.messageText, '\n'))
  const ours = join(process.cwd(), 'types', declarationFile)
  return { diagnostics, resolvedOurs: program.getSourceFiles().some(file => file.fileName === ours) }
}
