/**
 * What the learner must read first when an exercise's check fails: for the
 * stub as shipped, and for each plausible wrong solution kept in
 * tests/fixtures/exercises/. Shared by the exercise tests. Real-time
 * messages are matched without their figures, which depend on the
 * machine's load.
 *
 * @module
 */
import { assert, assertEquals, assertStringIncludes } from "@std/assert";
import { fileOf } from "../exercises/_catalog.ts";
import type { Exercise } from "../exercises/_harness.ts";
import { check, type Result, verdict } from "../exercises/_run.ts";
import { Checking } from "../exercises/_world.ts";

/** The first problem a failing check reports, in English. */
export const EXPECTED: Record<
  string,
  { stub: string; wrong: Record<string, string> }
> = {
  "01a": {
    stub:
      "Car 1 passed at 0.0 units while the light was red (red since 0.0, green again at 2.0).",
    wrong: {
      "01a_one_shot":
        "Car 3 passed at 3.5 units while the light was red (red since 3.0, green again at 5.0).",
      "01a_polling":
        "Car 1 passed at 2.1 units; it could go at 2.0, when the light turned green",
      "01a_ignores_signal":
        "Car 5 gave up at 7.0 units (its signal aborted), but it passed at 8.0",
      "01a_polls_every_turn":
        "Your code woke up more than 5000 times by 0.0 units without finishing: is it checking something over and over in a loop?",
      "01a_new_on_red":
        "Car 3 came at 3.5 units and never passed; the light was green from 5.0.",
      "01a_shared_reject":
        "pass() rejected for car 6 with Error: car 5 gave up, another car's signal's reason",
      "01a_aborted_on_green":
        "Car 8 came at 8.5 units with its signal already aborted, but it passed at 8.5: pass() should reject at once with the signal's reason (look at signal.aborted first,",
      "01a_aborted_before":
        "Car 7 came at 7.5 units with its signal already aborted, but it passed at 8.0",
    },
  },
  "02a": {
    stub:
      `Your function's promise settled at 0.0 units, before "Goodbye!" at 1.0`,
    wrong: {
      "02a_not_awaited":
        `Your function's promise settled at 0.0 units, before "Goodbye!" at 1.0`,
      "02a_two_units":
        `"Goodbye!" came 2.0 units after "Hello!"; it should come 1.0 unit (tools.unit ms) later.`,
      "02a_milliseconds":
        `"Goodbye!" came 8.0 units after "Hello!"; it should come 1.0 unit (tools.unit ms) later.`,
      "02a_fixed_ms":
        `"Goodbye!" came 0.8 units after "Hello!"; it should come 1.0 unit (tools.unit ms) later.`,
      "02a_unit_read_off":
        `"Goodbye!" came 1.4 units after "Hello!"; it should come 1.0 unit (tools.unit ms) later.`,
      "02a_await_set_timeout":
        "Await a promise that settles after the wait: setTimeout returns a timer's id, not a promise.",
      "02a_console_log":
        `tools.log printed nothing; it should print "Hello!" then "Goodbye!" (print with tools.log: the check reads that alone).`,
    },
  },
  "03a": {
    stub: "Task B started at 2.0 units; it could have started at 0.0",
    wrong: {
      "03a_two_then_one":
        "Task C started at 2.0 units; it could have started at 0.0",
      "03a_forgotten":
        "Your function returned at 0.0 units, but tasks A, B and C were still running (until 2.0, 1.0 and 3.0)",
      "03a_forgets_b":
        "The check ran your code again with other durations (A 1.0, B 3.0 and C 2.0 units): wait for every task you start",
      "03a_await_longest":
        "The check ran your code again with other durations (A 3.0, B 2.0 and C 1.0 units): wait for every task you start, not only the one that ends last with the exercise's durations.",
    },
  },
  "03b": {
    stub:
      "Your function returned at 2.0 units, but task save was still running (until 3.0 units)",
    wrong: {
      "03b_awaited_first":
        "Task fetch started at 3.0 units; it could have started at 0.0",
      "03b_render_too_early":
        "Task render started at 0.0 units, before fetch, which it needs, was done at 1.0.",
      "03b_throws_first": "At 0.0 units, your code threw Error: a mistake",
      "03b_render_forgotten":
        "The check ran your code again with other durations (save 1.5, fetch 1.0 and render 1.0 units)",
    },
  },
  "04a": {
    stub:
      "At 0.0 units, 5 downloads were running at once; at most 2 may run at a time.",
    wrong: {
      "04a_sequential":
        "From 0.0 to 2.0 units only 1 download was running while download 1 waited (it started at 2.0): keep 2 running, starting the next download whenever fewer run.",
      "04a_pairs":
        "From 1.0 to 2.0 units only 1 download was running while download 2 waited",
      "04a_shifts_files":
        "Your function changed tools.files, which it was handed (it is now [], it was [0, 1, 2, 3, 4])",
      "04a_three":
        "At 0.0 units, 3 downloads were running at once; at most 2 may run at a time.",
      "04a_fixed_files":
        "At 0.0 units, your code threw RangeError: There is no task 0; the tasks are 1, 2, 3, 4, 5, 6",
    },
  },
  "04b": {
    stub:
      "The counter ended at 1, not 4: worker 1 read the counter at 2.0 units (it read 0) while worker 0",
    wrong: {
      "04b_lock_everything":
        "Worker 1's work started at 3.0 units; it could have started at 0.0",
      "04b_never_released":
        "Your code is still waiting at 3.0 units, but nothing is left that could ever wake it up: each waiter waits for another, for a lock or permit never released,",
      "04b_polls_flag":
        "Worker 1 read the counter at 3.2 units, but the lock was free from 3.0, when worker 0 wrote the counter back: worker 1 waited for nothing.",
      "04b_lock_read_only":
        "The counter ended at 2, not 4: worker 1 read the counter at 2.5 units (it read 0)",
      "04b_fixed_workers":
        "At 0.0 units, your code threw RangeError: There is no task 0; the tasks are 1, 2, 3, 4, 5",
    },
  },
  "05a": {
    stub:
      `You returned [Error: B broke], and the errors of jobs A and D are not among them: 3 jobs failed.`,
    wrong: {
      "05a_sequential":
        "Job B started at 3.0 units; it could have started at 0.0",
      "05a_completion_order":
        "You returned the errors in the order they happened (B's at 1.0 before A's at 3.0)",
      "05a_inherited_name": "You returned 4 items, but only 3 jobs failed",
      "05a_holes":
        "You returned 4 items, but only 3 jobs failed: return each error once, and nothing else (what you added: undefined).",
      "05a_twice": "You returned 6 items, but only 3 jobs failed",
      "05a_messages":
        `You returned ["Error: A broke", "Error: B broke", "Error: D broke"], and the errors of jobs A, B and D are not among them: 3 jobs failed; return the errors the jobs rejected with, not their text.`,
      "05a_aggregate":
        "AggregateError: jobs failed (05a_aggregate.ts:11) at 3.0 units; it should not throw, but return every error once all jobs are done.",
    },
  },
  "05b": {
    stub: "Job A kept running after job B failed at 1.0 unit",
    wrong: {
      "05b_abort_no_wait":
        "Your function threw at 1.0 unit while jobs A and C were still stopping (done at 1.5)",
      "05b_all_settled":
        "Job A kept running after job B failed at 1.0 unit (until 3.0)",
      "05b_await_using_all":
        "Your function threw a SuppressedError: with `await using`, an error thrown in the block",
      "05b_signal_not_passed":
        "Job A kept running after job B failed at 1.0 unit (until 3.0)",
      "05b_inherited_name": "Your function threw AggregateError",
      // B's error is what it should throw: not a problem of its own here.
      "05b_forgets_c": "Task C never ran.",
      "05b_only_b":
        "Job C kept running after job A failed at 3.0 units (until 4.0): hand it a signal that aborts when a sibling fails.",
      "05b_module_controller":
        "The check ran your function again, and job A was handed a signal that had already aborted, so it stopped as soon as it began",
    },
  },
  "05c": {
    stub:
      `When the report takes 5.0 units, your function returned "report"; it should return "unavailable".`,
    wrong: {
      "05c_race_timer":
        "You gave up at 2.0 units, but the request went on (until 5.0)",
      "05c_std_deadline":
        "You gave up at 2.0 units, but the request went on (until 5.0)",
      "05c_swallows":
        'When the request fails at 1.0 unit (Error: the server is down), your function returned "unavailable"; let that error through: only the deadline means "unavailable".',
      "05c_rewraps":
        "When the request fails at 1.0 unit (Error: the server is down), your function threw Error: the report failed (05c_rewraps.ts:14); throw that error itself",
      "05c_fixed_ms":
        "When the report takes 5.0 units, your function returned at 1.6 units; it should return at 2.0: give up after 2 units (2 * tools.unit ms).",
      "05c_unit_read_off":
        "When the report takes 5.0 units, your function returned at 2.8 units; it should return at 2.0: give up after 2 units (2 * tools.unit ms).",
      "05c_timer_left":
        "Your function returned at 1.0 unit, but a timer (05c_timer_left.ts:10) was still pending (due at 2.0)",
      "05c_module_controller":
        "The check ran your function again, and fetchReport was handed a signal that had already aborted, so it stopped as soon as it began: make a new AbortController in each call, not one for the whole module.",
    },
  },
  "06a": {
    stub:
      "blockFor ran on your code's own thread, so the heartbeat could not tick for",
    wrong: {
      "06a_fakes_it":
        'Your function returned "Finished blocking task", but blockFor never ran: neither here nor on a worker.',
      "06a_no_shutdown":
        "but a worker was still alive: it keeps the program running. Shut the executor down",
      // 12.0 units, or in the rerun with units 7/4 as long on a loaded machine.
      "06a_fixed_ms": "blockFor ran for 600 ms (",
      "06a_nan_ms": "blockFor ran for NaN ms (NaN units)",
    },
  },
  "07a": {
    stub:
      "Items 0 to 399 were processed in one go: the heartbeat could not get a turn in between.",
    wrong: {
      "07a_every_100": "Items 0 to 99 were processed in one go",
      "07a_real_wait": "Your function took 8.0 units of waiting",
      "07a_not_awaited":
        "Your function returned at 0.0 units with 50 of the 400 items processed, and the rest were processed after it: await the work it starts",
      "07a_one_too_many":
        "Items processed: 401; there are 400 (0 to 399), each to be processed once.",
      "07a_fixed_items":
        "Items processed: 400; there are 170 (0 to 169), each to be processed once.",
    },
  },
  "08a": {
    stub:
      `getText("/missing") returned "not here", but the server answered 404 Not Found`,
    wrong: {
      "08a_body_left":
        "The body of the 404 response from /missing (08a_body_left.ts:6) was never read nor cancelled",
      "08a_race":
        "but the request to /slow (08a_race.ts:12) was still in flight: abort it",
      // Given up after 8 units, or at 2,000 ms if a busy machine makes units longer.
      "08a_milliseconds":
        "; it should give up after 2.0 units (2 * tools.unit ms)",
      "08a_404_only":
        'getText("/broken") returned "oops", but the server answered 500 Internal Server Error',
      "08a_fixed_ms":
        "; wait 2.0 units (2 * tools.unit ms) for the answer first.",
      "08a_gives_up_at_once": 'getText("/hello") gave up after ',
      // In the rerun with units 7/4 as long, 1.1 units (or in the first run
      // on a loaded machine, as its unit grows between checks).
      "08a_unit_read_off":
        "; wait 2.0 units (2 * tools.unit ms) for the answer first.",
      "08a_saved_fetch":
        "The body of the 404 response from /missing (08a_saved_fetch.ts:9) was never read nor cancelled",
    },
  },
  "08b": {
    stub:
      `getWithRetry("/flaky") returned "busy", the body of a 503 answer: retry 429 and 503 answers, up to 4 attempts.`,
    wrong: {
      "08b_no_wait":
        "after attempt 1; it should have waited 2.0 units, as the server answered 503 with Retry-After: 2 (2 * tools.unit ms).",
      "08b_ignores_retry_after":
        "after attempt 1; it should have waited 2.0 units, as the server answered 503 with Retry-After: 2 (2 * tools.unit ms).",
      "08b_zero_is_none":
        "it needed to wait only 0.0 units, as the server answered 429 with Retry-After: 0 (0 * tools.unit ms).",
      "08b_retries_everything": `getWithRetry("/gone") tried again after a 404`,
      "08b_retries_5xx": `getWithRetry("/broken") tried again after a 500`,
      "08b_from_request":
        "after attempt 1; it should have waited 2.0 units, as the server answered 503 with Retry-After: 2 (2 * tools.unit ms).",
      "08b_short_wait":
        "after attempt 1; it should have waited 2.0 units, as the server answered 503 with Retry-After: 2 (2 * tools.unit ms).",
      "08b_saved_fetch":
        "after attempt 1; it should have waited 2.0 units, as the server answered 503 with Retry-After: 2 (2 * tools.unit ms).",
      "08b_unit_read_off":
        "after attempt 1; it should have waited 2.0 units, as the server answered 503 with Retry-After: 2 (2 * tools.unit ms).",
      "08b_query":
        "after attempt 1; it should have waited 2.0 units, as the server answered 503 with Retry-After: 2 (2 * tools.unit ms).",
      // 4.0 units after it, or 4.1 on a loaded machine.
      "08b_waits_after_last":
        "units after its last attempt: with no retry left, there is nothing to wait for; throw at once.",
    },
  },
  "09a": {
    stub:
      "You sent 1 chunk to the executor, so one worker had all the work and the other none",
    wrong: {
      "09a_one_at_a_time":
        "Your 2 chunks ran one after the other: chunk 2 was sent at",
      "09a_off_by_one":
        "You counted 9592 primes below 100,000; right, but only because no prime falls where your chunks miss or overlap. Do your chunks cover 2 to 99,999 exactly once?",
      "09a_main_thread":
        "countPrimes ran on your code's own thread: send it to tools.executor",
      "09a_fixed_count":
        "The check ran your code again with tools.limit = 30,000, and you counted 9592 primes; there are 3,245.",
    },
  },
  "10a": {
    stub: "Download 1 was done at 1.0 unit, and you never reported it.",
    wrong: {
      "10a_in_order":
        "You reported download 1 at 3.0 units; it was done at 1.0",
      "10a_fixed_order":
        "The check ran your code again with downloads that end in another order (0, 2, 4, 1, 3): report each one as it ends, whatever the order.",
      "10a_then_all":
        "Download 2 failed at 2.0 units and you never reported it",
      "10a_module_set":
        "The check ran your function again as it did the first time, and it went wrong where its first run went right: it keeps state from one call to the next at module level.",
      "10a_fixed_files": "Task download 5 never ran.",
    },
  },
  "10b": {
    stub:
      "task B started at 1.0 unit; it needs nothing, so it could have started at 0.0.",
    wrong: {
      "10b_waves":
        "task C started at 2.0 units; everything it needed (A) was done at 1.0.",
      "10b_all_at_once":
        "task C started at 0.0 units, before A, which it needs, was done.",
      "10b_consumes_needs":
        'Your function changed tasks.C.needs, which it was handed (it is now [], it was ["A"])',
      "10b_fail_fast":
        "Your function threw at 1.0 unit, but task B was still running (until 2.0 units)",
    },
  },
  "10c": {
    stub:
      "At 1.0 unit consumer A was free while item 0 was ready (made at 1.0) and was taken only at 8.0",
    wrong: {
      "10c_unbounded":
        "At 8.0 units, 4 items were made and waiting for a consumer: with a queue of 2",
      "10c_never_closed":
        "Everything was consumed by 18.0 units, but your function was still waiting: the consumers wait for items that will never come. Close the queue once the producer is done (queue.close()): a `for await (const item of queue)` loop ends once the queue is closed and empty.",
      "10c_get_after_close":
        "A consumer's queue.get() threw QueueClosedError at 17.0 units: get() rejects once the queue is closed and empty. Loop with `for await (const item of queue)`, which ends there instead.",
      "10c_consumers_not_awaited":
        "Item 6 was made, but your function returned at 10.0 units, before any consumer took it",
      "10c_join_not_closed":
        "Your function returned at 18.0 units, but queue.get() was still waiting for items that will never come",
      "10c_one_consumer":
        "At 2.0 units consumer B was free while item 1 was ready",
      "10c_fixed_items": "Task make 8 never ran.",
      "10c_polls":
        "Your code waited on a timer (setTimeout or setInterval): a consumer that checks the queue every so often takes an item late whenever its timer does not line up. Wait on the queue itself",
      "10c_polls_interval":
        "Your code waited on a timer (setTimeout or setInterval)",
      "10c_ends_on_timeout":
        "Everything was consumed by 18.0 units, but your function returned only at 28.0 units: return as soon as all is consumed.",
      "10c_module_counter":
        "The check ran your function again as it did the first time, and it went wrong where its first run went right: it keeps state from one call to the next at module level.",
      "10c_fixed_maxsize":
        "At 7.0 units, 3 items were made and waiting for a consumer: with a queue of 1,",
    },
  },
};

