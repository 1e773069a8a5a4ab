/**
 * The branch or tag a CI build is of, as the VCS convention has it: `vcs.ref.head.name` is the
 * short name of either (`main`, `v1.2`, never `refs/tags/v1.2`) and `vcs.ref.head.type` says which.
 * Every CI then reports a tag build the same way.
 */

export type RefType = "branch" | "tag";

export interface HeadRef {
  refHeadName?: string;
  refHeadType?: RefType;
}

/**
 * A full ref as the head it names: `refs/heads/x` is branch x, `refs/tags/v1` tag v1. Any other ref
 * (`refs/pull/7/merge`, a pull request's merge commit) is on no branch or tag: nothing.
 */
export function headOfRef(ref: string | undefined): HeadRef {
  const match = /^refs\/(heads|tags)\/(.+)$/.exec(ref ?? "");
  if (!match?.[2]) return {};
  return { refHeadName: match[2], refHeadType: match[1] === "tags" ? "tag" : "branch" };
}

/**
 * The first of these names a CI set, with its type (undefined where the variable may be either).
 * CIs set a tag build's tag variable alongside a branch variable holding the same name, so the tag
 * comes first where it matters.
 */
export function firstHead(...candidates: [string | undefined, RefType | undefined][]): HeadRef {
  for (const [name, type] of candidates) if (name?.trim()) return { refHeadName: name, refHeadType: type };
  return {};
}
