import type { EncryptionSpec } from '@export-service/contracts';
import { artifactKey, type ArtifactScope, type ArtifactStore, type ArtifactWriter } from '../ports/artifact-store';
import type { ByteSink } from '../ports/byte-sink';
import type { Compressor, Encryptor } from '../ports/compressor';
import { CountingSink } from '../sinks/counting.sink';
import { HashingSink } from '../sinks/hashing.sink';

/**
 * Which stage encrypts a file, derived from the compressor registry: a compressor that encrypts by
 * itself (zip: WinZip AES-256) keeps the password inside; any other gets an outer OpenPGP wrapper.
 * The request resolver records the answer in the spec; the pipeline only reads it back.
 */
export function encryptionContainerFor(compressor: Pick<Compressor, 'encryptsInside'>): NonNullable<EncryptionSpec['container']> {
  return compressor.encryptsInside ? 'zip-aes' : 'openpgp';
}

/** The stages after the format encoder, shared by every file of an export. */
export interface OutputStages {
  store: ArtifactStore;
  scope: ArtifactScope;
  compressor: Compressor;
  /** The compressor's own encryption password (zip-aes), or null. */
  innerPassword: string | null;
  /** The outer encryptor and its password (openpgp), or null. */
  outer: { encryptor: Encryptor; password: string } | null;
}

/** Builds the output stages from the spec's recorded encryption container. */
export function outputStagesFor(
  encryption: EncryptionSpec,
  parts: { store: ArtifactStore; scope: ArtifactScope; compressor: Compressor; encryptor: Encryptor; password: string | null },
): OutputStages {
  const container = encryption.enabled ? encryption.container : null;
  if (container !== null && parts.password === null) throw new Error('an encrypted export needs its password');
  if (container === 'zip-aes' && !parts.compressor.encryptsInside) throw new Error(`${parts.compressor.compression} cannot encrypt inside; the stored spec is inconsistent`);
  return {
    store: parts.store,
    scope: parts.scope,
    compressor: parts.compressor,
    innerPassword: container === 'zip-aes' ? parts.password : null,
    outer: container === 'openpgp' ? { encryptor: parts.encryptor, password: parts.password as string } : null,
  };
}

/** A finished file in storage, listed once the export completes. */
export interface WrittenOutput {
  key: string;
  bytes: number;
  sha256: string;
}

/**
 * One output file: compress → count → encrypt → hash → store. The count sits between compression and
 * encryption because that is where a flush makes the size exact; encryption adds a known overhead.
 */
export class FileOutput {
  private pendingInput = 0;
  private readonly hashing: HashingSink;
  private readonly counting: CountingSink;
  private readonly compressed: ByteSink;

  private constructor(
    private readonly stages: OutputStages,
    readonly writer: ArtifactWriter,
    entryName: string,
  ) {
    this.hashing = new HashingSink(writer);
    const encrypted = stages.outer ? stages.outer.encryptor.open(this.hashing, stages.outer.password) : this.hashing;
    this.counting = new CountingSink(encrypted);
    this.compressed = stages.compressor.open(this.counting, { entryName, password: stages.innerPassword ?? undefined });
  }

  /** Opens the file at its key and its stages. */
  static async open(stages: OutputStages, filename: string, entryName: string): Promise<FileOutput> {
    const writer = await stages.store.create(artifactKey(stages.scope, filename));
    return new FileOutput(stages, writer, entryName);
  }

  /** Where the encoder writes its bytes. */
  readonly head: ByteSink = {
    write: (chunk) => {
      this.pendingInput += chunk.length;
      return this.compressed.write(chunk);
    },
    flush: async () => {
      await this.compressed.flush();
      this.pendingInput = 0;
    },
    end: () => this.compressed.end(),
    destroy: (error) => this.compressed.destroy(error),
  };

  /** An upper bound of the final file size if `moreInput` more bytes reach the head. */
  maxFinalBytes(moreInput: number): number {
    const compressed = this.counting.bytes + this.stages.compressor.maxOutput(this.pendingInput + moreInput);
    return this.stages.outer ? this.stages.outer.encryptor.maxOutput(compressed) : compressed;
  }

  /** The stored file's key, size and hash; call it after the head has been ended (by the encoder). */
  result(): WrittenOutput {
    return { key: this.writer.key, bytes: this.hashing.bytes, sha256: this.hashing.sha256 };
  }
}
