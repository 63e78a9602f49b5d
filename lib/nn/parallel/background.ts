/**
 * Training on a thread of its own, while this one goes on: the sweep's runs
 * two at a time, a drawing window learning from a correction without a
 * stall. A `BackgroundTrainer` owns one worker that holds the training and
 * test sets, put into shared memory once; each `train()` call posts a job
 * (a configuration, the weights to start from, extra data) and resolves with
 * the trained weights. The worker runs the one `train()` of ../train.ts, on
 * one thread, so a job gives exactly what training here would.
 *
 * @module
 */
import { type Dataset, PIXELS } from "../../data/mnist.ts";
import { UserError } from "../../errors.ts";
import { loadBlas } from "../../native/blas.ts";
import { Random } from "../../random.ts";
import type { Evaluation } from "../evaluate.ts";
import { Network, parameterViews, zeroParameters } from "../network.ts";
import { type Extra, train } from "../train.ts";
import type { TrainConfig } from "../train_options.ts";
import { inSharedMemory } from "./two_threads.ts";

/** A run to train in the background. */
export interface BackgroundJob {
  config: TrainConfig;
  /** The weights to start from (copied); by default random ones, from the seed. */
  start?: Network;
  /** Data sets mixed into every epoch (copied to the worker with the job). */
  extra?: Extra[];
  /**
   * Train on this many training images drawn at random (from the seed), not
   * on all of them: a replay of the training set.
   */
  sample?: number;
}

/** What a job gives back. */
export interface BackgroundResult {
  network: Network;
  /** The test set's evaluation after the last epoch, when there is a test set. */
  evaluation: Evaluation | undefined;
  /** Seconds of training, as `train()`'s epochs report them. */
  seconds: number;
}

/** A job as posted to the worker. */
export interface JobMessage {
  id: number;
  config: TrainConfig;
  start?: Float32Array;
  extra: Extra[];
  sample?: number;
}

/** The worker's answer to a job. */
export type ResultMessage =
  | {
    id: number;
    params: Float32Array;
    evaluation: Evaluation | undefined;
    seconds: number;
  }
  | { id: number; error: string; user: boolean };

/** The data sets a worker trains on: in shared memory, as posted to it. */
export interface JobData {
  trainSet: Dataset;
  testSet?: Dataset;
  /** Data sets mixed into every job's epochs, before the job's own. */
  extra?: Extra[];
}

/** A data set whose images and labels lie in shared memory. */
function shared(d: Dataset): Dataset {
  return {
    ...d,
    images: inSharedMemory(d.images.subarray(0, d.count * PIXELS)),
    labels: inSharedMemory(d.labels.subarray(0, d.count)),
  };
}

/**
 * `count` images of `d` drawn at random without replacement (all of them
 * when it has no more), in a new data set.
 */
export function sampleOf(d: Dataset, count: number, rng: Random): Dataset {
  const n = Math.min(count, d.count);
  const order = Uint32Array.from({ length: d.count }, (_, i) => i);
  const images = new Uint8Array(n * PIXELS), labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(rng.next() * (d.count - i));
    [order[i], order[j]] = [order[j], order[i]];
    const k = order[i];
    images.set(d.images.subarray(k * PIXELS, (k + 1) * PIXELS), i * PIXELS);
    labels[i] = d.labels[k];
  }
  return { split: d.split, count: n, images, labels };
}

/** One worker training jobs on `trainSet` one after another. */
export class BackgroundTrainer {
  readonly #worker: Worker;
  readonly #waiting = new Map<
    number,
    {
      resolve: (r: BackgroundResult) => void;
      reject: (e: Error) => void;
    }
  >();
  #next = 0;
  #closed = false;

