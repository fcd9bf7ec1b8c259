// What a transport built on the official client costs before it posts anything: @kubernetes/client-node loaded,
// a kubeconfig read and an API client made. Lines are discarded.
import build from 'pino-abstract-transport'
import { delimiter } from 'node:path'
import type { Transform } from 'node:stream'
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node'

const keepLine = (line: string): string => line

export default async function clientNodeDiscardingLines (options: { kubeconfig?: string } = {}): Promise<Transform> {
  const kubeConfig = new KubeConfig()
  if (options.kubeconfig !== undefined) kubeConfig.loadFromFile(options.kubeconfig.split(delimiter)[0])
  else kubeConfig.loadFromDefault()
  kubeConfig.makeApiClient(CoreV1Api)
  return build(source => { source.on('data', () => {}) }, { parse: 'lines', parseLine: keepLine, metadata: false })
}
