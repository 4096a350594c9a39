// The trivial task for workerpool, which needs its own worker script.
import workerpool from "workerpool";

workerpool.worker({ add: (a: number, b: number) => a + b });
