// Assertions on OnceHub-style API responses: the error body {type, message, param?} and the
// Request-Id header that every response carries.
import { expect } from 'vitest';
import type { ApiResponse } from './hookline.js';

export const REQUEST_ID = /^req_[0-9a-f]{16}$/;
export const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
export const WEBHOOK_ID = /^WHK-[A-Z0-9]{10}$/;

export interface ExpectedError {
  type?: string;
  message?: string | RegExp;
  /** The expected param; `null` means the body must have no param. */
  param?: string | null;
}

/** Asserts status, the error body's shape (only type, message and param) and a Request-Id header. */
export function expectApiError(res: ApiResponse, status: number, expected: ExpectedError = {}): void {
  expect(res.status, res.text).toBe(status);
  expect(res.headers.get('request-id')).toMatch(REQUEST_ID);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.body, res.text).toBeTypeOf('object');
  for (const key of Object.keys(res.body)) expect(['type', 'message', 'param']).toContain(key);
  expect(res.body.type).toBe(expected.type ?? 'invalid_request_error');
  expect(res.body.message).toBeTypeOf('string');
  expect(res.body.message.length).toBeGreaterThan(0);
  if (typeof expected.message === 'string') expect(res.body.message).toBe(expected.message);
  else if (expected.message) expect(res.body.message).toMatch(expected.message);
  if (expected.param === null) expect(res.body).not.toHaveProperty('param');
  else if (expected.param !== undefined) expect(res.body.param).toBe(expected.param);
}

let counter = 0;
/** A name not used before in this process, for tests sharing one server. */
export function uniqueName(prefix = 'hook'): string {
  counter += 1;
  return `${prefix} ${counter} ${Math.random().toString(36).slice(2, 8)}`;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
