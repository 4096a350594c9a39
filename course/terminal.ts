/**
 * The terminal: its width and whether to colour.
 *
 * - {@linkcode terminalWidth}: the columns of standard output, or 80 when it
 *   is not a terminal (a pipe, a test's sink) or reports no size (a pseudo
 *   terminal that was never given one says 0).
 * - {@linkcode useColor}: whether standard output is a terminal and NO_COLOR
 *   is not set.
 * - {@linkcode paint}: text in one of a few ANSI styles, or as it is.
 *
 * @module
 */

/** The columns of the terminal, or 80 when there is none. */
export function terminalWidth(): number {
  let columns = 0;
  try {
    if (Deno.stdout.isTerminal()) columns = Deno.consoleSize().columns;
  } catch {
    // No console to ask.
  }
  return Number.isInteger(columns) && columns >= 1 ? columns : 80;
}

/** Whether output to standard output should be coloured. */
export function useColor(): boolean {
  return Deno.stdout.isTerminal() && !Deno.noColor;
}

const STYLES = {
  bold: 1,
  dim: 2,
  red: 31,
  green: 32,
  yellow: 33,
} as const;

/** `text` in `style` when `color` is true, else unchanged. */
export function paint(
  style: keyof typeof STYLES,
  text: string,
  color: boolean = useColor(),
): string {
  return color ? `\x1b[${STYLES[style]}m${text}\x1b[0m` : text;
}
