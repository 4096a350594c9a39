// Output to a reader that has gone (`deno task exercise 04b --hint | head
// -1`) ends the program quietly, as a Unix tool does: no BrokenPipe stack
// trace, the usual status.
import { assertEquals } from "@std/assert";
import { spawnDeno } from "../../course/deno.ts";

/** How `args` ends when its standard output is closed before it writes. */
async function closedOutput(args: string[]) {
  const child = spawnDeno(["run", ...args]);
  await child.stdout.cancel(); // the reader leaves before a byte comes
  const stderr = await new Response(child.stderr).text();
  return { code: (await child.status).code, stderr };
}

Deno.test("A closed standard output ends the exercise CLI, the lesson list, a lesson and the site quietly, with status 0", async () => {
  const runs = {
    exercise: ["--allow-read=exercises,lessons,deno.json", "exercises/_cli.ts"],
    lessons: ["--allow-read=lessons", "course/list.ts"],
    lesson: ["lessons/03_gather.ts"],
    site: ["site/main.ts"],
  };
  for (const [name, args] of Object.entries(runs)) {
    const ended = await closedOutput([...args, "--help"]);
    assertEquals(ended, { code: 0, stderr: "" }, name);
  }
});
