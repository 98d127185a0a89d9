import type { DataSource } from 'typeorm';
import { WorkspaceCredentialEntity, type CredentialKind } from '../entities/workspace-credential.entity';

/** Stored credentials of workspaces; secrets arrive and leave sealed, this class never sees them in clear. */
export class CredentialRepository {
  constructor(private readonly dataSource: DataSource) {}

  create(input: {
    id: string;
    workspaceId: string;
    name: string;
    kind: CredentialKind;
    publicConfig: Record<string, string | number | boolean>;
    sealedSecret: string;
  }): Promise<WorkspaceCredentialEntity> {
    return this.dataSource.getRepository(WorkspaceCredentialEntity).save(input);
  }

  listForWorkspace(workspaceId: string): Promise<WorkspaceCredentialEntity[]> {
    return this.dataSource.getRepository(WorkspaceCredentialEntity).find({ where: { workspaceId }, order: { name: 'ASC' } });
  }

  /** A credential of the workspace by id; another workspace's is as good as missing. */
  findInWorkspace(workspaceId: string, id: string): Promise<WorkspaceCredentialEntity | null> {
    return this.dataSource.getRepository(WorkspaceCredentialEntity).findOneBy({ workspaceId, id });
  }

  findByName(workspaceId: string, name: string): Promise<WorkspaceCredentialEntity | null> {
    return this.dataSource.getRepository(WorkspaceCredentialEntity).findOneBy({ workspaceId, name });
  }

  async delete(id: string, workspaceId: string): Promise<boolean> {
    const result = await this.dataSource.getRepository(WorkspaceCredentialEntity).delete({ id, workspaceId });
    return (result.affected ?? 0) > 0;
  }

  /** Every credential, for key rotation. */
  all(): Promise<WorkspaceCredentialEntity[]> {
    return this.dataSource.getRepository(WorkspaceCredentialEntity).find();
  }

  async replaceSealedSecret(id: string, sealedSecret: string): Promise<void> {
    await this.dataSource.getRepository(WorkspaceCredentialEntity).update({ id }, { sealedSecret });
  }
}