/** Where the wrong solutions are. */
export const FIXTURES: URL = new URL("./fixtures/exercises/", import.meta.url);

const ROOT = new URL("../", import.meta.url);
const OUTPUT = new URL(".tools/test-output/", ROOT);

/**
 * The stub of `exercise` as shipped: a copy of the committed one (`git show
 * HEAD:…`), so that the suite stays green while a learner works, even on a
 * stub saved after the suite began; the file itself where there is no git.
 * Asked once per exercise in a test process.
 */
export function shipped(exercise: Exercise): Promise<URL> {
  let stub = stubs.get(exercise.id);
  if (stub === undefined) {
    stub = committedStub(exercise);
    stubs.set(exercise.id, stub);
  }
  return stub;
}

/** Each stub {@linkcode shipped} found, by exercise. */
const stubs = new Map<string, Promise<URL>>();

/** Runs git in the checkout: what it printed, or undefined when it failed or there is no git. */
async function git(...args: string[]): Promise<string | undefined> {
  try {
    const { success, stdout } = await new Deno.Command("git", {
      args,
      cwd: ROOT,
      stdout: "piped",
      stderr: "null",
    }).output();
    return success ? new TextDecoder().decode(stdout) : undefined;
  } catch {
    return undefined; // No git here: the files are taken as shipped.
  }
}

