/** The terminal: its width, whether to colour, and writing to it. @module */

/**
 * Writes `text` to standard output, whole. When the reader has gone (`| head
 * -1`), ends quietly with status 0, as Unix tools do, not with a BrokenPipe.
 */
export function write(text: string): void {
  const bytes = new TextEncoder().encode(text);
  try {
    for (let done = 0; done < bytes.length;) {
      done += Deno.stdout.writeSync(bytes.subarray(done));
    }
  } catch (error) {
    if (error instanceof Deno.errors.BrokenPipe) Deno.exit(0);
    throw error;
  }
}

/** The columns of standard output, or 80 when it is not a terminal (a pipe, a test's sink). */
export function terminalWidth(): number {
  let columns = 0;
  try {
    if (Deno.stdout.isTerminal()) columns = Deno.consoleSize().columns;
  } catch { /* no console to ask */ }
  return usableWidth(columns);
}

/**
 * `columns`, or 80 when that is no width: a pseudo terminal that was never
 * given a size (`script`, some CI runners) reports 0 columns.
 */
export function usableWidth(columns: number): number {
  return Number.isInteger(columns) && columns >= 1 ? columns : 80;
}

/** Whether output to standard output should be coloured. */
export function useColor(): boolean {
  return Deno.stdout.isTerminal() && !Deno.noColor;
}

const STYLES = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33 } as const;

/** `text` in `style` when `color` is true, else unchanged. */
export function paint(
  style: keyof typeof STYLES,
  text: string,
  color: boolean = useColor(),
): string {
  return color ? `\x1b[${STYLES[style]}m${text}\x1b[0m` : text;
}
