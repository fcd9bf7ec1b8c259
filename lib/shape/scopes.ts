// Whether the built-in kinds live in a namespace, as a v1.32 API server's discovery says. Kinds of other groups
// (custom resources) are learned from the server's discovery (connection/discovery.ts).

export type Scope = 'namespaced' | 'cluster'

const CLUSTER = 'cluster'
const NAMESPACED = 'namespaced'

/** group ('' for the core group) → kind → scope */
const BUILT_IN: ReadonlyMap<string, ReadonlyMap<string, Scope>> = new Map(Object.entries({
  '': {
    Pod: NAMESPACED, Service: NAMESPACED, ConfigMap: NAMESPACED, Secret: NAMESPACED, ServiceAccount: NAMESPACED,
    PersistentVolumeClaim: NAMESPACED, ReplicationController: NAMESPACED, Endpoints: NAMESPACED, Event: NAMESPACED,
    LimitRange: NAMESPACED, ResourceQuota: NAMESPACED, PodTemplate: NAMESPACED, Binding: NAMESPACED,
    Namespace: CLUSTER, Node: CLUSTER, PersistentVolume: CLUSTER, ComponentStatus: CLUSTER
  },
  apps: { Deployment: NAMESPACED, StatefulSet: NAMESPACED, DaemonSet: NAMESPACED, ReplicaSet: NAMESPACED, ControllerRevision: NAMESPACED },
  batch: { Job: NAMESPACED, CronJob: NAMESPACED },
  autoscaling: { HorizontalPodAutoscaler: NAMESPACED },
  policy: { PodDisruptionBudget: NAMESPACED },
  'networking.k8s.io': { Ingress: NAMESPACED, NetworkPolicy: NAMESPACED, IngressClass: CLUSTER, IPAddress: CLUSTER, ServiceCIDR: CLUSTER },
  'rbac.authorization.k8s.io': { Role: NAMESPACED, RoleBinding: NAMESPACED, ClusterRole: CLUSTER, ClusterRoleBinding: CLUSTER },
  'storage.k8s.io': {
    CSIStorageCapacity: NAMESPACED, StorageClass: CLUSTER, VolumeAttachment: CLUSTER, CSIDriver: CLUSTER, CSINode: CLUSTER,
    VolumeAttributesClass: CLUSTER
  },
  'apiextensions.k8s.io': { CustomResourceDefinition: CLUSTER },
  'apiregistration.k8s.io': { APIService: CLUSTER },
  'admissionregistration.k8s.io': {
    MutatingWebhookConfiguration: CLUSTER, ValidatingWebhookConfiguration: CLUSTER, ValidatingAdmissionPolicy: CLUSTER,
    ValidatingAdmissionPolicyBinding: CLUSTER, MutatingAdmissionPolicy: CLUSTER, MutatingAdmissionPolicyBinding: CLUSTER
  },
  'scheduling.k8s.io': { PriorityClass: CLUSTER },
  'node.k8s.io': { RuntimeClass: CLUSTER },
  'certificates.k8s.io': { CertificateSigningRequest: CLUSTER, ClusterTrustBundle: CLUSTER },
  'coordination.k8s.io': { Lease: NAMESPACED, LeaseCandidate: NAMESPACED },
  'discovery.k8s.io': { EndpointSlice: NAMESPACED },
  'events.k8s.io': { Event: NAMESPACED },
  'flowcontrol.apiserver.k8s.io': { FlowSchema: CLUSTER, PriorityLevelConfiguration: CLUSTER },
  'resource.k8s.io': { ResourceClaim: NAMESPACED, ResourceClaimTemplate: NAMESPACED, DeviceClass: CLUSTER, ResourceSlice: CLUSTER }
}).map(([group, kinds]) => [group, new Map(Object.entries(kinds) as Array<[string, Scope]>)]))

export function groupOf (apiVersion: string): string {
  const slash = apiVersion.indexOf('/')
  return slash === -1 ? '' : apiVersion.slice(0, slash)
}

/** the scope of a built-in kind; undefined for kinds this table does not know (custom, or newer than it) */
export function builtInScope (apiVersion: string, kind: string): Scope | undefined {
  return BUILT_IN.get(groupOf(apiVersion))?.get(kind)
}
