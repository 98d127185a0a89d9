import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '@export-service/config';
import { createApiKey, migrate, revokeApiKey, rotateSecretKey, seed, type CommandOutput } from './commands';

const USAGE = `Usage: npm run cli -- <command> [options]

  create-api-key --workspace <id> --role admin|member|viewer [--name <text>]
      Creates the workspace and a user when missing; prints the new key alone on the last line.
  revoke-api-key   (the key on standard input: printf %s "$KEY" | npm run cli -- revoke-api-key)
      Revokes a key; it answers 401 from then on. Never on the command line, where ps and shell history keep it.
  seed --workspace <id> --rows <n>   (n up to 100,000,000)
      Writes n synthetic user_activity rows (other tables in proportion) across 2024 and 2025.
  migrate
      Runs pending migrations of the metadata database.
  rotate-secret-key
      Re-seals stored secrets with EXPORT_SECRET_KEY (old key in EXPORT_SECRET_KEY_PREVIOUS).`;

const output: CommandOutput = {
  info: (line) => process.stderr.write(`${line}\n`),
  result: (line) => process.stdout.write(`${line}\n`),
};

function required(value: string | undefined, flag: string): string {
  if (!value) throw new Error(`${flag} is required\n\n${USAGE}`);
  return value;
}

/** Seeding more than this is a typo, not a test: 100 M rows already take about 20 minutes and 30 GB. */
const MAX_SEED_ROWS = 100_000_000;

/** Standard input, trimmed (a piped key). */
async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) throw new Error('pipe the key on standard input: printf %s "$KEY" | npm run cli -- revoke-api-key');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const value = Buffer.concat(chunks).toString('utf8').trim();
  if (!value) throw new Error('no key on standard input');
  return value;
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { workspace: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' }, key: { type: 'string' }, rows: { type: 'string' }, help: { type: 'boolean' } },
  });
  const command = positionals[0];
  if (!command || values.help) {
    output.result(USAGE);
    return;
  }
  const config = loadConfigOrExit();
  switch (command) {
    case 'create-api-key':
      return createApiKey(config, { workspace: required(values.workspace, '--workspace'), role: required(values.role, '--role'), name: values.name }, output);
    case 'revoke-api-key':
      if (values.key !== undefined)
        throw new Error('revoke-api-key reads the key from standard input, not --key (ps and shell history would keep it): printf %s "$KEY" | npm run cli -- revoke-api-key');
      return revokeApiKey(config, { key: await readStdin() }, output);
    case 'seed': {
      const rows = Number(required(values.rows, '--rows'));
      if (!Number.isInteger(rows) || rows < 0 || rows > MAX_SEED_ROWS) throw new Error(`--rows must be a whole number from 0 to ${MAX_SEED_ROWS.toLocaleString('en')}`);
      return seed(config, { workspace: required(values.workspace, '--workspace'), rows }, output);
    }
    case 'migrate':
      return migrate(config, output);
    case 'rotate-secret-key':
      return rotateSecretKey(config, output);
    default:
      throw new Error(`unknown command "${command}"\n\n${USAGE}`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
