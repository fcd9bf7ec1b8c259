// The local API server as a program: `npm run apiserver -- [--port N] [--kubeconfig FILE] [--no-tls]`.
// Prints one line `listening on URL` and serves until SIGINT or SIGTERM.
import { startApiServer } from './server.js'

interface Args { port: number, kubeconfig?: string, tls: boolean }

function parseArgs (argv: string[]): Args {
  const args: Args = { port: 0, tls: true }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const value = (): string => {
      const next = argv[++i]
      if (next === undefined) throw new Error(`${arg} needs a value`)
      return next
    }
    if (arg === '--port') {
      args.port = Number(value())
      if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) throw new Error(`--port must be 0..65535, got ${argv[i]}`)
    } else if (arg === '--kubeconfig') {
      args.kubeconfig = value()
    } else if (arg === '--no-tls') {
      args.tls = false
    } else {
      throw new Error(`unknown argument ${arg}; usage: [--port N] [--kubeconfig FILE] [--no-tls]`)
    }
  }
  return args
}

async function main (): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  const server = await startApiServer({ port: args.port, tls: args.tls })
  if (args.kubeconfig !== undefined) server.kubeconfig({ file: args.kubeconfig })
  process.stdout.write(`listening on ${server.url}\n`)
  let stopping = false
  const stop = (): void => {
    if (stopping) return
    stopping = true
    server.close().then(() => process.exit(0), (err: unknown) => {
      process.stderr.write(`apiserver: ${String(err)}\n`)
      process.exit(1)
    })
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

main().catch((err: unknown) => {
  process.stderr.write(`apiserver: ${(err as Error)?.message ?? String(err)}\n`)
  process.exit(1)
})
