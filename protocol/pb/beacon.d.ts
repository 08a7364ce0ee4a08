import type { Codec, DecodeOptions } from 'protons-runtime';
import type { Uint8ArrayList } from 'uint8arraylist';
export declare enum BeaconKind {
    BEACON_KIND_UNSPECIFIED = "BEACON_KIND_UNSPECIFIED",
    BEACON_PROBE = "BEACON_PROBE",
    BEACON_ECHO = "BEACON_ECHO"
}
export declare namespace BeaconKind {
    const codec: () => Codec<BeaconKind>;
}
export interface Beacon {
    kind: BeaconKind;
    from: string;
    to: string;
    nonce: Uint8Array<ArrayBuffer>;
    signature: Uint8Array<ArrayBuffer>;
}
export declare namespace Beacon {
    const codec: () => Codec<Beacon>;
    interface BeaconKindFieldEvent {
        field: '$.kind';
        value: BeaconKind;
    }
    interface BeaconFromFieldEvent {
        field: '$.from';
        value: string;
    }
    interface BeaconToFieldEvent {
        field: '$.to';
        value: string;
    }
    interface BeaconNonceFieldEvent {
        field: '$.nonce';
        value: Uint8Array<ArrayBuffer>;
    }
    interface BeaconSignatureFieldEvent {
        field: '$.signature';
        value: Uint8Array<ArrayBuffer>;
    }
    function encode(obj: Partial<Beacon>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Beacon>): Beacon;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Beacon>): Generator<BeaconKindFieldEvent | BeaconFromFieldEvent | BeaconToFieldEvent | BeaconNonceFieldEvent | BeaconSignatureFieldEvent>;
}
