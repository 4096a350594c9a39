/**
 * A small TypeScript highlighter for the lessons' code: comments, strings,
 * numbers and keywords get a class each; everything is escaped. @module
 */
import { escape } from "./markdown.ts";

const KEYWORDS = `as async await break case catch class const continue default
  do else enum export extends finally for from function if implements import in
  instanceof interface keyof let new of private public readonly return satisfies
  static switch throw try type typeof using var void while yield`.split(/\s+/);
const LITERALS = ["true", "false", "null", "undefined", "this"];
/** The class of a word that has one. */
const WORDS = new Map([
  ...KEYWORDS.map((word) => [word, "keyword"] as const),
  ...LITERALS.map((word) => [word, "literal"] as const),
]);

/** What the highlighter finds, each a class but a word, which may be a keyword or a literal. */
const TOKENS = new RegExp(
  Object.entries({
    comment: /\/\/[^\n]*|\/\*[^]*?\*\//,
    string: /"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`/,
    number: /\b\d[\d_]*(?:\.\d+)?(?:e[+-]?\d+)?n?\b/,
    word: /[A-Za-z_$][\w$]*/,
  }).map(([kind, { source }]) => `(?<${kind}>${source})`).join("|"),
  "g",
);

/** `code` as HTML, with `tok-…` classes on comments, strings and keywords. */
export function highlight(code: string): string {
  let html = "";
  let last = 0;
  for (const match of code.matchAll(TOKENS)) {
    html += escape(code.slice(last, match.index));
    const [text] = match;
    const found = Object.keys(match.groups!).find((k) => match.groups![k]);
    const kind = found === "word" ? WORDS.get(text) : found;
    const shown = escape(text);
    html += kind ? `<span class="tok-${kind}">${shown}</span>` : shown;
    last = match.index + text.length;
  }
  return html + escape(code.slice(last));
}
