/**
 * Entry point of a background trainer's worker (./background.ts) whose data
 * sets come in the first message.
 *
 * @module
 */
import { type JobData, serveJobs } from "./background.ts";

declare const self: Worker;

serveJobs(self, (init) => init as JobData);
