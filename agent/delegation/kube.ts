/**
 * The workloads backend on agent/kube: server-side apply into the tenant
 * namespace (the kube client sanitizes first), delete by the names the
 * manifests carry, and a namespace watch folded into one status per
 * workload.
 *
 *   const workloads = kubeWorkloads(agent.kube)
 */
import type { KubeClient, WorkloadStatus } from '../kube/index.ts'
import type { Manifest } from '../../protocol/delegation/manifests.ts'
import type { BackendStatus, WorkloadsBackend } from './types.ts'

export const WORKLOAD_LABEL = 'skein.dev/workload'

const podBearing = new Set(['Deployment', 'StatefulSet', 'Job', 'Pod'])

function labelled (m: Manifest, workloadId: string): Manifest {
  const meta = m.metadata
  const labels = { ...((meta.labels as Record<string, string> | undefined) ?? {}), [WORKLOAD_LABEL]: workloadId }
  return { ...m, metadata: { ...meta, labels } }
}

/** One status from the statuses of a workload's pod-bearing objects. */
export function foldStatus (refs: Array<{ kind: string, name: string }>, seen: Map<string, WorkloadStatus>): BackendStatus {
  let ready = 0
  let replicas = 0
  const ips: string[] = []
  let running = 0
  let succeeded = 0
  let failing: string | undefined
  for (const r of refs) {
    const s = seen.get(`${r.kind}/${r.name}`)
    if (s == null) continue
    ready += s.readyReplicas ?? 0
    replicas += s.replicas ?? 0
    for (const p of s.pods) if (p.ip != null && p.ready) ips.push(p.ip)
    if (s.phase === 'Running') running++
    else if (s.phase === 'Succeeded') succeeded++
    else if (s.phase === 'Failed') failing = s.conditions.find((c) => c.message != null)?.message ?? `${r.kind} ${r.name} failed`
    else {
      const refused = s.conditions.find((c) => c.type === 'ReplicaFailure' && c.status === 'True')
      if (refused != null) { failing = refused.message ?? refused.reason ?? `${r.kind} ${r.name} cannot create pods`; continue }
      const stuck = s.pods.find((p) => p.reason === 'Unschedulable' || p.reason === 'CrashLoopBackOff' || p.reason === 'ImagePullBackOff' || p.reason === 'ErrImagePull')
      if (stuck != null) failing = `${stuck.name}: ${stuck.reason ?? ''}${stuck.message != null ? `: ${stuck.message}` : ''}`
    }
  }
  const base = { readyReplicas: ready, replicas, podIps: ips }
  if (failing != null) return { ...base, phase: 'failing', error: failing }
  if (refs.length > 0 && succeeded === refs.length) return { ...base, phase: 'succeeded' }
  if (refs.length > 0 && running + succeeded === refs.length) return { ...base, phase: 'running' }
  if (refs.length === 0) return { ...base, phase: 'running' }
  return { ...base, phase: 'progressing' }
}

export function kubeWorkloads (kube: KubeClient): WorkloadsBackend {
  return {
    async apply (ns, manifests, meta, options = {}) {
      await kube.applyWorkload(ns, manifests.map((m) => labelled(m, meta.workloadId)), options)
    },
    async delete (ns, _workloadId, manifests, options = {}) {
      await kube.deleteWorkload(ns, manifests.map((m) => ({ kind: m.kind, name: m.metadata.name })), options)
    },
    watch (ns, _workloadId, manifests, onStatus) {
      const refs = manifests.filter((m) => podBearing.has(m.kind)).map((m) => ({ kind: m.kind, name: m.metadata.name }))
      const names = new Set(refs.map((r) => `${r.kind}/${r.name}`))
      const seen = new Map<string, WorkloadStatus>()
      let last = ''
      const w = kube.watchWorkloads(ns, (s) => {
        const key = `${s.kind}/${s.name}`
        if (!names.has(key)) return
        seen.set(key, s)
        const folded = foldStatus(refs, seen)
        const text = JSON.stringify(folded)
        if (text === last) return
        last = text
        onStatus(folded)
      })
      if (refs.length === 0) queueMicrotask(() => { onStatus(foldStatus(refs, seen)) })
      return () => { w.stop().catch(() => {}) }
    }
  }
}
