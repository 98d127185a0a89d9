import type { ArtifactScope, ArtifactStore, PartialArtifact } from '../ports/artifact-store';
import type { ByteSink } from '../ports/byte-sink';
import type { Compressor, Encryptor } from '../ports/compressor';
import { CountingSink } from '../sinks/counting.sink';
import { HashingSink } from '../sinks/hashing.sink';

/** The stages after the format encoder, shared by every file of an export. */
export interface OutputStages {
  store: ArtifactStore;
  scope: ArtifactScope;
  compressor: Compressor;
  /** Outer encryptor (OpenPGP), or null when the file is not encrypted or the compressor encrypts. */
  encryptor: Encryptor | null;
  password: string | null;
}

/** A finished file, still hidden as a partial artifact until the export completes. */
export interface WrittenOutput {
  partial: PartialArtifact;
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
    readonly partial: PartialArtifact,
    entryName: string,
  ) {
    this.hashing = new HashingSink(partial);
    const encrypted = stages.encryptor && stages.password ? stages.encryptor.open(this.hashing, stages.password) : this.hashing;
    this.counting = new CountingSink(encrypted);
    const insidePassword = stages.compressor.encryptsInside && stages.password ? stages.password : undefined;
    this.compressed = stages.compressor.open(this.counting, { entryName, password: insidePassword });
  }

  /** Opens a hidden partial file and its stages. */
  static async open(stages: OutputStages, filename: string, entryName: string): Promise<FileOutput> {
    const partial = await stages.store.createPartial(stages.scope, filename);
    return new FileOutput(stages, partial, entryName);
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
    return this.stages.encryptor && this.stages.password && !this.stages.compressor.encryptsInside
      ? this.stages.encryptor.maxOutput(compressed)
      : compressed;
  }

  /** Ends the file once the head has been ended (by the encoder), and reports its size and hash. */
  result(): WrittenOutput {
    return { partial: this.partial, bytes: this.hashing.bytes, sha256: this.hashing.sha256 };
  }
}
