import type { Codec, DecodeOptions } from 'protons-runtime';
import type { Uint8ArrayList } from 'uint8arraylist';
export interface Resources {
    cpuMillis: number;
    memoryBytes: number;
    pods: number;
    gpu: number;
    ephemeralStorageBytes: number;
}
export declare namespace Resources {
    const codec: () => Codec<Resources>;
    interface ResourcesCpuMillisFieldEvent {
        field: '$.cpuMillis';
        value: number;
    }
    interface ResourcesMemoryBytesFieldEvent {
        field: '$.memoryBytes';
        value: number;
    }
    interface ResourcesPodsFieldEvent {
        field: '$.pods';
        value: number;
    }
    interface ResourcesGpuFieldEvent {
        field: '$.gpu';
        value: number;
    }
    interface ResourcesEphemeralStorageBytesFieldEvent {
        field: '$.ephemeralStorageBytes';
        value: number;
    }
    function encode(obj: Partial<Resources>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Resources>): Resources;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Resources>): Generator<ResourcesCpuMillisFieldEvent | ResourcesMemoryBytesFieldEvent | ResourcesPodsFieldEvent | ResourcesGpuFieldEvent | ResourcesEphemeralStorageBytesFieldEvent>;
}
export interface Offer {
    provider: string;
    resources?: Resources;
    seq: number;
    path: string[];
    hopLimit: number;
}
export declare namespace Offer {
    const codec: () => Codec<Offer>;
    interface OfferProviderFieldEvent {
        field: '$.provider';
        value: string;
    }
    interface OfferResourcesCpuMillisFieldEvent {
        field: '$.resources.cpuMillis';
        value: number;
    }
    interface OfferResourcesMemoryBytesFieldEvent {
        field: '$.resources.memoryBytes';
        value: number;
    }
    interface OfferResourcesPodsFieldEvent {
        field: '$.resources.pods';
        value: number;
    }
    interface OfferResourcesGpuFieldEvent {
        field: '$.resources.gpu';
        value: number;
    }
    interface OfferResourcesEphemeralStorageBytesFieldEvent {
        field: '$.resources.ephemeralStorageBytes';
        value: number;
    }
    interface OfferSeqFieldEvent {
        field: '$.seq';
        value: number;
    }
    interface OfferPathFieldEvent {
        field: '$.path[]';
        index: number;
        value: string;
    }
    interface OfferHopLimitFieldEvent {
        field: '$.hopLimit';
        value: number;
    }
    function encode(obj: Partial<Offer>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Offer>): Offer;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Offer>): Generator<OfferProviderFieldEvent | OfferResourcesCpuMillisFieldEvent | OfferResourcesMemoryBytesFieldEvent | OfferResourcesPodsFieldEvent | OfferResourcesGpuFieldEvent | OfferResourcesEphemeralStorageBytesFieldEvent | OfferSeqFieldEvent | OfferPathFieldEvent | OfferHopLimitFieldEvent>;
}
export interface OfferQuery {
}
export declare namespace OfferQuery {
    const codec: () => Codec<OfferQuery>;
    function encode(obj: Partial<OfferQuery>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OfferQuery>): OfferQuery;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OfferQuery>): Generator<{}>;
}
export interface PeeringRequest {
    leaseId: string;
    quota?: Resources;
    min?: Resources;
    durationMs: number;
    path: string[];
    hopLimit: number;
}
export declare namespace PeeringRequest {
    const codec: () => Codec<PeeringRequest>;
    interface PeeringRequestLeaseIdFieldEvent {
        field: '$.leaseId';
        value: string;
    }
    interface PeeringRequestQuotaCpuMillisFieldEvent {
        field: '$.quota.cpuMillis';
        value: number;
    }
    interface PeeringRequestQuotaMemoryBytesFieldEvent {
        field: '$.quota.memoryBytes';
        value: number;
    }
    interface PeeringRequestQuotaPodsFieldEvent {
        field: '$.quota.pods';
        value: number;
    }
    interface PeeringRequestQuotaGpuFieldEvent {
        field: '$.quota.gpu';
        value: number;
    }
    interface PeeringRequestQuotaEphemeralStorageBytesFieldEvent {
        field: '$.quota.ephemeralStorageBytes';
        value: number;
    }
    interface PeeringRequestMinCpuMillisFieldEvent {
        field: '$.min.cpuMillis';
        value: number;
    }
    interface PeeringRequestMinMemoryBytesFieldEvent {
        field: '$.min.memoryBytes';
        value: number;
    }
    interface PeeringRequestMinPodsFieldEvent {
        field: '$.min.pods';
        value: number;
    }
    interface PeeringRequestMinGpuFieldEvent {
        field: '$.min.gpu';
        value: number;
    }
    interface PeeringRequestMinEphemeralStorageBytesFieldEvent {
        field: '$.min.ephemeralStorageBytes';
        value: number;
    }
    interface PeeringRequestDurationMsFieldEvent {
        field: '$.durationMs';
        value: number;
    }
    interface PeeringRequestPathFieldEvent {
        field: '$.path[]';
        index: number;
        value: string;
    }
    interface PeeringRequestHopLimitFieldEvent {
        field: '$.hopLimit';
        value: number;
    }
    function encode(obj: Partial<PeeringRequest>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeeringRequest>): PeeringRequest;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeeringRequest>): Generator<PeeringRequestLeaseIdFieldEvent | PeeringRequestQuotaCpuMillisFieldEvent | PeeringRequestQuotaMemoryBytesFieldEvent | PeeringRequestQuotaPodsFieldEvent | PeeringRequestQuotaGpuFieldEvent | PeeringRequestQuotaEphemeralStorageBytesFieldEvent | PeeringRequestMinCpuMillisFieldEvent | PeeringRequestMinMemoryBytesFieldEvent | PeeringRequestMinPodsFieldEvent | PeeringRequestMinGpuFieldEvent | PeeringRequestMinEphemeralStorageBytesFieldEvent | PeeringRequestDurationMsFieldEvent | PeeringRequestPathFieldEvent | PeeringRequestHopLimitFieldEvent>;
}
export interface PeeringGrant {
    leaseId: string;
    consumer: string;
    provider: string;
    quota?: Resources;
    counter: boolean;
    created: number;
    expires: number;
    renewBy: number;
    graceMs: number;
}
export declare namespace PeeringGrant {
    const codec: () => Codec<PeeringGrant>;
    interface PeeringGrantLeaseIdFieldEvent {
        field: '$.leaseId';
        value: string;
    }
    interface PeeringGrantConsumerFieldEvent {
        field: '$.consumer';
        value: string;
    }
    interface PeeringGrantProviderFieldEvent {
        field: '$.provider';
        value: string;
    }
    interface PeeringGrantQuotaCpuMillisFieldEvent {
        field: '$.quota.cpuMillis';
        value: number;
    }
    interface PeeringGrantQuotaMemoryBytesFieldEvent {
        field: '$.quota.memoryBytes';
        value: number;
    }
    interface PeeringGrantQuotaPodsFieldEvent {
        field: '$.quota.pods';
        value: number;
    }
    interface PeeringGrantQuotaGpuFieldEvent {
        field: '$.quota.gpu';
        value: number;
    }
    interface PeeringGrantQuotaEphemeralStorageBytesFieldEvent {
        field: '$.quota.ephemeralStorageBytes';
        value: number;
    }
    interface PeeringGrantCounterFieldEvent {
        field: '$.counter';
        value: boolean;
    }
    interface PeeringGrantCreatedFieldEvent {
        field: '$.created';
        value: number;
    }
    interface PeeringGrantExpiresFieldEvent {
        field: '$.expires';
        value: number;
    }
    interface PeeringGrantRenewByFieldEvent {
        field: '$.renewBy';
        value: number;
    }
    interface PeeringGrantGraceMsFieldEvent {
        field: '$.graceMs';
        value: number;
    }
    function encode(obj: Partial<PeeringGrant>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeeringGrant>): PeeringGrant;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeeringGrant>): Generator<PeeringGrantLeaseIdFieldEvent | PeeringGrantConsumerFieldEvent | PeeringGrantProviderFieldEvent | PeeringGrantQuotaCpuMillisFieldEvent | PeeringGrantQuotaMemoryBytesFieldEvent | PeeringGrantQuotaPodsFieldEvent | PeeringGrantQuotaGpuFieldEvent | PeeringGrantQuotaEphemeralStorageBytesFieldEvent | PeeringGrantCounterFieldEvent | PeeringGrantCreatedFieldEvent | PeeringGrantExpiresFieldEvent | PeeringGrantRenewByFieldEvent | PeeringGrantGraceMsFieldEvent>;
}
export declare enum RejectReason {
    REJECT_UNSPECIFIED = "REJECT_UNSPECIFIED",
    INSUFFICIENT_CAPACITY = "INSUFFICIENT_CAPACITY",
    NOT_MEMBER = "NOT_MEMBER",
    BAD_SIGNATURE = "BAD_SIGNATURE",
    STALE = "STALE",
    REPLAY = "REPLAY",
    LOOP = "LOOP",
    HOP_LIMIT = "HOP_LIMIT",
    INVALID_QUANTITY = "INVALID_QUANTITY",
    DUPLICATE_LEASE = "DUPLICATE_LEASE",
    UNKNOWN_LEASE = "UNKNOWN_LEASE",
    NOT_SHARING = "NOT_SHARING",
    POLICY_DENIED = "POLICY_DENIED",
    MALFORMED = "MALFORMED",
    UNSUPPORTED_VERSION = "UNSUPPORTED_VERSION",
    WRONG_RECIPIENT = "WRONG_RECIPIENT",
    LEASE_EXPIRED = "LEASE_EXPIRED",
    NOT_LEASE_PARTY = "NOT_LEASE_PARTY",
    TENANT_FAILED = "TENANT_FAILED",
    INTERNAL = "INTERNAL"
}
export declare namespace RejectReason {
    const codec: () => Codec<RejectReason>;
}
export interface PeeringReject {
    leaseId: string;
    reason: RejectReason;
    detail: string;
}
export declare namespace PeeringReject {
    const codec: () => Codec<PeeringReject>;
    interface PeeringRejectLeaseIdFieldEvent {
        field: '$.leaseId';
        value: string;
    }
    interface PeeringRejectReasonFieldEvent {
        field: '$.reason';
        value: RejectReason;
    }
    interface PeeringRejectDetailFieldEvent {
        field: '$.detail';
        value: string;
    }
    function encode(obj: Partial<PeeringReject>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeeringReject>): PeeringReject;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeeringReject>): Generator<PeeringRejectLeaseIdFieldEvent | PeeringRejectReasonFieldEvent | PeeringRejectDetailFieldEvent>;
}
export interface LeaseRenew {
    leaseId: string;
    extendMs: number;
}
export declare namespace LeaseRenew {
    const codec: () => Codec<LeaseRenew>;
    interface LeaseRenewLeaseIdFieldEvent {
        field: '$.leaseId';
        value: string;
    }
    interface LeaseRenewExtendMsFieldEvent {
        field: '$.extendMs';
        value: number;
    }
    function encode(obj: Partial<LeaseRenew>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LeaseRenew>): LeaseRenew;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LeaseRenew>): Generator<LeaseRenewLeaseIdFieldEvent | LeaseRenewExtendMsFieldEvent>;
}
export interface LeaseRenewAck {
    leaseId: string;
    expires: number;
    renewBy: number;
}
export declare namespace LeaseRenewAck {
    const codec: () => Codec<LeaseRenewAck>;
    interface LeaseRenewAckLeaseIdFieldEvent {
        field: '$.leaseId';
        value: string;
    }
    interface LeaseRenewAckExpiresFieldEvent {
        field: '$.expires';
        value: number;
    }
    interface LeaseRenewAckRenewByFieldEvent {
        field: '$.renewBy';
        value: number;
    }
    function encode(obj: Partial<LeaseRenewAck>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LeaseRenewAck>): LeaseRenewAck;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LeaseRenewAck>): Generator<LeaseRenewAckLeaseIdFieldEvent | LeaseRenewAckExpiresFieldEvent | LeaseRenewAckRenewByFieldEvent>;
}
export interface LeaseRelease {
    leaseId: string;
}
export declare namespace LeaseRelease {
    const codec: () => Codec<LeaseRelease>;
    interface LeaseReleaseLeaseIdFieldEvent {
        field: '$.leaseId';
        value: string;
    }
    function encode(obj: Partial<LeaseRelease>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LeaseRelease>): LeaseRelease;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LeaseRelease>): Generator<LeaseReleaseLeaseIdFieldEvent>;
}
export interface LeaseReleaseAck {
    leaseId: string;
}
export declare namespace LeaseReleaseAck {
    const codec: () => Codec<LeaseReleaseAck>;
    interface LeaseReleaseAckLeaseIdFieldEvent {
        field: '$.leaseId';
        value: string;
    }
    function encode(obj: Partial<LeaseReleaseAck>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LeaseReleaseAck>): LeaseReleaseAck;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LeaseReleaseAck>): Generator<LeaseReleaseAckLeaseIdFieldEvent>;
}
export interface PeeringBody {
    version: number;
    sender: string;
    recipient: string;
    nonce: Uint8Array<ArrayBuffer>;
    timestamp: number;
    offerQuery?: OfferQuery;
    offer?: Offer;
    request?: PeeringRequest;
    grant?: PeeringGrant;
    reject?: PeeringReject;
    renew?: LeaseRenew;
    renewAck?: LeaseRenewAck;
    release?: LeaseRelease;
    releaseAck?: LeaseReleaseAck;
}
export declare namespace PeeringBody {
    const codec: () => Codec<PeeringBody>;
    interface PeeringBodyVersionFieldEvent {
        field: '$.version';
        value: number;
    }
    interface PeeringBodySenderFieldEvent {
        field: '$.sender';
        value: string;
    }
    interface PeeringBodyRecipientFieldEvent {
        field: '$.recipient';
        value: string;
    }
    interface PeeringBodyNonceFieldEvent {
        field: '$.nonce';
        value: Uint8Array<ArrayBuffer>;
    }
    interface PeeringBodyTimestampFieldEvent {
        field: '$.timestamp';
        value: number;
    }
    interface PeeringBodyOfferProviderFieldEvent {
        field: '$.offer.provider';
        value: string;
    }
    interface PeeringBodyOfferResourcesCpuMillisFieldEvent {
        field: '$.offer.resources.cpuMillis';
        value: number;
    }
    interface PeeringBodyOfferResourcesMemoryBytesFieldEvent {
        field: '$.offer.resources.memoryBytes';
        value: number;
    }
    interface PeeringBodyOfferResourcesPodsFieldEvent {
        field: '$.offer.resources.pods';
        value: number;
    }
    interface PeeringBodyOfferResourcesGpuFieldEvent {
        field: '$.offer.resources.gpu';
        value: number;
    }
    interface PeeringBodyOfferResourcesEphemeralStorageBytesFieldEvent {
        field: '$.offer.resources.ephemeralStorageBytes';
        value: number;
    }
    interface PeeringBodyOfferSeqFieldEvent {
        field: '$.offer.seq';
        value: number;
    }
    interface PeeringBodyOfferPathFieldEvent {
        field: '$.offer.path[]';
        index: number;
        value: string;
    }
    interface PeeringBodyOfferHopLimitFieldEvent {
        field: '$.offer.hopLimit';
        value: number;
    }
    interface PeeringBodyRequestLeaseIdFieldEvent {
        field: '$.request.leaseId';
        value: string;
    }
    interface PeeringBodyRequestQuotaCpuMillisFieldEvent {
        field: '$.request.quota.cpuMillis';
        value: number;
    }
    interface PeeringBodyRequestQuotaMemoryBytesFieldEvent {
        field: '$.request.quota.memoryBytes';
        value: number;
    }
    interface PeeringBodyRequestQuotaPodsFieldEvent {
        field: '$.request.quota.pods';
        value: number;
    }
    interface PeeringBodyRequestQuotaGpuFieldEvent {
        field: '$.request.quota.gpu';
        value: number;
    }
    interface PeeringBodyRequestQuotaEphemeralStorageBytesFieldEvent {
        field: '$.request.quota.ephemeralStorageBytes';
        value: number;
    }
    interface PeeringBodyRequestMinCpuMillisFieldEvent {
        field: '$.request.min.cpuMillis';
        value: number;
    }
    interface PeeringBodyRequestMinMemoryBytesFieldEvent {
        field: '$.request.min.memoryBytes';
        value: number;
    }
    interface PeeringBodyRequestMinPodsFieldEvent {
        field: '$.request.min.pods';
        value: number;
    }
    interface PeeringBodyRequestMinGpuFieldEvent {
        field: '$.request.min.gpu';
        value: number;
    }
    interface PeeringBodyRequestMinEphemeralStorageBytesFieldEvent {
        field: '$.request.min.ephemeralStorageBytes';
        value: number;
    }
    interface PeeringBodyRequestDurationMsFieldEvent {
        field: '$.request.durationMs';
        value: number;
    }
    interface PeeringBodyRequestPathFieldEvent {
        field: '$.request.path[]';
        index: number;
        value: string;
    }
    interface PeeringBodyRequestHopLimitFieldEvent {
        field: '$.request.hopLimit';
        value: number;
    }
    interface PeeringBodyGrantLeaseIdFieldEvent {
        field: '$.grant.leaseId';
        value: string;
    }
    interface PeeringBodyGrantConsumerFieldEvent {
        field: '$.grant.consumer';
        value: string;
    }
    interface PeeringBodyGrantProviderFieldEvent {
        field: '$.grant.provider';
        value: string;
    }
    interface PeeringBodyGrantQuotaCpuMillisFieldEvent {
        field: '$.grant.quota.cpuMillis';
        value: number;
    }
    interface PeeringBodyGrantQuotaMemoryBytesFieldEvent {
        field: '$.grant.quota.memoryBytes';
        value: number;
    }
    interface PeeringBodyGrantQuotaPodsFieldEvent {
        field: '$.grant.quota.pods';
        value: number;
    }
    interface PeeringBodyGrantQuotaGpuFieldEvent {
        field: '$.grant.quota.gpu';
        value: number;
    }
    interface PeeringBodyGrantQuotaEphemeralStorageBytesFieldEvent {
        field: '$.grant.quota.ephemeralStorageBytes';
        value: number;
    }
    interface PeeringBodyGrantCounterFieldEvent {
        field: '$.grant.counter';
        value: boolean;
    }
    interface PeeringBodyGrantCreatedFieldEvent {
        field: '$.grant.created';
        value: number;
    }
    interface PeeringBodyGrantExpiresFieldEvent {
        field: '$.grant.expires';
        value: number;
    }
    interface PeeringBodyGrantRenewByFieldEvent {
        field: '$.grant.renewBy';
        value: number;
    }
    interface PeeringBodyGrantGraceMsFieldEvent {
        field: '$.grant.graceMs';
        value: number;
    }
    interface PeeringBodyRejectLeaseIdFieldEvent {
        field: '$.reject.leaseId';
        value: string;
    }
    interface PeeringBodyRejectReasonFieldEvent {
        field: '$.reject.reason';
        value: RejectReason;
    }
    interface PeeringBodyRejectDetailFieldEvent {
        field: '$.reject.detail';
        value: string;
    }
    interface PeeringBodyRenewLeaseIdFieldEvent {
        field: '$.renew.leaseId';
        value: string;
    }
    interface PeeringBodyRenewExtendMsFieldEvent {
        field: '$.renew.extendMs';
        value: number;
    }
    interface PeeringBodyRenewAckLeaseIdFieldEvent {
        field: '$.renewAck.leaseId';
        value: string;
    }
    interface PeeringBodyRenewAckExpiresFieldEvent {
        field: '$.renewAck.expires';
        value: number;
    }
    interface PeeringBodyRenewAckRenewByFieldEvent {
        field: '$.renewAck.renewBy';
        value: number;
    }
    interface PeeringBodyReleaseLeaseIdFieldEvent {
        field: '$.release.leaseId';
        value: string;
    }
    interface PeeringBodyReleaseAckLeaseIdFieldEvent {
        field: '$.releaseAck.leaseId';
        value: string;
    }
    function encode(obj: Partial<PeeringBody>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeeringBody>): PeeringBody;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeeringBody>): Generator<PeeringBodyVersionFieldEvent | PeeringBodySenderFieldEvent | PeeringBodyRecipientFieldEvent | PeeringBodyNonceFieldEvent | PeeringBodyTimestampFieldEvent | PeeringBodyOfferProviderFieldEvent | PeeringBodyOfferResourcesCpuMillisFieldEvent | PeeringBodyOfferResourcesMemoryBytesFieldEvent | PeeringBodyOfferResourcesPodsFieldEvent | PeeringBodyOfferResourcesGpuFieldEvent | PeeringBodyOfferResourcesEphemeralStorageBytesFieldEvent | PeeringBodyOfferSeqFieldEvent | PeeringBodyOfferPathFieldEvent | PeeringBodyOfferHopLimitFieldEvent | PeeringBodyRequestLeaseIdFieldEvent | PeeringBodyRequestQuotaCpuMillisFieldEvent | PeeringBodyRequestQuotaMemoryBytesFieldEvent | PeeringBodyRequestQuotaPodsFieldEvent | PeeringBodyRequestQuotaGpuFieldEvent | PeeringBodyRequestQuotaEphemeralStorageBytesFieldEvent | PeeringBodyRequestMinCpuMillisFieldEvent | PeeringBodyRequestMinMemoryBytesFieldEvent | PeeringBodyRequestMinPodsFieldEvent | PeeringBodyRequestMinGpuFieldEvent | PeeringBodyRequestMinEphemeralStorageBytesFieldEvent | PeeringBodyRequestDurationMsFieldEvent | PeeringBodyRequestPathFieldEvent | PeeringBodyRequestHopLimitFieldEvent | PeeringBodyGrantLeaseIdFieldEvent | PeeringBodyGrantConsumerFieldEvent | PeeringBodyGrantProviderFieldEvent | PeeringBodyGrantQuotaCpuMillisFieldEvent | PeeringBodyGrantQuotaMemoryBytesFieldEvent | PeeringBodyGrantQuotaPodsFieldEvent | PeeringBodyGrantQuotaGpuFieldEvent | PeeringBodyGrantQuotaEphemeralStorageBytesFieldEvent | PeeringBodyGrantCounterFieldEvent | PeeringBodyGrantCreatedFieldEvent | PeeringBodyGrantExpiresFieldEvent | PeeringBodyGrantRenewByFieldEvent | PeeringBodyGrantGraceMsFieldEvent | PeeringBodyRejectLeaseIdFieldEvent | PeeringBodyRejectReasonFieldEvent | PeeringBodyRejectDetailFieldEvent | PeeringBodyRenewLeaseIdFieldEvent | PeeringBodyRenewExtendMsFieldEvent | PeeringBodyRenewAckLeaseIdFieldEvent | PeeringBodyRenewAckExpiresFieldEvent | PeeringBodyRenewAckRenewByFieldEvent | PeeringBodyReleaseLeaseIdFieldEvent | PeeringBodyReleaseAckLeaseIdFieldEvent>;
}
export interface PeeringFrame {
    body: Uint8Array<ArrayBuffer>;
    signature: Uint8Array<ArrayBuffer>;
}
export declare namespace PeeringFrame {
    const codec: () => Codec<PeeringFrame>;
    interface PeeringFrameBodyFieldEvent {
        field: '$.body';
        value: Uint8Array<ArrayBuffer>;
    }
    interface PeeringFrameSignatureFieldEvent {
        field: '$.signature';
        value: Uint8Array<ArrayBuffer>;
    }
    function encode(obj: Partial<PeeringFrame>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeeringFrame>): PeeringFrame;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<PeeringFrame>): Generator<PeeringFrameBodyFieldEvent | PeeringFrameSignatureFieldEvent>;
}
