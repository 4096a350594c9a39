/**
 * # 04a · Five downloads, two at a time — a solution
 *
 * EN: Every download starts at once but first waits for one of the
 * Semaphore's two permits; `run` gives the permit back when it ends.
 *
 * ES: Cada descarga arranca en el acto pero antes espera uno de los dos
 * permisos del Semaphore; `run` devuelve el permiso al acabar.
 *
 * @module
 */
import { Semaphore } from "@asincronia/asincronia";

/** What the checker hands you. */
export interface Tools {
  files: number[];
  download(file: number): Promise<number>;
}

/** Downloads every file, two at a time; resolves with their sizes, in file order. */
export async function main(tools: Tools): Promise<number[]> {
  const semaphore = new Semaphore(2);
  return await Promise.all(
    tools.files.map((file) => semaphore.run(() => tools.download(file))),
  );
}
