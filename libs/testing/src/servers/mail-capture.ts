import { createServer, type Server } from 'node:http';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from '../service-process';

/** A real SMTP server on a loopback port that keeps every message it accepts, parsed by mailparser. */
export interface MailCapture {
  /** `smtp://127.0.0.1:<port>` for SMTP_URL. */
  url: string;
  messages: Array<{ envelopeTo: string[]; mail: ParsedMail }>;
  /** Waits (polling, with a deadline) for a message whose envelope includes `recipient`. */
  waitFor(recipient: string, timeoutMs?: number): Promise<ParsedMail>;
  stop(): Promise<void>;
}

/** Polls `find` every 25 ms until it returns something, or fails after `timeoutMs`. */
async function poll<T>(find: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`${what} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Starts smtp-server (no TLS, no auth) and captures what it receives. */
export async function startMailCapture(): Promise<MailCapture> {
  const messages: MailCapture['messages'] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    size: 50 * 1024 * 1024,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          messages.push({ envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address), mail });
          callback();
        })
        .catch(callback);
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    waitFor: (recipient, timeoutMs = 30_000) =>
      poll(() => messages.find((message) => message.envelopeTo.includes(recipient))?.mail, `no message for ${recipient} arrived`, timeoutMs),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** One request a local HTTP receiver took. */
export interface ReceivedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A local HTTP server that records requests and answers as `respond` says. */
export interface HttpReceiver {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** How the next requests are answered; 202 with an empty body unless set. */
  respond: (request: ReceivedRequest) => { status: number; headers?: Record<string, string>; body?: string };
  waitForRequests(count: number, timeoutMs?: number): Promise<ReceivedRequest[]>;
  stop(): Promise<void>;
}

/**
 * Starts a local HTTP receiver on a loopback port: a webhook endpoint in the webhook tests, and a
 * stand-in for SendGrid's v3 `/v3/mail/send` API (a local receiver, not SendGrid itself) in the email tests.
 */
export async function startHttpReceiver(): Promise<HttpReceiver> {
  const requests: ReceivedRequest[] = [];
  const receiver: Partial<HttpReceiver> = { requests, respond: () => ({ status: 202 }) };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(received);
      const answer = (receiver.respond as HttpReceiver['respond'])(received);
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? '');
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}`,
    port,
    waitForRequests: (count: number, timeoutMs = 30_000) => poll(() => (requests.length >= count ? requests : undefined), `fewer than ${count} requests arrived`, timeoutMs),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  }) as HttpReceiver;
}
