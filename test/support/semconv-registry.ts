/**
 * The GenAI attribute registry as the `@opentelemetry/semantic-conventions` package we depend on
 * publishes it: every `gen_ai.*` name, its type (read from the documented example), and whether it
 * is deprecated for a replacement (not merely "moved" to the GenAI conventions' own repository).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export type RegisteredType = "string" | "int" | "double" | "boolean" | "string[]" | "any";

export interface RegisteredAttribute {
  name: string;
  type: RegisteredType;
  /** Why the name is not to be used any more, when it is deprecated for a replacement. */
  deprecated?: string;
}

function typeOfExample(example: string | undefined): RegisteredType {
  if (example === undefined) return "any";
  const text = example.trim();
  if (/^-?\d+$/.test(text)) return "int";
  if (/^-?\d+\.\d+$/.test(text)) return "double";
  if (text === "true" || text === "false") return "boolean";
  if (/^\[\s*"/.test(text)) return "string[]";
  if (/^[[{]/.test(text)) return "any";
  return "string";
}

let cached: Map<string, RegisteredAttribute> | undefined;

/** Every registered `gen_ai.*` attribute, by name. */
export function genAiRegistry(): Map<string, RegisteredAttribute> {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const main = require.resolve("@opentelemetry/semantic-conventions/incubating");
  const text = readFileSync(join(dirname(main), "experimental_attributes.d.mts"), "utf8");
  const registry = new Map<string, RegisteredAttribute>();
  // A JSDoc block followed by its declaration: /** ... */ declare const ATTR_X: "name";
  const block = /\/\*\*((?:[^*]|\*(?!\/))*)\*\/\s*declare const ATTR_[A-Z0-9_]+: "(gen_ai\.[a-z0-9_.]+)";/g;
  for (const m of text.matchAll(block)) {
    const doc = m[1] as string;
    const name = m[2] as string;
    const example = /@example ([^\n]*)/.exec(doc)?.[1]?.replace(/^\s*\*\s?/, "");
    const deprecated = /@deprecated ([^\n]*)/.exec(doc)?.[1];
    const replaced = deprecated && !/^Moved to/.test(deprecated) ? deprecated : undefined;
    registry.set(name, { name, type: typeOfExample(example), ...(replaced ? { deprecated: replaced } : {}) });
  }
  cached = registry;
  return registry;
}
