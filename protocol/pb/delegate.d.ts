import type { Codec, DecodeOptions } from 'protons-runtime';
import type { Uint8ArrayList } from 'uint8arraylist';
export interface Constraints {
    region: string;
    maxRttMs: number;
    maxLossPpm: number;
    minBandwidthBps: number;
    prefer: string;
    labels: Map<string, string>;
}
export declare namespace Constraints {
    interface Constraints$labelsEntry {
        key: string;
        value: string;
    }
    namespace Constraints$labelsEntry {
        const codec: () => Codec<Constraints$labelsEntry>;
        interface Constraints$labelsEntryKeyFieldEvent {
            field: '$.key';
            value: string;
        }
        interface Constraints$labelsEntryValueFieldEvent {
            field: '$.value';
            value: string;
        }
        function encode(obj: Partial<Constraints$labelsEntry>): Uint8Array<ArrayBuffer>;
        function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Constraints$labelsEntry>): Constraints$labelsEntry;
        function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Constraints$labelsEntry>): Generator<Constraints$labelsEntryKeyFieldEvent | Constraints$labelsEntryValueFieldEvent>;
    }
    const codec: () => Codec<Constraints>;
    interface ConstraintsRegionFieldEvent {
        field: '$.region';
        value: string;
    }
    interface ConstraintsMaxRttMsFieldEvent {
        field: '$.maxRttMs';
        value: number;
    }
    interface ConstraintsMaxLossPpmFieldEvent {
        field: '$.maxLossPpm';
        value: number;
    }
    interface ConstraintsMinBandwidthBpsFieldEvent {
        field: '$.minBandwidthBps';
        value: number;
    }
    interface ConstraintsPreferFieldEvent {
        field: '$.prefer';
        value: string;
    }
    interface ConstraintsLabelsFieldEvent {
        field: '$.labels{}';
        key: string;
        value: string;
    }
    function encode(obj: Partial<Constraints>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Constraints>): Constraints;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Constraints>): Generator<ConstraintsRegionFieldEvent | ConstraintsMaxRttMsFieldEvent | ConstraintsMaxLossPpmFieldEvent | ConstraintsMinBandwidthBpsFieldEvent | ConstraintsPreferFieldEvent | ConstraintsLabelsFieldEvent>;
}
export interface DelegateBody {
    workloadId: string;
    generation: number;
    manifests: Uint8Array<ArrayBuffer>;
    constraints?: Constraints;
    path: string[];
    hopLimit: number;
    leaseId: string;
    consumer: string;
    provider: string;
    timestamp: number;
    nonce: Uint8Array<ArrayBuffer>;
    name: string;
}
export declare namespace DelegateBody {
    const codec: () => Codec<DelegateBody>;
    interface DelegateBodyWorkloadIdFieldEvent {
        field: '$.workloadId';
        value: string;
    }
    interface DelegateBodyGenerationFieldEvent {
        field: '$.generation';
        value: number;
    }
    interface DelegateBodyManifestsFieldEvent {
        field: '$.manifests';
        value: Uint8Array<ArrayBuffer>;
    }
    interface DelegateBodyConstraintsRegionFieldEvent {
        field: '$.constraints.region';
        value: string;
    }
    interface DelegateBodyConstraintsMaxRttMsFieldEvent {
        field: '$.constraints.maxRttMs';
        value: number;
    }
    interface DelegateBodyConstraintsMaxLossPpmFieldEvent {
        field: '$.constraints.maxLossPpm';
        value: number;
    }
    interface DelegateBodyConstraintsMinBandwidthBpsFieldEvent {
        field: '$.constraints.minBandwidthBps';
        value: number;
    }
    interface DelegateBodyConstraintsPreferFieldEvent {
        field: '$.constraints.prefer';
        value: string;
    }
    interface DelegateBodyConstraintsLabelsFieldEvent {
        field: '$.constraints.labels{}';
        key: string;
        value: string;
    }
    interface DelegateBodyPathFieldEvent {
        field: '$.path[]';
        index: number;
        value: string;
    }
    interface DelegateBodyHopLimitFieldEvent {
        field: '$.hopLimit';
        value: number;
    }
    interface DelegateBodyLeaseIdFieldEvent {
        field: '$.leaseId';
        value: string;
    }
    interface DelegateBodyConsumerFieldEvent {
        field: '$.consumer';
        value: string;
    }
    interface DelegateBodyProviderFieldEvent {
        field: '$.provider';
        value: string;
    }
    interface DelegateBodyTimestampFieldEvent {
        field: '$.timestamp';
        value: number;
    }
    interface DelegateBodyNonceFieldEvent {
        field: '$.nonce';
        value: Uint8Array<ArrayBuffer>;
    }
    interface DelegateBodyNameFieldEvent {
        field: '$.name';
        value: string;
    }
    function encode(obj: Partial<DelegateBody>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DelegateBody>): DelegateBody;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DelegateBody>): Generator<DelegateBodyWorkloadIdFieldEvent | DelegateBodyGenerationFieldEvent | DelegateBodyManifestsFieldEvent | DelegateBodyConstraintsRegionFieldEvent | DelegateBodyConstraintsMaxRttMsFieldEvent | DelegateBodyConstraintsMaxLossPpmFieldEvent | DelegateBodyConstraintsMinBandwidthBpsFieldEvent | DelegateBodyConstraintsPreferFieldEvent | DelegateBodyConstraintsLabelsFieldEvent | DelegateBodyPathFieldEvent | DelegateBodyHopLimitFieldEvent | DelegateBodyLeaseIdFieldEvent | DelegateBodyConsumerFieldEvent | DelegateBodyProviderFieldEvent | DelegateBodyTimestampFieldEvent | DelegateBodyNonceFieldEvent | DelegateBodyNameFieldEvent>;
}
export interface Delegate {
    body: Uint8Array<ArrayBuffer>;
    signature: Uint8Array<ArrayBuffer>;
}
export declare namespace Delegate {
    const codec: () => Codec<Delegate>;
    interface DelegateBodyFieldEvent {
        field: '$.body';
        value: Uint8Array<ArrayBuffer>;
    }
    interface DelegateSignatureFieldEvent {
        field: '$.signature';
        value: Uint8Array<ArrayBuffer>;
    }
    function encode(obj: Partial<Delegate>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Delegate>): Delegate;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Delegate>): Generator<DelegateBodyFieldEvent | DelegateSignatureFieldEvent>;
}
export declare enum RejectReason {
    REJECT_UNSPECIFIED = "REJECT_UNSPECIFIED",
    NOT_MEMBER = "NOT_MEMBER",
    BAD_SIGNATURE = "BAD_SIGNATURE",
    STALE = "STALE",
    NO_LEASE = "NO_LEASE",
    LEASE_EXPIRED = "LEASE_EXPIRED",
    INSUFFICIENT_QUOTA = "INSUFFICIENT_QUOTA",
    LOOP = "LOOP",
    HOP_LIMIT = "HOP_LIMIT",
    FENCED = "FENCED",
    INVALID_MANIFEST = "INVALID_MANIFEST",
    TOO_LARGE = "TOO_LARGE",
    MALFORMED = "MALFORMED",
    WRONG_RECIPIENT = "WRONG_RECIPIENT",
    APPLY_FAILED = "APPLY_FAILED",
    INTERNAL = "INTERNAL",
    NOT_LEASE_PARTY = "NOT_LEASE_PARTY"
}
export declare namespace RejectReason {
    const codec: () => Codec<RejectReason>;
}
export interface Ack {
    workloadId: string;
    generation: number;
    acceptedAt: number;
}
export declare namespace Ack {
    const codec: () => Codec<Ack>;
    interface AckWorkloadIdFieldEvent {
        field: '$.workloadId';
        value: string;
    }
    interface AckGenerationFieldEvent {
        field: '$.generation';
        value: number;
    }
    interface AckAcceptedAtFieldEvent {
        field: '$.acceptedAt';
        value: number;
    }
    function encode(obj: Partial<Ack>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Ack>): Ack;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Ack>): Generator<AckWorkloadIdFieldEvent | AckGenerationFieldEvent | AckAcceptedAtFieldEvent>;
}
export interface Reject {
    workloadId: string;
    generation: number;
    reason: RejectReason;
    detail: string;
}
export declare namespace Reject {
    const codec: () => Codec<Reject>;
    interface RejectWorkloadIdFieldEvent {
        field: '$.workloadId';
        value: string;
    }
    interface RejectGenerationFieldEvent {
        field: '$.generation';
        value: number;
    }
    interface RejectReasonFieldEvent {
        field: '$.reason';
        value: RejectReason;
    }
    interface RejectDetailFieldEvent {
        field: '$.detail';
        value: string;
    }
    function encode(obj: Partial<Reject>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Reject>): Reject;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Reject>): Generator<RejectWorkloadIdFieldEvent | RejectGenerationFieldEvent | RejectReasonFieldEvent | RejectDetailFieldEvent>;
}
export interface Cancel {
    workloadId: string;
    generation: number;
    fence: number;
}
export declare namespace Cancel {
    const codec: () => Codec<Cancel>;
    interface CancelWorkloadIdFieldEvent {
        field: '$.workloadId';
        value: string;
    }
    interface CancelGenerationFieldEvent {
        field: '$.generation';
        value: number;
    }
    interface CancelFenceFieldEvent {
        field: '$.fence';
        value: number;
    }
    function encode(obj: Partial<Cancel>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Cancel>): Cancel;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Cancel>): Generator<CancelWorkloadIdFieldEvent | CancelGenerationFieldEvent | CancelFenceFieldEvent>;
}
export interface CancelAck {
    workloadId: string;
    fence: number;
    removed: boolean;
}
export declare namespace CancelAck {
    const codec: () => Codec<CancelAck>;
    interface CancelAckWorkloadIdFieldEvent {
        field: '$.workloadId';
        value: string;
    }
    interface CancelAckFenceFieldEvent {
        field: '$.fence';
        value: number;
    }
    interface CancelAckRemovedFieldEvent {
        field: '$.removed';
        value: boolean;
    }
    function encode(obj: Partial<CancelAck>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CancelAck>): CancelAck;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<CancelAck>): Generator<CancelAckWorkloadIdFieldEvent | CancelAckFenceFieldEvent | CancelAckRemovedFieldEvent>;
}
export interface ResyncRequest {
}
export declare namespace ResyncRequest {
    const codec: () => Codec<ResyncRequest>;
    function encode(obj: Partial<ResyncRequest>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ResyncRequest>): ResyncRequest;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ResyncRequest>): Generator<{}>;
}
export interface HeldWorkload {
    workloadId: string;
    generation: number;
    status?: Status;
}
export declare namespace HeldWorkload {
    const codec: () => Codec<HeldWorkload>;
    interface HeldWorkloadWorkloadIdFieldEvent {
        field: '$.workloadId';
        value: string;
    }
    interface HeldWorkloadGenerationFieldEvent {
        field: '$.generation';
        value: number;
    }
    interface HeldWorkloadStatusWorkloadIdFieldEvent {
        field: '$.status.workloadId';
        value: string;
    }
    interface HeldWorkloadStatusGenerationFieldEvent {
        field: '$.status.generation';
        value: number;
    }
    interface HeldWorkloadStatusPhaseFieldEvent {
        field: '$.status.phase';
        value: Phase;
    }
    interface HeldWorkloadStatusReadyReplicasFieldEvent {
        field: '$.status.readyReplicas';
        value: number;
    }
    interface HeldWorkloadStatusReplicasFieldEvent {
        field: '$.status.replicas';
        value: number;
    }
    interface HeldWorkloadStatusPodIpsFieldEvent {
        field: '$.status.podIps[]';
        index: number;
        value: string;
    }
    interface HeldWorkloadStatusLastErrorFieldEvent {
        field: '$.status.lastError';
        value: string;
    }
    interface HeldWorkloadStatusObservedGenerationFieldEvent {
        field: '$.status.observedGeneration';
        value: number;
    }
    interface HeldWorkloadStatusSequenceFieldEvent {
        field: '$.status.sequence';
        value: number;
    }
    interface HeldWorkloadStatusTimestampFieldEvent {
        field: '$.status.timestamp';
        value: number;
    }
    interface HeldWorkloadStatusViaAgentsFieldEvent {
        field: '$.status.via.agents[]';
        index: number;
        value: string;
    }
    function encode(obj: Partial<HeldWorkload>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HeldWorkload>): HeldWorkload;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<HeldWorkload>): Generator<HeldWorkloadWorkloadIdFieldEvent | HeldWorkloadGenerationFieldEvent | HeldWorkloadStatusWorkloadIdFieldEvent | HeldWorkloadStatusGenerationFieldEvent | HeldWorkloadStatusPhaseFieldEvent | HeldWorkloadStatusReadyReplicasFieldEvent | HeldWorkloadStatusReplicasFieldEvent | HeldWorkloadStatusPodIpsFieldEvent | HeldWorkloadStatusLastErrorFieldEvent | HeldWorkloadStatusObservedGenerationFieldEvent | HeldWorkloadStatusSequenceFieldEvent | HeldWorkloadStatusTimestampFieldEvent | HeldWorkloadStatusViaAgentsFieldEvent>;
}
export interface ResyncResponse {
    workloads: HeldWorkload[];
}
export declare namespace ResyncResponse {
    const codec: () => Codec<ResyncResponse>;
    interface ResyncResponseWorkloadsWorkloadIdFieldEvent {
        field: '$.workloads[].workloadId';
        value: string;
        index: number;
    }
    interface ResyncResponseWorkloadsGenerationFieldEvent {
        field: '$.workloads[].generation';
        value: number;
        index: number;
    }
    interface ResyncResponseWorkloadsStatusWorkloadIdFieldEvent {
        field: '$.workloads[].status.workloadId';
        value: string;
        index: number;
    }
    interface ResyncResponseWorkloadsStatusGenerationFieldEvent {
        field: '$.workloads[].status.generation';
        value: number;
        index: number;
    }
    interface ResyncResponseWorkloadsStatusPhaseFieldEvent {
        field: '$.workloads[].status.phase';
        value: Phase;
        index: number;
    }
    interface ResyncResponseWorkloadsStatusReadyReplicasFieldEvent {
        field: '$.workloads[].status.readyReplicas';
        value: number;
        index: number;
    }
    interface ResyncResponseWorkloadsStatusReplicasFieldEvent {
        field: '$.workloads[].status.replicas';
        value: number;
        index: number;
    }
    interface ResyncResponseWorkloadsStatusPodIpsFieldEvent {
        field: '$.workloads[].status.podIps[]';
        index: number;
        value: string;
    }
    interface ResyncResponseWorkloadsStatusLastErrorFieldEvent {
        field: '$.workloads[].status.lastError';
        value: string;
        index: number;
    }
    interface ResyncResponseWorkloadsStatusObservedGenerationFieldEvent {
        field: '$.workloads[].status.observedGeneration';
        value: number;
        index: number;
    }
    interface ResyncResponseWorkloadsStatusSequenceFieldEvent {
        field: '$.workloads[].status.sequence';
        value: number;
        index: number;
    }
    interface ResyncResponseWorkloadsStatusTimestampFieldEvent {
        field: '$.workloads[].status.timestamp';
        value: number;
        index: number;
    }
    interface ResyncResponseWorkloadsStatusViaAgentsFieldEvent {
        field: '$.workloads[].status.via.agents[]';
        index: number;
        value: string;
    }
    function encode(obj: Partial<ResyncResponse>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ResyncResponse>): ResyncResponse;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<ResyncResponse>): Generator<ResyncResponseWorkloadsWorkloadIdFieldEvent | ResyncResponseWorkloadsGenerationFieldEvent | ResyncResponseWorkloadsStatusWorkloadIdFieldEvent | ResyncResponseWorkloadsStatusGenerationFieldEvent | ResyncResponseWorkloadsStatusPhaseFieldEvent | ResyncResponseWorkloadsStatusReadyReplicasFieldEvent | ResyncResponseWorkloadsStatusReplicasFieldEvent | ResyncResponseWorkloadsStatusPodIpsFieldEvent | ResyncResponseWorkloadsStatusLastErrorFieldEvent | ResyncResponseWorkloadsStatusObservedGenerationFieldEvent | ResyncResponseWorkloadsStatusSequenceFieldEvent | ResyncResponseWorkloadsStatusTimestampFieldEvent | ResyncResponseWorkloadsStatusViaAgentsFieldEvent>;
}
export interface DelegateRequest {
    delegate?: Delegate;
    cancel?: Cancel;
    resync?: ResyncRequest;
}
export declare namespace DelegateRequest {
    const codec: () => Codec<DelegateRequest>;
    interface DelegateRequestDelegateBodyFieldEvent {
        field: '$.delegate.body';
        value: Uint8Array<ArrayBuffer>;
    }
    interface DelegateRequestDelegateSignatureFieldEvent {
        field: '$.delegate.signature';
        value: Uint8Array<ArrayBuffer>;
    }
    interface DelegateRequestCancelWorkloadIdFieldEvent {
        field: '$.cancel.workloadId';
        value: string;
    }
    interface DelegateRequestCancelGenerationFieldEvent {
        field: '$.cancel.generation';
        value: number;
    }
    interface DelegateRequestCancelFenceFieldEvent {
        field: '$.cancel.fence';
        value: number;
    }
    function encode(obj: Partial<DelegateRequest>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DelegateRequest>): DelegateRequest;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DelegateRequest>): Generator<DelegateRequestDelegateBodyFieldEvent | DelegateRequestDelegateSignatureFieldEvent | DelegateRequestCancelWorkloadIdFieldEvent | DelegateRequestCancelGenerationFieldEvent | DelegateRequestCancelFenceFieldEvent>;
}
export interface DelegateResponse {
    ack?: Ack;
    reject?: Reject;
    cancelAck?: CancelAck;
    resync?: ResyncResponse;
}
export declare namespace DelegateResponse {
    const codec: () => Codec<DelegateResponse>;
    interface DelegateResponseAckWorkloadIdFieldEvent {
        field: '$.ack.workloadId';
        value: string;
    }
    interface DelegateResponseAckGenerationFieldEvent {
        field: '$.ack.generation';
        value: number;
    }
    interface DelegateResponseAckAcceptedAtFieldEvent {
        field: '$.ack.acceptedAt';
        value: number;
    }
    interface DelegateResponseRejectWorkloadIdFieldEvent {
        field: '$.reject.workloadId';
        value: string;
    }
    interface DelegateResponseRejectGenerationFieldEvent {
        field: '$.reject.generation';
        value: number;
    }
    interface DelegateResponseRejectReasonFieldEvent {
        field: '$.reject.reason';
        value: RejectReason;
    }
    interface DelegateResponseRejectDetailFieldEvent {
        field: '$.reject.detail';
        value: string;
    }
    interface DelegateResponseCancelAckWorkloadIdFieldEvent {
        field: '$.cancelAck.workloadId';
        value: string;
    }
    interface DelegateResponseCancelAckFenceFieldEvent {
        field: '$.cancelAck.fence';
        value: number;
    }
    interface DelegateResponseCancelAckRemovedFieldEvent {
        field: '$.cancelAck.removed';
        value: boolean;
    }
    interface DelegateResponseResyncWorkloadsWorkloadIdFieldEvent {
        field: '$.resync.workloads[].workloadId';
        value: string;
        index: number;
    }
    interface DelegateResponseResyncWorkloadsGenerationFieldEvent {
        field: '$.resync.workloads[].generation';
        value: number;
        index: number;
    }
    interface DelegateResponseResyncWorkloadsStatusWorkloadIdFieldEvent {
        field: '$.resync.workloads[].status.workloadId';
        value: string;
        index: number;
    }
    interface DelegateResponseResyncWorkloadsStatusGenerationFieldEvent {
        field: '$.resync.workloads[].status.generation';
        value: number;
        index: number;
    }
    interface DelegateResponseResyncWorkloadsStatusPhaseFieldEvent {
        field: '$.resync.workloads[].status.phase';
        value: Phase;
        index: number;
    }
    interface DelegateResponseResyncWorkloadsStatusReadyReplicasFieldEvent {
        field: '$.resync.workloads[].status.readyReplicas';
        value: number;
        index: number;
    }
    interface DelegateResponseResyncWorkloadsStatusReplicasFieldEvent {
        field: '$.resync.workloads[].status.replicas';
        value: number;
        index: number;
    }
    interface DelegateResponseResyncWorkloadsStatusPodIpsFieldEvent {
        field: '$.resync.workloads[].status.podIps[]';
        index: number;
        value: string;
    }
    interface DelegateResponseResyncWorkloadsStatusLastErrorFieldEvent {
        field: '$.resync.workloads[].status.lastError';
        value: string;
        index: number;
    }
    interface DelegateResponseResyncWorkloadsStatusObservedGenerationFieldEvent {
        field: '$.resync.workloads[].status.observedGeneration';
        value: number;
        index: number;
    }
    interface DelegateResponseResyncWorkloadsStatusSequenceFieldEvent {
        field: '$.resync.workloads[].status.sequence';
        value: number;
        index: number;
    }
    interface DelegateResponseResyncWorkloadsStatusTimestampFieldEvent {
        field: '$.resync.workloads[].status.timestamp';
        value: number;
        index: number;
    }
    interface DelegateResponseResyncWorkloadsStatusViaAgentsFieldEvent {
        field: '$.resync.workloads[].status.via.agents[]';
        index: number;
        value: string;
    }
    function encode(obj: Partial<DelegateResponse>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DelegateResponse>): DelegateResponse;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<DelegateResponse>): Generator<DelegateResponseAckWorkloadIdFieldEvent | DelegateResponseAckGenerationFieldEvent | DelegateResponseAckAcceptedAtFieldEvent | DelegateResponseRejectWorkloadIdFieldEvent | DelegateResponseRejectGenerationFieldEvent | DelegateResponseRejectReasonFieldEvent | DelegateResponseRejectDetailFieldEvent | DelegateResponseCancelAckWorkloadIdFieldEvent | DelegateResponseCancelAckFenceFieldEvent | DelegateResponseCancelAckRemovedFieldEvent | DelegateResponseResyncWorkloadsWorkloadIdFieldEvent | DelegateResponseResyncWorkloadsGenerationFieldEvent | DelegateResponseResyncWorkloadsStatusWorkloadIdFieldEvent | DelegateResponseResyncWorkloadsStatusGenerationFieldEvent | DelegateResponseResyncWorkloadsStatusPhaseFieldEvent | DelegateResponseResyncWorkloadsStatusReadyReplicasFieldEvent | DelegateResponseResyncWorkloadsStatusReplicasFieldEvent | DelegateResponseResyncWorkloadsStatusPodIpsFieldEvent | DelegateResponseResyncWorkloadsStatusLastErrorFieldEvent | DelegateResponseResyncWorkloadsStatusObservedGenerationFieldEvent | DelegateResponseResyncWorkloadsStatusSequenceFieldEvent | DelegateResponseResyncWorkloadsStatusTimestampFieldEvent | DelegateResponseResyncWorkloadsStatusViaAgentsFieldEvent>;
}
export declare enum Phase {
    PHASE_UNSPECIFIED = "PHASE_UNSPECIFIED",
    ACCEPTED = "ACCEPTED",
    APPLYING = "APPLYING",
    PROGRESSING = "PROGRESSING",
    RUNNING = "RUNNING",
    SUCCEEDED = "SUCCEEDED",
    FAILING = "FAILING",
    RELINQUISHED = "RELINQUISHED",
    CANCELLED = "CANCELLED",
    RECLAIMED = "RECLAIMED"
}
export declare namespace Phase {
    const codec: () => Codec<Phase>;
}
export interface Status {
    workloadId: string;
    generation: number;
    phase: Phase;
    readyReplicas: number;
    replicas: number;
    podIps: string[];
    lastError: string;
    observedGeneration: number;
    sequence: number;
    timestamp: number;
    via?: Via;
}
export declare namespace Status {
    const codec: () => Codec<Status>;
    interface StatusWorkloadIdFieldEvent {
        field: '$.workloadId';
        value: string;
    }
    interface StatusGenerationFieldEvent {
        field: '$.generation';
        value: number;
    }
    interface StatusPhaseFieldEvent {
        field: '$.phase';
        value: Phase;
    }
    interface StatusReadyReplicasFieldEvent {
        field: '$.readyReplicas';
        value: number;
    }
    interface StatusReplicasFieldEvent {
        field: '$.replicas';
        value: number;
    }
    interface StatusPodIpsFieldEvent {
        field: '$.podIps[]';
        index: number;
        value: string;
    }
    interface StatusLastErrorFieldEvent {
        field: '$.lastError';
        value: string;
    }
    interface StatusObservedGenerationFieldEvent {
        field: '$.observedGeneration';
        value: number;
    }
    interface StatusSequenceFieldEvent {
        field: '$.sequence';
        value: number;
    }
    interface StatusTimestampFieldEvent {
        field: '$.timestamp';
        value: number;
    }
    interface StatusViaAgentsFieldEvent {
        field: '$.via.agents[]';
        index: number;
        value: string;
    }
    function encode(obj: Partial<Status>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Status>): Status;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Status>): Generator<StatusWorkloadIdFieldEvent | StatusGenerationFieldEvent | StatusPhaseFieldEvent | StatusReadyReplicasFieldEvent | StatusReplicasFieldEvent | StatusPodIpsFieldEvent | StatusLastErrorFieldEvent | StatusObservedGenerationFieldEvent | StatusSequenceFieldEvent | StatusTimestampFieldEvent | StatusViaAgentsFieldEvent>;
}
export interface Via {
    agents: string[];
}
export declare namespace Via {
    const codec: () => Codec<Via>;
    interface ViaAgentsFieldEvent {
        field: '$.agents[]';
        index: number;
        value: string;
    }
    function encode(obj: Partial<Via>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Via>): Via;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Via>): Generator<ViaAgentsFieldEvent>;
}
export interface StatusSubscribe {
    consumer: string;
}
export declare namespace StatusSubscribe {
    const codec: () => Codec<StatusSubscribe>;
    interface StatusSubscribeConsumerFieldEvent {
        field: '$.consumer';
        value: string;
    }
    function encode(obj: Partial<StatusSubscribe>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StatusSubscribe>): StatusSubscribe;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<StatusSubscribe>): Generator<StatusSubscribeConsumerFieldEvent>;
}
