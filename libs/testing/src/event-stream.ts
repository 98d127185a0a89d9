import { request, type IncomingMessage } from 'node:http';

/** One Server-Sent Event as it arrived. */
export interface ReceivedEvent {
  event: string;
  data: unknown;
  /** Date.now() when it arrived. */
  at: number;
}

/** An open event stream, read as it comes (an independent SSE reader: plain HTTP, no library). */
export interface EventStream {
  status: number;
  headers: IncomingMessage['headers'];
  /** The body when the answer is not a stream (an error). */
  body: string;
  events: ReceivedEvent[];
  /** Arrival times of comment lines (`: keep-alive`). */
  comments: number[];
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  /** Resolves with the first event (already here or yet to come) that matches, or rejects after `timeoutMs`. */
  waitFor(matches: (event: ReceivedEvent) => boolean, timeoutMs: number): Promise<ReceivedEvent>;
  /** The client hangs up. */
  close(): void;
}

/** Opens `url` as an event stream; resolves once the answer's headers are in. */
export function openEventStream(url: string, headers: Record<string, string> = {}): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Accept: 'text/event-stream', ...headers } }, (res) => {
      const listeners = new Set<() => void>();
      let buffer = '';
      let isEnded = false;
      const stream: EventStream = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        body: '',
        events: [],
        comments: [],
        ended: new Promise((done) => res.on('close', () => ((isEnded = true), listeners.forEach((listener) => listener()), done()))),
        waitFor(matches, timeoutMs) {
          return new Promise((found, fail) => {
            const check = () => {
              const event = stream.events.find(matches);
              if (event) return finish(() => found(event));
              if (isEnded) finish(() => fail(new Error(`the stream ended without the event: ${JSON.stringify(stream.events.map((e) => e.event))}`)));
            };
            const timer = setTimeout(() => finish(() => fail(new Error(`no such event within ${timeoutMs} ms: ${JSON.stringify(stream.events.slice(-3))}`))), timeoutMs);
            const finish = (settle: () => void) => {
              clearTimeout(timer);
              listeners.delete(check);
              settle();
            };
            listeners.add(check);
            check();
          });
        },
        close: () => req.destroy(),
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (!String(res.headers['content-type']).startsWith('text/event-stream')) {
          stream.body += chunk;
          return;
        }
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block.split('\n');
          if (lines.every((line) => line.startsWith(':'))) stream.comments.push(Date.now());
          const event = lines.find((line) => line.startsWith('event: '))?.slice(7);
          const data = lines.find((line) => line.startsWith('data: '))?.slice(6);
          if (event !== undefined && data !== undefined) stream.events.push({ event, data: JSON.parse(data) as unknown, at: Date.now() });
        }
        listeners.forEach((listener) => listener());
      });
      res.on('error', () => undefined);
      resolve(stream);
    });
    req.on('error', reject);
    req.end();
  });
}