async function committedStub(exercise: Exercise): Promise<URL> {
  const committed = await git("show", `HEAD:exercises/${exercise.slug}.ts`);
  if (committed === undefined) return fileOf(exercise);
  const copy = new URL(`stubs/${exercise.slug}.ts`, OUTPUT);
  await Deno.mkdir(new URL(".", copy), { recursive: true });
  // Written aside, then renamed: test modules run at once, and a check of
  // one must never read another's half-written copy. Each its own aside:
  // with --parallel, modules share a process (and its pid).
  const aside = new URL(`${copy.href}.${crypto.randomUUID()}`);
  await Deno.writeTextFile(aside, committed);
  await Deno.rename(aside, copy);
  return copy;
}

/** `fn` over `items`, at most `width` at a time, results in order. */
async function pooled<T, R>(
  items: readonly T[],
  fn: (item: T, i: number) => Promise<R>,
  width = 3,
): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

/** Each check {@linkcode checkFile} ran in this test process. */
const checked = new Map<string, Promise<Result>>();

/**
 * Checks without `deno check` (`deno task check` type-checks these files),
 * once per exercise and file in a test process: the files do not change
 * while the tests run, and a check is a process of its own. Remembering
 * spares the CLI tests 17 of the 27 checks they ask for.
 */
export function checkFile(exercise: Exercise, file: URL): Promise<Result> {
  const key = `${exercise.id} ${file.href}`;
  if (!checked.has(key)) {
    checked.set(key, check(exercise, file, { typeCheck: false }));
  }
  return checked.get(key)!;
}

