import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime';
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc';
export var AnnounceLabel;
(function (AnnounceLabel) {
    let _codec;
    AnnounceLabel.codec = () => {
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
        return encodeMessage(obj, AnnounceLabel.codec());
    }
    AnnounceLabel.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, AnnounceLabel.codec(), opts);
    }
    AnnounceLabel.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, AnnounceLabel.codec(), opts);
    }
    AnnounceLabel.stream = stream;
})(AnnounceLabel || (AnnounceLabel = {}));
export var OfferSummary;
(function (OfferSummary) {
    let _codec;
    OfferSummary.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.cpuMillis != null && obj.cpuMillis !== 0)) {
                    w.uint32(8);
                    w.uint64Number(obj.cpuMillis);
                }
                if ((obj.memoryBytes != null && obj.memoryBytes !== 0)) {
                    w.uint32(16);
                    w.uint64Number(obj.memoryBytes);
                }
                if ((obj.pods != null && obj.pods !== 0)) {
                    w.uint32(24);
                    w.uint32(obj.pods);
                }
                if ((obj.gpu != null && obj.gpu !== 0)) {
                    w.uint32(32);
                    w.uint32(obj.gpu);
                }
                if ((obj.ephemeralStorageBytes != null && obj.ephemeralStorageBytes !== 0)) {
                    w.uint32(40);
                    w.uint64Number(obj.ephemeralStorageBytes);
                }
                if ((obj.generation != null && obj.generation !== 0)) {
                    w.uint32(48);
                    w.uint64Number(obj.generation);
                }
                if ((obj.hops != null && obj.hops !== 0)) {
                    w.uint32(56);
                    w.uint32(obj.hops);
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
                    ephemeralStorageBytes: 0,
                    generation: 0,
                    hops: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.cpuMillis = reader.uint64Number();
                            break;
                        }
                        case 2: {
                            obj.memoryBytes = reader.uint64Number();
                            break;
                        }
                        case 3: {
                            obj.pods = reader.uint32();
                            break;
                        }
                        case 4: {
                            obj.gpu = reader.uint32();
                            break;
                        }
                        case 5: {
                            obj.ephemeralStorageBytes = reader.uint64Number();
                            break;
                        }
                        case 6: {
                            obj.generation = reader.uint64Number();
                            break;
                        }
                        case 7: {
                            obj.hops = reader.uint32();
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
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.memoryBytes`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.pods`,
                                value: reader.uint32()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.gpu`,
                                value: reader.uint32()
                            };
                            break;
                        }
                        case 5: {
                            yield {
                                field: `${prefix}.ephemeralStorageBytes`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 6: {
                            yield {
                                field: `${prefix}.generation`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 7: {
                            yield {
                                field: `${prefix}.hops`,
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
        return encodeMessage(obj, OfferSummary.codec());
    }
    OfferSummary.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, OfferSummary.codec(), opts);
    }
    OfferSummary.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, OfferSummary.codec(), opts);
    }
    OfferSummary.stream = stream;
})(OfferSummary || (OfferSummary = {}));
export var Announcement;
(function (Announcement) {
    let _codec;
    Announcement.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.peerId != null && obj.peerId !== '')) {
                    w.uint32(10);
                    w.string(obj.peerId);
                }
                if ((obj.seq != null && obj.seq !== 0)) {
                    w.uint32(16);
                    w.uint64Number(obj.seq);
                }
                if ((obj.issuedMs != null && obj.issuedMs !== 0)) {
                    w.uint32(24);
                    w.uint64Number(obj.issuedMs);
                }
                if ((obj.expiresMs != null && obj.expiresMs !== 0)) {
                    w.uint32(32);
                    w.uint64Number(obj.expiresMs);
                }
                if (obj.addrs != null && obj.addrs.length > 0) {
                    for (const value of obj.addrs) {
                        w.uint32(42);
                        w.bytes(value);
                    }
                }
                if (obj.labels != null && obj.labels.length > 0) {
                    for (const value of obj.labels) {
                        w.uint32(50);
                        AnnounceLabel.codec().encode(value, w);
                    }
                }
                if (obj.offer != null) {
                    w.uint32(58);
                    OfferSummary.codec().encode(obj.offer, w);
                }
                if ((obj.wgPublicKey != null && obj.wgPublicKey.byteLength > 0)) {
                    w.uint32(66);
                    w.bytes(obj.wgPublicKey);
                }
                if ((obj.podCidr != null && obj.podCidr !== '')) {
                    w.uint32(74);
                    w.string(obj.podCidr);
                }
                if ((obj.version != null && obj.version !== '')) {
                    w.uint32(82);
                    w.string(obj.version);
                }
                if ((obj.wgKeyBinding != null && obj.wgKeyBinding.byteLength > 0)) {
                    w.uint32(90);
                    w.bytes(obj.wgKeyBinding);
                }
                if ((obj.intervalMs != null && obj.intervalMs !== 0)) {
                    w.uint32(96);
                    w.uint32(obj.intervalMs);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    peerId: '',
                    seq: 0,
                    issuedMs: 0,
                    expiresMs: 0,
                    addrs: [],
                    labels: [],
                    wgPublicKey: uint8ArrayAlloc(0),
                    podCidr: '',
                    version: '',
                    wgKeyBinding: uint8ArrayAlloc(0),
                    intervalMs: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.peerId = reader.string();
                            break;
                        }
                        case 2: {
                            obj.seq = reader.uint64Number();
                            break;
                        }
                        case 3: {
                            obj.issuedMs = reader.uint64Number();
                            break;
                        }
                        case 4: {
                            obj.expiresMs = reader.uint64Number();
                            break;
                        }
                        case 5: {
                            if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                                throw new MaxLengthError('Decode error - repeated field "addrs" had too many elements');
                            }
                            obj.addrs.push(reader.bytes());
                            break;
                        }
                        case 6: {
                            if (opts.limits?.labels != null && obj.labels.length === opts.limits.labels) {
                                throw new MaxLengthError('Decode error - repeated field "labels" had too many elements');
                            }
                            obj.labels.push(AnnounceLabel.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.labels$
                            }));
                            break;
                        }
                        case 7: {
                            obj.offer = OfferSummary.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.offer
                            });
                            break;
                        }
                        case 8: {
                            obj.wgPublicKey = reader.bytes();
                            break;
                        }
                        case 9: {
                            obj.podCidr = reader.string();
                            break;
                        }
                        case 10: {
                            obj.version = reader.string();
                            break;
                        }
                        case 11: {
                            obj.wgKeyBinding = reader.bytes();
                            break;
                        }
                        case 12: {
                            obj.intervalMs = reader.uint32();
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
                    addrs: 0,
                    labels: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            yield {
                                field: `${prefix}.peerId`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.seq`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.issuedMs`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.expiresMs`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 5: {
                            if (opts.limits?.addrs != null && obj.addrs === opts.limits.addrs) {
                                throw new MaxLengthError('Streaming decode error - repeated field "addrs" had too many elements');
                            }
                            yield {
                                field: `${prefix}.addrs[]`,
                                index: obj.addrs,
                                value: reader.bytes()
                            };
                            obj.addrs++;
                            break;
                        }
                        case 6: {
                            if (opts.limits?.labels != null && obj.labels === opts.limits.labels) {
                                throw new MaxLengthError('Streaming decode error - repeated field "labels" had too many elements');
                            }
                            for (const evt of AnnounceLabel.codec().stream(reader, reader.uint32(), `${prefix}.labels[]`, {
                                limits: opts.limits?.labels$
                            })) {
                                yield {
                                    ...evt,
                                    index: obj.labels
                                };
                            }
                            obj.labels++;
                            break;
                        }
                        case 7: {
                            yield* OfferSummary.codec().stream(reader, reader.uint32(), `${prefix}.offer`, {
                                limits: opts.limits?.offer
                            });
                            break;
                        }
                        case 8: {
                            yield {
                                field: `${prefix}.wgPublicKey`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 9: {
                            yield {
                                field: `${prefix}.podCidr`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 10: {
                            yield {
                                field: `${prefix}.version`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 11: {
                            yield {
                                field: `${prefix}.wgKeyBinding`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 12: {
                            yield {
                                field: `${prefix}.intervalMs`,
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
        return encodeMessage(obj, Announcement.codec());
    }
    Announcement.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, Announcement.codec(), opts);
    }
    Announcement.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, Announcement.codec(), opts);
    }
    Announcement.stream = stream;
})(Announcement || (Announcement = {}));
export var SignedAnnouncement;
(function (SignedAnnouncement) {
    let _codec;
    SignedAnnouncement.codec = () => {
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
                if ((obj.certificate != null && obj.certificate.byteLength > 0)) {
                    w.uint32(26);
                    w.bytes(obj.certificate);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    body: uint8ArrayAlloc(0),
                    signature: uint8ArrayAlloc(0),
                    certificate: uint8ArrayAlloc(0)
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
                        case 3: {
                            obj.certificate = reader.bytes();
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
                        case 3: {
                            yield {
                                field: `${prefix}.certificate`,
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
        return encodeMessage(obj, SignedAnnouncement.codec());
    }
    SignedAnnouncement.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, SignedAnnouncement.codec(), opts);
    }
    SignedAnnouncement.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, SignedAnnouncement.codec(), opts);
    }
    SignedAnnouncement.stream = stream;
})(SignedAnnouncement || (SignedAnnouncement = {}));
