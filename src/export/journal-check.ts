/**
 * Type guards for what is read back from the journal. Its files may be damaged, edited or
 * written by another version: a record or span that is valid JSON but not of the expected shape
 * is refused here, at the edge, so that nothing further on (list, show, push, re-send) can fail
 * on it. Span lines are rebuilt from their valid parts; anything else is dropped.
 */
import type { Delivery, RunRecord } from "./journal.ts";
import type { OtlpAnyValue, OtlpKeyValue, OtlpRequest, OtlpSpan } from "./journal-store.ts";

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const isFiniteNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
const isCount = (v: unknown): v is number => isFiniteNumber(v) && v >= 0;
/** A time Date can show (epoch ms within ±8.64e15). */
const isTime = (v: unknown): v is number => isFiniteNumber(v) && Math.abs(v) <= 8.64e15;
const optional = (v: unknown, check: (v: unknown) => boolean) => v === undefined || check(v);
const isString = (v: unknown): v is string => typeof v === "string";
const isHex = (length: number) => (v: unknown) =>
  typeof v === "string" && v.length === length && /^[0-9a-f]+$/i.test(v);

function isDelivery(v: unknown): v is Delivery {
  return (
    isObject(v) &&
    isString(v.endpoint) &&
    typeof v.delivered === "boolean" &&
    isCount(v.spans) &&
    isString(v.at) &&
    optional(v.error, isString)
  );
}

/** What is wrong with a run record, or undefined when it is a valid one. */
export function recordProblem(v: unknown): string | undefined {
  if (!isObject(v)) return "not a run record";
  if (!isHex(32)(v.traceId)) return "no valid traceId";
  for (const key of ["startTime", "endTime"]) if (!isTime(v[key])) return `${key} is not a time`;
  for (const key of ["durationMs", "toolCalls", "inputTokens", "outputTokens", "spans"])
    if (!isCount(v[key])) return `${key} is not a count`;
  if (v.status !== "ok" && v.status !== "error") return "status is neither ok nor error";
  for (const key of ["errorType", "prompt", "model", "sessionId"])
    if (!optional(v[key], isString)) return `${key} is not text`;
  for (const key of ["numTurns", "costUsd", "exitCode"])
    if (!optional(v[key], isFiniteNumber)) return `${key} is not a number`;
  if (!optional(v.transcriptBytes, isCount)) return "transcriptBytes is not a count";
  if (!isObject(v.deliveries) || !Object.values(v.deliveries).every(isDelivery)) return "deliveries are damaged";
  return undefined;
}

export const isRunRecord = (v: unknown): v is RunRecord => recordProblem(v) === undefined;

/** Nanoseconds since the epoch as stored: digits, or a non-negative safe number. */
const isNanos = (v: unknown): v is string | number =>
  (typeof v === "string" && /^\d{1,20}$/.test(v) && BigInt(v) < 2n ** 64n) ||
  (Number.isSafeInteger(v) && (v as number) >= 0);

const MAX_DEPTH = 8;

function anyValue(v: unknown, depth = 0): OtlpAnyValue | undefined {
  if (!isObject(v) || depth > MAX_DEPTH) return undefined;
  if (isString(v.stringValue)) return { stringValue: v.stringValue };
  if (isString(v.intValue) && /^-?\d{1,20}$/.test(v.intValue)) return { intValue: v.intValue };
  if (isFiniteNumber(v.intValue)) return { intValue: v.intValue };
  if (isFiniteNumber(v.doubleValue)) return { doubleValue: v.doubleValue };
  if (typeof v.boolValue === "boolean") return { boolValue: v.boolValue };
  if (isObject(v.arrayValue)) {
    const list = Array.isArray(v.arrayValue.values) ? v.arrayValue.values : [];
    const values = list.map((item) => anyValue(item, depth + 1));
    // An array attribute holds one type; a mixed or damaged one is dropped whole.
    if (values.some((x) => x === undefined || x.arrayValue !== undefined)) return undefined;
    return { arrayValue: { values: values as OtlpAnyValue[] } };
  }
  return undefined;
}

function keyValues(list: unknown): OtlpKeyValue[] {
  if (!Array.isArray(list)) return [];
  const out: OtlpKeyValue[] = [];
  for (const kv of list) {
    if (!isObject(kv) || !isString(kv.key)) continue;
    const value = anyValue(kv.value);
    if (value) out.push({ key: kv.key, value });
  }
  return out;
}

/** A stored span rebuilt from its valid parts, or undefined when its ids, name or times are missing. */
export function checkSpan(v: unknown): OtlpSpan | undefined {
  if (!isObject(v) || !isHex(32)(v.traceId) || !isHex(16)(v.spanId) || !isString(v.name)) return undefined;
  if (!isNanos(v.startTimeUnixNano) || !isNanos(v.endTimeUnixNano)) return undefined;
  if (BigInt(v.endTimeUnixNano) < BigInt(v.startTimeUnixNano)) return undefined;
  const status = isObject(v.status) ? v.status : {};
  const events = Array.isArray(v.events) ? v.events : [];
  return {
    traceId: v.traceId as string,
    spanId: v.spanId as string,
    ...(isHex(16)(v.parentSpanId) ? { parentSpanId: v.parentSpanId as string } : {}),
    name: v.name,
    kind: Number.isInteger(v.kind) && (v.kind as number) >= 0 && (v.kind as number) <= 5 ? (v.kind as number) : 1,
    startTimeUnixNano: v.startTimeUnixNano,
    endTimeUnixNano: v.endTimeUnixNano,
    attributes: keyValues(v.attributes),
    events: events.flatMap((e) =>
      isObject(e) && isString(e.name) && isNanos(e.timeUnixNano)
        ? [{ name: e.name, timeUnixNano: e.timeUnixNano, attributes: keyValues(e.attributes) }]
        : [],
    ),
    status: {
      code: status.code === 0 || status.code === 1 || status.code === 2 ? status.code : 0,
      ...(isString(status.message) ? { message: status.message } : {}),
    },
    ...(Number.isInteger(v.flags) ? { flags: v.flags as number } : {}),
  };
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** An export request rebuilt from its valid spans; `dropped` counts the spans left out. */
export function checkRequest(v: unknown): { request: OtlpRequest; dropped: number } {
  let dropped = 0;
  const resourceSpans = list(isObject(v) ? v.resourceSpans : undefined).flatMap((rs) => {
    if (!isObject(rs)) return [];
    const scopeSpans = list(rs.scopeSpans).flatMap((ss) => {
      if (!isObject(ss)) return [];
      const spans = list(ss.spans).flatMap((s) => {
        const span = checkSpan(s);
        if (!span) dropped++;
        return span ? [span] : [];
      });
      const scope = isObject(ss.scope) ? ss.scope : {};
      return [
        {
          scope: {
            ...(isString(scope.name) ? { name: scope.name } : {}),
            ...(isString(scope.version) ? { version: scope.version } : {}),
          },
          spans,
        },
      ];
    });
    const resource = isObject(rs.resource) ? rs.resource : {};
    return [{ resource: { attributes: keyValues(resource.attributes) }, scopeSpans }];
  });
  return { request: { resourceSpans }, dropped };
}
