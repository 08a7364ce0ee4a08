import { decodeMessage, encodeMessage, enumeration, message, streamMessage } from 'protons-runtime';
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc';
export var BeaconKind;
(function (BeaconKind) {
    BeaconKind["BEACON_KIND_UNSPECIFIED"] = "BEACON_KIND_UNSPECIFIED";
    BeaconKind["BEACON_PROBE"] = "BEACON_PROBE";
    BeaconKind["BEACON_ECHO"] = "BEACON_ECHO";
})(BeaconKind || (BeaconKind = {}));
var __BeaconKindValues;
(function (__BeaconKindValues) {
    __BeaconKindValues[__BeaconKindValues["BEACON_KIND_UNSPECIFIED"] = 0] = "BEACON_KIND_UNSPECIFIED";
    __BeaconKindValues[__BeaconKindValues["BEACON_PROBE"] = 1] = "BEACON_PROBE";
    __BeaconKindValues[__BeaconKindValues["BEACON_ECHO"] = 2] = "BEACON_ECHO";
})(__BeaconKindValues || (__BeaconKindValues = {}));
(function (BeaconKind) {
    BeaconKind.codec = () => {
        return enumeration(__BeaconKindValues);
    };
})(BeaconKind || (BeaconKind = {}));
export var Beacon;
(function (Beacon) {
    let _codec;
    Beacon.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if (obj.kind != null && __BeaconKindValues[obj.kind] !== 0) {
                    w.uint32(8);
                    BeaconKind.codec().encode(obj.kind, w);
                }
                if ((obj.from != null && obj.from !== '')) {
                    w.uint32(18);
                    w.string(obj.from);
                }
                if ((obj.to != null && obj.to !== '')) {
                    w.uint32(26);
                    w.string(obj.to);
                }
                if ((obj.nonce != null && obj.nonce.byteLength > 0)) {
                    w.uint32(34);
                    w.bytes(obj.nonce);
                }
                if ((obj.signature != null && obj.signature.byteLength > 0)) {
                    w.uint32(42);
                    w.bytes(obj.signature);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    kind: BeaconKind.BEACON_KIND_UNSPECIFIED,
                    from: '',
                    to: '',
                    nonce: uint8ArrayAlloc(0),
                    signature: uint8ArrayAlloc(0)
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.kind = BeaconKind.codec().decode(reader);
                            break;
                        }
                        case 2: {
                            obj.from = reader.string();
                            break;
                        }
                        case 3: {
                            obj.to = reader.string();
                            break;
                        }
                        case 4: {
                            obj.nonce = reader.bytes();
                            break;
                        }
                        case 5: {
                            obj.signature = reader.bytes();
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
                return obj;
            }, function* (reader, length, prefix, opts = {}) {
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            yield {
                                field: `${prefix}.kind`,
                                value: BeaconKind.codec().decode(reader)
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.from`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.to`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.nonce`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 5: {
                            yield {
                                field: `${prefix}.signature`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        default: {
                            reader.skipType(tag & 7);
                            break;
                        }
                    }
                }
            });
        }
        return _codec;
    };
    function encode(obj) {
        return encodeMessage(obj, Beacon.codec());
    }
    Beacon.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, Beacon.codec(), opts);
    }
    Beacon.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, Beacon.codec(), opts);
    }
    Beacon.stream = stream;
})(Beacon || (Beacon = {}));
