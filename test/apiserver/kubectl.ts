// Running the real kubectl against a kubeconfig, for tests and demos.
import { execFile, execFileSync } from 'node:child_process'

export interface KubectlResult { code: number, stdout: string, stderr: string }

let available: boolean | undefined

export function kubectlAvailable (): boolean {
  if (available === undefined) {
    try {
      execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore', timeout: 30_000 })
      available = true
    } catch {
      available = false
    }
  }
  return available
}

export async function kubectl (args: string[], kubeconfig: string, input?: string): Promise<KubectlResult> {
  return await new Promise(resolve => {
    // An unusable cache directory keeps kubectl from caching discovery per host:port, which test servers reuse.
    const child = execFile('kubectl', args, {
      env: { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: '/dev/null/nocache' },
      timeout: 60_000,
      maxBuffer: 16 * 1024 * 1024
    }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1
      resolve({ code, stdout, stderr })
    })
    if (input !== undefined) child.stdin?.end(input)
  })
}

/** kubectl's stdout; a failure is thrown with kubectl's own words. */
export async function kubectlOrFail (args: string[], kubeconfig: string, input?: string): Promise<string> {
  const { code, stdout, stderr } = await kubectl(args, kubeconfig, input)
  if (code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${stderr}`)
  return stdout
}
