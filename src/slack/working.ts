export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Runs slow work and shows a "working on it" message only when the work takes longer than
 * `delayMs` (the issue: "a working-on-it indication where it takes more than a second").
 * Fast answers arrive as one message; slow ones (and failures) replace the placeholder in
 * place, so the caller gets the placeholder's ts whatever the outcome.
 */
export async function withWorkingIndicator<T>(
  work: Promise<T>,
  delayMs: number,
  showPlaceholder: () => Promise<string | undefined>,
): Promise<{ outcome: Settled<T>; placeholderTs: string | undefined }> {
  const settled: Promise<Settled<T>> = work.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  let placeholder: Promise<string | undefined> | undefined;
  const timer = setTimeout(() => {
    // A failed placeholder must not fail the answer: the answer is then posted fresh.
    placeholder = showPlaceholder().catch(() => undefined);
  }, delayMs);
  const outcome = await settled;
  clearTimeout(timer);
  return { outcome, placeholderTs: placeholder ? await placeholder : undefined };
}
