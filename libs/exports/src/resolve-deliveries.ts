import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { DeliveryRequest, DeliverySecret, DeliveryTarget, DeliveryTargetRequest } from '@export-service/contracts';
import type { CredentialRepository, DeliverySettingsRepository, NewDelivery, WorkspaceCredentialEntity } from '@export-service/db';
import { errors, type ErrorDetail } from '@export-service/errors';
import { isRefusedAddress } from '@export-service/export-adapters';
import { deliverySecretContext, sealSecret } from '@export-service/security';

/** What resolving delivery targets looks up. */
export interface DeliveryResolutionDeps {
  credentials: CredentialRepository;
  deliverySettings: DeliverySettingsRepository;
  secretKey: Buffer;
  /** SMTP_URL or SENDGRID_API_KEY is set. */
  isEmailConfigured: boolean;
  /** WEBHOOK_ALLOW_PRIVATE. */
  allowPrivateWebhooks: boolean;
}

/** The delivery rows to write with the export, and notes on settings that were ignored. */
export interface ResolvedDeliveries {
  deliveries: NewDelivery[];
  notes: string[];
}

const MAX_TARGETS = 10;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HOST_KEY = /^SHA256:[A-Za-z0-9+/]{43}$/;
const HOST = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}[A-Za-z0-9])?)*$/;
const CONFIG_OF = { s3: 's3_config', sftp: 'sftp_config', ftp: 'ftp_config' } as const;

/** One target of the request and where its fields are named in errors. */
interface Named {
  request: DeliveryTargetRequest;
  path: string;
}

/** The request's targets, from either form; the single form's `webhook_url` adds a webhook notice. */
function expandTargets(request: DeliveryRequest | undefined, problems: ErrorDetail[]): Named[] {
  const named: Named[] = [];
  if (request?.targets) {
    if (request.method !== undefined) problems.push({ field: 'delivery.method', problem: 'cannot be combined with delivery.targets; list every target in targets' });
    if (request.targets.length === 0) problems.push({ field: 'delivery.targets', problem: 'must list at least one target' });
    request.targets.forEach((target, index) => named.push({ request: target, path: `delivery.targets[${index}]` }));
  } else {
    named.push({ request: { ...request, method: request?.method ?? 'download' }, path: 'delivery' });
  }
  const isSingleWebhook = !request?.targets && request?.method === 'webhook';
  if (request?.webhook_url !== undefined && !isSingleWebhook) named.push({ request: { method: 'webhook', webhook_url: request.webhook_url }, path: 'delivery' });
  if (named.length > MAX_TARGETS) problems.push({ field: 'delivery.targets', problem: `must list at most ${MAX_TARGETS} targets` });
  return named;
}

/** Settings of a stored credential and of the request, the request winning; secrets apart. */
function mergedConfig(credential: WorkspaceCredentialEntity | null, config: Record<string, unknown> | undefined): Record<string, unknown> {
  return { ...(credential?.publicConfig ?? {}), ...(config ?? {}) };
}

/** The inline secrets of a target, by their request names. */
function inlineSecret(config: Record<string, unknown>): DeliverySecret {
  const pick = (name: string) => (typeof config[name] === 'string' && config[name] !== '' ? (config[name] as string) : undefined);
  const secret: DeliverySecret = {
    accessKeyId: pick('access_key_id'),
    secretAccessKey: pick('secret_access_key'),
    sessionToken: pick('session_token'),
    password: pick('password'),
    privateKey: pick('private_key'),
    passphrase: pick('passphrase'),
  };
  return Object.fromEntries(Object.entries(secret).filter(([, value]) => value !== undefined)) as DeliverySecret;
}

