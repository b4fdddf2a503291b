/**
 * classifyFailure over the error objects @slack/web-api really throws (its own classes, built
 * the way WebClient builds them), plus the odd ones: a 429 without Retry-After and our own
 * errors thrown by custom jobs.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { WebAPIHTTPError, WebAPIPlatformError, WebAPIRateLimitedError, WebAPIRequestError } from '@slack/web-api';
import { OpsightError } from '../../src/errors.js';
import { classifyFailure } from '../../src/slack/outbox/index.js';

describe('classifyFailure', () => {
  test('a 429 waits Retry-After seconds', () => {
    assert.deepEqual(classifyFailure(new WebAPIRateLimitedError(7)), { kind: 'rate_limited', retryAfterMs: 7000, error: 'ratelimited' });
    assert.deepEqual(classifyFailure(new WebAPIRateLimitedError(0)), { kind: 'rate_limited', retryAfterMs: 0, error: 'ratelimited' });
  });

  test('a 429 whose Retry-After WebClient could not read waits one second', () => {
    // WebClient throws this plain Error (through p-retry's AbortError) in that case.
    const err = new Error('Retry header did not contain a valid timeout (url: http://x/api/chat.postMessage, retry-after header: soon)');
    assert.deepEqual(classifyFailure(err), { kind: 'rate_limited', retryAfterMs: 1000, error: 'ratelimited' });
  });

  test('Slack’s "try later" errors are retried, labelled with the Slack error', () => {
    for (const error of ['ratelimited', 'service_unavailable', 'internal_error', 'fatal_error', 'request_timeout']) {
      assert.deepEqual(classifyFailure(new WebAPIPlatformError({ ok: false, error })), { kind: 'retriable', reason: error, error });
    }
  });

  test('other Slack errors are fatal and say what to fix', () => {
    const cases: [string, RegExp][] = [
      ['invalid_blocks', /Block Kit payload is invalid/],
      ['channel_not_found', /channel id/],
      ['not_in_channel', /\/invite @opsight/],
      ['msg_too_long', /40,000 characters/],
      ['invalid_auth', /SLACK_BOT_TOKEN/],
      ['some_new_error', /docs\.slack\.dev/],
    ];
    for (const [error, hint] of cases) {
      const failure = classifyFailure(new WebAPIPlatformError({ ok: false, error }));
      assert.equal(failure.kind, 'fatal', error);
      assert.equal(failure.error, error);
      assert.match((failure as { hint: string }).hint, hint);
    }
  });

  test('HTTP 5xx and network errors are retried; other HTTP statuses are not', () => {
    assert.deepEqual(classifyFailure(new WebAPIHTTPError(503, 'Service Unavailable', {})), { kind: 'retriable', reason: 'server_error', error: 'http_503' });
    assert.equal(classifyFailure(new WebAPIHTTPError(404, 'Not Found', {})).kind, 'fatal');
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    assert.deepEqual(classifyFailure(new WebAPIRequestError(reset)), { kind: 'retriable', reason: 'network', error: 'network' });
  });

  test('a custom job’s OpsightError decides by its retriable flag; anything else is fatal', () => {
    assert.deepEqual(classifyFailure(new OpsightError('opsight_chart_failed', 'x', { retriable: true })), { kind: 'retriable', reason: 'job', error: 'opsight_chart_failed' });
    assert.equal(classifyFailure(new OpsightError('opsight_chart_failed', 'bad spec')).kind, 'fatal');
    assert.deepEqual(classifyFailure(new TypeError('boom')), { kind: 'fatal', error: 'unknown', hint: 'boom' });
  });
});
