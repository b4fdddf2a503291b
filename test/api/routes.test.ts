import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLoopback, mayUseApi } from '../../src/api/index.js';

test('the local API answers loopback callers, and others only with the ingest token', () => {
  for (const a of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) assert.ok(isLoopback(a), a);
  for (const a of ['10.0.0.5', '::ffff:192.168.1.2', '', undefined]) assert.equal(isLoopback(a), false, String(a));
  assert.equal(mayUseApi('10.0.0.5', undefined, undefined), false, 'no token configured: remote callers refused');
  assert.equal(mayUseApi('10.0.0.5', 'Bearer wrong', 's3cret'), false);
  assert.equal(mayUseApi('10.0.0.5', 'Bearer s3cret', 's3cret'), true);
  assert.equal(mayUseApi('127.0.0.1', undefined, 's3cret'), true);
});
