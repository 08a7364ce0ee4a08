/**
 * The resources the emulator serves, and the discovery and OpenAPI documents
 * built from them (what kubectl reads before it does anything).
 */

export interface ResourceType {
  group: string
  version: string
  kind: string
  /** plural, the path segment */
  name: string
  singular: string
  namespaced: boolean
  shortNames?: string[]
  categories?: string[]
  /** has a /status subresource: the main resource ignores status writes and /status ignores the rest */
  status: boolean
  /** metadata.generation moves when spec changes */
  generation: boolean
}

const r = (group: string, version: string, kind: string, name: string, namespaced: boolean, extra: Partial<ResourceType> = {}): ResourceType => ({
  group, version, kind, name, singular: kind.toLowerCase(), namespaced, status: false, generation: false, ...extra
})

export const resourceTypes: readonly ResourceType[] = [
  r('', 'v1', 'Namespace', 'namespaces', false, { shortNames: ['ns'], status: true }),
  r('', 'v1', 'Node', 'nodes', false, { shortNames: ['no'], status: true }),
  r('', 'v1', 'Pod', 'pods', true, { shortNames: ['po'], categories: ['all'], status: true }),
  r('', 'v1', 'Service', 'services', true, { shortNames: ['svc'], categories: ['all'], status: true }),
  r('', 'v1', 'Endpoints', 'endpoints', true, { shortNames: ['ep'] }),
  r('', 'v1', 'ConfigMap', 'configmaps', true, { shortNames: ['cm'] }),
  r('', 'v1', 'Secret', 'secrets', true),
  r('', 'v1', 'ServiceAccount', 'serviceaccounts', true, { shortNames: ['sa'] }),
  r('', 'v1', 'ResourceQuota', 'resourcequotas', true, { shortNames: ['quota'], status: true }),
  r('', 'v1', 'LimitRange', 'limitranges', true, { shortNames: ['limits'] }),
  r('', 'v1', 'Event', 'events', true, { shortNames: ['ev'] }),
  r('', 'v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true, { shortNames: ['pvc'], status: true }),
  r('apps', 'v1', 'Deployment', 'deployments', true, { shortNames: ['deploy'], categories: ['all'], status: true, generation: true }),
  r('apps', 'v1', 'ReplicaSet', 'replicasets', true, { shortNames: ['rs'], categories: ['all'], status: true, generation: true }),
  r('apps', 'v1', 'StatefulSet', 'statefulsets', true, { shortNames: ['sts'], categories: ['all'], status: true, generation: true }),
  r('apps', 'v1', 'DaemonSet', 'daemonsets', true, { shortNames: ['ds'], categories: ['all'], status: true, generation: true }),
  r('batch', 'v1', 'Job', 'jobs', true, { categories: ['all'], status: true, generation: true }),
  r('batch', 'v1', 'CronJob', 'cronjobs', true, { shortNames: ['cj'], categories: ['all'], status: true, generation: true }),
  r('networking.k8s.io', 'v1', 'NetworkPolicy', 'networkpolicies', true, { shortNames: ['netpol'], generation: true }),
  r('rbac.authorization.k8s.io', 'v1', 'Role', 'roles', true),
  r('rbac.authorization.k8s.io', 'v1', 'RoleBinding', 'rolebindings', true),
  r('rbac.authorization.k8s.io', 'v1', 'ClusterRole', 'clusterroles', false),
  r('rbac.authorization.k8s.io', 'v1', 'ClusterRoleBinding', 'clusterrolebindings', false)
]

export function groupVersion (t: { group: string, version: string }): string {
  return t.group === '' ? t.version : `${t.group}/${t.version}`
}

/** "deployments.apps", "pods": how the API server names a resource in messages */
export function qualifiedName (t: ResourceType): string {
  return t.group === '' ? t.name : `${t.name}.${t.group}`
}

export function findType (group: string, version: string, plural: string): ResourceType | undefined {
  return resourceTypes.find((t) => t.group === group && t.version === version && t.name === plural)
}

export function typeForKind (apiVersion: string, kind: string): ResourceType | undefined {
  return resourceTypes.find((t) => groupVersion(t) === apiVersion && t.kind === kind)
}

const verbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']

export function apiResourceList (group: string, version: string): object | undefined {
  const types = resourceTypes.filter((t) => t.group === group && t.version === version)
  if (types.length === 0) return undefined
  const resources: object[] = []
  for (const t of types) {
    resources.push({
      name: t.name,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs,
      ...(t.shortNames != null ? { shortNames: t.shortNames } : {}),
      ...(t.categories != null ? { categories: t.categories } : {}),
      storageVersionHash: Buffer.from(t.name).toString('base64').slice(0, 11)
    })
    if (t.status) resources.push({ name: `${t.name}/status`, singularName: '', namespaced: t.namespaced, kind: t.kind, verbs: ['get', 'patch', 'update'] })
    if (t.kind === 'Pod') resources.push({ name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] })
    if (t.kind === 'Deployment' || t.kind === 'ReplicaSet' || t.kind === 'StatefulSet') {
      resources.push({ name: `${t.name}/scale`, singularName: '', namespaced: true, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] })
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion({ group, version }), resources }
}

export function apiGroupList (): object {
  const groups = [...new Set(resourceTypes.filter((t) => t.group !== '').map((t) => t.group))]
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groups.map((g) => {
      const v = resourceTypes.find((t) => t.group === g)?.version ?? 'v1'
      const gv = { groupVersion: `${g}/${v}`, version: v }
      return { name: g, versions: [gv], preferredVersion: gv }
    })
  }
}

export function apiVersions (): object {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] }
}

/**
 * Just enough OpenAPI v3 for kubectl: the root lists one document per group
 * version; each document holds the PATCH operations with their
 * x-kubernetes-group-version-kind and the fieldValidation parameter, which
 * tells kubectl to let the server validate instead of downloading schemas.
 */
export function openApiV3Root (): object {
  const paths: Record<string, { serverRelativeURL: string }> = {}
  for (const gv of new Set(resourceTypes.map((t) => (t.group === '' ? 'api/v1' : `apis/${t.group}/${t.version}`)))) {
    paths[gv] = { serverRelativeURL: `/openapi/v3/${gv}?hash=${Buffer.from(gv).toString('hex').slice(0, 16).toUpperCase()}` }
  }
  return { paths }
}

export function openApiV3Doc (gvPath: string): object | undefined {
  const types = resourceTypes.filter((t) => (t.group === '' ? 'api/v1' : `apis/${t.group}/${t.version}`) === gvPath)
  if (types.length === 0) return undefined
  const paths: Record<string, object> = {}
  const schemas: Record<string, object> = {}
  for (const t of types) {
    const gvk = { group: t.group, version: t.version, kind: t.kind }
    const base = `/${gvPath}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.name}/{name}`
    const params = ['dryRun', 'fieldManager', 'fieldValidation', 'force'].map((name) => ({ name, in: 'query', schema: { type: name === 'force' ? 'boolean' : 'string' }, uniqueItems: true }))
    const ref = `io.k8s.api.${t.group === '' ? 'core' : t.group.split('.')[0]}.${t.version}.${t.kind}`
    paths[base] = {
      patch: {
        operationId: `patch${t.namespaced ? 'Namespaced' : ''}${t.kind}`,
        parameters: params,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': gvk,
        responses: { 200: { content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } } }
      }
    }
    schemas[ref] = {
      type: 'object',
      'x-kubernetes-group-version-kind': [gvk],
      properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, spec: { type: 'object' }, status: { type: 'object' } }
    }
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes (skein emulator)', version: 'v1.32.0' }, paths, components: { schemas } }
}