  /**
   * Starts a worker and hands it the data sets, in shared memory. Or, with
   * `worker`, starts that worker module instead and posts it `init`: a
   * module that makes its data itself and calls `serveJobs()`.
   */
  constructor(
    data: { trainSet: Dataset; testSet?: Dataset } | {
      worker: URL;
      init: unknown;
    },
  ) {
    const url = "worker" in data
      ? data.worker
      : new URL("./background_worker.ts", import.meta.url);
    this.#worker = new Worker(url.href, { type: "module" });
    this.#worker.onmessage = (e: MessageEvent<ResultMessage>) =>
      this.#answer(e.data);
    this.#worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      this.#failAll(new Error(`background training failed: ${e.message}`));
    };
    this.#worker.postMessage(
      "worker" in data ? data.init : {
        trainSet: shared(data.trainSet),
        testSet: data.testSet && shared(data.testSet),
      } satisfies JobData,
    );
  }

  /** Jobs posted and not answered yet. */
  get busy(): number {
    return this.#waiting.size;
  }

  /**
   * Trains `job` in the worker, after the jobs posted before it. Rejects
   * with a `UserError` where training does (it diverged, say).
   */
  train(job: BackgroundJob): Promise<BackgroundResult> {
    if (this.#closed) throw new Error("BackgroundTrainer: closed");
    const id = this.#next++;
    const message: JobMessage = {
      id,
      config: job.config,
      start: job.start && flatCopy(job.start),
      extra: job.extra ?? [],
      sample: job.sample,
    };
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#worker.postMessage(message);
    });
  }

  /**
   * Stops the worker; jobs not answered yet are dropped, never answered.
   * Deno lets a terminated worker finish the synchronous work it is in
   * before the process may end (seconds, mid-job), so a script that must end
   * at once exits itself (scripts/mnist_draw.ts).
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#waiting.clear();
    this.#worker.terminate();
  }

  #answer(m: ResultMessage) {
    const waiting = this.#waiting.get(m.id);
    if (!waiting) return;
    this.#waiting.delete(m.id);
    if ("error" in m) {
      waiting.reject(m.user ? new UserError(m.error) : new Error(m.error));
      return;
    }
    const hidden = m.params.length === 0 ? 0 : hiddenOf(m.params);
    waiting.resolve({
      network: new Network(parameterViews(m.params, hidden)),
      evaluation: m.evaluation,
      seconds: m.seconds,
    });
  }

  #failAll(error: Error) {
    for (const w of this.#waiting.values()) w.reject(error);
    this.#waiting.clear();
  }
}

/** The parameters of `network` in one new array, in the order w1, b1, w2, b2. */
export function flatCopy(network: Network): Float32Array {
  const p = zeroParameters(network.hidden);
  for (const k of ["w1", "b1", "w2", "b2"] as const) {
    p[k].set(network.params[k]);
  }
  return new Float32Array(p.w1.buffer);
}

/** The hidden units of parameters laid out as `flatCopy()` gives them. */
export function hiddenOf(params: Float32Array): number {
  // length = hidden * (784 + 1 + 10) + 10
  return (params.length - 10) / (PIXELS + 11);
}

/** The worker's side of a `BackgroundTrainer`. */
interface WorkerScope {
  onmessage: ((e: MessageEvent) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
}

/**
 * Runs in a worker: loads OpenBLAS for one thread, makes the data sets from
 * the first message with `makeData`, then trains each job posted after it,
 * in order, and posts back the weights. Where `makeData` fails, every job is
 * answered with its error.
 */
export function serveJobs(
  scope: WorkerScope,
  makeData: (init: unknown) => JobData | Promise<JobData>,
): void {
  let data: Promise<JobData> | undefined;
  let queue: Promise<void> = Promise.resolve();
  scope.onmessage = (e: MessageEvent) => {
    if (!data) {
      loadBlas({ threads: 1 });
      data = Promise.resolve().then(() => makeData(e.data));
      data.catch(() => {}); // answered to each job
      return;
    }
    const job = e.data as JobMessage;
    const made = data;
    queue = queue.then(async () => {
      let answer: ResultMessage;
      try {
        answer = runJob(await made, job);
      } catch (error) {
        answer = failure(job.id, error);
      }
      const transfer = "params" in answer
        ? [answer.params.buffer as ArrayBuffer]
        : [];
      scope.postMessage(answer, transfer);
    });
  };
}

/** Trains `job` on `data`, on this thread. */
function runJob(data: JobData, job: JobMessage): ResultMessage {
  const trainSet = job.sample === undefined
    ? data.trainSet
    : sampleOf(data.trainSet, job.sample, new Random(job.config.seed));
  const start = job.start &&
    new Network(parameterViews(job.start, hiddenOf(job.start)));
  let seconds = 0;
  const result = train(job.config, trainSet, data.testSet, {
    start,
    extra: [...data.extra ?? [], ...job.extra],
    hooks: { afterEpoch: (r) => void (seconds += r.seconds) },
  });
  const params = flatCopy(result.network);
  return { id: job.id, params, evaluation: result.evaluation, seconds };
}

/** A job's answer when it failed: a user's error's message, or our stack. */
function failure(id: number, error: unknown): ResultMessage {
  const user = error instanceof UserError;
  return {
    id,
    user,
    error: user
      ? error.message
      : error instanceof Error
      ? error.stack ?? error.message
      : String(error),
  };
}
