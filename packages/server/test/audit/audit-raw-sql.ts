import Database from 'better-sqlite3';
import pg from 'pg';
import type { TestApi } from '../http/http-fixture.ts';

/**
 * Straight to the audit table of a test API's database, past the application (which has no
 * UPDATE or DELETE of it): to read every row, and to try what an intruder with a connection
 * would try.
 */
type Work<T> = (query: (sql: string) => Promise<unknown[]>) => Promise<T>;

export async function withConnection<T>(api: TestApi, work: Work<T>): Promise<T> {
  const target = api.services.target;
  if (target.kind === 'sqlite') {
    const connection = new Database(target.path, { timeout: 5_000 });
    try {
      return await work(async (sql) => {
        const statement = connection.prepare(sql);
        return statement.reader ? statement.all() : [statement.run()];
      });
    } finally {
      connection.close();
    }
  }
  const client = new pg.Client({ connectionString: target.url,
    options: `-c search_path=${api.config.postgresSchema}` });
  await client.connect();
  try {
    return await work(async (sql) => (await client.query(sql)).rows as unknown[]);
  } finally {
    await client.end();
  }
}

export function auditRows(api: TestApi): Promise<unknown[]> {
  return withConnection(api, (query) => query('SELECT * FROM audit_log ORDER BY id'));
}

/** Each statement with the error it met ('' when it went through). */
export function tryToChangeAuditRows(api: TestApi):
  Promise<Array<{ statement: string; error: string }>> {
  const statements = {
    UPDATE: "UPDATE audit_log SET action = 'account_created', after_json = NULL",
    DELETE: 'DELETE FROM audit_log',
    ...(api.services.target.kind === 'postgres' ? { TRUNCATE: 'TRUNCATE audit_log' } : {}),
  };
  return withConnection(api, async (query) => {
    const attempts: Array<{ statement: string; error: string }> = [];
    for (const [statement, sql] of Object.entries(statements)) {
      try {
        await query(sql);
        attempts.push({ statement, error: '' });
      } catch (error) {
        attempts.push({ statement, error: error instanceof Error ? error.message : String(error) });
      }
    }
    return attempts;
  });
}
