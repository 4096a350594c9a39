/**
 * Reads a lesson file the way Deno by Example does: after its header, steps
 * of prose (comment lines) and the code they explain. The page is made from
 * the file itself, so it cannot drift from what runs.
 *
 * @module
 */
import { paragraphs } from "../course/header.ts";

/**
 * The steps of a lesson's source, in file order, after its header: each the
 * paragraphs of prose (the comment lines before a piece of code), then that
 * code, without blank lines around it.
 */
export function readSteps(source: string) {
  const all = source.replace(/\r\n?/g, "\n").split("\n");
  const lines = all.slice(all.findIndex((line) => line.trim() === "*/") + 1);
  const steps: { prose: string[]; code: string }[] = [];
  let prose: string[] = [];
  let code: string[] = [];
  const flush = () => {
    while (code.length && code[code.length - 1]!.trim() === "") code.pop();
    while (code.length && code[0]!.trim() === "") code.shift();
    if (prose.length || code.length) {
      steps.push({ prose: paragraphs(prose), code: code.join("\n") });
    }
    [prose, code] = [[], []];
  };
  // Inside a template literal, a line that starts with `//` is text.
  let inTemplate = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const comment = inTemplate ? undefined : lineComment(line);
    const block = inTemplate ? null : /^\s*\/\*\*?(.*)$/.exec(line);
    if (comment !== undefined || block) {
      // A comment after code starts the next step.
      if (code.some((l) => l.trim() !== "")) flush();
      if (comment !== undefined) {
        prose.push(comment);
        continue;
      }
      // A block comment: one line (`/** text */`) or until `*/`.
      const oneLine = /^(.*?)\*\/\s*$/.exec(block![1]!);
      prose.push((oneLine ?? block!)[1]!.trim());
      if (oneLine) continue;
      while (++i < lines.length && !/\*\/\s*$/.test(lines[i]!)) {
        prose.push(uncomment(lines[i]!));
      }
      const last = uncomment((lines[i] ?? "").replace(/\s*\*\/\s*$/, ""));
      if (last.trim() !== "") prose.push(last);
      continue;
    }
    if (line.trim() === "" && prose.length && !code.length) {
      // A blank line after prose with no code yet ends a paragraph.
      prose.push("");
      continue;
    }
    code.push(line);
    if ((line.match(/(?<!\\)`/g)?.length ?? 0) % 2 === 1) {
      inTemplate = !inTemplate;
    }
  }
  flush();
  return steps;
}

/** A line of a block comment without its ` * ` (or `*`). */
function uncomment(line: string): string {
  return line.replace(/^\s*\*( |$)/, "");
}

/** A comment line of prose; a lint directive is code, not prose. */
function lineComment(line: string): string | undefined {
  const match = /^\s*\/\/ ?(.*)$/.exec(line);
  if (!match || /^\s*\/\/\s*deno-lint-ignore/.test(line)) return undefined;
  return match[1]!;
}
