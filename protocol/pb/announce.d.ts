import type { Codec, DecodeOptions } from 'protons-runtime';
import type { Uint8ArrayList } from 'uint8arraylist';
export interface AnnounceLabel {
    key: string;
    value: string;
}
export declare namespace AnnounceLabel {
    const codec: () => Codec<AnnounceLabel>;
    interface AnnounceLabelKeyFieldEvent {
        field: '$.key';
        value: string;
    }
    interface AnnounceLabelValueFieldEvent {
        field: '$.value';
        value: string;
    }
    function encode(obj: Partial<AnnounceLabel>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AnnounceLabel>): AnnounceLabel;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AnnounceLabel>): Generator<AnnounceLabelKeyFieldEvent | AnnounceLabelValueFieldEvent>;
}
export interface OfferSummary {
    cpuMillis: number;
    memoryBytes: number;
    pods: number;
    gpu: number;
    ephemeralStorageBytes: number;
    generation: number;
    hops: number;
}
export declare namespace OfferSummary {
    const codec: () => Codec<OfferSummary>;
    interface OfferSummaryCpuMillisFieldEvent {
        field: '$.cpuMillis';
        value: number;
    }
    interface OfferSummaryMemoryBytesFieldEvent {
        field: '$.memoryBytes';
        value: number;
    }
    interface OfferSummaryPodsFieldEvent {
        field: '$.pods';
        value: number;
    }
    interface OfferSummaryGpuFieldEvent {
        field: '$.gpu';
        value: number;
    }
    interface OfferSummaryEphemeralStorageBytesFieldEvent {
        field: '$.ephemeralStorageBytes';
        value: number;
    }
    interface OfferSummaryGenerationFieldEvent {
        field: '$.generation';
        value: number;
    }
    interface OfferSummaryHopsFieldEvent {
        field: '$.hops';
        value: number;
    }
    function encode(obj: Partial<OfferSummary>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OfferSummary>): OfferSummary;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OfferSummary>): Generator<OfferSummaryCpuMillisFieldEvent | OfferSummaryMemoryBytesFieldEvent | OfferSummaryPodsFieldEvent | OfferSummaryGpuFieldEvent | OfferSummaryEphemeralStorageBytesFieldEvent | OfferSummaryGenerationFieldEvent | OfferSummaryHopsFieldEvent>;
}
export interface Announcement {
    peerId: string;
    seq: number;
    issuedMs: number;
    expiresMs: number;
    addrs: Uint8Array<ArrayBuffer>[];
    labels: AnnounceLabel[];
    offer?: OfferSummary;
    wgPublicKey: Uint8Array<ArrayBuffer>;
    podCidr: string;
    version: string;
    wgKeyBinding: Uint8Array<ArrayBuffer>;
    intervalMs: number;
}
export declare namespace Announcement {
    const codec: () => Codec<Announcement>;
    interface AnnouncementPeerIdFieldEvent {
        field: '$.peerId';
        value: string;
    }
    interface AnnouncementSeqFieldEvent {
        field: '$.seq';
        value: number;
    }
    interface AnnouncementIssuedMsFieldEvent {
        field: '$.issuedMs';
        value: number;
    }
    interface AnnouncementExpiresMsFieldEvent {
        field: '$.expiresMs';
        value: number;
    }
    interface AnnouncementAddrsFieldEvent {
        field: '$.addrs[]';
        index: number;
        value: Uint8Array<ArrayBuffer>;
    }
    interface AnnouncementLabelsKeyFieldEvent {
        field: '$.labels[].key';
        value: string;
        index: number;
    }
    interface AnnouncementLabelsValueFieldEvent {
        field: '$.labels[].value';
        value: string;
        index: number;
    }
    interface AnnouncementOfferCpuMillisFieldEvent {
        field: '$.offer.cpuMillis';
        value: number;
    }
    interface AnnouncementOfferMemoryBytesFieldEvent {
        field: '$.offer.memoryBytes';
        value: number;
    }
    interface AnnouncementOfferPodsFieldEvent {
        field: '$.offer.pods';
        value: number;
    }
    interface AnnouncementOfferGpuFieldEvent {
        field: '$.offer.gpu';
        value: number;
    }
    interface AnnouncementOfferEphemeralStorageBytesFieldEvent {
        field: '$.offer.ephemeralStorageBytes';
        value: number;
    }
    interface AnnouncementOfferGenerationFieldEvent {
        field: '$.offer.generation';
        value: number;
    }
    interface AnnouncementOfferHopsFieldEvent {
        field: '$.offer.hops';
        value: number;
    }
    interface AnnouncementWgPublicKeyFieldEvent {
        field: '$.wgPublicKey';
        value: Uint8Array<ArrayBuffer>;
    }
    interface AnnouncementPodCidrFieldEvent {
        field: '$.podCidr';
        value: string;
    }
    interface AnnouncementVersionFieldEvent {
        field: '$.version';
        value: string;
    }
    interface AnnouncementWgKeyBindingFieldEvent {
        field: '$.wgKeyBinding';
        value: Uint8Array<ArrayBuffer>;
    }
    interface AnnouncementIntervalMsFieldEvent {
        field: '$.intervalMs';
        value: number;
    }
    function encode(obj: Partial<Announcement>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Announcement>): Announcement;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Announcement>): Generator<AnnouncementPeerIdFieldEvent | AnnouncementSeqFieldEvent | AnnouncementIssuedMsFieldEvent | AnnouncementExpiresMsFieldEvent | AnnouncementAddrsFieldEvent | AnnouncementLabelsKeyFieldEvent | AnnouncementLabelsValueFieldEvent | AnnouncementOfferCpuMillisFieldEvent | AnnouncementOfferMemoryBytesFieldEvent | AnnouncementOfferPodsFieldEvent | AnnouncementOfferGpuFieldEvent | AnnouncementOfferEphemeralStorageBytesFieldEvent | AnnouncementOfferGenerationFieldEvent | AnnouncementOfferHopsFieldEvent | AnnouncementWgPublicKeyFieldEvent | AnnouncementPodCidrFieldEvent | AnnouncementVersionFieldEvent | AnnouncementWgKeyBindingFieldEvent | AnnouncementIntervalMsFieldEvent>;
}
export interface SignedAnnouncement {
    body: Uint8Array<ArrayBuffer>;
    signature: Uint8Array<ArrayBuffer>;
    certificate: Uint8Array<ArrayBuffer>;
}
export declare namespace SignedAnnouncement {
    const codec: () => Codec<SignedAnnouncement>;
    interface SignedAnnouncementBodyFieldEvent {
        field: '$.body';
        value: Uint8Array<ArrayBuffer>;
    }
    interface SignedAnnouncementSignatureFieldEvent {
        field: '$.signature';
        value: Uint8Array<ArrayBuffer>;
    }
    interface SignedAnnouncementCertificateFieldEvent {
        field: '$.certificate';
        value: Uint8Array<ArrayBuffer>;
    }
    function encode(obj: Partial<SignedAnnouncement>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedAnnouncement>): SignedAnnouncement;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedAnnouncement>): Generator<SignedAnnouncementBodyFieldEvent | SignedAnnouncementSignatureFieldEvent | SignedAnnouncementCertificateFieldEvent>;
}
