/**
 * Whether a name from `.git` (HEAD's `ref:` line, a symbolic link's text) is a ref git could have
 * made: the rules of `git check-ref-format`, which keep branch names with `@`, `+` or non-ASCII
 * letters (`renovate/@types-node`, `feat/ü`). A name that passes is a path inside `.git` that never
 * climbs out of it (no `..`, no empty or dot-led part, no leading `/`), so it can be read as a file.
 */

/** Characters no ref name has: space, `~ ^ : ? * [ \`, and (checked apart) ASCII control ones. */
const FORBIDDEN = /[ ~^:?*[\\]|\.\.|@\{|\/\//;

const hasControl = (text: string) => [...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/** A full ref name (`refs/heads/main`) as `git check-ref-format` (and `--branch` for a branch) takes it. */
export function isValidRefName(ref: string): boolean {
  if (!ref.startsWith("refs/") || ref.endsWith("/") || ref.endsWith(".")) return false;
  if (FORBIDDEN.test(ref) || hasControl(ref)) return false;
  // A branch named like an option: `git branch` refuses it (`check-ref-format --branch`).
  if (/^refs\/heads\/-/.test(ref)) return false;
  return ref.split("/").every((part) => part !== "" && !part.startsWith(".") && !part.endsWith(".lock"));
}
