/**
 * Redaction stays linear in its input: every built-in pattern reads a bounded stretch of text per
 * match attempt (no unbounded quantifier, no back-reference), checked over the pattern sources.
 * The times themselves are measured in bench/redaction.ts.
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { createRedactor } from "../../src/trace/redact.ts";
import { RULES } from "../../src/trace/redact-rules.ts";
import { regexExtent } from "../../src/trace/regex-extent.ts";

/** The most any built-in pattern may read from where an attempt starts. */
const MAX_EXTENT = 16_384;

describe("regexExtent", () => {
  test("counts bounded repetitions, look-aheads and alternatives; unbounded is Infinity", () => {
    const cases: [string, number][] = [
      ["abc", 3],
      ["a{2,5}b?", 6],
      ["(?:ab){0,3}c", 7],
      ["x|abcd", 4],
      ["(?=abcd)a", 4],
      ["(?<=xyz)a", 1],
      ["[a-z\\]]{3}\\d\\b", 4],
      ["(?:(?!-----)[\\s\\S]){0,10}", 14],
      ["\\x41\\u0042\\n", 3],
      ["a+", Number.POSITIVE_INFINITY],
      ["a*b", Number.POSITIVE_INFINITY],
      ["a{3,}", Number.POSITIVE_INFINITY],
      ["(a)\\1", Number.POSITIVE_INFINITY],
      ["(?:a{1,5}){2,}", Number.POSITIVE_INFINITY],
    ];
    for (const [source, extent] of cases) assert.equal(regexExtent(source), extent, source);
  });
});

describe("every built-in redaction pattern is bounded", () => {
  for (const [i, rule] of RULES.entries()) {
    test(`${i} ${rule.kind}: /${rule.pattern.source.slice(0, 50)}…/`, () => {
      const extent = regexExtent(rule.pattern.source);
      assert.ok(Number.isFinite(extent) && extent <= MAX_EXTENT, `pattern reads up to ${extent}`);
      assert.ok(rule.pattern.global, "the pattern scans once, from left to right");
      if (rule.value) {
        const value = regexExtent(rule.value.source);
        assert.ok(Number.isFinite(value) && value <= MAX_EXTENT, `value reads up to ${value}`);
        assert.ok(rule.value.sticky, "the value is read right after the pattern, never searched for");
      }
      // A tail is one character class repeated: it only moves forward, it never backtracks.
      if (rule.tail) {
        assert.match(rule.tail.source, /^\[[^\]]+\]\*$/);
        assert.ok(rule.tail.sticky);
      }
      if (rule.context) assert.ok(Number.isFinite(regexExtent(rule.context.source)));
    });
  }

  test("the verbatim values are one alternation of literals, as long as the longest value form", () => {
    const long = "v".repeat(300);
    const r = createRedactor({ DEPLOY_TOKEN: "deploy-token-value" }, [long, 'q"uote\\d-value']);
    assert.ok(r.margin >= long.length);
    assert.ok(r.margin <= MAX_EXTENT + 300);
    assert.equal(r(`x ${long} y`), "x [REDACTED:credential] y");
  });

  test("the cut margin covers the longest built-in match", () => {
    const r = createRedactor({});
    const longest = Math.max(
      ...RULES.map((rule) => regexExtent(rule.pattern.source) + (rule.value ? regexExtent(rule.value.source) : 0)),
    );
    assert.equal(r.margin, longest);
  });

  test("redactAndCut reads nothing past the cut and its margin", () => {
    const r = createRedactor({});
    const text = `${"a ".repeat(2000)}ghp_1234567890abcdefghijABCDEFGHIJ123456`;
    const max = 1000;
    const reach = max + r.margin;
    const beyond = (tail: string) => r.head(text + " ".repeat(reach) + tail, max).head;
    // Whatever lies past the margin (a secret, a half secret, 1 MB of sk-) changes nothing shown.
    assert.equal(beyond("password=hunter2hunter2"), beyond("sk-".repeat(350_000)));
    assert.equal(beyond(""), r(text).slice(0, max));
  });
});
