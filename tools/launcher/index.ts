/** Starting real Samsa processes: etcd, services, whole local clusters. */
export { freePort } from './free-port.js';
export { Child, waitUntil, type ChildSpec } from './child.js';
export { EtcdProcess, findEtcdBinary, type EtcdOptions } from './etcd.js';
export { ServiceProcess, repoRoot, entryPoint, instrumentationEntry, type ServiceKind, type ServiceSpec } from './service.js';
export { LocalCluster, brokerNodeArgs, type LocalClusterOptions } from './cluster.js';
export { keepLogs, logTail, startFailure } from './start-failure.js';
export { planPorts, portsOf, PortPlanError, DEFAULT_PORTS, type PortPlan, type PortRequest } from './port-plan.js';
export { ParentWatch, type ProcessTable, type Lineage } from './parent-watch.js';
