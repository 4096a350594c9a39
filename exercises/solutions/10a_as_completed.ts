/**
 * # 10a · Report each download as it finishes — a solution
 *
 * EN: `asCompleted` yields each promise's settled result as soon as it
 * settles, with its index in the input: no waiting for the slowest, and a
 * failure is one more result, not the end of the loop.
 *
 * ES: `asCompleted` entrega el resultado de cada promesa en cuanto se
 * resuelve, con su índice en la entrada: sin esperar a la más lenta, y un
 * fallo es un resultado más, no el fin del bucle.
 *
 * @module
 */
import { asCompleted } from "@asincronia/asincronia";

/** What the checker hands you. */
export interface Tools {
  files: number[];
  download(file: number): Promise<number>;
  report(file: number, size: number): void;
  reportFailure(file: number, error: unknown): void;
}

/** Downloads every file, reporting each one as soon as it ends. */
export async function main(tools: Tools): Promise<void> {
  const downloads = tools.files.map((file) => tools.download(file));
  for await (const result of asCompleted(downloads)) {
    const file = tools.files[result.index]!;
    if (result.status === "fulfilled") tools.report(file, result.value);
    else tools.reportFailure(file, result.reason);
  }
}
