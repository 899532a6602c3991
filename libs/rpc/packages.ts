/**
 * The gRPC side packages only servers need (health and reflection), loaded on first use rather than
 * when a client imports libs/rpc: together about a quarter second of start-up for every CLI command.
 */
import type * as HealthPackage from 'grpc-health-check';
import type * as ReflectionPackage from '@grpc/reflection';
import { lazyPackage } from '../runtime/index.js';

export const healthPackage = lazyPackage<typeof HealthPackage>('grpc-health-check');
export const reflectionPackage = lazyPackage<typeof ReflectionPackage>('@grpc/reflection');
