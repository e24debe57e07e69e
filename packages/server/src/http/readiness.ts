import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppServices } from './app-services.ts';
import { httpProblem } from './http-problem.ts';

/** How long the storage may take to answer before the node says it is not ready. */
export const readinessLimits = { storageAnswerMsMax: 2_000 } as const;

/**
 * `GET /ready`, beside `/health` (liveness): whether this node can serve calls now. A load
 * balancer or an orchestrator takes a node out while its storage does not answer; `/health`
 * only says the process runs. It reads one row through the same storage the API uses (the
 * migrations were applied before the node listened), bounded by `storageAnswerMsMax`.
 */
export function registerReadiness(app: FastifyInstance, services: AppServices): void {
  app.get('/ready', { schema: { operationId: 'ready', tags: ['system'],
    summary: 'Readiness: the storage answers', authenticated: false,
    response: { 200: Type.Object({ status: Type.Literal('ready') }) } } }, async () => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), readinessLimits.storageAnswerMsMax);
    });
    try {
      const answered = await Promise.race([
        services.deckStore.countTreeDecks('').then(() => 'answered' as const), late]);
      if (answered === 'late') {
        throw httpProblem('not_ready',
          `the storage did not answer within ${readinessLimits.storageAnswerMsMax} ms`);
      }
    } catch (error) {
      if (error instanceof Error && error.name === 'HttpProblem') throw error;
      throw httpProblem('not_ready', 'the storage does not answer');
    } finally {
      clearTimeout(timer);
    }
    return { status: 'ready' as const };
  });
}
