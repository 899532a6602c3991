/**
 * `samsa acls add|list|remove`: Kafka's ACLs, kept by the controller (docs/security.md, ADR 0025).
 * The options follow kafka-acls.sh where they can: --allow/--deny with --principal, --operation,
 * one resource (--topic, --group, --cluster, --transactional-id), --prefixed, --host.
 */
import { Command, Option } from 'commander';
import {
  CLUSTER_RESOURCE,
  OPERATIONS,
  describeBinding,
  type AclBinding,
  type AclFilter,
  type Operation,
  type ResourceType,
} from '../../libs/security/index.js';
import type { CommandContext, CommandModule } from '../context.js';
import { plural, table } from '../output.js';
import { outputSchema, s } from '../schema.js';
import { UsageError, collect, commandGroup } from '../usage.js';

const BINDING_SCHEMA = s.object({
  principal: s.string('User:NAME, or User:* for everyone'),
  permission: s.string(undefined, ['ALLOW', 'DENY']),
  operation: s.string(undefined, OPERATIONS),
  resourceType: s.string(undefined, ['TOPIC', 'GROUP', 'CLUSTER', 'TRANSACTIONAL_ID']),
  resourceName: s.string('kafka-cluster for the cluster; * (LITERAL) for every resource of the type'),
  patternType: s.string('PREFIXED: every name starting with resourceName', ['LITERAL', 'PREFIXED']),
  host: s.string('an IP address, or * for any'),
});

interface AclOptions {
  allow?: boolean;
  deny?: boolean;
  principal?: string;
  operation?: string[];
  topic?: string;
  group?: string;
  cluster?: boolean;
  transactionalId?: string;
  prefixed?: boolean;
  match?: boolean;
  host?: string;
}

/** The binding as -o json prints it: the same fields, in a stable order. */
function bindingOutput(b: AclBinding): AclBinding {
  return {
    principal: b.principal,
    permission: b.permission,
    operation: b.operation,
    resourceType: b.resourceType,
    resourceName: b.resourceName,
    patternType: b.patternType,
    host: b.host,
  };
}

function bindingTable(acls: readonly AclBinding[]): string {
  return table(
    ['PRINCIPAL', 'PERMISSION', 'OPERATION', 'RESOURCE', 'NAME', 'PATTERN', 'HOST'],
    acls.map((a) => [a.principal, a.permission, a.operation, a.resourceType, a.resourceName, a.patternType, a.host]),
  );
}

function operationOf(raw: string): Operation {
  const op = raw.toUpperCase().replace(/-/g, '_');
  if (!(OPERATIONS as readonly string[]).includes(op)) throw new UsageError(`unknown operation "${raw}" (one of ${OPERATIONS.join(', ')})`);
  return op as Operation;
}

function resourceOf(o: AclOptions): { resourceType: ResourceType; resourceName: string } | undefined {
  const given: { resourceType: ResourceType; resourceName: string }[] = [];
  if (o.topic !== undefined) given.push({ resourceType: 'TOPIC', resourceName: o.topic });
  if (o.group !== undefined) given.push({ resourceType: 'GROUP', resourceName: o.group });
  if (o.cluster) given.push({ resourceType: 'CLUSTER', resourceName: CLUSTER_RESOURCE });
  if (o.transactionalId !== undefined) given.push({ resourceType: 'TRANSACTIONAL_ID', resourceName: o.transactionalId });
  if (given.length > 1) throw new UsageError('name one resource: --topic, --group, --cluster or --transactional-id');
  return given[0];
}

function principalOf(raw: string): string {
  if (!/^User:./.test(raw)) throw new UsageError(`--principal must look like User:NAME (User:* for everyone), got "${raw}"`);
  return raw;
}

/** The options every subcommand shares: who, what, on which resource. */
function bindingOptions(cmd: Command, permissionHelp: string): Command {
  return cmd
    .addOption(new Option('--allow', `ALLOW bindings ${permissionHelp}`).conflicts('deny'))
    .addOption(new Option('--deny', `DENY bindings ${permissionHelp}`))
    .option('--principal <User:NAME>', 'whom the binding is for: User:NAME (User:* for everyone)')
    .option('--operation <op>', `${OPERATIONS.join(', ')} (repeat for several)`, collect)
    .option('--topic <name>', 'the resource: a topic (* for every topic)')
    .option('--group <name>', 'the resource: a consumer group (* for every group)')
    .option('--cluster', 'the resource: the cluster (topic creation, ACL and quota administration)')
    .option('--transactional-id <id>', 'the resource: a transactional id')
    .option('--prefixed', 'the resource name is a prefix: every name starting with it')
    .option('--host <ip>', 'the client address the binding applies to (default: * for any)');
}

