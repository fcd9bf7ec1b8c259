// Where a demo runs: the cluster of a kubeconfig when one is named, else a local API server started for it.
import { startApiServer, type LocalApiServer } from '../test/apiserver/server.js'
import { kubectlAvailable } from '../test/apiserver/kubectl.js'

export interface DemoCluster {
  kubeconfig: string
  /** the local API server, when no cluster was named */
  server?: LocalApiServer
  useKubectl: boolean
}

export async function openDemoCluster (kubeconfig: string | undefined): Promise<DemoCluster> {
  const useKubectl = kubectlAvailable()
  if (kubeconfig !== undefined) {
    if (!useKubectl) throw new Error('a real cluster needs kubectl on PATH for this demo')
    console.log(`using the cluster of ${kubeconfig}`)
    return { kubeconfig, useKubectl }
  }
  const server = await startApiServer()
  console.log(`local API server ${server.url}, kubeconfig ${server.kubeconfig()}`)
  return { kubeconfig: server.kubeconfig(), server, useKubectl }
}