function text(config: Record<string, unknown>, name: string): string | undefined {
  const value = config[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

function port(config: Record<string, unknown>, fallback: number): number {
  const value = config.port;
  return typeof value === 'number' ? value : typeof value === 'string' && /^\d{1,5}$/.test(value) ? Number(value) : fallback;
}

/** Every target's problems, or its public settings and secrets. */
class TargetResolver {
  constructor(
    private readonly workspaceId: string,
    private readonly deps: DeliveryResolutionDeps,
    private readonly problems: ErrorDetail[],
    private readonly notes: string[],
    private readonly allowedDomains: string[],
    private readonly hasWebhookSecret: boolean,
  ) {}

  async resolve({ request, path }: Named): Promise<{ target: DeliveryTarget; secret: DeliverySecret; credentialId: string | null } | null> {
    const problem = (field: string, what: string) => void this.problems.push({ field: `${path}.${field}`, problem: what });
    for (const [method, field] of Object.entries(CONFIG_OF)) {
      if (request.method !== method && request[field] !== undefined) this.notes.push(`${path}.${field} is only used with method ${method} and was ignored`);
    }
    if (request.method !== 'email' && request.email_recipients !== undefined) this.notes.push(`${path}.email_recipients is only used with method email and was ignored`);
    switch (request.method) {
      case 'download':
        return { target: { method: 'download' }, secret: {}, credentialId: null };
      case 'email':
        return this.email(request, problem);
      case 'webhook':
        return this.webhook(request, problem);
      case 's3':
      case 'sftp':
      case 'ftp':
        return this.remote(request.method, request, path, problem);
    }
  }

  private email(request: DeliveryTargetRequest, problem: (field: string, what: string) => void) {
    const recipients = [...new Set((request.email_recipients ?? []).map((address) => address.trim().toLowerCase()))];
    if (!this.deps.isEmailConfigured) problem('method', 'email is not configured on this server (SMTP_URL or SENDGRID_API_KEY); choose another method');
    if (recipients.length === 0) problem('email_recipients', 'is required with method email (one address at least)');
    if (this.allowedDomains.length > 0) {
      recipients.forEach((address, index) => {
        const domain = address.slice(address.lastIndexOf('@') + 1);
        if (!this.allowedDomains.some((allowed) => domain === allowed || domain.endsWith(`.${allowed}`)))
          problem(`email_recipients[${index}]`, `is not at a domain your workspace allows (${this.allowedDomains.join(', ')})`);
      });
    }
    return { target: { method: 'email' as const, recipients }, secret: {}, credentialId: null };
  }

  private webhook(request: DeliveryTargetRequest, problem: (field: string, what: string) => void) {
    const field = 'webhook_url';
    const raw = request.webhook_url;
    if (raw === undefined) {
      problem(field, 'is required with method webhook');
      return null;
    }
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      problem(field, 'must be an absolute http(s) URL');
      return null;
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (url.protocol !== 'http:' && url.protocol !== 'https:') problem(field, 'must use http or https');
    else if (url.username || url.password) problem(field, 'must not hold a user name or password (requests are signed with the workspace webhook secret instead)');
    else if (!this.deps.allowPrivateWebhooks && (host === 'localhost' || host.endsWith('.localhost') || (isIP(host) !== 0 && isRefusedAddress(host))))
      problem(field, 'must not point at a private, loopback or link-local address');
    if (!this.hasWebhookSecret) problem(field, 'needs a webhook secret for your workspace first: an admin creates one with POST /api/v1/delivery-settings/webhook-secret');
    return { target: { method: 'webhook' as const, url: url.toString() }, secret: {}, credentialId: null };
  }

  private async remote(method: 's3' | 'sftp' | 'ftp', request: DeliveryTargetRequest, path: string, problem: (field: string, what: string) => void) {
    const field = CONFIG_OF[method];
    const given = request[field] as Record<string, unknown> | undefined;
    if (given === undefined) {
      problem(field, `is required with method ${method}`);
      return null;
    }
    const credential = await this.credential(method, given.credential_id, `${path}.${field}.credential_id`);
    const config = mergedConfig(credential, given);
    const secret = inlineSecret(given);
    const need = (name: string, what = 'is required') => {
      const value = text(config, name);
      if (value === undefined) problem(`${field}.${name}`, `${what}${credential ? ' (neither here nor in the credential)' : ''}`);
      return value ?? '';
    };
    const credentialId = credential?.id ?? null;
    if (method === 's3') {
      const bucket = need('bucket');
      if (!secret.secretAccessKey && !credential) problem(`${field}.secret_access_key`, 'is required (with access_key_id), or name a stored credential in credential_id');
      if (secret.secretAccessKey && !text(config, 'access_key_id')) problem(`${field}.access_key_id`, 'is required with secret_access_key');
      const endpoint = text(config, 'endpoint') ?? null;
      if (endpoint && !/^https?:\/\/[^/\s]+\/?$/.test(endpoint)) problem(`${field}.endpoint`, 'must be an http(s) URL of the server, like https://s3.example.com');
      const prefix = text(config, 'prefix') ?? '';
      if (prefix.startsWith('/') || prefix.split('/').includes('..') || /[\\\u0000-\u001f]/.test(prefix))
        problem(`${field}.prefix`, 'must be a relative key prefix without ".." segments');
      // The access key id is not a secret, but it travels with the secret key so both come from one place.
      if (!secret.accessKeyId && text(config, 'access_key_id')) secret.accessKeyId = text(config, 'access_key_id');
      return {
        target: {
          method,
          bucket,
          prefix: prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix,
          region: text(config, 'region') ?? 'us-east-1',
          endpoint,
          forcePathStyle: config.force_path_style === true,
          credentialId,
        },
        secret,
        credentialId,
      };
    }
    const host = need('host');
    if (host && !HOST.test(host) && isIP(host) === 0) problem(`${field}.host`, 'must be a host name or an IP address');
    const username = need('username');
    const remoteDir = text(config, 'remote_dir') ?? '.';
    if (/[\u0000-\u001f]/.test(remoteDir)) problem(`${field}.remote_dir`, 'must not hold control characters');
    if (method === 'sftp') {
      const hostKey = need('host_key_sha256', 'is required: the SHA256 fingerprint of the server host key (ssh-keyscan <host> | ssh-keygen -lf -)');
      if (hostKey && !HOST_KEY.test(hostKey)) problem(`${field}.host_key_sha256`, 'must look like SHA256:<43 base64 characters>, as ssh-keygen -l prints it');
      if (!secret.password && !secret.privateKey && !credential) problem(`${field}.password`, 'or private_key is required (or a stored credential in credential_id)');
      return { target: { method, host, port: port(config, 22), username, remoteDir, hostKeySha256: hostKey, credentialId }, secret, credentialId };
    }
    const tls = (text(config, 'tls') ?? 'explicit') as 'none' | 'explicit' | 'implicit';
    if (!['none', 'explicit', 'implicit'].includes(tls)) problem(`${field}.tls`, 'must be one of none, explicit, implicit');
    if (!secret.password && !credential) problem(`${field}.password`, 'is required (or a stored credential in credential_id)');
    return {
      target: { method, host, port: port(config, tls === 'implicit' ? 990 : 21), username, remoteDir, tls, caCertificate: text(config, 'ca_certificate') ?? null, credentialId },
      secret,
      credentialId,
    };
  }

  private async credential(kind: string, id: unknown, field: string): Promise<WorkspaceCredentialEntity | null> {
    if (id === undefined) return null;
    const credential = typeof id === 'string' && UUID.test(id) ? await this.deps.credentials.findInWorkspace(this.workspaceId, id) : null;
    if (!credential) this.problems.push({ field, problem: 'is not a credential of your workspace (see GET /api/v1/credentials)' });
    else if (credential.kind !== kind) this.problems.push({ field, problem: `names a credential of kind ${credential.kind}; method ${kind} needs one of kind ${kind}` });
    return credential?.kind === kind ? credential : null;
  }
}

/**
 * Resolves the `delivery` block into the delivery rows written with the export: each target checked
 * (required settings, credentials of the workspace, allowed email domains, webhook addresses), its
 * public settings for the row and status, its inline secrets sealed to the row. Throws 422 naming
 * every bad field.
 */
export async function resolveDeliveries(request: DeliveryRequest | undefined, workspaceId: string, deps: DeliveryResolutionDeps): Promise<ResolvedDeliveries> {
  const problems: ErrorDetail[] = [];
  const notes: string[] = [];
  const named = expandTargets(request, problems);
  const settings = await deps.deliverySettings.find(workspaceId);
  const resolver = new TargetResolver(workspaceId, deps, problems, notes, settings.emailAllowedDomains, settings.sealedWebhookSecret !== null);
  const deliveries: NewDelivery[] = [];
  for (const target of named) {
    const resolved = await resolver.resolve(target);
    if (!resolved) continue;
    const id = `dlv_${randomBytes(16).toString('hex')}`;
    const hasSecret = Object.keys(resolved.secret).length > 0;
    deliveries.push({
      id,
      target: resolved.target,
      credentialId: resolved.credentialId,
      sealedSecret: hasSecret ? sealSecret(JSON.stringify(resolved.secret), { key: deps.secretKey, previousKeys: [] }, deliverySecretContext({ id, workspaceId })) : null,
    });
  }
  if (problems.length > 0) throw errors.validation(problems);
  return { deliveries, notes };
}
