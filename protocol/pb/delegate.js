/* eslint-disable require-yield */
import { decodeMessage, encodeMessage, enumeration, MaxLengthError, MaxSizeError, message, streamMessage } from 'protons-runtime';
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc';
export var Constraints;
(function (Constraints) {
    let Constraints$labelsEntry;
    (function (Constraints$labelsEntry) {
        let _codec;
        Constraints$labelsEntry.codec = () => {
            if (_codec == null) {
                _codec = message((obj, w, opts = {}) => {
                    if (opts.lengthDelimited !== false) {
                        w.fork();
                    }
                    if ((obj.key != null && obj.key !== '')) {
                        w.uint32(10);
                        w.string(obj.key);
                    }
                    if ((obj.value != null && obj.value !== '')) {
                        w.uint32(18);
                        w.string(obj.value);
                    }
                    if (opts.lengthDelimited !== false) {
                        w.ldelim();
                    }
                }, (reader, length, opts = {}) => {
                    const obj = {
                        key: '',
                        value: ''
                    };
                    const end = length == null ? reader.len : reader.pos + length;
                    while (reader.pos < end) {
                        const tag = reader.uint32();
                        switch (tag >>> 3) {
                            case 1: {
                                obj.key = reader.string();
                                break;
                            }
                            case 2: {
                                obj.value = reader.string();
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
                                    field: `${prefix}.key`,
                                    value: reader.string()
                                };
                                break;
                            }
                            case 2: {
                                yield {
                                    field: `${prefix}.value`,
                                    value: reader.string()
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
            return encodeMessage(obj, Constraints$labelsEntry.codec());
        }
        Constraints$labelsEntry.encode = encode;
        function decode(buf, opts) {
            return decodeMessage(buf, Constraints$labelsEntry.codec(), opts);
        }
        Constraints$labelsEntry.decode = decode;
        function stream(buf, opts) {
            return streamMessage(buf, Constraints$labelsEntry.codec(), opts);
        }
        Constraints$labelsEntry.stream = stream;
    })(Constraints$labelsEntry = Constraints.Constraints$labelsEntry || (Constraints.Constraints$labelsEntry = {}));
    let _codec;
    Constraints.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.region != null && obj.region !== '')) {
                    w.uint32(10);
                    w.string(obj.region);
                }
                if ((obj.maxRttMs != null && obj.maxRttMs !== 0)) {
                    w.uint32(16);
                    w.uint32(obj.maxRttMs);
                }
                if ((obj.maxLossPpm != null && obj.maxLossPpm !== 0)) {
                    w.uint32(24);
                    w.uint32(obj.maxLossPpm);
                }
                if ((obj.minBandwidthBps != null && obj.minBandwidthBps !== 0)) {
                    w.uint32(32);
                    w.uint64Number(obj.minBandwidthBps);
                }
                if ((obj.prefer != null && obj.prefer !== '')) {
                    w.uint32(42);
                    w.string(obj.prefer);
                }
                if (obj.labels != null && obj.labels.size > 0) {
                    for (const [key, value] of obj.labels.entries()) {
                        w.uint32(50);
                        Constraints.Constraints$labelsEntry.codec().encode({ key, value }, w);
                    }
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    region: '',
                    maxRttMs: 0,
                    maxLossPpm: 0,
                    minBandwidthBps: 0,
                    prefer: '',
                    labels: new Map()
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.region = reader.string();
                            break;
                        }
                        case 2: {
                            obj.maxRttMs = reader.uint32();
                            break;
                        }
                        case 3: {
                            obj.maxLossPpm = reader.uint32();
                            break;
                        }
                        case 4: {
                            obj.minBandwidthBps = reader.uint64Number();
                            break;
                        }
                        case 5: {
                            obj.prefer = reader.string();
                            break;
                        }
                        case 6: {
                            if (opts.limits?.labels != null && obj.labels.size === opts.limits.labels) {
                                throw new MaxSizeError('Decode error - map field "labels" had too many elements');
                            }
                            const entry = Constraints.Constraints$labelsEntry.codec().decode(reader, reader.uint32(), {
                                limits: {
                                    value: opts.limits?.labels$value
                                }
                            });
                            obj.labels.set(entry.key, entry.value);
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
                const obj = {
                    labels: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            yield {
                                field: `${prefix}.region`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.maxRttMs`,
                                value: reader.uint32()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.maxLossPpm`,
                                value: reader.uint32()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.minBandwidthBps`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 5: {
                            yield {
                                field: `${prefix}.prefer`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 6: {
                            if (opts.limits?.labels != null && obj.labels === opts.limits.labels) {
                                throw new MaxLengthError('Decode error - map field "labels" had too many elements');
                            }
                            yield* Constraints.Constraints$labelsEntry.codec().stream(reader, reader.uint32(), `${prefix}.labels{}`, {
                                limits: {
                                    value: opts.limits?.labels$value
                                }
                            });
                            obj.labels++;
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
        return encodeMessage(obj, Constraints.codec());
    }
    Constraints.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, Constraints.codec(), opts);
    }
    Constraints.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, Constraints.codec(), opts);
    }
    Constraints.stream = stream;
})(Constraints || (Constraints = {}));
export var DelegateBody;
(function (DelegateBody) {
    let _codec;
    DelegateBody.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.workloadId != null && obj.workloadId !== '')) {
                    w.uint32(10);
                    w.string(obj.workloadId);
                }
                if ((obj.generation != null && obj.generation !== 0)) {
                    w.uint32(16);
                    w.uint64Number(obj.generation);
                }
                if ((obj.manifests != null && obj.manifests.byteLength > 0)) {
                    w.uint32(26);
                    w.bytes(obj.manifests);
                }
                if (obj.constraints != null) {
                    w.uint32(34);
                    Constraints.codec().encode(obj.constraints, w);
                }
                if (obj.path != null && obj.path.length > 0) {
                    for (const value of obj.path) {
                        w.uint32(42);
                        w.string(value);
                    }
                }
                if ((obj.hopLimit != null && obj.hopLimit !== 0)) {
                    w.uint32(48);
                    w.uint32(obj.hopLimit);
                }
                if ((obj.leaseId != null && obj.leaseId !== '')) {
                    w.uint32(58);
                    w.string(obj.leaseId);
                }
                if ((obj.consumer != null && obj.consumer !== '')) {
                    w.uint32(66);
                    w.string(obj.consumer);
                }
                if ((obj.provider != null && obj.provider !== '')) {
                    w.uint32(74);
                    w.string(obj.provider);
                }
                if ((obj.timestamp != null && obj.timestamp !== 0)) {
                    w.uint32(80);
                    w.int64Number(obj.timestamp);
                }
                if ((obj.nonce != null && obj.nonce.byteLength > 0)) {
                    w.uint32(90);
                    w.bytes(obj.nonce);
                }
                if ((obj.name != null && obj.name !== '')) {
                    w.uint32(98);
                    w.string(obj.name);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    workloadId: '',
                    generation: 0,
                    manifests: uint8ArrayAlloc(0),
                    path: [],
                    hopLimit: 0,
                    leaseId: '',
                    consumer: '',
                    provider: '',
                    timestamp: 0,
                    nonce: uint8ArrayAlloc(0),
                    name: ''
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.workloadId = reader.string();
                            break;
                        }
                        case 2: {
                            obj.generation = reader.uint64Number();
                            break;
                        }
                        case 3: {
                            obj.manifests = reader.bytes();
                            break;
                        }
                        case 4: {
                            obj.constraints = Constraints.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.constraints
                            });
                            break;
                        }
                        case 5: {
                            if (opts.limits?.path != null && obj.path.length === opts.limits.path) {
                                throw new MaxLengthError('Decode error - repeated field "path" had too many elements');
                            }
                            obj.path.push(reader.string());
                            break;
                        }
                        case 6: {
                            obj.hopLimit = reader.uint32();
                            break;
                        }
                        case 7: {
                            obj.leaseId = reader.string();
                            break;
                        }
                        case 8: {
                            obj.consumer = reader.string();
                            break;
                        }
                        case 9: {
                            obj.provider = reader.string();
                            break;
                        }
                        case 10: {
                            obj.timestamp = reader.int64Number();
                            break;
                        }
                        case 11: {
                            obj.nonce = reader.bytes();
                            break;
                        }
                        case 12: {
                            obj.name = reader.string();
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
                const obj = {
                    path: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            yield {
                                field: `${prefix}.workloadId`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.generation`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.manifests`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 4: {
                            yield* Constraints.codec().stream(reader, reader.uint32(), `${prefix}.constraints`, {
                                limits: opts.limits?.constraints
                            });
                            break;
                        }
                        case 5: {
                            if (opts.limits?.path != null && obj.path === opts.limits.path) {
                                throw new MaxLengthError('Streaming decode error - repeated field "path" had too many elements');
                            }
                            yield {
                                field: `${prefix}.path[]`,
                                index: obj.path,
                                value: reader.string()
                            };
                            obj.path++;
                            break;
                        }
                        case 6: {
                            yield {
                                field: `${prefix}.hopLimit`,
                                value: reader.uint32()
                            };
                            break;
                        }
                        case 7: {
                            yield {
                                field: `${prefix}.leaseId`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 8: {
                            yield {
                                field: `${prefix}.consumer`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 9: {
                            yield {
                                field: `${prefix}.provider`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 10: {
                            yield {
                                field: `${prefix}.timestamp`,
                                value: reader.int64Number()
                            };
                            break;
                        }
                        case 11: {
                            yield {
                                field: `${prefix}.nonce`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 12: {
                            yield {
                                field: `${prefix}.name`,
                                value: reader.string()
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
        return encodeMessage(obj, DelegateBody.codec());
    }
    DelegateBody.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, DelegateBody.codec(), opts);
    }
    DelegateBody.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, DelegateBody.codec(), opts);
    }
    DelegateBody.stream = stream;
})(DelegateBody || (DelegateBody = {}));
export var Delegate;
(function (Delegate) {
    let _codec;
    Delegate.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.body != null && obj.body.byteLength > 0)) {
                    w.uint32(10);
                    w.bytes(obj.body);
                }
                if ((obj.signature != null && obj.signature.byteLength > 0)) {
                    w.uint32(18);
                    w.bytes(obj.signature);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    body: uint8ArrayAlloc(0),
                    signature: uint8ArrayAlloc(0)
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.body = reader.bytes();
                            break;
                        }
                        case 2: {
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
                                field: `${prefix}.body`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 2: {
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
        return encodeMessage(obj, Delegate.codec());
    }
    Delegate.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, Delegate.codec(), opts);
    }
    Delegate.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, Delegate.codec(), opts);
    }
    Delegate.stream = stream;
})(Delegate || (Delegate = {}));
export var RejectReason;
(function (RejectReason) {
    RejectReason["REJECT_UNSPECIFIED"] = "REJECT_UNSPECIFIED";
    RejectReason["NOT_MEMBER"] = "NOT_MEMBER";
    RejectReason["BAD_SIGNATURE"] = "BAD_SIGNATURE";
    RejectReason["STALE"] = "STALE";
    RejectReason["NO_LEASE"] = "NO_LEASE";
    RejectReason["LEASE_EXPIRED"] = "LEASE_EXPIRED";
    RejectReason["INSUFFICIENT_QUOTA"] = "INSUFFICIENT_QUOTA";
    RejectReason["LOOP"] = "LOOP";
    RejectReason["HOP_LIMIT"] = "HOP_LIMIT";
    RejectReason["FENCED"] = "FENCED";
    RejectReason["INVALID_MANIFEST"] = "INVALID_MANIFEST";
    RejectReason["TOO_LARGE"] = "TOO_LARGE";
    RejectReason["MALFORMED"] = "MALFORMED";
    RejectReason["WRONG_RECIPIENT"] = "WRONG_RECIPIENT";
    RejectReason["APPLY_FAILED"] = "APPLY_FAILED";
    RejectReason["INTERNAL"] = "INTERNAL";
    RejectReason["NOT_LEASE_PARTY"] = "NOT_LEASE_PARTY";
})(RejectReason || (RejectReason = {}));
var __RejectReasonValues;
(function (__RejectReasonValues) {
    __RejectReasonValues[__RejectReasonValues["REJECT_UNSPECIFIED"] = 0] = "REJECT_UNSPECIFIED";
    __RejectReasonValues[__RejectReasonValues["NOT_MEMBER"] = 1] = "NOT_MEMBER";
    __RejectReasonValues[__RejectReasonValues["BAD_SIGNATURE"] = 2] = "BAD_SIGNATURE";
    __RejectReasonValues[__RejectReasonValues["STALE"] = 3] = "STALE";
    __RejectReasonValues[__RejectReasonValues["NO_LEASE"] = 4] = "NO_LEASE";
    __RejectReasonValues[__RejectReasonValues["LEASE_EXPIRED"] = 5] = "LEASE_EXPIRED";
    __RejectReasonValues[__RejectReasonValues["INSUFFICIENT_QUOTA"] = 6] = "INSUFFICIENT_QUOTA";
    __RejectReasonValues[__RejectReasonValues["LOOP"] = 7] = "LOOP";
    __RejectReasonValues[__RejectReasonValues["HOP_LIMIT"] = 8] = "HOP_LIMIT";
    __RejectReasonValues[__RejectReasonValues["FENCED"] = 9] = "FENCED";
    __RejectReasonValues[__RejectReasonValues["INVALID_MANIFEST"] = 10] = "INVALID_MANIFEST";
    __RejectReasonValues[__RejectReasonValues["TOO_LARGE"] = 11] = "TOO_LARGE";
    __RejectReasonValues[__RejectReasonValues["MALFORMED"] = 12] = "MALFORMED";
    __RejectReasonValues[__RejectReasonValues["WRONG_RECIPIENT"] = 13] = "WRONG_RECIPIENT";
    __RejectReasonValues[__RejectReasonValues["APPLY_FAILED"] = 14] = "APPLY_FAILED";
    __RejectReasonValues[__RejectReasonValues["INTERNAL"] = 15] = "INTERNAL";
    __RejectReasonValues[__RejectReasonValues["NOT_LEASE_PARTY"] = 16] = "NOT_LEASE_PARTY";
})(__RejectReasonValues || (__RejectReasonValues = {}));
(function (RejectReason) {
    RejectReason.codec = () => {
        return enumeration(__RejectReasonValues);
    };
})(RejectReason || (RejectReason = {}));
export var Ack;
(function (Ack) {
    let _codec;
    Ack.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.workloadId != null && obj.workloadId !== '')) {
                    w.uint32(10);
                    w.string(obj.workloadId);
                }
                if ((obj.generation != null && obj.generation !== 0)) {
                    w.uint32(16);
                    w.uint64Number(obj.generation);
                }
                if ((obj.acceptedAt != null && obj.acceptedAt !== 0)) {
                    w.uint32(24);
                    w.int64Number(obj.acceptedAt);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    workloadId: '',
                    generation: 0,
                    acceptedAt: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.workloadId = reader.string();
                            break;
                        }
                        case 2: {
                            obj.generation = reader.uint64Number();
                            break;
                        }
                        case 3: {
                            obj.acceptedAt = reader.int64Number();
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
                                field: `${prefix}.workloadId`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.generation`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.acceptedAt`,
                                value: reader.int64Number()
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
        return encodeMessage(obj, Ack.codec());
    }
    Ack.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, Ack.codec(), opts);
    }
    Ack.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, Ack.codec(), opts);
    }
    Ack.stream = stream;
})(Ack || (Ack = {}));
export var Reject;
(function (Reject) {
    let _codec;
    Reject.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.workloadId != null && obj.workloadId !== '')) {
                    w.uint32(10);
                    w.string(obj.workloadId);
                }
                if ((obj.generation != null && obj.generation !== 0)) {
                    w.uint32(16);
                    w.uint64Number(obj.generation);
                }
                if (obj.reason != null && __RejectReasonValues[obj.reason] !== 0) {
                    w.uint32(24);
                    RejectReason.codec().encode(obj.reason, w);
                }
                if ((obj.detail != null && obj.detail !== '')) {
                    w.uint32(34);
                    w.string(obj.detail);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    workloadId: '',
                    generation: 0,
                    reason: RejectReason.REJECT_UNSPECIFIED,
                    detail: ''
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.workloadId = reader.string();
                            break;
                        }
                        case 2: {
                            obj.generation = reader.uint64Number();
                            break;
                        }
                        case 3: {
                            obj.reason = RejectReason.codec().decode(reader);
                            break;
                        }
                        case 4: {
                            obj.detail = reader.string();
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
                                field: `${prefix}.workloadId`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.generation`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.reason`,
                                value: RejectReason.codec().decode(reader)
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.detail`,
                                value: reader.string()
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
        return encodeMessage(obj, Reject.codec());
    }
    Reject.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, Reject.codec(), opts);
    }
    Reject.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, Reject.codec(), opts);
    }
    Reject.stream = stream;
})(Reject || (Reject = {}));
export var Cancel;
(function (Cancel) {
    let _codec;
    Cancel.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.workloadId != null && obj.workloadId !== '')) {
                    w.uint32(10);
                    w.string(obj.workloadId);
                }
                if ((obj.generation != null && obj.generation !== 0)) {
                    w.uint32(16);
                    w.uint64Number(obj.generation);
                }
                if ((obj.fence != null && obj.fence !== 0)) {
                    w.uint32(24);
                    w.uint64Number(obj.fence);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    workloadId: '',
                    generation: 0,
                    fence: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.workloadId = reader.string();
                            break;
                        }
                        case 2: {
                            obj.generation = reader.uint64Number();
                            break;
                        }
                        case 3: {
                            obj.fence = reader.uint64Number();
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
                                field: `${prefix}.workloadId`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.generation`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.fence`,
                                value: reader.uint64Number()
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
        return encodeMessage(obj, Cancel.codec());
    }
    Cancel.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, Cancel.codec(), opts);
    }
    Cancel.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, Cancel.codec(), opts);
    }
    Cancel.stream = stream;
})(Cancel || (Cancel = {}));
export var CancelAck;
(function (CancelAck) {
    let _codec;
    CancelAck.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.workloadId != null && obj.workloadId !== '')) {
                    w.uint32(10);
                    w.string(obj.workloadId);
                }
                if ((obj.fence != null && obj.fence !== 0)) {
                    w.uint32(16);
                    w.uint64Number(obj.fence);
                }
                if ((obj.removed != null && obj.removed !== false)) {
                    w.uint32(24);
                    w.bool(obj.removed);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    workloadId: '',
                    fence: 0,
                    removed: false
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.workloadId = reader.string();
                            break;
                        }
                        case 2: {
                            obj.fence = reader.uint64Number();
                            break;
                        }
                        case 3: {
                            obj.removed = reader.bool();
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
                                field: `${prefix}.workloadId`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.fence`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.removed`,
                                value: reader.bool()
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
        return encodeMessage(obj, CancelAck.codec());
    }
    CancelAck.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, CancelAck.codec(), opts);
    }
    CancelAck.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, CancelAck.codec(), opts);
    }
    CancelAck.stream = stream;
})(CancelAck || (CancelAck = {}));
export var ResyncRequest;
(function (ResyncRequest) {
    let _codec;
    ResyncRequest.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {};
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
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
        return encodeMessage(obj, ResyncRequest.codec());
    }
    ResyncRequest.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, ResyncRequest.codec(), opts);
    }
    ResyncRequest.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, ResyncRequest.codec(), opts);
    }
    ResyncRequest.stream = stream;
})(ResyncRequest || (ResyncRequest = {}));
export var HeldWorkload;
(function (HeldWorkload) {
    let _codec;
    HeldWorkload.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.workloadId != null && obj.workloadId !== '')) {
                    w.uint32(10);
                    w.string(obj.workloadId);
                }
                if ((obj.generation != null && obj.generation !== 0)) {
                    w.uint32(16);
                    w.uint64Number(obj.generation);
                }
                if (obj.status != null) {
                    w.uint32(26);
                    Status.codec().encode(obj.status, w);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    workloadId: '',
                    generation: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.workloadId = reader.string();
                            break;
                        }
                        case 2: {
                            obj.generation = reader.uint64Number();
                            break;
                        }
                        case 3: {
                            obj.status = Status.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.status
                            });
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
                                field: `${prefix}.workloadId`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.generation`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 3: {
                            yield* Status.codec().stream(reader, reader.uint32(), `${prefix}.status`, {
                                limits: opts.limits?.status
                            });
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
        return encodeMessage(obj, HeldWorkload.codec());
    }
    HeldWorkload.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, HeldWorkload.codec(), opts);
    }
    HeldWorkload.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, HeldWorkload.codec(), opts);
    }
    HeldWorkload.stream = stream;
})(HeldWorkload || (HeldWorkload = {}));
export var ResyncResponse;
(function (ResyncResponse) {
    let _codec;
    ResyncResponse.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if (obj.workloads != null && obj.workloads.length > 0) {
                    for (const value of obj.workloads) {
                        w.uint32(10);
                        HeldWorkload.codec().encode(value, w);
                    }
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    workloads: []
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            if (opts.limits?.workloads != null && obj.workloads.length === opts.limits.workloads) {
                                throw new MaxLengthError('Decode error - repeated field "workloads" had too many elements');
                            }
                            obj.workloads.push(HeldWorkload.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.workloads$
                            }));
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
                const obj = {
                    workloads: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            if (opts.limits?.workloads != null && obj.workloads === opts.limits.workloads) {
                                throw new MaxLengthError('Streaming decode error - repeated field "workloads" had too many elements');
                            }
                            for (const evt of HeldWorkload.codec().stream(reader, reader.uint32(), `${prefix}.workloads[]`, {
                                limits: opts.limits?.workloads$
                            })) {
                                yield {
                                    ...evt,
                                    index: obj.workloads
                                };
                            }
                            obj.workloads++;
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
        return encodeMessage(obj, ResyncResponse.codec());
    }
    ResyncResponse.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, ResyncResponse.codec(), opts);
    }
    ResyncResponse.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, ResyncResponse.codec(), opts);
    }
    ResyncResponse.stream = stream;
})(ResyncResponse || (ResyncResponse = {}));
export var DelegateRequest;
(function (DelegateRequest) {
    let _codec;
    DelegateRequest.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if (obj.delegate != null) {
                    w.uint32(10);
                    Delegate.codec().encode(obj.delegate, w);
                }
                if (obj.cancel != null) {
                    w.uint32(18);
                    Cancel.codec().encode(obj.cancel, w);
                }
                if (obj.resync != null) {
                    w.uint32(26);
                    ResyncRequest.codec().encode(obj.resync, w);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {};
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.delegate = Delegate.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.delegate
                            });
                            break;
                        }
                        case 2: {
                            obj.cancel = Cancel.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.cancel
                            });
                            break;
                        }
                        case 3: {
                            obj.resync = ResyncRequest.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.resync
                            });
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
                            yield* Delegate.codec().stream(reader, reader.uint32(), `${prefix}.delegate`, {
                                limits: opts.limits?.delegate
                            });
                            break;
                        }
                        case 2: {
                            yield* Cancel.codec().stream(reader, reader.uint32(), `${prefix}.cancel`, {
                                limits: opts.limits?.cancel
                            });
                            break;
                        }
                        case 3: {
                            yield* ResyncRequest.codec().stream(reader, reader.uint32(), `${prefix}.resync`, {
                                limits: opts.limits?.resync
                            });
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
        return encodeMessage(obj, DelegateRequest.codec());
    }
    DelegateRequest.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, DelegateRequest.codec(), opts);
    }
    DelegateRequest.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, DelegateRequest.codec(), opts);
    }
    DelegateRequest.stream = stream;
})(DelegateRequest || (DelegateRequest = {}));
export var DelegateResponse;
(function (DelegateResponse) {
    let _codec;
    DelegateResponse.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if (obj.ack != null) {
                    w.uint32(10);
                    Ack.codec().encode(obj.ack, w);
                }
                if (obj.reject != null) {
                    w.uint32(18);
                    Reject.codec().encode(obj.reject, w);
                }
                if (obj.cancelAck != null) {
                    w.uint32(26);
                    CancelAck.codec().encode(obj.cancelAck, w);
                }
                if (obj.resync != null) {
                    w.uint32(34);
                    ResyncResponse.codec().encode(obj.resync, w);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {};
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.ack = Ack.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.ack
                            });
                            break;
                        }
                        case 2: {
                            obj.reject = Reject.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.reject
                            });
                            break;
                        }
                        case 3: {
                            obj.cancelAck = CancelAck.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.cancelAck
                            });
                            break;
                        }
                        case 4: {
                            obj.resync = ResyncResponse.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.resync
                            });
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
                            yield* Ack.codec().stream(reader, reader.uint32(), `${prefix}.ack`, {
                                limits: opts.limits?.ack
                            });
                            break;
                        }
                        case 2: {
                            yield* Reject.codec().stream(reader, reader.uint32(), `${prefix}.reject`, {
                                limits: opts.limits?.reject
                            });
                            break;
                        }
                        case 3: {
                            yield* CancelAck.codec().stream(reader, reader.uint32(), `${prefix}.cancelAck`, {
                                limits: opts.limits?.cancelAck
                            });
                            break;
                        }
                        case 4: {
                            yield* ResyncResponse.codec().stream(reader, reader.uint32(), `${prefix}.resync`, {
                                limits: opts.limits?.resync
                            });
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
        return encodeMessage(obj, DelegateResponse.codec());
    }
    DelegateResponse.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, DelegateResponse.codec(), opts);
    }
    DelegateResponse.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, DelegateResponse.codec(), opts);
    }
    DelegateResponse.stream = stream;
})(DelegateResponse || (DelegateResponse = {}));
export var Phase;
(function (Phase) {
    Phase["PHASE_UNSPECIFIED"] = "PHASE_UNSPECIFIED";
    Phase["ACCEPTED"] = "ACCEPTED";
    Phase["APPLYING"] = "APPLYING";
    Phase["PROGRESSING"] = "PROGRESSING";
    Phase["RUNNING"] = "RUNNING";
    Phase["SUCCEEDED"] = "SUCCEEDED";
    Phase["FAILING"] = "FAILING";
    Phase["RELINQUISHED"] = "RELINQUISHED";
    Phase["CANCELLED"] = "CANCELLED";
    Phase["RECLAIMED"] = "RECLAIMED";
})(Phase || (Phase = {}));
var __PhaseValues;
(function (__PhaseValues) {
    __PhaseValues[__PhaseValues["PHASE_UNSPECIFIED"] = 0] = "PHASE_UNSPECIFIED";
    __PhaseValues[__PhaseValues["ACCEPTED"] = 1] = "ACCEPTED";
    __PhaseValues[__PhaseValues["APPLYING"] = 2] = "APPLYING";
    __PhaseValues[__PhaseValues["PROGRESSING"] = 3] = "PROGRESSING";
    __PhaseValues[__PhaseValues["RUNNING"] = 4] = "RUNNING";
    __PhaseValues[__PhaseValues["SUCCEEDED"] = 5] = "SUCCEEDED";
    __PhaseValues[__PhaseValues["FAILING"] = 6] = "FAILING";
    __PhaseValues[__PhaseValues["RELINQUISHED"] = 7] = "RELINQUISHED";
    __PhaseValues[__PhaseValues["CANCELLED"] = 8] = "CANCELLED";
    __PhaseValues[__PhaseValues["RECLAIMED"] = 9] = "RECLAIMED";
})(__PhaseValues || (__PhaseValues = {}));
(function (Phase) {
    Phase.codec = () => {
        return enumeration(__PhaseValues);
    };
})(Phase || (Phase = {}));
export var Status;
(function (Status) {
    let _codec;
    Status.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.workloadId != null && obj.workloadId !== '')) {
                    w.uint32(10);
                    w.string(obj.workloadId);
                }
                if ((obj.generation != null && obj.generation !== 0)) {
                    w.uint32(16);
                    w.uint64Number(obj.generation);
                }
                if (obj.phase != null && __PhaseValues[obj.phase] !== 0) {
                    w.uint32(24);
                    Phase.codec().encode(obj.phase, w);
                }
                if ((obj.readyReplicas != null && obj.readyReplicas !== 0)) {
                    w.uint32(32);
                    w.uint32(obj.readyReplicas);
                }
                if ((obj.replicas != null && obj.replicas !== 0)) {
                    w.uint32(40);
                    w.uint32(obj.replicas);
                }
                if (obj.podIps != null && obj.podIps.length > 0) {
                    for (const value of obj.podIps) {
                        w.uint32(50);
                        w.string(value);
                    }
                }
                if ((obj.lastError != null && obj.lastError !== '')) {
                    w.uint32(58);
                    w.string(obj.lastError);
                }
                if ((obj.observedGeneration != null && obj.observedGeneration !== 0)) {
                    w.uint32(64);
                    w.uint64Number(obj.observedGeneration);
                }
                if ((obj.sequence != null && obj.sequence !== 0)) {
                    w.uint32(72);
                    w.uint64Number(obj.sequence);
                }
                if ((obj.timestamp != null && obj.timestamp !== 0)) {
                    w.uint32(80);
                    w.int64Number(obj.timestamp);
                }
                if (obj.via != null) {
                    w.uint32(90);
                    Via.codec().encode(obj.via, w);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    workloadId: '',
                    generation: 0,
                    phase: Phase.PHASE_UNSPECIFIED,
                    readyReplicas: 0,
                    replicas: 0,
                    podIps: [],
                    lastError: '',
                    observedGeneration: 0,
                    sequence: 0,
                    timestamp: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.workloadId = reader.string();
                            break;
                        }
                        case 2: {
                            obj.generation = reader.uint64Number();
                            break;
                        }
                        case 3: {
                            obj.phase = Phase.codec().decode(reader);
                            break;
                        }
                        case 4: {
                            obj.readyReplicas = reader.uint32();
                            break;
                        }
                        case 5: {
                            obj.replicas = reader.uint32();
                            break;
                        }
                        case 6: {
                            if (opts.limits?.podIps != null && obj.podIps.length === opts.limits.podIps) {
                                throw new MaxLengthError('Decode error - repeated field "podIps" had too many elements');
                            }
                            obj.podIps.push(reader.string());
                            break;
                        }
                        case 7: {
                            obj.lastError = reader.string();
                            break;
                        }
                        case 8: {
                            obj.observedGeneration = reader.uint64Number();
                            break;
                        }
                        case 9: {
                            obj.sequence = reader.uint64Number();
                            break;
                        }
                        case 10: {
                            obj.timestamp = reader.int64Number();
                            break;
                        }
                        case 11: {
                            obj.via = Via.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.via
                            });
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
                const obj = {
                    podIps: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            yield {
                                field: `${prefix}.workloadId`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.generation`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.phase`,
                                value: Phase.codec().decode(reader)
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.readyReplicas`,
                                value: reader.uint32()
                            };
                            break;
                        }
                        case 5: {
                            yield {
                                field: `${prefix}.replicas`,
                                value: reader.uint32()
                            };
                            break;
                        }
                        case 6: {
                            if (opts.limits?.podIps != null && obj.podIps === opts.limits.podIps) {
                                throw new MaxLengthError('Streaming decode error - repeated field "podIps" had too many elements');
                            }
                            yield {
                                field: `${prefix}.podIps[]`,
                                index: obj.podIps,
                                value: reader.string()
                            };
                            obj.podIps++;
                            break;
                        }
                        case 7: {
                            yield {
                                field: `${prefix}.lastError`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 8: {
                            yield {
                                field: `${prefix}.observedGeneration`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 9: {
                            yield {
                                field: `${prefix}.sequence`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 10: {
                            yield {
                                field: `${prefix}.timestamp`,
                                value: reader.int64Number()
                            };
                            break;
                        }
                        case 11: {
                            yield* Via.codec().stream(reader, reader.uint32(), `${prefix}.via`, {
                                limits: opts.limits?.via
                            });
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
        return encodeMessage(obj, Status.codec());
    }
    Status.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, Status.codec(), opts);
    }
    Status.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, Status.codec(), opts);
    }
    Status.stream = stream;
})(Status || (Status = {}));
export var Via;
(function (Via) {
    let _codec;
    Via.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if (obj.agents != null && obj.agents.length > 0) {
                    for (const value of obj.agents) {
                        w.uint32(10);
                        w.string(value);
                    }
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    agents: []
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            if (opts.limits?.agents != null && obj.agents.length === opts.limits.agents) {
                                throw new MaxLengthError('Decode error - repeated field "agents" had too many elements');
                            }
                            obj.agents.push(reader.string());
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
                const obj = {
                    agents: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            if (opts.limits?.agents != null && obj.agents === opts.limits.agents) {
                                throw new MaxLengthError('Streaming decode error - repeated field "agents" had too many elements');
                            }
                            yield {
                                field: `${prefix}.agents[]`,
                                index: obj.agents,
                                value: reader.string()
                            };
                            obj.agents++;
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
        return encodeMessage(obj, Via.codec());
    }
    Via.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, Via.codec(), opts);
    }
    Via.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, Via.codec(), opts);
    }
    Via.stream = stream;
})(Via || (Via = {}));
export var StatusSubscribe;
(function (StatusSubscribe) {
    let _codec;
    StatusSubscribe.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.consumer != null && obj.consumer !== '')) {
                    w.uint32(10);
                    w.string(obj.consumer);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    consumer: ''
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.consumer = reader.string();
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
                                field: `${prefix}.consumer`,
                                value: reader.string()
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
        return encodeMessage(obj, StatusSubscribe.codec());
    }
    StatusSubscribe.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, StatusSubscribe.codec(), opts);
    }
    StatusSubscribe.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, StatusSubscribe.codec(), opts);
    }
    StatusSubscribe.stream = stream;
})(StatusSubscribe || (StatusSubscribe = {}));
