import { describeArtifactStoreContract } from './artifact-store.contract';
import { MemoryArtifactStore } from './memory-artifact-store';

describeArtifactStoreContract('memory', async () => new MemoryArtifactStore());
