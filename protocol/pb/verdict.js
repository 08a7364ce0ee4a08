import { decodeMessage, encodeMessage, message, streamMessage } from 'protons-runtime';
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc';
export var Verdict;
(function (Verdict) {
    let _codec;
    Verdict.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.watcher != null && obj.watcher !== '')) {
                    w.uint32(10);
                    w.string(obj.watcher);
                }
                if ((obj.subject != null && obj.subject !== '')) {
                    w.uint32(18);
                    w.string(obj.subject);
                }
                if ((obj.subjectSeq != null && obj.subjectSeq !== 0)) {
                    w.uint32(24);
                    w.uint64Number(obj.subjectSeq);
                }
                if ((obj.issuedMs != null && obj.issuedMs !== 0)) {
                    w.uint32(32);
                    w.uint64Number(obj.issuedMs);
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
                    watcher: '',
                    subject: '',
                    subjectSeq: 0,
                    issuedMs: 0,
                    signature: uint8ArrayAlloc(0)
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.watcher = reader.string();
                            break;
                        }
                        case 2: {
                            obj.subject = reader.string();
                            break;
                        }
                        case 3: {
                            obj.subjectSeq = reader.uint64Number();
                            break;
                        }
                        case 4: {
                            obj.issuedMs = reader.uint64Number();
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
                                field: `${prefix}.watcher`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.subject`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.subjectSeq`,
                                value: reader.uint64Number()
                            };
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
        return encodeMessage(obj, Verdict.codec());
    }
    Verdict.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, Verdict.codec(), opts);
    }
    Verdict.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, Verdict.codec(), opts);
    }
    Verdict.stream = stream;
})(Verdict || (Verdict = {}));
