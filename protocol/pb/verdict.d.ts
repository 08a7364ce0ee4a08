import type { Codec, DecodeOptions } from 'protons-runtime';
import type { Uint8ArrayList } from 'uint8arraylist';
export interface Verdict {
    watcher: string;
    subject: string;
    subjectSeq: number;
    issuedMs: number;
    signature: Uint8Array<ArrayBuffer>;
}
export declare namespace Verdict {
    const codec: () => Codec<Verdict>;
    interface VerdictWatcherFieldEvent {
        field: '$.watcher';
        value: string;
    }
    interface VerdictSubjectFieldEvent {
        field: '$.subject';
        value: string;
    }
    interface VerdictSubjectSeqFieldEvent {
        field: '$.subjectSeq';
        value: number;
    }
    interface VerdictIssuedMsFieldEvent {
        field: '$.issuedMs';
        value: number;
    }
    interface VerdictSignatureFieldEvent {
        field: '$.signature';
        value: Uint8Array<ArrayBuffer>;
    }
    function encode(obj: Partial<Verdict>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Verdict>): Verdict;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Verdict>): Generator<VerdictWatcherFieldEvent | VerdictSubjectFieldEvent | VerdictSubjectSeqFieldEvent | VerdictIssuedMsFieldEvent | VerdictSignatureFieldEvent>;
}
