/**
 * Entry point of the training worker of lib/nn/_split_train.ts: loads OpenBLAS
 * for one thread, takes the shared buffers from the first message and trains
 * its half of the hidden units until told to stop.
 *
 * @module
 */
import { loadBlas } from "../native/blas.ts";
import { runWorker, type SplitShared } from "./_split_train.ts";

declare const self: Worker & { close(): void };

self.onmessage = (e: MessageEvent<SplitShared>) => {
  loadBlas({ threads: 1 });
  runWorker(e.data);
  self.close();
};
