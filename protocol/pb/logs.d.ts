import type { Codec, DecodeOptions } from 'protons-runtime';
import type { Uint8ArrayList } from 'uint8arraylist';
export interface LogsRequest {
    workloadId: string;
    container: string;
    follow: boolean;
    tailLines: number;
    generation: number;
}
export declare namespace LogsRequest {
    const codec: () => Codec<LogsRequest>;
    interface LogsRequestWorkloadIdFieldEvent {
        field: '$.workloadId';
        value: string;
    }
    interface LogsRequestContainerFieldEvent {
        field: '$.container';
        value: string;
    }
    interface LogsRequestFollowFieldEvent {
        field: '$.follow';
        value: boolean;
    }
    interface LogsRequestTailLinesFieldEvent {
        field: '$.tailLines';
        value: number;
    }
    interface LogsRequestGenerationFieldEvent {
        field: '$.generation';
        value: number;
    }
    function encode(obj: Partial<LogsRequest>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LogsRequest>): LogsRequest;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LogsRequest>): Generator<LogsRequestWorkloadIdFieldEvent | LogsRequestContainerFieldEvent | LogsRequestFollowFieldEvent | LogsRequestTailLinesFieldEvent | LogsRequestGenerationFieldEvent>;
}
export declare enum LogsOutcome {
    LOGS_OUTCOME_UNSPECIFIED = "LOGS_OUTCOME_UNSPECIFIED",
    LOGS_OK = "LOGS_OK",
    LOGS_NOT_FOUND = "LOGS_NOT_FOUND",
    LOGS_NOT_RUNNING = "LOGS_NOT_RUNNING",
    LOGS_NOT_MEMBER = "LOGS_NOT_MEMBER",
    LOGS_BAD_REQUEST = "LOGS_BAD_REQUEST",
    LOGS_UNAVAILABLE = "LOGS_UNAVAILABLE",
    LOGS_INTERNAL = "LOGS_INTERNAL"
}
export declare namespace LogsOutcome {
    const codec: () => Codec<LogsOutcome>;
}
export interface LogsEnd {
    outcome: LogsOutcome;
    detail: string;
}
export declare namespace LogsEnd {
    const codec: () => Codec<LogsEnd>;
    interface LogsEndOutcomeFieldEvent {
        field: '$.outcome';
        value: LogsOutcome;
    }
    interface LogsEndDetailFieldEvent {
        field: '$.detail';
        value: string;
    }
    function encode(obj: Partial<LogsEnd>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LogsEnd>): LogsEnd;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LogsEnd>): Generator<LogsEndOutcomeFieldEvent | LogsEndDetailFieldEvent>;
}
export interface LogsFrame {
    pod: string;
    container: string;
    line: string;
    end?: LogsEnd;
}
export declare namespace LogsFrame {
    const codec: () => Codec<LogsFrame>;
    interface LogsFramePodFieldEvent {
        field: '$.pod';
        value: string;
    }
    interface LogsFrameContainerFieldEvent {
        field: '$.container';
        value: string;
    }
    interface LogsFrameLineFieldEvent {
        field: '$.line';
        value: string;
    }
    interface LogsFrameEndOutcomeFieldEvent {
        field: '$.end.outcome';
        value: LogsOutcome;
    }
    interface LogsFrameEndDetailFieldEvent {
        field: '$.end.detail';
        value: string;
    }
    function encode(obj: Partial<LogsFrame>): Uint8Array<ArrayBuffer>;
    function decode(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LogsFrame>): LogsFrame;
    function stream(buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<LogsFrame>): Generator<LogsFramePodFieldEvent | LogsFrameContainerFieldEvent | LogsFrameLineFieldEvent | LogsFrameEndOutcomeFieldEvent | LogsFrameEndDetailFieldEvent>;
}
