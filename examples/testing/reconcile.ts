// A small reconcile function of a ReplicaSet-like controller, written for production: it is handed a logger and
// logs what it does, bound to the object it reconciles. Its tests (reconcile.test.ts with node:test, and the
// package's test/testing-entry.test.ts with tap) hand it a logger from pino-k8s-events/testing and read the Events.
import type { Logger } from 'pino'

export interface PodRef { apiVersion: 'v1', kind: 'Pod', name: string, namespace: string, uid?: string }

export interface ReplicaSet {
  apiVersion: 'apps/v1'
  kind: 'ReplicaSet'
  metadata: { name: string, namespace: string, uid: string }
  spec: { replicas: number }
}

export interface Cluster {
  /** the pods the ReplicaSet owns */
  pods: PodRef[]
  /** makes a pod, or throws as the API would */
  createPod (name: string): PodRef
}

export class QuotaExceededError extends Error {
  override name = 'QuotaExceededError'
}

/** Brings the pods up to spec.replicas; one Event per pod made (naming it as the related object), one per failure. */
export function reconcile (log: Logger, replicaSet: ReplicaSet, cluster: Cluster): void {
  const events = log.child({ k8sObject: replicaSet })
  const have = cluster.pods.length
  if (have >= replicaSet.spec.replicas) {
    events.debug('nothing to do')
    return
  }
  for (let index = have; index < replicaSet.spec.replicas; index++) {
    const name = `${replicaSet.metadata.name}-${index}`
    try {
      const pod = cluster.createPod(name)
      events.info({ k8sRelated: pod, reason: 'SuccessfulCreate', action: 'Create' }, `Created pod: ${pod.name}`)
    } catch (err) {
      events.warn({ err, reason: 'FailedCreate', action: 'Create' }, `Error creating pod ${name}:`)
    }
  }
}
