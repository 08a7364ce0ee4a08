import { decodeMessage, encodeMessage, MaxLengthError, message, streamMessage } from 'protons-runtime';
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc';
export var Label;
(function (Label) {
    let _codec;
    Label.codec = () => {
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
        return encodeMessage(obj, Label.codec());
    }
    Label.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, Label.codec(), opts);
    }
    Label.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, Label.codec(), opts);
    }
    Label.stream = stream;
})(Label || (Label = {}));
export var MembershipCertificate;
(function (MembershipCertificate) {
    let _codec;
    MembershipCertificate.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.peerId != null && obj.peerId !== '')) {
                    w.uint32(10);
                    w.string(obj.peerId);
                }
                if (obj.roles != null && obj.roles.length > 0) {
                    for (const value of obj.roles) {
                        w.uint32(18);
                        w.string(value);
                    }
                }
                if (obj.labels != null && obj.labels.length > 0) {
                    for (const value of obj.labels) {
                        w.uint32(26);
                        Label.codec().encode(value, w);
                    }
                }
                if ((obj.issuedMs != null && obj.issuedMs !== 0)) {
                    w.uint32(32);
                    w.uint64Number(obj.issuedMs);
                }
                if ((obj.expiresMs != null && obj.expiresMs !== 0)) {
                    w.uint32(40);
                    w.uint64Number(obj.expiresMs);
                }
                if ((obj.fleetKeyId != null && obj.fleetKeyId !== '')) {
                    w.uint32(50);
                    w.string(obj.fleetKeyId);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    peerId: '',
                    roles: [],
                    labels: [],
                    issuedMs: 0,
                    expiresMs: 0,
                    fleetKeyId: ''
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
                            if (opts.limits?.roles != null && obj.roles.length === opts.limits.roles) {
                                throw new MaxLengthError('Decode error - repeated field "roles" had too many elements');
                            }
                            obj.roles.push(reader.string());
                            break;
                        }
                        case 3: {
                            if (opts.limits?.labels != null && obj.labels.length === opts.limits.labels) {
                                throw new MaxLengthError('Decode error - repeated field "labels" had too many elements');
                            }
                            obj.labels.push(Label.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.labels$
                            }));
                            break;
                        }
                        case 4: {
                            obj.issuedMs = reader.uint64Number();
                            break;
                        }
                        case 5: {
                            obj.expiresMs = reader.uint64Number();
                            break;
                        }
                        case 6: {
                            obj.fleetKeyId = reader.string();
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
                    roles: 0,
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
                            if (opts.limits?.roles != null && obj.roles === opts.limits.roles) {
                                throw new MaxLengthError('Streaming decode error - repeated field "roles" had too many elements');
                            }
                            yield {
                                field: `${prefix}.roles[]`,
                                index: obj.roles,
                                value: reader.string()
                            };
                            obj.roles++;
                            break;
                        }
                        case 3: {
                            if (opts.limits?.labels != null && obj.labels === opts.limits.labels) {
                                throw new MaxLengthError('Streaming decode error - repeated field "labels" had too many elements');
                            }
                            for (const evt of Label.codec().stream(reader, reader.uint32(), `${prefix}.labels[]`, {
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
                        case 4: {
                            yield {
                                field: `${prefix}.issuedMs`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 5: {
                            yield {
                                field: `${prefix}.expiresMs`,
                                value: reader.uint64Number()
                            };
                            break;
                        }
                        case 6: {
                            yield {
                                field: `${prefix}.fleetKeyId`,
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
        return encodeMessage(obj, MembershipCertificate.codec());
    }
    MembershipCertificate.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, MembershipCertificate.codec(), opts);
    }
    MembershipCertificate.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, MembershipCertificate.codec(), opts);
    }
    MembershipCertificate.stream = stream;
})(MembershipCertificate || (MembershipCertificate = {}));
export var SignedCertificate;
(function (SignedCertificate) {
    let _codec;
    SignedCertificate.codec = () => {
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
        return encodeMessage(obj, SignedCertificate.codec());
    }
    SignedCertificate.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, SignedCertificate.codec(), opts);
    }
    SignedCertificate.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, SignedCertificate.codec(), opts);
    }
    SignedCertificate.stream = stream;
})(SignedCertificate || (SignedCertificate = {}));
export var Revocation;
(function (Revocation) {
    let _codec;
    Revocation.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.peerId != null && obj.peerId !== '')) {
                    w.uint32(10);
                    w.string(obj.peerId);
                }
                if ((obj.reason != null && obj.reason !== '')) {
                    w.uint32(18);
                    w.string(obj.reason);
                }
                if ((obj.issuedMs != null && obj.issuedMs !== 0)) {
                    w.uint32(24);
                    w.uint64Number(obj.issuedMs);
                }
                if ((obj.fleetKeyId != null && obj.fleetKeyId !== '')) {
                    w.uint32(34);
                    w.string(obj.fleetKeyId);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    peerId: '',
                    reason: '',
                    issuedMs: 0,
                    fleetKeyId: ''
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
                            obj.reason = reader.string();
                            break;
                        }
                        case 3: {
                            obj.issuedMs = reader.uint64Number();
                            break;
                        }
                        case 4: {
                            obj.fleetKeyId = reader.string();
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
                                field: `${prefix}.peerId`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.reason`,
                                value: reader.string()
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
                                field: `${prefix}.fleetKeyId`,
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
        return encodeMessage(obj, Revocation.codec());
    }
    Revocation.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, Revocation.codec(), opts);
    }
    Revocation.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, Revocation.codec(), opts);
    }
    Revocation.stream = stream;
})(Revocation || (Revocation = {}));
export var SignedRevocation;
(function (SignedRevocation) {
    let _codec;
    SignedRevocation.codec = () => {
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
        return encodeMessage(obj, SignedRevocation.codec());
    }
    SignedRevocation.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, SignedRevocation.codec(), opts);
    }
    SignedRevocation.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, SignedRevocation.codec(), opts);
    }
    SignedRevocation.stream = stream;
})(SignedRevocation || (SignedRevocation = {}));
export var MembershipHello;
(function (MembershipHello) {
    let _codec;
    MembershipHello.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if (obj.certificate != null) {
                    w.uint32(10);
                    SignedCertificate.codec().encode(obj.certificate, w);
                }
                if (obj.revocations != null && obj.revocations.length > 0) {
                    for (const value of obj.revocations) {
                        w.uint32(18);
                        SignedRevocation.codec().encode(value, w);
                    }
                }
                if (obj.announcements != null && obj.announcements.length > 0) {
                    for (const value of obj.announcements) {
                        w.uint32(26);
                        w.bytes(value);
                    }
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    revocations: [],
                    announcements: []
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.certificate = SignedCertificate.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.certificate
                            });
                            break;
                        }
                        case 2: {
                            if (opts.limits?.revocations != null && obj.revocations.length === opts.limits.revocations) {
                                throw new MaxLengthError('Decode error - repeated field "revocations" had too many elements');
                            }
                            obj.revocations.push(SignedRevocation.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.revocations$
                            }));
                            break;
                        }
                        case 3: {
                            if (opts.limits?.announcements != null && obj.announcements.length === opts.limits.announcements) {
                                throw new MaxLengthError('Decode error - repeated field "announcements" had too many elements');
                            }
                            obj.announcements.push(reader.bytes());
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
                    revocations: 0,
                    announcements: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            yield* SignedCertificate.codec().stream(reader, reader.uint32(), `${prefix}.certificate`, {
                                limits: opts.limits?.certificate
                            });
                            break;
                        }
                        case 2: {
                            if (opts.limits?.revocations != null && obj.revocations === opts.limits.revocations) {
                                throw new MaxLengthError('Streaming decode error - repeated field "revocations" had too many elements');
                            }
                            for (const evt of SignedRevocation.codec().stream(reader, reader.uint32(), `${prefix}.revocations[]`, {
                                limits: opts.limits?.revocations$
                            })) {
                                yield {
                                    ...evt,
                                    index: obj.revocations
                                };
                            }
                            obj.revocations++;
                            break;
                        }
                        case 3: {
                            if (opts.limits?.announcements != null && obj.announcements === opts.limits.announcements) {
                                throw new MaxLengthError('Streaming decode error - repeated field "announcements" had too many elements');
                            }
                            yield {
                                field: `${prefix}.announcements[]`,
                                index: obj.announcements,
                                value: reader.bytes()
                            };
                            obj.announcements++;
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
        return encodeMessage(obj, MembershipHello.codec());
    }
    MembershipHello.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, MembershipHello.codec(), opts);
    }
    MembershipHello.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, MembershipHello.codec(), opts);
    }
    MembershipHello.stream = stream;
})(MembershipHello || (MembershipHello = {}));
export var SyncEntry;
(function (SyncEntry) {
    let _codec;
    SyncEntry.codec = () => {
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
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    peerId: '',
                    seq: 0
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
        return encodeMessage(obj, SyncEntry.codec());
    }
    SyncEntry.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, SyncEntry.codec(), opts);
    }
    SyncEntry.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, SyncEntry.codec(), opts);
    }
    SyncEntry.stream = stream;
})(SyncEntry || (SyncEntry = {}));
export var MembershipSync;
(function (MembershipSync) {
    let _codec;
    MembershipSync.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.buckets != null && obj.buckets.byteLength > 0)) {
                    w.uint32(10);
                    w.bytes(obj.buckets);
                }
                if ((obj.mismatched != null && obj.mismatched !== 0)) {
                    w.uint32(16);
                    w.uint32(obj.mismatched);
                }
                if (obj.entries != null && obj.entries.length > 0) {
                    for (const value of obj.entries) {
                        w.uint32(26);
                        SyncEntry.codec().encode(value, w);
                    }
                }
                if (obj.announcements != null && obj.announcements.length > 0) {
                    for (const value of obj.announcements) {
                        w.uint32(34);
                        w.bytes(value);
                    }
                }
                if (obj.want != null && obj.want.length > 0) {
                    for (const value of obj.want) {
                        w.uint32(42);
                        w.string(value);
                    }
                }
                if (obj.revocations != null && obj.revocations.length > 0) {
                    for (const value of obj.revocations) {
                        w.uint32(50);
                        SignedRevocation.codec().encode(value, w);
                    }
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    buckets: uint8ArrayAlloc(0),
                    mismatched: 0,
                    entries: [],
                    announcements: [],
                    want: [],
                    revocations: []
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.buckets = reader.bytes();
                            break;
                        }
                        case 2: {
                            obj.mismatched = reader.uint32();
                            break;
                        }
                        case 3: {
                            if (opts.limits?.entries != null && obj.entries.length === opts.limits.entries) {
                                throw new MaxLengthError('Decode error - repeated field "entries" had too many elements');
                            }
                            obj.entries.push(SyncEntry.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.entries$
                            }));
                            break;
                        }
                        case 4: {
                            if (opts.limits?.announcements != null && obj.announcements.length === opts.limits.announcements) {
                                throw new MaxLengthError('Decode error - repeated field "announcements" had too many elements');
                            }
                            obj.announcements.push(reader.bytes());
                            break;
                        }
                        case 5: {
                            if (opts.limits?.want != null && obj.want.length === opts.limits.want) {
                                throw new MaxLengthError('Decode error - repeated field "want" had too many elements');
                            }
                            obj.want.push(reader.string());
                            break;
                        }
                        case 6: {
                            if (opts.limits?.revocations != null && obj.revocations.length === opts.limits.revocations) {
                                throw new MaxLengthError('Decode error - repeated field "revocations" had too many elements');
                            }
                            obj.revocations.push(SignedRevocation.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.revocations$
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
                    entries: 0,
                    announcements: 0,
                    want: 0,
                    revocations: 0
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            yield {
                                field: `${prefix}.buckets`,
                                value: reader.bytes()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.mismatched`,
                                value: reader.uint32()
                            };
                            break;
                        }
                        case 3: {
                            if (opts.limits?.entries != null && obj.entries === opts.limits.entries) {
                                throw new MaxLengthError('Streaming decode error - repeated field "entries" had too many elements');
                            }
                            for (const evt of SyncEntry.codec().stream(reader, reader.uint32(), `${prefix}.entries[]`, {
                                limits: opts.limits?.entries$
                            })) {
                                yield {
                                    ...evt,
                                    index: obj.entries
                                };
                            }
                            obj.entries++;
                            break;
                        }
                        case 4: {
                            if (opts.limits?.announcements != null && obj.announcements === opts.limits.announcements) {
                                throw new MaxLengthError('Streaming decode error - repeated field "announcements" had too many elements');
                            }
                            yield {
                                field: `${prefix}.announcements[]`,
                                index: obj.announcements,
                                value: reader.bytes()
                            };
                            obj.announcements++;
                            break;
                        }
                        case 5: {
                            if (opts.limits?.want != null && obj.want === opts.limits.want) {
                                throw new MaxLengthError('Streaming decode error - repeated field "want" had too many elements');
                            }
                            yield {
                                field: `${prefix}.want[]`,
                                index: obj.want,
                                value: reader.string()
                            };
                            obj.want++;
                            break;
                        }
                        case 6: {
                            if (opts.limits?.revocations != null && obj.revocations === opts.limits.revocations) {
                                throw new MaxLengthError('Streaming decode error - repeated field "revocations" had too many elements');
                            }
                            for (const evt of SignedRevocation.codec().stream(reader, reader.uint32(), `${prefix}.revocations[]`, {
                                limits: opts.limits?.revocations$
                            })) {
                                yield {
                                    ...evt,
                                    index: obj.revocations
                                };
                            }
                            obj.revocations++;
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
        return encodeMessage(obj, MembershipSync.codec());
    }
    MembershipSync.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, MembershipSync.codec(), opts);
    }
    MembershipSync.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, MembershipSync.codec(), opts);
    }
    MembershipSync.stream = stream;
})(MembershipSync || (MembershipSync = {}));
