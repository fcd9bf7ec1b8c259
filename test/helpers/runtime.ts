import { execFileSync } from 'node:child_process'

/** Whether a runtime is installed: samples are made by it, or the test says it was skipped. */
export function installed (command: string, versionFlag: string): boolean {
  try {
    execFileSync(command, [versionFlag], { stdio: 'ignore', timeout: 60_000 })
    return true
  } catch {
    return false
  }
}