function add(ctx: CommandContext): Command {
  const cmd = bindingOptions(new Command('add').description('add ACL bindings (one per --operation)'), '(one of the two is required)')
    .addHelpText(
      'after',
      `
Requests are refused unless an ACL allows them (deny by default); a DENY wins over any ALLOW.
READ, WRITE, DELETE and ALTER imply DESCRIBE. Changes apply on every service within moments, and
streams a removed ACL allowed are ended.

Examples:
  samsa acls add --allow --principal User:alice --operation WRITE --operation READ --topic orders- --prefixed
  samsa acls add --allow --principal User:alice --operation READ --group billing
  samsa acls add --deny --principal User:mallory --operation ALL --topic '*'`,
    )
    .action(async (o: AclOptions) => {
      if (!o.allow && !o.deny) throw new UsageError('acls add needs --allow or --deny');
      if (!o.principal) throw new UsageError('acls add needs --principal User:NAME (User:* for everyone)');
      const resource = resourceOf(o);
      if (!resource) throw new UsageError('acls add needs a resource: --topic, --group, --cluster or --transactional-id');
      const operations = (o.operation ?? []).map(operationOf);
      if (operations.length === 0) throw new UsageError('acls add needs --operation');
      const principal = principalOf(o.principal);
      const bindings: AclBinding[] = operations.map((operation) => ({
        ...resource,
        patternType: o.prefixed ? 'PREFIXED' : 'LITERAL',
        principal,
        host: o.host ?? '*',
        operation,
        permission: o.deny ? 'DENY' : 'ALLOW',
      }));
      await ctx.client().admin().createAcls(bindings);
      ctx.print({ added: bindings.map(bindingOutput) }, (d) => d.added.map((b) => `added: ${describeBinding(b)}`).join('\n'));
    });
  return outputSchema(
    cmd,
    s.object({ added: s.array(BINDING_SCHEMA, 'the bindings now in place (adding one that exists changes nothing)') }),
  );
}

function list(ctx: CommandContext): Command {
  const cmd = bindingOptions(new Command('list').description('list ACL bindings, all or those matching the options'), 'only')
    .option('--match', 'with a resource: every binding that applies to it (literal, * and matching prefixes)')
    .addHelpText(
      'after',
      `
Examples:
  samsa acls list
  samsa acls list --principal User:alice
  samsa acls list --topic orders-eu --match`,
    )
    .action(async (o: AclOptions) => {
      const resource = resourceOf(o);
      if (o.match && !resource) throw new UsageError('--match needs a resource: --topic, --group, --cluster or --transactional-id');
      const operations = (o.operation ?? []).map(operationOf);
      if (operations.length > 1) throw new UsageError('acls list takes one --operation');
      const filter: AclFilter = {
        ...(resource ? resource : {}),
        ...(o.match ? { patternType: 'MATCH' as const } : o.prefixed ? { patternType: 'PREFIXED' as const } : {}),
        ...(o.principal ? { principal: principalOf(o.principal) } : {}),
        ...(o.host ? { host: o.host } : {}),
        ...(operations[0] ? { operation: operations[0] } : {}),
        ...(o.allow ? { permission: 'ALLOW' as const } : o.deny ? { permission: 'DENY' as const } : {}),
      };
      const acls = (await ctx.client().admin().describeAcls(filter)).map(bindingOutput);
      acls.sort((a, b) => describeBinding(a).localeCompare(describeBinding(b)));
      ctx.print({ acls }, (d) => (d.acls.length === 0 ? 'no ACLs' : bindingTable(d.acls)));
    });
  return outputSchema(cmd, s.object({ acls: s.array(BINDING_SCHEMA) }));
}

function remove(ctx: CommandContext): Command {
  const cmd = bindingOptions(new Command('remove').description('remove the ACL bindings matching the options'), 'only')
    .addHelpText(
      'after',
      `
Every binding matching all the options given is removed; at least one of --principal, a resource
or --operation is required. A resource without --prefixed removes its LITERAL bindings only.
Streams (consume, group members) that only a removed binding allowed are ended PERMISSION_DENIED.

Examples:
  samsa acls remove --principal User:alice --topic orders- --prefixed
  samsa acls remove --principal User:alice --operation WRITE --topic orders`,
    )
    .action(async (o: AclOptions) => {
      const resource = resourceOf(o);
      const operations = (o.operation ?? []).map(operationOf);
      if (!o.principal && !resource && operations.length === 0)
        throw new UsageError('acls remove needs at least --principal, a resource or --operation (it would remove every ACL)');
      const base: AclFilter = {
        ...(resource ? { ...resource, patternType: o.prefixed ? ('PREFIXED' as const) : ('LITERAL' as const) } : {}),
        ...(o.principal ? { principal: principalOf(o.principal) } : {}),
        ...(o.host ? { host: o.host } : {}),
        ...(o.allow ? { permission: 'ALLOW' as const } : o.deny ? { permission: 'DENY' as const } : {}),
      };
      const filters = operations.length === 0 ? [base] : operations.map((operation) => ({ ...base, operation }));
      const removed = (await ctx.client().admin().deleteAcls(filters)).map(bindingOutput);
      ctx.print({ removed }, (d) =>
        d.removed.length === 0
          ? 'no ACL matched'
          : [...d.removed.map((b) => `removed: ${describeBinding(b)}`), plural(d.removed.length, 'binding') + ' removed'].join('\n'),
      );
    });
  return outputSchema(cmd, s.object({ removed: s.array(BINDING_SCHEMA, 'the bindings that were removed (empty when none matched)') }));
}

export const aclsCommand: CommandModule = (ctx) =>
  commandGroup('acls', 'access control lists: who may do what (Kafka ACLs)')
    .addCommand(add(ctx))
    .addCommand(list(ctx))
    .addCommand(remove(ctx));
