/**
 * # 10a · Report each download as it finishes
 *
 * EN: Start the downloads of `tools.files` at once and report each one, success
 * or failure, the moment it ends. Lesson 10 (lessons/10_downloads.ts);
 * `asCompleted` (lib/as_completed.ts) is asyncio.as_completed.
 *
 * ES: Lanza las descargas de `tools.files` a la vez e informa de cada una, bien
 * o mal, en cuanto acabe. Lección 10 (lessons/10_downloads.ts); `asCompleted`
 * (lib/as_completed.ts) es el asyncio.as_completed de Python.
 *
 * Check it · Compruébalo: `deno task exercise 10a` (`--hint` for a hint)
 *
 * @module
 */

/** What the checker hands you. */
export interface Tools {
  /** The files: [0, 1, 2, 3, 4] (the check also tries [1, 2, 3, 4, 5, 6]). */
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
