// The Server-Sent Events parser `hookline listen` reads the stream with: whatever the chunk
// boundaries and line endings, the same messages and comments come out.
import { describe, expect, it } from 'vitest';
import { sseParser, type SseMessage } from '../src/cli/sse.js';

const STREAM = 'retry: 1000\nid: 0-0\nevent: ready\ndata: {"a":1}\n\n: heartbeat\n\nid: 5-7\nevent: booking.scheduled\ndata: {"id":"EVNT-1"}\n\ndata: line one\ndata: line two\n\nevent: nothing\n\n';

function parseAll(chunks: string[]) {
  const messages: SseMessage[] = [];
  const comments: string[] = [];
  const feed = sseParser((m) => messages.push(m), (c) => comments.push(c));
  for (const c of chunks) feed(c);
  return { messages, comments };
}

const expected = {
  messages: [
    { id: '0-0', event: 'ready', data: '{"a":1}' },
    { id: '5-7', event: 'booking.scheduled', data: '{"id":"EVNT-1"}' },
    { id: '5-7', event: 'message', data: 'line one\nline two' }, // the last id carries over
  ],
  comments: ['heartbeat'],
};

describe('the SSE parser', () => {
  it('reads a stream in one chunk', () => {
    expect(parseAll([STREAM])).toEqual(expected);
  });

  it('reads it split at every position', () => {
    for (let at = 1; at < STREAM.length; at++) expect(parseAll([STREAM.slice(0, at), STREAM.slice(at)]), `split at ${at}`).toEqual(expected);
  });

  it('reads it a character at a time, with CRLF and CR line endings', () => {
    for (const eol of ['\r\n', '\r']) {
      const stream = STREAM.replaceAll('\n', eol);
      expect(parseAll([...stream]), JSON.stringify(eol)).toEqual(expected);
    }
  });

  it('takes a field without a space after the colon, and one without a colon', () => {
    expect(parseAll(['id:1-2\nevent:x\ndata\n\n']).messages).toEqual([{ id: '1-2', event: 'x', data: '' }]);
  });
});