/**
 * The check of `file` with its scenarios observed in this process instead
 * of one of their own, judged by the checker's own verdict() on the message
 * the learner's process would have sent. For code on simulated time, whose
 * verdict depends on nothing but what the scenarios record: the test of
 * determinism in exercises_test.ts finds it word for word the same as the
 * process's; on real time, `held` says how much the hold-up watch saw in
 * every run, whatever the machine did. One at a time, and with nothing else
 * in this process using a timer meanwhile: a world takes over the process's
 * clock while it runs.
 */
export async function checkHere(
  exercise: Exercise,
  file: URL,
  held?: number,
): Promise<Result> {
  const fn = (await import(file.href))[exercise.export];
  const session = new Checking(file.href, fn);
  const notes = await exercise.observe(session);
  const sent = {
    kind: "result",
    runs: session.runs.map((run) =>
      held === undefined ? run : { ...run, held }
    ),
    notes: session.encode(notes),
  };
  return verdict(exercise, file, {
    messages: [JSON.parse(JSON.stringify(sent))],
    output: "",
    stderr: "",
    code: 0,
  });
}

/** Asserts that a check failed, that its first problem says `first`, and that it speaks both languages. */
export function assertFails(result: Result, first: string): void {
  assert(!result.passed, `the check passed; expected: ${first}`);
  assert(result.problems.length > 0, "a failed check must say why");
  assertStringIncludes(result.problems[0]!.en, first);
  for (const problem of result.problems) {
    assert(
      problem.es.length > 0 && problem.es !== problem.en,
      `no Spanish for: ${problem.en}`,
    );
    // Never the checker's own insides: no stack frames, no checker file names.
    for (const message of [problem.en, problem.es]) {
      assert(
        !/\n\s+at |file:\/\/|_harness\.ts|_world\.ts|_clock\.ts|_checks\//
          .test(message),
        `checker internals in: ${message}`,
      );
      // Every {value} filled in, whatever letters its name has.
      assert(!/\{[\p{L}\d_]+\}/u.test(message), `unfilled: ${message}`);
    }
  }
}

