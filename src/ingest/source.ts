/**
 * Where events come from. A source pushes raw, undecoded-or-decoded envelopes into the
 * sink; it never validates or inserts itself (the pipeline does, in one place).
 */
export interface EventSink {
  /**
   * Offers decoded JSON values (one per event). Resolves once they are accepted into the
   * pipeline's bounded buffer: awaiting it is the backpressure.
   */
  push(values: readonly unknown[], source: string): Promise<PushResult>;
  /**
   * Records inputs that could not even be decoded (not JSON, bad UTF-8, too large), all of a
   * request or file batch at once: one dead-letter insert, however many bad lines.
   */
  reject(inputs: readonly UndecodedInput[], source: string): Promise<void>;
}

export interface UndecodedInput {
  /** The input as received (base64 for invalid_utf8). */
  raw: string;
  reason: 'not_json' | 'invalid_utf8' | 'too_large';
  /** What was wrong and where ("line 7: …"). */
  error: string;
}

export interface PushResult {
  accepted: number;
  rejected: Array<{ index: number; reason: string; error: string }>;
}

export interface Source {
  /** Metrics label: "http", "file", "demo", "kafka". */
  readonly name: string;
  start(sink: EventSink): Promise<void>;
  /** Stops producing; resolves once everything it produced was pushed. */
  stop(): Promise<void>;
}
