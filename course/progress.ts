/**
 * The learner's progress with the exercises, in exercises/.progress.json
 * (ignored by git): which file contents passed their check, how many hints
 * were shown, and the language last asked for. `deno task exercise` and the
 * site both read and write it through this module.
 *
 * Every change goes through {@linkcode updateProgress}: under an exclusive
 * lock on `.progress.json.lock` (the system releases it if the process dies)
 * it reads the file again, applies the change and renames the new file into
 * place, so two checks at once both keep their result and no reader sees
 * half a file. It needs `--allow-write` on the file, its `.lock` and `.tmp`.
 *
 * @module
 */

/** What is remembered between runs. */
export interface Progress {
  /** The language last asked for with --lang. */
  lang?: "en" | "es";
  /** Per exercise: the SHA-256 of the file's content when last checked, and whether it passed. */
  results: Record<string, { hash: string; passed: boolean }>;
  /** Per exercise: how many hints have been shown. */
  hints: Record<string, number>;
}

/** Exercises that changed their id, old to new: an older file reads as new. */
const RENAMED = { "04c": "01a", "04d": "10c" } as const;

/** The learner's progress file: exercises/.progress.json. */
export const PROGRESS = new URL("../exercises/.progress.json", import.meta.url);

/** The progress saved in `file`; empty when there is none or it is unreadable. */
export async function loadProgress(file: URL = PROGRESS): Promise<Progress> {
  const saved: Partial<Progress> | null = await Deno.readTextFile(file)
    .then(JSON.parse).catch(() => null);
  const record = <T>(value: unknown): Record<string, T> => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return {};
    }
    const copy: Record<string, unknown> = { ...value };
    for (const [old, id] of Object.entries(RENAMED)) {
      if (Object.hasOwn(copy, old)) copy[id] ??= copy[old];
      delete copy[old];
    }
    return copy as Record<string, T>;
  };
  return {
    ...saved?.lang === "en" || saved?.lang === "es" ? { lang: saved.lang } : {},
    results: record(saved?.results),
    hints: record(saved?.hints),
  };
}

/**
 * Applies `change` to the progress saved now, under the lock, saves it and
 * resolves with it; rejects (and saves nothing) without write permission.
 */
export async function updateProgress(
  change: (progress: Progress) => void,
  file: URL = PROGRESS,
): Promise<Progress> {
  const temporary = new URL(`${file.href}.tmp`);
  const lockFile = new URL(`${file.href}.lock`);
  using lock = await Deno.open(lockFile, { write: true, create: true });
  await lock.lock(true);
  const progress = await loadProgress(file);
  change(progress);
  await Deno.writeTextFile(temporary, JSON.stringify(progress, null, 2) + "\n");
  await Deno.rename(temporary, file);
  return progress;
}

/** The SHA-256 of a file's bytes, in hex; "missing" when it cannot be read. */
export async function hashOf(file: URL): Promise<string> {
  const bytes = await Deno.readFile(file).catch(() => undefined);
  if (bytes === undefined) return "missing";
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)).toHex();
}

/** Where the learner stands with exercise `id`, whose file now hashes to `hash`. */
export function stateOf(
  progress: Progress,
  id: string,
  hash: string,
): "done" | "failing" | "todo" {
  const saved = progress.results[id];
  if (saved?.hash !== hash) return "todo";
  return saved.passed ? "done" : "failing";
}
