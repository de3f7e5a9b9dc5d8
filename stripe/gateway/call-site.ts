// stripe-node captures a stack trace for every request (`new Error().stack` in StripeResource._makeRequest), to add
// the caller's frames to a failed request's error. With source maps on — tsx turns them on, and `npm start` runs
// tsx — formatting those frames cost ~0.5 ms of CPU per request in the pipeline bench: more than building the
// request and parsing the answer together. The gateway does without those frames: writes turn failures into
// results carrying Stripe's type, code, request id and message, and a failed read reaches the worker's log with the
// event and case it was for. What it costs: an error the SDK throws while starting a request (a bad argument) has no
// stack, and the SDK still appends an empty "Originating from:" section to a failed request's stack.

/** Starts an SDK request with no stack captured for it; the request itself is unchanged. */
export function request<T>(start: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return start();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
