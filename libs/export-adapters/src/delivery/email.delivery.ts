import { Client as SendGridClient } from '@sendgrid/client';
import { MailService } from '@sendgrid/mail';
import { createTransport } from 'nodemailer';
import type { Readable } from 'node:stream';
import { BYTES_PER_MB } from '@export-service/contracts';
import { failWith, FailureCode, type JobFailureError } from '@export-service/errors';
import type { DeliveryFile, DeliveryRequest, DeliveryTarget } from '@export-service/export-core';
import { deliveryFailure } from './delivery-failure';

/** What email deliveries take from the service's configuration. */
export interface EmailDeliverySettings {
  smtpUrl: string | null;
  sendgridApiKey: string | null;
  sendgridApiUrl: string;
  from: string;
  /** Files are attached when their total is at most this many bytes; otherwise the message carries links. */
  attachMaxBytes: number;
  linkTtlSeconds: number;
  connectTimeoutMs: number;
}

/** A message ready for either transport. */
interface Message {
  to: string[];
  subject: string;
  text: string;
  html: string;
  attachments: Array<{ filename: string; open: () => Promise<Readable> }>;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function sizeOf(bytes: number): string {
  return `${(bytes / BYTES_PER_MB).toFixed(bytes < BYTES_PER_MB ? 3 : 1)} MB`;
}

/** The message naming the export, its rows and files, with the files attached or linked. */
export function composeMessage(request: DeliveryRequest<'email'>, settings: Pick<EmailDeliverySettings, 'attachMaxBytes' | 'linkTtlSeconds'>): Message {
  const total = request.files.reduce((sum, file) => sum + file.bytes, 0);
  const isAttached = settings.attachMaxBytes > 0 && total <= settings.attachMaxBytes;
  const days = Math.round((settings.linkTtlSeconds / 86_400) * 10) / 10;
  const line = (file: DeliveryFile) => `${file.filename}: ${file.rows.toLocaleString('en-US')} rows, ${sizeOf(file.bytes)}, sha256:${file.sha256}`;
  const intro = `Your export "${request.exportName}" is ready: ${request.totalRows.toLocaleString('en-US')} rows in ${request.files.length} files.`;
  const how = isAttached ? 'The files are attached.' : `Download each file from its link below (no API key needed; the links work for ${days} days).`;
  const text = [intro, how, '', ...request.files.map((file) => (isAttached ? line(file) : `${line(file)}\n  ${file.downloadUrl()}`)), '', `Status: ${request.statusUrl}`].join(
    '\n',
  );
  const items = request.files.map(
    (file) =>
      `<li>${isAttached ? escapeHtml(line(file)) : `<a href="${escapeHtml(file.downloadUrl())}">${escapeHtml(file.filename)}</a>: ${escapeHtml(line(file).slice(file.filename.length + 2))}`}</li>`,
  );
  return {
    to: [...new Set(request.target.recipients)],
    subject: `Export "${request.exportName}" is ready (${request.totalRows.toLocaleString('en-US')} rows, ${request.files.length} files)`,
    text,
    html: `<p>${escapeHtml(intro)}</p><p>${escapeHtml(how)}</p><ul>${items.join('')}</ul><p><a href="${escapeHtml(request.statusUrl)}">Export status</a></p>`,
    attachments: isAttached ? request.files.map((file) => ({ filename: file.filename, open: () => file.open() })) : [],
  };
}

/** An SMTP reply code as what it means for a retry. */
function classifySmtp(error: Error): JobFailureError | null {
  const { responseCode, code } = error as { responseCode?: number; code?: string };
  if (code === 'EAUTH' || responseCode === 535 || responseCode === 534) return failWith(FailureCode.deliveryAuthFailed, 'the SMTP server refused the login', error);
  if (responseCode !== undefined && responseCode >= 500) return failWith(FailureCode.deliveryAuthFailed, `the SMTP server refused the message (${responseCode})`, error);
  if (responseCode !== undefined && responseCode >= 400)
    return failWith(FailureCode.deliveryRejected, `the SMTP server deferred the message (${responseCode}); it will be retried`, error);
  return null;
}

/** A SendGrid API answer as what it means for a retry. */
function classifySendGrid(error: Error): JobFailureError | null {
  const status = (error as { code?: unknown }).code;
  if (typeof status !== 'number') return null;
  if (status === 401 || status === 403) return failWith(FailureCode.deliveryAuthFailed, `SendGrid refused the API key (${status})`, error);
  if (status === 400 || status === 413) return failWith(FailureCode.deliveryAuthFailed, `SendGrid refused the message (${status})`, error);
  return failWith(FailureCode.deliveryRejected, `SendGrid answered ${status}; it will be retried`, error);
}

async function sendBySmtp(smtpUrl: string, from: string, message: Message, connectTimeoutMs: number): Promise<void> {
  const url = new URL(smtpUrl);
  const isTls = url.protocol === 'smtps:';
  const transport = createTransport({
    host: url.hostname,
    port: url.port ? Number(url.port) : isTls ? 465 : 587,
    secure: isTls,
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    connectionTimeout: connectTimeoutMs,
    greetingTimeout: connectTimeoutMs,
  });
  try {
    // nodemailer streams each attachment as it writes the message (base64 on the fly).
    const attachments = await Promise.all(message.attachments.map(async (file) => ({ filename: file.filename, content: await file.open() })));
    await transport.sendMail({ from, to: message.to, subject: message.subject, text: message.text, html: message.html, attachments });
  } finally {
    transport.close();
  }
}

async function readBounded(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

async function sendBySendGrid(settings: EmailDeliverySettings, message: Message): Promise<void> {
  const client = new SendGridClient();
  client.setApiKey(settings.sendgridApiKey as string);
  // setApiKey sets the default base URL; a deployment (or a test's local receiver) may name another.
  client.setDefaultRequest('baseUrl', settings.sendgridApiUrl);
  const mail = new MailService();
  mail.setClient(client);
  mail.setTimeout(settings.connectTimeoutMs * 4);
  // SendGrid's v3 API takes attachments as base64 inside the JSON body, so they are read into memory:
  // bounded by EMAIL_ATTACH_MAX_MB (30 MB at most, SendGrid's own limit), never a whole large file.
  const attachments = [];
  for (const file of message.attachments) {
    attachments.push({ filename: file.filename, content: (await readBounded(await file.open())).toString('base64'), disposition: 'attachment' });
  }
  await mail.send({ from: settings.from, to: message.to, subject: message.subject, text: message.text, html: message.html, attachments });
}

/**
 * Emails the export to its recipients through SendGrid (SENDGRID_API_KEY) or SMTP (SMTP_URL, nodemailer):
 * the message names the export, its rows and files; files are attached while their total stays under
 * EMAIL_ATTACH_MAX_MB, otherwise each has a signed, expiring download link that needs no API key.
 */
export function emailDelivery(settings: EmailDeliverySettings): DeliveryTarget<'email'> {
  return {
    async deliver(request) {
      const message = composeMessage(request, settings);
      const via = settings.sendgridApiKey ? 'SendGrid' : 'the SMTP server';
      try {
        if (settings.sendgridApiKey) await sendBySendGrid(settings, message);
        else if (settings.smtpUrl) await sendBySmtp(settings.smtpUrl, settings.from, message, settings.connectTimeoutMs);
        else throw failWith(FailureCode.deliveryNotConfigured, 'email delivery is not configured on this server (SMTP_URL or SENDGRID_API_KEY)');
      } catch (error) {
        throw deliveryFailure(error, via, (cause) => (settings.sendgridApiKey ? classifySendGrid(cause) : classifySmtp(cause)));
      }
      return { location: `mailto:${message.to.join(',')}${message.attachments.length > 0 ? ' (files attached)' : ' (download links)'}` };
    },
  };
}
