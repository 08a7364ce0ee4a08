import type { Codec, DecodeOptions } from 'protons-runtime';
import type { Uint8ArrayList } from 'uint8arraylist';
export interface Label {
    key: string;
    value: string;
}
export declare namespace Label {
    const codec: () => Codec<Label>;
    interface LabelKeyFieldEvent {
        field: '$.key';
        value: string;
    }
    interface LabelValueFieldEvent {
        field: '$.value';
        value: string;
    }
    function encode(obj: Partial<Label>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Label>): Label;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Label>): Generator<LabelKeyFieldEvent | LabelValueFieldEvent>;
}
export interface MembershipCertificate {
    peerId: string;
    roles: string[];
    labels: Label[];
    issuedMs: number;
    expiresMs: number;
    fleetKeyId: string;
}
export declare namespace MembershipCertificate {
    const codec: () => Codec<MembershipCertificate>;
    interface MembershipCertificatePeerIdFieldEvent {
        field: '$.peerId';
        value: string;
    }
    interface MembershipCertificateRolesFieldEvent {
        field: '$.roles[]';
        index: number;
        value: string;
    }
    interface MembershipCertificateLabelsKeyFieldEvent {
        field: '$.labels[].key';
        value: string;
        index: number;
    }
    interface MembershipCertificateLabelsValueFieldEvent {
        field: '$.labels[].value';
        value: string;
        index: number;
    }
    interface MembershipCertificateIssuedMsFieldEvent {
        field: '$.issuedMs';
        value: number;
    }
    interface MembershipCertificateExpiresMsFieldEvent {
        field: '$.expiresMs';
        value: number;
    }
    interface MembershipCertificateFleetKeyIdFieldEvent {
        field: '$.fleetKeyId';
        value: string;
    }
    function encode(obj: Partial<MembershipCertificate>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MembershipCertificate>): MembershipCertificate;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MembershipCertificate>): Generator<MembershipCertificatePeerIdFieldEvent | MembershipCertificateRolesFieldEvent | MembershipCertificateLabelsKeyFieldEvent | MembershipCertificateLabelsValueFieldEvent | MembershipCertificateIssuedMsFieldEvent | MembershipCertificateExpiresMsFieldEvent | MembershipCertificateFleetKeyIdFieldEvent>;
}
export interface SignedCertificate {
    body: Uint8Array<ArrayBuffer>;
    signature: Uint8Array<ArrayBuffer>;
}
export declare namespace SignedCertificate {
    const codec: () => Codec<SignedCertificate>;
    interface SignedCertificateBodyFieldEvent {
        field: '$.body';
        value: Uint8Array<ArrayBuffer>;
    }
    interface SignedCertificateSignatureFieldEvent {
        field: '$.signature';
        value: Uint8Array<ArrayBuffer>;
    }
    function encode(obj: Partial<SignedCertificate>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedCertificate>): SignedCertificate;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedCertificate>): Generator<SignedCertificateBodyFieldEvent | SignedCertificateSignatureFieldEvent>;
}
export interface Revocation {
    peerId: string;
    reason: string;
    issuedMs: number;
    fleetKeyId: string;
}
export declare namespace Revocation {
    const codec: () => Codec<Revocation>;
    interface RevocationPeerIdFieldEvent {
        field: '$.peerId';
        value: string;
    }
    interface RevocationReasonFieldEvent {
        field: '$.reason';
        value: string;
    }
    interface RevocationIssuedMsFieldEvent {
        field: '$.issuedMs';
        value: number;
    }
    interface RevocationFleetKeyIdFieldEvent {
        field: '$.fleetKeyId';
        value: string;
    }
    function encode(obj: Partial<Revocation>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Revocation>): Revocation;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Revocation>): Generator<RevocationPeerIdFieldEvent | RevocationReasonFieldEvent | RevocationIssuedMsFieldEvent | RevocationFleetKeyIdFieldEvent>;
}
export interface SignedRevocation {
    body: Uint8Array<ArrayBuffer>;
    signature: Uint8Array<ArrayBuffer>;
}
export declare namespace SignedRevocation {
    const codec: () => Codec<SignedRevocation>;
    interface SignedRevocationBodyFieldEvent {
        field: '$.body';
        value: Uint8Array<ArrayBuffer>;
    }
    interface SignedRevocationSignatureFieldEvent {
        field: '$.signature';
        value: Uint8Array<ArrayBuffer>;
    }
    function encode(obj: Partial<SignedRevocation>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedRevocation>): SignedRevocation;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SignedRevocation>): Generator<SignedRevocationBodyFieldEvent | SignedRevocationSignatureFieldEvent>;
}
export interface MembershipHello {
    certificate?: SignedCertificate;
    revocations: SignedRevocation[];
    announcements: Uint8Array<ArrayBuffer>[];
}
export declare namespace MembershipHello {
    const codec: () => Codec<MembershipHello>;
    interface MembershipHelloCertificateBodyFieldEvent {
        field: '$.certificate.body';
        value: Uint8Array<ArrayBuffer>;
    }
    interface MembershipHelloCertificateSignatureFieldEvent {
        field: '$.certificate.signature';
        value: Uint8Array<ArrayBuffer>;
    }
    interface MembershipHelloRevocationsBodyFieldEvent {
        field: '$.revocations[].body';
        value: Uint8Array<ArrayBuffer>;
        index: number;
    }
    interface MembershipHelloRevocationsSignatureFieldEvent {
        field: '$.revocations[].signature';
        value: Uint8Array<ArrayBuffer>;
        index: number;
    }
    interface MembershipHelloAnnouncementsFieldEvent {
        field: '$.announcements[]';
        index: number;
        value: Uint8Array<ArrayBuffer>;
    }
    function encode(obj: Partial<MembershipHello>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MembershipHello>): MembershipHello;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MembershipHello>): Generator<MembershipHelloCertificateBodyFieldEvent | MembershipHelloCertificateSignatureFieldEvent | MembershipHelloRevocationsBodyFieldEvent | MembershipHelloRevocationsSignatureFieldEvent | MembershipHelloAnnouncementsFieldEvent>;
}
export interface SyncEntry {
    peerId: string;
    seq: number;
}
export declare namespace SyncEntry {
    const codec: () => Codec<SyncEntry>;
    interface SyncEntryPeerIdFieldEvent {
        field: '$.peerId';
        value: string;
    }
    interface SyncEntrySeqFieldEvent {
        field: '$.seq';
        value: number;
    }
    function encode(obj: Partial<SyncEntry>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncEntry>): SyncEntry;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncEntry>): Generator<SyncEntryPeerIdFieldEvent | SyncEntrySeqFieldEvent>;
}
export interface MembershipSync {
    buckets: Uint8Array<ArrayBuffer>;
    mismatched: number;
    entries: SyncEntry[];
    announcements: Uint8Array<ArrayBuffer>[];
    want: string[];
    revocations: SignedRevocation[];
}
export declare namespace MembershipSync {
    const codec: () => Codec<MembershipSync>;
    interface MembershipSyncBucketsFieldEvent {
        field: '$.buckets';
        value: Uint8Array<ArrayBuffer>;
    }
    interface MembershipSyncMismatchedFieldEvent {
        field: '$.mismatched';
        value: number;
    }
    interface MembershipSyncEntriesPeerIdFieldEvent {
        field: '$.entries[].peerId';
        value: string;
        index: number;
    }
    interface MembershipSyncEntriesSeqFieldEvent {
        field: '$.entries[].seq';
        value: number;
        index: number;
    }
    interface MembershipSyncAnnouncementsFieldEvent {
        field: '$.announcements[]';
        index: number;
        value: Uint8Array<ArrayBuffer>;
    }
    interface MembershipSyncWantFieldEvent {
        field: '$.want[]';
        index: number;
        value: string;
    }
    interface MembershipSyncRevocationsBodyFieldEvent {
        field: '$.revocations[].body';
        value: Uint8Array<ArrayBuffer>;
        index: number;
    }
    interface MembershipSyncRevocationsSignatureFieldEvent {
        field: '$.revocations[].signature';
        value: Uint8Array<ArrayBuffer>;
        index: number;
    }
    function encode(obj: Partial<MembershipSync>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MembershipSync>): MembershipSync;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MembershipSync>): Generator<MembershipSyncBucketsFieldEvent | MembershipSyncMismatchedFieldEvent | MembershipSyncEntriesPeerIdFieldEvent | MembershipSyncEntriesSeqFieldEvent | MembershipSyncAnnouncementsFieldEvent | MembershipSyncWantFieldEvent | MembershipSyncRevocationsBodyFieldEvent | MembershipSyncRevocationsSignatureFieldEvent>;
}
