// The reconcile function's Events, asserted the way a node:test user would: `node --test`.
import { beforeEach, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createTestRecorder } from 'pino-k8s-events/testing'
import { QuotaExceededError, reconcile, type Cluster, type PodRef, type ReplicaSet } from './reconcile.js'

const replicaSet: ReplicaSet = {
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  metadata: { name: 'web', namespace: 'shop', uid: 'rs-1' },
  spec: { replicas: 2 }
}

function cluster (opts: { quota: number }): Cluster {
  const pods: PodRef[] = []
  return {
    pods,
    createPod (name) {
      if (pods.length >= opts.quota) throw new QuotaExceededError(`exceeded quota: pods=${opts.quota}`)
      const pod: PodRef = { apiVersion: 'v1', kind: 'Pod', name, namespace: 'shop' }
      pods.push(pod)
      return pod
    }
  }
}

describe('reconcile', () => {
  const recorder = createTestRecorder({ component: 'web-controller' })
  const log = recorder.logger({ level: 'debug' })
  beforeEach(() => recorder.clear())

  it('records one SuccessfulCreate per pod, naming the pod as the related object', () => {
    reconcile(log, replicaSet, cluster({ quota: 10 }))
    assert.deepEqual(recorder.eventsAbout(replicaSet).map(({ type, reason, message, action, related, count }) => ({ type, reason, message, action, related, count })), [
      { type: 'Normal', reason: 'SuccessfulCreate', message: 'Created pod: web-0', action: 'Create', related: { apiVersion: 'v1', kind: 'Pod', name: 'web-0', namespace: 'shop' }, count: 1 },
      { type: 'Normal', reason: 'SuccessfulCreate', message: 'Created pod: web-1', action: 'Create', related: { apiVersion: 'v1', kind: 'Pod', name: 'web-1', namespace: 'shop' }, count: 1 }
    ])
  })

  it('records a Warning when the quota is exceeded, counted once per attempt', () => {
    const full = cluster({ quota: 0 })
    reconcile(log, replicaSet, full)
    reconcile(log, replicaSet, full)
    const [failed] = recorder.events()
    assert.equal(recorder.events().length, 2, 'one Event per pod name tried')
    assert.equal(failed.type, 'Warning')
    assert.equal(failed.reason, 'FailedCreate')
    assert.match(failed.message, /^Error creating pod web-0: exceeded quota: pods=0/)
    assert.equal(failed.count, 2)
    assert.deepEqual(failed.regarding, { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', namespace: 'shop', uid: 'rs-1' })
  })

  it('records nothing when there is nothing to do: debug lines are below minLevel', () => {
    const done = cluster({ quota: 10 })
    done.pods.push({ apiVersion: 'v1', kind: 'Pod', name: 'web-0', namespace: 'shop' }, { apiVersion: 'v1', kind: 'Pod', name: 'web-1', namespace: 'shop' })
    reconcile(log, replicaSet, done)
    assert.deepEqual(recorder.events(), [])
  })
})
