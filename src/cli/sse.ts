// A parser of Server-Sent Events (the text/event-stream format) as `hookline listen` reads them from
// GET /v2/events/stream: chunks in, messages out. Lines end with LF, CRLF or CR; a blank line ends a
// message; lines starting with `:` are comments (the stream's heartbeats).
export interface SseMessage {
  /** The last `id:` the stream sent (it carries over to later messages, as EventSource does). */
  id: string | undefined;
  event: string;
  data: string;
}

export function sseParser(onMessage: (message: SseMessage) => void, onComment: (text: string) => void = () => {}): (chunk: string) => void {
  let buffer = '';
  let lastId: string | undefined;
  let event = '';
  let data: string[] = [];

  const line = (text: string) => {
    if (text === '') {
      if (data.length > 0) onMessage({ id: lastId, event: event || 'message', data: data.join('\n') });
      event = '';
      data = [];
      return;
    }
    if (text.startsWith(':')) return onComment(text.slice(1).trimStart());
    const colon = text.indexOf(':');
    const field = colon < 0 ? text : text.slice(0, colon);
    let value = colon < 0 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    else if (field === 'id' && !value.includes('\0')) lastId = value;
  };

  return (chunk) => {
    buffer += chunk;
    for (;;) {
      const end = buffer.search(/\r\n|\n|\r/);
      if (end < 0) return;
      // A CR at the very end may be the first half of a CRLF split across chunks.
      if (buffer[end] === '\r' && end === buffer.length - 1) return;
      const width = buffer.startsWith('\r\n', end) ? 2 : 1;
      line(buffer.slice(0, end));
      buffer = buffer.slice(end + width);
    }
  };
}
