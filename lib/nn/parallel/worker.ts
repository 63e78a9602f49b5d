/**
 * Entry point of the training worker (./two_threads.ts): loads OpenBLAS for
 * one thread, takes the shared buffers from the first message and trains its
 * half of the hidden units until told to stop.
 *
 * @module
 */
import { loadBlas } from "../../native/blas.ts";
import { runWorker } from "./two_threads.ts";

declare const self: Worker & { close(): void };

self.onmessage = (e: MessageEvent<Parameters<typeof runWorker>[0]>) => {
  loadBlas({ threads: 1 });
  runWorker(e.data);
  self.close();
};
