/* eslint-disable require-yield */
import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message, streamMessage } from 'protons-runtime';
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc';
export var Resources;
(function (Resources) {
    let _codec;
    Resources.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.cpuMillis != null && obj.cpuMillis !== 0)) {
                    w.uint32(8);
                    w.int64Number(obj.cpuMillis);
                }
                if ((obj.memoryBytes != null && obj.memoryBytes !== 0)) {
                    w.uint32(16);
                    w.int64Number(obj.memoryBytes);
                }
                if ((obj.pods != null && obj.pods !== 0)) {
                    w.uint32(24);
                    w.int64Number(obj.pods);
                }
                if ((obj.gpu != null && obj.gpu !== 0)) {
                    w.uint32(32);
                    w.int64Number(obj.gpu);
                }
                if ((obj.ephemeralStorageBytes != null && obj.ephemeralStorageBytes !== 0)) {
                    w.uint32(40);
                    w.int64Number(obj.ephemeralStorageBytes);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    cpuMillis: 0,
                    memoryBytes: 0,
                    pods: 0,
                    gpu: 0,
                    ephemeralStorageBytes: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.cpuMillis = reader.int64Number();
                            break;
                        }
                        case 2: {
                            obj.memoryBytes = reader.int64Number();
                            break;
                        }
                        case 3: {
                            obj.pods = reader.int64Number();
                            break;
                        }
                        case 4: {
                            obj.gpu = reader.int64Number();
                            break;
                        }
                        case 5: {
                            obj.ephemeralStorageBytes = reader.int64Number();
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
                                field: `${prefix}.cpuMillis`,
                                value: reader.int64Number()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.memoryBytes`,
                                value: reader.int64Number()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.pods`,
                                value: reader.int64Number()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.gpu`,
                                value: reader.int64Number()
                            };
                            break;
                        }
                        case 5: {
                            yield {
                                field: `${prefix}.ephemeralStorageBytes`,
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
        return encodeMessage(obj, Resources.codec());
    }
    Resources.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, Resources.codec(), opts);
    }
    Resources.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, Resources.codec(), opts);
    }
    Resources.stream = stream;
})(Resources || (Resources = {}));
export var Offer;
(function (Offer) {
    let _codec;
    Offer.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.provider != null && obj.provider !== '')) {
                    w.uint32(10);
                    w.string(obj.provider);
                }
                if (obj.resources != null) {
                    w.uint32(18);
                    Resources.codec().encode(obj.resources, w);
                }
                if ((obj.seq != null && obj.seq !== 0)) {
                    w.uint32(24);
                    w.uint64Number(obj.seq);
                }
                if (obj.path != null && obj.path.length > 0) {
                    for (const value of obj.path) {
                        w.uint32(34);
                        w.string(value);
                    }
                }
                if ((obj.hopLimit != null && obj.hopLimit !== 0)) {
                    w.uint32(40);
                    w.uint32(obj.hopLimit);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    provider: '',
                    seq: 0,
                    path: [],
                    hopLimit: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.provider = reader.string();
                            break;
                        }
                        case 2: {
                            obj.resources = Resources.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.resources
                            });
                            break;
                        }
                        case 3: {
                            obj.seq = reader.uint64Number();
                            break;
                        }
                        case 4: {
                            if (opts.limits?.path != null && obj.path.length === opts.limits.path) {
                                throw new MaxLengthError('Decode error - repeated field "path" had too many elements');
                            }
                            obj.path.push(reader.string());
                            break;
                        }
                        case 5: {
                            obj.hopLimit = reader.uint32();
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
                                field: `${prefix}.provider`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 2: {
                            yield* Resources.codec().stream(reader, reader.uint32(), `${prefix}.resources`, {
                                limits: opts.limits?.resources
                            });
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.seq`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 4: {
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
                        case 5: {
                            yield {
                                field: `${prefix}.hopLimit`,
                                value: reader.uint32()
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
        return encodeMessage(obj, Offer.codec());
    }
    Offer.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, Offer.codec(), opts);
    }
    Offer.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, Offer.codec(), opts);
    }
    Offer.stream = stream;
})(Offer || (Offer = {}));
export var OfferQuery;
(function (OfferQuery) {
    let _codec;
    OfferQuery.codec = () => {
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
        return encodeMessage(obj, OfferQuery.codec());
    }
    OfferQuery.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, OfferQuery.codec(), opts);
    }
    OfferQuery.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, OfferQuery.codec(), opts);
    }
    OfferQuery.stream = stream;
})(OfferQuery || (OfferQuery = {}));
export var PeeringRequest;
(function (PeeringRequest) {
    let _codec;
    PeeringRequest.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.leaseId != null && obj.leaseId !== '')) {
                    w.uint32(10);
                    w.string(obj.leaseId);
                }
                if (obj.quota != null) {
                    w.uint32(18);
                    Resources.codec().encode(obj.quota, w);
                }
                if (obj.min != null) {
                    w.uint32(26);
                    Resources.codec().encode(obj.min, w);
                }
                if ((obj.durationMs != null && obj.durationMs !== 0)) {
                    w.uint32(32);
                    w.uint64Number(obj.durationMs);
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
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    leaseId: '',
                    durationMs: 0,
                    path: [],
                    hopLimit: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.leaseId = reader.string();
                            break;
                        }
                        case 2: {
                            obj.quota = Resources.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.quota
                            });
                            break;
                        }
                        case 3: {
                            obj.min = Resources.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.min
                            });
                            break;
                        }
                        case 4: {
                            obj.durationMs = reader.uint64Number();
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
                                field: `${prefix}.leaseId`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 2: {
                            yield* Resources.codec().stream(reader, reader.uint32(), `${prefix}.quota`, {
                                limits: opts.limits?.quota
                            });
                            break;
                        }
                        case 3: {
                            yield* Resources.codec().stream(reader, reader.uint32(), `${prefix}.min`, {
                                limits: opts.limits?.min
                            });
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.durationMs`,
                                value: reader.uint64Number()
                            };
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
        return encodeMessage(obj, PeeringRequest.codec());
    }
    PeeringRequest.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, PeeringRequest.codec(), opts);
    }
    PeeringRequest.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, PeeringRequest.codec(), opts);
    }
    PeeringRequest.stream = stream;
})(PeeringRequest || (PeeringRequest = {}));
export var PeeringGrant;
(function (PeeringGrant) {
    let _codec;
    PeeringGrant.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.leaseId != null && obj.leaseId !== '')) {
                    w.uint32(10);
                    w.string(obj.leaseId);
                }
                if ((obj.consumer != null && obj.consumer !== '')) {
                    w.uint32(18);
                    w.string(obj.consumer);
                }
                if ((obj.provider != null && obj.provider !== '')) {
                    w.uint32(26);
                    w.string(obj.provider);
                }
                if (obj.quota != null) {
                    w.uint32(34);
                    Resources.codec().encode(obj.quota, w);
                }
                if ((obj.counter != null && obj.counter !== false)) {
                    w.uint32(40);
                    w.bool(obj.counter);
                }
                if ((obj.created != null && obj.created !== 0)) {
                    w.uint32(48);
                    w.int64Number(obj.created);
                }
                if ((obj.expires != null && obj.expires !== 0)) {
                    w.uint32(56);
                    w.int64Number(obj.expires);
                }
                if ((obj.renewBy != null && obj.renewBy !== 0)) {
                    w.uint32(64);
                    w.int64Number(obj.renewBy);
                }
                if ((obj.graceMs != null && obj.graceMs !== 0)) {
                    w.uint32(72);
                    w.uint64Number(obj.graceMs);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    leaseId: '',
                    consumer: '',
                    provider: '',
                    counter: false,
                    created: 0,
                    expires: 0,
                    renewBy: 0,
                    graceMs: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.leaseId = reader.string();
                            break;
                        }
                        case 2: {
                            obj.consumer = reader.string();
                            break;
                        }
                        case 3: {
                            obj.provider = reader.string();
                            break;
                        }
                        case 4: {
                            obj.quota = Resources.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.quota
                            });
                            break;
                        }
                        case 5: {
                            obj.counter = reader.bool();
                            break;
                        }
                        case 6: {
                            obj.created = reader.int64Number();
                            break;
                        }
                        case 7: {
                            obj.expires = reader.int64Number();
                            break;
                        }
                        case 8: {
                            obj.renewBy = reader.int64Number();
                            break;
                        }
                        case 9: {
                            obj.graceMs = reader.uint64Number();
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
                                field: `${prefix}.leaseId`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.consumer`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.provider`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 4: {
                            yield* Resources.codec().stream(reader, reader.uint32(), `${prefix}.quota`, {
                                limits: opts.limits?.quota
                            });
                            break;
                        }
                        case 5: {
                            yield {
                                field: `${prefix}.counter`,
                                value: reader.bool()
                            };
                            break;
                        }
                        case 6: {
                            yield {
                                field: `${prefix}.created`,
                                value: reader.int64Number()
                            };
                            break;
                        }
                        case 7: {
                            yield {
                                field: `${prefix}.expires`,
                                value: reader.int64Number()
                            };
                            break;
                        }
                        case 8: {
                            yield {
                                field: `${prefix}.renewBy`,
                                value: reader.int64Number()
                            };
                            break;
                        }
                        case 9: {
                            yield {
                                field: `${prefix}.graceMs`,
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
        return encodeMessage(obj, PeeringGrant.codec());
    }
    PeeringGrant.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, PeeringGrant.codec(), opts);
    }
    PeeringGrant.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, PeeringGrant.codec(), opts);
    }
    PeeringGrant.stream = stream;
})(PeeringGrant || (PeeringGrant = {}));
export var RejectReason;
(function (RejectReason) {
    RejectReason["REJECT_UNSPECIFIED"] = "REJECT_UNSPECIFIED";
    RejectReason["INSUFFICIENT_CAPACITY"] = "INSUFFICIENT_CAPACITY";
    RejectReason["NOT_MEMBER"] = "NOT_MEMBER";
    RejectReason["BAD_SIGNATURE"] = "BAD_SIGNATURE";
    RejectReason["STALE"] = "STALE";
    RejectReason["REPLAY"] = "REPLAY";
    RejectReason["LOOP"] = "LOOP";
    RejectReason["HOP_LIMIT"] = "HOP_LIMIT";
    RejectReason["INVALID_QUANTITY"] = "INVALID_QUANTITY";
    RejectReason["DUPLICATE_LEASE"] = "DUPLICATE_LEASE";
    RejectReason["UNKNOWN_LEASE"] = "UNKNOWN_LEASE";
    RejectReason["NOT_SHARING"] = "NOT_SHARING";
    RejectReason["POLICY_DENIED"] = "POLICY_DENIED";
    RejectReason["MALFORMED"] = "MALFORMED";
    RejectReason["UNSUPPORTED_VERSION"] = "UNSUPPORTED_VERSION";
    RejectReason["WRONG_RECIPIENT"] = "WRONG_RECIPIENT";
    RejectReason["LEASE_EXPIRED"] = "LEASE_EXPIRED";
    RejectReason["NOT_LEASE_PARTY"] = "NOT_LEASE_PARTY";
    RejectReason["TENANT_FAILED"] = "TENANT_FAILED";
    RejectReason["INTERNAL"] = "INTERNAL";
})(RejectReason || (RejectReason = {}));
var __RejectReasonValues;
(function (__RejectReasonValues) {
    __RejectReasonValues[__RejectReasonValues["REJECT_UNSPECIFIED"] = 0] = "REJECT_UNSPECIFIED";
    __RejectReasonValues[__RejectReasonValues["INSUFFICIENT_CAPACITY"] = 1] = "INSUFFICIENT_CAPACITY";
    __RejectReasonValues[__RejectReasonValues["NOT_MEMBER"] = 2] = "NOT_MEMBER";
    __RejectReasonValues[__RejectReasonValues["BAD_SIGNATURE"] = 3] = "BAD_SIGNATURE";
    __RejectReasonValues[__RejectReasonValues["STALE"] = 4] = "STALE";
    __RejectReasonValues[__RejectReasonValues["REPLAY"] = 5] = "REPLAY";
    __RejectReasonValues[__RejectReasonValues["LOOP"] = 6] = "LOOP";
    __RejectReasonValues[__RejectReasonValues["HOP_LIMIT"] = 7] = "HOP_LIMIT";
    __RejectReasonValues[__RejectReasonValues["INVALID_QUANTITY"] = 8] = "INVALID_QUANTITY";
    __RejectReasonValues[__RejectReasonValues["DUPLICATE_LEASE"] = 9] = "DUPLICATE_LEASE";
    __RejectReasonValues[__RejectReasonValues["UNKNOWN_LEASE"] = 10] = "UNKNOWN_LEASE";
    __RejectReasonValues[__RejectReasonValues["NOT_SHARING"] = 11] = "NOT_SHARING";
    __RejectReasonValues[__RejectReasonValues["POLICY_DENIED"] = 12] = "POLICY_DENIED";
    __RejectReasonValues[__RejectReasonValues["MALFORMED"] = 13] = "MALFORMED";
    __RejectReasonValues[__RejectReasonValues["UNSUPPORTED_VERSION"] = 14] = "UNSUPPORTED_VERSION";
    __RejectReasonValues[__RejectReasonValues["WRONG_RECIPIENT"] = 15] = "WRONG_RECIPIENT";
    __RejectReasonValues[__RejectReasonValues["LEASE_EXPIRED"] = 16] = "LEASE_EXPIRED";
    __RejectReasonValues[__RejectReasonValues["NOT_LEASE_PARTY"] = 17] = "NOT_LEASE_PARTY";
    __RejectReasonValues[__RejectReasonValues["TENANT_FAILED"] = 18] = "TENANT_FAILED";
    __RejectReasonValues[__RejectReasonValues["INTERNAL"] = 19] = "INTERNAL";
})(__RejectReasonValues || (__RejectReasonValues = {}));
(function (RejectReason) {
    RejectReason.codec = () => {
        return enumeration(__RejectReasonValues);
    };
})(RejectReason || (RejectReason = {}));
export var PeeringReject;
(function (PeeringReject) {
    let _codec;
    PeeringReject.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.leaseId != null && obj.leaseId !== '')) {
                    w.uint32(10);
                    w.string(obj.leaseId);
                }
                if (obj.reason != null && __RejectReasonValues[obj.reason] !== 0) {
                    w.uint32(16);
                    RejectReason.codec().encode(obj.reason, w);
                }
                if ((obj.detail != null && obj.detail !== '')) {
                    w.uint32(26);
                    w.string(obj.detail);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    leaseId: '',
                    reason: RejectReason.REJECT_UNSPECIFIED,
                    detail: ''
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.leaseId = reader.string();
                            break;
                        }
                        case 2: {
                            obj.reason = RejectReason.codec().decode(reader);
                            break;
                        }
                        case 3: {
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
                                field: `${prefix}.leaseId`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.reason`,
                                value: RejectReason.codec().decode(reader)
                            };
                            break;
                        }
                        case 3: {
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
        return encodeMessage(obj, PeeringReject.codec());
    }
    PeeringReject.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, PeeringReject.codec(), opts);
    }
    PeeringReject.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, PeeringReject.codec(), opts);
    }
    PeeringReject.stream = stream;
})(PeeringReject || (PeeringReject = {}));
export var LeaseRenew;
(function (LeaseRenew) {
    let _codec;
    LeaseRenew.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.leaseId != null && obj.leaseId !== '')) {
                    w.uint32(10);
                    w.string(obj.leaseId);
                }
                if ((obj.extendMs != null && obj.extendMs !== 0)) {
                    w.uint32(16);
                    w.uint64Number(obj.extendMs);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    leaseId: '',
                    extendMs: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.leaseId = reader.string();
                            break;
                        }
                        case 2: {
                            obj.extendMs = reader.uint64Number();
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
                                field: `${prefix}.leaseId`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.extendMs`,
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
        return encodeMessage(obj, LeaseRenew.codec());
    }
    LeaseRenew.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, LeaseRenew.codec(), opts);
    }
    LeaseRenew.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, LeaseRenew.codec(), opts);
    }
    LeaseRenew.stream = stream;
})(LeaseRenew || (LeaseRenew = {}));
export var LeaseRenewAck;
(function (LeaseRenewAck) {
    let _codec;
    LeaseRenewAck.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.leaseId != null && obj.leaseId !== '')) {
                    w.uint32(10);
                    w.string(obj.leaseId);
                }
                if ((obj.expires != null && obj.expires !== 0)) {
                    w.uint32(16);
                    w.int64Number(obj.expires);
                }
                if ((obj.renewBy != null && obj.renewBy !== 0)) {
                    w.uint32(24);
                    w.int64Number(obj.renewBy);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    leaseId: '',
                    expires: 0,
                    renewBy: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.leaseId = reader.string();
                            break;
                        }
                        case 2: {
                            obj.expires = reader.int64Number();
                            break;
                        }
                        case 3: {
                            obj.renewBy = reader.int64Number();
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
                                field: `${prefix}.leaseId`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.expires`,
                                value: reader.int64Number()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.renewBy`,
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
        return encodeMessage(obj, LeaseRenewAck.codec());
    }
    LeaseRenewAck.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, LeaseRenewAck.codec(), opts);
    }
    LeaseRenewAck.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, LeaseRenewAck.codec(), opts);
    }
    LeaseRenewAck.stream = stream;
})(LeaseRenewAck || (LeaseRenewAck = {}));
export var LeaseRelease;
(function (LeaseRelease) {
    let _codec;
    LeaseRelease.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.leaseId != null && obj.leaseId !== '')) {
                    w.uint32(10);
                    w.string(obj.leaseId);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    leaseId: ''
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.leaseId = reader.string();
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
                                field: `${prefix}.leaseId`,
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
        return encodeMessage(obj, LeaseRelease.codec());
    }
    LeaseRelease.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, LeaseRelease.codec(), opts);
    }
    LeaseRelease.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, LeaseRelease.codec(), opts);
    }
    LeaseRelease.stream = stream;
})(LeaseRelease || (LeaseRelease = {}));
export var LeaseReleaseAck;
(function (LeaseReleaseAck) {
    let _codec;
    LeaseReleaseAck.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.leaseId != null && obj.leaseId !== '')) {
                    w.uint32(10);
                    w.string(obj.leaseId);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    leaseId: ''
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.leaseId = reader.string();
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
                                field: `${prefix}.leaseId`,
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
        return encodeMessage(obj, LeaseReleaseAck.codec());
    }
    LeaseReleaseAck.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, LeaseReleaseAck.codec(), opts);
    }
    LeaseReleaseAck.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, LeaseReleaseAck.codec(), opts);
    }
    LeaseReleaseAck.stream = stream;
})(LeaseReleaseAck || (LeaseReleaseAck = {}));
export var PeeringBody;
(function (PeeringBody) {
    let _codec;
    PeeringBody.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.version != null && obj.version !== 0)) {
                    w.uint32(8);
                    w.uint32(obj.version);
                }
                if ((obj.sender != null && obj.sender !== '')) {
                    w.uint32(18);
                    w.string(obj.sender);
                }
                if ((obj.recipient != null && obj.recipient !== '')) {
                    w.uint32(26);
                    w.string(obj.recipient);
                }
                if ((obj.nonce != null && obj.nonce.byteLength > 0)) {
                    w.uint32(34);
                    w.bytes(obj.nonce);
                }
                if ((obj.timestamp != null && obj.timestamp !== 0)) {
                    w.uint32(40);
                    w.int64Number(obj.timestamp);
                }
                if (obj.offerQuery != null) {
                    w.uint32(82);
                    OfferQuery.codec().encode(obj.offerQuery, w);
                }
                if (obj.offer != null) {
                    w.uint32(90);
                    Offer.codec().encode(obj.offer, w);
                }
                if (obj.request != null) {
                    w.uint32(98);
                    PeeringRequest.codec().encode(obj.request, w);
                }
                if (obj.grant != null) {
                    w.uint32(106);
                    PeeringGrant.codec().encode(obj.grant, w);
                }
                if (obj.reject != null) {
                    w.uint32(114);
                    PeeringReject.codec().encode(obj.reject, w);
                }
                if (obj.renew != null) {
                    w.uint32(122);
                    LeaseRenew.codec().encode(obj.renew, w);
                }
                if (obj.renewAck != null) {
                    w.uint32(130);
                    LeaseRenewAck.codec().encode(obj.renewAck, w);
                }
                if (obj.release != null) {
                    w.uint32(138);
                    LeaseRelease.codec().encode(obj.release, w);
                }
                if (obj.releaseAck != null) {
                    w.uint32(146);
                    LeaseReleaseAck.codec().encode(obj.releaseAck, w);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    version: 0,
                    sender: '',
                    recipient: '',
                    nonce: uint8ArrayAlloc(0),
                    timestamp: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.version = reader.uint32();
                            break;
                        }
                        case 2: {
                            obj.sender = reader.string();
                            break;
                        }
                        case 3: {
                            obj.recipient = reader.string();
                            break;
                        }
                        case 4: {
                            obj.nonce = reader.bytes();
                            break;
                        }
                        case 5: {
                            obj.timestamp = reader.int64Number();
                            break;
                        }
                        case 10: {
                            obj.offerQuery = OfferQuery.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.offerQuery
                            });
                            break;
                        }
                        case 11: {
                            obj.offer = Offer.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.offer
                            });
                            break;
                        }
                        case 12: {
                            obj.request = PeeringRequest.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.request
                            });
                            break;
                        }
                        case 13: {
                            obj.grant = PeeringGrant.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.grant
                            });
                            break;
                        }
                        case 14: {
                            obj.reject = PeeringReject.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.reject
                            });
                            break;
                        }
                        case 15: {
                            obj.renew = LeaseRenew.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.renew
                            });
                            break;
                        }
                        case 16: {
                            obj.renewAck = LeaseRenewAck.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.renewAck
                            });
                            break;
                        }
                        case 17: {
                            obj.release = LeaseRelease.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.release
                            });
                            break;
                        }
                        case 18: {
                            obj.releaseAck = LeaseReleaseAck.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.releaseAck
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
                                field: `${prefix}.version`,
                                value: reader.uint32()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.sender`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.recipient`,
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
                                field: `${prefix}.timestamp`,
                                value: reader.int64Number()
                            };
                            break;
                        }
                        case 10: {
                            yield* OfferQuery.codec().stream(reader, reader.uint32(), `${prefix}.offerQuery`, {
                                limits: opts.limits?.offerQuery
                            });
                            break;
                        }
                        case 11: {
                            yield* Offer.codec().stream(reader, reader.uint32(), `${prefix}.offer`, {
                                limits: opts.limits?.offer
                            });
                            break;
                        }
                        case 12: {
                            yield* PeeringRequest.codec().stream(reader, reader.uint32(), `${prefix}.request`, {
                                limits: opts.limits?.request
                            });
                            break;
                        }
                        case 13: {
                            yield* PeeringGrant.codec().stream(reader, reader.uint32(), `${prefix}.grant`, {
                                limits: opts.limits?.grant
                            });
                            break;
                        }
                        case 14: {
                            yield* PeeringReject.codec().stream(reader, reader.uint32(), `${prefix}.reject`, {
                                limits: opts.limits?.reject
                            });
                            break;
                        }
                        case 15: {
                            yield* LeaseRenew.codec().stream(reader, reader.uint32(), `${prefix}.renew`, {
                                limits: opts.limits?.renew
                            });
                            break;
                        }
                        case 16: {
                            yield* LeaseRenewAck.codec().stream(reader, reader.uint32(), `${prefix}.renewAck`, {
                                limits: opts.limits?.renewAck
                            });
                            break;
                        }
                        case 17: {
                            yield* LeaseRelease.codec().stream(reader, reader.uint32(), `${prefix}.release`, {
                                limits: opts.limits?.release
                            });
                            break;
                        }
                        case 18: {
                            yield* LeaseReleaseAck.codec().stream(reader, reader.uint32(), `${prefix}.releaseAck`, {
                                limits: opts.limits?.releaseAck
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
        return encodeMessage(obj, PeeringBody.codec());
    }
    PeeringBody.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, PeeringBody.codec(), opts);
    }
    PeeringBody.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, PeeringBody.codec(), opts);
    }
    PeeringBody.stream = stream;
})(PeeringBody || (PeeringBody = {}));
export var PeeringFrame;
(function (PeeringFrame) {
    let _codec;
    PeeringFrame.codec = () => {
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
        return encodeMessage(obj, PeeringFrame.codec());
    }
    PeeringFrame.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, PeeringFrame.codec(), opts);
    }
    PeeringFrame.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, PeeringFrame.codec(), opts);
    }
    PeeringFrame.stream = stream;
})(PeeringFrame || (PeeringFrame = {}));
