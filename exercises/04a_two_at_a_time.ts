/**
 * # 04a · Five downloads, two at a time
 *
 * EN: Download the files of `tools.files` with never more than two downloads
 * running at once, starting the next one as soon as one ends; return the sizes
 * in file order. Lesson 04 (lessons/04_semaphore.ts) shows a Semaphore.
 *
 * ES: Descarga `tools.files` sin que haya nunca más de dos descargas a la vez,
 * empezando la siguiente en cuanto una acaba; devuelve los tamaños en el orden
 * de los ficheros. Lo enseña la lección 04 (lessons/04_semaphore.ts).
 *
 * Check it · Compruébalo: `deno task exercise 04a` (`--hint` for a hint)
 *
 * @module
 */

/** What the checker hands you. */
export interface Tools {
  /** The files to download: [0, 1, 2, 3, 4] (the check also tries [1, 2, 3, 4, 5, 6]). */
  files: number[];
  /** Downloads one file; resolves with its size. */
  download(file: number): Promise<number>;
}

/** Downloads every file, two at a time; resolves with their sizes, in file order. */
export async function main(tools: Tools): Promise<number[]> {
  return await Promise.all(tools.files.map((file) => tools.download(file)));
}
