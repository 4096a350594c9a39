/**
 * # 10a · Report each download as it finishes
 *
 * EN: Start downloads 0 to 4 at once and report each one the moment it ends:
 * `report(file, size)` when it succeeds, `reportFailure(file, error)` when it
 * fails (one of them will), in the order they finish; return once all are
 * reported. Lesson 10 (lessons/10_downloads.ts); `asCompleted` (lib/) is
 * Python's `asyncio.as_completed`.
 *
 * ES: Lanza a la vez las descargas 0 a 4 e informa de cada una en cuanto
 * acabe: `report(file, size)` si va bien, `reportFailure(file, error)` si
 * falla (una fallará), en el orden en que terminan; vuelve cuando todas
 * estén informadas. Lección 10 (lessons/10_downloads.ts); `asCompleted`
 * (lib/) es el `asyncio.as_completed` de Python.
 *
 * Check it · Compruébalo: `deno task exercise 10a` (`--hint` for a hint)
 *
 * @module
 */

/** What the checker hands you. */
export interface Tools {
  /** The files: [0, 1, 2, 3, 4]. */
  files: number[];
  /** Downloads a file; resolves with its size, or rejects. */
  download(file: number): Promise<number>;
  /** Says a download is done. */
  report(file: number, size: number): void;
  /** Says a download failed. */
  reportFailure(file: number, error: unknown): void;
}

/** Downloads every file, reporting each one as soon as it ends. */
export async function main(tools: Tools): Promise<void> {
  const sizes = await Promise.all(
    tools.files.map((file) => tools.download(file)),
  );
  sizes.forEach((size, i) => tools.report(tools.files[i]!, size));
}