/**
 * The steps every exercise's test takes: the stub fails with its message,
 * the solution passes, each wrong solution fails with its message. The
 * checks run a few at a time, each in its own process, as a learner's do;
 * the wrong solutions of an exercise on simulated time are observed in
 * this process (checkHere): 33 processes fewer, ~1.3 CPU-s.
 */
export async function stubSolutionWrong(
  t: Deno.TestContext,
  exercise: Exercise,
): Promise<void> {
  const expected = EXPECTED[exercise.id]!;
  const wrong = Object.entries(expected.wrong);
  const files = [
    await shipped(exercise),
    fileOf(exercise, true),
    ...wrong.map(([name]) => new URL(`${name}.ts`, FIXTURES)),
  ];
  // On real time a failing check runs once more, and a pass across a
  // hold-up of the process up to twice more (check() does); a file meant
  // to fail that passed, or failed for another reason first, is run once
  // more: a loaded machine can stretch a wrong 0.5-unit wait past 1.9
  // units (08b_no_wait's second attempt late enough that its third was
  // named first, at 8 test files at once; before check() watched for
  // hold-ups, 1 in 40 wrong 08b checks passed with two suites beside, and
  // once twice in a row).
  // What each file (stub, solution, wrong ones) must fail with first.
  const firsts = [expected.stub, "", ...wrong.map(([, first]) => first)];
  const failing = async (file: URL, first: string) => {
    const result = await checkFile(exercise, file);
    return !result.passed && result.problems[0]?.en.includes(first)
      ? result
      : await check(exercise, file, { typeCheck: false });
  };
  const [stub, solution, ...results] = exercise.real
    ? await pooled(
      files,
      (f, i) => i === 1 ? checkFile(exercise, f) : failing(f, firsts[i]!),
    )
    : [
      // The processes first: nothing else may use a timer in this process
      // while a world here has its clock.
      ...await Promise.all(
        files.slice(0, 2).map((f) => checkFile(exercise, f)),
      ),
      ...await pooled(files.slice(2), (file) => checkHere(exercise, file), 1),
    ];
  await t.step(`the stub fails: "${expected.stub}"`, () => {
    assertFails(stub!, expected.stub);
  });
  await t.step("the solution passes", () => {
    assertEquals(solution!.problems.map((p) => p.en), []);
    assert(solution!.passed);
  });
  for (const [i, [name, first]] of wrong.entries()) {
    await t.step(`${name} fails: "${first}"`, () => {
      // Or, on real time, passes with the busy-machine note: its three runs
      // were held up enough to make up for what is wrong (08b_saved_fetch,
      // load 20). A check that always said so fails "On a run the hold-up
      // watch saw free…" (tests/exercises_io_test.ts).
      const { passed, note } = results[i]!;
      if (!(exercise.real && passed && note)) assertFails(results[i]!, first);
    });
  }
}
