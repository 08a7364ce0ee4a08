/**
 * The `kube` configuration section: schema (imported by agent/config/schema.ts),
 * semantic checks, and the translation to the backend and client options.
 */
import Type, { type Static } from 'typebox'
import { durationPattern, parseDuration } from '../config/duration.ts'
import { ConfigError } from '../errors.ts'
import { parseQuantity } from './quantity.ts'
import type { KubeBackendConfig } from './backend.ts'
import type { KubeInit } from './index.ts'

export const kubeModes = ['auto', 'embedded', 'kubeconfig', 'in-cluster'] as const

export const KubeConfigSchema = Type.Object({
  mode: Type.Union(kubeModes.map((m) => Type.Literal(m)), {
    default: 'auto',
    description: 'Which cluster the agent drives. auto: kube.kubeconfig, else $KUBECONFIG, else ~/.kube/config if it exists, else the in-cluster service account if present, else embedded; embedded: the Kubernetes API emulator in-process on 127.0.0.1 (a laptop, a demo); kubeconfig; in-cluster. Default: auto.'
  }),
  kubeconfig: Type.Optional(Type.String({ minLength: 1, description: 'Path of the kubeconfig file (k3s: /etc/rancher/k3s/k3s.yaml). Default: $KUBECONFIG, else ~/.kube/config.' })),
  context: Type.Optional(Type.String({ minLength: 1, description: 'kubeconfig context to use. Default: the file\'s current-context.' })),
  requestTimeout: Type.String({ pattern: durationPattern, default: '10s', description: 'Timeout of one API request (each retry gets its own). Default: 10s.' }),
  retries: Type.Integer({ minimum: 1, maximum: 20, default: 5, description: 'Attempts per API request for retryable failures (429, 5xx, timeouts), with exponential backoff and jitter. Default: 5.' }),
  allowServiceTypes: Type.Array(Type.Union([Type.Literal('ClusterIP'), Type.Literal('NodePort'), Type.Literal('LoadBalancer')]), {
    default: ['ClusterIP'], description: 'Service types tenants may create. Default: [ClusterIP].'
  }),
  maxContainerCpu: Type.String({ default: '64', description: 'Largest cpu one tenant container may request or limit (Kubernetes quantity); anything larger is refused by the sanitizer. Default: 64.' }),
  maxContainerMemory: Type.String({ default: '1Ti', description: 'Largest memory one tenant container may request or limit (Kubernetes quantity). Default: 1Ti.' }),
  embedded: Type.Object({
    nodes: Type.Integer({ minimum: 1, maximum: 1000, default: 1, description: 'Number of simulated nodes. Default: 1.' }),
    cpu: Type.String({ default: '4', description: 'Allocatable cpu of each simulated node (Kubernetes quantity). Default: 4.' }),
    memory: Type.String({ default: '8Gi', description: 'Allocatable memory of each simulated node. Default: 8Gi.' }),
    pods: Type.Integer({ minimum: 1, default: 110, description: 'Pods per simulated node. Default: 110.' })
  }, { additionalProperties: false, default: {}, description: 'The embedded API emulator (mode embedded).' })
}, { additionalProperties: false, description: 'The local Kubernetes cluster (issue 4; agent/kube).' })

export type KubeConfigSection = Static<typeof KubeConfigSchema>

export function checkKubeConfig (c: KubeConfigSection): void {
  if (parseDuration(c.requestTimeout) === undefined) throw new ConfigError('kube.requestTimeout', `"${c.requestTimeout}" is not a duration`)
  for (const [key, v] of [['kube.maxContainerCpu', c.maxContainerCpu], ['kube.maxContainerMemory', c.maxContainerMemory], ['kube.embedded.cpu', c.embedded.cpu], ['kube.embedded.memory', c.embedded.memory]] as const) {
    const q = parseQuantity(v)
    if (q == null || q <= 0) throw new ConfigError(key, `"${v}" is not a positive Kubernetes quantity`, { hint: 'write it like 4, 500m, 8Gi' })
  }
}

export function kubeBackendConfig (c: KubeConfigSection): KubeBackendConfig {
  return {
    mode: c.mode,
    ...(c.kubeconfig != null ? { kubeconfig: c.kubeconfig } : {}),
    ...(c.context != null ? { context: c.context } : {}),
    embedded: { ...c.embedded }
  }
}

export function kubeClientOptions (c: KubeConfigSection): Omit<KubeInit, 'kubeConfig'> {
  return {
    timeoutMs: parseDuration(c.requestTimeout) ?? 10_000,
    retry: { attempts: c.retries },
    sanitize: {
      allowServiceTypes: c.allowServiceTypes,
      maxContainerCpuMilli: Math.round((parseQuantity(c.maxContainerCpu) ?? 64) * 1000),
      maxContainerMemory: parseQuantity(c.maxContainerMemory) ?? 2 ** 40
    }
  }
}
