import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The `viewer` role: reads the dashboard and export status, changes nothing. */
export class ViewerRole1764800000000 implements MigrationInterface {
  name = 'ViewerRole1764800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      ALTER TABLE users DROP CONSTRAINT users_role_check;
      ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('admin', 'member', 'viewer'));
    `);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`
      DELETE FROM users WHERE role = 'viewer';
      ALTER TABLE users DROP CONSTRAINT users_role_check;
      ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('admin', 'member'));
    `);
  }
}
