/**
 * # 02a · Say hello, wait, say goodbye
 *
 * EN: Make `sayHello` print "Hello!", wait one unit, then print "Goodbye!",
 * and let its promise settle only once it has said goodbye. Lesson 02
 * (lessons/02_coroutines.ts) shows an async function and `await`.
 *
 * ES: Haz que `sayHello` escriba «Hello!», espere una unidad y escriba
 * «Goodbye!», y que su promesa se cumpla solo después de despedirse. Lo
 * enseña la lección 02 (lessons/02_coroutines.ts): `async` y `await`.
 *
 * Check it · Compruébalo: `deno task exercise 02a` (`--hint` for a hint)
 *
 * @module
 */

/** What the checker hands you. */
export interface Tools {
  /** Prints a line. */
  log(line: string): void;
  /** How many milliseconds one unit lasts. */
  unit: number;
}

/** Says hello, waits one unit, says goodbye; settles once it is all done. */
export function sayHello(tools: Tools): Promise<void> {
  tools.log("Hello!");
  // This callback runs one unit later, but the promise below is already
  // fulfilled: whoever awaits sayHello() goes on before the goodbye.
  setTimeout(() => tools.log("Goodbye!"), tools.unit);
  return Promise.resolve();
}
