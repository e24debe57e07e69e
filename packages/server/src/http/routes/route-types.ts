import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** A Fastify instance with TypeBox inference, as route plugins receive it. */
export type TypeBoxApp = Parameters<FastifyPluginAsyncTypebox>[0];
