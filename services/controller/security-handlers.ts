/**
 * ControllerService's ACL and quota RPCs. Changes run on the active controller (a standby forwards
 * them, as every admin call); descriptions are answered from the local watched copy by anyone.
 * Who may call which is the access guard's business (libs/security rules.ts), not this file's.
 */
import type * as grpc from '@grpc/grpc-js';
import { SamsaError } from '../../libs/errors/index.js';
import { unary, type v1 } from '../../libs/rpc/index.js';
import {
  bindingFromProto,
  bindingToProto,
  entityFromProto,
  filterFromProto,
  filterMatches,
  quotaFromProto,
  quotaToProto,
  verifiedPrincipal,
  type SecurityAdmin,
  type SecurityView,
} from '../../libs/security/index.js';

export interface SecurityContext {
  view: SecurityView;
  /** The admin of this controller's term while it is the active one. */
  admin(): SecurityAdmin | undefined;
}

/** Runs `local` on the active controller (here, or forwarded with `forward`). */
export type OnActive = <Res, Forwarded extends Res>(
  call: grpc.ServerUnaryCall<unknown, unknown>,
  local: () => Promise<Res>,
  forward: (
    client: v1.ControllerServiceClient,
    md: grpc.Metadata,
    options: grpc.CallOptions,
    cb: grpc.requestCallback<Forwarded>,
  ) => unknown,
) => Promise<Res>;

type SecurityRpcs = Pick<v1.ControllerServiceHandlers, 'CreateAcls' | 'DescribeAcls' | 'DeleteAcls' | 'AlterQuotas' | 'DescribeQuotas'>;

export function securityHandlers(ctx: SecurityContext, onActive: OnActive): SecurityRpcs {
  const admin = (): SecurityAdmin => {
    const a = ctx.admin();
    if (!a) throw new SamsaError('NOT_CONTROLLER', 'this controller stopped being the active one; retry');
    return a;
  };
  return {
    CreateAcls: unary((req, call) => {
      const bindings = req.acls.map((b, i) => bindingFromProto(b, `acls[${i}]`));
      return onActive<v1.CreateAclsResponse, v1.CreateAclsResponse__Output>(
        call,
        async () => {
          await admin().createAcls(bindings, verifiedPrincipal(call));
          return {};
        },
        (client, md, options, cb) => client.createAcls(req, md, options, cb),
      );
    }),
    DescribeAcls: unary(async (req) => {
      const filter = filterFromProto(req.filter);
      return { acls: [...ctx.view.aclBindings().values()].filter((b) => filterMatches(filter, b)).map(bindingToProto) };
    }),
    DeleteAcls: unary((req, call) => {
      const filters = req.filters.map(filterFromProto);
      return onActive<v1.DeleteAclsResponse, v1.DeleteAclsResponse__Output>(
        call,
        async () => ({ deleted: (await admin().deleteAcls(filters, verifiedPrincipal(call))).map(bindingToProto) }),
        (client, md, options, cb) => client.deleteAcls(req, md, options, cb),
      );
    }),
    AlterQuotas: unary((req, call) => {
      const set = req.set.map(quotaFromProto);
      const remove = req.remove.map(entityFromProto);
      return onActive<v1.AlterQuotasResponse, v1.AlterQuotasResponse__Output>(
        call,
        async () => {
          await admin().alterQuotas(set, remove, verifiedPrincipal(call));
          return {};
        },
        (client, md, options, cb) => client.alterQuotas(req, md, options, cb),
      );
    }),
    DescribeQuotas: unary(async () => ({ quotas: [...ctx.view.quotas().values()].map(quotaToProto) })),
  };
}
