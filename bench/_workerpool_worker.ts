// The tasks for workerpool, which needs its own worker script.
import workerpool from "workerpool";
import { burn, countPrimes } from "./_tasks.ts";

workerpool.worker({ add: (a: number, b: number) => a + b, burn, countPrimes });
