import type { DataSource } from 'typeorm';
import type { Role } from '@export-service/contracts';
import { ApiKeyEntity } from '../entities/api-key.entity';
import { UserEntity } from '../entities/user.entity';
import { WorkspaceEntity } from '../entities/workspace.entity';

/** The caller behind an API key. */
export interface Principal {
  apiKeyId: string;
  apiKeyHint: string;
  userId: string;
  workspaceId: string;
  role: Role;
}

/** Workspaces, users and API keys (hashes only). */
export class AccessRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Creates the workspace when missing. */
  async ensureWorkspace(id: string, name = id): Promise<void> {
    await this.dataSource.getRepository(WorkspaceEntity).createQueryBuilder().insert().values({ id, name }).orIgnore().execute();
  }

  /** Creates a user in the workspace (and the workspace when missing) holding the given key hash. */
  async createUserWithKey(input: { workspaceId: string; role: Role; name: string; keyHash: string; hint: string }): Promise<Principal> {
    return this.dataSource.transaction(async (manager) => {
      await manager.getRepository(WorkspaceEntity).createQueryBuilder().insert().values({ id: input.workspaceId, name: input.workspaceId }).orIgnore().execute();
      const user = await manager.getRepository(UserEntity).save({ workspaceId: input.workspaceId, name: input.name, role: input.role });
      const key = await manager.getRepository(ApiKeyEntity).save({ userId: user.id, keyHash: input.keyHash, hint: input.hint, lastUsedAt: null, revokedAt: null });
      return { apiKeyId: key.id, apiKeyHint: key.hint, userId: user.id, workspaceId: input.workspaceId, role: input.role };
    });
  }

  /** Makes sure a known key (DEMO_API_KEY) exists as an admin key of the workspace. */
  async ensureKey(input: { workspaceId: string; role: Role; name: string; keyHash: string; hint: string }): Promise<void> {
    const existing = await this.dataSource.getRepository(ApiKeyEntity).findOneBy({ keyHash: input.keyHash });
    if (!existing) await this.createUserWithKey(input);
  }

  /** The principal of an active (not revoked) key, by the key's hash. */
  findActiveKey(keyHash: string): Promise<Principal | null> {
    return this.findActive('key.key_hash = :keyHash', { keyHash });
  }

  /** The principal of an active key by its id (a dashboard session re-checks its key on every request). */
  findActiveKeyById(apiKeyId: string): Promise<Principal | null> {
    return this.findActive('key.id = :apiKeyId', { apiKeyId });
  }

  private async findActive(condition: string, parameters: Record<string, string>): Promise<Principal | null> {
    const row = await this.dataSource
      .getRepository(ApiKeyEntity)
      .createQueryBuilder('key')
      .innerJoin(UserEntity, 'user', 'user.id = key.user_id')
      .select(['key.id AS api_key_id', 'key.hint AS hint', 'user.id AS user_id', 'user.workspace_id AS workspace_id', 'user.role AS role'])
      .where(`${condition} AND key.revoked_at IS NULL`, parameters)
      .getRawOne<{ api_key_id: string; hint: string; user_id: string; workspace_id: string; role: Role }>();
    return row ? { apiKeyId: row.api_key_id, apiKeyHint: row.hint, userId: row.user_id, workspaceId: row.workspace_id, role: row.role } : null;
  }

  /** Records that a key was used (callers throttle this). */
  async touchKey(apiKeyId: string): Promise<void> {
    await this.dataSource.getRepository(ApiKeyEntity).update({ id: apiKeyId }, { lastUsedAt: new Date() });
  }

  /** Revokes the key with this hash; returns whether one was revoked. */
  async revokeByHash(keyHash: string): Promise<boolean> {
    const result = await this.dataSource
      .getRepository(ApiKeyEntity)
      .createQueryBuilder()
      .update()
      .set({ revokedAt: () => 'now()' })
      .where('key_hash = :keyHash AND revoked_at IS NULL', { keyHash })
      .execute();
    return (result.affected ?? 0) > 0;
  }
}
