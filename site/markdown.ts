/**
 * HTML from the little Markdown of the lessons' prose and the Spanish guide:
 * headings, paragraphs, lists, fenced code, tables, inline code, emphasis
 * and links. Everything is escaped first, so no text can become markup; a
 * link keeps its address only when it is a web address or one that `link`
 * maps to a page of the site.
 *
 * @module
 */

/** Escapes text for HTML text and attribute values. */
export function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char]!);
}

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Maps a link's address as written to the site's, or refuses it. */
export type LinkMap = (href: string) => string | undefined;

/** Keeps web addresses and in-page anchors; drops every other address. */
export const webLinks: LinkMap = (href) =>
  /^https?:\/\//i.test(href) || href.startsWith("#") ? href : undefined;

/**
 * One line of Markdown as HTML: `code`, **strong**, *emphasis* or _emphasis_,
 * and [links](address), whose text may hold code. A link whose address `link`
 * refuses stays text. An HTML comment (`<!-- … -->`) outside code is dropped.
 */
export function inline(text: string, link: LinkMap = webLinks): string {
  // Code spans first: nothing inside them is Markdown. Each one, then each
  // link, waits as a placeholder (its number between private-use
  // characters, removed from the text beforehand) while the text around it
  // is read: bold around a link (`**see [this](x).**`) spans the line.
  const held: string[] = [];
  const hold = (html: string) => `\uE000${held.push(html) - 1}\uE001`;
  const parts = text.replace(/[\uE000-\uE003]/g, "")
    .split(/(`+)([^`]|[^`][^]*?[^`])\1(?!`)/);
  let rest = "";
  for (let i = 0; i < parts.length; i += 3) {
    rest += parts[i]!.replace(/<!--[^]*?-->/g, "");
    if (i + 2 < parts.length) {
      rest += hold(`<code>${escape(parts[i + 2]!.trim())}</code>`);
    }
  }
  const links = /!?\[([^\]]*)\]\(([^)\s]+)\)/g;
  rest = rest.replace(links, (whole, text: string, address: string) => {
    const label = styles(escape(text));
    // An address is never code: one that held a code span stays text.
    const href = whole.startsWith("!") || address.includes("\uE000")
      ? undefined
      : link(address);
    return hold(
      href === undefined
        ? label
        : `<a href="${escape(href)}"${
          /^https?:/i.test(href) ? ' rel="noopener noreferrer"' : ""
        }>${label}</a>`,
    );
  });
  // A link's label may hold code: what is put back is read again.
  const put = (html: string): string =>
    html.replace(/\uE000(\d+)\uE001/g, (_, n: string) => put(held[+n]!));
  return put(styles(escape(rest)));
}

/** Bold and italic on text already escaped. */
function styles(html: string): string {
  return html
    .replace(/\*\*(\S(?:[^*]*\S)?)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[\s(])\*(\S(?:[^*]*\S)?)\*(?=$|[\s).,;:!?])/g, "$1<em>$2</em>")
    .replace(/(^|[\s(])_(\S(?:[^_]*\S)?)_(?=$|[\s).,;:!?])/g, "$1<em>$2</em>");
}

/** A Markdown document as HTML; `shift` moves every heading down a level or more. */
export function markdown(text: string, link: LinkMap = webLinks, shift = 0) {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  const out: string[] = [];
  let i = 0;
  const isBlank = (line: string | undefined) =>
    line === undefined || line.trim() === "";
  const startsBlock = (line: string) =>
    /^(#{1,6}\s|```|\s*[-*+]\s|\s*\d+[.)]\s|\|)/.test(line);
  while (i < lines.length) {
    const line = lines[i]!;
    if (isBlank(line)) {
      i++;
      continue;
    }
    // An HTML comment of its own lines is a note for the source, not text.
    if (line.trimStart().startsWith("<!--")) {
      const end = lines.findIndex((l, at) => at >= i && l.includes("-->"));
      if (end >= 0 && /-->\s*$/.test(lines[end]!)) {
        i = end + 1;
        continue;
      }
    }
    const fence = /^```\s*([\w+-]*)/.exec(line);
    if (fence) {
      const code: string[] = [];
      while (++i < lines.length && !lines[i]!.startsWith("```")) {
        code.push(lines[i]!);
      }
      i++;
      const lang = fence[1] ? ` class="language-${escape(fence[1])}"` : "";
      out.push(`<pre><code${lang}>${escape(code.join("\n"))}</code></pre>`);
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const level = Math.min(6, heading[1]!.length + shift);
      const [id, html] = [escape(slug(heading[2]!)), inline(heading[2]!, link)];
      out.push(`<h${level} id="${id}">${html}</h${level}>`);
      i++;
      continue;
    }
    if (line.startsWith("|") && /^\|?\s*:?-+/.test(lines[i + 1] ?? "")) {
      const cells = (row: string) =>
        row.trim().replace(/^\||\|$/g, "").split(/(?<!\\)\|/).map((c) =>
          c.trim().replaceAll("\\|", "|")
        );
      const head = cells(line);
      i += 2;
      const rows: string[][] = [];
      while (i < lines.length && lines[i]!.startsWith("|")) {
        rows.push(cells(lines[i++]!));
      }
      const row = (tag: string) => (cells: string[]) =>
        `<tr>${
          cells.map((c) => `<${tag}>${inline(c, link)}</${tag}>`).join("")
        }</tr>`;
      out.push(
        `<table><thead>${row("th")(head)}</thead>` +
          `<tbody>${rows.map(row("td")).join("")}</tbody></table>`,
      );
      continue;
    }
    const item = /^(\s*)([-*+]|\d+[.)])\s+(.*)$/.exec(line);
    if (item) {
      const ordered = /\d/.test(item[2]!);
      const items: string[] = [];
      while (i < lines.length) {
        const next = /^(\s*)([-*+]|\d+[.)])\s+(.*)$/.exec(lines[i]!);
        if (next && /\d/.test(next[2]!) === ordered) {
          items.push(next[3]!);
          i++;
        } else if (
          !isBlank(lines[i]) && /^\s+\S/.test(lines[i]!) && items.length
        ) {
          items[items.length - 1] += " " + lines[i++]!.trim();
        } else break;
      }
      const tag = ordered ? "ol" : "ul";
      const html = items.map((t) => `<li>${inline(t, link)}</li>`).join("");
      out.push(`<${tag}>${html}</${tag}>`);
      continue;
    }
    const paragraph: string[] = [];
    while (i < lines.length && !isBlank(lines[i]) && !startsBlock(lines[i]!)) {
      paragraph.push(lines[i++]!.trim());
    }
    if (paragraph.length === 0) paragraph.push(lines[i++]!.trim());
    out.push(`<p>${inline(paragraph.join(" "), link)}</p>`);
  }
  return out.join("\n");
}

/**
 * An id for a heading as GitHub makes it, so that the guide's links such as
 * `glosario.md#semáforo` work here too: lower case, accents kept.
 */
export function slug(text: string): string {
  return text.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}
