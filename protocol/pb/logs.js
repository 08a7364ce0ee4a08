import { decodeMessage, encodeMessage, enumeration, message, streamMessage } from 'protons-runtime';
export var LogsRequest;
(function (LogsRequest) {
    let _codec;
    LogsRequest.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.workloadId != null && obj.workloadId !== '')) {
                    w.uint32(10);
                    w.string(obj.workloadId);
                }
                if ((obj.container != null && obj.container !== '')) {
                    w.uint32(18);
                    w.string(obj.container);
                }
                if ((obj.follow != null && obj.follow !== false)) {
                    w.uint32(24);
                    w.bool(obj.follow);
                }
                if ((obj.tailLines != null && obj.tailLines !== 0)) {
                    w.uint32(32);
                    w.uint32(obj.tailLines);
                }
                if ((obj.generation != null && obj.generation !== 0)) {
                    w.uint32(40);
                    w.uint64Number(obj.generation);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    workloadId: '',
                    container: '',
                    follow: false,
                    tailLines: 0,
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
                            obj.container = reader.string();
                            break;
                        }
                        case 3: {
                            obj.follow = reader.bool();
                            break;
                        }
                        case 4: {
                            obj.tailLines = reader.uint32();
                            break;
                        }
                        case 5: {
                            obj.generation = reader.uint64Number();
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
                                field: `${prefix}.container`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.follow`,
                                value: reader.bool()
                            };
                            break;
                        }
                        case 4: {
                            yield {
                                field: `${prefix}.tailLines`,
                                value: reader.uint32()
                            };
                            break;
                        }
                        case 5: {
                            yield {
                                field: `${prefix}.generation`,
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
        return encodeMessage(obj, LogsRequest.codec());
    }
    LogsRequest.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, LogsRequest.codec(), opts);
    }
    LogsRequest.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, LogsRequest.codec(), opts);
    }
    LogsRequest.stream = stream;
})(LogsRequest || (LogsRequest = {}));
export var LogsOutcome;
(function (LogsOutcome) {
    LogsOutcome["LOGS_OUTCOME_UNSPECIFIED"] = "LOGS_OUTCOME_UNSPECIFIED";
    LogsOutcome["LOGS_OK"] = "LOGS_OK";
    LogsOutcome["LOGS_NOT_FOUND"] = "LOGS_NOT_FOUND";
    LogsOutcome["LOGS_NOT_RUNNING"] = "LOGS_NOT_RUNNING";
    LogsOutcome["LOGS_NOT_MEMBER"] = "LOGS_NOT_MEMBER";
    LogsOutcome["LOGS_BAD_REQUEST"] = "LOGS_BAD_REQUEST";
    LogsOutcome["LOGS_UNAVAILABLE"] = "LOGS_UNAVAILABLE";
    LogsOutcome["LOGS_INTERNAL"] = "LOGS_INTERNAL";
})(LogsOutcome || (LogsOutcome = {}));
var __LogsOutcomeValues;
(function (__LogsOutcomeValues) {
    __LogsOutcomeValues[__LogsOutcomeValues["LOGS_OUTCOME_UNSPECIFIED"] = 0] = "LOGS_OUTCOME_UNSPECIFIED";
    __LogsOutcomeValues[__LogsOutcomeValues["LOGS_OK"] = 1] = "LOGS_OK";
    __LogsOutcomeValues[__LogsOutcomeValues["LOGS_NOT_FOUND"] = 2] = "LOGS_NOT_FOUND";
    __LogsOutcomeValues[__LogsOutcomeValues["LOGS_NOT_RUNNING"] = 3] = "LOGS_NOT_RUNNING";
    __LogsOutcomeValues[__LogsOutcomeValues["LOGS_NOT_MEMBER"] = 4] = "LOGS_NOT_MEMBER";
    __LogsOutcomeValues[__LogsOutcomeValues["LOGS_BAD_REQUEST"] = 5] = "LOGS_BAD_REQUEST";
    __LogsOutcomeValues[__LogsOutcomeValues["LOGS_UNAVAILABLE"] = 6] = "LOGS_UNAVAILABLE";
    __LogsOutcomeValues[__LogsOutcomeValues["LOGS_INTERNAL"] = 7] = "LOGS_INTERNAL";
})(__LogsOutcomeValues || (__LogsOutcomeValues = {}));
(function (LogsOutcome) {
    LogsOutcome.codec = () => {
        return enumeration(__LogsOutcomeValues);
    };
})(LogsOutcome || (LogsOutcome = {}));
export var LogsEnd;
(function (LogsEnd) {
    let _codec;
    LogsEnd.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if (obj.outcome != null && __LogsOutcomeValues[obj.outcome] !== 0) {
                    w.uint32(8);
                    LogsOutcome.codec().encode(obj.outcome, w);
                }
                if ((obj.detail != null && obj.detail !== '')) {
                    w.uint32(18);
                    w.string(obj.detail);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    outcome: LogsOutcome.LOGS_OUTCOME_UNSPECIFIED,
                    detail: ''
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.outcome = LogsOutcome.codec().decode(reader);
                            break;
                        }
                        case 2: {
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
                                field: `${prefix}.outcome`,
                                value: LogsOutcome.codec().decode(reader)
                            };
                            break;
                        }
                        case 2: {
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
        return encodeMessage(obj, LogsEnd.codec());
    }
    LogsEnd.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, LogsEnd.codec(), opts);
    }
    LogsEnd.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, LogsEnd.codec(), opts);
    }
    LogsEnd.stream = stream;
})(LogsEnd || (LogsEnd = {}));
export var LogsFrame;
(function (LogsFrame) {
    let _codec;
    LogsFrame.codec = () => {
        if (_codec == null) {
            _codec = message((obj, w, opts = {}) => {
                if (opts.lengthDelimited !== false) {
                    w.fork();
                }
                if ((obj.pod != null && obj.pod !== '')) {
                    w.uint32(10);
                    w.string(obj.pod);
                }
                if ((obj.container != null && obj.container !== '')) {
                    w.uint32(18);
                    w.string(obj.container);
                }
                if ((obj.line != null && obj.line !== '')) {
                    w.uint32(26);
                    w.string(obj.line);
                }
                if (obj.end != null) {
                    w.uint32(34);
                    LogsEnd.codec().encode(obj.end, w);
                }
                if (opts.lengthDelimited !== false) {
                    w.ldelim();
                }
            }, (reader, length, opts = {}) => {
                const obj = {
                    pod: '',
                    container: '',
                    line: ''
                };
                const end = length == null ? reader.len : reader.pos + length;
                while (reader.pos < end) {
                    const tag = reader.uint32();
                    switch (tag >>> 3) {
                        case 1: {
                            obj.pod = reader.string();
                            break;
                        }
                        case 2: {
                            obj.container = reader.string();
                            break;
                        }
                        case 3: {
                            obj.line = reader.string();
                            break;
                        }
                        case 4: {
                            obj.end = LogsEnd.codec().decode(reader, reader.uint32(), {
                                limits: opts.limits?.end
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
                                field: `${prefix}.pod`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 2: {
                            yield {
                                field: `${prefix}.container`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 3: {
                            yield {
                                field: `${prefix}.line`,
                                value: reader.string()
                            };
                            break;
                        }
                        case 4: {
                            yield* LogsEnd.codec().stream(reader, reader.uint32(), `${prefix}.end`, {
                                limits: opts.limits?.end
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
        return encodeMessage(obj, LogsFrame.codec());
    }
    LogsFrame.encode = encode;
    function decode(buf, opts) {
        return decodeMessage(buf, LogsFrame.codec(), opts);
    }
    LogsFrame.decode = decode;
    function stream(buf, opts) {
        return streamMessage(buf, LogsFrame.codec(), opts);
    }
    LogsFrame.stream = stream;
})(LogsFrame || (LogsFrame = {}));
