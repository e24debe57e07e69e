import type { FastifyInstance } from 'fastify';
import type { AppServices } from '../http/app-services.ts';
import { httpProblem, unwrap } from '../http/http-problem.ts';
import type { RequestLimits } from '../http/request-limits.ts';
import { withProblems } from '../http/schemas/common-schemas.ts';
import { cardPaymentsOf } from './stripe-routes.ts';
import { WebhookAnswer, WebhookParams } from './stripe-schemas.ts';
import { handleStripeWebhook } from './stripe-webhook.ts';

/** Stripe's webhook bodies are small; a larger one is not Stripe's. */
const webhookBodyBytesMax = 512 * 1024;

/**
 * `POST /v1/stripe/webhook/<root>`: Stripe calls it, with no API key; the signature is the
 * authentication (`stripe-webhook.ts`). It is registered outside the key-checked `/v1` scope,
 * with its own JSON parser that keeps the body as received: the signature covers those exact
 * bytes, so it must be verified before any parsing. A bad signature spends the address's
 * budget of failed authentications like a wrong key does.
 */
export async function stripeWebhookRoute(app: FastifyInstance, services: AppServices,
  limits: Pick<RequestLimits, 'failedAuthentication' | 'addressBlocked'>): Promise<void> {
  await app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json',
      { parseAs: 'string', bodyLimit: webhookBodyBytesMax },
      (_request, body, done) => done(null, body));
    scope.post<{ Params: { root_id: string } }>('/v1/stripe/webhook/:root_id', {
      schema: { operationId: 'stripeWebhook', tags: ['payments'], summary: 'Stripe\'s events ' +
        '(authenticated by the Stripe-Signature header, not by a key)', authenticated: false,
      params: WebhookParams, response: withProblems({ 200: WebhookAnswer }) } as never,
    }, async (request, reply) => {
      if (await limits.addressBlocked(request)) {
        throw httpProblem('webhook_signature_invalid', 'the Stripe signature does not verify');
      }
      const signature = request.headers['stripe-signature'];
      const outcome = await handleStripeWebhook(cardPaymentsOf(services), {
        rootAccountId: request.params.root_id,
        rawBody: typeof request.body === 'string' ? request.body : '',
        signature: typeof signature === 'string' ? signature : undefined });
      if (!outcome.ok && outcome.code === 'webhook_signature_invalid') {
        await limits.failedAuthentication(request, reply);
      }
      return { received: true as const, outcome: unwrap(outcome) };
    });
  });
}
