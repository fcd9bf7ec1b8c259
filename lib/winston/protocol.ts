// What the winston transport's two threads say to each other besides the lines.

/** workerData of the worker: plain data only, it crosses by structured clone. */
export interface WorkerData {
  /** the transport's options, without winston's own (level, format, …) */
  options: Record<string, unknown>
  /** the logger's levels, winston numbers (0 is the most severe) */
  levels: Record<string, number>
}

/** Sent when the transport closes: from then on flush and close share one flushTimeout. */
export const CLOSING_MESSAGE = 'PINO_K8S_EVENTS_CLOSING'
